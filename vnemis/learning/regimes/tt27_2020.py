"""TT27/2020/TT-BGDĐT: assessment of primary pupils, grades 1–5 of the 2018 programme.

What the circular fixes, and where (Quy định ban hành kèm theo Thông tư 27/2020/TT-BGDĐT):

- Art. 7.1a: at four points of the year (mid-HKI, end-HKI, mid-HKII, end of year) each subject
  and educational activity is at Hoàn thành tốt / Hoàn thành / Chưa hoàn thành.
- Art. 7.1b: periodic tests at end-HKI and end of year in the compulsory subjects Tiếng Việt,
  Toán, Ngoại ngữ 1, Lịch sử và Địa lí, Khoa học, Tin học và Công nghệ; grades 4 and 5 add a
  mid-HKI and a mid-HKII test in Tiếng Việt and Toán.
- Art. 7.1d: a test is scored on the 10-point scale in whole numbers. The circular dropped the
  old "no 0" rule of TT30/2014, so 0 is a valid score here (and refused in ``tt30_2014``).
- Art. 7.2: at the same four points each quality and competency is at Tốt / Đạt / Cần cố gắng.
- Art. 9.2a: the year's educational result is one of four levels (table in ``year_result``).
- Art. 11: HTXS, HTT or HT completes the grade; otherwise the teacher plans support, assesses
  again, and the principal decides whether the pupil moves up. Grade 5 completed is written in
  the học bạ as "Hoàn thành chương trình tiểu học".
- Art. 13.1a: "Học sinh Xuất sắc" for HTXS; "Học sinh Tiêu biểu hoàn thành tốt trong học tập và
  rèn luyện" for HTT plus an outstanding subject or clear progress in a quality or competency,
  recognised by the class. That recognition is a fact of the class meeting, so it is an input
  (``award_recommended``), never guessed from the levels.

Partial input is normal: the gradebook evaluates the year while it is being entered. A result
is given only when every way of filling the missing values gives the same answer (a pupil with
one subject at Chưa hoàn thành at the end of the year is CHT whatever else is entered);
otherwise it is ``None`` and the reasons say what is missing.

``Point``, the level enums and the bar check are shared with ``tt30_2014``, whose TT22/2016
levels are the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Protocol

from django.utils.translation import gettext as _

from vnemis.learning.regimes.base import Promotion, RegimeInputError, score_read
from vnemis.learning.regimes.catalogue import subject_name

CODE = "tt27"
TITLE = "Thông tư 27/2020/TT-BGDĐT: Quy định đánh giá học sinh tiểu học"

GRADES = range(1, 6)


class Point(StrEnum):
    """The four periodic assessment points of a primary school year (TT27 Art. 7, TT30 Art. 10)."""

    GIUA_HK1 = "giua_hk1"
    CUOI_HK1 = "cuoi_hk1"
    GIUA_HK2 = "giua_hk2"
    CUOI_NAM = "cuoi_nam"


# Names as the học bạ and the class summary sheet print them.
POINT_NAMES: dict[Point, str] = {
    Point.GIUA_HK1: "giữa học kì I",
    Point.CUOI_HK1: "cuối học kì I",
    Point.GIUA_HK2: "giữa học kì II",
    Point.CUOI_NAM: "cuối năm học",
}


class SubjectLevel(StrEnum):
    """A subject's or activity's periodic level: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành."""

    HTT = "htt"
    HT = "ht"
    CHT = "cht"


SUBJECT_LEVEL_NAMES: dict[SubjectLevel, str] = {
    SubjectLevel.HTT: "Hoàn thành tốt",
    SubjectLevel.HT: "Hoàn thành",
    SubjectLevel.CHT: "Chưa hoàn thành",
}
_SUBJECT_RANK = {SubjectLevel.CHT: 0, SubjectLevel.HT: 1, SubjectLevel.HTT: 2}


class TraitLevel(StrEnum):
    """A quality's or competency's periodic level: Tốt / Đạt / Cần cố gắng."""

    TOT = "tot"
    DAT = "dat"
    CAN_CO_GANG = "can_co_gang"


TRAIT_LEVEL_NAMES: dict[TraitLevel, str] = {
    TraitLevel.TOT: "Tốt",
    TraitLevel.DAT: "Đạt",
    TraitLevel.CAN_CO_GANG: "Cần cố gắng",
}
_TRAIT_RANK = {TraitLevel.CAN_CO_GANG: 0, TraitLevel.DAT: 1, TraitLevel.TOT: 2}


class YearResult(StrEnum):
    """The year's educational result (Art. 9.2a)."""

    HTXS = "htxs"
    HTT = "htt"
    HT = "ht"
    CHT = "cht"


