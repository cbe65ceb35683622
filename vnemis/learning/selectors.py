"""Composite reads of learning results: the gradebook's rows, and a student's results as his
family may see them (the publication rules applied in one place)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from vnemis.learning.choices import ReleaseColumn
from vnemis.learning.models import Mark, Release, Subject, TermReport, YearResult
from vnemis.learning.regimes import tt22_2021
from vnemis.learning.services.catalogue import class_regime, class_subjects
from vnemis.learning.services.marks import mark_values
from vnemis.learning.services.reports import report_values
from vnemis.learning.services.results import RESULT_STATUSES
from vnemis.people.models import Enrollment, SchoolClass, Student

# Which entered values each releasable column shows.
COLUMN_FIELDS: dict[str, tuple[str, ...]] = {
    ReleaseColumn.REGULAR: ("r1", "r2", "r3", "r4", "rr1", "rr2", "rr3", "rr4"),
    ReleaseColumn.MIDTERM: ("midterm", "mid_result"),
    ReleaseColumn.FINAL: ("final", "final_result"),
    ReleaseColumn.AVERAGE: ("average", "result", "comment"),
}


def released_columns(*, school_class_id: int, now: dt.datetime) -> set[tuple[int | None, int, str]]:
    """The (subject id or None, term, column) triples of a class released by ``now``."""
    rules = Release.objects.filter(school_class_id=school_class_id).filter(
        Q(released_at__lte=now) | Q(release_on__lte=now.date())
    )
    return {(r.subject_id, r.term, r.column) for r in rules}


@dataclass(frozen=True)
class SubjectLine:
    """One subject of a student's year: per term the values shown, and the year result."""

    subject: Subject
    terms: dict[int, dict[str, Any]]
    year: Any = None


@dataclass(frozen=True)
class StudentYear:
    """A student's year as one viewer may see it. ``hidden`` counts the values withheld
    until the school releases them (shown to families as "not yet published")."""

    student: Student
    school_class: SchoolClass | None
    regime: str
    lines: list[SubjectLine]
    reports: dict[int, dict[str, Any]]
    year: YearResult | None
    hidden: int = 0
    summary_released: dict[int, bool] = field(default_factory=dict)


def student_class_of_year(*, student: Student, school_year_id: int) -> SchoolClass | None:
    enrollment = (
        Enrollment.objects.filter(
            student=student,
            school_year_id=school_year_id,
            status__in=RESULT_STATUSES,
            school_class__isnull=False,
        )
        .select_related("school_class__school_year", "school_class__school")
        .order_by("-started_on")
        .first()
    )
    return None if enrollment is None else enrollment.school_class


def student_year(
    *, student: Student, school_year_id: int, released_only: bool, now: dt.datetime
) -> StudentYear | None:
    """A student's results of a year: everything for the school's staff, and only released
    columns for his family (``released_only``). None when he has no class that year."""
    school_class = student_class_of_year(student=student, school_year_id=school_year_id)
    if school_class is None:
        return None
    subjects = class_subjects(school_class)
    released = (
        released_columns(school_class_id=school_class.pk, now=now) if released_only else set()
    )
    marks = {
        (m.subject_id, m.term): m
        for m in Mark.objects.filter(student=student, school_year_id=school_year_id)
    }
    hidden = 0
    lines: list[SubjectLine] = []
    for subject in subjects:
        terms: dict[int, dict[str, Any]] = {}
        for term in (1, 2):
            values = mark_values(marks.get((subject.pk, term)))
            if released_only:
                shown: dict[str, Any] = {}
                for column, fields in COLUMN_FIELDS.items():
                    for name in fields:
                        if name not in values:
                            continue
                        if (subject.pk, term, column) in released:
                            shown[name] = values[name]
                        else:
                            hidden += 1
                values = shown
            terms[term] = values
        year = None
        if not released_only or (subject.pk, 2, ReleaseColumn.AVERAGE) in released:
            year = _subject_year(subject, terms)
        lines.append(SubjectLine(subject=subject, terms=terms, year=year))
    reports: dict[int, dict[str, Any]] = {}
    summary = {term: (None, term, ReleaseColumn.SUMMARY.value) in released for term in (1, 2)}
    for report in TermReport.objects.filter(student=student, school_year_id=school_year_id):
        if released_only and not summary[report.term]:
            hidden += 1
            continue
        reports[report.term] = report_values(report)
    year_result = YearResult.objects.filter(student=student, school_year_id=school_year_id).first()
    if released_only and year_result is not None and not summary[2]:
        year_result = None
        hidden += 1
    return StudentYear(
        student=student,
        school_class=school_class,
        regime=class_regime(school_class),
        lines=lines,
        reports=reports,
        year=year_result,
        hidden=hidden,
        summary_released=summary if released_only else {1: True, 2: True},
    )


def _subject_year(subject: Subject, terms: dict[int, dict[str, Any]]) -> Any:
    """The year value of a subject from its two terms (the regime's year average for a
    scored subject; the term II result otherwise)."""
    if subject.mode == "score":
        first, second = terms[1].get("average"), terms[2].get("average")
        if first is None or second is None:
            return None
        # ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3 under TT22 and TT58 alike.
        average = tt22_2021.year_average(Decimal(first), Decimal(second))
        return None if average is None else str(average)
    return terms[2].get("result") or None


def class_distribution(*, school_class: SchoolClass, subject: Subject, term: int) -> dict[str, int]:
    """How the class's term results of a subject spread, without names: score bands of one
    point for a scored subject ("8" counts 8,0–8,9; "10" is 10,0), result codes otherwise."""
    student_ids = Enrollment.objects.filter(
        school_class=school_class, status__in=RESULT_STATUSES
    ).values("student_id")
    marks = Mark.objects.filter(
        student_id__in=student_ids,
        school_year_id=school_class.school_year_id,
        subject=subject,
        term=term,
    )
    if subject.mode == "score":
        averages = marks.exclude(average__isnull=True).values_list("average", flat=True)
        return dict(sorted(Counter(str(int(a)) for a in averages if a is not None).items()))
    results = marks.exclude(result="").values_list("result", flat=True)
    return dict(Counter(results))
