"""A database-backed backend for Django's tasks API, and the worker loop that runs it.

``enqueue`` stores a row; ``vnemis worker`` claims ready rows one at a time (an UPDATE that
only one worker can win, so several workers may run side by side) and runs the task.

A worker can die in the middle of a task: killed, out of memory, its machine restarted. While
a task runs, a background thread refreshes its heartbeat every few seconds, in the row and in a
file beside the database: on SQLite a long import holds the only write lock until it commits,
so the row cannot be updated meanwhile, but the file always can. Every worker, at each poll,
puts back a running task whose heartbeat is older than ``stale_after``, so a task whose worker
died runs again within about a minute. A task that raises, or whose worker died, is retried
after a delay that doubles with each attempt; after ``max_attempts`` it is FAILED. A task that
wants to treat its last attempt differently (an import that keeps killing its worker) takes
the context (``@task(takes_context=True)``) and compares ``context.attempt`` with
``queue_settings().max_attempts``. ADR 0005 says why the queue is home-made.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, connections
from django.db.models import F, Q
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import Task, TaskContext, TaskResult, TaskResultStatus
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from vnemis.core.models import QueuedTask

logger = logging.getLogger(__name__)

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
SUCCESSFUL, FAILED = TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED


@dataclass(frozen=True)
class QueueSettings:
    """How the worker keeps tasks alive and retries them (all durations in seconds)."""

    heartbeat: float = 5.0  # between two heartbeats of a running task
    stale_after: float = 45.0  # a running task silent this long is put back
    max_attempts: int = 3  # runs begun, retries included; then the task is FAILED
    retry_delay: float = 10.0  # before the second run; doubled before each next one
    retry_delay_max: float = 3600.0

    def backoff(self, attempts: int) -> dt.timedelta:
        """The wait before the run after ``attempts`` runs that failed."""
        seconds = self.retry_delay * 2 ** max(attempts - 1, 0)
        return dt.timedelta(seconds=min(seconds, self.retry_delay_max))


_active: QueueSettings | None = None


def queue_settings() -> QueueSettings:
    """The worker's settings: its command-line options while it runs, else Django settings
    (``VNEMIS_TASK_HEARTBEAT``, ``VNEMIS_TASK_STALE_AFTER``, ``VNEMIS_TASK_MAX_ATTEMPTS``,
    ``VNEMIS_TASK_RETRY_DELAY``)."""
    if _active is not None:
        return _active
    default = QueueSettings()
    return QueueSettings(
        heartbeat=float(getattr(settings, "VNEMIS_TASK_HEARTBEAT", default.heartbeat)),
        stale_after=float(getattr(settings, "VNEMIS_TASK_STALE_AFTER", default.stale_after)),
        max_attempts=int(getattr(settings, "VNEMIS_TASK_MAX_ATTEMPTS", default.max_attempts)),
        retry_delay=float(getattr(settings, "VNEMIS_TASK_RETRY_DELAY", default.retry_delay)),
    )


@contextmanager
def using_settings(active: QueueSettings) -> Iterator[QueueSettings]:
    """Run with these settings (the worker's options), so tasks see the same limits."""
    global _active
    previous, _active = _active, active
    try:
        yield active
    finally:
        _active = previous


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
        # One id per run begun: TaskContext.attempt is the length of this list.
        worker_ids=list(row.worker_ids),
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
            status=READY,
        )
        return _result(row, task)

    def get_result(self, result_id: str) -> TaskResult[Any, Any]:
        row = QueuedTask.objects.get(pk=result_id)
        return _result(row, import_string(row.task_path))


def _beat_path(task_id: str) -> Path:
    # Task ids are 32 letters and digits (get_random_string), safe as a file name.
    return Path(settings.VNEMIS_JOBS_DIR) / "heartbeats" / task_id


def _beat_file_after(task_id: str, cutoff: dt.datetime) -> bool:
    """Whether the task's heartbeat file was touched after ``cutoff``."""
    try:
        return _beat_path(task_id).stat().st_mtime > cutoff.timestamp()
    except OSError:
        return False


def claim_next(*, worker_id: str) -> QueuedTask | None:
    """Take the next ready task; the conditional UPDATE lets exactly one worker win it."""
    now = timezone.now()
    for candidate in (
        QueuedTask.objects.filter(status=READY)
        .exclude(run_after__gt=now)
        .order_by("-priority", "enqueued_at")[:5]
    ):
        won = QueuedTask.objects.filter(
            pk=candidate.pk, status=READY, attempts=candidate.attempts
        ).update(
            status=RUNNING,
            started_at=now,
            heartbeat_at=now,
            worker_id=worker_id,
            attempts=candidate.attempts + 1,
            worker_ids=[*candidate.worker_ids, worker_id],
        )
        if won:
            return QueuedTask.objects.get(pk=candidate.pk)
    return None


