from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitalConfig(AppConfig):
    name = "vnemis.digital"
    label = "digital"
    verbose_name = _("Digital transformation")
