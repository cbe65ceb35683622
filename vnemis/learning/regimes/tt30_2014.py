"""TT30/2014/TT-BGDĐT as amended by TT22/2016/TT-BGDĐT: primary grades not yet under TT27.

TT27/2020 replaced these circulars grade by grade (TT27 Art. 2: grade 1 from 2020-21 … grade 5
from 2024-25), so this regime covers the primary grades of the 2006 programme still being
taught, such as grades 3–5 in 2021-22. Articles are those of the Quy định ban hành kèm theo
Thông tư 30/2014/TT-BGDĐT in the wording of Thông tư 22/2016/TT-BGDĐT (in force 06/11/2016):

- Art. 10.1a: at mid-HKI, end-HKI, mid-HKII and end of year each subject and educational
  activity is at Hoàn thành tốt / Hoàn thành / Chưa hoàn thành.
- Art. 10.1b: periodic tests at end-HKI and end of year in Tiếng Việt, Toán, Khoa học, Lịch sử và
  Địa lí, Ngoại ngữ, Tin học and Tiếng dân tộc; grades 4 and 5 add a mid-HKI and a mid-HKII
  test in Tiếng Việt and Toán.
- Art. 10.1d: a test is scored on the 10-point scale, no 0 and no decimals. ⚠ The "no 0" words
  are those of the original TT30 Art. 10, which TT22/2016 is reported to keep; the public
  summaries read for this module stop just before that sentence.
- Art. 10.2: at the same four points each competency and quality is at Tốt / Đạt / Cần cố
  gắng. Art. 5 (as amended): competencies tự phục vụ, tự quản; hợp tác; tự học và giải quyết
  vấn đề; qualities chăm học, chăm làm; tự tin, trách nhiệm; trung thực, kỉ luật; đoàn kết, yêu
  thương. ⚠ These names are from the circular's wording as commonly quoted, not from a copy of
  the text found in this research.
- Art. 14.1 ⚠ (read from secondary sources, see the notes): the grade is completed when every
  subject and activity is at least Hoàn thành at the end of the year, every competency and
  quality at least Đạt, and every end-of-year test at least 5; otherwise the teacher supports
  and assesses again, and the principal decides whether the pupil moves up. Art. 14.2: grade 5
  completed is written in the học bạ as "Hoàn thành chương trình tiểu học".
- Art. 16.1a: the principal awards at the end of the year (1) "học sinh hoàn thành xuất sắc
  các nội dung học tập và rèn luyện": every subject at Hoàn thành tốt, every competency and
  quality Tốt, every end-of-year test at least 9; (2) pupils with "thành tích vượt trội hay tiến
  bộ vượt bậc" in at least one subject, competency or quality, introduced by the teacher and
  recognised by the class: a fact of the class, so an input (``award_recommended``).

There is no four-level year result in this regime: the year ends in completion or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from vnemis.learning.regimes.base import Promotion, score_read
from vnemis.learning.regimes.catalogue import subject_name

# The point and level types are the same words in both circulars; they are re-exported so the
# gradebook builds a TT30 input from this module alone.
from vnemis.learning.regimes.tt27_2020 import (
    SUBJECT_LEVEL_NAMES,
    TRAIT_LEVEL_NAMES,
    Bars,
    CheckStatus,
    SubjectOutcome,
    TraitOutcome,
    YearFacts,
    bars_check,
    count_read,
    decision_read,
    flag_read,
    grade_read,
    object_read,
    primary_completed,
    regime_check,
    subject_year_level,
    subjects_read,
    trait_outcomes,
    traits_read,
)
from vnemis.learning.regimes.tt27_2020 import Point as Point
from vnemis.learning.regimes.tt27_2020 import SubjectInput as SubjectInput
from vnemis.learning.regimes.tt27_2020 import SubjectLevel as SubjectLevel
from vnemis.learning.regimes.tt27_2020 import TraitLevel as TraitLevel

CODE = "tt30"
TITLE = (
    "Thông tư 30/2014/TT-BGDĐT, sửa đổi bởi Thông tư 22/2016/TT-BGDĐT: "
    "Quy định đánh giá học sinh tiểu học"
)


class Award(StrEnum):
    """Year-end awards of Art. 16.1a as amended."""

    XUAT_SAC = "xuat_sac"
    VUOT_TROI = "vuot_troi"


AWARD_NAMES: dict[Award, str] = {
    Award.XUAT_SAC: "Học sinh hoàn thành xuất sắc các nội dung học tập và rèn luyện",
    Award.VUOT_TROI: "Học sinh có thành tích vượt trội hay tiến bộ vượt bậc",
}

# Art. 5.2 and 5.3 as amended (⚠ names as commonly quoted): three competencies and four
# qualities, each assessed at every grade.
COMPETENCIES: dict[str, str] = {
    "tu_phuc_vu_tu_quan": "Tự phục vụ, tự quản",
    "hop_tac": "Hợp tác",
    "tu_hoc_giai_quyet_van_de": "Tự học và giải quyết vấn đề",
}
QUALITIES: dict[str, str] = {
    "cham_hoc_cham_lam": "Chăm học, chăm làm",
    "tu_tin_trach_nhiem": "Tự tin, trách nhiệm",
    "trung_thuc_ki_luat": "Trung thực, kỉ luật",
    "doan_ket_yeu_thuong": "Đoàn kết, yêu thương",
}

# Subjects and educational activities of the 2006 primary programme, with the grades teaching
# them. Ngoại ngữ, Tin học and Tiếng dân tộc are taught where the school offers them.
SUBJECT_GRADES: dict[str, range] = {
    "tieng_viet": range(1, 6),
    "toan": range(1, 6),
    "tnxh": range(1, 4),
    "khoa_hoc": range(4, 6),
    "lich_su_dia_li": range(4, 6),
    "dao_duc": range(1, 6),
    "am_nhac": range(1, 6),
    "mi_thuat": range(1, 6),
    "thu_cong": range(1, 4),
    "ki_thuat": range(4, 6),
    "the_duc": range(1, 6),
    "ngoai_ngu": range(1, 6),
    "tin_hoc": range(1, 6),
    "tieng_dan_toc": range(1, 6),
}

# Art. 10.1b as amended: subjects with end-HKI and end-of-year tests wherever they are taught.
_TEST_SUBJECTS = frozenset(
    {"tieng_viet", "toan", "khoa_hoc", "lich_su_dia_li", "ngoai_ngu", "tin_hoc", "tieng_dan_toc"}
)
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

# Art. 14.1a ⚠: the bars of completing the grade. Art. 16.1a: the bars of the excellence award.
COMPLETION_BARS = Bars(subject=SubjectLevel.HT, trait=TraitLevel.DAT, test=5)
EXCELLENCE_BARS = Bars(subject=SubjectLevel.HTT, trait=TraitLevel.TOT, test=9)


@dataclass(frozen=True)
class YearInput:
    """One pupil's year under TT30/2014 as amended: what ``evaluate`` reads.

    Same fields as ``tt27_2020.YearInput``, with this regime's competency and quality codes.
    ``award_recommended`` records that the teacher introduced the pupil and the class
    recognised an outstanding achievement or remarkable progress (Art. 16.1a).
    """

    grade: int
    subjects: tuple[SubjectInput, ...]
    qualities: Mapping[str, Mapping[Point, TraitLevel]]
    competencies: Mapping[str, Mapping[Point, TraitLevel]]
    award_recommended: bool = False
    principal_decision: Promotion | None = None


def periodic_test_points(code: str, grade: int) -> tuple[Point, ...]:
    """The points at which subject ``code`` has a periodic test in ``grade`` (Art. 10.1b)."""
    if code not in _TEST_SUBJECTS:
        return ()
    if code in _MIDTERM_TEST_SUBJECTS and grade in _MIDTERM_TEST_GRADES:
        return (Point.GIUA_HK1, Point.CUOI_HK1, Point.GIUA_HK2, Point.CUOI_NAM)
    return (Point.CUOI_HK1, Point.CUOI_NAM)


def periodic_test_score_read(value: Any, *, where: str) -> int:
    """A periodic test score as this regime allows it: a whole number from 1 to 10 (Art. 10.1d)."""
    return int(score_read(value, where=where, decimals=0, allow_zero=False))


def year_facts(year: YearInput) -> YearFacts:
    """The end-of-year values completion and the excellence award look at."""
    subjects = tuple(
        (subject_name(subject.code), subject_year_level(subject)) for subject in year.subjects
    )
    tests = tuple(
        (subject_name(subject.code), subject.tests.get(Point.CUOI_NAM))
        for subject in year.subjects
        if Point.CUOI_NAM in periodic_test_points(subject.code, year.grade)
    )
    traits = tuple(
        (name, year.competencies.get(code, {}).get(Point.CUOI_NAM))
        for code, name in COMPETENCIES.items()
    ) + tuple(
        (name, year.qualities.get(code, {}).get(Point.CUOI_NAM)) for code, name in QUALITIES.items()
    )
    return YearFacts(subjects=subjects, traits=traits, tests=tests)


@dataclass(frozen=True)
class CompletionDecision:
    """Whether the grade is completed (``None`` while undecided) and why."""

    completed: bool | None
    reasons: tuple[str, ...]


def grade_completion(year: YearInput) -> CompletionDecision:
    """Completion of the grade's programme by Art. 14.1a as amended (⚠ see the module notes)."""
    facts = year_facts(year)
    check = bars_check(facts, COMPLETION_BARS)
    if check.status is CheckStatus.MET:
        reasons = [
            _(
                "Completes the grade {grade} programme (TT30 Art. 14.1a as amended by TT22/2016):"
                " every subject and activity at least {subject}, every competency and quality at"
                " least {trait}, every end-of-year test at least {test}."
            ).format(
                grade=year.grade,
                subject=SUBJECT_LEVEL_NAMES[COMPLETION_BARS.subject],
                trait=TRAIT_LEVEL_NAMES[COMPLETION_BARS.trait],
                test=COMPLETION_BARS.test,
            )
        ]
        reasons.extend(check.passes)
        return CompletionDecision(completed=True, reasons=tuple(reasons))
    if check.status is CheckStatus.FAILED:
        return CompletionDecision(
            completed=False,
            reasons=tuple(
                _("Grade not completed (TT30 Art. 14.1a as amended): {shortfall}.").format(
                    shortfall=item
                )
                for item in check.shortfalls
            ),
        )
    reasons = []
    if not facts.subjects:
        reasons.append(_("Completion not decided yet: no subject has been entered."))
    reasons.extend(
        _("Completion not decided yet: {item}.").format(item=item) for item in check.missing
    )
    return CompletionDecision(completed=None, reasons=tuple(reasons))


