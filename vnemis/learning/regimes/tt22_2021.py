"""TT22/2021/TT-BGDĐT: assessment of lower and upper secondary students (grades 6–12).

The regime of the 2018 general-education programme, phased in from 2021-22 (see
``phase_in``). Rules, by article (domain reference §3.2):

- Điều 6: regular scores per term by periods per year (``base.regular_count``).
- Điều 9.1: ĐTBmhk = (sum of regular + 2·mid-term + 3·end-of-term) / (number of regular + 5);
  ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3 from the rounded term averages; each rounded to one
  decimal, halves up. Điều 9.1a: a comment subject's year result is its term II result.
- Điều 9.2: the learning levels Tốt / Khá / Đạt / Chưa đạt, per term from the term averages
  and for the year from the year averages, with the "at least 6 subjects" conditions.
- Điều 9.3: a level pulled down two levels or more by one single subject is raised to the
  adjacent level (⚠ read as in the reference; see ``learning_level``).
- Điều 8.2b: the year conduct from the two term conducts (``CONDUCT_YEAR``).
- Điều 12–14: promotion; Điều 15: awards.

Partial years are normal (the gradebook evaluates while scores are being entered): a result
that cannot be computed yet is ``None``, and a level needing it is ``None`` too; nothing is
guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from vnemis.learning.regimes.base import (
    CommentResult,
    Level,
    Promotion,
    RegimeInputError,
    decimal_text,
    regular_count,
    round1,
    score_read,
)
from vnemis.learning.regimes.catalogue import subject_name

CODE = "tt22"
TITLE = "Thông tư 22/2021/TT-BGDĐT"
GRADES = range(6, 13)
# Điều 12.1c: more than 45 sessions absent in the year, excused or not, repeats the grade.
MAX_ABSENCES = 45
# Điều 9.2 and 15.1: "at least 06 subjects".
SIX = 6
TERMS = 2

TOT_FLOOR = Decimal("6.5")
TOT_BAR = Decimal("8.0")
KHA_FLOOR = Decimal("5.0")
KHA_BAR = Decimal("6.5")
DAT_FLOOR = Decimal("3.5")
DAT_BAR = Decimal("5.0")
XUAT_SAC_BAR = Decimal("9.0")

SUBJECT_CODE = re.compile(r"^[a-z0-9_]{1,40}$")

# Levels from the lowest; Điều 9.3 counts "levels" on this scale.
RANK: dict[Level, int] = {Level.CHUA_DAT: 0, Level.DAT: 1, Level.KHA: 2, Level.TOT: 3}
BY_RANK: dict[int, Level] = {rank: level for level, rank in RANK.items()}

# Điều 8.2b, keyed (term I, term II). The words of the article: Tốt = II Tốt and I ≥ Khá;
# Khá = II Khá and I ≥ Khá, or II Đạt and I Tốt, or II Tốt and I Đạt/Chưa đạt; Đạt = II Đạt
# and I Khá/Đạt/Chưa đạt, or II Khá and I Đạt/Chưa đạt; otherwise (II Chưa đạt) Chưa đạt.
CONDUCT_YEAR: dict[tuple[Level, Level], Level] = {
    (Level.TOT, Level.TOT): Level.TOT,
    (Level.KHA, Level.TOT): Level.TOT,
    (Level.DAT, Level.TOT): Level.KHA,
    (Level.CHUA_DAT, Level.TOT): Level.KHA,
    (Level.TOT, Level.KHA): Level.KHA,
    (Level.KHA, Level.KHA): Level.KHA,
    (Level.DAT, Level.KHA): Level.DAT,
    (Level.CHUA_DAT, Level.KHA): Level.DAT,
    (Level.TOT, Level.DAT): Level.KHA,
    (Level.KHA, Level.DAT): Level.DAT,
    (Level.DAT, Level.DAT): Level.DAT,
    (Level.CHUA_DAT, Level.DAT): Level.DAT,
    (Level.TOT, Level.CHUA_DAT): Level.CHUA_DAT,
    (Level.KHA, Level.CHUA_DAT): Level.CHUA_DAT,
    (Level.DAT, Level.CHUA_DAT): Level.CHUA_DAT,
    (Level.CHUA_DAT, Level.CHUA_DAT): Level.CHUA_DAT,
}


class Mode(StrEnum):
    """How a subject is assessed (Điều 5): by comments only, or by comments and scores."""

    SCORE = "score"
    COMMENT = "comment"


class Award(StrEnum):
    """Điều 15: the two titles of TT22 (there is no "học sinh tiên tiến" any more)."""

    XUAT_SAC = "xuat_sac"
    GIOI = "gioi"


@dataclass(frozen=True)
class TermScores:
    """One term of one subject: scores for a scored subject, the result for a comment subject.

    ``regular`` has one slot per regular score the subject needs; ``None`` in a slot, or a
    missing mid-term or end-of-term score, is a score not entered yet.
    """

    regular: tuple[Decimal | None, ...] = ()
    midterm: Decimal | None = None
    final: Decimal | None = None
    result: CommentResult | None = None


@dataclass(frozen=True)
class SubjectInput:
    """A subject of the student's year; ``terms`` holds up to two terms, in order."""

    code: str
    mode: Mode
    terms: tuple[TermScores, ...] = ()
    periods_per_year: int | None = None

    @property
    def name(self) -> str:
        return subject_name(self.code)


