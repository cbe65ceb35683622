from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    SCHOOLS = "schools", _("Schools")
    SITES = "sites", _("School sites")
    STAFF = "staff", _("Staff")
    CLASSES = "classes", _("Classes")
    STUDENTS = "students", _("Students and their enrolment")
    GUARDIANS = "guardians", _("Parents and guardians")
    ENROLMENTS = "enrolments", _("Enrolments")
    DIGITAL_PROFILES = "digital_profiles", _("Digital-transformation facts of schools and sites")
    REPORTED_VALUES = "reported_values", _("Reported figures")
    ASSIGNMENTS = "assignments", _("Teaching assignments")
    GRADEBOOK = "gradebook", _("Class gradebook (scores of one subject and term)")


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
