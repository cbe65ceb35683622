"""The database task queue: heartbeats, prompt requeueing of a dead worker's task, retries
with backoff, and ``vnemis serve`` restarting a worker that dies."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskContext, task
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import timezone

from vnemis.core.management.commands.serve import WorkerSupervisor
from vnemis.core.models import QueuedTask
from vnemis.core.taskqueue import (
    Heartbeat,
    QueueSettings,
    claim_next,
    requeue_stale,
    run_one,
    task_alive,
    using_settings,
)

JOBS = Path(tempfile.mkdtemp(prefix="vnemis-queue-"))
RAN: list[str] = []


@task
def record_task(*, value: str) -> None:
    RAN.append(value)


@task
def failing_task(*, value: str) -> None:
    raise RuntimeError(f"refused {value}")


@task
def interrupted_task() -> None:
    raise KeyboardInterrupt


@task(takes_context=True)
def slow_first_task(context: TaskContext[..., None], *, marker: str) -> None:
    """Sleeps on its first attempt (to be killed there), finishes on the next."""
    folder = Path(marker)
    if context.attempt == 1:
        (folder / "started").write_text(str(os.getpid()))
        time.sleep(120)
    (folder / "done").write_text(str(context.attempt))


def _running(
    *, beat_age: float, worker: str = "gone:1", attempts: int = 1, value: str = "x"
) -> QueuedTask:
    """A task RUNNING for ``worker``, whose last heartbeat is ``beat_age`` seconds old."""
    now = timezone.now()
    return QueuedTask.objects.create(
        id=f"t{QueuedTask.objects.count()}-{value}",
        task_path="vnemis.core.tests.test_taskqueue.record_task",
        kwargs={"value": value},
        status="RUNNING",
        started_at=now - dt.timedelta(seconds=beat_age + 60),
        heartbeat_at=now - dt.timedelta(seconds=beat_age),
        worker_id=worker,
        attempts=attempts,
        worker_ids=[worker] * attempts,
    )


def _worker(*options: str) -> str:
    out = io.StringIO()
    call_command("worker", "--once", "--memory-limit", "0", *options, stdout=out)
    return out.getvalue()


@override_settings(VNEMIS_JOBS_DIR=JOBS)
class RequeueTests(TestCase):
    def setUp(self) -> None:
        RAN.clear()

    def test_a_task_whose_heartbeat_stopped_is_put_back_and_run_by_another_worker(self) -> None:
        """A RUNNING task silent for 2 minutes (its worker is dead) is put back and run by the
        next worker's poll, not an hour later; a task with a recent heartbeat is left alone."""
        dead = _running(beat_age=120, value="dead")
        alive = _running(beat_age=5, worker="alive:7", value="alive")
        out = _worker("--retry-delay", "0")
        dead.refresh_from_db()
        alive.refresh_from_db()
        self.assertEqual(RAN, ["dead"])
        self.assertEqual((dead.status, dead.attempts, len(dead.worker_ids)), ("SUCCESSFUL", 2, 2))
        self.assertEqual(dead.worker_ids[0], "gone:1")
        self.assertEqual((alive.status, alive.worker_id), ("RUNNING", "alive:7"))
        self.assertIn("Put back 1 task(s)", out)

    def test_a_heartbeat_file_keeps_a_task_whose_row_cannot_be_written(self) -> None:
        """On SQLite an import holds the write lock: its row's heartbeat goes stale, but the
        file beside the database is fresh, and the task is not taken from its worker."""
        row = _running(beat_age=300, worker="busy:3")
        beat = JOBS / "heartbeats" / row.pk
        beat.parent.mkdir(parents=True, exist_ok=True)
        beat.touch()
        self.assertEqual(requeue_stale(), 0)
        self.assertTrue(task_alive(row))
        os.utime(beat, (time.time() - 300, time.time() - 300))
        self.assertFalse(task_alive(row))
        self.assertEqual(requeue_stale(), 1)
        row.refresh_from_db()
        self.assertEqual((row.status, row.worker_id), ("READY", ""))
        self.assertFalse(beat.exists())

    def test_a_task_that_kills_its_worker_every_time_ends_failed(self) -> None:
        """After its last attempt dies with its worker, the task is FAILED, not run again."""
        row = _running(beat_age=120, attempts=3)
        with using_settings(QueueSettings(max_attempts=3)):
            self.assertEqual(requeue_stale(), 1)
        row.refresh_from_db()
        self.assertEqual(row.status, "FAILED")
        self.assertIn("gone:1 stopped", row.error)
        self.assertIsNotNone(row.finished_at)


