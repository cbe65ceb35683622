"""Worked examples of the 12-digit personal ID number (NĐ 137/2015 Art. 13)."""

from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase

from vnemis.core.text import fold
from vnemis.people.identity import century_sex_digit, national_id_problems


class NationalIdTests(SimpleTestCase):
    def test_century_sex_digit(self) -> None:
        self.assertEqual(century_sex_digit(birth_year=1985, sex="M"), 0)
        self.assertEqual(century_sex_digit(birth_year=1985, sex="F"), 1)
        self.assertEqual(century_sex_digit(birth_year=2013, sex="M"), 2)
        self.assertEqual(century_sex_digit(birth_year=2013, sex="F"), 3)
        self.assertEqual(century_sex_digit(birth_year=2101, sex="F"), 5)

    def test_valid_numbers(self) -> None:
        # Hà Nội 001, a boy born 2013; Lào Cai 010, a woman born 1985.
        self.assertEqual(
            national_id_problems("001213004567", birth_date=dt.date(2013, 4, 1), sex="M"), []
        )
        self.assertEqual(
            national_id_problems("010185123456", birth_date=dt.date(1985, 1, 1), sex="F"), []
        )

    def test_each_rule(self) -> None:
        born = dt.date(2013, 4, 1)
        self.assertEqual(len(national_id_problems("01021300456", birth_date=born, sex="M")), 1)
        self.assertEqual(len(national_id_problems("01021300456X", birth_date=born, sex="M")), 1)
        # 003 was never a province code.
        self.assertEqual(len(national_id_problems("003213004567", birth_date=born, sex="M")), 1)
        # G = 3 says a girl.
        self.assertEqual(len(national_id_problems("001313004567", birth_date=born, sex="M")), 1)
        # G = 0 says 1900s; YY = 14 says 2014.
        self.assertEqual(len(national_id_problems("001014004567", birth_date=born, sex="M")), 2)

    def test_fold(self) -> None:
        self.assertEqual(fold("Nguyễn  Đức Thắng"), "nguyen duc thang")
        self.assertEqual(fold("Giàng A Páo"), "giang a pao")
