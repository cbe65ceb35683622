"""TT30/2014 as amended by TT22/2016: primary grades not yet under TT27, by worked examples.

Pure functions, no database; reasons are checked in English (the msgids).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from vnemis.learning.regimes import tt30_2014 as tt30
from vnemis.learning.regimes.base import Promotion, RegimeInputError
from vnemis.learning.regimes.tt30_2014 import Award, Point

# Pure rules: engine-independent, run once (the SQLite pass).
pytestmark = pytest.mark.one_pass

POINTS = ("giua_hk1", "cuoi_hk1", "giua_hk2", "cuoi_nam")
SUBJECTS = (
    "tieng_viet",
    "toan",
    "khoa_hoc",
    "lich_su_dia_li",
    "ngoai_ngu",
    "tin_hoc",
    "tnxh",
    "dao_duc",
    "am_nhac",
    "mi_thuat",
    "thu_cong",
    "ki_thuat",
    "the_duc",
)
NOTHING = {"giua_hk1": None, "cuoi_hk1": None, "giua_hk2": None, "cuoi_nam": None}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def year(
    *,
    grade: int = 4,
    levels: dict[str, str | None] | None = None,
    finals: dict[str, Any] | None = None,
    traits: dict[str, str | None] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A full year of ``grade`` at the top of every scale, with end-of-year values overridden.

    ``levels`` sets a subject's end-of-year level, ``finals`` its end-of-year test score,
    ``traits`` a competency's or quality's end-of-year level; ``None`` leaves the value out.
    """
    levels, finals, traits = levels or {}, finals or {}, traits or {}
    subjects = []
    for code in SUBJECTS:
        if grade not in tt30.SUBJECT_GRADES[code]:
            continue
        entry: dict[str, Any] = {"code": code, "levels": {p: "htt" for p in POINTS}}
        if code in levels:
            entry["levels"]["cuoi_nam"] = levels[code]
        tested = [str(p) for p in tt30.periodic_test_points(code, grade)]
        if tested:
            entry["tests"] = {p: 10 for p in tested}
            if code in finals:
                entry["tests"]["cuoi_nam"] = finals[code]
        subjects.append(entry)

    def trait_levels(code: str) -> dict[str, str | None]:
        return {p: "tot" for p in POINTS} | ({"cuoi_nam": traits[code]} if code in traits else {})

    return {
        "regime": "tt30",
        "grade": grade,
        "subjects": subjects,
        "competencies": {code: trait_levels(code) for code in tt30.COMPETENCIES},
        "qualities": {code: trait_levels(code) for code in tt30.QUALITIES},
        **extra,
    }


def run(data: dict[str, Any]) -> tt30.Outcome:
    return tt30.evaluate(tt30.parse(data))


def refusal(data: dict[str, Any]) -> str:
    with pytest.raises(RegimeInputError) as caught:
        tt30.parse(data)
    return str(caught.value)


# --- Art. 14.1a (⚠): completion of the grade ---


def test_every_final_test_at_5_with_subjects_done_and_traits_dat_completes_the_grade() -> None:
    outcome = run(
        year(
            levels={"dao_duc": "ht"},
            finals={"toan": 5},
            traits={"hop_tac": "dat", "trung_thuc_ki_luat": "dat"},
        )
    )
    assert (outcome.completed, outcome.promotion) == (True, Promotion.LEN_LOP)
    assert outcome.reasons[0].startswith("Completes the grade 4 programme (TT30 Art. 14.1a")
    assert "Toán: end-of-year test 5 ≥ 5" in outcome.reasons
    assert outcome.reasons[-1] == "Moves up to grade 5 (TT30 Art. 14.1a)."


def test_a_final_test_at_4_does_not_complete_the_grade() -> None:
    outcome = run(year(finals={"lich_su_dia_li": 4}))
    assert (outcome.completed, outcome.promotion, outcome.award) == (False, None, None)
    assert outcome.reasons[0] == (
        "Grade not completed (TT30 Art. 14.1a as amended): "
        "Lịch sử và Địa lí: end-of-year test 4 < 5."
    )
    assert outcome.reasons[-1].startswith("Grade not completed: the teacher plans support")


def test_a_subject_not_completed_or_a_quality_needing_effort_does_not_complete() -> None:
    assert run(year(levels={"the_duc": "cht"})).completed is False
    assert run(year(traits={"doan_ket_yeu_thuong": "can_co_gang"})).completed is False


def test_the_principal_decides_for_a_pupil_who_did_not_complete() -> None:
    outcome = run(year(finals={"toan": 3}, principal_decision="o_lai_lop"))
    assert outcome.promotion is Promotion.O_LAI_LOP
    assert outcome.reasons[-1] == (
        "Grade not completed after support: the principal decided to keep the pupil in the "
        "grade (TT30 Art. 14.1c)."
    )


