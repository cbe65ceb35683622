"""TT58/2011 as amended by TT26/2020 (and the original TT58): worked examples of §3.4.

Pure functions: no database. Messages are asserted on their stable parts only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from vnemis.learning.regimes import evaluate_json
from vnemis.learning.regimes import tt58_2011 as tt58
from vnemis.learning.regimes.base import CommentResult, Promotion, RegimeInputError
from vnemis.learning.regimes.tt22_2021 import Mode
from vnemis.learning.regimes.tt58_2011 import Conduct, Performance

# Pure rules: engine-independent, run once (the SQLite pass).
pytestmark = pytest.mark.one_pass

D = Decimal
CD = CommentResult.CHUA_DAT
DAT = CommentResult.DAT
OTHERS = [
    "vat_li",
    "hoa_hoc",
    "sinh_hoc",
    "lich_su",
    "dia_li",
    "gdcd",
    "cong_nghe",
    "tin_hoc",
]


def record(
    toan: str, ngu_van: str, ngoai_ngu: str, others: str, **extra: Any
) -> dict[str, Decimal | CommentResult | None]:
    """Eleven scored subjects: the three core ones and eight others at ``others``; ``extra``
    overrides any subject (a string is a score, a CommentResult a comment subject)."""
    values: dict[str, Decimal | CommentResult | None] = {
        "toan": D(toan),
        "ngu_van": D(ngu_van),
        "ngoai_ngu": D(ngoai_ngu),
    }
    values.update({code: D(others) for code in OTHERS})
    for code, value in extra.items():
        values[code] = value if isinstance(value, CommentResult) else D(value)
    return values


def decided(
    values: dict[str, Decimal | CommentResult | None], **options: Any
) -> tt58.PerformanceLevel:
    result = tt58.performance(values, **options)
    assert result is not None
    return result


class TestAverages:
    def test_amended_formula_is_tt22(self) -> None:
        """TT26: one mid-term of weight 2: (7 + 8 + 9 + 2·6,5 + 3·8) / 8 = 7,625 → 7,6."""
        term = tt58.TermScores((D(7), D(8), D(9)), (D("6.5"),), D(8))
        assert tt58.term_average(term) == D("7.6")

    def test_original_formula_weighs_every_periodic_test(self) -> None:
        """Original TT58: (7 + 8 + 2·(6 + 7) + 3·8) / (2 + 2·2 + 3) = 65 / 9 = 7,22 → 7,2."""
        term = tt58.TermScores((D(7), D(8)), (D(6), D(7)), D(8))
        assert tt58.term_average(term) == D("7.2")

    def test_original_formula_through_json(self) -> None:
        """A list of periodic tests is read under "amended": false and in 2019-2020."""
        subject = {
            "code": "toan",
            "mode": "score",
            "periods_per_year": 140,
            "terms": [{"regular": [7, 8], "midterm": [6, 7], "final": 8}],
        }
        for extra in ({"amended": False}, {"school_year": "2019-2020"}):
            result = evaluate_json({"regime": "tt58", "grade": 8, "subjects": [subject], **extra})
            assert result["amended"] is False
            assert result["subjects"]["toan"]["terms"] == [D("7.2"), None]

    def test_periodic_list_refused_when_amended(self) -> None:
        """Since TT26 a term has one mid-term: a list is refused with the subject named."""
        subject = {"code": "toan", "mode": "score", "terms": [{"regular": [7], "midterm": [6, 7]}]}
        with pytest.raises(RegimeInputError) as error:
            tt58.parse({"grade": 8, "subjects": [subject]})
        assert str(error.value).startswith("Toán")
        assert "amended" in str(error.value)

    def test_regular_count_checked_only_when_amended(self) -> None:
        """140 periods with 3 regular scores: refused under TT26, accepted under original."""
        subject = {
            "code": "toan",
            "mode": "score",
            "periods_per_year": 140,
            "terms": [{"regular": [7, 8, 9], "midterm": 8, "final": 8}],
        }
        with pytest.raises(RegimeInputError) as error:
            tt58.parse({"grade": 9, "subjects": [subject]})
        assert str(error.value).startswith("Toán: ") and "140" in str(error.value)
        assert tt58.parse({"grade": 9, "subjects": [subject], "amended": False}).amended is False

    def test_all_subject_average_rounds_half_up(self) -> None:
        """ĐTB of 7,9 and 8,0 is 7,95 → 8,0; of 7,9 and 7,9 is 7,9."""
        assert tt58.all_average([D("7.9"), D("8.0")]) == D("8.0")
        assert tt58.all_average([D("7.9"), D("7.9")]) == D("7.9")
        assert tt58.all_average([D("7.9"), None]) is None
        assert tt58.all_average([]) is None


class TestPerformanceRows:
    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            (record("8", "8", "8", "8"), Performance.GIOI),
            (record("8", "6.5", "6.5", "8.5"), Performance.GIOI),
            (record("6.5", "6.5", "6.5", "7"), Performance.KHA),
            (record("5", "5", "5", "5"), Performance.TRUNG_BINH),
            (record("3.5", "3.5", "3.5", "4"), Performance.YEU),
            (record("2", "2", "2", "4"), Performance.YEU),
            (record("3", "3", "3", "3.5"), Performance.KEM),
        ],
    )
    def test_rows(
        self, values: dict[str, Decimal | CommentResult | None], expected: Performance
    ) -> None:
        """Art. 13.1–13.5 at their bars: average, core, floor."""
        assert decided(values).level is expected

    def test_average_rounding_edge_reaches_gioi(self) -> None:
        """Subjects whose mean is 7,95 have ĐTB 8,0 and reach Giỏi; a mean of 7,94 does not."""
        values = record("8", "8", "8", "8", gdcd="7.5")  # 87,5 / 11 = 7,954… → 8,0
        assert decided(values).average == D("8.0")
        assert decided(values).level is Performance.GIOI
        values = record("8", "8", "8", "8", gdcd="7.4")  # 87,4 / 11 = 7,945… → 7,9
        assert decided(values).average == D("7.9")
        assert decided(values).level is Performance.KHA

    def test_core_bar_needs_one_core_subject(self) -> None:
        """Average 8,4 but Toán, Ngữ văn and Ngoại ngữ all 7,9: Khá."""
        assert decided(record("7.9", "7.9", "7.9", "8.8")).level is Performance.KHA

    def test_core_via_foreign_language(self) -> None:
        """TT26 added Ngoại ngữ: Toán 7, Ngữ văn 7, Ngoại ngữ 8 reach Giỏi; the original TT58
        (Toán and Ngữ văn only) gives Khá."""
        values = record("7", "7", "8", "8.5")
        assert decided(values).level is Performance.GIOI
        assert decided(values, amended=False).level is Performance.KHA

    def test_specialised_subject_bar(self) -> None:
        """In a chuyên class Vật lí must reach 8,0 too: 7,9 gives Khá; elsewhere Giỏi."""
        values = record("9", "9", "9", "9", vat_li="7.9")
        assert decided(values).level is Performance.GIOI
        assert decided(values, specialised="vat_li").level is Performance.KHA

    def test_comment_subject_chua_dat(self) -> None:
        """One comment subject CĐ under a Giỏi record: Yếu by Art. 13 (Giỏi, Khá and TB need
        every comment subject Đ), adjusted to TB by Art. 13.6."""
        result = decided(record("9", "9", "9", "9", the_duc=CD, am_nhac=DAT))
        assert (result.unadjusted, result.level) == (Performance.YEU, Performance.TRUNG_BINH)
        assert result.responsible == "the_duc"

    def test_two_comment_subjects_chua_dat(self) -> None:
        """Two comment subjects CĐ: Yếu, no single subject to blame."""
        result = decided(record("9", "9", "9", "9", the_duc=CD, am_nhac=CD))
        assert (result.level, result.responsible) == (Performance.YEU, None)

    def test_missing_value_gives_no_level(self) -> None:
        """A subject without its average: no học lực yet."""
        values = record("9", "9", "9", "9")
        values["tin_hoc"] = None
        assert tt58.performance(values) is None


class TestAdjustment:
    @pytest.mark.parametrize(
        ("values", "unadjusted", "without", "level"),
        [
            # Giỏi record, one subject at 4,0: TB → Khá.
            (record("9", "9", "9", "9", tin_hoc="4"), "trung_binh", "gioi", "kha"),
            # Giỏi record, one subject at 3,0: Yếu → TB.
            (record("9", "9", "9", "9", tin_hoc="3"), "yeu", "gioi", "trung_binh"),
            # Khá record, one subject at 3,0: Yếu → TB.
            (record("7.5", "7.5", "7.5", "7.5", tin_hoc="3"), "yeu", "kha", "trung_binh"),
            # Khá record, one subject at 1,5: Kém → Yếu.
            (record("7.5", "7.5", "7.5", "7.5", tin_hoc="1.5"), "kem", "kha", "yeu"),
            # ⚠ Giỏi record, one subject at 1,0: Kém → Yếu through the Khá row.
            (record("9", "9", "9", "9", tin_hoc="1"), "kem", "gioi", "yeu"),
        ],
    )
    def test_cases(
        self,
        values: dict[str, Decimal | CommentResult | None],
        unadjusted: str,
        without: str,
        level: str,
    ) -> None:
        """Art. 13.6: each drop caused by one single subject and its adjusted level."""
        result = decided(values)
        assert (result.unadjusted, result.without, result.level) == (
            Performance(unadjusted),
            Performance(without),
            Performance(level),
        )
        assert result.responsible == "tin_hoc"

    def test_no_adjustment_for_one_level(self) -> None:
        """Khá record, one subject at 4,5: TB, one level down; not adjusted."""
        result = decided(record("7.5", "7.5", "7.5", "7.5", tin_hoc="4.5"))
        assert (result.level, result.responsible) == (Performance.TRUNG_BINH, None)

    def test_no_adjustment_for_two_subjects(self) -> None:
        """Two subjects at 3,0 under a Giỏi average: Yếu, not adjusted."""
        result = decided(record("10", "10", "10", "10", tin_hoc="3", gdcd="3"))
        assert result.average >= D("8.0")
        assert (result.level, result.responsible) == (Performance.YEU, None)

    def test_reason_cites_the_article(self) -> None:
        """The year's reason cites Art. 13.6 and names the subject."""
        subjects = tuple(
            tt58.SubjectInput(
                code,
                Mode.SCORE,
                (tt58.TermScores((D(score), D(score)), (D(score),), D(score)),) * 2,
            )
            for code, score in [("toan", 9), ("ngu_van", 9), ("ngoai_ngu", 9), ("tin_hoc", 3)]
            + [(code, 9) for code in OTHERS[:-1]]
        )
        outcome = tt58.evaluate(tt58.YearInput(grade=11, subjects=subjects))
        assert outcome.learning_year is not None
        assert outcome.learning_year.level is Performance.TRUNG_BINH
        assert any("13.6" in r and "Tin học" in r for r in outcome.reasons)


