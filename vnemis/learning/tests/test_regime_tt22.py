"""TT22/2021 worked examples: every threshold and rounding edge of domain reference §3.2.

Pure functions: no database. Messages are asserted on their stable parts (subject names,
numbers, codes) because the test language's translations may change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from vnemis.learning.regimes import evaluate_json, json_ready
from vnemis.learning.regimes import tt22_2021 as tt22
from vnemis.learning.regimes.base import CommentResult, Level, Promotion, RegimeInputError

# Pure rules: engine-independent, run once (the SQLite pass).
pytestmark = pytest.mark.one_pass

D = Decimal
DAT = CommentResult.DAT
CD = CommentResult.CHUA_DAT

# The example of the calculator contract.
CONTRACT_INPUT: dict[str, Any] = {
    "regime": "tt22",
    "grade": 7,
    "subjects": [
        {
            "code": "toan",
            "mode": "score",
            "periods_per_year": 140,
            "terms": [
                {"regular": [8, 7.5, 9, 6], "midterm": 7, "final": 8.5},
                {"regular": [9, 8, 8.5, 7], "midterm": 8, "final": 9},
            ],
        },
        {"code": "gdtc", "mode": "comment", "terms": [{"result": "dat"}, {"result": "chua_dat"}]},
    ],
    "conduct": ["tot", "kha"],
    "absences": 3,
}

CODES = ["toan", "ngu_van", "ngoai_ngu", "khtn", "lich_su_dia_li", "gdcd", "cong_nghe", "tin_hoc"]


def scores(*values: str) -> dict[str, Decimal | CommentResult | None]:
    """Scored subjects with these averages, in the order of ``CODES``."""
    return {code: D(value) for code, value in zip(CODES, values, strict=False)}


def term(regular: list[str], midterm: str, final: str) -> tt22.TermScores:
    return tt22.TermScores(tuple(D(r) for r in regular), D(midterm), D(final))


def level(values: dict[str, Decimal | CommentResult | None]) -> Level:
    decided = tt22.learning_level(values)
    assert decided is not None
    return decided.level


class TestAverages:
    def test_reference_example(self) -> None:
        """tx 7, 8, 9; gk 6,5; ck 8,0 → (24 + 13 + 24) / 8 = 7,625 → 7,6 (Điều 9.1)."""
        assert tt22.term_average(term(["7", "8", "9"], "6.5", "8")) == D("7.6")

    def test_half_rounds_up_8_25(self) -> None:
        """(8 + 8 + 8 + 2·9 + 3·8) / 8 = 8,25 rounds to 8,3, not to Python's 8,2."""
        assert tt22.term_average(term(["8", "8", "8"], "9", "8")) == D("8.3")
        assert round(8.25, 1) == 8.2  # the float rounding the module must not use

    def test_6_45_rounds_to_6_5(self) -> None:
        """(6 + 6 + 6,6 + 2·6 + 3·7) / 8 = 6,45 → 6,5."""
        assert tt22.term_average(term(["6", "6", "6.6"], "6", "7")) == D("6.5")

    def test_year_average_weighs_term_two_double(self) -> None:
        """ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3: (6,5 + 2·6,4) / 3 = 6,43 → 6,4."""
        assert tt22.year_average(D("6.5"), D("6.4")) == D("6.4")
        assert tt22.year_average(D("6.4"), D("6.5")) == D("6.5")

    def test_year_average_uses_rounded_term_averages(self) -> None:
        """Term II is 38/7 = 5,43 → 5,4; (4,0 + 2·5,4) / 3 = 4,93 → 4,9, not the 5,0 that the
        unrounded term average would give."""
        subject = tt22.SubjectInput(
            "toan",
            tt22.Mode.SCORE,
            (term(["4", "4"], "4", "4"), term(["4", "4"], "9", "4")),
            periods_per_year=35,
        )
        result = tt22.subject_result(subject)
        assert result.terms == (D("4.0"), D("5.4"))
        assert result.year == D("4.9")

    def test_missing_score_leaves_the_average_unknown(self) -> None:
        """A regular slot, mid-term or end-of-term not entered gives no average."""
        assert tt22.term_average(tt22.TermScores((D(8), None), D(7), D(8))) is None
        assert tt22.term_average(tt22.TermScores((D(8), D(8)), None, D(8))) is None
        assert tt22.term_average(tt22.TermScores((D(8), D(8)), D(8), None)) is None
        assert tt22.term_average(tt22.TermScores((), D(8), D(8))) is None
        assert tt22.year_average(D(8), None) is None

    def test_comment_subject_year_is_term_two(self) -> None:
        """Điều 9.1a: Chưa đạt then Đạt gives Đạt for the year; Đạt then nothing gives None."""
        both = tt22.SubjectInput(
            "gdtc", tt22.Mode.COMMENT, (tt22.TermScores(result=CD), tt22.TermScores(result=DAT))
        )
        assert tt22.subject_result(both).year is DAT
        first = tt22.SubjectInput("gdtc", tt22.Mode.COMMENT, (tt22.TermScores(result=DAT),))
        assert tt22.subject_result(first).terms == (DAT, None)
        assert tt22.subject_result(first).year is None