def test_grade_5_completed_completes_the_primary_programme() -> None:
    outcome = run(year(grade=5, finals={"toan": 6}))
    assert (outcome.completed, outcome.primary_completed) == (True, True)
    assert outcome.reasons[-1].startswith("Completes the primary programme")
    assert run(year(grade=3)).primary_completed is False


def test_a_missing_value_leaves_completion_undecided_unless_a_shortfall_decides_it() -> None:
    outcome = run(year(traits={"hop_tac": None}))
    assert (outcome.completed, outcome.primary_completed, outcome.award, outcome.promotion) == (
        None,
        None,
        None,
        None,
    )
    assert outcome.reasons == ("Completion not decided yet: Hợp tác: no end-of-year level yet.",)
    assert run(year(traits={"hop_tac": None}, finals={"toan": 2})).completed is False


# --- Art. 16.1a: awards ---


def test_all_htt_all_tot_and_every_final_test_at_9_earns_the_excellence_award() -> None:
    outcome = run(year(finals={"toan": 9, "tin_hoc": 9}))
    assert outcome.award is Award.XUAT_SAC
    assert outcome.reasons[-2].startswith(
        "Award “Học sinh hoàn thành xuất sắc các nội dung học tập và rèn luyện”"
    )


def test_a_final_test_at_8_misses_the_excellence_award_but_completes() -> None:
    outcome = run(year(finals={"toan": 8}))
    assert (outcome.completed, outcome.award) == (True, None)
    assert (
        "Not “Học sinh hoàn thành xuất sắc các nội dung học tập và rèn luyện” "
        "(TT30 Art. 16.1a as amended): Toán: end-of-year test 8 < 9." in outcome.reasons
    )


def test_one_subject_at_hoan_thanh_or_one_quality_at_dat_misses_the_excellence_award() -> None:
    subject = run(year(levels={"mi_thuat": "ht"}))
    assert (subject.completed, subject.award) == (True, None)
    quality = run(year(traits={"tu_tin_trach_nhiem": "dat"}))
    assert (quality.completed, quality.award) == (True, None)


def test_the_class_recognised_award_needs_the_recommendation() -> None:
    outcome = run(year(finals={"toan": 8}, award_recommended=True))
    assert outcome.award is Award.VUOT_TROI
    assert outcome.reasons[-2] == (
        "Award “Học sinh có thành tích vượt trội hay tiến bộ vượt bậc”: introduced by the "
        "teacher and recognised by the class (TT30 Art. 16.1a as amended)."
    )
    assert run(year(award_recommended=True)).award is Award.XUAT_SAC


def test_the_award_waits_while_the_excellence_award_is_still_possible() -> None:
    assert run(year(finals={"toan": None}, award_recommended=True)).award is None
    lost = run(year(finals={"toan": 8, "tieng_viet": None}, award_recommended=True))
    assert (lost.completed, lost.award) == (None, Award.VUOT_TROI)


# --- Art. 10: periodic tests ---


def test_tests_by_subject_and_grade() -> None:
    end_only = (Point.CUOI_HK1, Point.CUOI_NAM)
    assert tt30.periodic_test_points("toan", 3) == end_only
    assert tt30.periodic_test_points("toan", 4) == tuple(Point)
    assert tt30.periodic_test_points("tieng_viet", 5) == tuple(Point)
    assert tt30.periodic_test_points("khoa_hoc", 5) == end_only
    assert tt30.periodic_test_points("ngoai_ngu", 1) == end_only
    assert tt30.periodic_test_points("tin_hoc", 3) == end_only
    assert tt30.periodic_test_points("tieng_dan_toc", 2) == end_only
    assert tt30.periodic_test_points("dao_duc", 4) == ()
    assert tt30.periodic_test_points("ki_thuat", 5) == ()


def test_a_mid_term_test_is_refused_in_grade_3_and_kept_in_grade_4() -> None:
    subject = {"code": "tieng_viet", "tests": {"giua_hk2": 7}}
    assert refusal({"grade": 3, "subjects": [subject]}) == (
        "Tiếng Việt: there is no periodic test at giữa học kì II in grade 3."
    )
    tests = run({"grade": 4, "subjects": [subject]}).as_json()["subjects"]["tieng_viet"]["tests"]
    assert tests == NOTHING | {"giua_hk2": 7}


def test_a_score_of_0_is_refused_naming_the_subject() -> None:
    assert refusal(year(finals={"toan": 0})) == (
        "Toán, test cuối năm học: this regime gives no score of 0."
    )
    assert run(year(finals={"toan": 1})).completed is False


def test_decimal_scores_are_refused() -> None:
    assert refusal(year(finals={"khoa_hoc": "7,5"})) == (
        "Khoa học, test cuối năm học: a score must be a whole number, not 7,5."
    )