@override_settings(VNEMIS_JOBS_DIR=JOBS)
class RetryTests(TestCase):
    def test_a_failing_task_is_retried_with_doubling_delays_then_failed(self) -> None:
        """Attempts are counted; each retry waits twice as long; the third failure is final."""
        failing_task.using(backend="database").enqueue(value="a")
        delays = []
        with using_settings(QueueSettings(max_attempts=3, retry_delay=10)):
            for _attempt in range(3):
                QueuedTask.objects.update(run_after=None)
                row = claim_next(worker_id="w:1")
                assert row is not None
                before = timezone.now()
                status = run_one(row)
                row.refresh_from_db()
                if row.run_after and status == "READY":
                    delays.append(round((row.run_after - before).total_seconds()))
        self.assertEqual(delays, [10, 20])
        assert row is not None
        self.assertEqual((row.status, row.attempts), ("FAILED", 3))
        self.assertIn("RuntimeError: refused a", row.error)
        self.assertIsNone(claim_next(worker_id="w:1"))

    def test_a_task_interrupted_by_stopping_the_worker_goes_back_uncounted(self) -> None:
        """Ctrl-C or SIGTERM in the middle of a task: it is READY again at once, and the
        interrupted run is not counted as an attempt."""
        interrupted_task.using(backend="database").enqueue()
        row = claim_next(worker_id="w:1")
        assert row is not None
        with self.assertRaises(KeyboardInterrupt):
            run_one(row)
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts, row.worker_ids), ("READY", 0, []))

    def test_a_task_not_ready_yet_is_not_claimed(self) -> None:
        """A retry waits for its run_after."""
        failing_task.using(backend="database").enqueue(value="b")
        QueuedTask.objects.update(run_after=timezone.now() + dt.timedelta(seconds=30))
        self.assertIsNone(claim_next(worker_id="w:1"))


class HeartbeatTests(SimpleTestCase):
    def test_the_heartbeat_thread_beats_while_the_block_runs_and_stops_after(self) -> None:
        """Every ``every`` seconds the file is touched and a beat written; the thread ends
        with the block and the file is removed."""
        row = QueuedTask(id="beat1", worker_id="w:1", status="RUNNING")
        with (
            override_settings(VNEMIS_JOBS_DIR=JOBS),
            mock.patch.object(Heartbeat, "beat") as beat,
            Heartbeat(row, every=0.05) as heart,
        ):
            self.assertTrue(heart.path.exists())
            time.sleep(0.5)
            self.assertGreaterEqual(beat.call_count, 4)
        self.assertFalse(heart.thread.is_alive())
        self.assertFalse(heart.path.exists())
        calls = beat.call_count
        time.sleep(0.15)
        self.assertEqual(beat.call_count, calls)


@override_settings(VNEMIS_JOBS_DIR=JOBS)
class HeartbeatWriteTests(TestCase):
    def test_a_beat_writes_the_rows_heartbeat_only_while_this_worker_holds_it(self) -> None:
        """The beat refreshes heartbeat_at of the worker's own running task, not of a task
        another worker has taken over."""
        row = _running(beat_age=100, worker="w:1")
        Heartbeat(row, every=1).beat()
        row.refresh_from_db()
        assert row.heartbeat_at is not None
        self.assertLess((timezone.now() - row.heartbeat_at).total_seconds(), 5)
        QueuedTask.objects.filter(pk=row.pk).update(
            worker_id="w:2", heartbeat_at=timezone.now() - dt.timedelta(seconds=100)
        )
        Heartbeat(row, every=1).beat()
        row.refresh_from_db()
        self.assertGreater((timezone.now() - row.heartbeat_at).total_seconds(), 90)


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="runs on its own SQLite file, once per suite"
)
class KilledWorkerProcessTests(SimpleTestCase):
    """Real processes on a SQLite file of their own (the test database is in memory)."""

    def test_a_worker_killed_mid_task_is_replaced_by_another_within_a_minute(self) -> None:
        """`vnemis worker` is SIGKILLed inside a task; a second worker, started at once,
        puts the task back when its heartbeat goes stale and runs it to the end."""
        folder = Path(tempfile.mkdtemp(prefix="vnemis-killed-"))
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="config.settings",
            VNEMIS_DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
            VNEMIS_VAR_DIR=str(folder),
            VNEMIS_TASKS="database",
        )
        cli = [sys.executable, "-m", "vnemis.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=300)
        enqueue = (
            "from vnemis.core.tests.test_taskqueue import slow_first_task; "
            f"slow_first_task.enqueue(marker={str(folder)!r})"
        )
        subprocess.run([*cli, "shell", "-c", enqueue], env=env, check=True, timeout=120)
        worker = [*cli, "worker", "--heartbeat", "0.2", "--stale-after", "2"]
        worker += ["--retry-delay", "0", "--sleep", "0.1"]
        first = subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL)
        try:
            self._wait_for(folder / "started", 60)
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
            killed = time.monotonic()
            second = subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL)
            try:
                self._wait_for(folder / "done", 60)
                self.assertLess(time.monotonic() - killed, 60)
            finally:
                second.terminate()
                second.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        self.assertEqual((folder / "done").read_text(), "2")
        with sqlite3.connect(folder / "db.sqlite3") as db:
            status, attempts = db.execute("SELECT status, attempts FROM core_queuedtask").fetchone()
        self.assertEqual((status, attempts), ("SUCCESSFUL", 2))

    def _wait_for(self, path: Path, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not path.exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"{path.name} not written within {seconds} s")
            time.sleep(0.05)