class TestRegularCount:
    @pytest.mark.parametrize(("periods", "count"), [(35, 2), (36, 3), (70, 3), (71, 4), (140, 4)])
    def test_count_by_periods(self, periods: int, count: int) -> None:
        """Điều 6: up to 35 periods 2 scores, up to 70 three, above 70 four; the right count
        is accepted and one fewer is refused."""
        data = {
            "grade": 7,
            "subjects": [
                {
                    "code": "toan",
                    "mode": "score",
                    "periods_per_year": periods,
                    "terms": [{"regular": [8] * count, "midterm": 8, "final": 8}],
                }
            ],
        }
        assert tt22.parse(data).subjects[0].terms[0].regular == (D(8),) * count
        data["subjects"][0]["terms"][0]["regular"] = [8] * (count - 1)  # type: ignore[index]
        with pytest.raises(RegimeInputError) as error:
            tt22.parse(data)
        message = str(error.value)
        assert message.startswith("Toán: ")
        assert f"{count}" in message and f"{periods}" in message and f"{count - 1}." in message

    def test_contract_mismatch_names_the_subject(self) -> None:
        """140 periods need 4 regular scores; 3 are refused, naming Toán, 4, 140 and 3."""
        data = json_copy(CONTRACT_INPUT)
        data["subjects"][0]["terms"][0]["regular"] = [8, 7.5, 9]
        with pytest.raises(RegimeInputError) as error:
            evaluate_json(data)
        message = str(error.value)
        assert message.startswith("Toán: ")
        assert "4" in message and "140" in message and message.endswith("3.")

    def test_empty_regular_list_is_a_term_not_started(self) -> None:
        """An empty list is accepted with any periods_per_year and gives no average."""
        year = tt22.parse(
            {
                "grade": 6,
                "subjects": [
                    {"code": "toan", "mode": "score", "periods_per_year": 140, "terms": [{}]}
                ],
            }
        )
        assert tt22.evaluate(year).subjects[0].terms == (None, None)


