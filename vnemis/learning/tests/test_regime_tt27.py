"""TT27/2020: primary pupils of the 2018 programme, by worked examples of each rule.

Pure functions, no database. Reasons are checked in English (the msgids), so the tests do not
depend on the Vietnamese catalogue; the subject and level names inside them are Vietnamese data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from vnemis.learning.regimes import tt27_2020 as tt27
from vnemis.learning.regimes.base import Promotion, RegimeInputError
from vnemis.learning.regimes.tt27_2020 import Award, Point, YearResult

# Pure rules: engine-independent, run once (the SQLite pass).
pytestmark = pytest.mark.one_pass

POINTS = ("giua_hk1", "cuoi_hk1", "giua_hk2", "cuoi_nam")
SUBJECTS = (
    "tieng_viet",
    "toan",
    "ngoai_ngu",
    "lich_su_dia_li",
    "khoa_hoc",
    "tin_hoc_cong_nghe",
    "tnxh",
    "dao_duc",
    "gdtc",
    "am_nhac",
    "mi_thuat",
    "hdtn",
)


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
    ``traits`` a quality's or competency's end-of-year level; ``None`` leaves the value out.
    """
    levels, finals, traits = levels or {}, finals or {}, traits or {}
    subjects = []
    for code in SUBJECTS:
        if grade not in tt27.SUBJECT_GRADES[code]:
            continue
        entry: dict[str, Any] = {"code": code, "levels": {p: "htt" for p in POINTS}}
        if code in levels:
            entry["levels"]["cuoi_nam"] = levels[code]
        tested = [str(p) for p in tt27.periodic_test_points(code, grade)]
        if tested:
            entry["tests"] = {p: 10 for p in tested}
            if code in finals:
                entry["tests"]["cuoi_nam"] = finals[code]
        subjects.append(entry)

    def trait_levels(code: str) -> dict[str, str | None]:
        return {p: "tot" for p in POINTS} | ({"cuoi_nam": traits[code]} if code in traits else {})

    return {
        "regime": "tt27",
        "grade": grade,
        "subjects": subjects,
        "qualities": {code: trait_levels(code) for code in tt27.QUALITIES},
        "competencies": {code: trait_levels(code) for code in tt27.required_competencies(grade)},
        **extra,
    }


def run(data: dict[str, Any]) -> tt27.Outcome:
    return tt27.evaluate(tt27.parse(data))


def refusal(data: dict[str, Any]) -> str:
    with pytest.raises(RegimeInputError) as caught:
        tt27.parse(data)
    return str(caught.value)


# --- Art. 9.2a: year result ---


def test_every_end_of_year_test_at_9_with_all_htt_and_tot_is_htxs() -> None:
    """HTXS: every subject HTT, every quality and competency Tốt, every final test ≥ 9."""
    outcome = run(year(finals={"toan": 9, "khoa_hoc": 9}))
    assert outcome.year is YearResult.HTXS
    assert "Toán: end-of-year test 9 ≥ 9" in outcome.reasons
    assert "Khoa học: end-of-year test 9 ≥ 9" in outcome.reasons


def test_one_final_test_at_8_makes_htt_not_htxs() -> None:
    """8 is below the HTXS bar of 9 but above the HTT bar of 7."""
    outcome = run(year(finals={"toan": 8}))
    assert outcome.year is YearResult.HTT
    assert outcome.reasons[0] == (
        "Not Hoàn thành xuất sắc (TT27 Art. 9.2a): Toán: end-of-year test 8 < 9."
    )
    assert "Toán: end-of-year test 8 ≥ 7" in outcome.reasons


def test_a_final_test_at_7_is_htt_and_at_6_is_ht() -> None:
    assert run(year(finals={"tieng_viet": 7})).year is YearResult.HTT
    outcome = run(year(finals={"tieng_viet": 6}))
    assert outcome.year is YearResult.HT
    assert "Not Hoàn thành tốt (TT27 Art. 9.2a): Tiếng Việt: end-of-year test 6 < 7." in (
        outcome.reasons
    )


