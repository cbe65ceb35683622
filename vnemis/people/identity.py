"""Personal ID numbers (số định danh cá nhân) and their 12-digit structure.

``PPP G YY RRRRRR``: PPP is the province of birth registration (pre-2025 province codes, since
people keep their number for life), G encodes century and sex, YY the last two digits of the
birth year, RRRRRR a random part (NĐ 137/2015/NĐ-CP Art. 13).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# First year of each century digit pair: G = 0/1 for 1900–1999, 2/3 for 2000–2099, ...
_CENTURY_BASE = 1900


@cache
def birth_province_codes() -> frozenset[str]:
    """Three-digit codes of the 63 provinces that existed before the 2025 reorganisation."""
    from vietnam_provinces import legacy

    return frozenset(f"{int(p.code):03d}" for p in legacy.Province.iter_all())


def century_sex_digit(*, birth_year: int, sex: str) -> int:
    """The G digit for a birth year and sex ("M" or "F")."""
    century = (birth_year - _CENTURY_BASE) // 100
    if not 0 <= century <= 4:
        raise ValueError(f"birth year {birth_year} is outside 1900–2399")
    return century * 2 + (1 if sex == "F" else 0)


def national_id_problems(number: str, *, birth_date: dt.date | None, sex: str | None) -> list[str]:
    """Everything wrong with ``number`` for a person born on ``birth_date`` of ``sex``."""
    if len(number) != 12 or not number.isdigit():
        return [_("A personal ID number has exactly 12 digits.")]
    problems = []
    if number[:3] not in birth_province_codes():
        problems.append(
            _("The first three digits ({code}) are not a province code.").format(code=number[:3])
        )
    digit = int(number[3])
    century = _CENTURY_BASE + (digit // 2) * 100
    if sex in {"M", "F"} and (digit % 2 == 1) != (sex == "F"):
        problems.append(_("The fourth digit does not match the person's sex."))
    if birth_date is not None:
        if birth_date.year // 100 * 100 != century:
            problems.append(_("The fourth digit does not match the century of birth."))
        if number[4:6] != f"{birth_date.year % 100:02d}":
            problems.append(_("Digits 5–6 do not match the year of birth."))
    return problems


def validate_national_id(number: str, *, birth_date: dt.date | None, sex: str | None) -> None:
    problems = national_id_problems(number, birth_date=birth_date, sex=sex)
    if problems:
        raise ValidationError({"national_id": problems})