# --- parse ---


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"regime": "tt27", "grade": 4}, "This input is for the regime “tt27”, not “tt30”."),
        ({"grade": 0}, "The grade must be a whole number from 1 to 5, not 0."),
        (
            {"grade": 4, "subjects": [{"code": "gdtc"}]},
            "Giáo dục thể chất: not a subject of this regime.",
        ),
        ({"grade": 3, "subjects": [{"code": "ki_thuat"}]}, "Kĩ thuật: not taught in grade 3."),
        ({"grade": 4, "subjects": [{"code": "thu_cong"}]}, "Thủ công: not taught in grade 4."),
        (
            {"grade": 4, "qualities": {"yeu_nuoc": {"cuoi_nam": "tot"}}},
            "“yeu_nuoc” is not one of the qualities of this regime.",
        ),
        (
            {"grade": 4, "competencies": {"tu_chu_tu_hoc": {}}},
            "“tu_chu_tu_hoc” is not one of the competencies of this regime.",
        ),
        (
            {"grade": 4, "qualities": {"cham_hoc_cham_lam": {"cuoi_nam": "kha"}}},
            "Chăm học, chăm làm, cuối năm học: “kha” is not a level; use tot, dat or can_co_gang.",
        ),
        (
            {"grade": 4, "subjects": [{"code": "the_duc", "levels": ["htt"]}]},
            "Thể dục: must be an object keyed by assessment point.",
        ),
    ],
)
def test_parse_refuses_malformed_input_with_a_message_naming_the_fault(
    data: Any, message: str
) -> None:
    with pytest.raises(RegimeInputError) as caught:
        tt30.parse(data)
    assert str(caught.value) == message


# --- output shape ---


def test_as_json_of_a_partial_year() -> None:
    data = {
        "regime": "tt30",
        "grade": 3,
        "subjects": [
            {"code": "toan", "levels": {"cuoi_hk1": "ht"}, "tests": {"cuoi_hk1": 6}},
            {"code": "thu_cong", "levels": {"cuoi_hk1": "htt"}},
        ],
        "competencies": {"hop_tac": {"cuoi_hk1": "dat"}},
    }
    assert run(data).as_json() == {
        "regime": "tt30",
        "subjects": {
            "toan": {
                "levels": NOTHING | {"cuoi_hk1": "ht"},
                "tests": {"cuoi_hk1": 6, "cuoi_nam": None},
                "year": None,
            },
            "thu_cong": {"levels": NOTHING | {"cuoi_hk1": "htt"}, "tests": {}, "year": None},
        },
        "learning": {"completed": None, "primary_completed": None},
        "conduct": {
            "competencies": {
                "tu_phuc_vu_tu_quan": {"levels": NOTHING, "year": None},
                "hop_tac": {"levels": NOTHING | {"cuoi_hk1": "dat"}, "year": None},
                "tu_hoc_giai_quyet_van_de": {"levels": NOTHING, "year": None},
            },
            "qualities": {code: {"levels": NOTHING, "year": None} for code in tt30.QUALITIES},
        },
        "award": None,
        "promotion": None,
        "reasons": [
            "Completion not decided yet: Toán: no end-of-year level yet.",
            "Completion not decided yet: Thủ công: no end-of-year level yet.",
            "Completion not decided yet: Tự phục vụ, tự quản: no end-of-year level yet.",
            "Completion not decided yet: Hợp tác: no end-of-year level yet.",
            "Completion not decided yet: Tự học và giải quyết vấn đề: no end-of-year level yet.",
            "Completion not decided yet: Chăm học, chăm làm: no end-of-year level yet.",
            "Completion not decided yet: Tự tin, trách nhiệm: no end-of-year level yet.",
            "Completion not decided yet: Trung thực, kỉ luật: no end-of-year level yet.",
            "Completion not decided yet: Đoàn kết, yêu thương: no end-of-year level yet.",
            "Completion not decided yet: Toán: no end-of-year test score yet.",
        ],
    }


def test_as_json_of_a_complete_year() -> None:
    result = run(year(grade=5, finals={"toan": 9})).as_json()
    assert {key: result[key] for key in ("regime", "learning", "award", "promotion")} == {
        "regime": "tt30",
        "learning": {"completed": True, "primary_completed": True},
        "award": "xuat_sac",
        "promotion": "len_lop",
    }
    assert result["subjects"]["ki_thuat"] == {
        "levels": {point: "htt" for point in POINTS},
        "tests": {},
        "year": "htt",
    }


def test_the_school_year_the_registry_reads_is_accepted() -> None:
    """``school_year`` chooses the regime in the registry; the regime itself lets it through."""
    assert tt30.parse({"school_year": "2021-2022", "grade": 4}).grade == 4
