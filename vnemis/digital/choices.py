from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InternetConnection(models.TextChoices):
    WIRED = "wired", _("Wired")
    MOBILE = "mobile", _("3G/4G")
    NONE = "none", _("No connection")


class FactSource(models.TextChoices):
    FORM = "form", _("Data-entry form")
    IMPORT = "import", _("Excel import")
    DEMO = "demo", _("Demo data")


class SelfAssessmentStatus(models.TextChoices):
    """Where a school's yearly QĐ 4725 self-assessment stands (the DTI portal's cycle)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class SelfAssessmentAction(models.TextChoices):
    """A step of the cycle, as kept in the assessment's history."""

    SUBMITTED = "submit", _("submitted to the office")
    RETURNED = "return", _("returned for changes")
    APPROVED = "approve", _("approved")
    EXTERNAL = "assess", _("external assessment recorded")
    PUBLISHED = "publish", _("published")
