"""Counting functions of the derived data elements, listed in ``ELEMENTS`` by element code.

Each function counts, for a period's counting day, one value per leaf unit (a school, a school
site, or an office for staff) and category. The engine adds leaves up the tree version of the
period. Restricting ``ctx.unit_ids`` counts only those leaves, for incremental refresh.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from vnemis.digital.choices import InternetConnection
from vnemis.digital.models import DigitalProfile, StudentRecord
from vnemis.learning.choices import TranscriptStatus
from vnemis.learning.models import Transcript, YearResult
from vnemis.organisations.choices import GroupSetCode, OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import Enrollment, Staff

Leaves = dict[tuple[int, str], int]


@dataclass
class CountContext:
    day: dt.date
    unit_ids: set[int] | None = None  # None: every unit
    _cache: dict[str, object] = field(default_factory=dict)

    def restrict(self, queryset: QuerySet, field_name: str) -> QuerySet:  # type: ignore[type-arg]
        if self.unit_ids is None:
            return queryset
        return queryset.filter(**{f"{field_name}__in": self.unit_ids})

    @cached_property
    def school_year(self) -> SchoolYear | None:
        return SchoolYear.current(today=self.day)

    @cached_property
    def counting_day(self) -> dt.date:
        """Head counts are taken on the period's last day, or the year's last day if earlier."""
        year = self.school_year
        return min(self.day, year.ends_on) if year else self.day

    @cached_property
    def school_category(self) -> dict[int, str]:
        """A school's category: the one level it teaches (mn, th, ...), or "multi"."""
        levels: dict[int, set[str]] = {}
        through = OrgUnit.groups.through.objects.filter(
            orgunitgroup__group_set__code=GroupSetCode.LEVEL
        ).values_list("orgunit_id", "orgunitgroup__code")
        for unit_id, code in through:
            levels.setdefault(unit_id, set()).add(code)
        return {u: (next(iter(c)) if len(c) == 1 else "multi") for u, c in levels.items()}

    def schools(self) -> QuerySet[OrgUnit]:
        units = OrgUnit.objects.schools().valid_on(self.day)
        return self.restrict(units, "id")

    def profiles(self, kind: str) -> QuerySet[DigitalProfile]:
        profiles = DigitalProfile.objects.as_of(self.day).filter(unit__kind=kind)
        return self.restrict(profiles, "unit_id")

    def enrollments(self) -> QuerySet[Enrollment]:
        """General-education enrolments open on the counting day of the school year."""
        day = self.counting_day
        # Enrolments closed at year end (completed, graduated) still count on its last day; a
        # transfer closes one and opens another on the same day, which is counted once.
        closed_at_year_end = Q(
            ended_on=day, status__in=[EnrollmentStatus.COMPLETED, EnrollmentStatus.GRADUATED]
        )
        enrollments = (
            Enrollment.objects.general_education()
            .filter(school_year=self.school_year, started_on__lte=day)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day) | closed_at_year_end)
        )
        return self.restrict(enrollments, "school_id")


def _by_school(ctx: CountContext, rows: QuerySet) -> Leaves:  # type: ignore[type-arg]
    counts: Counter[tuple[int, str]] = Counter()
    for unit_id, n in rows:
        counts[(unit_id, ctx.school_category.get(unit_id, "multi"))] += n
    return dict(counts)


