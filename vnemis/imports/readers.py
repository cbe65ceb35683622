"""Reading CSV and XLSX files into a header and rows, refusing what is unsafe or unreadable.

Every refusal is a ``ReadError`` with a Vietnamese message that says what to do. CSV files are
read here; XLSX workbooks by ``xlsx_reader``, which trusts nothing a workbook says about
itself.
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from vnemis.imports.tables import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    ReadError,
    Table,
    TableStream,
    max_bytes,
)
from vnemis.imports.xlsx_reader import xlsx_open

__all__ = [
    "CSV_MAX_FIELD",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "ReadError",
    "Table",
    "TableStream",
    "iter_records",
    "open_table",
    "read_table",
]

# Bytes typical of Vietnamese text in legacy 8-bit encodings that Python cannot decode:
# TCVN3 (ABC) puts lower-case accented letters at 0xB5–0xFE, VNI spreads tone marks over
# Latin-1 punctuation. Decoded as Windows-1258 they show up as symbols and diaereses that
# Vietnamese text never contains.
_LEGACY_MARKERS = set("µ¸¶·¹¨»¾¼½©®ª×Þß§¦¥¤£¢¡¬°±²³¿«äëïöüÿÄËÏÖÜ")

CSV_MAX_FIELD = 128 * 1024  # characters in one CSV cell

_SAMPLE = 1 << 16


def _encoding(sample: bytes) -> str:
    """The encoding of a CSV file, judged from its first bytes."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        # Incremental: a character cut at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    text = unicodedata.normalize("NFC", sample.decode("cp1258", errors="replace"))
    odd = sum(1 for c in text if c in _LEGACY_MARKERS)
    letters = sum(1 for c in text if c.isalpha())
    if "\ufffd" in text or (letters and odd / letters > 0.02):
        raise ReadError(_legacy_message())
    return "cp1258"  # Windows-1258, as Excel on Vietnamese Windows writes CSV


def _legacy_message() -> str:
    return _(
        "The file is not in UTF-8 and looks like a legacy Vietnamese encoding (TCVN3 or "
        "VNI). Open it in Excel and save it as 'CSV UTF-8', or upload the .xlsx file."
    )


def _nfc_lines(handle: Iterable[str]) -> Iterator[str]:
    # Windows-1258 writes many letters as a base letter and a combining tone mark, and files
    # from macOS may be decomposed: every line is recomposed so "ễ" is one character.
    normalize = unicodedata.normalize
    for line in handle:
        yield line if line.isascii() else normalize("NFC", line)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """The records of a CSV file, numbered from 1 as a spreadsheet numbers its rows."""
    with path.open("rb") as raw:
        sample = raw.read(_SAMPLE)
    encoding = _encoding(sample)
    head = sample.decode(encoding, errors="ignore")[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(head, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # The limit is the csv module's (process-wide) setting; it is set on every read so that
    # no other code can have raised it. An unclosed quote makes one "cell" of the rest of
    # the file: the limit stops it with the line where it starts.
    csv.field_size_limit(CSV_MAX_FIELD)
    line = 0
    with path.open(encoding=encoding, newline="") as handle:
        try:
            for line, row in enumerate(csv.reader(_nfc_lines(handle), dialect), start=1):
                yield line, row
        except UnicodeDecodeError as exc:
            raise ReadError(
                _(
                    "The file mixes encodings: byte {position} is not {encoding}. Save the "
                    "whole file as 'CSV UTF-8' and upload it again."
                ).format(position=exc.start, encoding=encoding.upper())
            ) from exc
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise ReadError(
                    _(
                        "Line {line}: a cell is longer than {limit} characters. Usually a "
                        "quotation mark is not closed; check that line and upload the file "
                        "again."
                    ).format(line=line + 1, limit=CSV_MAX_FIELD)
                ) from exc
            raise ReadError(
                _("Line {line} cannot be read as CSV ({error}); check that line.").format(
                    line=line + 1, error=exc
                )
            ) from exc


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            lines += chunk.count(b"\n")
    return lines


def _filled(row: list[Any]) -> bool:
    """Whether a row has any content (blank rows are skipped, as a person reading would)."""
    try:
        return bool("".join(row).strip())  # CSV rows: all text
    except TypeError:
        return any(c is not None and str(c).strip() for c in row)


@contextmanager
def open_table(path: Path, *, name: str) -> Iterator[TableStream]:
    """The first sheet (or the CSV) as a header row and lazily read, numbered data rows.

    Blank rows are skipped; line numbers are those of the file, as a user sees them in Excel.
    Reading errors found later in the file (a bad byte at line 80,000) raise ``ReadError``
    from the iteration.
    """
    size = path.stat().st_size
    if size == 0:
        raise ReadError(_("The file is empty."))
    if size > max_bytes():
        raise ReadError(
            _("The file is larger than {mb} MB; split it into smaller files.").format(
                mb=max_bytes() // 2**20
            )
        )
    suffix = Path(name).suffix.lower()
    notes: list[str] = []
    cells: Iterator[tuple[int, list[Any]]]
    if suffix in {".xlsx", ".xlsm"}:
        cells, height, notes = xlsx_open(path)
    elif suffix in {".csv", ".txt"}:
        cells, height = _csv_rows(path), _count_lines(path)
    else:
        raise ReadError(_("Upload an .xlsx or .csv file."))
    numbered = (pair for pair in cells if _filled(pair[1]))
    try:
        first = next(numbered, None)
        if first is None:
            raise ReadError(_("The file has no rows."))
        headers = [str(h).strip() if h is not None else "" for h in first[1]]
        second = next(numbered, None)
        if second is None:
            raise ReadError(_("The file has a header row but no data."))

        def rows() -> Iterator[tuple[int, list[Any]]]:
            yield second
            yield from numbered

        yield TableStream(headers, rows(), max(1, height - first[0]), notes)
    finally:
        numbered.close()
        close = getattr(cells, "close", None)
        if close is not None:
            close()


def read_table(path: Path, *, name: str) -> Table:
    """The whole table in memory (small files: templates, tests)."""
    with open_table(path, name=name) as table:
        return Table(table.headers, list(table.rows))


def iter_records(
    rows: Iterable[tuple[int, list[Any]]], columns: dict[str, int]
) -> Iterator[tuple[int, list[Any], dict[str, Any]]]:
    """Each data row as (line, cells, {column key: cell}), using the matched positions."""
    for line, row in rows:
        width = len(row)
        yield line, row, {key: (row[i] if i < width else None) for key, i in columns.items()}