class TestConductPromotionAward:
    def test_year_conduct_as_given(self) -> None:
        """The year's hạnh kiểm entered wins over the terms."""
        assert tt58.conduct_year((Conduct.YEU, Conduct.KHA), Conduct.TOT) is Conduct.TOT

    def test_year_conduct_falls_back_to_term_two(self) -> None:
        """Without a year value, the term II hạnh kiểm is used; term I alone gives nothing."""
        assert tt58.conduct_year((Conduct.YEU, Conduct.KHA)) is Conduct.KHA
        assert tt58.conduct_year((Conduct.TOT,)) is None

    @pytest.mark.parametrize(
        ("learning", "conduct", "absences", "expected"),
        [
            (Performance.TRUNG_BINH, Conduct.TRUNG_BINH, 45, Promotion.LEN_LOP),
            (Performance.GIOI, Conduct.TOT, 46, Promotion.O_LAI_LOP),
            (Performance.KEM, Conduct.TOT, 0, Promotion.O_LAI_LOP),
            (Performance.YEU, Conduct.YEU, 0, Promotion.O_LAI_LOP),
            (Performance.YEU, Conduct.TRUNG_BINH, 0, Promotion.KIEM_TRA_LAI),
            (Performance.KHA, Conduct.YEU, 0, Promotion.REN_LUYEN_HE),
        ],
    )
    def test_promotion(
        self, learning: Performance, conduct: Conduct, absences: int, expected: Promotion
    ) -> None:
        """Art. 15–16: each branch, and 45 vs 46 sessions absent."""
        assert tt58.promotion(learning=learning, conduct=conduct, absences=absences) is expected

    def test_promotion_unknown_without_absences(self) -> None:
        assert tt58.promotion(learning=Performance.GIOI, conduct=Conduct.TOT, absences=None) is (
            None
        )

    @pytest.mark.parametrize(
        ("learning", "conduct", "expected"),
        [
            (Performance.GIOI, Conduct.TOT, tt58.Award.GIOI),
            (Performance.GIOI, Conduct.KHA, tt58.Award.TIEN_TIEN),
            (Performance.KHA, Conduct.TOT, tt58.Award.TIEN_TIEN),
            (Performance.KHA, Conduct.KHA, tt58.Award.TIEN_TIEN),
            (Performance.KHA, Conduct.TRUNG_BINH, None),
            (Performance.TRUNG_BINH, Conduct.TOT, None),
        ],
    )
    def test_awards(
        self, learning: Performance, conduct: Conduct, expected: tt58.Award | None
    ) -> None:
        """Giỏi needs hạnh kiểm Tốt and học lực Giỏi; tiên tiến both at least Khá."""
        assert tt58.award(learning=learning, conduct=conduct) is expected


