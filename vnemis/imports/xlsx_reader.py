"""Reading the first sheet of an XLSX workbook cell by cell (``readers.open_table`` calls it).

Nothing a file says about itself is taken on trust. An XLSX sheet declares its dimensions and
its parts declare their unpacked sizes; a reader that allocates by the declared size is killed
by a 5 KB file with one cell at ``XFD1048576``. Here the zip archive is checked before anything
is unpacked (``core.archives``), and the sheet is streamed cell by cell, so memory follows the
cells actually present. A value beyond the column cap, an overlong cell, a huge shared-string
table or a DTD (entity expansion) is refused with a message naming where it is.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from math import isfinite
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _

from vnemis.core.archives import ArchiveRefused, zip_archive_check
from vnemis.imports.tables import (
    CHUNK,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    ReadError,
    max_bytes,
)

# The shared-string table is the one part of a workbook held in memory whole.
MAX_SHARED_STRINGS = 5_000_000
MAX_SHARED_BYTES = 256 * 2**20  # unpacked XML of the table
MAX_PART_BYTES = 16 * 2**20  # the workbook, its relationships and its styles, unpacked

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
    parser.buffer_size = CHUNK
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    return parser


def _feed(stream: IO[bytes], parser: Any) -> Iterator[None]:
    """Feed a zip member to an expat parser chunk by chunk, pausing after each chunk."""
    while chunk := stream.read(CHUNK):
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


def xlsx_open(path: Path) -> tuple[Iterator[tuple[int, list[Any]]], int, list[str]]:
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
        members = zip_archive_check(path, max_unpacked=10 * max_bytes())
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
