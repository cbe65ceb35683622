"""Imports as queued jobs: the worker runs them, cancel undoes them (or ends at once a job
whose worker is gone), and a worker killed with SIGKILL in the middle leaves nothing written;
another worker then re-runs the job to the same end. A job that keeps killing its worker ends
failed. The format's plausibility warnings are kept on the job and shown on its page."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from vnemis.core.models import QueuedTask
from vnemis.imports import services
from vnemis.imports.formats.students import StudentFormat
from vnemis.imports.models import ImportJob
from vnemis.imports.tasks import import_job_run_task
from vnemis.organisations.models import OrgUnit
from vnemis.people.models import Student
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.world import build_world

TMP = tempfile.mkdtemp(prefix="vnemis-jobs-")
HEADER = "Họ và tên,Ngày sinh,Giới tính,Mã trường,Khối,Lớp\n"


def _csv(rows: int) -> Path:
    path = Path(tempfile.mkdtemp()) / "lon.csv"
    lines = [f"Vàng Seo Páo{i},02/05/2013,Nam,10082001,3,3A" for i in range(rows)]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _queue(path: Path, scope: OrgUnit) -> ImportJob:
    source = services.import_file_store(path=path, name=path.name, by=None)
    job = services.import_job_create(
        source=source, kind="students", by=None, dry_run=False, scope_unit=scope
    )
    import_job_run_task.using(backend="database").enqueue(job_id=job.pk, user_id=None)
    return job


@override_settings(MEDIA_ROOT=TMP, VNEMIS_JOBS_DIR=Path(TMP) / "jobs")
class WorkerTests(PersonaTestCase):
    def test_worker_runs_queued_jobs(self) -> None:
        job = _queue(_csv(3), self.world.batxat)
        self.assertEqual(QueuedTask.objects.get().status, "READY")
        call_command("worker", "--once", stdout=open(os.devnull, "w"))  # noqa: SIM115
        job.refresh_from_db()
        self.assertEqual((job.status, job.created, job.written), ("done", 3, True))
        self.assertEqual(QueuedTask.objects.get().status, "SUCCESSFUL")

    def test_cancel_a_queued_and_a_running_job(self) -> None:
        job = _queue(_csv(3), self.world.batxat)
        services.import_job_cancel(job=job, by=None)
        call_command("worker", "--once", stdout=open(os.devnull, "w"))  # noqa: SIM115
        job.refresh_from_db()
        self.assertEqual((job.status, job.written), ("cancelled", False))
        running = _queue(_csv(500), self.world.batxat)
        services.JobProgress(running.pk).request_cancel()
        call_command("worker", "--once", stdout=open(os.devnull, "w"))  # noqa: SIM115
        running.refresh_from_db()
        self.assertEqual(running.status, "cancelled")
        self.assertFalse(Student.objects.filter(person__given_name__regex=r"^Páo\d").exists())


def _claimed_by_dead_worker(job: ImportJob, *, attempts: int = 1) -> QueuedTask:
    """The job's task as a worker that died left it: RUNNING, no heartbeat for 5 minutes."""
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=long_ago)
    QueuedTask.objects.filter(kwargs__job_id=job.pk).update(
        status="RUNNING",
        started_at=long_ago,
        heartbeat_at=long_ago,
        worker_id="gone:1",
        attempts=attempts,
        worker_ids=["gone:1"] * attempts,
    )
    return QueuedTask.objects.get(kwargs__job_id=job.pk)


def _worker() -> None:
    call_command(
        "worker", "--once", "--retry-delay", "0", "--memory-limit", "0", stdout=io.StringIO()
    )


@override_settings(MEDIA_ROOT=TMP, VNEMIS_JOBS_DIR=Path(TMP) / "jobs")
class DeadWorkerTests(PersonaTestCase):
    def test_cancel_of_a_running_job_whose_worker_is_gone_is_immediate(self) -> None:
        """The job's worker stopped (no heartbeat): cancel ends the job at once; the task,
        put back later, finds it cancelled and writes nothing."""
        job = _queue(_csv(3), self.world.batxat)
        _claimed_by_dead_worker(job)
        services.import_job_cancel(job=job, by=None)
        job.refresh_from_db()
        self.assertEqual((job.status, job.written), ("cancelled", False))
        self.assertIsNotNone(job.finished_at)
        _worker()
        job.refresh_from_db()
        self.assertEqual(job.status, "cancelled")
        self.assertEqual(QueuedTask.objects.get().status, "SUCCESSFUL")
        self.assertFalse(Student.objects.filter(person__given_name__regex=r"^Páo\d").exists())

    def test_cancel_of_a_running_job_with_a_live_worker_waits_for_its_next_check(self) -> None:
        """A worker that still beats keeps the job running until it sees the request."""
        job = _queue(_csv(3), self.world.batxat)
        _claimed_by_dead_worker(job)
        QueuedTask.objects.update(heartbeat_at=timezone.now())
        services.import_job_cancel(job=job, by=None)
        self.addCleanup(services.JobProgress(job.pk).cancel_path.unlink, missing_ok=True)
        job.refresh_from_db()
        self.assertEqual(job.status, "running")
        self.assertTrue(services.JobProgress(job.pk).cancel_requested())

    def test_a_job_whose_task_killed_its_worker_twice_ends_failed(self) -> None:
        """The task comes back a third time (the queue's last attempt): the file is not run
        again; the job fails with a message saying it stopped the worker twice."""
        job = _queue(_csv(3), self.world.batxat)
        QueuedTask.objects.update(attempts=2, worker_ids=["gone:1", "gone:2"])
        ImportJob.objects.filter(pk=job.pk).update(status="running")
        _worker()
        job.refresh_from_db()
        self.assertEqual((job.status, job.written, job.created), ("failed", False, 0))
        self.assertIn("2", job.message)
        self.assertEqual(QueuedTask.objects.get().attempts, 3)
        self.assertFalse(Student.objects.filter(person__given_name__regex=r"^Páo\d").exists())

    def test_a_dead_workers_job_is_run_again_by_the_next_worker(self) -> None:
        """Its task is put back by the next worker's poll and the job runs to its end."""
        job = _queue(_csv(3), self.world.batxat)
        _claimed_by_dead_worker(job)
        _worker()
        job.refresh_from_db()
        self.assertEqual((job.status, job.created, job.written), ("done", 3, True))


