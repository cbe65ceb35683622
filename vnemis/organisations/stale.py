"""Marking units whose records changed, so that what is derived from them is recounted.

The indicator engine sits above the apps whose records it counts, so they cannot call it
(imports point downward). A service that changes records calls ``units_stale``: it writes a
``StaleUnit`` row per unit in the service's own transaction, so the mark commits or rolls back
with the change. After commit, the consumers registered with ``stale_consumer_register`` are
told that marks wait; the indicator engine registers the job that recounts the marked units
and deletes their marks (``indicators.apps``). A recount that fails leaves the marks, and the
job is retried by the queue; any later change tells the consumers again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction

from vnemis.organisations.models import StaleUnit

# Told, after a commit that marked units, that marks wait. Filled once at start-up by the apps
# that derive data from records (``IndicatorsConfig.ready``).
_CONSUMERS: list[Callable[[], None]] = []


def stale_consumer_register(consumer: Callable[[], None]) -> None:
    """Have ``consumer`` called after every commit that marked units (once per consumer)."""
    if consumer not in _CONSUMERS:
        _CONSUMERS.append(consumer)


def stale_consumers() -> tuple[Callable[[], None], ...]:
    return tuple(_CONSUMERS)


def _notify() -> None:
    for consumer in _CONSUMERS:
        consumer()


def units_stale(*, unit_ids: Iterable[int], since: dt.date) -> None:
    """Mark ``unit_ids`` as changed on or after ``since``, in the current transaction."""
    ids = sorted(set(unit_ids))
    if not ids:
        return
    StaleUnit.objects.bulk_create([StaleUnit(unit_id=i, changed_from=since) for i in ids])
    transaction.on_commit(_notify)
