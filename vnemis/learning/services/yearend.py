"""The year-end run: year results of every student of a school year, in bulk.

``year_results_refresh`` re-evaluates a few students after each change in the gradebook;
this run evaluates a province at the end of the year. It reads marks and term reports as
plain rows in large batches (no model instances), evaluates each student-year with the same
regime code (``learning.bulk``), writes the results in bulk (COPY on PostgreSQL) and marks
the schools stale once. Its results are exactly those the refresh gives for the same rows
(``tests/test_yearend.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from vnemis.core.bulk import ids_allocate, rows_insert
from vnemis.learning.bulk import (
    MARK_COLUMNS,
    REPORT_COLUMNS,
    Evaluated,
    MemoKey,
    OutcomeMemo,
    ScoreReader,
    SubjectRow,
    marks_read,
    outcome_evaluate,
    reports_read,
)
from vnemis.learning.models import Mark, Subject, TeachingAssignment, TermReport, YearResult
from vnemis.learning.regimes.phase_in import regime_for
from vnemis.learning.services.results import RESULT_STATUSES
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear, paths_q
from vnemis.organisations.stale import units_stale
from vnemis.people.models import Enrollment, SchoolClass

Progress = Callable[[str], None]
# The unique indexes' orders: (student, school year, subject, term) and (student, school
# year, term).
MARK_ORDER = ("student_id", "school_year_id", "subject_id", "term")
REPORT_ORDER = ("student_id", "school_year_id", "term")
# Students per batch: one range query each for marks and term reports.
BATCH = 5_000
UPDATED_FIELDS = [
    "school",
    "school_class",
    "grade",
    "regime",
    "learning",
    "conduct",
    "award",
    "promotion",
    "outcome",
    "updated_at",
]
INSERTED_FIELDS = [
    "id",
    "student",
    "school_year",
    "school",
    "school_class",
    "grade",
    "regime",
    "learning",
    "conduct",
    "award",
    "promotion",
    "outcome",
    "recorded_on",
    "created_at",
    "updated_at",
]


@dataclass(frozen=True)
class ClassInfo:
    """What the evaluation needs of a class: its school, grade, regime and subjects."""

    school_id: int
    grade: int
    regime: str
    subjects: tuple[SubjectRow, ...]

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.regime, self.grade, tuple(s.pk for s in self.subjects))


def _school_ids(unit_ids: Iterable[int] | None) -> list[int] | None:
    """The schools placed under ``unit_ids`` in any tree version (the units themselves
    included); None for every school."""
    if unit_ids is None:
        return None
    paths = OrgPlacement.objects.filter(unit_id__in=list(unit_ids)).values_list("path", flat=True)
    return sorted(
        OrgUnit.objects.schools()
        .filter(pk__in=OrgPlacement.objects.filter(paths_q(list(paths))).values("unit_id"))
        .values_list("id", flat=True)
    )


def _enrollments(school_year: SchoolYear, school_ids: list[int] | None) -> dict[int, int]:
    """Student → the class holding his year: his latest enrolment of the year with a class
    (as ``year_results_refresh`` picks it), for every student of a general-education class
    under the schools."""
    rows = Enrollment.objects.filter(
        school_year=school_year,
        status__in=RESULT_STATUSES,
        school_class__isnull=False,
        school_class__grade__gte=1,  # preschool classes have no regime
    )
    if school_ids is not None:
        under = rows.filter(school_id__in=school_ids)
        rows = rows.filter(student_id__in=under.values("student_id"))
    found: dict[int, int] = {}
    for student_id, class_id in rows.order_by("student_id", "started_on", "id").values_list(
        "student_id", "school_class_id"
    ):
        found[student_id] = class_id  # the latest enrolment of the year wins
    return found


def _classes(class_ids: Iterable[int]) -> dict[int, ClassInfo]:
    """The classes' regimes and subjects, as ``class_subjects`` gives them, in a few queries:
    the catalogue's compulsory subjects of the regime and grade, and the electives the class
    has a teaching assignment for."""
    ids = sorted(set(class_ids))
    facts = {
        pk: (school_id, grade, regime_for(grade=grade, school_year=year))
        for pk, school_id, grade, year in SchoolClass.objects.filter(pk__in=ids)
        .order_by()
        .values_list("id", "school_id", "grade", "school_year__code")
    }
    catalogue: dict[tuple[str, int], list[SubjectRow]] = defaultdict(list)
    electives: dict[int, SubjectRow] = {}
    wanted = {(regime, grade) for _school, grade, regime in facts.values()}
    query = Q(pk__in=[])
    for regime, grade in wanted:
        query |= Q(regime=regime, grade=grade)
    for pk, regime, grade, code, mode, periods, position, elective in (
        Subject.objects.filter(query)
        .order_by("position", "id")
        .values_list(
            "id", "regime", "grade", "code", "mode", "periods_per_year", "position", "elective"
        )
    ):
        row = SubjectRow(pk, regime, code, mode, periods, position)
        if elective:
            electives[pk] = row
        else:
            catalogue[(regime, grade)].append(row)
    chosen: dict[int, list[SubjectRow]] = defaultdict(list)
    for class_id, subject_id in TeachingAssignment.objects.filter(
        school_class_id__in=ids, subject_id__in=list(electives)
    ).values_list("school_class_id", "subject_id"):
        chosen[class_id].append(electives[subject_id])
    infos: dict[int, ClassInfo] = {}
    for pk, (school_id, grade, regime) in facts.items():
        subjects = catalogue[(regime, grade)] + [
            s for s in chosen.get(pk, []) if s.regime == regime
        ]
        subjects.sort(key=lambda s: (s.position, s.pk))
        infos[pk] = ClassInfo(school_id, grade, regime, tuple(subjects))
    return infos


def _rows_by_student(
    queryset: QuerySet[Any],
    columns: Sequence[str],
    order: Sequence[str],
    year_pk: int,
    low: int,
    high: int,
) -> dict[int, tuple[tuple[Any, ...], ...]]:
    """Rows of ``queryset`` of school year ``year_pk`` for students ``low``…``high``, by
    student, without the student id (the first column): the raw values as the database
    returns them (no field converters; the bulk reader converts what the regimes read).

    The year is filtered here, not in SQL: ordered as the (student, school year, …) unique
    index, the range is one index scan, where a filter on the school year may lead a planner
    without statistics (a table just filled) to scan the year's every row for each batch.
    """
    query = (
        queryset.filter(student_id__gte=low, student_id__lte=high)
        .order_by(*order)
        .values_list("school_year_id", *columns)
        .query
    )
    sql, params = query.sql_with_params()
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(20_000)
            if not rows:
                break
            for row in rows:
                if row[0] == year_pk:
                    grouped[row[1]].append(row[2:])
    return {student_id: tuple(rows) for student_id, rows in grouped.items()}


Rows = tuple[tuple[Any, ...], ...]
Job = tuple[str, int, tuple[SubjectRow, ...], Rows, Rows]
# Per process: raw score values → Decimal.
_SCORES = ScoreReader()


def _evaluate(job: Job) -> Evaluated:
    regime, grade, subjects, raw_marks, raw_reports = job
    return outcome_evaluate(
        regime=regime,
        grade=grade,
        subjects=subjects,
        marks=marks_read(raw_marks, _SCORES),
        reports=reports_read(raw_reports),
    )


def _worker_start(language: str | None) -> None:
    """A worker process evaluates in the caller's language (the reasons are text)."""
    if language:
        translation.activate(language)
    else:
        translation.deactivate_all()


