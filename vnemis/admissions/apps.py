from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "vnemis.admissions"
    label = "admissions"
    verbose_name = _("Grade-10 admissions")
