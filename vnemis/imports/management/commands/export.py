from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.imports.formats import FORMATS
from vnemis.imports.oneroster.exporter import oneroster_export
from vnemis.imports.services import records_export
from vnemis.organisations.models import OrgUnit, SchoolYear


class Command(BaseCommand):
    help = (
        "Export a unit's subtree: oneroster (a OneRoster 1.2 bulk bundle, zip), or the records "
        "of an import kind in its template's layout (.xlsx or .csv by the output's name)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", choices=["oneroster", *FORMATS])
        parser.add_argument("--org", required=True, help="code of the unit to export")
        parser.add_argument("--year", help="school year, e.g. 2021-2022 (default: current)")
        parser.add_argument("--output", required=True, help="the .zip to write")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = OrgUnit.objects.filter(code=options["org"]).first()
        if unit is None:
            raise CommandError(f"No organisation unit has the code {options['org']!r}.")
        if options["format"] != "oneroster":
            output = Path(options["output"])
            if output.suffix.lower() not in {".xlsx", ".csv"}:
                raise CommandError("The output must end in .xlsx or .csv.")
            paths = tuple(unit.placements.values_list("path", flat=True))
            content = records_export(
                kind=options["format"],
                scope_paths=paths,
                by=None,
                csv_format=output.suffix.lower() == ".csv",
            )
            output.write_bytes(content)
            self.stdout.write(f"Wrote {output} ({len(content):,} bytes).")
            return
        year = (
            SchoolYear.objects.filter(code=options["year"]).first()
            if options["year"]
            else SchoolYear.current()
        )
        if year is None:
            raise CommandError("No such school year.")
        content = oneroster_export(scope=unit, school_year=year)
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"Wrote {options['output']} ({len(content):,} bytes).")