@dataclass(frozen=True)
class YearInput:
    """One student-year: subjects, conduct per term (I, II) and sessions absent."""

    grade: int
    subjects: tuple[SubjectInput, ...]
    conduct: tuple[Level | None, ...] = ()
    absences: int | None = None


@dataclass(frozen=True)
class SubjectResult:
    """A subject's results: two term values and the year value (``None`` while unknown)."""

    code: str
    mode: Mode
    terms: tuple[Decimal | CommentResult | None, Decimal | CommentResult | None]
    year: Decimal | CommentResult | None

    def as_json(self) -> dict[str, Any]:
        return {"terms": list(self.terms), "year": self.year}


@dataclass(frozen=True)
class LearningLevel:
    """A learning level and how it was reached.

    ``unadjusted`` is the level of Điều 9.2 alone; ``level`` differs from it only when the
    Điều 9.3 adjustment applied, and ``responsible`` then names the one subject at fault and
    ``without`` the level reached with that subject excused.
    """

    level: Level
    unadjusted: Level
    # The unmet conditions of the level just above ``unadjusted`` (for the reasons).
    missed: tuple[str, ...] = ()
    responsible: str | None = None
    # The level the student would have without the responsible subject's fault.
    without: Level | None = None


@dataclass(frozen=True)
class Outcome:
    """The results of one student-year under TT22; ``as_json()`` is the calculator's output."""

    subjects: tuple[SubjectResult, ...]
    learning_terms: tuple[LearningLevel | None, LearningLevel | None]
    learning_year: LearningLevel | None
    conduct_terms: tuple[Level | None, Level | None]
    conduct_year: Level | None
    award: Award | None
    promotion: Promotion | None
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        def level(value: LearningLevel | None) -> str | None:
            return None if value is None else value.level.value

        return {
            "regime": CODE,
            "subjects": {s.code: s.as_json() for s in self.subjects},
            "learning": {
                "terms": [level(t) for t in self.learning_terms],
                "year": level(self.learning_year),
            },
            "conduct": {"year": self.conduct_year},
            "award": self.award,
            "promotion": self.promotion,
            "reasons": list(self.reasons),
        }


# --- labels ------------------------------------------------------------------------------


def level_label(level: Level) -> str:
    """The level as the học bạ prints it."""
    labels = {
        Level.TOT: _("Good"),
        Level.KHA: _("Fair"),
        Level.DAT: _("Pass"),
        Level.CHUA_DAT: _("Not yet passed"),
    }
    return labels[level]


def comment_label(result: CommentResult) -> str:
    return _("Pass") if result is CommentResult.DAT else _("Not yet passed")


def term_label(term: int) -> str:
    """``term`` counts from 0: "học kì I", "học kì II"."""
    return _("term I") if term == 0 else _("term II")


def period_label(term: int | None) -> str:
    """A term, or the whole year when ``term`` is None."""
    return _("the year") if term is None else term_label(term)


# --- subject averages --------------------------------------------------------------------


