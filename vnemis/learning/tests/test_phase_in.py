"""The phase-in table of domain reference §3.1: every (school year, grade) cell."""

from __future__ import annotations

import pytest

from vnemis.learning.regimes import RegimeInputError, regime_code
from vnemis.learning.regimes.phase_in import regime_for, tt58_amended

# Pure rules: engine-independent, run once (the SQLite pass).
pytestmark = pytest.mark.one_pass

# The table of §3.1, row by row: school year → regime of grades 1 to 12.
TABLE: dict[str, list[str]] = {
    "2019-2020": ["tt30"] * 5 + ["tt58"] * 7,
    "2020-2021": ["tt27"] + ["tt30"] * 4 + ["tt58"] * 7,
    "2021-2022": ["tt27"] * 2 + ["tt30"] * 3 + ["tt22"] + ["tt58"] * 6,
    "2022-2023": ["tt27"] * 3
    + ["tt30"] * 2
    + ["tt22", "tt22", "tt58", "tt58", "tt22", "tt58", "tt58"],
    "2023-2024": ["tt27"] * 4 + ["tt30"] + ["tt22", "tt22", "tt22", "tt58", "tt22", "tt22", "tt58"],
    "2024-2025": ["tt27"] * 5 + ["tt22"] * 7,
}
CELLS = [
    (year, grade, regimes[grade - 1]) for year, regimes in TABLE.items() for grade in range(1, 13)
]


@pytest.mark.parametrize(("school_year", "grade", "regime"), CELLS)
def test_every_cell(school_year: str, grade: int, regime: str) -> None:
    """Each cell of the table gives its regime."""
    assert regime_for(grade=grade, school_year=school_year) == regime


@pytest.mark.parametrize("grade", range(1, 13))
def test_years_outside_the_table(grade: int) -> None:
    """Before 2019-20 the first row applies; from 2024-25 on, the last."""
    assert regime_for(grade=grade, school_year="2015-2016") == TABLE["2019-2020"][grade - 1]
    assert regime_for(grade=grade, school_year="2030-2031") == TABLE["2024-2025"][grade - 1]


@pytest.mark.parametrize("grade", [0, 13, -1])
def test_grade_outside_1_to_12(grade: int) -> None:
    """Grades outside 1–12 are refused, naming the grade."""
    with pytest.raises(ValueError, match=str(grade)):
        regime_for(grade=grade, school_year="2021-2022")


@pytest.mark.parametrize("school_year", ["2021", "2021-2023", "21-22", "2021/2022", ""])
def test_malformed_school_year(school_year: str) -> None:
    """A school year not written "2021-2022" is refused."""
    with pytest.raises(ValueError, match="2021-2022"):
        regime_for(grade=7, school_year=school_year)


def test_tt26_from_2020_21() -> None:
    """TT58 is amended by TT26/2020 from 2020-21; 2019-20 is the original TT58."""
    assert tt58_amended("2019-2020") is False
    assert tt58_amended("2020-2021") is True


def test_calculator_chooses_by_phase_in() -> None:
    """Without "regime" the calculator takes the table's; a contradicting regime is refused."""
    assert regime_code({"grade": 7, "school_year": "2021-2022"}) == "tt58"
    assert regime_code({"grade": 6, "school_year": "2021-2022"}) == "tt22"
    assert regime_code({"regime": "tt58", "grade": 7, "school_year": "2021-2022"}) == "tt58"
    with pytest.raises(RegimeInputError, match="tt58"):
        regime_code({"regime": "tt22", "grade": 7, "school_year": "2021-2022"})
    with pytest.raises(RegimeInputError, match="tt99"):
        regime_code({"regime": "tt99"})
    with pytest.raises(RegimeInputError, match="school_year"):
        regime_code({"grade": 7})
