from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.core.backup import BackupError, archive_verify, backup_restore


class Command(BaseCommand):
    help = (
        "Restore the database and the uploaded files from an archive of `vnemis backup`: the "
        "archive is checked first, then the restored tables are compared with its manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that holds data without asking",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="check the archive against its checksums and change nothing",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask; refuse unless --force when the database holds data",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def say(message: str) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(message)
                self.stdout.flush()

        def confirm(question: str) -> bool:
            if not (options["interactive"] and sys.stdin.isatty()):
                return False
            self.stdout.write(question)
            return input("Type 'yes' to restore: ").strip().lower() == "yes"

        try:
            if options["verify_only"]:
                archive_verify(path=options["archive"], progress=say)
                return
            result = backup_restore(
                path=options["archive"], force=options["force"], confirm=confirm, progress=say
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.media_aside is not None:
            say(
                f"The uploaded files found before the restore were moved to "
                f"{result.media_aside}; delete them once the restore is checked."
            )
        if result.differences:
            raise CommandError(
                "The restored database differs from the backup's manifest in "
                f"{len(result.differences)} table(s):\n  " + "\n  ".join(result.differences)
            )
        tables = result.manifest["tables"]
        say(
            f"Restore verified in {result.seconds:.1f} s: {len(tables)} tables, "
            f"{sum(t['rows'] for t in tables.values()):,} rows, counts and checksums identical "
            "to the backup's."
        )
        if result.pending_migrations:
            say(
                "This vnemis has migrations the backup predates "
                f"({', '.join(result.pending_migrations)}): run `vnemis migrate` now."
            )
