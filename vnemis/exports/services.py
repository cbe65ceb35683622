"""Exports of lists: answered in the request when short, written by the worker when long.

A long export is an ``ExportJob``: created (and audited) in the request, run by the task queue
after commit, its progress in a small JSON file beside the database (``ExportProgress``), its
file kept for ``KEEP_DAYS`` days (``export_files_purge``, run after every job and by
``vnemis exports_purge``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record
from vnemis.core.choices import AuditVerb
from vnemis.exports.choices import ExportFormat, ExportStatus
from vnemis.exports.definitions import DEFINITIONS, ExportError, Params, Row, export_spec
from vnemis.exports.models import ExportJob
from vnemis.exports.writers import CONTENT_TYPES, rows_write

logger = logging.getLogger(__name__)

# Rows between two progress writes: a province's students report about 140 times.
PROGRESS_EVERY = 2000
# Days a finished export's file is kept.
KEEP_DAYS = 7


def inline_rows_limit() -> int:
    """Lists up to this many rows are answered in the request; longer ones become a job
    (setting ``VNEMIS_EXPORT_INLINE_ROWS``, 5000 by default)."""
    return int(getattr(settings, "VNEMIS_EXPORT_INLINE_ROWS", 5000))


class ExportProgress:
    """Progress of a running export in ``VNEMIS_JOBS_DIR/export-<id>.json``, replaced
    atomically, so the page reads it without touching the job's row (as imports do, whose
    rows SQLite keeps locked while they write)."""

    def __init__(self, job_id: int) -> None:
        self.folder = Path(settings.VNEMIS_JOBS_DIR)
        self.path = self.folder / f"export-{job_id}.json"

    def write(self, *, processed: int, total: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"processed": processed, "total": total}), encoding="utf-8")
        os.replace(tmp, self.path)

    def read(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: int(v) for k, v in data.items() if k in {"processed", "total"}}

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


class _Reported:
    """The rows of an export, passed through while counting them and reporting the count
    every ``every`` rows."""

    def __init__(
        self, rows: Iterable[Row], *, progress: ExportProgress, total: int, every: int
    ) -> None:
        self.rows, self.progress, self.total, self.every = rows, progress, total, max(every, 1)
        self.count = 0

    def __iter__(self) -> Iterator[Row]:
        self.progress.write(processed=0, total=self.total)
        for row in self.rows:
            yield row
            self.count += 1
            if self.count % self.every == 0:
                self.progress.write(processed=self.count, total=self.total)
        self.progress.write(processed=self.count, total=self.total)


@dataclass(frozen=True)
class InlineExport:
    filename: str
    content_type: str
    content: bytes


def export_inline(*, kind: str, params: Params, fmt: str, by: User) -> InlineExport:
    """The file of a short list, made in memory in the request from the same definition a
    job uses; audited as an export of ``kind`` with its filters."""
    if fmt not in ExportFormat.values:
        raise ExportError(_("This file format is not offered."))
    spec = export_spec(kind, user=by, params=params)
    buffer = io.BytesIO()
    count = rows_write(buffer, fmt=fmt, sheet=spec.sheet, headers=spec.headers, rows=spec.lines())
    audit_record(
        actor=by,
        verb=AuditVerb.EXPORTED,
        target=by,
        after={"kind": kind, "params": params, "format": fmt, "rows": count},
        note=f"{kind} ({fmt}, {count} rows)",
    )
    return InlineExport(
        filename=f"{spec.stem}.{fmt}",
        content_type=CONTENT_TYPES[ExportFormat(fmt)],
        content=buffer.getvalue(),
    )


# Unfinished export jobs one user may have at once: a link followed again and again (or from
# another site, as exports start from a link) queues no more work than this.
MAX_UNFINISHED_PER_USER = 3


@transaction.atomic
def export_job_create(*, kind: str, params: Params, fmt: str, by: User) -> ExportJob:
    """Record an export of list ``kind`` with its filters, audited; the worker starts it once
    the request's transaction commits. The same export still waiting or running is given
    back instead of a second one; past ``MAX_UNFINISHED_PER_USER`` unfinished jobs the user
    is asked to wait."""
    from vnemis.exports.tasks import export_job_run_task  # the task module imports this one

    if kind not in DEFINITIONS:
        raise ExportError(_("This list cannot be exported."))
    unfinished = ExportJob.objects.filter(
        created_by=by, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
    )
    same = next(
        (j for j in unfinished if j.kind == kind and j.params == params and j.format == fmt),
        None,
    )
    if same is not None:
        return same
    if unfinished.count() >= MAX_UNFINISHED_PER_USER:
        raise ExportError(
            _(
                "You already have {n} exports being prepared: wait until one is ready, then "
                "ask again."
            ).format(n=MAX_UNFINISHED_PER_USER)
        )
    job = ExportJob(
        kind=kind,
        params=params,
        format=fmt,
        language=translation.get_language() or "",
        created_by=by,
    )
    job.full_clean()
    job.save()
    audit_record(
        actor=by,
        verb=AuditVerb.EXPORTED,
        target=job,
        after={"kind": kind, "params": params, "format": fmt},
        note=f"{kind} ({fmt}), job {job.pk}",
    )
    transaction.on_commit(partial(export_job_run_task.enqueue, job_id=job.pk))
    return job


def _fail(job: ExportJob, message: str) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, message=message, finished_at=timezone.now()
    )
    ExportProgress(job.pk).remove()
    job.refresh_from_db()
    return job


def _requester(job: ExportJob) -> User:
    user = job.created_by
    if user is None or not user.is_active:
        raise ExportError(
            _("The account that asked for this export no longer exists or is disabled.")
        )
    return user


def export_job_run(*, job: ExportJob, progress_every: int = PROGRESS_EVERY) -> ExportJob:
    """Write the job's file from its stored filters, with the rows its creator may see now.

    A re-run (after its worker died) starts again from zero. Every way out ends the job:
    done with its file, or failed with a message saying why.
    """
    started = ExportJob.objects.filter(
        pk=job.pk, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
    ).update(
        status=ExportStatus.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        total=0,
        processed=0,
        message="",
    )
    job.refresh_from_db()
    if not started:
        return job
    progress = ExportProgress(job.pk)
    partial_path = progress.folder / f"export-{job.pk}.part"
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            spec = export_spec(job.kind, user=_requester(job), params=job.params)
            total = spec.rows.count()
            ExportJob.objects.filter(pk=job.pk).update(total=total)
            rows = _Reported(spec.lines(), progress=progress, total=total, every=progress_every)
            progress.folder.mkdir(parents=True, exist_ok=True)
            with partial_path.open("wb") as handle:
                written = rows_write(
                    handle, fmt=job.format, sheet=spec.sheet, headers=spec.headers, rows=rows
                )
            name = job.file.field.generate_filename(job, f"{spec.stem}-{job.pk}.{job.format}")
            with partial_path.open("rb") as handle:
                stored = job.file.storage.save(name, File(handle))
        except ExportError as exc:
            return _fail(job, str(exc))
        except Exception as exc:  # every failure ends the job with a message
            logger.exception("export job %s failed", job.pk)
            return _fail(
                job,
                _(
                    "The export stopped because of an error on the server ({error}). Try "
                    "again later; if it fails again, tell the administrator the job number "
                    "{pk}."
                ).format(error=type(exc).__name__, pk=job.pk),
            )
        finally:
            partial_path.unlink(missing_ok=True)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        total=written,
        processed=written,
        file=stored,
        finished_at=timezone.now(),
    )
    progress.remove()
    try:
        export_files_purge()
    except (OSError, DatabaseError):  # a file left for the next run or the command
        logger.warning("old export files not purged", exc_info=True)
    job.refresh_from_db()
    return job


def export_job_abandon(*, job: ExportJob, stops: int) -> ExportJob:
    """Fail a job whose runs kept stopping their worker (killed, out of memory)."""
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _fail(
            job,
            _(
                "The export stopped the server's worker {n} times, probably for lack of "
                "memory. Narrow the list with its filters and export again."
            ).format(n=stops),
        )


def export_files_purge(*, keep: dt.timedelta | None = None, now: dt.datetime | None = None) -> int:
    """Remove the files of exports finished more than ``keep`` (``KEEP_DAYS``) ago; the jobs
    stay listed, without a file. Returns how many files were removed."""
    cutoff = (now or timezone.now()) - (dt.timedelta(days=KEEP_DAYS) if keep is None else keep)
    removed = 0
    for job in ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file=""):
        name = job.file.name
        job.file.delete(save=False)  # a file already gone from the disk is no error
        ExportJob.objects.filter(pk=job.pk).update(file="", updated_at=timezone.now())
        audit_record(
            actor=None,
            verb=AuditVerb.DELETED,
            target=job,
            before={"file": name},
            after={"file": ""},
            note=f"export file older than {KEEP_DAYS} days",
        )
        removed += 1
    return removed
