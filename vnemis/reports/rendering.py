"""Rendering a report as DOCX (NĐ 30/2020 layout), XLSX (all indicator values) or PDF."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vnemis.core.xlsx import xlsx_bytes
from vnemis.indicators.periods import parse_period
from vnemis.indicators.selectors import indicator_values_bulk
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion
from vnemis.reports.errors import ReportError
from vnemis.reports.letterhead import letterhead_for
from vnemis.reports.models import ReportDocument
from vnemis.reports.registry import document_kind

FORMATS = ("docx", "xlsx", "pdf")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


logger = logging.getLogger(__name__)


BUILD_FAILED = gettext_lazy(
    "The report could not be produced from this draft and these figures. Check the signer's "
    "position and the task lists, then try again."
)


def missing_fields(document: ReportDocument, *, final: bool = False) -> dict[str, str]:
    """The fields a document needs and lacks, each with what to do, keyed by field name.

    The draft's own fields are named as on the draft form; the header lines come from the
    unit's report settings. A draft may be printed for review without the signer's name; a
    final version, which is signed, may not.
    """
    missing: dict[str, str] = {}
    if not document.signer_title.strip():
        missing["signer_title"] = _(
            "Enter the signer's position (for example GIÁM ĐỐC or TRƯỞNG PHÒNG): the "
            "signature block of the report cannot be left without it."
        )
    if final and not document.signer_name.strip():
        missing["signer_name"] = _(
            "Enter the signer's name before finalising: a final report is signed, and its "
            "signature block ends with the signer's name."
        )
    letterhead = letterhead_for(document.unit)
    settings_labels = {
        "agency": _("issuing body (second header line)"),
        "agency_in_text": _("name of the unit in the text"),
        "agency_symbol": _("symbol of the unit in document numbers"),
        "place": _("place name of the date line"),
    }
    for name, label in settings_labels.items():
        if not getattr(letterhead, name).strip():
            missing[name] = _(
                "The unit's report settings have no “{field}”: fill it in the report "
                "settings of the unit."
            ).format(field=label)
    return missing


def render_docx(document: ReportDocument, *, final: bool = False) -> bytes:
    """The report as DOCX, built by its kind's entry in the registry; a missing field, an
    unknown kind, a figure the records lack or an inconsistent figure is a ReportError."""
    kind = document_kind(document.kind)
    missing = missing_fields(document, final=final)
    if missing:
        field = next(iter(missing))
        raise ReportError(" ".join(missing.values()), field=field)
    try:
        return kind.render(document)
    except ValueError as exc:
        # The builder's checks (a signature without position, counts that do not add up)
        # are for programmers; the user gets what to do. A ReportError of the data
        # function is no ValueError and keeps its own message.
        raise ReportError(str(BUILD_FAILED)) from exc


# Columns of the XLSX of every unit's figures; the numerator and denominator of a ratio are
# the part reached and the whole ("199 schools of 612").
def _xlsx_headers() -> list[str]:
    return [
        _("Unit code"),
        _("Unit"),
        _("Type of unit"),
        _("Indicator"),
        _("Number reached"),
        _("Out of"),
        _("Value"),
        _("Unit of measure"),
        _("Target"),
    ]


def _number(value: Decimal | None) -> int | float | None:
    """A Decimal as a spreadsheet number: whole numbers as int, others as float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def render_xlsx(*, unit: OrgUnit, period_code: str) -> bytes:
    """Every indicator for the unit and every unit below it in the period's tree, in Vietnamese,
    in a fixed number of queries whatever the number of units."""
    period = parse_period(period_code)
    version = TreeVersion.for_date(period.as_of)
    top = OrgPlacement.objects.filter(version=version, unit=unit).first()
    below = (
        OrgPlacement.objects.filter(version=version, path__startswith=top.path).exclude(
            unit__kind=OrgUnitKind.SITE
        )
        if top
        else OrgPlacement.objects.none()
    )
    placements = list(below.select_related("unit").order_by("path"))
    units = OrgUnit.objects.filter(pk__in=below.values("unit_id"))
    values = indicator_values_bulk(units=units, period=period) if placements else {}
    with translation.override("vi"):
        rows = []
        for placement in placements:
            shown = placement.unit
            kind = str(shown.get_kind_display())
            for v in values.get(shown.pk, []):
                ratio = v.indicator.denominator_id is not None
                rows.append(
                    [
                        shown.code,
                        shown.name,
                        kind,
                        v.indicator.display_name(),
                        _number(v.numerator) if ratio else None,
                        _number(v.denominator) if ratio else None,
                        _number(v.value),
                        v.indicator.unit,
                        _number(v.target),
                    ]
                )
        return xlsx_bytes(sheet=period.label, headers=_xlsx_headers(), rows=rows)


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes) -> bytes:
    """Convert with LibreOffice headless, the converter that keeps Word's layout."""
    binary = _soffice()
    if binary is None:
        raise ReportError(
            _(
                "PDF cannot be produced on this server: LibreOffice is not installed (Debian "
                "package libreoffice-writer-nogui). Download the DOCX instead."
            )
        )
    with tempfile.TemporaryDirectory(prefix="vnemis-pdf-") as tmp:
        source = Path(tmp) / "report.docx"
        source.write_bytes(docx)
        profile = Path(tmp) / "profile"
        run = subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(source),
            ],
            capture_output=True,
            timeout=180,
            check=False,
        )
        target = Path(tmp) / "report.pdf"
        if run.returncode != 0 or not target.exists():
            # The converter's own output goes to the log, not to the user.
            logger.warning(
                "LibreOffice could not convert a report: %s",
                run.stderr.decode(errors="replace")[-500:],
            )
            raise ReportError(
                _("The PDF could not be produced; download the DOCX, or try again later.")
            )
        return target.read_bytes()


def render(document: ReportDocument, fmt: str) -> bytes:
    if fmt == "docx":
        if document.is_locked and document.file:
            with document.file.open("rb") as fh:
                stored: bytes = fh.read()
            return stored
        return render_docx(document)
    if fmt == "xlsx":
        return render_xlsx(unit=document.unit, period_code=document.period)
    if fmt == "pdf":
        return docx_to_pdf(render(document, "docx"))
    raise ReportError(_("Unknown format: choose DOCX, XLSX or PDF."))
