"""The import pipeline's entry points: keep a file, create its job and queue it after commit
(``import_upload``, ``import_job_commit``), cancel a job, and export the records of a kind in
its template's layout. Running a job is ``pipeline``'s."""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_event, audit_record
from vnemis.core.choices import AuditVerb
from vnemis.core.models import QueuedTask
from vnemis.core.taskqueue import queue_settings, task_alive
from vnemis.core.xlsx import safe_cell, xlsx_bytes
from vnemis.imports.choices import JobStatus
from vnemis.imports.formats import FORMATS
from vnemis.imports.models import ImportFile, ImportJob
from vnemis.imports.pipeline import (
    JobProgress,
    ProgressCallback,
    import_job_abandon,
    import_job_run,
)
from vnemis.imports.tasks import import_job_run_task
from vnemis.organisations.models import OrgUnit

__all__ = [
    "IMPORT_TASK",
    "JobProgress",
    "ProgressCallback",
    "import_file_store",
    "import_job_abandon",
    "import_job_cancel",
    "import_job_commit",
    "import_job_create",
    "import_job_run",
    "import_upload",
    "records_export",
]

# The task that runs import jobs, by its path (as the queue stores it).
IMPORT_TASK = "vnemis.imports.tasks.import_job_run_task"


@transaction.atomic
def import_file_store(*, path: Path, name: str, by: User | None) -> ImportFile:
    """Keep the file as received, with its checksum, before anything reads it."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    stored = ImportFile(
        original_name=name[:255],
        size=path.stat().st_size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    with path.open("rb") as fh:
        stored.file.save(Path(name).name or "import", File(fh), save=False)
    stored.save()
    audit_record(
        actor=by,
        verb=AuditVerb.CREATED,
        target=stored,
        after={"sha256": stored.sha256, "size": stored.size},
    )
    return stored


def import_job_create(
    *,
    source: ImportFile,
    kind: str,
    by: User | None,
    dry_run: bool = True,
    partial: bool = False,
    scope_unit: OrgUnit | None = None,
) -> ImportJob:
    if kind not in FORMATS:
        raise ValidationError({"kind": _("Unknown import kind {kind}.").format(kind=kind)})
    job = ImportJob.objects.create(
        source=source,
        kind=kind,
        dry_run=dry_run,
        partial=partial,
        scope_unit=scope_unit,
        created_by=by,
    )
    audit_record(actor=by, verb=AuditVerb.CREATED, target=job)
    return job


@transaction.atomic
def import_upload(
    *,
    path: Path,
    name: str,
    kind: str,
    into: OrgUnit,
    by: User,
    dry_run: bool = True,
    partial: bool = False,
) -> ImportJob:
    """Keep an uploaded file, create its job importing into ``into`` and queue the job.

    The job is queued when the transaction commits, so a worker never picks up a job whose
    file or row is not yet stored, nor one that was rolled back.
    """
    source = import_file_store(path=path, name=name, by=by)
    job = import_job_create(
        source=source, kind=kind, by=by, dry_run=dry_run, partial=partial, scope_unit=into
    )
    _enqueue(job=job, by=by)
    return job


@transaction.atomic
def import_job_commit(*, job: ImportJob, by: User, partial: bool = False) -> ImportJob:
    """After a dry run: a new job that runs the same file again, this time writing; queued
    when the transaction commits."""
    again = import_job_create(
        source=job.source,
        kind=job.kind,
        by=by,
        dry_run=False,
        partial=partial,
        scope_unit=job.scope_unit,
    )
    _enqueue(job=again, by=by)
    return again


def _enqueue(*, job: ImportJob, by: User) -> None:
    # partial, not a lambda: the job id travels as JSON, read when the worker starts.
    transaction.on_commit(partial(import_job_run_task.enqueue, job_id=job.pk, user_id=by.pk))


def _run_alive(job: ImportJob) -> bool:
    """Whether something is still running the job: the queue's task for it has a recent
    heartbeat or, for jobs run by another task backend, the run wrote progress recently."""
    row = (
        QueuedTask.objects.filter(task_path=IMPORT_TASK, kwargs__job_id=job.pk)
        .order_by("-enqueued_at")
        .first()
    )
    if row is not None:
        return task_alive(row)
    stale_after = queue_settings().stale_after
    try:
        last = JobProgress(job.pk).path.stat().st_mtime
    except OSError:
        last = job.started_at.timestamp() if job.started_at else 0.0
    return time.time() - last < stale_after


def import_job_cancel(*, job: ImportJob, by: User | None) -> ImportJob:
    """Stop a job: a queued one at once; a running one at its next check (all undone), or
    at once if its worker is gone (the run died with its transaction: nothing was kept)."""
    updated = ImportJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.CANCELLED,
        message=_("Cancelled before it started."),
        finished_at=timezone.now(),
    )
    note = "cancel requested"
    job.refresh_from_db()
    if not updated and job.status == JobStatus.RUNNING:
        # Asked in any case: a run that is alive after all stops at its next check.
        JobProgress(job.pk).request_cancel()
        if not _run_alive(job):
            ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.CANCELLED,
                message=_("Cancelled: the worker running it had stopped; nothing was written."),
                finished_at=timezone.now(),
            )
            note = "cancelled: its worker had stopped"
    audit_record(actor=by, verb=AuditVerb.UPDATED, target=job, note=note)
    job.refresh_from_db()
    return job


def records_export(
    *, kind: str, scope_paths: tuple[str, ...] | None, by: User | None, csv_format: bool = False
) -> bytes:
    """The records of ``kind`` in scope in the import template's layout (XLSX, or CSV in
    UTF-8 with a BOM so Excel opens it right): edited and imported again, unchanged rows stay
    unchanged. The export is audited, as it carries personal data."""
    if kind not in FORMATS:
        raise ValidationError({"kind": _("Unknown import kind {kind}.").format(kind=kind)})
    fmt = FORMATS[kind](by=by, scope_paths=scope_paths, day=timezone.localdate())
    headers = [column.header for column in fmt.columns]
    count = 0

    def counted(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    if csv_format:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows([safe_cell(v) for v in row] for row in counted(fmt.export_rows()))
        content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    else:
        content = xlsx_bytes(sheet="Dữ liệu", headers=headers, rows=counted(fmt.export_rows()))
    audit_event(
        actor=by,
        verb=AuditVerb.EXPORTED,
        target_type=f"imports.{kind}",
        target_repr=f"{count} × {kind}",
        after={"count": count, "scope": list(scope_paths) if scope_paths else None},
    )
    return content