def year_award(year: YearInput) -> tuple[Award | None, tuple[str, ...]]:
    """The year-end award of Art. 16.1a as amended and the sentences saying why.

    The excellence award is decided on the values; the award for outstanding achievement or
    remarkable progress follows the class's recognition and is given when the excellence award
    is not. While the excellence award is still possible, the award is undecided (``None``).
    """
    check = bars_check(year_facts(year), EXCELLENCE_BARS)
    name = AWARD_NAMES[Award.XUAT_SAC]
    if check.status is CheckStatus.MET:
        return Award.XUAT_SAC, (
            _(
                "Award “{award}” (TT30 Art. 16.1a as amended): every subject and activity"
                " {subject}, every competency and quality {trait}, every end-of-year test at"
                " least {test}."
            ).format(
                award=name,
                subject=SUBJECT_LEVEL_NAMES[EXCELLENCE_BARS.subject],
                trait=TRAIT_LEVEL_NAMES[EXCELLENCE_BARS.trait],
                test=EXCELLENCE_BARS.test,
            ),
        )
    if check.status is CheckStatus.UNKNOWN:
        return None, ()
    # For a pupil who completed the grade, say what kept the excellence award away; for one who
    # did not, the completion reasons already name the same values.
    reasons: tuple[str, ...] = ()
    if bars_check(year_facts(year), COMPLETION_BARS).status is CheckStatus.MET:
        reasons = tuple(
            _("Not “{award}” (TT30 Art. 16.1a as amended): {shortfall}.").format(
                award=name, shortfall=item
            )
            for item in check.shortfalls
        )
    if year.award_recommended:
        return Award.VUOT_TROI, (
            *reasons,
            _(
                "Award “{award}”: introduced by the teacher and recognised by the class"
                " (TT30 Art. 16.1a as amended)."
            ).format(award=AWARD_NAMES[Award.VUOT_TROI]),
        )
    return None, reasons


