"""Background jobs of the indicator engine."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from vnemis.indicators import services


@task
def element_values_refresh_units_task(*, unit_ids: list[int], changed_from: str) -> None:
    """Bring every computed period up to date after records of ``unit_ids`` changed.

    Idempotent: it recounts the units' own records and moves the stored values by the
    difference, so running it twice changes nothing the second time.
    """
    services.refresh_after_change(
        unit_ids=unit_ids, changed_from=dt.date.fromisoformat(changed_from)
    )