def test_a_final_test_at_5_is_ht_and_at_4_is_cht() -> None:
    assert run(year(finals={"ngoai_ngu": 5})).year is YearResult.HT
    outcome = run(year(finals={"ngoai_ngu": 4}))
    assert outcome.year is YearResult.CHT
    assert "Not Hoàn thành (TT27 Art. 9.2a): Ngoại ngữ 1: end-of-year test 4 < 5." in (
        outcome.reasons
    )
    assert outcome.reasons[-2] == (
        "Year result Chưa hoàn thành (TT27 Art. 9.2a): the bars of Hoàn thành are not reached."
    )


def test_one_subject_at_hoan_thanh_among_htt_is_ht_whatever_the_tests() -> None:
    """A single Hoàn thành subject rules out HTXS and HTT, even with every test at 10."""
    outcome = run(year(levels={"dao_duc": "ht"}))
    assert outcome.year is YearResult.HT
    assert (
        "Not Hoàn thành tốt (TT27 Art. 9.2a): Đạo đức: end-of-year level Hoàn thành, "
        "below Hoàn thành tốt." in outcome.reasons
    )


def test_one_quality_at_dat_is_ht() -> None:
    outcome = run(year(traits={"trung_thuc": "dat"}))
    assert outcome.year is YearResult.HT
    assert "Not Hoàn thành xuất sắc (TT27 Art. 9.2a): Trung thực: Đạt, below Tốt." in (
        outcome.reasons
    )


def test_one_competency_needing_effort_or_one_subject_not_completed_is_cht() -> None:
    assert run(year(traits={"tinh_toan": "can_co_gang"})).year is YearResult.CHT
    assert run(year(levels={"hdtn": "cht"})).year is YearResult.CHT


def test_a_missing_final_test_leaves_the_year_undecided() -> None:
    """Nothing is invented: a missing score could still be 10 or 0."""
    outcome = run(year(finals={"toan": None}))
    assert outcome.year is None
    assert outcome.completed is None
    assert outcome.award is None
    assert outcome.promotion is None
    assert outcome.reasons == (
        "Year result not decided yet (Hoàn thành xuất sắc still possible): "
        "Toán: no end-of-year test score yet.",
    )


def test_a_missing_value_does_not_hide_a_level_already_lost() -> None:
    """With Toán at 8, HTXS is out; the missing Tiếng Việt score still decides HTT or lower."""
    outcome = run(year(finals={"toan": 8, "tieng_viet": None}))
    assert outcome.year is None
    assert outcome.reasons[-1] == (
        "Year result not decided yet (Hoàn thành tốt still possible): "
        "Tiếng Việt: no end-of-year test score yet."
    )


def test_a_subject_not_completed_decides_cht_even_while_other_values_are_missing() -> None:
    """Every way of filling the gaps gives CHT, so CHT is a result, not a guess."""
    outcome = run(year(levels={"toan": "cht"}, finals={"tieng_viet": None}))
    assert outcome.year is YearResult.CHT
    assert outcome.completed is False


def test_a_year_with_no_subject_is_undecided() -> None:
    outcome = run(year() | {"subjects": []})
    assert outcome.year is None
    assert outcome.reasons[0] == "Year result not decided yet: no subject has been entered."


def test_grade_1_does_not_wait_for_the_technology_and_informatics_competencies() -> None:
    """⚠ Công nghệ and Tin học start with the grade-3 subject; grades 1–2 do not await them."""
    data = year(grade=1)
    assert "cong_nghe" not in data["competencies"]
    assert run(data).year is YearResult.HTXS
    assert run(year(grade=3) | {"competencies": data["competencies"]}).year is None


# --- Art. 7.1b and 7.1d: periodic tests ---


