from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Regime(models.TextChoices):
    """The assessment circulars; the codes are the calculator contract's."""

    TT22 = "tt22", _("TT22/2021 (grades 6–12)")
    TT58 = "tt58", _("TT58/2011 as amended by TT26/2020 (grades 6–12)")
    TT27 = "tt27", _("TT27/2020 (primary)")
    TT30 = "tt30", _("TT30/2014 as amended by TT22/2016 (primary)")


class AssessmentMode(models.TextChoices):
    SCORE = "score", _("Scores")
    COMMENT = "comment", _("Comments (passed / not passed)")
    LEVEL = "level", _("Levels (primary)")


class Term(models.IntegerChoices):
    FIRST = 1, _("Term I")
    SECOND = 2, _("Term II")


class ReleaseColumn(models.TextChoices):
    """What a publication rule releases: one kind of score of a subject and term, or the
    class's summary (conduct, learning level, year results) of a term."""

    REGULAR = "regular", _("Regular assessments")
    MIDTERM = "midterm", _("Mid-term assessment")
    FINAL = "final", _("End-of-term assessment")
    AVERAGE = "average", _("Term result of the subject")
    SUMMARY = "summary", _("Conduct and overall results")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the principal")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TranscriptStatus(models.TextChoices):
    """The Ministry's workflow (domain-vn §4): completion → verification → confirmation → the
    homeroom teacher's signature → the institution's signature."""

    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")
    VERIFIED = "verified", _("Verified")
    CONFIRMED = "confirmed", _("Confirmed")
    TEACHER_SIGNED = "teacher_signed", _("Signed by the homeroom teacher")
    ISSUED = "issued", _("Issued (signed by the school)")
    REVOKED = "revoked", _("Revoked")


class CopyKind(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    EXTRACT = "extract", _("Extract")
    NATIONAL_STORE = "national_store", _("Sent to the national transcript store")
