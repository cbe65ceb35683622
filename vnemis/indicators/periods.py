"""Reporting periods: half-years (2022H1), quarters (2022Q3), years (2022) and school years
(2021-2022), each with a first and last day. Figures are counted as of the last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_HALF = re.compile(r"^([0-9]{4})H([12])$")
_QUARTER = re.compile(r"^([0-9]{4})Q([1-4])$")
_YEAR = re.compile(r"^([0-9]{4})$")
_SCHOOL_YEAR = re.compile(r"^([0-9]{4})-([0-9]{4})$")


class PeriodError(ValueError):
    """A period code that vnemis does not understand."""


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    code: str
    kind: str  # half_year, quarter, year, school_year

    @property
    def as_of(self) -> dt.date:
        return self.end

    @property
    def label(self) -> str:
        """The period as officials write it, in the active language: "6 tháng đầu năm 2022",
        "Quý III/2022", "Năm 2022", "Năm học 2021-2022" (English: "First half of 2022", ...)."""
        year = self.code[:4]
        if self.kind == "half_year":
            if self.code.endswith("H1"):
                return _("First half of {year}").format(year=year)
            return _("Second half of {year}").format(year=year)
        if self.kind == "quarter":
            # One message per quarter: Vietnamese writes the quarter in Roman numerals.
            quarters = {
                "1": _("Q1 {year}"),
                "2": _("Q2 {year}"),
                "3": _("Q3 {year}"),
                "4": _("Q4 {year}"),
            }
            return quarters[self.code[5]].format(year=year)
        if self.kind == "year":
            return _("Year {year}").format(year=year)
        return _("School year {first}-{second}").format(first=year, second=self.code[5:])

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind == "half_year":
            year, half = int(self.code[:4]), int(self.code[5])
            return parse_period(f"{year}H1" if half == 2 else f"{year - 1}H2")
        if self.kind == "quarter":
            year, q = int(self.code[:4]), int(self.code[5])
            return parse_period(f"{year}Q{q - 1}" if q > 1 else f"{year - 1}Q4")
        if self.kind == "year":
            return parse_period(str(int(self.code) - 1))
        first = int(self.code[:4])
        return parse_period(f"{first - 1}-{first}")

    def next(self) -> Period:
        """The period of the same kind just after this one."""
        if self.kind == "half_year":
            year, half = int(self.code[:4]), int(self.code[5])
            return parse_period(f"{year}H2" if half == 1 else f"{year + 1}H1")
        if self.kind == "quarter":
            year, q = int(self.code[:4]), int(self.code[5])
            return parse_period(f"{year}Q{q + 1}" if q < 4 else f"{year + 1}Q1")
        if self.kind == "year":
            return parse_period(str(int(self.code) + 1))
        first = int(self.code[:4])
        return parse_period(f"{first + 1}-{first + 2}")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# Periods of an education system's records: anything else is a typing error ("0000H1"), and
# the year 0 or 10000 would not even make a date.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_period(code: str) -> Period:
    """Read a period code; raises ``PeriodError`` with the accepted forms."""
    code = code.strip().upper()
    prefix = code[:4]
    if prefix.isascii() and prefix.isdigit() and not FIRST_YEAR <= int(prefix) <= LAST_YEAR:
        raise PeriodError(
            f"Unknown period {code!r}: the year must lie between {FIRST_YEAR} and {LAST_YEAR}."
        )
    if m := _HALF.match(code):
        year, half = int(m[1]), int(m[2])
        first = 1 if half == 1 else 7
        return Period(dt.date(year, first, 1), _month_end(year, first + 5), code, "half_year")
    if m := _QUARTER.match(code):
        year, q = int(m[1]), int(m[2])
        first = 3 * (q - 1) + 1
        return Period(dt.date(year, first, 1), _month_end(year, first + 2), code, "quarter")
    if m := _YEAR.match(code):
        year = int(m[1])
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), code, "year")
    if m := _SCHOOL_YEAR.match(code):
        first, second = int(m[1]), int(m[2])
        if second != first + 1:
            raise PeriodError(f"A school year spans two consecutive years, not {code}.")
        # Counted from 1 September to 31 May, the span of the school-year calendar.
        return Period(dt.date(first, 9, 1), dt.date(second, 5, 31), code, "school_year")
    raise PeriodError(f"Unknown period {code!r}: use 2022H1, 2022Q3, 2022 or 2021-2022.")


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_WORDS_HALF = re.compile(r"^6 thang (dau|cuoi) nam ([0-9]{4})$")
_WORDS_QUARTER = re.compile(r"^quy (i|ii|iii|iv|[1-4]) ?(?:/|nam) ?([0-9]{4})$")
_WORDS_SCHOOL_YEAR = re.compile(r"^nam hoc ([0-9]{4}) ?- ?([0-9]{4})$")
_WORDS_YEAR = re.compile(r"^nam ([0-9]{4})$")


def parse_period_text(value: str) -> Period:
    """Read a period as officials write it ("6 tháng đầu năm 2022", "Quý III/2022", "Năm
    2022", "Năm học 2021-2022"; any case, with or without diacritics) or as a code."""
    from vnemis.core.text import fold

    words = fold(value.replace("–", "-").replace("—", "-"))
    if m := _WORDS_HALF.match(words):
        return parse_period(f"{m[2]}H{1 if m[1] == 'dau' else 2}")
    if m := _WORDS_QUARTER.match(words):
        quarter = _ROMAN.get(m[1]) or int(m[1])
        return parse_period(f"{m[2]}Q{quarter}")
    if m := _WORDS_SCHOOL_YEAR.match(words):
        return parse_period(f"{m[1]}-{m[2]}")
    if m := _WORDS_YEAR.match(words):
        return parse_period(m[1])
    return parse_period(value)