def term_average(term: TermScores) -> Decimal | None:
    """ĐTBmhk (Điều 9.1), or ``None`` while a score of the term is missing."""
    if not term.regular or term.midterm is None or term.final is None:
        return None
    regular = [score for score in term.regular if score is not None]
    if len(regular) != len(term.regular):
        return None
    total = sum(regular, Decimal(0)) + 2 * term.midterm + 3 * term.final
    return round1(total / (len(regular) + 5))


def year_average(first: Decimal | None, second: Decimal | None) -> Decimal | None:
    """ĐTBmcn (Điều 9.1) from the two rounded term averages, or ``None`` if one is missing."""
    if first is None or second is None:
        return None
    return round1((first + 2 * second) / 3)


def subject_result(subject: SubjectInput) -> SubjectResult:
    """The term and year results of one subject (Điều 9.1)."""
    terms = list(subject.terms) + [TermScores()] * (TERMS - len(subject.terms))
    if subject.mode is Mode.COMMENT:
        first_c, second_c = terms[0].result, terms[1].result
        # Điều 9.1a: the year result of a comment subject is its term II result.
        return SubjectResult(subject.code, subject.mode, (first_c, second_c), second_c)
    first, second = term_average(terms[0]), term_average(terms[1])
    return SubjectResult(subject.code, subject.mode, (first, second), year_average(first, second))


def regular_slots_check(subject: SubjectInput) -> None:
    """Refuse a term whose number of regular scores is not the one Điều 6 sets.

    Only when ``periods_per_year`` is known and the term lists any regular slot (an empty
    list is a term not started).
    """
    if subject.mode is not Mode.SCORE or subject.periods_per_year is None:
        return
    need = regular_count(subject.periods_per_year)
    for index, term in enumerate(subject.terms):
        if term.regular and len(term.regular) != need:
            raise RegimeInputError(
                _(
                    "{subject}: {term} needs {need} regular assessment scores "
                    "({periods} periods a year), got {got}."
                ).format(
                    subject=subject.name,
                    term=term_label(index),
                    need=need,
                    periods=subject.periods_per_year,
                    got=len(term.regular),
                )
            )


# --- learning level (Điều 9.2, 9.3) ------------------------------------------------------


def _missed(
    level: Level,
    scores: Mapping[str, Decimal],
    comments: Mapping[str, CommentResult],
    excused: str | None = None,
    *,
    explain: bool = True,
) -> list[str]:
    """The conditions of Điều 9.2 for ``level`` that the results do not meet.

    ``excused`` is a subject treated as meeting every per-subject floor (Điều 9.3); it still
    counts, with its real value, in the "at least 6 subjects" counts. Without ``explain`` the
    list holds one empty string per unmet condition: the Điều 9.3 trials only need to know
    whether a level is met, and wording every condition was most of the cost of a year.
    """
    if level is Level.CHUA_DAT:
        return []
    floor, bar = {
        Level.TOT: (TOT_FLOOR, TOT_BAR),
        Level.KHA: (KHA_FLOOR, KHA_BAR),
        Level.DAT: (DAT_FLOOR, DAT_BAR),
    }[level]
    missed: list[str] = []
    failed = [c for c, r in comments.items() if r is CommentResult.CHUA_DAT and c != excused]
    if level is Level.DAT:
        if len(failed) > 1:
            missed.append(
                _("{count} comment subjects Not yet passed (at most 1)").format(count=len(failed))
                if explain
                else ""
            )
    else:
        missed.extend(
            _("{subject} Not yet passed").format(subject=subject_name(c)) if explain else ""
            for c in failed
        )
    missed.extend(
        f"{subject_name(code)} {decimal_text(value)} < {decimal_text(floor)}" if explain else ""
        for code, value in scores.items()
        if value < floor and code != excused
    )
    reaching = sum(1 for value in scores.values() if value >= bar)
    if reaching < SIX:
        missed.append(
            _("only {count} subjects ≥ {bar} (at least 6)").format(
                count=reaching, bar=decimal_text(bar)
            )
            if explain
            else ""
        )
    return missed


