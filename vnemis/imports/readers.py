"""Reading CSV and XLSX files into a header and rows, refusing what is unsafe or unreadable.

Every refusal is a ``ReadError`` with a Vietnamese message that says what to do.

Nothing a file says about itself is taken on trust. An XLSX sheet declares its dimensions and
its parts declare their unpacked sizes; a reader that allocates by the declared size is killed
by a 5 KB file with one cell at ``XFD1048576``. Here the zip archive is checked before anything
is unpacked (``core.archives``), and the sheet is streamed cell by cell, so memory follows the
cells actually present. A value beyond the column cap, an overlong cell, a huge shared-string
table or a DTD (entity expansion) is refused with a message naming where it is.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from math import isfinite
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from vnemis.core.archives import ArchiveRefused, zip_archive_check

# Bytes typical of Vietnamese text in legacy 8-bit encodings that Python cannot decode:
# TCVN3 (ABC) puts lower-case accented letters at 0xB5–0xFE, VNI spreads tone marks over
# Latin-1 punctuation. Decoded as Windows-1258 they show up as symbols and diaereses that
# Vietnamese text never contains.
_LEGACY_MARKERS = set("µ¸¶·¹¨»¾¼½©®ª×Þß§¦¥¤£¢¡¬°±²³¿«äëïöüÿÄËÏÖÜ")

# Caps that no real list reaches. The import templates have fewer than 40 columns.
MAX_COLUMNS = 500
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell
CSV_MAX_FIELD = 128 * 1024  # characters in one CSV cell
# The shared-string table is the one part of a workbook held in memory whole.
MAX_SHARED_STRINGS = 5_000_000
MAX_SHARED_BYTES = 256 * 2**20  # unpacked XML of the table
MAX_PART_BYTES = 16 * 2**20  # the workbook, its relationships and its styles, unpacked

_CHUNK = 1 << 16


class ReadError(ValueError):
    """The file cannot be read as a table; the message tells the user why and what to do."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (line number in the file, cells)


def _max_bytes() -> int:
    return int(getattr(settings, "VNEMIS_IMPORT_MAX_BYTES", 100 * 1024 * 1024))


