from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Each role's home page: the figures, work and records a user opens every morning,
    composed from the other apps' reads."""

    name = "vnemis.portal"
    label = "portal"
    verbose_name = _("Home pages")