def _raw_level(
    scores: Mapping[str, Decimal],
    comments: Mapping[str, CommentResult],
    excused: str | None = None,
    *,
    explain: bool = True,
) -> tuple[Level, tuple[str, ...]]:
    """The Điều 9.2 level and the unmet conditions of the level above it."""
    above: list[str] = []
    for level in (Level.TOT, Level.KHA, Level.DAT):
        missed = _missed(level, scores, comments, excused, explain=explain)
        if not missed:
            return level, tuple(above)
        above = missed
    return Level.CHUA_DAT, tuple(above)


def learning_level(values: Mapping[str, Decimal | CommentResult | None]) -> LearningLevel | None:
    """The learning level of a term or year from each subject's value for that period.

    ``values`` maps subject codes to the term (or year) average of a scored subject, or the
    result of a comment subject. ``None`` while any value is missing or there is no subject.

    Điều 9.3 (⚠ interpreted as the reference suggests): when the level is pulled down by two
    levels or more by one single subject, it is raised to the adjacent level. Read as: for
    each subject, recompute the level with that subject excused from the per-subject
    conditions; if exactly one subject raises the level that way, and by two levels or more,
    the result is the level just above the Điều 9.2 level.
    """
    if not values or any(value is None for value in values.values()):
        return None
    comments = {c: v for c, v in values.items() if isinstance(v, CommentResult)}
    scores = {c: v for c, v in values.items() if isinstance(v, Decimal)}
    level, missed = _raw_level(scores, comments)
    excused = {
        code: _raw_level(scores, comments, excused=code, explain=False)[0] for code in values
    }
    lifted = {code: alone for code, alone in excused.items() if RANK[alone] > RANK[level]}
    if len(lifted) == 1:
        ((code, without),) = lifted.items()
        if RANK[without] - RANK[level] >= 2:
            return LearningLevel(BY_RANK[RANK[level] + 1], level, missed, code, without)
    return LearningLevel(level, level, missed)


def term_level(results: Sequence[SubjectResult], term: int) -> LearningLevel | None:
    """The learning level of term ``term`` (0 or 1) from the term averages and results."""
    return learning_level({r.code: r.terms[term] for r in results})


def year_level(results: Sequence[SubjectResult]) -> LearningLevel | None:
    """The year learning level from the year averages (ĐTBmcn) and year comment results."""
    return learning_level({r.code: r.year for r in results})


# --- conduct, promotion, award -----------------------------------------------------------


def conduct_year(first: Level | None, second: Level | None) -> Level | None:
    """The year conduct from the two terms (Điều 8.2b), ``None`` while one is missing."""
    if first is None or second is None:
        return None
    return CONDUCT_YEAR[(first, second)]


def promotion(
    *, learning: Level | None, conduct: Level | None, absences: int | None
) -> Promotion | None:
    """What follows the year (Điều 12–14), ``None`` until all three inputs are known.

    Order of the rules (the reading taken): more than 45 sessions absent repeats the grade
    (12.1c); conduct and learning both Chưa đạt repeat it (re-tests are only for students
    whose conduct is at least Đạt, Điều 14, and summer training alone cannot lift learning);
    conduct Chưa đạt alone means summer training (Điều 13); learning Chưa đạt alone means
    re-tests in the summer (Điều 14); otherwise the student moves up.
    """
    if learning is None or conduct is None or absences is None:
        return None
    if absences > MAX_ABSENCES:
        return Promotion.O_LAI_LOP
    if conduct is Level.CHUA_DAT and learning is Level.CHUA_DAT:
        return Promotion.O_LAI_LOP
    if conduct is Level.CHUA_DAT:
        return Promotion.REN_LUYEN_HE
    if learning is Level.CHUA_DAT:
        return Promotion.KIEM_TRA_LAI
    return Promotion.LEN_LOP


def award(
    *, learning: Level | None, conduct: Level | None, year_scores: Sequence[Decimal]
) -> Award | None:
    """Điều 15: Xuất sắc (conduct Tốt, learning Tốt, at least 6 ĐTBmcn ≥ 9,0) or Giỏi."""
    if learning is not Level.TOT or conduct is not Level.TOT:
        return None
    if sum(1 for score in year_scores if score >= XUAT_SAC_BAR) >= SIX:
        return Award.XUAT_SAC
    return Award.GIOI


# --- evaluation --------------------------------------------------------------------------


