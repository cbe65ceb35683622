from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    STUDENTS = "students", _("Students")
    STAFF = "staff", _("Staff")
    SCHOOLS = "schools", _("Schools")
    RECORDS = "records", _("Records behind a figure")
    ORG_UNITS = "org_units", _("Organisation units")
    SITES = "sites", _("School sites")
    CLASSES = "classes", _("Classes")
    INDICATOR_VALUES = "indicator_values", _("Indicator values")
    PLAN_TASKS = "plan_tasks", _("Plan tasks")
    IMPORT_JOBS = "import_jobs", _("Import jobs")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (.xlsx)")
    CSV = "csv", _("CSV (.csv)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
