"""Writing an export's rows to a file: Excel (.xlsx) or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.utils import timezone

from vnemis.core.xlsx import XLSX_TYPE, safe_cell, xlsx_write
from vnemis.exports.choices import ExportFormat

CSV_TYPE = "text/csv; charset=utf-8"
CONTENT_TYPES = {ExportFormat.XLSX: XLSX_TYPE, ExportFormat.CSV: CSV_TYPE}


def csv_cell(value: Any) -> Any:
    """A cell as text a Vietnamese reader expects: dates dd/mm/yyyy, nothing for None, and
    text a spreadsheet would run as a formula neutralised (``safe_cell``)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return safe_cell(value)


def csv_write(target: IO[bytes], *, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Comma-separated UTF-8 with a byte-order mark, which Excel needs to read Vietnamese
    letters rather than guessing the machine's code page; returns the rows written."""
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(str(h)) for h in headers])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        count += 1
    text.flush()
    text.detach()  # the caller closes ``target``
    return count


def rows_write(
    target: IO[bytes],
    *,
    fmt: str,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Write ``rows`` in format ``fmt`` (xlsx or csv) to ``target``; returns the rows written."""
    if fmt == ExportFormat.CSV:
        return csv_write(target, headers=headers, rows=rows)
    return xlsx_write(target, sheet=sheet, headers=headers, rows=rows)
