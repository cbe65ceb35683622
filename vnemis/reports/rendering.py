"""Rendering a report as DOCX (NĐ 30/2020 layout), XLSX (all indicator values) or PDF."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from vnemis.core.xlsx import xlsx_bytes
from vnemis.indicators.periods import parse_period
from vnemis.indicators.selectors import indicator_values
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion
from vnemis.reports.documents.dx_semiannual import render_dx_semiannual
from vnemis.reports.models import ReportDocument
from vnemis.reports.selectors import dx_report_data

FORMATS = ("docx", "xlsx", "pdf")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class RenderError(RuntimeError):
    """A format cannot be produced on this machine (e.g. no LibreOffice for PDF)."""


def render_docx(document: ReportDocument) -> bytes:
    return render_dx_semiannual(dx_report_data(document=document))


def render_xlsx(*, unit: OrgUnit, period_code: str) -> bytes:
    """Every indicator for the unit and every unit below it in the period's tree."""
    period = parse_period(period_code)
    version = TreeVersion.for_date(period.as_of)
    top = OrgPlacement.objects.filter(version=version, unit=unit).first()
    placements = (
        OrgPlacement.objects.filter(version=version, path__startswith=top.path)
        .exclude(unit__kind="site")
        .select_related("unit")
        .order_by("path")
        if top
        else []
    )
    rows = []
    for placement in placements:
        for v in indicator_values(unit=placement.unit, period=period):
            d = v.as_dict()
            rows.append(
                [
                    placement.unit.code,
                    placement.unit.name,
                    placement.unit.kind,
                    d["code"],
                    d["name"],
                    d["numerator"],
                    d["denominator"],
                    d["value"],
                    d["unit"],
                    d["target"],
                ]
            )
    return xlsx_bytes(
        sheet=period.code,
        headers=[
            "Mã đơn vị",
            "Đơn vị",
            "Loại",
            "Mã chỉ tiêu",
            "Chỉ tiêu",
            "Tử số",
            "Mẫu số",
            "Giá trị",
            "Đơn vị tính",
            "Mục tiêu",
        ],
        rows=rows,
    )


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes) -> bytes:
    """Convert with LibreOffice headless, the converter that keeps Word's layout."""
    binary = _soffice()
    if binary is None:
        raise RenderError("PDF needs LibreOffice (Debian package libreoffice-writer-nogui).")
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
            raise RenderError(
                "LibreOffice could not convert the report: "
                + run.stderr.decode(errors="replace")[-500:]
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
    raise RenderError(f"Unknown format {fmt!r}: choose docx, xlsx or pdf.")
