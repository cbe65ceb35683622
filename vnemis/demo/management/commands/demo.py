from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.demo.accounts import demo_accounts_ensure, demo_accounts_list
from vnemis.demo.loader import DemoConflict, demo_load
from vnemis.demo.national import FILE_FORMATS, national_write

DATASETS = ("laocai-2022", "national", "accounts")


class Command(BaseCommand):
    help = (
        "Load a synthetic demo data set: laocai-2022 (the province of the 2022H1 report), or "
        "write national (the whole country as import files) into --output DIR; accounts "
        "prints the demo accounts with their password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", choices=DATASETS)
        parser.add_argument("--seed", type=int, default=2022, help="random seed (default 2022)")
        parser.add_argument(
            "--scale",
            type=float,
            default=None,
            help=(
                "fraction to generate (default 1): laocai-2022 0 < scale <= 1 of its people; "
                "national > 0, where 1 is the whole country"
            ),
        )
        parser.add_argument(
            "--output", type=Path, help="national only, required: the folder to write into"
        )
        parser.add_argument(
            "--format",
            dest="file_formats",
            help="national only: csv, xlsx or csv,xlsx (default csv,xlsx)",
        )
        parser.add_argument(
            "--students",
            type=int,
            help="national only: exactly this many students (the scale defaults to match)",
        )
        parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
        parser.add_argument(
            "--host", default="127.0.0.1", help="accounts only: the address the site is served on"
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="accounts only: the port the site is served on"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def say(message: str) -> None:
            if not options["quiet"]:
                self.stdout.write(message)

        if options["dataset"] == "national":
            self._national(options, say)
            return
        if options["dataset"] == "accounts":
            self._accounts(host=options["host"], port=options["port"])
            return
        for flag, key in (("--output", "output"), ("--format", "file_formats")):
            if options[key] is not None:
                raise CommandError(
                    f"{flag} is only for the national data set; laocai-2022 is loaded into the "
                    "database."
                )
        if options["students"] is not None:
            raise CommandError("--students is only for the national data set.")
        scale = 1.0 if options["scale"] is None else options["scale"]
        if not 0 < scale <= 1:
            raise CommandError("--scale must be greater than 0 and at most 1.")

        try:
            result = demo_load(seed=options["seed"], scale=scale, progress=say)
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        demo_accounts_ensure(password=settings.VNEMIS_DEMO_PASSWORD)
        if not options["quiet"]:
            counts = result.dataset.counts
            say(", ".join(f"{k}: {v}" for k, v in counts.items()))
            say("Demo accounts are ready: run 'vnemis demo accounts' to list them.")

    def _accounts(self, *, host: str, port: int) -> None:
        """Print the demo accounts, the address and the demo password."""
        accounts = demo_accounts_list()
        if not accounts:
            raise CommandError("No demo accounts: run 'vnemis demo laocai-2022' first.")
        host = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (tài khoản dùng thử) — http://{host}:{port}/")
        self.stdout.write(f"  password / mật khẩu: {settings.VNEMIS_DEMO_PASSWORD}")
        for a in accounts:
            self.stdout.write(f"  {a.username:<22} {a.role.value:<20} {a.unit_code:<10} {a.sees}")
        self.stdout.write("")

    def _national(self, options: dict[str, Any], say: Callable[[str], None]) -> None:
        """Write the country's import files; the database is not touched."""
        output: Path | None = options["output"]
        if output is None:
            raise CommandError("The national data set is written to files: give --output DIR.")
        if output.exists() and not output.is_dir():
            raise CommandError(f"--output {output} is a file, not a folder.")
        formats = [f.strip().lower() for f in (options["file_formats"] or "csv,xlsx").split(",")]
        if not formats or any(f not in FILE_FORMATS for f in formats):
            raise CommandError("--format must be csv, xlsx or csv,xlsx.")
        students = options["students"]
        if students is not None and students < 1:
            raise CommandError("--students must be at least 1.")
        scale = options["scale"]
        if scale is None and students is None:
            scale = 1.0
        if scale is not None and not scale > 0:
            raise CommandError("--scale must be greater than 0.")
        try:
            files = national_write(
                output=output,
                seed=options["seed"],
                scale=scale,
                students_target=students,
                formats=set(formats),
                progress=say,
            )
        except OSError as exc:
            raise CommandError(f"Cannot write into {output}: {exc}") from exc
        say(", ".join(f"{name}: {n:,}" for name, n in files.items()))