def _learning_reason(term: int | None, decided: LearningLevel | None) -> str:
    period = period_label(term)
    if decided is None:
        return _("Learning, {period}: not known until every subject has its result.").format(
            period=period
        )
    if decided.responsible is not None:
        return _(
            "Learning, {period}: {level} (Điều 9.3: {subject} alone lowers the level from "
            "{without} to {unadjusted}; raised one level)."
        ).format(
            period=period,
            level=level_label(decided.level),
            subject=subject_name(decided.responsible),
            without=level_label(decided.without or decided.level),
            unadjusted=level_label(decided.unadjusted),
        )
    if decided.level is Level.TOT:
        return _("Learning, {period}: Good (Điều 9.2a: every condition met).").format(period=period)
    higher = BY_RANK[RANK[decided.level] + 1]
    return _("Learning, {period}: {level} (Điều 9.2; not {higher}: {missed}).").format(
        period=period,
        level=level_label(decided.level),
        higher=level_label(higher),
        missed="; ".join(decided.missed),
    )


def subject_reasons(subject: SubjectResult) -> list[str]:
    """How the subject's year result was reached (shared with TT58, whose averages agree)."""
    name = subject_name(subject.code)
    first, second = subject.terms
    if subject.mode is Mode.COMMENT:
        if isinstance(subject.year, CommentResult):
            return [
                _("{subject}: year {result}, the term II result (Điều 9.1a).").format(
                    subject=name, result=comment_label(subject.year)
                )
            ]
        return [_("{subject}: no term II result yet.").format(subject=name)]
    if isinstance(subject.year, Decimal) and isinstance(first, Decimal):
        assert isinstance(second, Decimal)
        return [
            _("{subject}: ĐTBmcn {year} = ({first} + 2 × {second}) / 3 (Điều 9.1).").format(
                subject=name,
                year=decimal_text(subject.year),
                first=decimal_text(first),
                second=decimal_text(second),
            )
        ]
    missing = [term_label(i) for i, value in enumerate(subject.terms) if value is None]
    return [
        _("{subject}: {terms} incomplete; no average yet.").format(
            subject=name, terms=", ".join(missing)
        )
    ]


def _conduct_reason(terms: tuple[Level | None, Level | None], year: Level | None) -> str:
    if year is None:
        return _("Conduct for the year: not known until both terms are assessed.")
    first, second = terms
    assert first is not None and second is not None
    return _("Conduct for the year: {year} (term I {first}, term II {second}; Điều 8.2b).").format(
        year=level_label(year), first=level_label(first), second=level_label(second)
    )


def _award_reason(
    result: Award | None, learning: Level | None, conduct: Level | None, count: int
) -> str:
    if result is Award.XUAT_SAC:
        return _(
            "Award: Excellent student (Điều 15.1: conduct and learning Good, "
            "{count} subjects with ĐTBmcn ≥ 9,0)."
        ).format(count=count)
    if result is Award.GIOI:
        return _(
            "Award: Good student (Điều 15.2: conduct and learning Good; "
            "{count} subjects ≥ 9,0, fewer than 6)."
        ).format(count=count)
    if learning is None or conduct is None:
        return _("Award: not known until the year's learning and conduct are known.")
    return _("Award: none (conduct {conduct}, learning {learning}; both must be Good).").format(
        conduct=level_label(conduct), learning=level_label(learning)
    )


def _promotion_reason(
    result: Promotion | None, learning: Level | None, conduct: Level | None, absences: int | None
) -> str:
    if result is None:
        return _("Promotion: not known until the year's learning, conduct and absences are known.")
    assert learning is not None and conduct is not None and absences is not None
    if result is Promotion.O_LAI_LOP and absences > MAX_ABSENCES:
        return _("Promotion: repeats the grade ({absences} sessions absent > 45, Điều 12).").format(
            absences=absences
        )
    messages = {
        Promotion.O_LAI_LOP: _(
            "Promotion: repeats the grade (conduct and learning both Not yet passed, Điều 12–14)."
        ),
        Promotion.REN_LUYEN_HE: _(
            "Promotion: summer conduct training, then reassessment (conduct Not yet passed, "
            "Điều 13)."
        ),
        Promotion.KIEM_TRA_LAI: _(
            "Promotion: summer re-tests of the subjects not passed (learning Not yet passed, "
            "Điều 14)."
        ),
        Promotion.LEN_LOP: _(
            "Promotion: moves up (conduct and learning at least Pass, {absences} sessions "
            "absent ≤ 45, Điều 12)."
        ).format(absences=absences),
    }
    return messages[result]


