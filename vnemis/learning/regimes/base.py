"""What every assessment regime shares: exact decimal arithmetic, the input error, the codes.

A regime module (``tt22_2021``, ``tt58_2011``, ``tt27_2020``, ``tt30_2014``) is made of pure
functions: no database, no settings, no clock. The gradebook, the bulk year-end run, the
calculator command and the tests call the same functions, so a result shown on a page is the
result the command line gives for the same scores.

Every regime module exposes:

``CODE``
    the regime's code in the calculator contract (``"tt22"``, ``"tt58"``, ``"tt27"``, ``"tt30"``);
``TITLE``
    the legal text it follows, for pages and documents;
``parse(data) -> YearInput``
    reads one student-year from the calculator's JSON (``docs/modules/learning-calculator.md``),
    raising ``RegimeInputError`` with a Vietnamese message that names the subject at fault;
``evaluate(year) -> YearOutcome``
    the results of the year; ``YearOutcome.as_json()`` is the calculator's output.

Scores are ``Decimal`` from end to end. Floats never enter: ``Decimal(str(x))`` when reading
JSON, and every average is rounded to one decimal with ROUND_HALF_UP at each step, as the
circulars say (Python's ``round(8.25, 1)`` gives 8.2; the circulars want 8.3).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Protocol

from django.utils.translation import gettext as _

TENTH = Decimal("0.1")
ZERO = Decimal(0)
TEN = Decimal(10)


class RegimeInputError(ValueError):
    """The input of a student-year cannot be evaluated; the message says why, in the UI language."""


def round1(value: Decimal) -> Decimal:
    """``value`` rounded to one decimal, halves away from zero (8.25 → 8.3, 6.45 → 6.5)."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def mean1(numerator: Decimal, denominator: int) -> Decimal:
    """``numerator / denominator`` rounded to one decimal (ROUND_HALF_UP), computed exactly."""
    return round1(numerator / Decimal(denominator))


def score_read(value: Any, *, where: str, decimals: int = 1, allow_zero: bool = True) -> Decimal:
    """A score of the 10-point scale read from JSON or a form cell.

    Refuses booleans, text that is not a number, values outside 0–10 and more decimals than the
    regime allows (a score is entered already rounded: TT22 Điều 5.3b). ``where`` names the
    subject and column in the message.
    """
    if isinstance(value, bool) or value is None:
        raise RegimeInputError(_("{where}: a score must be a number.").format(where=where))
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise RegimeInputError(
            _("{where}: “{value}” is not a number.").format(where=where, value=value)
        ) from None
    if not number.is_finite() or number < ZERO or number > TEN:
        raise RegimeInputError(
            _("{where}: a score must lie between 0 and 10, not {value}.").format(
                where=where, value=value
            )
        )
    if not allow_zero and number == ZERO:
        raise RegimeInputError(_("{where}: this regime gives no score of 0.").format(where=where))
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        if decimals == 0:
            message = _("{where}: a score must be a whole number, not {value}.")
        else:
            message = _("{where}: a score has at most one decimal, not {value}.")
        raise RegimeInputError(message.format(where=where, value=value))
    return number


def regular_count(periods_per_year: int) -> int:
    """Regular scores per term for a scored subject with ``periods_per_year`` periods.

    TT22/2021 Điều 6 (and TT58 as amended by TT26/2020): up to 35 periods 2; more than 35 up
    to 70 3; more than 70 4.
    """
    if periods_per_year <= 35:
        return 2
    if periods_per_year <= 70:
        return 3
    return 4


def decimal_text(value: Decimal) -> str:
    """A score as Vietnamese writes it: a decimal comma (8,3)."""
    return format(value, "f").replace(".", ",")


class Level(StrEnum):
    """The four levels of TT22/2021 (learning and conduct), in the calculator's codes."""

    TOT = "tot"
    KHA = "kha"
    DAT = "dat"
    CHUA_DAT = "chua_dat"


class CommentResult(StrEnum):
    """Result of a comment-assessed subject (TT22 and TT58): Đạt / Chưa đạt."""

    DAT = "dat"
    CHUA_DAT = "chua_dat"


class Promotion(StrEnum):
    """What happens to the student after the year (the calculator's ``promotion``)."""

    LEN_LOP = "len_lop"
    KIEM_TRA_LAI = "kiem_tra_lai"
    REN_LUYEN_HE = "ren_luyen_he"
    O_LAI_LOP = "o_lai_lop"


class YearOutcome(Protocol):
    """The result of one student-year; each regime has its own dataclass with this method."""

    def as_json(self) -> dict[str, Any]: ...
