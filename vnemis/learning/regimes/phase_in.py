"""Which assessment regime applies to a (grade, school year): the phase-in of the 2018 programme.

Domain reference §3.1. The 2018 programme reached one grade a year, so each grade has a first
school year under the new circular (TT27/2020 for grades 1–5, TT22/2021 for grades 6–12);
before it the grade stays under the old one (TT30/2014 as amended by TT22/2016, or TT58/2011
as amended by TT26/2020). The table, by the year a grade switched:

    grade        1     2     3     4     5     6     7     8     9     10    11    12
    first year   2020  2021  2022  2023  2024  2021  2022  2023  2024  2022  2023  2024

⚠ The reference infers its first row (years up to 2019-20): TT30 for primary grades and the
original TT58 for secondary grades. TT26/2020, which amended TT58, applies from 2020-21
(``tt58_amended``).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

FIRST_NEW_YEAR: dict[int, int] = {
    1: 2020,
    2: 2021,
    3: 2022,
    4: 2023,
    5: 2024,
    6: 2021,
    7: 2022,
    8: 2023,
    9: 2024,
    10: 2022,
    11: 2023,
    12: 2024,
}
# TT26/2020 (amending TT58) took effect for the 2020-21 school year.
TT26_FIRST_YEAR = 2020

SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def school_year_start(school_year: str) -> int:
    """The first calendar year of a school year written "2021-2022"."""
    match = SCHOOL_YEAR.match(school_year) if isinstance(school_year, str) else None
    if match is None or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError(
            _("“{value}” is not a school year; write it like 2021-2022.").format(value=school_year)
        )
    return int(match.group(1))


def regime_for(*, grade: int, school_year: str) -> str:
    """The regime code ("tt27", "tt30", "tt22" or "tt58") of a grade in a school year."""
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 12:
        raise ValueError(
            _("Grade {grade} does not exist; general education has grades 1 to 12.").format(
                grade=grade
            )
        )
    start = school_year_start(school_year)
    switched = start >= FIRST_NEW_YEAR[grade]
    if grade <= 5:
        return "tt27" if switched else "tt30"
    return "tt22" if switched else "tt58"


def tt58_amended(school_year: str) -> bool:
    """Whether TT58 applies as amended by TT26/2020 (from 2020-21) or in its original form."""
    return school_year_start(school_year) >= TT26_FIRST_YEAR