class TestLearningLevel:
    def test_tot_with_exactly_six_subjects_at_8(self) -> None:
        """Tốt: all ≥ 6,5 and six subjects ≥ 8,0."""
        assert level(scores("8", "8", "8", "8", "8", "8", "6.5", "6.5")) is Level.TOT

    def test_five_subjects_at_8_is_kha(self) -> None:
        """Five subjects ≥ 8,0 are not enough for Tốt: Khá."""
        assert level(scores("8", "8", "8", "8", "8", "7.9", "6.5", "6.5")) is Level.KHA

    def test_6_4_blocks_tot(self) -> None:
        """One subject at 6,4 (< 6,5) keeps the student at Khá."""
        assert level(scores("9", "9", "9", "9", "9", "9", "9", "6.4")) is Level.KHA

    def test_6_45_rounded_reaches_tot(self) -> None:
        """A subject whose term average is 6,45 is rounded to 6,5 and no longer blocks Tốt."""
        subjects = [
            tt22.SubjectInput(
                code, tt22.Mode.SCORE, (term(["9", "9", "9"], "9", "9"),), periods_per_year=70
            )
            for code in CODES[:6]
        ]
        subjects.append(
            tt22.SubjectInput("tin_hoc", tt22.Mode.SCORE, (term(["6", "6", "6.6"], "6", "7"),), 70)
        )
        outcome = tt22.evaluate(tt22.YearInput(grade=8, subjects=tuple(subjects)))
        assert outcome.subjects[-1].terms[0] == D("6.5")
        assert outcome.learning_terms[0] is not None
        assert outcome.learning_terms[0].level is Level.TOT
        assert outcome.learning_terms[1] is None

    def test_kha_thresholds(self) -> None:
        """Khá: all ≥ 5,0 and six ≥ 6,5; five ≥ 6,5 give Đạt; one at 4,9 gives Đạt."""
        assert level(scores("6.5", "6.5", "6.5", "6.5", "6.5", "6.5", "5", "5")) is Level.KHA
        assert level(scores("6.5", "6.5", "6.5", "6.5", "6.5", "6.4", "5", "5")) is Level.DAT
        assert level(scores("7", "7", "7", "7", "7", "7", "7", "4.9")) is Level.DAT

    def test_dat_thresholds(self) -> None:
        """Đạt: six ≥ 5,0 and none < 3,5; five ≥ 5,0 give Chưa đạt."""
        assert level(scores("5", "5", "5", "5", "5", "5", "3.5", "3.5")) is Level.DAT
        assert level(scores("5", "5", "5", "5", "5", "4.9", "3.5", "3.5")) is Level.CHUA_DAT

    def test_3_4_gives_chua_dat_without_adjustment(self) -> None:
        """One subject at 3,4 with a Đạt-level record: Chưa đạt (a drop of one level only)."""
        assert level(scores("5", "5", "5", "5", "5", "5", "5", "3.4")) is Level.CHUA_DAT

    @pytest.mark.parametrize(
        ("averages", "expected"),
        [
            # A Tốt record with one comment subject Chưa đạt falls to Đạt: Điều 9.3 → Khá.
            (("9", "9", "9", "9", "9", "9", "9", "9"), Level.KHA),
            # A Khá record falls to Đạt: one level, no adjustment.
            (("7", "7", "7", "7", "7", "7", "7", "7"), Level.DAT),
            # A Đạt record stays Đạt: at most one comment subject may be Chưa đạt.
            (("5", "5", "5", "5", "5", "5", "5", "5"), Level.DAT),
            # A Chưa đạt record stays Chưa đạt.
            (("5", "5", "5", "5", "5", "4", "4", "4"), Level.CHUA_DAT),
        ],
    )
    def test_one_comment_subject_chua_dat(self, averages: tuple[str, ...], expected: Level) -> None:
        """One comment subject Chưa đạt at each level of the scored subjects."""
        values = scores(*averages)
        values["gdtc"] = CD
        values["nghe_thuat"] = DAT
        assert level(values) is expected

    def test_two_comment_subjects_chua_dat(self) -> None:
        """Two comment subjects Chưa đạt: Chưa đạt even with Tốt scores (excusing one only
        reaches Đạt, one level up: no adjustment)."""
        values = scores("9", "9", "9", "9", "9", "9", "9", "9")
        values["gdtc"] = CD
        values["nghe_thuat"] = CD
        decided = tt22.learning_level(values)
        assert decided is not None
        assert (decided.level, decided.responsible) == (Level.CHUA_DAT, None)

    def test_missing_value_gives_no_level(self) -> None:
        """A subject without a value for the period: no level, not a guess."""
        values = scores("9", "9", "9", "9", "9", "9")
        values["tin_hoc"] = None
        assert tt22.learning_level(values) is None
        assert tt22.learning_level({}) is None


