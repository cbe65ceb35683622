"""Background jobs of the indicator engine."""

from __future__ import annotations

from django.tasks import task

from vnemis.core.models import QueuedTask
from vnemis.indicators import services


@task
def stale_units_refresh_task() -> None:
    """Recount the units whose records changed (their ``StaleUnit`` marks), and start again
    while marks are left.

    Idempotent: it recounts the units' own records and moves the stored values by the
    difference, so running it twice changes nothing the second time. When it fails, the marks
    stay and the queue retries it.
    """
    if services.stale_units_refresh():
        stale_units_refresh_enqueue()


def stale_units_refresh_enqueue() -> None:
    """Start the recount unless one is already waiting to run (a waiting run takes every mark,
    those written since it was enqueued included). Registered with ``organisations.stale`` in
    ``IndicatorsConfig.ready``: called after each commit that marked units."""
    waiting = QueuedTask.objects.filter(
        task_path=stale_units_refresh_task.module_path, status="READY"
    )
    if not waiting.exists():
        stale_units_refresh_task.enqueue()
