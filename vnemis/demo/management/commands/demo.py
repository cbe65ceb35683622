from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.demo.accounts import demo_accounts_ensure
from vnemis.demo.loader import DemoConflict, demo_load

DATASETS = ("laocai-2022",)


class Command(BaseCommand):
    help = "Load a synthetic demo data set: laocai-2022 (the province of the 2022H1 report)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", choices=DATASETS)
        parser.add_argument("--seed", type=int, default=2022, help="random seed (default 2022)")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="fraction of the people to generate, 0 < scale <= 1 (default 1)",
        )
        parser.add_argument("--quiet", action="store_true", help="print nothing but errors")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if not 0 < scale <= 1:
            raise CommandError("--scale must be greater than 0 and at most 1.")

        def say(message: str) -> None:
            if not options["quiet"]:
                self.stdout.write(message)

        try:
            result = demo_load(seed=options["seed"], scale=scale, progress=say)
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        demo_accounts_ensure(password=settings.VNEMIS_DEMO_PASSWORD)
        if not options["quiet"]:
            counts = result.dataset.counts
            say(", ".join(f"{k}: {v}" for k, v in counts.items()))
            say("Demo accounts are ready: run 'vnemis accounts --demo' to list them.")