def promotion(
    *, grade: int, completed: bool | None, principal_decision: Promotion | None
) -> tuple[Promotion | None, str | None]:
    """What happens after the year (Art. 14) and the sentence saying why.

    A completed grade moves up; otherwise the teacher supports and assesses again and the
    principal decides (Art. 14.1b–c): until that decision is entered the promotion is ``None``.
    """
    if completed is None:
        return None, None
    if completed:
        if grade == 5:
            return Promotion.LEN_LOP, _(
                "Completes the primary programme: “Hoàn thành chương trình tiểu học” is written "
                "in the học bạ (TT30 Art. 14.2)."
            )
        return Promotion.LEN_LOP, _("Moves up to grade {next} (TT30 Art. 14.1a).").format(
            next=grade + 1
        )
    if principal_decision is Promotion.LEN_LOP:
        return principal_decision, _(
            "Grade not completed after support: the principal decided to move the pupil up "
            "(TT30 Art. 14.1c)."
        )
    if principal_decision is not None:
        return principal_decision, _(
            "Grade not completed after support: the principal decided to keep the pupil in the "
            "grade (TT30 Art. 14.1c)."
        )
    return None, _(
        "Grade not completed: the teacher plans support and assesses again; if still not "
        "completed, the principal decides whether the pupil moves up (TT30 Art. 14.1b–c)."
    )


