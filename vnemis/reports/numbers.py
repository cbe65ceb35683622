"""Numbers and dates written the way Vietnamese official documents write them.

Official texts group thousands with a dot and separate decimals with a comma (CLDR ``vi``:
1.234.567,5; 73,9%), and write the place-and-date line of Nghị định 30/2020/NĐ-CP by hand
("Hà Tĩnh, ngày 05 tháng 01 năm 2025"). These helpers do both without Babel, so a report
renders the same whatever the server's locale. Machine formats (CSV, JSON) keep dot decimals
and do not use this module.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext

THOUSANDS_SEPARATOR = "."
DECIMAL_SEPARATOR = ","

# The gap a draft leaves for what is filled in on signing: the day in the date line and the
# number in "Số:      /BC-SGDĐT".
BLANK_GAP = " " * 6


def _group_thousands(digits: str) -> str:
    """Dots between groups of three digits, counted from the right: "1234567" → "1.234.567"."""
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return THOUSANDS_SEPARATOR.join(groups)


def format_int(value: int) -> str:
    """A whole number with dotted thousands: 168652 → "168.652", -1234 → "-1.234"."""
    sign = "-" if value < 0 else ""
    return sign + _group_thousands(str(abs(value)))


def zero_pad(value: int, width: int = 2) -> str:
    """A count as administrative texts write small counts: 1 → "01", 11 → "11", 1363 → "1.363".

    Reports print task counts below ten with a leading zero ("01 nhiệm vụ"), as Nghị định 30
    does for document numbers; larger counts keep their thousands separators.
    """
    if value < 0:
        raise ValueError(f"a count cannot be negative: {value}")
    return format_int(value).rjust(width, "0")


def _rounded(value: Decimal | float | int, places: int) -> Decimal:
    if places < 0:
        raise ValueError(f"places must be zero or more, not {places}")
    # str() first: Decimal(0.1) would carry the binary expansion 0.1000000000000000055…, and
    # half-up rounding of 2.675 must see 2.675, not 2.67499999….
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    if not exact.is_finite():
        raise ValueError(f"not a finite number: {value}")
    with localcontext() as context:
        # Room for every integer digit, so quantize never fails on large numbers.
        context.prec = max(28, exact.adjusted() + places + 2)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal | float | int, places: int) -> str:
    """A number rounded half-up to `places` decimals: (1234567.5, 1) → "1.234.567,5".

    Always `places` decimals ("8,30" for (8.3, 2)); with `places=0` no decimal comma at all.
    A value that rounds to zero never prints as "-0".
    """
    rounded = _rounded(value, places)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    text = _group_thousands(whole)
    if places:
        text += DECIMAL_SEPARATOR + fraction
    return sign + text


def percent(numerator: int, denominator: int, places: int = 1) -> Decimal:
    """`numerator`/`denominator` as a percentage rounded half-up: (168, 612) → Decimal("27.5").

    The result is exact: the quotient is cut after `places + 1` decimals by integer division,
    which is all that half-up rounding looks at, so no binary float and no 28-digit Decimal
    approximation can tip a value such as 27.45 the wrong way. Ties round away from zero.
    A zero denominator raises ValueError: an empty population has no share.
    """
    if denominator == 0:
        raise ValueError("a percentage of an empty population (denominator 0) is undefined")
    if places < 0:
        raise ValueError(f"places must be zero or more, not {places}")
    negative = (numerator < 0) != (denominator < 0)
    truncated = abs(numerator) * 100 * 10 ** (places + 1) // abs(denominator)
    with localcontext() as context:
        context.prec = max(28, len(str(truncated)) + 1)
        value = (
            Decimal(truncated)
            .scaleb(-(places + 1))
            .quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        )
    return -value if negative and value else value


def format_percent(value: Decimal, places: int = 1) -> str:
    """A percentage (73.9 means 73,9%) as reports print it: "73,9%".

    A whole number prints without decimals ("100%", "50%", "97%"), as official texts write
    whole percentages; any other value shows exactly `places` decimals, rounded half-up
    ("32,5%", "74,0%" for 73.96). The value is taken as given: percent() has already rounded,
    so percent(6119, 6120) is 100.0 and prints "100%" — a caller that must not claim a complete
    coverage compares the counts, not the percentage.
    """
    if value == value.to_integral_value():
        return format_decimal(value, 0) + "%"
    return format_decimal(value, places) + "%"


def format_ratio(numerator: int, denominator: int) -> str:
    """Part of a whole as reports print it: (168652, 228322) → "168.652/228.322"."""
    return f"{format_int(numerator)}/{format_int(denominator)}"


def _month(month: int) -> str:
    # Nghị định 30/2020, Phụ lục I: days below 10 and the months 1 and 2 take a leading zero;
    # the other months do not ("tháng 3", not "tháng 03").
    if not 1 <= month <= 12:
        raise ValueError(f"no such month: {month}")
    return f"{month:02d}" if month <= 2 else str(month)


def vn_date_line(place: str, day: dt.date) -> str:
    """The place-and-date line of an official document: "Hà Tĩnh, ngày 05 tháng 01 năm 2025".

    The day is padded below 10 and the month only for 01 and 02: "ngày 15 tháng 3 năm 2026",
    "ngày 09 tháng 02 năm 2026", "ngày 01 tháng 10 năm 2025".
    """
    return f"{place}, ngày {day.day:02d} tháng {_month(day.month)} năm {day.year}"


def vn_date_line_blank(place: str, month: int, year: int) -> str:
    """A draft's date line with room for the day: "Hà Tĩnh, ngày      tháng 6 năm 2022"."""
    return f"{place}, ngày{BLANK_GAP}tháng {_month(month)} năm {year}"
