from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import SimpleTestCase

from vnemis.reports.numbers import (
    format_decimal,
    format_int,
    format_percent,
    format_ratio,
    percent,
    vn_date_line,
    vn_date_line_blank,
    zero_pad,
)


class FormatIntTests(SimpleTestCase):
    def test_thousands_are_grouped_with_dots(self) -> None:
        self.assertEqual(format_int(168652), "168.652")
        self.assertEqual(format_int(228322), "228.322")
        self.assertEqual(format_int(1363), "1.363")
        self.assertEqual(format_int(1234567), "1.234.567")
        self.assertEqual(format_int(3218695), "3.218.695")

    def test_short_numbers_and_zero_have_no_separator(self) -> None:
        self.assertEqual(format_int(0), "0")
        self.assertEqual(format_int(7), "7")
        self.assertEqual(format_int(612), "612")

    def test_negative_numbers_keep_the_minus_outside_the_groups(self) -> None:
        self.assertEqual(format_int(-1234), "-1.234")
        self.assertEqual(format_int(-999), "-999")
        self.assertEqual(format_int(-1000000), "-1.000.000")

    def test_zero_pad_pads_counts_below_ten_only(self) -> None:
        self.assertEqual(zero_pad(1), "01")
        self.assertEqual(zero_pad(0), "00")
        self.assertEqual(zero_pad(11), "11")
        self.assertEqual(zero_pad(1363), "1.363")
        with self.assertRaises(ValueError):
            zero_pad(-1)


class FormatDecimalTests(SimpleTestCase):
    def test_comma_decimals_and_dot_thousands(self) -> None:
        self.assertEqual(format_decimal(Decimal("1234567.5"), 1), "1.234.567,5")
        self.assertEqual(format_decimal(1234567.5, 1), "1.234.567,5")
        self.assertEqual(format_decimal(8.3, 2), "8,30")
        self.assertEqual(format_decimal(1500000, 0), "1.500.000")
        self.assertEqual(format_decimal(1500000, 2), "1.500.000,00")

    def test_rounds_half_up_on_the_written_value(self) -> None:
        # 2.675 is 2.67499999… as a binary float; the decimal it was written as rounds up.
        self.assertEqual(format_decimal(2.675, 2), "2,68")
        self.assertEqual(format_decimal(Decimal("0.05"), 1), "0,1")
        self.assertEqual(format_decimal(Decimal("0.04"), 1), "0,0")
        self.assertEqual(format_decimal(Decimal("999.95"), 1), "1.000,0")

    def test_negative_values_and_no_negative_zero(self) -> None:
        self.assertEqual(format_decimal(Decimal("-1234.56"), 1), "-1.234,6")
        self.assertEqual(format_decimal(Decimal("-0.04"), 1), "0,0")
        self.assertEqual(format_decimal(-0.0, 0), "0")

    def test_refuses_negative_places_and_non_numbers(self) -> None:
        with self.assertRaises(ValueError):
            format_decimal(1, -1)
        with self.assertRaises(ValueError):
            format_decimal(Decimal("NaN"), 1)
        with self.assertRaises(ValueError):
            format_decimal(float("inf"), 1)