YEAR_RESULT_NAMES: dict[YearResult, str] = {
    YearResult.HTXS: "Hoàn thành xuất sắc",
    YearResult.HTT: "Hoàn thành tốt",
    YearResult.HT: "Hoàn thành",
    YearResult.CHT: "Chưa hoàn thành",
}


class Award(StrEnum):
    """Year-end awards of Art. 13.1a."""

    XUAT_SAC = "xuat_sac"
    TIEU_BIEU = "tieu_bieu"


AWARD_NAMES: dict[Award, str] = {
    Award.XUAT_SAC: "Học sinh Xuất sắc",
    Award.TIEU_BIEU: "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện",
}

# The content of assessment (⚠ article number not checked; Art. 5 in the usual numbering): five
# qualities, three general and seven specific competencies.
QUALITIES: dict[str, str] = {
    "yeu_nuoc": "Yêu nước",
    "nhan_ai": "Nhân ái",
    "cham_chi": "Chăm chỉ",
    "trung_thuc": "Trung thực",
    "trach_nhiem": "Trách nhiệm",
}
GENERAL_COMPETENCIES: dict[str, str] = {
    "tu_chu_tu_hoc": "Tự chủ và tự học",
    "giao_tiep_hop_tac": "Giao tiếp và hợp tác",
    "giai_quyet_van_de_sang_tao": "Giải quyết vấn đề và sáng tạo",
}
SPECIFIC_COMPETENCIES: dict[str, str] = {
    "ngon_ngu": "Ngôn ngữ",
    "tinh_toan": "Tính toán",
    "khoa_hoc": "Khoa học",
    "cong_nghe": "Công nghệ",
    "tin_hoc": "Tin học",
    "tham_mi": "Thẩm mĩ",
    "the_chat": "Thể chất",
}
COMPETENCIES: dict[str, str] = GENERAL_COMPETENCIES | SPECIFIC_COMPETENCIES

# ⚠ Công nghệ and Tin học are formed by the subject Tin học và Công nghệ, which starts in grade
# 3; the grade 1–2 học bạ forms seen list only the other five specific competencies. In grades 1
# and 2 the two are therefore optional: assessed if entered, not awaited if absent.
_COMPETENCIES_FROM_GRADE_3 = frozenset({"cong_nghe", "tin_hoc"})

# Subjects and educational activities of the 2018 primary programme (CT GDPT 2018), with the
# grades that teach them. Ngoại ngữ 1 and Tiếng dân tộc thiểu số are electives in grades 1–2
# (Ngoại ngữ 1) or throughout (Tiếng dân tộc). Tin học và Công nghệ may be entered as one
# subject or as its two parts, as học bạ forms print it either way.
SUBJECT_GRADES: dict[str, range] = {
    "tieng_viet": range(1, 6),
    "toan": range(1, 6),
    "ngoai_ngu": range(1, 6),
    "dao_duc": range(1, 6),
    "tnxh": range(1, 4),
    "lich_su_dia_li": range(4, 6),
    "khoa_hoc": range(4, 6),
    "tin_hoc_cong_nghe": range(3, 6),
    "tin_hoc": range(3, 6),
    "cong_nghe": range(3, 6),
    "gdtc": range(1, 6),
    "nghe_thuat": range(1, 6),
    "am_nhac": range(1, 6),
    "mi_thuat": range(1, 6),
    "hdtn": range(1, 6),
    "tieng_dan_toc": range(1, 6),
}

# Art. 7.1b: the compulsory subjects with end-HKI and end-of-year tests, from the grade where
# each is compulsory. ⚠ Ngoại ngữ 1 is compulsory from grade 3; in grades 1–2 it is an elective
# and gets no periodic test. ⚠ One English translation of Art. 7.1b omits Khoa học; the
# Vietnamese text lists it.
_TEST_SUBJECT_FROM_GRADE: dict[str, int] = {
    "tieng_viet": 1,
    "toan": 1,
    "ngoai_ngu": 3,
    "lich_su_dia_li": 4,
    "khoa_hoc": 4,
    "tin_hoc_cong_nghe": 3,
    "tin_hoc": 3,
    "cong_nghe": 3,
}
# Art. 7.1b, second paragraph: grades 4 and 5 add mid-term tests in Tiếng Việt and Toán.
_MIDTERM_TEST_SUBJECTS = frozenset({"tieng_viet", "toan"})
_MIDTERM_TEST_GRADES = range(4, 6)

