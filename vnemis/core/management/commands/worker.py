from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vnemis.core.taskqueue import claim_next, requeue_stale, run_one, worker_name


class Command(BaseCommand):
    help = "Run background jobs from the database queue (imports, indicator refreshes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is ready, then stop")
        parser.add_argument("--sleep", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--requeue-after",
            type=int,
            default=3600,
            help="requeue tasks left running longer than this (seconds)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = worker_name()
        requeued = requeue_stale(older_than=dt.timedelta(seconds=options["requeue_after"]))
        if requeued:
            self.stdout.write(f"Requeued {requeued} task(s) left by a stopped worker.")
        self.stdout.write(f"Worker {name} started.")
        while True:
            row = claim_next(worker_id=name)
            if row is None:
                if options["once"]:
                    return
                time.sleep(options["sleep"])
                continue
            self.stdout.write(f"Running {row.task_path} ({row.pk})")
            run_one(row)
