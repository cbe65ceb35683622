from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.indicators import selectors, services
from vnemis.indicators.models import ElementValue
from vnemis.indicators.periods import PeriodError, parse_period
from vnemis.organisations.models import OrgUnit


class Command(BaseCommand):
    help = "Indicator values of an org unit for a period (2022H1, 2022Q3, 2022, 2021-2022)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="code of the org unit")
        parser.add_argument("--period", required=True, help="period code, e.g. 2022H1")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="recompute the period's values from the records first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        unit = OrgUnit.objects.filter(code=options["org"]).first()
        if unit is None:
            raise CommandError(f"No organisation unit has the code {options['org']!r}.")
        if options["refresh"] or not ElementValue.objects.filter(period=period.code).exists():
            n = services.element_values_refresh(period=period)
            self.stderr.write(f"Computed {n} element values for {period.code}.")
        values = selectors.indicator_values(unit=unit, period=period)
        if options["json"]:
            self.stdout.write(
                json.dumps([v.as_dict() for v in values], ensure_ascii=False, indent=2)
            )
            return
        for v in values:
            d = v.as_dict()
            ratio = f"{d['numerator']}/{d['denominator']}" if d["denominator"] is not None else ""
            self.stdout.write(
                f"{d['code']:<30} {ratio:>16} {d['value']!s:>8} {d['unit']:<7} target {d['target']}"
            )