def full_year(**extra: Any) -> dict[str, Any]:
    """A grade-8 year under TT58 + TT26: eleven subjects at 8,5, Thể dục Đ."""
    subjects: list[dict[str, Any]] = [
        {
            "code": code,
            "mode": "score",
            "periods_per_year": 105,
            "terms": [{"regular": [8, 8, 9, 9], "midterm": 8.5, "final": 8.5}] * 2,
        }
        for code in ["toan", "ngu_van", "ngoai_ngu", *OTHERS]
    ]
    subjects.append({"code": "the_duc", "mode": "comment", "terms": [{"result": "dat"}] * 2})
    return {
        "regime": "tt58",
        "grade": 8,
        "subjects": subjects,
        "conduct": ["kha", "tot"],
        "absences": 4,
        **extra,
    }


class TestJson:
    def test_full_year(self) -> None:
        """All 8,5 and hạnh kiểm from term II (Tốt): Giỏi, award gioi, moves up; the reasons
        say the year conduct came from term II."""
        result = evaluate_json(full_year())
        assert result["subjects"]["toan"] == {"terms": [D("8.5")] * 2, "year": D("8.5")}
        assert result["averages"] == {"terms": [D("8.5"), D("8.5")], "year": D("8.5")}
        assert result["learning"] == {"terms": ["gioi", "gioi"], "year": "gioi"}
        assert result["conduct"] == {"terms": ["kha", "tot"], "year": "tot"}
        assert (result["award"], result["promotion"]) == ("gioi", "len_lop")
        assert result["amended"] is True
        assert any("term II" in r or "học kì II" in r for r in result["reasons"])

    def test_conduct_year_given(self) -> None:
        """conduct_year Khá: award tien_tien."""
        result = evaluate_json(full_year(conduct_year="kha"))
        assert result["conduct"]["year"] == "kha"
        assert result["award"] == "tien_tien"

    def test_partial_year(self) -> None:
        """Only term I entered: ĐTBhk I and học lực I, nothing for the year."""
        data = full_year(conduct=["kha"])
        for subject in data["subjects"]:
            subject["terms"] = subject["terms"][:1]
        result = evaluate_json(data)
        assert result["averages"] == {"terms": [D("8.5"), None], "year": None}
        assert result["learning"] == {"terms": ["gioi", None], "year": None}
        assert result["conduct"] == {"terms": ["kha", None], "year": None}
        assert (result["award"], result["promotion"]) == (None, None)

    @pytest.mark.parametrize(
        ("change", "fragment"),
        [
            ({"specialised": "am_nhac"}, "am_nhac"),
            ({"conduct_year": "dat"}, "dat"),
            ({"amended": "yes"}, "amended"),
            ({"grade": 3}, "grade"),
            ({"school_year": "2019"}, "2019"),
        ],
    )
    def test_refused(self, change: dict[str, Any], fragment: str) -> None:
        """Bad TT58 fields are refused with the value named."""
        data = full_year(**change)
        data.pop("regime")
        with pytest.raises(RegimeInputError) as error:
            tt58.parse(data)
        assert fragment in str(error.value)