_TOP_KEYS = frozenset(
    {
        "regime",
        "school_year",
        "grade",
        "subjects",
        "qualities",
        "competencies",
        "award_recommended",
        "principal_decision",
        "absences",
    }
)
_SUBJECT_KEYS = frozenset({"code", "levels", "tests"})


# --- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectInput:
    """One subject's periodic levels and test scores; a point not yet assessed is absent."""

    code: str
    levels: Mapping[Point, SubjectLevel]
    tests: Mapping[Point, int]


@dataclass(frozen=True)
class YearInput:
    """One pupil's year under TT27: what the gradebook and the calculator hand to ``evaluate``.

    ``qualities`` and ``competencies`` map a code of ``QUALITIES`` / ``COMPETENCIES`` to its
    levels by point. ``award_recommended`` records that the class recognised the pupil's
    outstanding subject or clear progress (Art. 13.1a). ``principal_decision`` records, for a
    pupil who has not completed the grade after support, what the principal decided (Art.
    11.1c); it is ignored when the grade is completed.
    """

    grade: int
    subjects: tuple[SubjectInput, ...]
    qualities: Mapping[str, Mapping[Point, TraitLevel]]
    competencies: Mapping[str, Mapping[Point, TraitLevel]]
    award_recommended: bool = False
    principal_decision: Promotion | None = None


# --- rules --------------------------------------------------------------------------------


def periodic_test_points(code: str, grade: int) -> tuple[Point, ...]:
    """The points at which subject ``code`` has a periodic test in ``grade`` (Art. 7.1b)."""
    start = _TEST_SUBJECT_FROM_GRADE.get(code)
    if start is None or grade < start:
        return ()
    if code in _MIDTERM_TEST_SUBJECTS and grade in _MIDTERM_TEST_GRADES:
        return (Point.GIUA_HK1, Point.CUOI_HK1, Point.GIUA_HK2, Point.CUOI_NAM)
    return (Point.CUOI_HK1, Point.CUOI_NAM)


def required_competencies(grade: int) -> tuple[str, ...]:
    """The competencies whose end-of-year level the year result waits for in ``grade``."""
    if grade >= 3:
        return tuple(COMPETENCIES)
    return tuple(code for code in COMPETENCIES if code not in _COMPETENCIES_FROM_GRADE_3)


def periodic_test_score_read(value: Any, *, where: str) -> int:
    """A periodic test score as TT27 allows it: a whole number from 0 to 10 (Art. 7.1d)."""
    return int(score_read(value, where=where, decimals=0, allow_zero=True))


def subject_year_level(subject: SubjectInput) -> SubjectLevel | None:
    """The subject's level for the year: its end-of-year periodic level (Art. 7.1a)."""
    return subject.levels.get(Point.CUOI_NAM)


class CheckStatus(Enum):
    """Whether known values reach a set of bars: surely, surely not, or not known yet."""

    MET = "met"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Bars:
    """The least subject level, quality/competency level and end-of-year test score of a level."""

    subject: SubjectLevel
    trait: TraitLevel
    test: int


@dataclass(frozen=True)
class YearFacts:
    """The end-of-year values a year result is decided on, named for the reasons.

    Each entry is (printed name, value or ``None`` when not entered yet).
    """

    subjects: tuple[tuple[str, SubjectLevel | None], ...]
    traits: tuple[tuple[str, TraitLevel | None], ...]
    tests: tuple[tuple[str, int | None], ...]


@dataclass(frozen=True)
class BarCheck:
    """The result of checking ``YearFacts`` against ``Bars``.

    ``shortfalls`` names each value below its bar, ``missing`` each value not entered yet,
    ``passes`` each test score at or above its bar (the reasons quote them).
    """

    status: CheckStatus
    shortfalls: tuple[str, ...]
    missing: tuple[str, ...]
    passes: tuple[str, ...]


