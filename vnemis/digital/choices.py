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
