"""Running an import job: read the file as a stream, check every row, then write all of it or
nothing (or, with ``partial``, the valid rows), and keep an error report of the rejected rows.
Progress and cancel requests go through files beside the database (``JobProgress``)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record
from vnemis.core.bulk import copy_check, copy_in_background
from vnemis.core.choices import AuditVerb
from vnemis.core.xlsx import xlsx_bytes
from vnemis.imports.choices import JobStatus, RowOutcome
from vnemis.imports.formats import FORMATS
from vnemis.imports.formats.base import ImportFormat, RowError
from vnemis.imports.models import ImportJob
from vnemis.imports.readers import ReadError, iter_records, open_table

logger = logging.getLogger(__name__)

# Rejected rows listed on the job's page; the error report holds them all.
REJECTIONS_SHOWN = 20


class _Rollback(Exception):
    """Raised inside the transaction to undo everything (dry run, or rejected rows)."""


class _Cancelled(Exception):
    """The user asked to stop: the transaction is undone."""


class JobProgress:
    """Progress and the cancel request of a running job, in files beside the database.

    A running import holds its writes in one transaction; SQLite lets no other connection
    write meanwhile, so the page cannot read progress from the job's row. A small JSON file,
    replaced atomically, can be read by any process.
    """

    def __init__(self, job_id: int) -> None:
        self.folder = Path(settings.VNEMIS_JOBS_DIR)
        self.path = self.folder / f"import-{job_id}.json"
        self.cancel_path = self.folder / f"import-{job_id}.cancel"

    def write(self, **data: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.path)

    def read(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data

    def request_cancel(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cancel_path.touch()

    def cancel_requested(self) -> bool:
        return self.cancel_path.exists()


ProgressCallback = Callable[[int, int], None]


def import_job_run(
    *,
    job: ImportJob,
    by: User | None,
    day: dt.date | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportJob:
    """Run the job to the end; its counts, status and error report tell what happened.

    The file is read as a stream, so memory does not grow with its length. Formats that
    write in batches (``batch_size`` > 0) get their rows in groups; the others one row at a
    time, each in its own savepoint.
    """
    # A re-run (after a stopped worker) starts from zero: nothing of the earlier run was kept.
    # A job cancelled while it waited is not started (the update finds it cancelled).
    now = timezone.now()
    started = (
        ImportJob.objects.filter(pk=job.pk)
        .exclude(status=JobStatus.CANCELLED)
        .update(
            status=JobStatus.RUNNING,
            started_at=now,
            finished_at=None,
            written=False,
            processed=0,
            created=0,
            updated=0,
            unchanged=0,
            rejected=0,
            message="",
            warnings=[],
        )
    )
    job.refresh_from_db()
    if not started:
        return job
    fmt_class = FORMATS[job.kind]
    scope = (
        tuple(job.scope_unit.placements.values_list("path", flat=True)) if job.scope_unit else None
    )
    fmt = fmt_class(by=by, scope_paths=scope, day=day or timezone.localdate(), job=job)
    run = _Run(job=job, fmt=fmt, on_progress=on_progress)
    # Every way out ends the job: done, cancelled or failed with a message. None leaves it
    # "running" (a worker killed outright is the queue's to handle: see tasks.py).
    try:
        with open_table(Path(job.source.file.path), name=job.source.original_name) as table:
            columns = fmt.match_headers(table.headers)
            job.total = table.size_hint
            run.headers = table.headers
            run.progress.write(processed=0, total=job.total, state="running")
            with transaction.atomic():
                with copy_in_background():
                    run.rows(iter_records(table.rows, columns))
                # Inside the transaction, before a dry run's rollback: the format judges
                # what it saw against the database as the rows left it.
                run.warnings = [*table.notes, *(str(w) for w in fmt.warnings())]
                if not run.write or (run.rejected and not job.partial):
                    raise _Rollback
    except _Rollback:
        run.write = False
    except ReadError as exc:
        return _finish(job, status=JobStatus.FAILED, message=str(exc))
    except _Cancelled:
        run.progress.write(processed=job.processed, total=job.total, state="cancelled")
        job.processed = 0
        return _finish(
            job, status=JobStatus.CANCELLED, message=_("Cancelled: nothing was written.")
        )
    except IntegrityError as exc:
        # The checks found nothing wrong but the database refused a batch: another writer
        # changed the same records meanwhile. Everything was rolled back.
        return _finish(
            job,
            status=JobStatus.FAILED,
            message=_("The database refused the import ({error}); nothing was written.").format(
                error=exc
            ),
        )
    except MemoryError:
        # The worker's memory cap (vnemis worker --memory-limit) turned an allocation without
        # bound into this error, in place of the kernel killing the worker.
        logger.exception("import job %s ran out of memory", job.pk)
        return _finish(
            job,
            status=JobStatus.FAILED,
            message=_(
                "The file needs more memory than the import may use; nothing was written. "
                "Split it into smaller files and import them one by one."
            ),
        )
    except Exception as exc:
        # A fault of vnemis, not of the file: the job says so; the traceback is in the log.
        logger.exception("import job %s failed", job.pk)
        return _finish(
            job,
            status=JobStatus.FAILED,
            message=_(
                "The import stopped on an unexpected error ({error}); nothing was written. "
                "Tell the system administrator the job number."
            ).format(error=type(exc).__name__),
        )
    job.total = job.processed
    run.progress.write(processed=job.processed, total=job.total, state="done")
    if on_progress is not None:
        on_progress(job.processed, job.total)
    counts = run.counts
    job.created, job.updated = counts[RowOutcome.CREATE], counts[RowOutcome.UPDATE]
    job.unchanged, job.rejected = counts[RowOutcome.UNCHANGED], counts[RowOutcome.REJECTED]
    job.written = run.write
    job.warnings = run.warnings
    if run.rejected:
        first = sorted(run.rejected)[:REJECTIONS_SHOWN]
        job.rejections = [[line, reason] for line, _cells, reason in first]
        report = xlsx_bytes(
            sheet="Lỗi",
            headers=["Dòng", *run.headers, "Lý do"],
            rows=[[line, *cells, reason] for line, cells, reason in sorted(run.rejected)],
        )
        job.error_report.save(f"loi-{job.pk}.xlsx", ContentFile(report), save=False)
    if job.dry_run:
        message = _("Dry run: nothing was written.")
    elif run.write:
        message = (
            _("Written.")
            if not run.rejected
            else _("The valid rows were written; the rejected rows are in the error report.")
        )
    else:
        message = _(
            "Nothing was written: some rows were rejected (see the error report). Fix "
            "them, or import with 'write the valid rows only'."
        )
    return _finish(job, status=JobStatus.DONE, message=message)


def import_job_abandon(*, job: ImportJob, stops: int) -> ImportJob:
    """Fail a job whose runs stopped the worker ``stops`` times, without running it again."""
    job.processed = 0
    return _finish(
        job,
        status=JobStatus.FAILED,
        message=_(
            "The file stopped the import worker {count} times, so it was not tried again; "
            "nothing was written. Check the file (its size, very long cells) or split it, "
            "then import it again."
        ).format(count=stops),
    )


class _Run:
    """The state of one run: counts, rejected rows, keys seen, progress reporting."""

    PROGRESS_EVERY = 0.5  # seconds between progress files (and cancel checks)

    def __init__(
        self,
        *,
        job: ImportJob,
        fmt: ImportFormat[Any, Any],
        on_progress: ProgressCallback | None,
    ) -> None:
        self.job, self.fmt, self.on_progress = job, fmt, on_progress
        self.write = not job.dry_run
        self.headers: list[str] = []
        self.rejected: list[tuple[int, list[Any], str]] = []
        self.counts = dict.fromkeys(RowOutcome.values, 0)
        self.seen: dict[str, int] = {}
        self.warnings: list[str] = []
        self.progress = JobProgress(job.pk)
        self.reported_at = -float("inf")  # the first check comes at once

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.reported_at < self.PROGRESS_EVERY:
            return
        self.reported_at = now
        job = self.job
        # Outside the transaction, so the page can show it while rows are written.
        self.progress.write(processed=job.processed, total=job.total, state="running")
        if self.on_progress is not None:
            self.on_progress(job.processed, job.total)
        if self.progress.cancel_requested():
            raise _Cancelled

    def reject(self, line: int, cells: list[Any], exc: Exception) -> None:
        reason = " ".join(getattr(exc, "messages", [])) or str(exc)
        self.rejected.append((line, cells, reason))
        self.counts[RowOutcome.REJECTED] += 1
        # All or nothing: after the first rejected row nothing more is written; the rows are
        # still checked, so the error report lists every problem at once.
        if not self.job.partial:
            self.write = False

    def parse(self, line: int, record: dict[str, Any]) -> Any:
        data = self.fmt.parse(record)
        key = self.fmt.key(data)
        first = self.seen.setdefault(key, line)
        if first != line:
            raise RowError(_("Same record as line {line}.").format(line=first))
        return data

    def rows(self, records: Iterator[tuple[int, list[Any], dict[str, Any]]]) -> None:
        if self.fmt.batch_size:
            self._batches(records)
            return
        for line, cells, record in records:
            self.tick()
            try:
                # A savepoint per row: a rejected row leaves no trace of its own writes.
                with transaction.atomic():
                    outcome = self.fmt.apply(self.parse(line, record), write=self.write)
                self.counts[outcome] += 1
            except (RowError, ValidationError) as exc:
                self.reject(line, cells, exc)
            self.job.processed += 1

    def _batches(self, records: Iterator[tuple[int, list[Any], dict[str, Any]]]) -> None:
        batch: list[tuple[int, list[Any], Any]] = []
        for line, cells, record in records:
            try:
                batch.append((line, cells, self.parse(line, record)))
            except (RowError, ValidationError) as exc:
                self.reject(line, cells, exc)
                self.job.processed += 1
            if len(batch) >= self.fmt.batch_size:
                self._flush(batch)
                batch = []
        self._flush(batch)

    def _flush(self, batch: list[tuple[int, list[Any], Any]]) -> None:
        if not batch:
            return
        copy_check()  # the previous batch's error, if any, is raised before this one goes on
        results = self.fmt.apply_batch([data for _line, _cells, data in batch], write=self.write)
        for (line, cells, _data), result in zip(batch, results, strict=True):
            if isinstance(result, RowError):
                self.reject(line, cells, result)
            else:
                self.counts[result] += 1
        self.job.processed += len(batch)
        self.tick()


def _finish(job: ImportJob, *, status: JobStatus, message: str) -> ImportJob:
    job.status, job.message, job.finished_at = status, message, timezone.now()
    job.save()
    # A cancel request outlives nothing it could stop.
    JobProgress(job.pk).cancel_path.unlink(missing_ok=True)
    audit_record(
        actor=job.created_by,
        verb=AuditVerb.UPDATED,
        target=job,
        after={
            "status": status,
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "rejected": job.rejected,
            "written": job.written,
        },
    )
    return job
