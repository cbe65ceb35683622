"""Reads that span models: head counts of a scope, as the summary and home page show them;
lookups in bulk for imports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Q, QuerySet

from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear, paths_q
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import Enrollment, GuardianLink, Person, Staff


def _units_under(paths: tuple[str, ...] | None) -> QuerySet[OrgUnit]:
    if paths is None:
        return OrgUnit.objects.all()
    return OrgUnit.objects.under_paths(paths)


def scope_summary(
    *, paths: tuple[str, ...] | None, school_year: SchoolYear | None
) -> dict[str, Any]:
    """Counts for the subtrees ``paths`` (None: the whole database) in ``school_year``.

    ``students`` counts general-education students (primary, lower and upper secondary,
    continuing education) with an active enrolment in the year; preschool children are counted
    apart. Staff are those in service at any unit of the scope, offices included.
    """
    units = _units_under(paths)
    by_kind = dict(units.values_list("kind").annotate(n=Count("id")).order_by())
    unit_ids = units.values("id")
    enrollments = Enrollment.objects.active().filter(school_id__in=unit_ids)
    if school_year is not None:
        enrollments = enrollments.filter(school_year=school_year)
    else:
        enrollments = enrollments.none()
    totals = enrollments.aggregate(
        general=Count("student_id", filter=~Q(level="mn"), distinct=True),
        preschool=Count("student_id", filter=Q(level="mn"), distinct=True),
    )
    return {
        "schools": by_kind.get(OrgUnitKind.SCHOOL.value, 0),
        "school_sites": by_kind.get(OrgUnitKind.SITE.value, 0),
        "students": totals["general"] or 0,
        "preschool_children": totals["preschool"] or 0,
        "staff": Staff.objects.filter(is_active=True, org_unit_id__in=unit_ids).count(),
        "org_units_by_kind": {kind: by_kind.get(kind, 0) for kind in OrgUnitKind.values},
        "school_year": school_year.code if school_year else None,
    }


def unit_paths(unit: OrgUnit) -> tuple[str, ...]:
    """The unit's placement paths in every tree version: its subtree for counting."""
    return tuple(OrgPlacement.objects.filter(unit=unit).values_list("path", flat=True))


def school_profile_counts(*, school: OrgUnit, year: SchoolYear | None) -> dict[str, Any]:
    enrollments = Enrollment.objects.active().filter(school=school, school_year=year)
    by_level = dict(enrollments.values_list("level").annotate(n=Count("id")).order_by())
    staff = dict(
        Staff.objects.filter(org_unit=school, is_active=True)
        .values_list("position")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "students_by_level": by_level,
        "students": sum(by_level.values()),
        "staff_by_position": staff,
        "staff": sum(staff.values()),
    }


def persons_by_national_id(
    numbers: Iterable[str], *, using: str = DEFAULT_DB_ALIAS
) -> dict[str, Person]:
    """The persons holding any of ``numbers`` (with their student record), by number.

    Built for import batches of thousands of numbers, most of them new: the numbers are
    matched first in one statement on the ``using`` connection (an array on PostgreSQL, not
    thousands of parameters), and only the few persons found are loaded as objects, on the
    default connection.
    """
    wanted = sorted({n for n in numbers if n})
    if not wanted:
        return {}
    db = connections[using]
    table = db.ops.quote_name(Person._meta.db_table)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(f"SELECT id FROM {table} WHERE national_id = ANY(%s)", [wanted])
            ids = [row[0] for row in cursor.fetchall()]
        else:
            found_ids = Person.objects.using(using).filter(national_id__in=wanted)
            ids = list(found_ids.values_list("pk", flat=True))
    if not ids:
        return {}
    found = Person.objects.filter(pk__in=ids).select_related("student")
    return {person.national_id: person for person in found if person.national_id}


def persons_in_reach(*, paths: tuple[str, ...] | None) -> QuerySet[Person]:
    """The people an importer whose area is the subtrees ``paths`` may update or link into a
    new role (None: the whole database, for system imports).

    A person is in reach through a current tie to the area: staff employed at a unit of it, a
    student with an active enrolment at one of its schools, or a guardian of such a student.
    A person with no tie, or ties only elsewhere, is not: a school cannot tell who he is, so
    an import that names his personal ID must not take him over, change him or learn his name.
    Officers whose area holds his tie resolve such cases.
    """
    if paths is None:
        return Person.objects.all()
    units = _units_under(paths).values("id")
    students = Enrollment.objects.active().filter(school_id__in=units).values("student_id")
    return Person.objects.filter(
        Q(staff__org_unit_id__in=units)
        | Q(student__id__in=students)
        | Q(
            guardian__id__in=GuardianLink.objects.filter(student_id__in=students).values(
                "guardian_id"
            )
        )
    )


def person_ids_in_reach(
    *,
    paths: tuple[str, ...] | None,
    person_ids: Iterable[int],
    using: str = DEFAULT_DB_ALIAS,
) -> set[int]:
    """Which of ``person_ids`` are in reach of the subtrees ``paths``: the rule of
    ``persons_in_reach``, asked about the few people an import batch matched.

    The three ties are looked up from the people's side (their staff records, their active
    enrolments, their links as guardians to students actively enrolled), so the cost follows
    the number of people asked about, not the size of the area: a few index probes per batch
    even for the whole province.
    """
    wanted = set(person_ids)
    if paths is None or not wanted:
        return wanted
    # The unit ids are read first, and no query joins students for their default ordering:
    # one join across guardians, students, enrolments and the placements' path test was
    # planned from the statistics of the moment, and on tables an import had just filled the
    # planner chose loops that took minutes.
    units = sorted(
        set(
            OrgPlacement.objects.using(using)
            .filter(paths_q(paths))
            .values_list("unit_id", flat=True)
            .order_by()
        )
    )
    staff = set(
        Staff.objects.using(using)
        .filter(person_id__in=wanted, org_unit_id__in=units)
        .values_list("person_id", flat=True)
        .order_by()
    )
    enrolled = set(
        Enrollment.objects.using(using)
        .active()
        .filter(student__person_id__in=wanted, school_id__in=units)
        .values_list("student__person_id", flat=True)
        .order_by()
    )
    schooled = Enrollment.objects.using(using).filter(
        status=EnrollmentStatus.ACTIVE, school_id__in=units
    )
    guardians = set(
        GuardianLink.objects.using(using)
        .filter(guardian__person_id__in=wanted, student_id__in=schooled.values("student_id"))
        .values_list("guardian__person_id", flat=True)
        .order_by()
    )
    return staff | enrolled | guardians