class TestAdjustment:
    def test_applies_when_one_subject_drops_three_levels(self) -> None:
        """Tốt record, one subject at 3,0: Chưa đạt by Điều 9.2, raised to Đạt by Điều 9.3."""
        decided = tt22.learning_level(scores("9", "9", "9", "9", "9", "9", "9", "3"))
        assert decided is not None
        assert decided.unadjusted is Level.CHUA_DAT
        assert decided.level is Level.DAT
        assert (decided.responsible, decided.without) == ("tin_hoc", Level.TOT)

    def test_applies_when_one_subject_drops_two_levels(self) -> None:
        """Tốt record, one subject at 4,0 (< 5,0): Đạt by Điều 9.2, raised to Khá."""
        decided = tt22.learning_level(scores("9", "9", "9", "9", "9", "9", "9", "4"))
        assert decided is not None
        assert (decided.unadjusted, decided.level) == (Level.DAT, Level.KHA)

    def test_not_when_two_subjects_are_responsible(self) -> None:
        """Two subjects at 3,0: Chưa đạt stays (no single subject is responsible)."""
        decided = tt22.learning_level(scores("9", "9", "9", "9", "9", "9", "3", "3"))
        assert decided is not None
        assert (decided.level, decided.responsible) == (Level.CHUA_DAT, None)

    def test_not_when_the_drop_is_one_level(self) -> None:
        """Tốt record, one subject at 6,0: Khá, one level below Tốt; not adjusted."""
        decided = tt22.learning_level(scores("9", "9", "9", "9", "9", "9", "9", "6"))
        assert decided is not None
        assert (decided.level, decided.responsible) == (Level.KHA, None)

    def test_the_count_condition_is_not_excused(self) -> None:
        """Five subjects ≥ 8,0 and one at 3,0: excusing the 3,0 reaches Khá (two levels), so
        Đạt; the missing sixth subject ≥ 8,0 is not one subject's fault."""
        decided = tt22.learning_level(scores("9", "9", "9", "9", "9", "7", "7", "3"))
        assert decided is not None
        assert (decided.unadjusted, decided.without, decided.level) == (
            Level.CHUA_DAT,
            Level.KHA,
            Level.DAT,
        )

    def test_reason_names_the_subject(self) -> None:
        """The year's reason names the subject and cites Điều 9.3."""
        subjects = tuple(
            tt22.SubjectInput(code, tt22.Mode.SCORE, (term(["9", "9"], "9", "9"),) * 2)
            for code in CODES[:7]
        ) + (tt22.SubjectInput("tin_hoc", tt22.Mode.SCORE, (term(["3", "3"], "3", "3"),) * 2),)
        outcome = tt22.evaluate(tt22.YearInput(grade=9, subjects=subjects))
        assert outcome.learning_year is not None
        assert outcome.learning_year.level is Level.DAT
        assert any("9.3" in r and "Tin học" in r for r in outcome.reasons)


CONDUCT_CASES = [
    # (term I, term II, year): Điều 8.2b, every cell.
    ("tot", "tot", "tot"),
    ("kha", "tot", "tot"),
    ("dat", "tot", "kha"),
    ("chua_dat", "tot", "kha"),
    ("tot", "kha", "kha"),
    ("kha", "kha", "kha"),
    ("dat", "kha", "dat"),
    ("chua_dat", "kha", "dat"),
    ("tot", "dat", "kha"),
    ("kha", "dat", "dat"),
    ("dat", "dat", "dat"),
    ("chua_dat", "dat", "dat"),
    ("tot", "chua_dat", "chua_dat"),
    ("kha", "chua_dat", "chua_dat"),
    ("dat", "chua_dat", "chua_dat"),
    ("chua_dat", "chua_dat", "chua_dat"),
]


@pytest.mark.parametrize(("first", "second", "year"), CONDUCT_CASES)
def test_conduct_year_table(first: str, second: str, year: str) -> None:
    """Điều 8.2b: the year conduct for each pair of term conducts (HKII Khá + HKI Đạt = Đạt)."""
    assert tt22.conduct_year(Level(first), Level(second)) is Level(year)


def test_conduct_year_unknown_until_both_terms() -> None:
    """Only term I assessed: the year conduct is not known."""
    assert tt22.conduct_year(Level.TOT, None) is None