def evaluate(year: YearInput, *, explain: bool = True) -> Outcome:
    """Every result of the student-year (the partial ones stay ``None``).

    Raises ``RegimeInputError`` when a term's number of regular scores contradicts the
    subject's ``periods_per_year`` (the gradebook builds inputs without ``parse``).
    """
    for subject in year.subjects:
        regular_slots_check(subject)
    results = tuple(subject_result(s) for s in year.subjects)
    learning_terms = (term_level(results, 0), term_level(results, 1))
    learning = year_level(results)
    conduct_terms = (
        year.conduct[0] if len(year.conduct) > 0 else None,
        year.conduct[1] if len(year.conduct) > 1 else None,
    )
    conduct = conduct_year(*conduct_terms)
    learning_value = None if learning is None else learning.level
    year_scores = [r.year for r in results if isinstance(r.year, Decimal)]
    given_award = award(learning=learning_value, conduct=conduct, year_scores=year_scores)
    given_promotion = promotion(learning=learning_value, conduct=conduct, absences=year.absences)
    reasons: list[str] = []
    # Without ``explain`` (the year-end run, the stored results) no sentence is written.
    if explain:
        for result in results:
            reasons.extend(subject_reasons(result))
        reasons.append(_learning_reason(0, learning_terms[0]))
        reasons.append(_learning_reason(1, learning_terms[1]))
        reasons.append(_learning_reason(None, learning))
        reasons.append(_conduct_reason(conduct_terms, conduct))
        count = sum(1 for score in year_scores if score >= XUAT_SAC_BAR)
        reasons.append(_award_reason(given_award, learning_value, conduct, count))
        reasons.append(_promotion_reason(given_promotion, learning_value, conduct, year.absences))
    return Outcome(
        subjects=results,
        learning_terms=learning_terms,
        learning_year=learning,
        conduct_terms=conduct_terms,
        conduct_year=conduct,
        award=given_award,
        promotion=given_promotion,
        reasons=tuple(reasons),
    )


# --- reading the calculator's JSON -------------------------------------------------------

TOP_KEYS = {"regime", "school_year", "grade", "subjects", "conduct", "absences"}
SUBJECT_KEYS = {"code", "mode", "periods_per_year", "terms"}
SCORE_TERM_KEYS = {"regular", "midterm", "final"}
COMMENT_TERM_KEYS = {"result"}


def read_object(value: Any, *, where: str, keys: set[str]) -> dict[str, Any]:
    """A JSON object with no key outside ``keys`` (a misspelt key must not be ignored)."""
    if not isinstance(value, dict):
        raise RegimeInputError(_("{where}: expected a JSON object.").format(where=where))
    unknown = sorted(set(value) - keys)
    if unknown:
        raise RegimeInputError(
            _("{where}: unknown field “{field}”; expected one of: {fields}.").format(
                where=where, field=unknown[0], fields=", ".join(sorted(keys))
            )
        )
    return value


def read_list(value: Any, *, where: str, most: int | None = None) -> list[Any]:
    if not isinstance(value, list):
        raise RegimeInputError(_("{where}: expected a JSON list.").format(where=where))
    if most is not None and len(value) > most:
        raise RegimeInputError(
            _("{where}: at most {most} entries, got {count}.").format(
                where=where, most=most, count=len(value)
            )
        )
    return value


