"""Telling the indicator engine that records changed, without importing it.

The engine sits above the apps whose records it counts, so they cannot call it (house rule:
imports point downward). They call ``indicators_stale``; after commit it enqueues the engine's
refresh job, found by name, with every unit touched in the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.module_loading import import_string

from vnemis.core.jobs import on_commit_collect

REFRESH_TASK = "vnemis.indicators.tasks.element_values_refresh_units_task"


def _enqueue(unit_ids: set[int], since: dt.date) -> None:
    task = import_string(REFRESH_TASK)
    task.enqueue(unit_ids=sorted(unit_ids), changed_from=since.isoformat())


def indicators_stale(*, unit_ids: Iterable[int], since: dt.date) -> None:
    on_commit_collect(key="indicators", unit_ids=unit_ids, since=since, run=_enqueue)
