"""Periods named as officials write them, in Vietnamese and in English."""

from __future__ import annotations

from django.test import SimpleTestCase
from django.utils import translation

from vnemis.core.text import fold
from vnemis.indicators.periods import PeriodError, parse_period, parse_period_text

CASES = (
    # code, Vietnamese, English
    ("2022H1", "6 tháng đầu năm 2022", "First half of 2022"),
    ("2022H2", "6 tháng cuối năm 2022", "Second half of 2022"),
    ("2022Q1", "Quý I/2022", "Q1 2022"),
    ("2022Q2", "Quý II/2022", "Q2 2022"),
    ("2022Q3", "Quý III/2022", "Q3 2022"),
    ("2022Q4", "Quý IV/2022", "Q4 2022"),
    ("2022", "Năm 2022", "Year 2022"),
    ("2021-2022", "Năm học 2021-2022", "School year 2021-2022"),
)


class PeriodLabelTests(SimpleTestCase):
    def test_vietnamese_labels_of_every_kind(self) -> None:
        """Half-years, quarters (Roman numerals), years and school years read as in the
        Department's documents."""
        with translation.override("vi"):
            for code, vietnamese, _english in CASES:
                with self.subTest(code=code):
                    self.assertEqual(parse_period(code).label, vietnamese)

    def test_english_labels_of_every_kind(self) -> None:
        """The English interface names the same periods in English."""
        with translation.override("en"):
            for code, _vietnamese, english in CASES:
                with self.subTest(code=code):
                    self.assertEqual(parse_period(code).label, english)

    def test_lowercase_code_gives_the_same_label(self) -> None:
        """A code typed in lower case ("2022h2") is the same period with the same name."""
        with translation.override("en"):
            self.assertEqual(parse_period("2022h2").label, "Second half of 2022")
            self.assertEqual(parse_period("2023q4").label, "Q4 2023")

    def test_labels_read_back_as_their_periods(self) -> None:
        """What officials write is read as the period it names: every Vietnamese label, in
        any case and without diacritics, and the codes themselves."""
        for code, vietnamese, _english in CASES:
            with self.subTest(code=code):
                self.assertEqual(parse_period_text(vietnamese).code, code)
                self.assertEqual(parse_period_text(vietnamese.upper()).code, code)
                self.assertEqual(parse_period_text(fold(vietnamese)).code, code)
                self.assertEqual(parse_period_text(code).code, code)
        self.assertEqual(parse_period_text("Quý 3/2022").code, "2022Q3")
        self.assertEqual(parse_period_text("Năm học 2021 – 2022").code, "2021-2022")
        with self.assertRaises(PeriodError):
            parse_period_text("6 tháng giữa năm 2022")
