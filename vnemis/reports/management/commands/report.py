from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.indicators import services as indicator_services
from vnemis.indicators.models import ElementValue
from vnemis.indicators.periods import PeriodError, parse_period
from vnemis.organisations.models import OrgUnit
from vnemis.reports import services
from vnemis.reports.choices import ReportStatus
from vnemis.reports.errors import ReportError
from vnemis.reports.models import ReportDocument
from vnemis.reports.registry import document_kind
from vnemis.reports.rendering import FORMATS, render


class Command(BaseCommand):
    help = "Write a report: the semi-annual DX report as DOCX (NĐ 30/2020), XLSX or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        # Any name: an unknown kind is refused with the list of kinds (registry.KINDS).
        parser.add_argument("kind", help="kind of report, e.g. dx-semiannual")
        parser.add_argument("--org", required=True, help="code of the reporting unit")
        parser.add_argument("--period", required=True, help="half-year, e.g. 2022H1")
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="docx, xlsx or pdf (default: from the output's extension)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document_kind(options["kind"])
        except ReportError as exc:
            raise CommandError(exc.message) from exc
        output = Path(options["output"])
        fmt = options["format"] or output.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise CommandError("Give --format docx|xlsx|pdf or an output ending in one of them.")
        try:
            period = parse_period(options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        unit = OrgUnit.objects.filter(code=options["org"]).first()
        if unit is None:
            raise CommandError(f"No organisation unit has the code {options['org']!r}.")
        if not ElementValue.objects.filter(period=period.code).exists():
            indicator_services.element_values_refresh(period=period)
        # The open draft if there is one, else the latest final version, else a new draft.
        document = (
            ReportDocument.objects.filter(
                kind=options["kind"], unit=unit, period=period.code, status=ReportStatus.DRAFT
            ).first()
            or ReportDocument.objects.filter(kind=options["kind"], unit=unit, period=period.code)
            .order_by("-version")
            .first()
        )
        try:
            if document is None:
                document = services.report_draft_get_or_create(
                    unit=unit, period_code=period.code, by=None, kind=options["kind"]
                )
            content = render(document, fmt)
        except ReportError as exc:
            raise CommandError(exc.message) from exc
        output.write_bytes(content)
        state = "final" if document.is_locked else "draft"
        self.stdout.write(
            f"Wrote {output} ({fmt}, {len(content):,} bytes, {state} v{document.version})."
        )