@transaction.atomic
def year_results_compute(
    *,
    school_year: SchoolYear,
    unit_ids: Iterable[int] | None = None,
    recorded_on: dt.date | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> int:
    """Evaluate every student of ``school_year`` in the schools under ``unit_ids`` (every
    school when None); return how many year results were written.

    As ``year_results_refresh`` does for each student: a complete year gets a ``YearResult``
    (new ones dated ``recorded_on``, by default today; existing ones keep their date), an
    incomplete one loses it. ``workers`` > 1 evaluates in that many processes (the regime
    code is pure; only the main process touches the database).
    """
    say = progress or (lambda _message: None)
    day = recorded_on or timezone.localdate()
    now = timezone.now()
    students = _enrollments(school_year, _school_ids(unit_ids))
    classes = _classes(students.values())
    ids = sorted(students)
    say(f"Year results: {len(ids)} students to evaluate.")
    marks = Mark.objects.all()
    reports = TermReport.objects.all()
    existing = YearResult.objects.filter(school_year=school_year)
    memo = OutcomeMemo()
    pool = None
    if workers > 1:
        pool = multiprocessing.get_context("fork").Pool(
            workers, initializer=_worker_start, initargs=(translation.get_language(),)
        )
    written = 0
    schools: set[int] = set()
    try:
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            low, high = batch[0], batch[-1]
            mark_rows = _rows_by_student(marks, MARK_COLUMNS, MARK_ORDER, school_year.pk, low, high)
            report_rows = _rows_by_student(
                reports, REPORT_COLUMNS, REPORT_ORDER, school_year.pk, low, high
            )
            current = {
                student_id: (pk, school_id)
                for pk, student_id, school_id in existing.filter(
                    student_id__gte=low, student_id__lte=high
                ).values_list("id", "student_id", "school_id")
            }
            keys: dict[int, MemoKey] = {}
            jobs: dict[MemoKey, Job] = {}
            found = memo.found
            for student_id in batch:
                info = classes[students[student_id]]
                student_marks = mark_rows.get(student_id, ())
                student_reports = report_rows.get(student_id, ())
                key = (info.key, student_marks, student_reports)
                keys[student_id] = key
                if key not in found and key not in jobs:
                    jobs[key] = (
                        info.regime,
                        info.grade,
                        info.subjects,
                        student_marks,
                        student_reports,
                    )
            evaluated = _run(jobs, pool)
            memo.add(evaluated)
            outcomes = {sid: evaluated.get(key) or found[key] for sid, key in keys.items()}
            written += _write(
                batch=batch,
                outcomes=outcomes,
                students=students,
                classes=classes,
                current=current,
                school_year=school_year,
                day=day,
                now=now,
                schools=schools,
            )
            say(
                f"Year results: {min(start + BATCH, len(ids))} of {len(ids)} students, "
                f"{memo.evaluated} evaluations, {written} results."
            )
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    units_stale(unit_ids=schools, since=min(day, timezone.localdate()))
    return written


def _run(jobs: dict[MemoKey, Job], pool: Any) -> dict[MemoKey, Evaluated]:
    if not jobs:
        return {}
    if pool is None:
        return {key: _evaluate(job) for key, job in jobs.items()}
    chunk = max(1, len(jobs) // 16)
    return dict(zip(jobs, pool.map(_evaluate, list(jobs.values()), chunksize=chunk), strict=True))


def _write(
    *,
    batch: list[int],
    outcomes: dict[int, Evaluated],
    students: dict[int, int],
    classes: dict[int, ClassInfo],
    current: dict[int, tuple[int, int]],
    school_year: SchoolYear,
    day: dt.date,
    now: dt.datetime,
    schools: set[int],
) -> int:
    """Insert, update and delete one batch's year results; return how many were written."""
    new: list[tuple[Any, ...]] = []
    updated: list[YearResult] = []
    # As the connection stores them, converted once for the batch instead of once per row.
    stamp = connection.ops.adapt_datetimefield_value(now)
    stamps = (connection.ops.adapt_datefield_value(day), stamp, stamp)
    gone: list[int] = []
    for student_id in batch:
        class_id = students[student_id]
        info = classes[class_id]
        result = outcomes[student_id]
        head = result.head
        existing = current.get(student_id)
        if not head.learning:
            if existing is not None:
                gone.append(existing[0])
                schools.add(existing[1])
            continue
        schools.add(info.school_id)
        values = (
            info.school_id,
            class_id,
            info.grade,
            info.regime,
            head.learning,
            head.conduct,
            head.award,
            head.promotion,
        )
        if existing is None:
            new.append((student_id, school_year.pk, *values, result.text, *stamps))
            continue
        updated.append(
            YearResult(
                pk=existing[0],
                school_id=info.school_id,
                school_class_id=class_id,
                grade=info.grade,
                regime=info.regime,
                learning=head.learning,
                conduct=head.conduct,
                award=head.award,
                promotion=head.promotion,
                outcome=json.loads(result.text),
                updated_at=now,
            )
        )
    if gone:
        YearResult.objects.filter(pk__in=gone).delete()
    if new:
        pks = ids_allocate(YearResult, len(new))
        rows_insert(
            YearResult, INSERTED_FIELDS, [(pk, *row) for pk, row in zip(pks, new, strict=True)]
        )
    if updated:
        YearResult.objects.bulk_update(updated, UPDATED_FIELDS, batch_size=1000)
    return len(new) + len(updated)
