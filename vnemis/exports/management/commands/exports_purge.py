"""``vnemis exports_purge``: remove the files of exports finished more than a week ago."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.exports import services


class Command(BaseCommand):
    help = (
        "Remove the files of exports finished more than --days days ago (7 by default). "
        "Each finished export also does it; run this from cron when exports are rare."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=services.KEEP_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 0:
            raise CommandError("--days cannot be negative.")
        removed = services.export_files_purge(keep=dt.timedelta(days=options["days"]))
        self.stdout.write(f"Removed {removed} export file(s).")