class Heartbeat:
    """While the block runs, a thread refreshes the task's heartbeat every ``every`` seconds:
    the file first (always writable), then the row (may wait for SQLite's write lock)."""

    def __init__(self, row: QueuedTask, *, every: float) -> None:
        self.row, self.every = row, every
        self.path = _beat_path(row.pk)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat-{row.pk}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.touch()
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopped.set()
        self.thread.join()
        with suppress(OSError):
            self.path.unlink()

    def touch(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()
        except OSError:
            logger.warning("heartbeat file %s not written", self.path, exc_info=True)

    def _run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                self.touch()
                self.beat()
        finally:
            connections.close_all()  # this thread's own connections

    def beat(self) -> None:
        try:
            if connection.vendor == "sqlite" and connection.connection is None:
                connection.ensure_connection()
                # Not the 20 s of the main connections: a beat blocked by an import's write
                # lock gives up quickly, and the file stands in for it.
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA busy_timeout = {int(min(self.every, 2) * 1000)}")
            QueuedTask.objects.filter(
                pk=self.row.pk, status=RUNNING, worker_id=self.row.worker_id
            ).update(heartbeat_at=timezone.now())
        except DatabaseError as exc:
            logger.info("heartbeat of task %s not written: %s", self.row.pk, exc)


def _fail_or_retry(row: QueuedTask, *, error: str, active: QueueSettings) -> tuple[str, bool]:
    """Put the task back for a later attempt, or fail it after the last: the new status, and
    whether this worker still held the task (another may have put it back meanwhile)."""
    mine = QueuedTask.objects.filter(pk=row.pk, status=RUNNING, worker_id=row.worker_id)
    now = timezone.now()
    if row.attempts >= active.max_attempts:
        return FAILED, bool(mine.update(status=FAILED, finished_at=now, error=error[-4000:]))
    held = mine.update(
        status=READY,
        worker_id="",
        heartbeat_at=None,
        run_after=now + active.backoff(row.attempts),
        error=error[-4000:],
    )
    return READY, bool(held)


def run_one(row: QueuedTask) -> str:
    """Run a claimed task with its heartbeat; record the outcome. Returns the new status."""
    active = queue_settings()
    mine = QueuedTask.objects.filter(pk=row.pk, status=RUNNING, worker_id=row.worker_id)
    try:
        task = import_string(row.task_path)
        with Heartbeat(row, every=active.heartbeat):
            if task.takes_context:
                task.call(TaskContext(task_result=_result(row, task)), *row.args, **row.kwargs)
            else:
                task.call(*row.args, **row.kwargs)
    except (KeyboardInterrupt, SystemExit):
        # The worker is being stopped, not failed by the task: the run is not counted.
        mine.update(
            status=READY,
            worker_id="",
            heartbeat_at=None,
            attempts=F("attempts") - 1,
            worker_ids=row.worker_ids[:-1],
        )
        raise
    except Exception:  # the worker survives any task failure and records it
        logger.exception("task %s failed (attempt %s)", row.pk, row.attempts)
        return _fail_or_retry(row, error=traceback.format_exc(), active=active)[0]
    mine.update(status=SUCCESSFUL, finished_at=timezone.now(), error="")
    return SUCCESSFUL


def requeue_stale(*, older_than: dt.timedelta | None = None) -> int:
    """Put back tasks left RUNNING by a worker that died: no heartbeat, in the row or in its
    file, for ``older_than`` (the settings' ``stale_after`` by default). A task that has had
    all its attempts is FAILED instead. Returns how many tasks were put back or failed."""
    active = queue_settings()
    now = timezone.now()
    if older_than is None:
        older_than = dt.timedelta(seconds=active.stale_after)
    cutoff = now - older_than
    silent = QueuedTask.objects.filter(status=RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    count = 0
    for row in silent:
        if _beat_file_after(row.pk, cutoff):
            continue  # alive: its row is only waiting for a write lock
        error = f"The worker {row.worker_id} stopped while running it (attempt {row.attempts})."
        logger.warning("task %s: %s", row.pk, error)
        count += _fail_or_retry(row, error=error, active=active)[1]
        with suppress(OSError):
            _beat_path(row.pk).unlink()
    return count


def task_alive(row: QueuedTask) -> bool:
    """Whether a worker is running this task now: it is RUNNING and its heartbeat recent."""
    if row.status != RUNNING:
        return False
    cutoff = timezone.now() - dt.timedelta(seconds=queue_settings().stale_after)
    beat = row.heartbeat_at or row.started_at
    return (beat is not None and beat >= cutoff) or _beat_file_after(row.pk, cutoff)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def work(
    *,
    worker_id: str,
    once: bool = False,
    poll: float = 1.0,
    log: Callable[[str], None] = logger.info,
) -> int:
    """Claim and run tasks until the process is stopped or, with ``once``, until none is
    ready. Between tasks, and every heartbeat while idle, tasks of dead workers are put back.
    A database that cannot be reached (or is locked by an import) is waited for. Returns the
    number of tasks run."""
    active = queue_settings()
    ran = 0
    checked = -float("inf")
    while True:
        if not connection.in_atomic_block:
            # Connections past their age or broken by an outage are dropped and reopened.
            close_old_connections()
        try:
            if time.monotonic() - checked >= active.heartbeat:
                checked = time.monotonic()
                requeued = requeue_stale()
                if requeued:
                    log(f"Put back {requeued} task(s) whose worker had stopped.")
            row = claim_next(worker_id=worker_id)
        except DatabaseError as exc:
            if once:
                raise
            log(f"The database is not available ({exc}); trying again.")
            time.sleep(poll)
            continue
        if row is None:
            if once:
                return ran
            time.sleep(poll)
            continue
        log(f"Running {row.task_path} ({row.pk}), attempt {row.attempts}.")
        status = run_one(row)
        log(f"Task {row.pk}: {status}.")
        ran += 1