def bars_check(facts: YearFacts, bars: Bars) -> BarCheck:
    """Whether every subject, quality, competency and end-of-year test reaches ``bars``.

    MET when all values are known and reach their bars; FAILED as soon as one known value is
    below its bar (no missing value can repair it); UNKNOWN otherwise. Shared by the year levels
    of TT27 Art. 9.2a and by the completion and award rules of TT30/2014 as amended.
    """
    shortfalls: list[str] = []
    missing: list[str] = []
    passes: list[str] = []
    subject_bar = SUBJECT_LEVEL_NAMES[bars.subject]
    trait_bar = TRAIT_LEVEL_NAMES[bars.trait]
    for name, level in facts.subjects:
        if level is None:
            missing.append(_("{subject}: no end-of-year level yet").format(subject=name))
        elif _SUBJECT_RANK[level] < _SUBJECT_RANK[bars.subject]:
            shortfalls.append(
                _("{subject}: end-of-year level {level}, below {required}").format(
                    subject=name, level=SUBJECT_LEVEL_NAMES[level], required=subject_bar
                )
            )
    for name, trait in facts.traits:
        if trait is None:
            missing.append(_("{trait}: no end-of-year level yet").format(trait=name))
        elif _TRAIT_RANK[trait] < _TRAIT_RANK[bars.trait]:
            shortfalls.append(
                _("{trait}: {level}, below {required}").format(
                    trait=name, level=TRAIT_LEVEL_NAMES[trait], required=trait_bar
                )
            )
    for name, score in facts.tests:
        if score is None:
            missing.append(_("{subject}: no end-of-year test score yet").format(subject=name))
        elif score < bars.test:
            shortfalls.append(
                _("{subject}: end-of-year test {score} < {bar}").format(
                    subject=name, score=score, bar=bars.test
                )
            )
        else:
            passes.append(
                _("{subject}: end-of-year test {score} ≥ {bar}").format(
                    subject=name, score=score, bar=bars.test
                )
            )
    if shortfalls:
        status = CheckStatus.FAILED
    elif missing or not facts.subjects:
        # No subject at all is not a year that reaches any bar: wait for the subjects.
        status = CheckStatus.UNKNOWN
    else:
        status = CheckStatus.MET
    return BarCheck(
        status=status, shortfalls=tuple(shortfalls), missing=tuple(missing), passes=tuple(passes)
    )


def year_facts(year: YearInput) -> YearFacts:
    """The end-of-year values of ``year`` that Art. 9.2a looks at."""
    subjects = tuple(
        (subject_name(subject.code), subject_year_level(subject)) for subject in year.subjects
    )
    tests = tuple(
        (subject_name(subject.code), subject.tests.get(Point.CUOI_NAM))
        for subject in year.subjects
        if Point.CUOI_NAM in periodic_test_points(subject.code, year.grade)
    )
    traits: list[tuple[str, TraitLevel | None]] = [
        (name, year.qualities.get(code, {}).get(Point.CUOI_NAM)) for code, name in QUALITIES.items()
    ]
    awaited = required_competencies(year.grade)
    traits.extend(
        (name, year.competencies.get(code, {}).get(Point.CUOI_NAM))
        for code, name in COMPETENCIES.items()
        if code in awaited or code in year.competencies
    )
    return YearFacts(subjects=subjects, traits=tuple(traits), tests=tests)


# Art. 9.2a, from the top: HTXS needs every subject HTT, every quality and competency Tốt and
# every end-of-year test ≥ 9; HTT the same with tests ≥ 7; HT every subject at least Hoàn thành,
# every quality and competency at least Đạt and every end-of-year test ≥ 5; CHT otherwise.
YEAR_BARS: tuple[tuple[YearResult, Bars], ...] = (
    (YearResult.HTXS, Bars(subject=SubjectLevel.HTT, trait=TraitLevel.TOT, test=9)),
    (YearResult.HTT, Bars(subject=SubjectLevel.HTT, trait=TraitLevel.TOT, test=7)),
    (YearResult.HT, Bars(subject=SubjectLevel.HT, trait=TraitLevel.DAT, test=5)),
)


@dataclass(frozen=True)
class YearDecision:
    """A year result (``None`` while undecided) and the sentences that decided it."""

    result: YearResult | None
    reasons: tuple[str, ...]


