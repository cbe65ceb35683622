from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.selectors import scope_summary, unit_paths


class Command(BaseCommand):
    help = "Counts of schools, sites, students, preschool children and staff for a scope."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="code of the unit whose subtree to count (default: all)")
        parser.add_argument("--year", help="school year such as 2021-2022 (default: current)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = None
        if options["org"]:
            unit = OrgUnit.objects.filter(code=options["org"]).first()
            if unit is None:
                raise CommandError(f"No organisation unit has the code {options['org']!r}.")
            paths = unit_paths(unit)
        if options["year"]:
            year = SchoolYear.objects.filter(code=options["year"]).first()
            if year is None:
                raise CommandError(f"No school year has the code {options['year']!r}.")
        else:
            year = SchoolYear.current()
        summary = scope_summary(paths=paths, school_year=year)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        for key, value in summary.items():
            self.stdout.write(f"{key}: {value}")
