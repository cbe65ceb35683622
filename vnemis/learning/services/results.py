"""Year results: evaluated by the regime from the marks and term reports, stored for counting.

``year_results_refresh`` runs after every change of a student's marks or reports (the
gradebook, imports, approved corrections) and in the year-end run for whole schools; a
student gets a ``YearResult`` once his year has a learning result, and loses it if a change
makes the year incomplete again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from vnemis.learning.evaluation import headline, stored_outcome
from vnemis.learning.models import Mark, Subject, TermReport, YearResult
from vnemis.learning.services.catalogue import class_regime, class_subjects
from vnemis.organisations.stale import units_stale
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import Enrollment, SchoolClass

# Enrolments whose class holds the year's results: the current one, or the one the year
# ended in. A transfer's earlier enrolment (transferred out) hands the year on.
RESULT_STATUSES = (
    EnrollmentStatus.ACTIVE,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.GRADUATED,
)
CHUNK = 2000


def _enrollments(student_ids: list[int], school_year_id: int) -> dict[int, Enrollment]:
    found: dict[int, Enrollment] = {}
    rows = (
        Enrollment.objects.filter(
            student_id__in=student_ids,
            school_year_id=school_year_id,
            status__in=RESULT_STATUSES,
            school_class__isnull=False,
        )
        .select_related("school_class__school_year")
        .order_by("student_id", "started_on")
    )
    for enrollment in rows:
        found[enrollment.student_id] = enrollment  # the latest enrolment of the year wins
    return found


@transaction.atomic
def year_results_refresh(*, student_ids: Iterable[int], school_year_id: int) -> int:
    """Re-evaluate the year of each student; return how many year results were written."""
    ids = sorted(set(student_ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        written += _refresh_chunk(ids[start : start + CHUNK], school_year_id)
    return written


def _refresh_chunk(ids: list[int], school_year_id: int) -> int:
    enrollments = _enrollments(ids, school_year_id)
    marks: dict[int, list[Mark]] = defaultdict(list)
    for mark in Mark.objects.filter(student_id__in=ids, school_year_id=school_year_id):
        marks[mark.student_id].append(mark)
    reports: dict[int, list[TermReport]] = defaultdict(list)
    for report in TermReport.objects.filter(student_id__in=ids, school_year_id=school_year_id):
        reports[report.student_id].append(report)
    existing = {
        r.student_id: r
        for r in YearResult.objects.select_for_update()
        .filter(student_id__in=ids, school_year_id=school_year_id)
        .order_by("student_id")
    }
    subjects_of: dict[int, list[Subject]] = {}
    regime_of: dict[int, str] = {}
    new: list[YearResult] = []
    updated: list[YearResult] = []
    gone: list[int] = []
    schools: set[int] = set()
    now = timezone.now()
    today = timezone.localdate()
    for student_id in ids:
        enrollment = enrollments.get(student_id)
        current = existing.get(student_id)
        if enrollment is None or enrollment.school_class is None:
            if current is not None:
                gone.append(current.pk)
                schools.add(current.school_id)
            continue
        school_class: SchoolClass = enrollment.school_class
        if school_class.pk not in subjects_of:
            subjects_of[school_class.pk] = class_subjects(school_class)
            regime_of[school_class.pk] = class_regime(school_class)
        regime = regime_of[school_class.pk]
        outcome = stored_outcome(
            regime=regime,
            grade=school_class.grade,
            subjects=subjects_of[school_class.pk],
            marks=marks.get(student_id, []),
            reports=reports.get(student_id, []),
        )
        head = headline(outcome)
        if not head.learning:
            if current is not None:
                gone.append(current.pk)
                schools.add(current.school_id)
            continue
        result = current or YearResult(
            student_id=student_id, school_year_id=school_year_id, recorded_on=today
        )
        result.school_id = school_class.school_id
        result.school_class = school_class
        result.grade = school_class.grade
        result.regime = regime
        result.learning = head.learning
        result.conduct = head.conduct
        result.award = head.award
        result.promotion = head.promotion
        result.outcome = outcome
        result.updated_at = now
        schools.add(school_class.school_id)
        (updated if current is not None else new).append(result)
    YearResult.objects.filter(pk__in=gone).delete()
    YearResult.objects.bulk_create(new)
    YearResult.objects.bulk_update(
        updated,
        [
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
        ],
    )
    units_stale(unit_ids=schools, since=today)
    return len(new) + len(updated)