@override_settings(MEDIA_ROOT=TMP, VNEMIS_JOBS_DIR=Path(TMP) / "jobs-warnings")
class WarningTests(PersonaTestCase):
    def test_the_formats_warnings_are_kept_on_a_dry_run_and_shown(self) -> None:
        """What the format's warnings() says after the rows is stored on the job, dry run
        included, and shown on the job's page in a warning box."""
        seen: list[int] = []

        def warnings(fmt: Any) -> list[str]:
            seen.append(fmt.job.pk)
            return ["Sĩ số lớp 3A sẽ vượt 35 học sinh."]

        path = _csv(3)
        source = services.import_file_store(path=path, name=path.name, by=None)
        job = services.import_job_create(
            source=source, kind="students", by=None, dry_run=True, scope_unit=self.world.batxat
        )
        with mock.patch.object(StudentFormat, "warnings", warnings, create=True):
            job = services.import_job_run(job=job, by=None)
        job.refresh_from_db()
        self.assertEqual((job.status, job.written, seen), ("done", False, [job.pk]))
        self.assertEqual(job.warnings, ["Sĩ số lớp 3A sẽ vượt 35 học sinh."])
        page = self.get_as("department_admin", reverse("imports:import_detail", args=[job.pk]))
        self.assertContains(page, 'class="error warning"')
        self.assertContains(page, "Sĩ số lớp 3A sẽ vượt 35 học sinh.")

    def test_no_warnings_no_box(self) -> None:
        """A format without warnings leaves the list empty and the page without the box."""
        path = _csv(2)
        source = services.import_file_store(path=path, name=path.name, by=None)
        job = services.import_job_create(
            source=source, kind="students", by=None, dry_run=True, scope_unit=self.world.batxat
        )
        job = services.import_job_run(job=job, by=None)
        self.assertEqual(job.warnings, [])
        page = self.get_as("department_admin", reverse("imports:import_detail", args=[job.pk]))
        self.assertNotContains(page, 'class="error warning"')


@pytest.mark.postgres
@override_settings(MEDIA_ROOT=Path(TMP) / "media", VNEMIS_JOBS_DIR=Path(TMP) / "jobs")
class KilledWorkerTests(TransactionTestCase):
    """On PostgreSQL: a second process (the worker) must reach the test database."""

    def test_sigkill_leaves_no_partial_batch_and_the_job_reruns(self) -> None:
        from vnemis.testing.world import ensure_reference_data

        ensure_reference_data()
        world = build_world()
        before = Student.objects.count()
        # Six batches of 5,000: the worker is killed once the first is through.
        job = _queue(_csv(30_000), world.batxat)
        db = connection.settings_dict
        url = (
            f"postgres://{db['USER']}@/{db['NAME']}?host={db['HOST']}"
            if str(db["HOST"]).startswith("/")
            else f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
        env = dict(
            os.environ,
            VNEMIS_DATABASE_URL=url,
            DATABASE_URL=url,
            VNEMIS_TASKS="database",
            VNEMIS_VAR_DIR=TMP,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "vnemis.cli", "worker", "--once"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        progress = services.JobProgress(job.pk)
        deadline = time.monotonic() + 120
        while progress.read().get("processed", 0) < 5000 and time.monotonic() < deadline:
            if worker.poll() is not None:
                raise AssertionError(worker.stderr.read().decode() if worker.stderr else "")
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        killed = time.monotonic()
        self.assertGreaterEqual(progress.read().get("processed", 0), 5000)
        job.refresh_from_db()
        self.assertEqual(job.status, "running")  # the killed run wrote nothing else
        self.assertEqual(Student.objects.count(), before)  # no partial batch
        # A second worker, started now, puts the task back once the heartbeat is stale.
        second = subprocess.Popen(
            [sys.executable, "-m", "vnemis.cli", "worker", "--stale-after", "3"]
            + ["--heartbeat", "0.5", "--retry-delay", "0", "--sleep", "0.2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 180
            while job.status == "running" and time.monotonic() < deadline:
                time.sleep(0.2)
                job.refresh_from_db()
            # Requeued within a minute of the kill (then the 30,000 rows take their time).
            task = QueuedTask.objects.get(task_path=services.IMPORT_TASK)
            self.assertEqual((task.attempts, task.status), (2, "SUCCESSFUL"))
            assert task.started_at is not None
        finally:
            second.terminate()
            second.wait(timeout=30)
        self.assertLess(time.monotonic() - killed, 180)
        self.assertEqual((job.status, job.created, job.written), ("done", 30_000, True))
        self.assertEqual(Student.objects.count(), before + 30_000)
        assert settings.VNEMIS_JOBS_DIR