class TestPromotion:
    @pytest.mark.parametrize(
        ("learning", "conduct", "absences", "expected"),
        [
            (Level.DAT, Level.DAT, 45, Promotion.LEN_LOP),
            (Level.TOT, Level.TOT, 46, Promotion.O_LAI_LOP),
            (Level.CHUA_DAT, Level.CHUA_DAT, 0, Promotion.O_LAI_LOP),
            (Level.TOT, Level.CHUA_DAT, 0, Promotion.REN_LUYEN_HE),
            (Level.CHUA_DAT, Level.DAT, 0, Promotion.KIEM_TRA_LAI),
            (Level.CHUA_DAT, Level.TOT, 45, Promotion.KIEM_TRA_LAI),
        ],
    )
    def test_branches(
        self, learning: Level, conduct: Level, absences: int, expected: Promotion
    ) -> None:
        """Điều 12–14: 45 sessions absent still move up, 46 repeat; conduct and learning both
        Chưa đạt repeat; conduct alone: summer training; learning alone: re-tests."""
        assert tt22.promotion(learning=learning, conduct=conduct, absences=absences) is expected

    def test_unknown_until_every_input(self) -> None:
        """Without the absences, or the year's conduct, no promotion is decided."""
        assert tt22.promotion(learning=Level.TOT, conduct=Level.TOT, absences=None) is None
        assert tt22.promotion(learning=Level.TOT, conduct=None, absences=0) is None


class TestAward:
    def test_xuat_sac_with_exactly_six_at_9(self) -> None:
        """Conduct and learning Tốt, six ĐTBmcn ≥ 9,0: Xuất sắc."""
        year = [D("9")] * 6 + [D("8.9")] * 2
        assert tt22.award(learning=Level.TOT, conduct=Level.TOT, year_scores=year) is (
            tt22.Award.XUAT_SAC
        )

    def test_gioi_with_five_at_9(self) -> None:
        """Five ĐTBmcn ≥ 9,0: Giỏi only."""
        year = [D("9")] * 5 + [D("8.9")] * 3
        assert tt22.award(learning=Level.TOT, conduct=Level.TOT, year_scores=year) is (
            tt22.Award.GIOI
        )

    def test_none_below_tot(self) -> None:
        """Conduct Khá or learning Khá: no award, whatever the scores."""
        year = [D("10")] * 8
        assert tt22.award(learning=Level.TOT, conduct=Level.KHA, year_scores=year) is None
        assert tt22.award(learning=Level.KHA, conduct=Level.TOT, year_scores=year) is None


def json_copy(data: dict[str, Any]) -> dict[str, Any]:
    import json

    copied: dict[str, Any] = json.loads(json.dumps(data))
    return copied