@dataclass
class TableStream:
    """A table read lazily: the header now, the rows as they are iterated."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    size_hint: int  # about how many data rows (lines in a CSV), for progress bars
    # What the user should know about how the file was read (shown as warnings on the job).
    notes: list[str] = field(default_factory=list)


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


# --- XLSX ----------------------------------------------------------------------------------

_REL_DOCUMENT = "/officeDocument"
_REL_SHEET = "/worksheet"
_REL_SHARED = "/sharedStrings"
_REL_STYLES = "/styles"

# Built-in number formats that show a date or a time (ECMA-376 18.8.30 and the East Asian
# additions Excel uses); 46 is an elapsed time ([h]:mm:ss).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)])
_DURATION_FORMAT_IDS = frozenset([46])
# In a format code: quoted text, escaped characters, padding and fill characters.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|_.|\*.')
_FORMAT_BRACKETS = re.compile(r"\[([^\]]*)\]")
_ELAPSED = re.compile(r"[hHmMsS]+")
_DATE_LETTERS = re.compile(r"[dmyhsDMYHS]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _column_name(index: int) -> str:
    """Spreadsheet letters of a 0-based column index (0 → A, 26 → AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _column_index(ref: str) -> int:
    """The 0-based column of a cell reference such as "XFD1048576"; -1 when it has none."""
    index = 0
    for char in ref:
        code = ord(char) - 64
        if code > 26:
            code -= 32  # lower case
        if not 1 <= code <= 26:
            break
        index = index * 26 + code
    return index - 1


def _unescape(text: str) -> str:
    # OOXML writes control characters as _xHHHH_ (and a literal "_x" as _x005F_).
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _format_kind(code: str) -> str | None:
    """What a number format code shows: a date or time ("date"), an elapsed time
    ("duration"), or neither (None)."""
    code = _FORMAT_LITERALS.sub("", code)
    brackets = _FORMAT_BRACKETS.findall(code)
    if any(_ELAPSED.fullmatch(b) for b in brackets):
        return "duration"
    section = _FORMAT_BRACKETS.sub("", code).split(";")[0]
    return "date" if _DATE_LETTERS.search(section) else None


def _excel_moment(value: float, *, kind: str, date1904: bool) -> Any:
    """An Excel serial number shown with a date format, as Python shows it."""
    if kind == "duration":
        return dt.timedelta(days=value)
    # Serial 60 is Excel's fictitious 29 February 1900: in the 1900 date system the days
    # before it count from the 31 December 1899, the days after it from the 30th.
    base = (
        dt.datetime(1904, 1, 1)  # noqa: DTZ001 a calendar date, no zone
        if date1904
        else dt.datetime(1899, 12, 31 if value < 60 else 30)  # noqa: DTZ001
    )
    millis = round(value * 86_400_000)
    try:
        moment = base + dt.timedelta(milliseconds=millis)
    except OverflowError:
        return value
    if 0 <= value < 1:
        return moment.time()
    if millis % 86_400_000 == 0:
        return moment.date()
    return moment


def _local(name: str) -> str:
    """An XML element or attribute name without its namespace prefix ("x:c" → "c")."""
    return name[name.find(":") + 1 :]


def _refuse_doctype(*_args: Any) -> None:
    # No part of a workbook has a DTD; one can only be there to expand entities.
    raise ReadError(_("The Excel file is damaged or is not an .xlsx file."))


def _parser() -> Any:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = _CHUNK
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    return parser


def _feed(stream: IO[bytes], parser: Any) -> Iterator[None]:
    """Feed a zip member to an expat parser chunk by chunk, pausing after each chunk."""
    while chunk := stream.read(_CHUNK):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def _scan(
    archive: zipfile.ZipFile, name: str, start: Callable[[str, dict[str, str]], None]
) -> None:
    """Stream a small part (relationships, workbook, styles) through a start-tag handler.

    What the handlers keep grows with the part (a style per ``<xf>``), so a part larger than
    any workbook has is refused unread."""
    if archive.getinfo(name).file_size > MAX_PART_BYTES:
        raise ReadError(_("The Excel file is damaged or is not an .xlsx file."))
    parser = _parser()
    parser.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)
    with archive.open(name) as stream:
        for _step in _feed(stream, parser):
            pass


def _relations(archive: zipfile.ZipFile, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, member name) of a part (targets resolved against it)."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if rels not in names:
        return found

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            member = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), member)

    _scan(archive, rels, start)
    return found


@dataclass
class _Workbook:
    sheet: str
    shared: str | None
    styles: str | None
    date1904: bool


def _workbook(archive: zipfile.ZipFile, names: set[str]) -> _Workbook:
    """Where the first sheet, the shared strings and the styles are, and the date system."""
    document = next(
        (m for t, m in _relations(archive, "", names).values() if t.endswith(_REL_DOCUMENT)),
        "xl/workbook.xml",
    )
    if document not in names:
        raise ReadError(_("The Excel file is damaged or is not an .xlsx file."))
    first: list[str] = []
    date1904 = [False]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "sheet" and not first:
            first.extend(v for k, v in attrs.items() if _local(k) == "id")
        elif tag == "workbookPr":
            date1904[0] = attrs.get("date1904", "") in {"1", "true"}

    _scan(archive, document, start)
    relations = _relations(archive, document, names)
    by_type = {t.rsplit("/", 1)[-1]: m for t, m in relations.values()}
    sheet = relations[first[0]][1] if first and first[0] in relations else None
    if sheet is None or sheet not in names:
        raise ReadError(_("The Excel file has no worksheet; save it again as an .xlsx file."))
    shared = by_type.get(_REL_SHARED[1:])
    styles = by_type.get(_REL_STYLES[1:])
    return _Workbook(
        sheet=sheet,
        shared=shared if shared in names else None,
        styles=styles if styles in names else None,
        date1904=date1904[0],
    )


