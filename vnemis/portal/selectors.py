"""What each role's home page shows, read through the other apps' permission-checked reads.

Officers and principals: their unit's key figures against targets from the analytics table
(never a count over the enrolment table), plan tasks due, recent imports and data-quality
alerts. Teachers: their classes. Parents and students: each child's (or their own) school,
class, homeroom teacher and the school's contacts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from vnemis.accounts.models import Viewer, signed_in
from vnemis.core.sorting import natural_order
from vnemis.imports import access as import_access
from vnemis.imports.choices import JobStatus
from vnemis.imports.models import ImportJob
from vnemis.indicators import access as indicator_access
from vnemis.indicators.models import DataElement
from vnemis.indicators.periods import Period
from vnemis.indicators.selectors import IndicatorValue, element_totals, indicator_values
from vnemis.indicators.services import computed_periods
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.organisations.scope import Scope, user_scope
from vnemis.people import access as people_access
from vnemis.people import quality
from vnemis.people.models import Enrollment, SchoolClass
from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import PlanTask, TaskUpdate

# Head counts on the home page, by data element, in the order shown.
COUNTED_ELEMENTS = ("schools", "sites", "students", "staff")
# Plan tasks are "due" from this many days before their deadline.
DUE_WITHIN_DAYS = 30
# A data-quality check shows "more than" beyond this many records (the full list is one click
# away); counting further would read the whole scope on every login.
ALERT_CAP = 999
LIST_LIMIT = 5
ALERT_TTL = 300


@dataclass(frozen=True)
class DueTask:
    task: PlanTask
    status: str
    overdue: bool


@dataclass(frozen=True)
class QualityAlert:
    code: str
    title: Any
    count: int
    capped: bool


@dataclass
class OfficerHome:
    unit: OrgUnit | None
    period: Period | None
    counts: dict[str, int] = field(default_factory=dict)
    figures: list[IndicatorValue] = field(default_factory=list)
    tasks_due: list[DueTask] = field(default_factory=list)
    imports: list[ImportJob] = field(default_factory=list)
    awaiting_commit: int = 0
    alerts: list[QualityAlert] = field(default_factory=list)


def latest_period(*, today: dt.date | None = None) -> Period | None:
    """The latest period with computed figures that has begun by ``today``."""
    today = today or timezone.localdate()
    started = [p for p in computed_periods() if p.start <= today]
    return started[-1] if started else None


def _unit_and_period(user: Viewer) -> tuple[OrgUnit | None, Period | None]:
    """The user's highest unit in the latest computed period's tree (a unit created after the
    period, such as a commune of the 2025 reform, with the figures of the units under it)."""
    period = latest_period()
    if period is None:
        return None, None
    try:
        return indicator_access.default_unit_for_user(user=user, period=period), period
    except Http404:
        return None, period


def _counts(unit: OrgUnit, period: Period) -> dict[str, int]:
    ids = dict(DataElement.objects.filter(code__in=COUNTED_ELEMENTS).values_list("pk", "code"))
    totals = element_totals(unit=unit, period=period)
    found = {ids[e]: int(v) for (e, category), v in totals.items() if e in ids and not category}
    return {code: found.get(code, 0) for code in COUNTED_ELEMENTS}


def _tasks_due(scope: Scope, *, today: dt.date) -> list[DueTask]:
    latest = TaskUpdate.objects.filter(task=OuterRef("pk"), on__lte=today).order_by("-on", "-id")
    tasks = (
        PlanTask.objects.filter(
            owner__in=OrgUnit.objects.under_paths(scope.paths),
            deadline__isnull=False,
            deadline__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
        )
        .annotate(status=Subquery(latest.values("status")[:1]))
        # No update yet is "not started": a NULL status, which exclude() would drop too.
        .filter(Q(status__isnull=True) | ~Q(status=TaskStatus.DONE))
        .select_related("owner", "programme")
        .order_by("deadline", "programme__issued_on", "number")[:LIST_LIMIT]
    )
    return [
        DueTask(
            t, t.status or TaskStatus.NOT_STARTED, t.deadline is not None and t.deadline < today
        )
        for t in tasks
    ]


def _alerts(user: Viewer, scope: Scope) -> list[QualityAlert]:
    """The data-quality checks with suspect records in the scope, counted up to the cap.

    A check that finds nothing reads the whole scope (280.000 enrolments for the province):
    the counts are kept for ``ALERT_TTL`` seconds per scope, so a login does not pay for it
    each time. The data-quality page itself always counts afresh.
    """
    year = SchoolYear.current()
    if year is None:
        return []
    key = (
        "home-alerts:"
        + hashlib.sha256(repr((year.pk, scope.paths, sorted(scope.roles))).encode()).hexdigest()
    )
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        # Count over a LIMITed subquery: the scan stops at the cap.
        counts = {
            check.code: check.rows(user, year).order_by()[: ALERT_CAP + 1].count()
            for check in quality.CHECKS
        }
        cache.set(key, counts, ALERT_TTL)
    return [
        QualityAlert(c.code, c.title, min(counts[c.code], ALERT_CAP), counts[c.code] > ALERT_CAP)
        for c in quality.CHECKS
        if counts.get(c.code)
    ]


def officer_home(*, user: Viewer) -> OfficerHome:
    """The home of an officer or a principal."""
    scope = user_scope(user)
    unit, period = _unit_and_period(user)
    home = OfficerHome(unit=unit, period=period)
    if unit is not None and period is not None:
        home.counts = _counts(unit, period)
        # The rates (indicators with a denominator) and whatever has a target.
        home.figures = [
            v
            for v in indicator_values(unit=unit, period=period)
            if v.target is not None or v.indicator.denominator_id
        ]
    home.tasks_due = _tasks_due(scope, today=timezone.localdate())
    jobs = import_access.jobs_for_user(user=user).select_related("scope_unit", "source")
    home.imports = list(jobs.order_by("-created_at")[:LIST_LIMIT])
    # Dry runs that went through and whose file has not been written yet.
    home.awaiting_commit = (
        jobs.filter(dry_run=True, status=JobStatus.DONE)
        .exclude(source__jobs__dry_run=False)
        .count()
    )
    home.alerts = _alerts(user, scope)
    return home


def teacher_classes(*, user: Viewer) -> QuerySet[SchoolClass]:
    """The classes of this school year the user is homeroom teacher of, with head counts."""
    year = SchoolYear.current()
    return (
        people_access.classes_for_user(user=user)
        .filter(homeroom_teacher__person__user=signed_in(user), school_year=year)
        .select_related("school", "site")
        .annotate(n_students=Count("enrollments", filter=Q(enrollments__status="active")))
        .order_by("school__code", "grade", *natural_order("name"))
    )


def family_enrollments(*, user: Viewer) -> list[Enrollment]:
    """The current enrolments of a parent's children or of the student herself, with the
    school, the class and its homeroom teacher."""
    year = SchoolYear.current()
    return list(
        people_access.enrollments_for_user(user=user)
        .active()
        .filter(school_year=year)
        .select_related(
            "student__person",
            "school",
            "school_class__homeroom_teacher__person",
            "school_class__site",
        )
        .order_by("student__person__given_name", "student__code")[:20]
    )