def read_int(value: Any, *, where: str, least: int, most: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RegimeInputError(_("{where}: expected a whole number.").format(where=where))
    if value < least or (most is not None and value > most):
        if most is None:
            message = _("{where}: must be at least {least}, not {value}.")
        else:
            message = _("{where}: must lie between {least} and {most}, not {value}.")
        raise RegimeInputError(message.format(where=where, least=least, most=most, value=value))
    return value


def read_choice[E: StrEnum](value: Any, *, where: str, enum: type[E]) -> E:
    try:
        return enum(value)
    except ValueError:
        raise RegimeInputError(
            _("{where}: “{value}” is not one of: {codes}.").format(
                where=where, value=value, codes=", ".join(e.value for e in enum)
            )
        ) from None


def read_optional_score(value: Any, *, where: str) -> Decimal | None:
    return None if value is None else score_read(value, where=where)


def read_grade(data: dict[str, Any], grades: range) -> int:
    if "grade" not in data:
        raise RegimeInputError(_("The field “grade” is required."))
    return read_int(data["grade"], where="grade", least=grades.start, most=grades.stop - 1)


def read_subject_head(raw: Any, index: int, seen: set[str], keys: set[str]) -> dict[str, Any]:
    """The subject object with a valid, unique ``code``."""
    where = _("subject {number}").format(number=index + 1)
    item = read_object(raw, where=where, keys=keys)
    code = item.get("code")
    if not isinstance(code, str) or not SUBJECT_CODE.match(code):
        raise RegimeInputError(
            _("{where}: “code” must be a subject code such as “toan”.").format(where=where)
        )
    if code in seen:
        raise RegimeInputError(
            _("{subject}: the subject is listed twice.").format(subject=subject_name(code))
        )
    seen.add(code)
    return item


def read_periods(item: dict[str, Any], name: str) -> int | None:
    if item.get("periods_per_year") is None:
        return None
    return read_int(
        item["periods_per_year"],
        where=_("{subject}: periods_per_year").format(subject=name),
        least=1,
    )


def _read_term(raw: Any, *, name: str, index: int, mode: Mode) -> TermScores:
    where = f"{name}, {term_label(index)}"
    if mode is Mode.COMMENT:
        item = read_object(raw, where=where, keys=COMMENT_TERM_KEYS)
        result = item.get("result")
        if result is None:
            return TermScores()
        return TermScores(result=read_choice(result, where=where, enum=CommentResult))
    item = read_object(raw, where=where, keys=SCORE_TERM_KEYS)
    regular = read_list(item.get("regular", []), where=_("{where}, regular").format(where=where))
    return TermScores(
        regular=tuple(
            read_optional_score(
                value, where=_("{where}, regular score {n}").format(where=where, n=n + 1)
            )
            for n, value in enumerate(regular)
        ),
        midterm=read_optional_score(
            item.get("midterm"), where=_("{where}, mid-term").format(where=where)
        ),
        final=read_optional_score(
            item.get("final"), where=_("{where}, end-of-term").format(where=where)
        ),
    )


def read_conduct[E: StrEnum](data: dict[str, Any], enum: type[E]) -> tuple[E | None, ...]:
    raw = read_list(data.get("conduct", []), where="conduct", most=TERMS)
    return tuple(
        None
        if value is None
        else read_choice(value, where=_("conduct, {term}").format(term=term_label(n)), enum=enum)
        for n, value in enumerate(raw)
    )


def read_absences(data: dict[str, Any]) -> int | None:
    if data.get("absences") is None:
        return None
    return read_int(data["absences"], where="absences", least=0)


def parse(data: Any) -> YearInput:
    """One student-year from the calculator's JSON (``docs/modules/learning-calculator.md``)."""
    data = read_object(data, where=_("input"), keys=TOP_KEYS)
    grade = read_grade(data, GRADES)
    raw_subjects = read_list(data.get("subjects"), where="subjects")
    if not raw_subjects:
        raise RegimeInputError(_("subjects: list at least one subject."))
    seen: set[str] = set()
    subjects = []
    for index, raw in enumerate(raw_subjects):
        item = read_subject_head(raw, index, seen, SUBJECT_KEYS)
        name = subject_name(item["code"])
        mode = read_choice(
            item.get("mode"), where=_("{subject}: mode").format(subject=name), enum=Mode
        )
        terms = read_list(
            item.get("terms", []), where=_("{subject}: terms").format(subject=name), most=TERMS
        )
        subject = SubjectInput(
            code=item["code"],
            mode=mode,
            terms=tuple(_read_term(t, name=name, index=n, mode=mode) for n, t in enumerate(terms)),
            periods_per_year=read_periods(item, name),
        )
        regular_slots_check(subject)
        subjects.append(subject)
    return YearInput(
        grade=grade,
        subjects=tuple(subjects),
        conduct=read_conduct(data, Level),
        absences=read_absences(data),
    )
