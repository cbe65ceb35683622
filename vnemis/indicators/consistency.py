"""Checks of figures typed by hand from legacy reports: "168/612 (24,4%)".

A legacy figure carries its numerator, denominator and percentage; the three must agree to the
precision printed. The seed report's "168/612 trường (đạt 24,4%)" does not (168/612 = 27,45%).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_FIGURE = re.compile(
    r"^\s*(?P<num>[\d.]+)\s*/\s*(?P<den>[\d.]+)\D*?(?P<pct>\d+(?:[,.]\d+)?)\s*%\s*\)?\s*$"
)


class FigureFormatError(ValueError):
    """The text is not of the form "numerator/denominator (percentage%)"."""


@dataclass(frozen=True)
class FigureCheck:
    numerator: int
    denominator: int
    printed: Decimal
    computed: Decimal  # rounded to the printed precision, half up

    @property
    def consistent(self) -> bool:
        return self.printed == self.computed

    @property
    def message(self) -> str:
        if self.consistent:
            return "ok"
        exact = Decimal(self.numerator) * 100 / Decimal(self.denominator)
        return f"{self.numerator}/{self.denominator} = {exact:.2f}%, not {self.printed}%"


def _int(text: str) -> int:
    # Vietnamese thousands separators are dots: "168.652" is 168652.
    return int(text.replace(".", ""))


def check_legacy_figure(text: str) -> FigureCheck:
    match = _FIGURE.match(text)
    if match is None:
        raise FigureFormatError(f"Not a figure of the form 168/612 (27,5%): {text!r}")
    numerator, denominator = _int(match["num"]), _int(match["den"])
    if denominator == 0:
        raise FigureFormatError("The denominator is zero.")
    try:
        printed = Decimal(match["pct"].replace(",", "."))
    except InvalidOperation as exc:
        raise FigureFormatError(f"Not a percentage: {match['pct']!r}") from exc
    exponent = printed.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    computed = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    return FigureCheck(numerator, denominator, printed, computed)
