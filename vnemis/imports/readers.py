"""Reading CSV and XLSX files into a header and rows, refusing what is unsafe or unreadable.

Every refusal is a ``ReadError`` with a Vietnamese message that says what to do.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

# Bytes typical of Vietnamese text in legacy 8-bit encodings that Python cannot decode:
# TCVN3 (ABC) puts lower-case accented letters at 0xB5–0xFE, VNI spreads tone marks over
# Latin-1 punctuation. Decoded as Windows-1258 they show up as symbols and diaereses that
# Vietnamese text never contains.
_LEGACY_MARKERS = set("µ¸¶·¹¨»¾¼½©®ª×Þß§¦¥¤£¢¡¬°±²³¿«äëïöüÿÄËÏÖÜ")


class ReadError(ValueError):
    """The file cannot be read as a table; the message tells the user why and what to do."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (line number in the file, cells)


def _max_bytes() -> int:
    return int(getattr(settings, "VNEMIS_IMPORT_MAX_BYTES", 100 * 1024 * 1024))


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace"))
    odd = sum(1 for c in text if c in _LEGACY_MARKERS)
    letters = sum(1 for c in text if c.isalpha())
    if "\ufffd" in text or (letters and odd / letters > 0.02):
        raise ReadError(
            _(
                "The file is not in UTF-8 and looks like a legacy Vietnamese encoding (TCVN3 or "
                "VNI). Open it in Excel and save it as 'CSV UTF-8', or upload the .xlsx file."
            )
        )
    return text  # Windows-1258, as Excel on Vietnamese Windows writes CSV


def _csv(raw: bytes) -> list[list[Any]]:
    text = _decode(raw)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _xlsx(path: Path) -> list[list[Any]]:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ReadError(_("The Excel file is damaged or is not an .xlsx file.")) from exc
    # A zip bomb: tiny on disk, huge unpacked. Refused before any cell is parsed.
    if unpacked > 10 * _max_bytes():
        raise ReadError(
            _("The Excel file unpacks to more than {mb} MB; split it into smaller files.").format(
                mb=10 * _max_bytes() // 2**20
            )
        )
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        return [list(row) for row in sheet.to_python(skip_empty_area=False)]
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise ReadError(_("The Excel file cannot be read: {error}").format(error=exc)) from exc


def read_table(path: Path, *, name: str) -> Table:
    """The first sheet (or the CSV) as a header row and numbered data rows."""
    size = path.stat().st_size
    if size == 0:
        raise ReadError(_("The file is empty."))
    if size > _max_bytes():
        raise ReadError(
            _("The file is larger than {mb} MB; split it into smaller files.").format(
                mb=_max_bytes() // 2**20
            )
        )
    suffix = Path(name).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        cells = _xlsx(path)
    elif suffix in {".csv", ".txt"}:
        cells = _csv(path.read_bytes())
    else:
        raise ReadError(_("Upload an .xlsx or .csv file."))
    numbered = [
        (i + 1, row)
        for i, row in enumerate(cells)
        if any(str(c).strip() for c in row if c is not None)
    ]
    if not numbered:
        raise ReadError(_("The file has no rows."))
    (_line, header), *rows = numbered
    headers = [str(h).strip() if h is not None else "" for h in header]
    if not rows:
        raise ReadError(_("The file has a header row but no data."))
    return Table(headers, rows)


def iter_records(table: Table, columns: dict[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each data row as {column key: cell}, using the matched column positions."""
    for line, row in table.rows:
        yield line, {key: (row[i] if i < len(row) else None) for key, i in columns.items()}
