"""The assessment regimes, by their calculator code, and the calculator's one entry point.

``REGIMES`` is the registry (a readable dict, no import-time registration); ``evaluate_json``
reads one student-year in the calculator's JSON and returns the output JSON, choosing the
regime from ``"regime"`` or, when it is absent, from the grade and school year through the
phase-in table (``phase_in.regime_for``). The contract is in
``docs/modules/learning-calculator.md``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext as _

from vnemis.learning.regimes import tt22_2021, tt27_2020, tt30_2014, tt58_2011
from vnemis.learning.regimes.base import RegimeInputError, YearOutcome
from vnemis.learning.regimes.phase_in import regime_for

__all__ = [
    "REGIMES",
    "RegimeInputError",
    "RegimeModule",
    "evaluate_json",
    "json_ready",
    "regime_code",
]


class RegimeModule(Protocol):
    """What every regime module provides (see ``base``)."""

    CODE: str
    TITLE: str

    def parse(self, data: Any) -> Any: ...

    def evaluate(self, year: Any) -> YearOutcome: ...


REGIMES: dict[str, RegimeModule] = {
    tt22_2021.CODE: tt22_2021,
    tt58_2011.CODE: tt58_2011,
    tt27_2020.CODE: tt27_2020,
    tt30_2014.CODE: tt30_2014,
}


def regime_code(data: dict[str, Any]) -> str:
    """The regime of a calculator input: ``"regime"``, else the phase-in table.

    When the input names a regime and also gives the grade and the school year, the two must
    agree: a result's regime follows from (grade, school year), never from a choice.
    """
    code = data.get("regime")
    grade, school_year = data.get("grade"), data.get("school_year")
    phased: str | None = None
    if grade is not None and school_year is not None:
        try:
            phased = regime_for(grade=grade, school_year=school_year)
        except ValueError as exc:
            raise RegimeInputError(str(exc)) from None
    if code is None:
        if phased is None:
            raise RegimeInputError(
                _("Give the “regime”, or the “grade” and the “school_year” to choose it.")
            )
        return phased
    if not isinstance(code, str) or code not in REGIMES:
        raise RegimeInputError(
            _("regime: “{code}” is not one of: {codes}.").format(
                code=code, codes=", ".join(REGIMES)
            )
        )
    if phased is not None and phased != code:
        raise RegimeInputError(
            _(
                "regime: grade {grade} in {school_year} is assessed under “{phased}”, "
                "not “{code}”; remove “regime” or correct it."
            ).format(grade=grade, school_year=school_year, phased=phased, code=code)
        )
    return code


def evaluate_json(data: dict[str, Any]) -> dict[str, Any]:
    """The calculator: one student-year in, its results out (``Decimal`` for averages)."""
    if not isinstance(data, dict):
        raise RegimeInputError(_("input: expected a JSON object."))
    module = REGIMES[regime_code(data)]
    return module.evaluate(module.parse(data)).as_json()


def json_ready(value: Any) -> Any:
    """``value`` with every ``Decimal`` turned into a float, for ``json.dumps``.

    Averages have one decimal and lie between 0 and 10, so the float's shortest repr is the
    same one-decimal number (8.2 prints as 8.2): the JSON shows numbers, never strings.
    """
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value
