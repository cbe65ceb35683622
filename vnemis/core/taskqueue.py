"""A database-backed backend for Django's tasks API, and the worker loop that runs it.

``enqueue`` stores a row; ``vnemis worker`` claims ready rows one at a time (an UPDATE that
only one worker can win, so several workers may run side by side) and runs the task.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback
from typing import Any

from django.db import transaction
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import Task, TaskResult, TaskResultStatus
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from vnemis.core.models import QueuedTask

logger = logging.getLogger(__name__)


def _result(row: QueuedTask, task: Task[Any, Any]) -> TaskResult[Any, Any]:
    return TaskResult(
        task=task,
        id=row.id,
        status=TaskResultStatus(row.status),
        enqueued_at=row.enqueued_at,
        started_at=row.started_at,
        last_attempted_at=row.started_at,
        finished_at=row.finished_at,
        args=row.args,
        kwargs=row.kwargs,
        backend="default",
        errors=[],
        worker_ids=[row.worker_id] if row.worker_id else [],
    )


class DatabaseBackend(BaseTaskBackend):
    supports_defer = True
    supports_priority = True

    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any, Any]:
        self.validate_task(task)
        row = QueuedTask.objects.create(
            id=get_random_string(32),
            task_path=task.module_path,
            queue_name=task.queue_name,
            priority=task.priority,
            args=list(args),
            kwargs=dict(kwargs),
            run_after=task.run_after,
            status=TaskResultStatus.READY,
        )
        return _result(row, task)

    def get_result(self, result_id: str) -> TaskResult[Any, Any]:
        row = QueuedTask.objects.get(pk=result_id)
        return _result(row, import_string(row.task_path))


def claim_next(*, worker_id: str) -> QueuedTask | None:
    """Take the next ready task; the conditional UPDATE lets exactly one worker win it."""
    now = timezone.now()
    for candidate in (
        QueuedTask.objects.filter(status=TaskResultStatus.READY)
        .exclude(run_after__gt=now)
        .order_by("-priority", "enqueued_at")[:5]
    ):
        won = QueuedTask.objects.filter(pk=candidate.pk, status=TaskResultStatus.READY).update(
            status=TaskResultStatus.RUNNING,
            started_at=now,
            worker_id=worker_id,
            attempts=candidate.attempts + 1,
        )
        if won:
            return QueuedTask.objects.get(pk=candidate.pk)
    return None


def run_one(row: QueuedTask) -> None:
    try:
        task = import_string(row.task_path)
        task.call(*row.args, **row.kwargs)
    except Exception:  # the worker survives any task failure and records it
        logger.exception("task %s failed", row.pk)
        QueuedTask.objects.filter(pk=row.pk).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            error=traceback.format_exc()[-4000:],
        )
        return
    QueuedTask.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now()
    )


def requeue_stale(*, older_than: dt.timedelta) -> int:
    """Put back tasks left RUNNING by a worker that died (killed, machine restarted)."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        return QueuedTask.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        ).update(status=TaskResultStatus.READY, worker_id="")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