def test_tests_by_subject_and_grade() -> None:
    """End-HKI and end of year in the compulsory subjects; grades 4–5 add mid-terms in TV, Toán."""
    end_only = (Point.CUOI_HK1, Point.CUOI_NAM)
    assert tt27.periodic_test_points("toan", 3) == end_only
    assert tt27.periodic_test_points("toan", 4) == tuple(Point)
    assert tt27.periodic_test_points("tieng_viet", 5) == tuple(Point)
    assert tt27.periodic_test_points("khoa_hoc", 4) == end_only
    assert tt27.periodic_test_points("tin_hoc_cong_nghe", 3) == end_only
    assert tt27.periodic_test_points("ngoai_ngu", 2) == ()
    assert tt27.periodic_test_points("ngoai_ngu", 3) == end_only
    assert tt27.periodic_test_points("dao_duc", 4) == ()
    assert tt27.periodic_test_points("tieng_dan_toc", 4) == ()


def test_a_mid_term_test_is_refused_in_grade_3_and_kept_in_grade_4() -> None:
    subject = {"code": "toan", "tests": {"giua_hk1": 8}}
    message = refusal({"grade": 3, "subjects": [subject]})
    assert message == "Toán: there is no periodic test at giữa học kì I in grade 3."
    outcome = run({"grade": 4, "subjects": [subject]})
    assert outcome.as_json()["subjects"]["toan"]["tests"] == {
        "giua_hk1": 8,
        "cuoi_hk1": None,
        "giua_hk2": None,
        "cuoi_nam": None,
    }


def test_a_score_of_0_is_allowed() -> None:
    """TT27 dropped the old "no 0" rule: 0 is a score, and a final 0 means CHT."""
    outcome = run(year(finals={"toan": 0}))
    assert outcome.year is YearResult.CHT
    assert outcome.as_json()["subjects"]["toan"]["tests"]["cuoi_nam"] == 0


def test_decimal_scores_are_refused_naming_the_subject() -> None:
    message = refusal(year(finals={"toan": 8.5}))
    assert message == "Toán, test cuối năm học: a score must be a whole number, not 8.5."


def test_scores_outside_the_scale_and_text_are_refused() -> None:
    assert refusal(year(finals={"khoa_hoc": 11})) == (
        "Khoa học, test cuối năm học: a score must lie between 0 and 10, not 11."
    )
    assert refusal(year(finals={"toan": "chín"})) == (
        "Toán, test cuối năm học: “chín” is not a number."
    )


def test_a_test_for_a_subject_without_tests_is_refused() -> None:
    message = refusal({"grade": 4, "subjects": [{"code": "dao_duc", "tests": {"cuoi_nam": 9}}]})
    assert message == "Đạo đức: there is no periodic test at cuối năm học in grade 4."


# --- Art. 11: completion and promotion ---


def test_htxs_htt_and_ht_complete_the_grade_and_move_up() -> None:
    for finals, expected in (({}, YearResult.HTXS), ({"toan": 7}, YearResult.HTT)):
        outcome = run(year(finals=finals))
        assert (outcome.year, outcome.completed, outcome.promotion) == (
            expected,
            True,
            Promotion.LEN_LOP,
        )
    outcome = run(year(finals={"toan": 5}))
    assert (outcome.completed, outcome.primary_completed) == (True, False)
    assert outcome.reasons[-1] == "Completes the grade 4 programme and moves up (TT27 Art. 11.1a)."


def test_grade_5_completed_completes_the_primary_programme() -> None:
    outcome = run(year(grade=5))
    assert outcome.primary_completed is True
    assert outcome.reasons[-1] == (
        "Completes the primary programme: “Hoàn thành chương trình tiểu học” is written in "
        "the học bạ (TT27 Art. 11.2)."
    )


def test_cht_leaves_promotion_to_the_principal_after_support() -> None:
    outcome = run(year(finals={"toan": 4}))
    assert (outcome.completed, outcome.primary_completed, outcome.promotion) == (
        False,
        False,
        None,
    )
    assert outcome.reasons[-1].startswith("Grade not completed: the teacher plans support")


