"""Excel export of lists, safe against formula injection.

Both functions write through ``vnemis.core.spreadsheet.XlsxWriter``: rows streamed into the
file, text with formulas neutralised, dates as cells shown dd/mm/yyyy (date-times in local
time with hh:mm), the header in bold.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.http import HttpResponse

from vnemis.core.spreadsheet import XlsxWriter, safe_text

DATE_FORMAT = "dd/mm/yyyy"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula is written with a leading apostrophe."""
    return safe_text(value) if isinstance(value, str) else value


def xlsx_bytes(*, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook with a bold header row, in memory."""
    buffer = io.BytesIO()
    xlsx_write(buffer, sheet=sheet, headers=headers, rows=rows)
    return buffer.getvalue()


def xlsx_response(
    *, filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(sheet=sheet, headers=headers, rows=rows), content_type=XLSX_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_write(
    target: str | os.PathLike[str] | IO[bytes],
    *,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """The workbook of ``xlsx_bytes`` written to a file path or binary file instead of held in
    memory, for exports of any length; returns the number of rows written (header excluded).
    A sheet title loses the characters Excel forbids in titles ("Quý III/2022" →
    "Quý III-2022")."""
    with XlsxWriter(target, sheet=sheet, headers=[str(h) for h in headers]) as writer:
        writer.write_rows(rows)
    return writer.rows_written