def _date_styles(archive: zipfile.ZipFile, name: str | None) -> dict[str, str]:
    """Cell style index (as written in a cell's ``s``) → "date" or "duration"."""
    if name is None:
        return {}
    custom: dict[str, str] = {}
    xf_formats: list[str] = []
    state = {"in_xfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt":
            custom[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            state["in_xfs"] = True
        elif tag == "xf" and state["in_xfs"]:
            xf_formats.append(attrs.get("numFmtId", "0"))
        elif tag in {"cellStyles", "dxfs"}:
            state["in_xfs"] = False

    _scan(archive, name, start)
    kinds: dict[str, str] = {}
    for index, format_id in enumerate(xf_formats):
        if format_id in custom:
            kind = _format_kind(custom[format_id])
        elif format_id.isdigit() and int(format_id) in _DATE_FORMAT_IDS:
            kind = "date"
        elif format_id.isdigit() and int(format_id) in _DURATION_FORMAT_IDS:
            kind = "duration"
        else:
            kind = None
        if kind:
            kinds[str(index)] = kind
    return kinds


def _too_long(where: str | None) -> ReadError:
    if where is None:  # in the shared-string table, not yet in a cell
        return ReadError(
            _(
                "A text in the Excel file is longer than {limit} characters, more than Excel "
                "allows; the file was not made by Excel or is damaged."
            ).format(limit=MAX_CELL_CHARS)
        )
    return ReadError(
        _(
            "Cell {cell} holds more than {limit} characters, more than Excel allows; the "
            "file was not made by Excel or is damaged."
        ).format(cell=where, limit=MAX_CELL_CHARS)
    )


def _shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo | None) -> list[str]:
    """The shared-string table, refused when it is larger than any real list needs."""
    if info is None:
        return []
    if info.file_size > MAX_SHARED_BYTES:
        raise ReadError(
            _(
                "The Excel file's text table unpacks to more than {mb} MB; split the file "
                "into smaller files."
            ).format(mb=MAX_SHARED_BYTES // 2**20)
        )
    strings: list[str] = []
    parts: list[str] = []
    state = {"text": False, "phonetic": False, "length": 0}

    def start(tag: str, _attrs: dict[str, str]) -> None:
        if tag == "t" and not state["phonetic"]:
            state["text"] = True
        elif tag == "rPh":
            state["phonetic"] = True
        elif tag == "si":
            parts.clear()
            state["length"] = 0

    def end(tag: str) -> None:
        tag = _local(tag)
        if tag == "t":
            state["text"] = False
        elif tag == "rPh":
            state["phonetic"] = False
        elif tag == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                raise ReadError(
                    _(
                        "The Excel file holds more than {count} different texts; split it "
                        "into smaller files."
                    ).format(count=MAX_SHARED_STRINGS)
                )
            strings.append(_unescape("".join(parts)))

    def chars(data: str) -> None:
        if state["text"]:
            state["length"] += len(data)
            if state["length"] > MAX_CELL_CHARS:
                raise _too_long(None)
            parts.append(data)

    parser = _parser()
    parser.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    with archive.open(info) as stream:
        for _step in _feed(stream, parser):
            pass
    return strings


# Local names of the worksheet elements the reader acts on; every other element maps to "".
_SHEET_TAGS = frozenset(["c", "v", "t", "row", "rPh"])


class _SheetReader:
    """The rows of a worksheet's XML, collected as expat reports them.

    Only cells present in the XML take memory; a row becomes a list as wide as its last
    non-empty cell (or the widest row before it). Values come out as calamine gave them
    before: text as ``str``, numbers as ``float``, dates by the cell's number format as
    ``date``/``datetime``/``time`` (elapsed times as ``timedelta``), booleans as ``bool``,
    empty cells as ``""``; an error cell gives its text (``#N/A``), where calamine gave "".
    A formula cell gives its cached value; the formula itself is never read. Columns count
    from A, where calamine counted from the first column in use.

    The handlers run once per element of a sheet that may hold millions of cells, so they
    are written for speed: tag names and column letters are looked up in dictionaries.
    """

    def __init__(self, *, shared: list[str], styles: dict[str, str], date1904: bool) -> None:
        self.shared, self.styles, self.date1904 = shared, styles, date1904
        self.done: list[tuple[int, list[Any]]] = []
        self.row_number = 0
        self.width = 0
        self.cells: list[Any] = []
        self.column = -1
        self.ref: str | None = None
        self.kind = "n"
        self.style: str | None = None
        self.parts: list[str] = []
        self.length = 0
        self.collecting = False
        self.phonetic = False
        self.tags: dict[str, str] = {}
        self.columns: dict[str, int] = {}
        parser = _parser()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        self.parser = parser

    def local(self, tag: str) -> str:
        local = _local(tag)
        self.tags[tag] = local = local if local in _SHEET_TAGS else ""
        return local

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = self.tags.get(tag)
        if local is None:
            local = self.local(tag)
        if local == "c":
            ref = self.ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                column = self.columns.get(letters)
                if column is None:
                    column = self.columns[letters] = _column_index(letters)
                self.column = column
            else:
                self.column += 1
            self.kind = attrs.get("t", "n")
            self.style = attrs.get("s")
            self.parts = []
            self.length = 0
        elif local == "v":
            self.collecting = True
        elif local == "t":
            # In a worksheet, <t> is the text of an inline string (or of its phonetic run).
            self.collecting = not self.phonetic
        elif local == "row":
            number = attrs.get("r")
            self.row_number = int(number) if number and number.isdigit() else self.row_number + 1
            if self.row_number > MAX_ROWS:
                raise ReadError(
                    _("Row {row} is beyond the last row Excel allows; the file is damaged.").format(
                        row=self.row_number
                    )
                )
            self.cells = []
            self.column = -1
        elif local == "rPh":
            self.phonetic = True

    def end(self, tag: str) -> None:
        local = self.tags.get(tag)
        if local == "c":
            self.cell()
        elif local == "v" or local == "t":
            self.collecting = False
        elif local == "row":
            cells = self.cells
            # As wide as the widest row so far (the header, usually), as calamine gave them,
            # so that the error report's columns line up.
            if len(cells) < self.width:
                cells.extend([""] * (self.width - len(cells)))
            else:
                self.width = len(cells)
            self.done.append((self.row_number, cells))
        elif local == "rPh":
            self.phonetic = False

    def chars(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length > MAX_CELL_CHARS:
                raise _too_long(self.where())
            self.parts.append(data)

    def where(self) -> str:
        return self.ref or f"{_column_name(max(self.column, 0))}{self.row_number}"

    def cell(self) -> None:
        parts = self.parts
        raw = parts[0] if len(parts) == 1 else "".join(parts)
        kind = self.kind
        value: Any
        if kind == "inlineStr" or kind == "str":
            value = _unescape(raw)
        elif kind == "n":
            if not raw:
                return
            try:
                value = float(raw)
            except ValueError:
                raise self.damaged() from None
            if not isfinite(value):  # Excel writes no NaN or infinity
                raise self.damaged()
            style = self.style
            if style is not None and style in self.styles:
                value = _excel_moment(value, kind=self.styles[style], date1904=self.date1904)
        elif kind == "s":
            try:
                value = self.shared[int(raw)]
            except (ValueError, IndexError):
                raise self.damaged() from None
        elif kind == "b":
            value = raw.strip() in {"1", "true"}
        elif kind == "d":
            try:
                value = dt.datetime.fromisoformat(raw)
            except ValueError:
                value = raw
        else:  # "e": an error such as #N/A, given as its text
            value = raw
        if value == "":
            return
        column = self.column
        if column < 0:
            raise self.damaged()
        if column >= MAX_COLUMNS:
            raise ReadError(
                _(
                    "Cell {cell} is beyond column {last}: a list for import has at most "
                    "{count} columns. Delete everything right of the table and upload the "
                    "file again."
                ).format(cell=self.where(), last=_column_name(MAX_COLUMNS - 1), count=MAX_COLUMNS)
            )
        cells = self.cells
        width = len(cells)
        if column == width:
            cells.append(value)
        elif column > width:
            cells.extend([""] * (column - width))
            cells.append(value)
        else:
            cells[column] = value

    def damaged(self) -> ReadError:
        return ReadError(
            _("Cell {cell} of the Excel file is damaged; save the file again in Excel.").format(
                cell=self.where()
            )
        )


def _xlsx_size_hint(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """About how many rows the sheet has, for the progress bar only: the declared last row,
    bounded by what the sheet's size can hold (a declared size is never trusted)."""
    with archive.open(info) as stream:
        head = stream.read(4096).decode("utf-8", errors="ignore")
    declared = re.search(r"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"", head)
    last = int(declared.group(1)) if declared else MAX_ROWS
    return max(1, min(last, info.file_size // 40))


_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


def _xlsx_open(path: Path) -> tuple[Iterator[tuple[int, list[Any]]], int, list[str]]:
    """The first sheet's rows, streamed; refused before anything is unpacked if the archive
    is damaged, holds too many parts, unpacks too large or is compressed like a bomb."""
    with path.open("rb") as raw:
        magic = raw.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE file: an old .xls workbook, or an .xlsx encrypted with a password.
        raise ReadError(
            _(
                "The file is an old .xls workbook or is protected with a password. Open it in "
                "Excel, remove the password if there is one, and save it as .xlsx."
            )
        )
    if not zipfile.is_zipfile(path):
        raise ReadError(_("The Excel file is damaged or is not an .xlsx file."))
    try:
        members = zip_archive_check(path, max_unpacked=10 * _max_bytes())
    except ArchiveRefused as exc:
        raise ReadError(str(exc)) from exc
    archive = zipfile.ZipFile(path)
    try:
        infos = {m.filename: m for m in members}
        names = set(infos)
        book = _workbook(archive, names)
        shared = _shared_strings(archive, infos.get(book.shared) if book.shared else None)
        styles = _date_styles(archive, book.styles)
        hint = _xlsx_size_hint(archive, infos[book.sheet])
    except ReadError:
        archive.close()
        raise
    except (*_DAMAGE, expat.ExpatError, KeyError, ValueError) as exc:
        archive.close()
        raise ReadError(_("The Excel file is damaged or is not an .xlsx file.")) from exc
    notes = []
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        notes.append(
            _(
                "The file contains macros. They were not run: only the values in the cells "
                "were read."
            )
        )
    return _xlsx_rows(archive, infos[book.sheet], shared, styles, book.date1904), hint, notes


def _xlsx_rows(
    archive: zipfile.ZipFile,
    sheet: zipfile.ZipInfo,
    shared: list[str],
    styles: dict[str, str],
    date1904: bool,
) -> Iterator[tuple[int, list[Any]]]:
    reader = _SheetReader(shared=shared, styles=styles, date1904=date1904)
    try:
        with archive.open(sheet) as stream:
            for _step in _feed(stream, reader.parser):
                if reader.done:
                    done, reader.done = reader.done, []
                    yield from done
    except ReadError:
        raise
    except expat.ExpatError as exc:
        raise ReadError(
            _("The Excel file is damaged near row {row} ({error}); save it again in Excel.").format(
                row=reader.row_number, error=expat.ErrorString(exc.code)
            )
        ) from exc
    except _DAMAGE as exc:
        raise ReadError(_("The Excel file is damaged or is not an .xlsx file.")) from exc
    finally:
        archive.close()


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
    if size > _max_bytes():
        raise ReadError(
            _("The file is larger than {mb} MB; split it into smaller files.").format(
                mb=_max_bytes() // 2**20
            )
        )
    suffix = Path(name).suffix.lower()
    notes: list[str] = []
    cells: Iterator[tuple[int, list[Any]]]
    if suffix in {".xlsx", ".xlsm"}:
        cells, height, notes = _xlsx_open(path)
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