class TestContract:
    def test_contract_example_exactly(self) -> None:
        """The issue's example: Toán 7,8 / 8,4 / 8,2, GDTC Đạt / Chưa đạt / Chưa đạt, learning
        Chưa đạt, conduct Khá, no award, re-tests."""
        result = json_ready(evaluate_json(json_copy(CONTRACT_INPUT)))
        reasons = result.pop("reasons")
        assert result == {
            "regime": "tt22",
            "subjects": {
                "toan": {"terms": [7.8, 8.4], "year": 8.2},
                "gdtc": {"terms": ["dat", "chua_dat"], "year": "chua_dat"},
            },
            "learning": {"terms": ["chua_dat", "chua_dat"], "year": "chua_dat"},
            "conduct": {"year": "kha"},
            "award": None,
            "promotion": "kiem_tra_lai",
        }
        assert reasons[0].startswith("Toán: ĐTBmcn 8,2 = (7,8 + 2 × 8,4) / 3")
        assert all(isinstance(reason, str) and reason for reason in reasons)

    def test_partial_year(self) -> None:
        """Only term I entered: term I results, and every year result null."""
        data = json_copy(CONTRACT_INPUT)
        data["subjects"][0]["terms"] = data["subjects"][0]["terms"][:1]
        data["subjects"][1]["terms"] = data["subjects"][1]["terms"][:1]
        data["conduct"] = ["tot"]
        result = evaluate_json(data)
        assert result["subjects"]["toan"] == {"terms": [D("7.8"), None], "year": None}
        assert result["subjects"]["gdtc"] == {"terms": ["dat", None], "year": None}
        assert result["learning"] == {"terms": ["chua_dat", None], "year": None}
        assert result["conduct"] == {"year": None}
        assert (result["award"], result["promotion"]) == (None, None)

    def test_null_scores_are_not_entered_yet(self) -> None:
        """A null regular slot keeps the count (4 for 140 periods) and leaves the term open."""
        data = json_copy(CONTRACT_INPUT)
        data["subjects"][0]["terms"][1]["regular"] = [9, None, 8.5, 7]
        result = evaluate_json(data)
        assert result["subjects"]["toan"] == {"terms": [D("7.8"), None], "year": None}

    @pytest.mark.parametrize(
        ("change", "fragment"),
        [
            ({"grade": 5}, "grade"),
            ({"grade": True}, "grade"),
            ({"extra": 1}, "extra"),
            ({"conduct": ["tot", "gioi"]}, "gioi"),
            ({"conduct": ["tot", "kha", "tot"]}, "conduct"),
            ({"absences": -1}, "absences"),
            ({"subjects": []}, "subjects"),
        ],
    )
    def test_refused_inputs(self, change: dict[str, Any], fragment: str) -> None:
        """Bad top-level fields are refused with a message naming the field or value."""
        data = {**json_copy(CONTRACT_INPUT), **change}
        with pytest.raises(RegimeInputError) as error:
            tt22.parse(data)
        assert fragment in str(error.value)

    @pytest.mark.parametrize(
        ("subject", "fragment"),
        [
            ({"code": "toan", "mode": "letters", "terms": []}, "letters"),
            ({"code": "Toán", "mode": "score"}, "code"),
            ({"code": "toan", "mode": "score", "terms": [{"midterm": 11}]}, "11"),
            ({"code": "toan", "mode": "score", "terms": [{"midterm": 8.25}]}, "8.25"),
            ({"code": "toan", "mode": "score", "terms": [{"midtern": 8}]}, "midtern"),
            ({"code": "gdtc", "mode": "comment", "terms": [{"result": "tot"}]}, "tot"),
            ({"code": "toan", "mode": "score", "terms": [{}, {}, {}]}, "3"),
        ],
    )
    def test_refused_subjects(self, subject: dict[str, Any], fragment: str) -> None:
        """Bad subject fields are refused, naming the value at fault."""
        data = {**json_copy(CONTRACT_INPUT), "subjects": [subject]}
        with pytest.raises(RegimeInputError) as error:
            tt22.parse(data)
        assert fragment in str(error.value)

    def test_subject_listed_twice(self) -> None:
        """The same subject twice is refused, naming it."""
        data = json_copy(CONTRACT_INPUT)
        data["subjects"].append(data["subjects"][0])
        with pytest.raises(RegimeInputError) as error:
            tt22.parse(data)
        assert str(error.value).startswith("Toán: ")

    def test_full_year_moves_up_with_award(self) -> None:
        """Eight subjects at 9,x, conduct Tốt twice, 2 absences: Xuất sắc, len_lop."""
        subjects = [
            {
                "code": code,
                "mode": "score",
                "periods_per_year": 105,
                "terms": [{"regular": [9, 9, 9, 9], "midterm": 9, "final": 9.5}] * 2,
            }
            for code in CODES
        ]
        subjects.append({"code": "gdtc", "mode": "comment", "terms": [{"result": "dat"}] * 2})
        result = evaluate_json(
            {
                "regime": "tt22",
                "grade": 10,
                "subjects": subjects,
                "conduct": ["tot", "tot"],
                "absences": 2,
            }
        )
        assert result["subjects"]["toan"]["year"] == D("9.2")
        assert result["learning"] == {"terms": ["tot", "tot"], "year": "tot"}
        assert (result["award"], result["promotion"]) == ("xuat_sac", "len_lop")
