"""The streamed XLSX writer: what openpyxl (and so Excel and LibreOffice) read back."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.test import SimpleTestCase
from openpyxl import load_workbook

from vnemis.core.spreadsheet import XlsxWriter, column_letters, sheet_title


def _written(rows: Sequence[Sequence[Any]], headers: list[str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with XlsxWriter(buffer, sheet="Học sinh", headers=headers or ["Mã", "Tên"]) as writer:
        writer.write_rows(rows)
    return buffer.getvalue()


class XlsxWriterTests(SimpleTestCase):
    def test_values_read_back_with_their_types(self) -> None:
        """Vietnamese text, numbers, a date shown dd/mm/yyyy, an empty cell, a boolean."""
        data = _written(
            [
                [
                    "10082001",
                    "Trường Tiểu học Bát Xát",
                    601,
                    Decimal("12.5"),
                    dt.date(2022, 6, 30),
                    None,
                    True,
                ]
            ],
            headers=["Mã", "Tên", "Số học sinh", "Tỷ lệ", "Ngày", "Trống", "Có"],
        )
        sheet = load_workbook(io.BytesIO(data)).active
        self.assertEqual(sheet.title, "Học sinh")
        header = [c.value for c in sheet[1]]
        self.assertEqual(header, ["Mã", "Tên", "Số học sinh", "Tỷ lệ", "Ngày", "Trống", "Có"])
        self.assertTrue(sheet["A1"].font.b)
        self.assertFalse(sheet["A2"].font.b)
        row = [c.value for c in sheet[2]]
        self.assertEqual(row[:4], ["10082001", "Trường Tiểu học Bát Xát", 601, 12.5])
        self.assertEqual(row[4].date(), dt.date(2022, 6, 30))
        self.assertEqual(sheet["E2"].number_format, "dd/mm/yyyy")
        self.assertEqual((row[5], row[6]), (None, True))

    def test_formulas_are_neutralised_and_illegal_characters_dropped(self) -> None:
        data = _written([['=HYPERLINK("x")', "Nguyễn\x00Văn\x0b A", "a & <b>", "  lề  "]])
        sheet = load_workbook(io.BytesIO(data)).active
        self.assertEqual(sheet["A2"].value, '\'=HYPERLINK("x")')
        self.assertEqual(sheet["A2"].data_type, "s")
        self.assertEqual(sheet["B2"].value, "NguyễnVăn A")
        self.assertEqual(sheet["C2"].value, "a & <b>")
        self.assertEqual(sheet["D2"].value, "  lề  ")

    def test_date_times_are_local_and_shown_with_the_time(self) -> None:
        moment = dt.datetime(2022, 6, 30, 1, 30, tzinfo=dt.UTC)  # 08:30 in Hà Nội
        sheet = load_workbook(io.BytesIO(_written([[moment]]))).active
        local = sheet["A2"].value
        self.assertEqual((local.date(), local.hour, local.minute), (dt.date(2022, 6, 30), 8, 30))
        self.assertEqual(sheet["A2"].number_format, "dd/mm/yyyy hh:mm")

    def test_nan_and_infinity_are_text_not_broken_numbers(self) -> None:
        sheet = load_workbook(io.BytesIO(_written([[float("nan"), Decimal("Infinity")]]))).active
        self.assertEqual((sheet["A2"].value, sheet["B2"].value), ("nan", "Infinity"))

    def test_column_letters_and_sheet_titles(self) -> None:
        self.assertEqual(
            [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)],
            ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"],
        )
        self.assertEqual(sheet_title("a/b:c*d?[e]"), "a-b-c-d--e-")
        self.assertEqual(sheet_title("Quý III/2022"), "Quý III-2022")
        self.assertEqual(len(sheet_title("x" * 50)), 31)
