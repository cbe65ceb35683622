"""From the gradebook's rows to the regime modules' inputs, and back.

The regime modules know nothing of the database; this module builds their frozen inputs from
``Mark`` and ``TermReport`` rows, so the gradebook's live results, the year-end run and the
calculator all run the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vnemis.learning.models import Mark, Subject, TermReport
from vnemis.learning.regimes import tt22_2021, tt27_2020, tt30_2014, tt58_2011
from vnemis.learning.regimes.base import CommentResult, Promotion, regular_count
from vnemis.learning.regimes.base import Level as Tt22Level

Outcome = tt22_2021.Outcome | tt58_2011.Outcome | tt27_2020.Outcome | tt30_2014.Outcome
POINTS = {
    1: (tt27_2020.Point.GIUA_HK1, tt27_2020.Point.CUOI_HK1),
    2: (tt27_2020.Point.GIUA_HK2, tt27_2020.Point.CUOI_NAM),
}


def _regular(subject: Subject, mark: Mark) -> tuple[Decimal | None, ...]:
    count = regular_count(subject.periods_per_year) if subject.periods_per_year else 4
    values = (mark.r1, mark.r2, mark.r3, mark.r4)[:count]
    return tuple(None if v is None else Decimal(v) for v in values)


def _comment(code: str) -> CommentResult | None:
    return CommentResult(code) if code in CommentResult.__members__.values() else None


def _decimal(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _tt22_terms(subject: Subject, marks: Mapping[int, Mark]) -> tuple[tt22_2021.TermScores, ...]:
    terms = []
    for term in (1, 2):
        mark = marks.get(term)
        if mark is None:
            terms.append(tt22_2021.TermScores())
        elif subject.mode == "comment":
            terms.append(tt22_2021.TermScores(result=_comment(mark.result)))
        else:
            terms.append(
                tt22_2021.TermScores(
                    regular=_regular(subject, mark),
                    midterm=_decimal(mark.midterm),
                    final=_decimal(mark.final),
                )
            )
    return tuple(terms)


def _tt58_terms(subject: Subject, marks: Mapping[int, Mark]) -> tuple[tt58_2011.TermScores, ...]:
    terms = []
    for term in (1, 2):
        mark = marks.get(term)
        if mark is None:
            terms.append(tt58_2011.TermScores())
        elif subject.mode == "comment":
            terms.append(tt58_2011.TermScores(result=_comment(mark.result)))
        else:
            terms.append(
                tt58_2011.TermScores(
                    regular=_regular(subject, mark),
                    periodic=() if mark.midterm is None else (Decimal(mark.midterm),),
                    final=_decimal(mark.final),
                )
            )
    return tuple(terms)


def mark_average(*, subject: Subject, mark: Mark) -> Decimal | None:
    """The term average of a scored subject (ĐTBmhk), or None while a score is missing."""
    if subject.mode != "score":
        return None
    if subject.regime == "tt58":
        return tt58_2011.term_average(_tt58_terms(subject, {mark.term: mark})[mark.term - 1])
    scores = _tt22_terms(subject, {mark.term: mark})[mark.term - 1]
    return tt22_2021.term_average(scores)


def trait_codes(regime: str, grade: int) -> tuple[str, ...]:
    """The qualities and competencies a primary homeroom teacher assesses in ``grade``."""
    if regime == "tt27":
        return (*tt27_2020.QUALITIES, *tt27_2020.required_competencies(grade))
    if regime == "tt30":
        return (*tt30_2014.QUALITIES, *tt30_2014.COMPETENCIES)
    return ()


def _absences(reports: Mapping[int, TermReport]) -> int | None:
    if not reports:
        return None
    return sum(r.absences_excused + r.absences_unexcused for r in reports.values())


def _primary_input(
    regime: str,
    grade: int,
    subjects: Sequence[Subject],
    marks: Mapping[tuple[int, int], Mark],
    reports: Mapping[int, TermReport],
) -> tt27_2020.YearInput | tt30_2014.YearInput:
    inputs = []
    for subject in subjects:
        levels: dict[tt27_2020.Point, tt27_2020.SubjectLevel] = {}
        tests: dict[tt27_2020.Point, int] = {}
        for term, (mid, end) in POINTS.items():
            mark = marks.get((subject.pk, term))
            if mark is None:
                continue
            if mark.mid_result:
                levels[mid] = tt27_2020.SubjectLevel(mark.mid_result)
            if mark.result:
                levels[end] = tt27_2020.SubjectLevel(mark.result)
            if mark.midterm is not None:
                tests[mid] = int(mark.midterm)
            if mark.final is not None:
                tests[end] = int(mark.final)
        inputs.append(tt27_2020.SubjectInput(code=subject.code, levels=levels, tests=tests))
    module = tt27_2020 if regime == "tt27" else tt30_2014
    qualities: dict[str, dict[tt27_2020.Point, tt27_2020.TraitLevel]] = {}
    competencies: dict[str, dict[tt27_2020.Point, tt27_2020.TraitLevel]] = {}
    for term, (mid, end) in POINTS.items():
        report = reports.get(term)
        if report is None:
            continue
        for point, values in ((mid, report.traits_mid), (end, report.traits)):
            for code, level in values.items():
                target = qualities if code in module.QUALITIES else competencies
                target.setdefault(code, {})[point] = tt27_2020.TraitLevel(level)
    second = reports.get(2)
    decision = Promotion(second.decision) if second is not None and second.decision else None
    recommended = bool(second is not None and second.recommended)
    if regime == "tt27":
        return tt27_2020.YearInput(
            grade=grade,
            subjects=tuple(inputs),
            qualities=qualities,
            competencies=competencies,
            award_recommended=recommended,
            principal_decision=decision,
        )
    return tt30_2014.YearInput(
        grade=grade,
        subjects=tuple(inputs),
        qualities=qualities,
        competencies=competencies,
        award_recommended=recommended,
        principal_decision=decision,
    )


def year_evaluate(
    *,
    regime: str,
    grade: int,
    subjects: Sequence[Subject],
    marks: Sequence[Mark],
    reports: Sequence[TermReport],
    explain: bool = True,
) -> Outcome:
    """Evaluate one student-year from its rows (the regime module's own ``evaluate``).

    ``explain`` False: the secondary regimes write no reasons (the stored results and the
    year-end run do not show them, and wording them was most of the cost)."""
    by_cell = {(m.subject_id, m.term): m for m in marks}
    by_term = {r.term: r for r in reports}
    if regime in ("tt27", "tt30"):
        primary = _primary_input(regime, grade, subjects, by_cell, by_term)
        if isinstance(primary, tt30_2014.YearInput):
            return tt30_2014.evaluate(primary)
        return tt27_2020.evaluate(primary)
    per_subject = {
        s.pk: {t: by_cell[(s.pk, t)] for t in (1, 2) if (s.pk, t) in by_cell} for s in subjects
    }
    if regime == "tt58":
        second = by_term.get(2)
        return tt58_2011.evaluate(
            explain=explain,
            year=tt58_2011.YearInput(
                grade=grade,
                subjects=tuple(
                    tt58_2011.SubjectInput(
                        code=s.code,
                        mode=tt22_2021.Mode(s.mode),
                        terms=_tt58_terms(s, per_subject[s.pk]),
                        periods_per_year=s.periods_per_year,
                    )
                    for s in subjects
                ),
                conduct=tuple(
                    tt58_2011.Conduct(by_term[t].conduct)
                    if t in by_term and by_term[t].conduct
                    else None
                    for t in (1, 2)
                ),
                conduct_year=tt58_2011.Conduct(second.year_conduct)
                if second is not None and second.year_conduct
                else None,
                absences=_absences(by_term),
            ),
        )
    return tt22_2021.evaluate(
        explain=explain,
        year=tt22_2021.YearInput(
            grade=grade,
            subjects=tuple(
                tt22_2021.SubjectInput(
                    code=s.code,
                    mode=tt22_2021.Mode(s.mode),
                    terms=_tt22_terms(s, per_subject[s.pk]),
                    periods_per_year=s.periods_per_year,
                )
                for s in subjects
            ),
            conduct=tuple(
                Tt22Level(by_term[t].conduct) if t in by_term and by_term[t].conduct else None
                for t in (1, 2)
            ),
            absences=_absences(by_term),
        ),
    )


def stored_outcome(
    *,
    regime: str,
    grade: int,
    subjects: Sequence[Subject],
    marks: Sequence[Mark],
    reports: Sequence[TermReport],
) -> dict[str, Any]:
    """The outcome of a student-year as ``YearResult.outcome`` keeps it: the calculator's JSON
    without its reasons (the calculator, evaluating the same rows, gives them on demand; kept
    for 225.000 students they were a third of the demo database)."""
    outcome: dict[str, Any] = plain(
        year_evaluate(
            regime=regime,
            grade=grade,
            subjects=subjects,
            marks=marks,
            reports=reports,
            explain=False,
        ).as_json()
    )
    outcome.pop("reasons", None)
    return outcome


def plain(value: Any) -> Any:
    """The outcome's JSON with decimals as numbers (one decimal, as the contract writes them)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Headline:
    """The codes of a year outcome that are counted and filtered on."""

    learning: str
    conduct: str
    award: str
    promotion: str


def headline(outcome: dict[str, Any]) -> Headline:
    conduct = outcome.get("conduct", {}).get("year")
    learning = outcome.get("learning", {})
    year = learning.get("year")
    if year is None and isinstance(learning.get("completed"), bool):
        # TT30 (as amended by TT22/2016) decides only whether the grade is completed; its year
        # result is stored with TT27's codes: ht (Hoàn thành) / cht (Chưa hoàn thành).
        year = "ht" if learning["completed"] else "cht"
    return Headline(
        learning=year or "",
        conduct=conduct if isinstance(conduct, str) else "",
        award=outcome.get("award") or "",
        promotion=outcome.get("promotion") or "",
    )
