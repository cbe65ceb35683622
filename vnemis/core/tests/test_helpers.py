from __future__ import annotations

import datetime as dt
import io

from django.test import SimpleTestCase
from openpyxl import load_workbook

from vnemis.core.bulk import apportion
from vnemis.core.masking import mask_address, mask_phone, mask_tail
from vnemis.core.xlsx import safe_cell, xlsx_bytes


class MaskingTests(SimpleTestCase):
    def test_masks(self) -> None:
        self.assertEqual(mask_tail("010213000001"), "•••••••••001")
        self.assertEqual(mask_phone("0912345678"), "09••••••78")
        self.assertEqual(mask_address("Thôn A, Xã B, Bát Xát, Lào Cai"), "•••, Bát Xát, Lào Cai")
        self.assertEqual(mask_tail(""), "")


class ExcelTests(SimpleTestCase):
    def test_formula_injection_is_neutralised(self) -> None:
        for bad in ("=1+1", "+84", "-2", "@SUM(A1)"):
            self.assertEqual(safe_cell(bad), "'" + bad)
        self.assertEqual(safe_cell("Nguyễn"), "Nguyễn")
        self.assertEqual(safe_cell(-2), -2)
        data = xlsx_bytes(sheet="S", headers=["a"], rows=[["=cmd|' /C calc'!A0"]])
        sheet = load_workbook(io.BytesIO(data)).active
        self.assertEqual(sheet["A2"].value, "'=cmd|' /C calc'!A0")
        self.assertEqual(sheet["A2"].data_type, "s")

    def test_dates_are_date_cells_shown_day_first(self) -> None:
        data = xlsx_bytes(sheet="S", headers=["d"], rows=[[dt.date(2022, 6, 30)]])
        cell = load_workbook(io.BytesIO(data)).active["A2"]
        self.assertEqual(cell.value.date(), dt.date(2022, 6, 30))
        self.assertEqual(cell.number_format, "dd/mm/yyyy")


class ApportionTests(SimpleTestCase):
    def test_parts_add_up_exactly(self) -> None:
        self.assertEqual(apportion(10, [1, 1, 1]), [4, 3, 3])
        self.assertEqual(sum(apportion(228_322, [0.3, 1.7, 2.2, 0.9])), 228_322)
        with self.assertRaises(ValueError):
            apportion(5, [])