class MemoryLimitTests(SimpleTestCase):
    def test_the_workers_memory_cap_turns_a_runaway_allocation_into_memory_error(self) -> None:
        """Under `vnemis worker`'s cap, allocating past it raises MemoryError (which fails
        the task's job) instead of growing until the kernel kills the worker; the cap is
        lifted afterwards."""
        script = (
            "import os, resource, django\n"
            "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
            "django.setup()\n"
            "from vnemis.core.management.commands.worker import memory_limit\n"
            "before = resource.getrlimit(resource.RLIMIT_AS)\n"
            "with memory_limit(400):\n"
            "    try:\n"
            "        block = bytearray(800 * 2**20)\n"
            "        print('allocated')\n"
            "    except MemoryError:\n"
            "        print('refused')\n"
            "print(resource.getrlimit(resource.RLIMIT_AS) == before)\n"
        )
        child = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
        )
        self.assertEqual(child.stdout.split(), ["refused", "True"], child.stderr[-2000:])


class SupervisorTests(SimpleTestCase):
    def _supervise(
        self, code: str, lines: list[str], **options: Any
    ) -> tuple[WorkerSupervisor, threading.Thread]:
        supervisor = WorkerSupervisor([sys.executable, "-c", code], log=lines.append, **options)
        thread = threading.Thread(target=supervisor.run, daemon=True)
        thread.start()
        return supervisor, thread

    def test_a_worker_that_dies_is_restarted_with_growing_delays(self) -> None:
        """A child that exits is started again, each restart logged, the delay doubling up
        to its cap; stop ends the loop."""
        lines: list[str] = []
        supervisor, thread = self._supervise(
            "import sys; sys.exit(3)", lines, min_delay=0.05, max_delay=0.1
        )
        deadline = time.monotonic() + 30
        while supervisor.restarts < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        supervisor.stop(timeout=5)
        thread.join(timeout=10)
        self.assertFalse(thread.is_alive())
        restarts = [line for line in lines if "restart" in line]
        self.assertGreaterEqual(len(restarts), 3)
        self.assertIn("exit code 3; restart 1 in 0.05 s", restarts[0])
        self.assertIn("restart 2 in 0.1 s", restarts[1])
        self.assertIn("restart 3 in 0.1 s", restarts[2])
        # Stopped during the wait after its last restart was announced, or after it began.
        started = sum("Job worker started" in line for line in lines)
        self.assertIn(started, {supervisor.restarts, supervisor.restarts + 1})

    def test_stop_ends_a_running_worker_and_does_not_restart_it(self) -> None:
        """SIGTERM/Ctrl-C of `vnemis serve`: the worker is terminated and not restarted."""
        supervisor, thread = self._supervise("import time; time.sleep(120)", [])
        deadline = time.monotonic() + 30
        while supervisor.child is None and time.monotonic() < deadline:
            time.sleep(0.02)
        child = supervisor.child
        assert child is not None
        supervisor.stop(timeout=10)
        thread.join(timeout=10)
        self.assertFalse(thread.is_alive())
        self.assertEqual(child.returncode, -signal.SIGTERM)
        self.assertEqual(supervisor.restarts, 0)
