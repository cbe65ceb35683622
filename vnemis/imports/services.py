"""The import pipeline: keep the file, read it, check every row, then write all or nothing
(or, with ``partial``, the valid rows), and hand back an error report of the rejected rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.core.audit import audit_record
from vnemis.core.choices import AuditVerb
from vnemis.core.xlsx import xlsx_bytes
from vnemis.imports.choices import JobStatus, RowOutcome
from vnemis.imports.formats import FORMATS
from vnemis.imports.formats.base import RowError
from vnemis.imports.models import ImportFile, ImportJob
from vnemis.imports.readers import ReadError, iter_records, read_table
from vnemis.organisations.models import OrgUnit


@transaction.atomic
def import_file_store(*, path: Path, name: str, by: Any) -> ImportFile:
    """Keep the file as received, with its checksum, before anything reads it."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    stored = ImportFile(
        original_name=name[:255],
        size=path.stat().st_size,
        sha256=digest.hexdigest(),
        uploaded_by=by if getattr(by, "pk", None) else None,
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
    by: Any,
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
        created_by=by if getattr(by, "pk", None) else None,
    )
    audit_record(actor=by, verb=AuditVerb.CREATED, target=job)
    return job


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


def import_job_run(*, job: ImportJob, by: Any, day: dt.date | None = None) -> ImportJob:
    """Run the job to the end; its counts, status and error report tell what happened."""
    # A re-run (after a stopped worker) starts from zero: nothing of the earlier run was kept.
    job.status, job.started_at, job.written = JobStatus.RUNNING, timezone.now(), False
    job.processed = job.created = job.updated = job.unchanged = job.rejected = 0
    job.save()
    fmt_class = FORMATS[job.kind]
    scope = (
        tuple(job.scope_unit.placements.values_list("path", flat=True)) if job.scope_unit else None
    )
    fmt = fmt_class(by=by, scope_paths=scope, day=day or timezone.localdate())
    rejected: list[tuple[int, list[Any], str]] = []
    counts = {outcome: 0 for outcome in RowOutcome.values}
    try:
        table = read_table(Path(job.source.file.path), name=job.source.original_name)
        columns = fmt.match_headers(table.headers)
    except ReadError as exc:
        return _finish(job, status=JobStatus.FAILED, message=str(exc))
    job.total = len(table.rows)
    write = not job.dry_run
    seen: dict[str, int] = {}
    cells_of = {line: row for line, row in table.rows}
    progress = JobProgress(job.pk)
    progress.write(processed=0, total=job.total, state="running")
    try:
        with transaction.atomic():
            for line, record in iter_records(table, columns):
                if job.processed % 200 == 0:
                    # Outside the transaction, so the page can show it while rows are written.
                    progress.write(processed=job.processed, total=job.total, state="running")
                    if progress.cancel_requested():
                        raise _Cancelled
                try:
                    # A savepoint per row: a rejected row leaves no trace of its own writes.
                    with transaction.atomic():
                        data = fmt.parse(record)
                        key = fmt.key(data)
                        if key in seen:
                            raise RowError(_("Same record as line {line}.").format(line=seen[key]))
                        seen[key] = line
                        outcome = fmt.apply(data, write=write)
                except (RowError, ValidationError) as exc:
                    reason = " ".join(getattr(exc, "messages", [])) or str(exc)
                    rejected.append((line, cells_of[line], reason))
                    outcome = RowOutcome.REJECTED
                counts[outcome] += 1
                job.processed += 1
            if not write or (rejected and not job.partial):
                raise _Rollback
    except _Rollback:
        write = False
    except _Cancelled:
        progress.write(processed=job.processed, total=job.total, state="cancelled")
        job.processed = 0
        return _finish(
            job, status=JobStatus.CANCELLED, message=_("Cancelled: nothing was written.")
        )
    progress.write(processed=job.processed, total=job.total, state="done")
    job.created, job.updated = counts[RowOutcome.CREATE], counts[RowOutcome.UPDATE]
    job.unchanged, job.rejected = counts[RowOutcome.UNCHANGED], counts[RowOutcome.REJECTED]
    job.written = write
    if rejected:
        report = xlsx_bytes(
            sheet="Lỗi",
            headers=["Dòng", *table.headers, "Lý do"],
            rows=[[line, *cells, reason] for line, cells, reason in rejected],
        )
        job.error_report.save(f"loi-{job.pk}.xlsx", ContentFile(report), save=False)
    if job.dry_run:
        message = _("Dry run: nothing was written.")
    elif write:
        message = (
            _("Written.")
            if not rejected
            else _("The valid rows were written; the rejected rows are in the error report.")
        )
    else:
        message = _(
            "Nothing was written: some rows were rejected (see the error report). Fix "
            "them, or import with 'write the valid rows only'."
        )
    return _finish(job, status=JobStatus.DONE, message=message)


def _finish(job: ImportJob, *, status: JobStatus, message: str) -> ImportJob:
    job.status, job.message, job.finished_at = status, message, timezone.now()
    job.save()
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


def import_job_cancel(*, job: ImportJob, by: Any) -> ImportJob:
    """Stop a job: a queued one at once, a running one at its next check (all undone)."""
    updated = ImportJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.CANCELLED,
        message=_("Cancelled before it started."),
        finished_at=timezone.now(),
    )
    if not updated and job.status == JobStatus.RUNNING:
        JobProgress(job.pk).request_cancel()
    audit_record(actor=by, verb=AuditVerb.UPDATED, target=job, note="cancel requested")
    job.refresh_from_db()
    return job