@dataclass(frozen=True)
class Outcome:
    """The results of one TT30 year; ``as_json()`` is the calculator's output."""

    subjects: tuple[SubjectOutcome, ...]
    qualities: tuple[TraitOutcome, ...]
    competencies: tuple[TraitOutcome, ...]
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
                "completed": self.completed,
                "primary_completed": self.primary_completed,
            },
            "conduct": {
                "competencies": {trait.code: trait.as_json() for trait in self.competencies},
                "qualities": {trait.code: trait.as_json() for trait in self.qualities},
            },
            "award": None if self.award is None else str(self.award),
            "promotion": None if self.promotion is None else str(self.promotion),
            "reasons": list(self.reasons),
        }


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
    """The results of one pupil's year under TT30/2014 as amended by TT22/2016."""
    completion = grade_completion(year)
    award, award_reasons = year_award(year)
    moved, promotion_reason = promotion(
        grade=year.grade,
        completed=completion.completed,
        principal_decision=year.principal_decision,
    )
    reasons = [*completion.reasons, *award_reasons]
    if promotion_reason is not None:
        reasons.append(promotion_reason)
    return Outcome(
        subjects=tuple(subject_outcome(subject, year.grade) for subject in year.subjects),
        qualities=trait_outcomes(year.qualities, QUALITIES, set(QUALITIES)),
        competencies=trait_outcomes(year.competencies, COMPETENCIES, set(COMPETENCIES)),
        completed=completion.completed,
        primary_completed=primary_completed(year.grade, completion.completed),
        award=award,
        promotion=moved,
        reasons=tuple(reasons),
    )


def parse(data: Mapping[str, Any]) -> YearInput:
    """One pupil-year from the calculator's JSON (``docs/modules/learning-calculator.md``).

    Raises ``RegimeInputError`` naming the subject, competency, quality or field at fault.
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
    # No rule of this regime uses absences; they are checked so a malformed file still fails.
    count_read(top.get("absences"), field="absences")
    return YearInput(
        grade=grade,
        subjects=subjects,
        qualities=traits_read(top.get("qualities"), names=QUALITIES, field="qualities"),
        competencies=traits_read(top.get("competencies"), names=COMPETENCIES, field="competencies"),
        award_recommended=flag_read(top.get("award_recommended"), field="award_recommended"),
        principal_decision=decision_read(top.get("principal_decision")),
    )