def year_result(year: YearInput) -> YearDecision:
    """The year's educational result by Art. 9.2a, or ``None`` while values are missing.

    Levels are tried from the top: the first whose bars are met is the result; a level whose
    bars are failed is passed over; a level that missing values could still reach leaves the
    result undecided.
    """
    facts = year_facts(year)
    reasons: list[str] = []
    for level, bars in YEAR_BARS:
        check = bars_check(facts, bars)
        name = YEAR_RESULT_NAMES[level]
        if check.status is CheckStatus.MET:
            reasons.append(_year_met_sentence(level, bars))
            reasons.extend(check.passes)
            return YearDecision(result=level, reasons=tuple(reasons))
        if check.status is CheckStatus.UNKNOWN:
            if not facts.subjects:
                reasons.append(_("Year result not decided yet: no subject has been entered."))
            reasons.extend(
                _("Year result not decided yet ({level} still possible): {item}.").format(
                    level=name, item=item
                )
                for item in check.missing
            )
            return YearDecision(result=None, reasons=tuple(reasons))
        reasons.extend(
            _("Not {level} (TT27 Art. 9.2a): {shortfall}.").format(level=name, shortfall=item)
            for item in check.shortfalls
        )
    reasons.append(
        _("Year result {level} (TT27 Art. 9.2a): the bars of {bar} are not reached.").format(
            level=YEAR_RESULT_NAMES[YearResult.CHT], bar=YEAR_RESULT_NAMES[YearResult.HT]
        )
    )
    return YearDecision(result=YearResult.CHT, reasons=tuple(reasons))


def _year_met_sentence(level: YearResult, bars: Bars) -> str:
    return _(
        "Year result {level} (TT27 Art. 9.2a): every subject at least {subject}, every quality "
        "and competency at least {trait}, every end-of-year test at least {test}."
    ).format(
        level=YEAR_RESULT_NAMES[level],
        subject=SUBJECT_LEVEL_NAMES[bars.subject],
        trait=TRAIT_LEVEL_NAMES[bars.trait],
        test=bars.test,
    )


def grade_completed(result: YearResult | None) -> bool | None:
    """Whether the grade's programme is completed (Art. 11.1a): HTXS, HTT or HT."""
    if result is None:
        return None
    return result is not YearResult.CHT


def primary_completed(grade: int, completed: bool | None) -> bool | None:
    """Whether the primary programme is completed: grade 5 completed (Art. 11.2)."""
    if completed is None:
        return None
    return grade == 5 and completed


def year_award(result: YearResult | None, *, recommended: bool) -> tuple[Award | None, str | None]:
    """The year-end award of Art. 13.1a and the sentence saying why (``None`` when none)."""
    if result is YearResult.HTXS:
        return Award.XUAT_SAC, _("Award {award}: year result {level} (TT27 Art. 13.1a).").format(
            award=AWARD_NAMES[Award.XUAT_SAC], level=YEAR_RESULT_NAMES[result]
        )
    if result is YearResult.HTT and recommended:
        return Award.TIEU_BIEU, _(
            "Award {award}: year result {level} and an outstanding subject or clear progress "
            "recognised by the class (TT27 Art. 13.1a)."
        ).format(award=AWARD_NAMES[Award.TIEU_BIEU], level=YEAR_RESULT_NAMES[result])
    if result is YearResult.HTT:
        return None, _(
            "No award: {level} earns {award} only with an outstanding subject or clear progress "
            "recognised by the class (TT27 Art. 13.1a)."
        ).format(level=YEAR_RESULT_NAMES[result], award=AWARD_NAMES[Award.TIEU_BIEU])
    if recommended and result is not None:
        return None, _(
            "No award: the class's recommendation counts only with a year result of {level} "
            "(TT27 Art. 13.1a)."
        ).format(level=YEAR_RESULT_NAMES[YearResult.HTT])
    return None, None


