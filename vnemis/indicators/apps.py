from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "vnemis.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # The one cross-app effect of a record change: services below the engine mark the
        # units they changed (organisations.stale); after commit the engine recounts them.
        # Imported here because models cannot be imported before the registry is ready.
        from vnemis.indicators.tasks import stale_units_refresh_enqueue
        from vnemis.organisations.stale import stale_consumer_register

        stale_consumer_register(stale_units_refresh_enqueue)
