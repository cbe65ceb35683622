from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    STUDENTS = "students", _("Students and their enrolment")
    DIGITAL_PROFILES = "digital_profiles", _("Digital-transformation facts of schools and sites")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class RowOutcome(models.TextChoices):
    CREATE = "create", _("to create")
    UPDATE = "update", _("to update")
    UNCHANGED = "unchanged", _("unchanged")
    REJECTED = "rejected", _("rejected")