def promotion(
    *, grade: int, completed: bool | None, principal_decision: Promotion | None
) -> tuple[Promotion | None, str | None]:
    """What happens after the year (Art. 11) and the sentence saying why.

    A completed grade moves up (``len_lop``). A pupil who has not completed it is supported and
    assessed again by the teacher, and the principal decides (Art. 11.1b–c): until that
    decision is entered the promotion is ``None``.
    """
    if completed is None:
        return None, None
    if completed:
        if grade == 5:
            return Promotion.LEN_LOP, _(
                "Completes the primary programme: “Hoàn thành chương trình tiểu học” is written "
                "in the học bạ (TT27 Art. 11.2)."
            )
        return Promotion.LEN_LOP, _(
            "Completes the grade {grade} programme and moves up (TT27 Art. 11.1a)."
        ).format(grade=grade)
    if principal_decision is Promotion.LEN_LOP:
        return principal_decision, _(
            "Grade not completed after support: the principal decided to move the pupil up "
            "(TT27 Art. 11.1c)."
        )
    if principal_decision is not None:
        return principal_decision, _(
            "Grade not completed after support: the principal decided to keep the pupil in the "
            "grade (TT27 Art. 11.1c)."
        )
    return None, _(
        "Grade not completed: the teacher plans support and assesses again; if still not "
        "completed, the principal decides whether the pupil moves up (TT27 Art. 11.1b–c)."
    )


# --- outcome ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectOutcome:
    """A subject in the output: its levels and tests by point (``None`` when not entered)."""

    code: str
    levels: Mapping[Point, SubjectLevel | None]
    tests: Mapping[Point, int | None]
    year: SubjectLevel | None

    def as_json(self) -> dict[str, Any]:
        return {
            "levels": {str(point): _code(level) for point, level in self.levels.items()},
            "tests": {str(point): score for point, score in self.tests.items()},
            "year": _code(self.year),
        }


@dataclass(frozen=True)
class TraitOutcome:
    """A quality or competency in the output: its levels by point and its year level."""

    code: str
    levels: Mapping[Point, TraitLevel | None]
    year: TraitLevel | None

    def as_json(self) -> dict[str, Any]:
        return {
            "levels": {str(point): _code(level) for point, level in self.levels.items()},
            "year": _code(self.year),
        }


@dataclass(frozen=True)
class Outcome:
    """The results of one TT27 year; ``as_json()`` is the calculator's output."""

    subjects: tuple[SubjectOutcome, ...]
    qualities: tuple[TraitOutcome, ...]
    competencies: tuple[TraitOutcome, ...]
    year: YearResult | None
    completed: bool | None
    primary_completed: bool | None
    award: Award | None
    promotion: Promotion | None
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "regime": CODE,
            "subjects": {subject.code: subject.as_json() for subject in self.subjects},
            "learning": {
                "year": _code(self.year),
                "completed": self.completed,
                "primary_completed": self.primary_completed,
            },
            "conduct": {
                "qualities": {trait.code: trait.as_json() for trait in self.qualities},
                "competencies": {trait.code: trait.as_json() for trait in self.competencies},
            },
            "award": _code(self.award),
            "promotion": _code(self.promotion),
            "reasons": list(self.reasons),
        }


def _code(value: StrEnum | None) -> str | None:
    return None if value is None else str(value)


def trait_outcomes(
    given: Mapping[str, Mapping[Point, TraitLevel]], names: Mapping[str, str], awaited: set[str]
) -> tuple[TraitOutcome, ...]:
    """Every awaited or entered trait of ``names``, in the circular's order, with nulls."""
    return tuple(
        TraitOutcome(
            code=code,
            levels={point: given.get(code, {}).get(point) for point in Point},
            year=given.get(code, {}).get(Point.CUOI_NAM),
        )
        for code in names
        if code in awaited or code in given
    )


def subject_outcome(subject: SubjectInput, grade: int) -> SubjectOutcome:
    """The output of one subject: every point, and a test slot at each point that has one."""
    return SubjectOutcome(
        code=subject.code,
        levels={point: subject.levels.get(point) for point in Point},
        tests={
            point: subject.tests.get(point) for point in periodic_test_points(subject.code, grade)
        },
        year=subject_year_level(subject),
    )


def evaluate(year: YearInput) -> Outcome:
    """The results of one pupil's year under TT27/2020."""
    decision = year_result(year)
    completed = grade_completed(decision.result)
    award, award_reason = year_award(decision.result, recommended=year.award_recommended)
    moved, promotion_reason = promotion(
        grade=year.grade, completed=completed, principal_decision=year.principal_decision
    )
    reasons = list(decision.reasons)
    reasons.extend(reason for reason in (award_reason, promotion_reason) if reason is not None)
    return Outcome(
        subjects=tuple(subject_outcome(subject, year.grade) for subject in year.subjects),
        qualities=trait_outcomes(year.qualities, QUALITIES, set(QUALITIES)),
        competencies=trait_outcomes(
            year.competencies, COMPETENCIES, set(required_competencies(year.grade))
        ),
        year=decision.result,
        completed=completed,
        primary_completed=primary_completed(year.grade, completed),
        award=award,
        promotion=moved,
        reasons=tuple(reasons),
    )


