from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one archive of the database (consistent while the site runs), every uploaded "
        "file and a manifest of row counts and checksums. Restore it with `vnemis restore`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            required=True,
            help="the archive to write, or a folder to hold vnemis-<installation>-<time>.tar",
        )
        parser.add_argument(
            "--overwrite", action="store_true", help="replace the archive if it exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def say(message: str) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(message)
                self.stdout.flush()

        try:
            result = backup_create(
                output=options["output"], overwrite=options["overwrite"], progress=say
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        say(
            f"Backup written: {result.path} ({result.size / 2**20:,.1f} MB; {result.tables} "
            f"tables, {result.rows:,} rows, {result.media_files:,} uploaded files) in "
            f"{result.seconds:.1f} s."
        )
        say(f"SHA-256 of the archive: {result.sha256}")