def test_the_principals_decision_settles_a_pupil_who_did_not_complete() -> None:
    stays = run(year(finals={"toan": 4}, principal_decision="o_lai_lop"))
    assert stays.promotion is Promotion.O_LAI_LOP
    moves = run(year(finals={"toan": 4}, principal_decision="len_lop"))
    assert moves.promotion is Promotion.LEN_LOP
    assert moves.reasons[-1] == (
        "Grade not completed after support: the principal decided to move the pupil up "
        "(TT27 Art. 11.1c)."
    )


def test_a_principals_decision_cannot_hold_back_a_pupil_who_completed() -> None:
    assert run(year(principal_decision="o_lai_lop")).promotion is Promotion.LEN_LOP


# --- Art. 13.1a: awards ---


def test_htxs_earns_hoc_sinh_xuat_sac() -> None:
    outcome = run(year())
    assert outcome.award is Award.XUAT_SAC
    assert "Award Học sinh Xuất sắc: year result Hoàn thành xuất sắc (TT27 Art. 13.1a)." in (
        outcome.reasons
    )


def test_htt_earns_tieu_bieu_only_with_the_class_recognition() -> None:
    assert run(year(finals={"toan": 8}, award_recommended=True)).award is Award.TIEU_BIEU
    outcome = run(year(finals={"toan": 8}))
    assert outcome.award is None
    assert any(reason.startswith("No award: Hoàn thành tốt earns") for reason in outcome.reasons)


def test_a_recommendation_does_not_lift_ht_to_an_award_nor_lower_htxs() -> None:
    assert run(year(finals={"toan": 6}, award_recommended=True)).award is None
    assert run(year(award_recommended=True)).award is Award.XUAT_SAC


# --- parse: refusals name what is wrong ---


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "input: expected a JSON object."),
        ({"grade": 4, "nam_hoc": "2023-2024"}, "input: unknown field “nam_hoc”; expected one of:"),
        ({"regime": "tt22", "grade": 4}, "This input is for the regime “tt22”, not “tt27”."),
        ({"grade": 6}, "The grade must be a whole number from 1 to 5, not 6."),
        ({"grade": "4"}, "The grade must be a whole number from 1 to 5, not 4."),
        ({"grade": 4, "subjects": {"toan": {}}}, "subjects: expected a JSON list."),
        ({"grade": 4, "subjects": [{"levels": {}}]}, "Subject 1: the subject code is missing."),
        ({"grade": 4, "subjects": [{"code": "vat_li"}]}, "Vật lí: not a subject of this regime."),
        ({"grade": 2, "subjects": [{"code": "khoa_hoc"}]}, "Khoa học: not taught in grade 2."),
        ({"grade": 4, "subjects": [{"code": "toan"}, {"code": "toan"}]}, "Toán: listed twice."),
        (
            {"grade": 4, "subjects": [{"code": "toan", "levels": {"cuoi_nam": "tot"}}]},
            "Toán, cuối năm học: “tot” is not a level; use htt, ht or cht.",
        ),
        (
            {"grade": 4, "subjects": [{"code": "toan", "levels": {"hk1": "htt"}}]},
            "Toán: “hk1” is not an assessment point;",
        ),
        (
            {"grade": 4, "subjects": [{"code": "toan", "level": {}}]},
            "Subject 1: unknown field “level”; expected one of: code, levels, tests.",
        ),
        (
            {"grade": 4, "qualities": {"cham_hoc_cham_lam": {}}},
            "“cham_hoc_cham_lam” is not one of the qualities of this regime.",
        ),
        (
            {"grade": 4, "competencies": {"tinh_toan": {"cuoi_nam": "htt"}}},
            "Tính toán, cuối năm học: “htt” is not a level; use tot, dat or can_co_gang.",
        ),
        (
            {"grade": 4, "subjects": [{"code": "tin_hoc_cong_nghe"}, {"code": "tin_hoc"}]},
            "Tin học và Công nghệ: enter it either as one subject or as its two parts",
        ),
        ({"grade": 4, "award_recommended": "yes"}, "“award_recommended” must be true or false."),
        (
            {"grade": 4, "principal_decision": "kiem_tra_lai"},
            "“principal_decision” must be len_lop or o_lai_lop, not “kiem_tra_lai”.",
        ),
        ({"grade": 4, "absences": -1}, "“absences” must be a whole number of at least 0"),
    ],
)
def test_parse_refuses_malformed_input_with_a_message_naming_the_fault(
    data: Any, message: str
) -> None:
    with pytest.raises(RegimeInputError) as caught:
        tt27.parse(data)
    assert str(caught.value).startswith(message)