# --- parsing the calculator's JSON ---------------------------------------------------------


def parse(data: Mapping[str, Any]) -> YearInput:
    """One pupil-year from the calculator's JSON (``docs/modules/learning-calculator.md``).

    Raises ``RegimeInputError`` naming the subject, quality or field at fault.
    """
    top = object_read(data, where=_("input"), keys=_TOP_KEYS)
    regime_check(top, CODE)
    grade = grade_read(top.get("grade"))
    subjects = subjects_read(
        top.get("subjects"),
        grade=grade,
        subject_grades=SUBJECT_GRADES,
        points_with_tests=periodic_test_points,
        score_reader=periodic_test_score_read,
    )
    if any(s.code == "tin_hoc_cong_nghe" for s in subjects) and any(
        s.code in ("tin_hoc", "cong_nghe") for s in subjects
    ):
        raise RegimeInputError(
            _("{subject}: enter it either as one subject or as its two parts, not both.").format(
                subject=subject_name("tin_hoc_cong_nghe")
            )
        )
    # No rule of TT27 uses absences; they are checked so a malformed file still fails.
    count_read(top.get("absences"), field="absences")
    return YearInput(
        grade=grade,
        subjects=subjects,
        qualities=traits_read(top.get("qualities"), names=QUALITIES, field="qualities"),
        competencies=traits_read(top.get("competencies"), names=COMPETENCIES, field="competencies"),
        award_recommended=flag_read(top.get("award_recommended"), field="award_recommended"),
        principal_decision=decision_read(top.get("principal_decision")),
    )


# The readers below are shared with ``tt30_2014``: same JSON shape, other names and rules.


class ScoreReader(Protocol):
    """Reads one periodic test score by a regime's rules (whole numbers; 0 allowed or not)."""

    def __call__(self, value: Any, *, where: str) -> int: ...


def count_read(value: Any, *, field: str) -> int | None:
    """An optional whole number of at least 0 (absent is ``None``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RegimeInputError(
            _("“{field}” must be a whole number of at least 0, not {value}.").format(
                field=field, value=value
            )
        )
    return value


def object_read(value: Any, *, where: str, keys: frozenset[str]) -> Mapping[str, Any]:
    """``value`` as a JSON object with only the fields in ``keys``."""
    # Same messages as ``tt22_2021.read_object``, so both share one translation.
    if not isinstance(value, Mapping):
        raise RegimeInputError(_("{where}: expected a JSON object.").format(where=where))
    unknown = sorted(set(value) - keys)
    if unknown:
        raise RegimeInputError(
            _("{where}: unknown field “{field}”; expected one of: {fields}.").format(
                where=where, field=unknown[0], fields=", ".join(sorted(keys))
            )
        )
    return value


def regime_check(top: Mapping[str, Any], code: str) -> None:
    """Refuse an input written for another regime (``regime`` may be left out)."""
    given = top.get("regime", code)
    if given != code:
        raise RegimeInputError(
            _("This input is for the regime “{given}”, not “{expected}”.").format(
                given=given, expected=code
            )
        )


def grade_read(value: Any) -> int:
    """A primary grade, 1 to 5."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in GRADES:
        raise RegimeInputError(
            _("The grade must be a whole number from 1 to 5, not {value}.").format(value=value)
        )
    return value


def flag_read(value: Any, *, field: str) -> bool:
    """An optional true/false field (absent is false)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RegimeInputError(_("“{field}” must be true or false.").format(field=field))
    return value


def decision_read(value: Any) -> Promotion | None:
    """The principal's decision for a pupil who has not completed the grade: up or stay."""
    if value is None:
        return None
    if value == Promotion.LEN_LOP:
        return Promotion.LEN_LOP
    if value == Promotion.O_LAI_LOP:
        return Promotion.O_LAI_LOP
    raise RegimeInputError(
        _("“principal_decision” must be len_lop or o_lai_lop, not “{value}”.").format(value=value)
    )


def point_read(value: Any, *, where: str) -> Point:
    """An assessment point code."""
    try:
        return Point(value)
    except ValueError:
        raise RegimeInputError(
            _(
                "{where}: “{value}” is not an assessment point; use giua_hk1, cuoi_hk1, "
                "giua_hk2 or cuoi_nam."
            ).format(where=where, value=value)
        ) from None