class PercentTests(SimpleTestCase):
    def test_report_figures(self) -> None:
        self.assertEqual(percent(168652, 228322), Decimal("73.9"))
        self.assertEqual(percent(168, 612), Decimal("27.5"))
        self.assertEqual(percent(199, 612), Decimal("32.5"))
        self.assertEqual(percent(103, 193), Decimal("53.4"))
        self.assertEqual(percent(123, 185), Decimal("66.5"))
        self.assertEqual(percent(142, 188), Decimal("75.5"))
        self.assertEqual(percent(612, 612), Decimal("100.0"))

    def test_result_has_exactly_the_places_asked_for(self) -> None:
        self.assertEqual(str(percent(168, 612)), "27.5")
        self.assertEqual(str(percent(168, 612, places=2)), "27.45")
        self.assertEqual(str(percent(168, 612, places=0)), "27")
        self.assertEqual(str(percent(1, 4, places=0)), "25")
        self.assertEqual(str(percent(0, 612)), "0.0")

    def test_exact_ties_round_half_up(self) -> None:
        self.assertEqual(percent(1, 8), Decimal("12.5"))  # 12.5 exactly
        self.assertEqual(percent(1, 8, places=0), Decimal("13"))
        self.assertEqual(percent(5, 16), Decimal("31.3"))  # 31.25
        self.assertEqual(percent(1, 40), Decimal("2.5"))  # 2.5 exactly
        self.assertEqual(percent(1, 400), Decimal("0.3"))  # 0.25
        self.assertEqual(percent(-1, 400), Decimal("-0.3"))

    def test_a_value_just_below_a_tie_rounds_down(self) -> None:
        # 27.4499…%: a float or a short Decimal approximation could round it up to 27.5.
        numerator, denominator = 274_499_999_999_999_999_999_999_999_999, 10**30
        self.assertEqual(percent(numerator, denominator), Decimal("27.4"))
        self.assertEqual(percent(numerator + 1, denominator), Decimal("27.5"))

    def test_zero_denominator_is_an_error(self) -> None:
        with self.assertRaises(ValueError):
            percent(0, 0)
        with self.assertRaises(ValueError):
            percent(5, 0)
        with self.assertRaises(ValueError):
            percent(1, 2, places=-1)

    def test_format_percent_shows_places_except_for_whole_numbers(self) -> None:
        self.assertEqual(format_percent(Decimal("73.9")), "73,9%")
        self.assertEqual(format_percent(percent(168652, 228322)), "73,9%")
        self.assertEqual(format_percent(percent(168, 612)), "27,5%")
        self.assertEqual(format_percent(Decimal(100)), "100%")
        self.assertEqual(format_percent(Decimal("100.0")), "100%")
        self.assertEqual(format_percent(Decimal("50.00")), "50%")
        self.assertEqual(format_percent(Decimal(97)), "97%")
        self.assertEqual(format_percent(Decimal("27.45"), places=2), "27,45%")
        self.assertEqual(format_percent(Decimal("27.45")), "27,5%")
        self.assertEqual(format_percent(Decimal("73.96")), "74,0%")
        self.assertEqual(format_percent(Decimal("0.0")), "0%")

    def test_format_ratio(self) -> None:
        self.assertEqual(format_ratio(168652, 228322), "168.652/228.322")
        self.assertEqual(format_ratio(628, 1363), "628/1.363")
        self.assertEqual(format_ratio(9, 9), "9/9")


class DateLineTests(SimpleTestCase):
    def test_day_below_ten_and_january_are_padded(self) -> None:
        self.assertEqual(
            vn_date_line("Lào Cai", dt.date(2025, 1, 5)), "Lào Cai, ngày 05 tháng 01 năm 2025"
        )

    def test_only_january_and_february_are_padded(self) -> None:
        self.assertEqual(
            vn_date_line("Lào Cai", dt.date(2026, 3, 15)), "Lào Cai, ngày 15 tháng 3 năm 2026"
        )
        self.assertEqual(
            vn_date_line("Lào Cai", dt.date(2026, 2, 9)), "Lào Cai, ngày 09 tháng 02 năm 2026"
        )
        self.assertEqual(
            vn_date_line("Lào Cai", dt.date(2025, 10, 1)), "Lào Cai, ngày 01 tháng 10 năm 2025"
        )
        self.assertEqual(
            vn_date_line("Sa Pa", dt.date(2025, 12, 31)), "Sa Pa, ngày 31 tháng 12 năm 2025"
        )
        self.assertEqual(
            vn_date_line("Lào Cai", dt.date(2025, 9, 10)), "Lào Cai, ngày 10 tháng 9 năm 2025"
        )

    def test_blank_day_for_drafts(self) -> None:
        self.assertEqual(
            vn_date_line_blank("Lào Cai", 6, 2022), "Lào Cai, ngày      tháng 6 năm 2022"
        )
        self.assertEqual(
            vn_date_line_blank("Lào Cai", 2, 2026), "Lào Cai, ngày      tháng 02 năm 2026"
        )
        with self.assertRaises(ValueError):
            vn_date_line_blank("Lào Cai", 13, 2026)
        with self.assertRaises(ValueError):
            vn_date_line_blank("Lào Cai", 0, 2026)
