"""Imports as queued jobs: the worker runs them, cancel undoes them, and a worker killed
with SIGKILL in the middle leaves nothing written; the job then re-runs to the same end."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings

from vnemis.core.models import QueuedTask
from vnemis.core.taskqueue import requeue_stale
from vnemis.imports import services
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
        self.assertGreaterEqual(progress.read().get("processed", 0), 5000)
        job.refresh_from_db()
        self.assertEqual(job.status, "running")  # the killed run wrote nothing else
        self.assertEqual(Student.objects.count(), before)  # no partial batch
        self.assertEqual(requeue_stale(older_than=dt.timedelta(0)), 1)
        call_command("worker", "--once", stdout=open(os.devnull, "w"))  # noqa: SIM115
        job.refresh_from_db()
        self.assertEqual((job.status, job.created, job.written), ("done", 30_000, True))
        self.assertEqual(Student.objects.count(), before + 30_000)
        assert settings.VNEMIS_JOBS_DIR
