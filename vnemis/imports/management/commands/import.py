from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.imports import services
from vnemis.imports.choices import JobStatus
from vnemis.imports.formats import FORMATS
from vnemis.imports.oneroster.bundle import BundleError
from vnemis.imports.oneroster.importer import oneroster_import
from vnemis.organisations.models import OrgUnit


class Command(BaseCommand):
    help = "Import a CSV or XLSX file: check every row, then write all of it or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=[*sorted(FORMATS), "oneroster"])
        parser.add_argument("--org", help="accept only schools below the unit with this code")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="write the valid rows even when others are rejected",
        )
        parser.add_argument("--errors", help="where to write the error report (.xlsx)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        scope = None
        if options["org"]:
            scope = OrgUnit.objects.filter(code=options["org"]).first()
            if scope is None:
                raise CommandError(f"No organisation unit has the code {options['org']!r}.")
        if options["kind"] == "oneroster":
            self._oneroster(path, scope, options)
            return
        if not path.is_file():
            raise CommandError(f"Not a file: {path}")
        source = services.import_file_store(path=path, name=path.name, by=None)
        job = services.import_job_create(
            source=source,
            kind=options["kind"],
            by=None,
            dry_run=options["dry_run"],
            partial=options["partial"],
            scope_unit=scope,
        )
        started = time.monotonic()

        def progress(processed: int, total: int) -> None:
            rate = processed / max(time.monotonic() - started, 1e-6)
            self.stderr.write(f"\r{processed:,} / ~{total:,} rows ({rate:,.0f} rows/s)", ending="")

        job = services.import_job_run(job=job, by=None, on_progress=progress)
        self.stderr.write("")
        if job.status == JobStatus.FAILED:
            raise CommandError(job.message)
        self.stdout.write(
            f"rows {job.total}: create {job.created}, update {job.updated}, "
            f"unchanged {job.unchanged}, rejected {job.rejected}. {job.message}"
        )
        if job.error_report and options["errors"]:
            with job.error_report.open("rb") as fh:
                Path(options["errors"]).write_bytes(fh.read())
            self.stdout.write(f"Error report: {options['errors']}")
        if job.rejected and not job.written and not job.dry_run:
            raise CommandError("Rows were rejected; nothing was written.")

    def _oneroster(self, path: Path, scope: OrgUnit | None, options: dict[str, Any]) -> None:
        if scope is None:
            raise CommandError("A OneRoster bundle is imported under a unit: give --org CODE.")
        try:
            result = oneroster_import(
                path=path,
                scope=scope,
                by=None,
                dry_run=options["dry_run"],
                partial=options["partial"],
            )
        except BundleError as exc:
            raise CommandError("\n".join(str(p) for p in exc.problems)) from exc
        for problem in result.problems:
            self.stderr.write(("ERROR " if problem.error else "warning ") + str(problem))
        if result.refused and not result.written:
            raise CommandError("The bundle was refused; nothing was written.")
        if result.refused:
            self.stderr.write("Rows were refused; the other rows were written.")
        written = "written" if result.written else "dry run, nothing written"
        self.stdout.write(f"{result.summary()} ({written}).")