def _schools_where(condition: Q) -> Callable[[CountContext], Leaves]:
    def count(ctx: CountContext) -> Leaves:
        rows = (
            ctx.profiles(OrgUnitKind.SCHOOL)
            .filter(condition)
            .values_list("unit_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        return _by_school(ctx, rows)

    return count


# The seed counts the sites of preschools and primary schools ("628/1.363 điểm trường (cấp
# Mầm non, Tiểu học)"): a site of a lower-secondary school is not one of them.
SITE_LEVELS = ("mn", "th")


def site_schools() -> QuerySet[OrgUnit, Any]:
    return OrgUnit.objects.filter(
        groups__group_set__code=GroupSetCode.LEVEL, groups__code__in=SITE_LEVELS
    ).values("id")


def _sites_where(condition: Q) -> Callable[[CountContext], Leaves]:
    def count(ctx: CountContext) -> Leaves:
        rows = (
            ctx.profiles(OrgUnitKind.SITE)
            .filter(condition, unit__school__in=site_schools())
            .values_list("unit_id")
        )
        return {(unit_id, ""): 1 for (unit_id,) in rows}

    return count


def schools(ctx: CountContext) -> Leaves:
    return _by_school(ctx, ((pk, 1) for pk in ctx.schools().values_list("id", flat=True)))  # type: ignore[arg-type]


def sites(ctx: CountContext) -> Leaves:
    units = ctx.restrict(
        OrgUnit.objects.sites().valid_on(ctx.day).filter(school__in=site_schools()), "id"
    )
    return {(pk, ""): 1 for pk in units.values_list("id", flat=True)}


def _learning_sources(ctx: CountContext) -> tuple[bool, bool]:
    """Whether the year's results and transcripts are counted from vnemis's own records.

    Once a school year has year results (transcripts) in vnemis, "records with learning
    results" ("students with an electronic transcript") count them. Years before that keep
    counting the flags the sector database received from the schools' software
    (``StudentRecord``), so the figures published for them are reproduced unchanged.
    """
    cached = ctx._cache.get("learning_sources")
    if cached is None:
        cached = (
            YearResult.objects.filter(school_year=ctx.school_year).exists(),
            Transcript.objects.filter(school_year=ctx.school_year).exists(),
        )
        ctx._cache["learning_sources"] = cached
    return cached  # type: ignore[return-value]


def _results_recorded(ctx: CountContext) -> QuerySet[Any]:
    """Rows with a ``student_id`` whose year results were there on ``ctx.day``."""
    own_results, _own_transcripts = _learning_sources(ctx)
    if own_results:
        return YearResult.objects.filter(school_year=ctx.school_year, recorded_on__lte=ctx.day)
    return StudentRecord.objects.filter(
        school_year=ctx.school_year, results_received_on__lte=ctx.day
    )


def _transcripts_issued(ctx: CountContext) -> QuerySet[Any]:
    """Rows with a ``student_id`` whose transcript was issued by ``ctx.day`` (and stands)."""
    _own_results, own_transcripts = _learning_sources(ctx)
    if own_transcripts:
        return Transcript.objects.filter(
            school_year=ctx.school_year,
            status=TranscriptStatus.ISSUED,
            issued_on__lte=ctx.day,
        )
    return StudentRecord.objects.filter(
        school_year=ctx.school_year, transcript_issued_on__lte=ctx.day
    )


def _student_counts(ctx: CountContext) -> dict[str, Leaves]:
    """All three student elements in one scan of the enrolments (cached per context)."""
    cached = ctx._cache.get("students")
    if cached is not None:
        return cached  # type: ignore[return-value]
    outer = OuterRef("student_id")
    rows = (
        ctx.enrollments()
        .annotate(
            has_transcript=Exists(_transcripts_issued(ctx).filter(student_id=outer)),
            has_results=Exists(_results_recorded(ctx).filter(student_id=outer)),
        )
        .values_list("school_id", "level")
        .annotate(
            n=Count("id"),
            transcripts=Count("id", filter=Q(has_transcript=True)),
            results=Count("id", filter=Q(has_results=True)),
        )
        .order_by()
    )
    counts: dict[str, Leaves] = {
        "students": {},
        "students_with_transcript": {},
        "students_with_results": {},
    }
    for school_id, level, n, transcripts, results in rows:
        counts["students"][(school_id, level)] = n
        counts["students_with_transcript"][(school_id, level)] = transcripts
        counts["students_with_results"][(school_id, level)] = results
    ctx._cache["students"] = counts
    return counts


def students(ctx: CountContext) -> Leaves:
    return _student_counts(ctx)["students"]


def records_condition(ctx: CountContext, code: str) -> Q:
    """The enrolments counted by the student element ``code`` (the drill-through lists)."""
    source = _transcripts_issued(ctx) if code == "students_with_transcript" else None
    if code == "students_with_results":
        source = _results_recorded(ctx)
    assert source is not None, code
    return Q(student_id__in=source.values("student_id"))


def students_with_transcript(ctx: CountContext) -> Leaves:
    return _student_counts(ctx)["students_with_transcript"]


def students_with_results(ctx: CountContext) -> Leaves:
    return _student_counts(ctx)["students_with_results"]


def staff(ctx: CountContext) -> Leaves:
    active = Staff.objects.filter(is_active=True).filter(
        Q(started_on__isnull=True) | Q(started_on__lte=ctx.day)
    )
    rows = ctx.restrict(active, "org_unit_id").values_list("org_unit_id").annotate(n=Count("id"))
    return {(unit_id, ""): n for unit_id, n in rows.order_by()}


# Conditions on the profile in force, shared by the counts and the drill-through lists.
SCHOOL_CONDITIONS: dict[str, Q] = {
    "schools_internet": ~Q(internet=InternetConnection.NONE),
    "schools_internet_wired": Q(internet=InternetConnection.WIRED),
    "schools_internet_mobile": Q(internet=InternetConnection.MOBILE),
    "schools_website": Q(has_website=True),
    "schools_cashless": Q(cashless_payment=True),
    "schools_contact_book": Q(contact_book=True),
    "schools_it_management": Q(it_in_management=True),
    "schools_basic_ict": Q(basic_ict=True),
}
SITE_CONDITIONS: dict[str, Q] = {
    "sites_internet_wired": Q(internet=InternetConnection.WIRED),
    "sites_internet_mobile": Q(internet=InternetConnection.MOBILE),
    "sites_no_internet": Q(internet=InternetConnection.NONE),
}
# The student elements counted from records of the year (results, transcripts).
STUDENT_RECORD_ELEMENTS = ("students_with_transcript", "students_with_results")

ELEMENTS: dict[str, Callable[[CountContext], Leaves]] = {
    "schools": schools,
    **{code: _schools_where(q) for code, q in SCHOOL_CONDITIONS.items()},
    "sites": sites,
    **{code: _sites_where(q) for code, q in SITE_CONDITIONS.items()},
    "students": students,
    "students_with_transcript": students_with_transcript,
    "students_with_results": students_with_results,
    "staff": staff,
}