def subjects_read(
    value: Any,
    *,
    grade: int,
    subject_grades: Mapping[str, range],
    points_with_tests: Callable[[str, int], tuple[Point, ...]],
    score_reader: ScoreReader,
) -> tuple[SubjectInput, ...]:
    """The ``subjects`` list: known codes taught in ``grade``, each once, levels and tests.

    ``points_with_tests(code, grade)`` gives the points with a test; ``score_reader(value,
    where=...)`` reads one test score by the regime's rules.
    """
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise RegimeInputError(_("{where}: expected a JSON list.").format(where="subjects"))
    seen: set[str] = set()
    subjects: list[SubjectInput] = []
    for index, item in enumerate(value, start=1):
        where = _("Subject {number}").format(number=index)
        entry = object_read(item, where=where, keys=_SUBJECT_KEYS)
        code = entry.get("code")
        if not isinstance(code, str) or not code:
            raise RegimeInputError(_("{where}: the subject code is missing.").format(where=where))
        name = subject_name(code)
        if code not in subject_grades:
            raise RegimeInputError(
                _("{subject}: not a subject of this regime.").format(subject=name)
            )
        if grade not in subject_grades[code]:
            raise RegimeInputError(
                _("{subject}: not taught in grade {grade}.").format(subject=name, grade=grade)
            )
        if code in seen:
            raise RegimeInputError(_("{subject}: listed twice.").format(subject=name))
        seen.add(code)
        levels = _levels_read(entry.get("levels"), where=name)
        tests = _tests_read(
            entry.get("tests"),
            where=name,
            allowed=points_with_tests(code, grade),
            grade=grade,
            score_reader=score_reader,
        )
        subjects.append(SubjectInput(code=code, levels=levels, tests=tests))
    return tuple(subjects)


def _points_object(value: Any, *, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RegimeInputError(
            _("{where}: must be an object keyed by assessment point.").format(where=where)
        )
    return value


def _levels_read(value: Any, *, where: str) -> dict[Point, SubjectLevel]:
    levels: dict[Point, SubjectLevel] = {}
    for key, raw in _points_object(value, where=where).items():
        point = point_read(key, where=where)
        if raw is None:
            continue
        try:
            levels[point] = SubjectLevel(raw)
        except ValueError:
            raise RegimeInputError(
                _("{where}, {point}: “{value}” is not a level; use htt, ht or cht.").format(
                    where=where, point=POINT_NAMES[point], value=raw
                )
            ) from None
    return levels


def _tests_read(
    value: Any, *, where: str, allowed: tuple[Point, ...], grade: int, score_reader: ScoreReader
) -> dict[Point, int]:
    tests: dict[Point, int] = {}
    for key, raw in _points_object(value, where=where).items():
        point = point_read(key, where=where)
        if point not in allowed:
            raise RegimeInputError(
                _("{where}: there is no periodic test at {point} in grade {grade}.").format(
                    where=where, point=POINT_NAMES[point], grade=grade
                )
            )
        if raw is None:
            continue
        tests[point] = score_reader(
            raw, where=_("{subject}, test {point}").format(subject=where, point=POINT_NAMES[point])
        )
    return tests


def traits_read(
    value: Any, *, names: Mapping[str, str], field: str
) -> dict[str, dict[Point, TraitLevel]]:
    """The ``qualities`` or ``competencies`` object: known codes, each with levels by point."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RegimeInputError(_("“{field}” must be a JSON object.").format(field=field))
    traits: dict[str, dict[Point, TraitLevel]] = {}
    for code, raw_levels in value.items():
        if code not in names:
            raise RegimeInputError(
                _("“{code}” is not one of the {field} of this regime.").format(
                    code=code, field=field
                )
            )
        name = names[code]
        levels: dict[Point, TraitLevel] = {}
        for key, raw in _points_object(raw_levels, where=name).items():
            point = point_read(key, where=name)
            if raw is None:
                continue
            try:
                levels[point] = TraitLevel(raw)
            except ValueError:
                raise RegimeInputError(
                    _(
                        "{where}, {point}: “{value}” is not a level; use tot, dat or can_co_gang."
                    ).format(where=name, point=POINT_NAMES[point], value=raw)
                ) from None
        traits[code] = levels
    return traits