def test_null_values_are_read_as_not_entered_yet() -> None:
    parsed = tt27.parse(
        {
            "grade": 4,
            "subjects": [
                {"code": "toan", "levels": {"cuoi_nam": None}, "tests": {"cuoi_nam": None}}
            ],
        }
    )
    assert parsed.subjects == (tt27.SubjectInput(code="toan", levels={}, tests={}),)


# --- output shape ---


def test_as_json_of_a_partial_grade_2_year() -> None:
    """The contract's shape: every point present, nulls for what is not entered yet."""
    data = {
        "regime": "tt27",
        "grade": 2,
        "subjects": [
            {
                "code": "toan",
                "levels": {"giua_hk1": "ht", "cuoi_hk1": "htt"},
                "tests": {"cuoi_hk1": 9},
            },
            {"code": "dao_duc", "levels": {"cuoi_hk1": "htt"}},
        ],
        "qualities": {"yeu_nuoc": {"cuoi_hk1": "tot"}},
    }
    nothing = {"giua_hk1": None, "cuoi_hk1": None, "giua_hk2": None, "cuoi_nam": None}
    result = run(data).as_json()
    assert result["subjects"] == {
        "toan": {
            "levels": {"giua_hk1": "ht", "cuoi_hk1": "htt", "giua_hk2": None, "cuoi_nam": None},
            "tests": {"cuoi_hk1": 9, "cuoi_nam": None},
            "year": None,
        },
        "dao_duc": {
            "levels": {"giua_hk1": None, "cuoi_hk1": "htt", "giua_hk2": None, "cuoi_nam": None},
            "tests": {},
            "year": None,
        },
    }
    assert result["conduct"]["qualities"]["yeu_nuoc"] == {
        "levels": nothing | {"cuoi_hk1": "tot"},
        "year": None,
    }
    assert list(result["conduct"]["qualities"]) == list(tt27.QUALITIES)
    assert list(result["conduct"]["competencies"]) == [
        "tu_chu_tu_hoc",
        "giao_tiep_hop_tac",
        "giai_quyet_van_de_sang_tao",
        "ngon_ngu",
        "tinh_toan",
        "khoa_hoc",
        "tham_mi",
        "the_chat",
    ]
    assert {key: result[key] for key in ("regime", "learning", "award", "promotion")} == {
        "regime": "tt27",
        "learning": {"year": None, "completed": None, "primary_completed": None},
        "award": None,
        "promotion": None,
    }
    assert result["reasons"][0] == (
        "Year result not decided yet (Hoàn thành xuất sắc still possible): "
        "Toán: no end-of-year level yet."
    )


def test_as_json_of_a_complete_year() -> None:
    result = run(year(grade=5, finals={"toan": 8}, award_recommended=True)).as_json()
    assert {key: result[key] for key in ("regime", "learning", "award", "promotion")} == {
        "regime": "tt27",
        "learning": {"year": "htt", "completed": True, "primary_completed": True},
        "award": "tieu_bieu",
        "promotion": "len_lop",
    }
    assert result["subjects"]["toan"]["tests"] == {
        "giua_hk1": 10,
        "cuoi_hk1": 10,
        "giua_hk2": 10,
        "cuoi_nam": 8,
    }
    assert result["subjects"]["toan"]["year"] == "htt"
    assert result["conduct"]["competencies"]["the_chat"]["year"] == "tot"


def test_the_school_year_the_registry_reads_is_accepted() -> None:
    """``school_year`` chooses the regime in the registry; the regime itself lets it through."""
    assert tt27.parse({"school_year": "2023-2024", "grade": 4}).grade == 4
