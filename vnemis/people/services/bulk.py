"""Bulk writes for imports: many students or classes at once, checked as the single-row
services check them, inserted in one statement per table."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_bulk
from vnemis.core.bulk import ids_allocate, lookup_alias, rows_insert
from vnemis.core.choices import AuditVerb
from vnemis.core.text import fold
from vnemis.organisations.choices import LEVEL_GRADES, OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.organisations.stale import units_stale
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.identity import national_id_problems
from vnemis.people.models import (
    Enrollment,
    Person,
    SchoolClass,
    Student,
)
from vnemis.people.services.codes import student_codes_reserve
from vnemis.people.services.enrollments import class_level_check


@dataclass(frozen=True)
class NewStudent:
    """A student to create with the enrolment of the year, as an import has checked it."""

    family_name: str
    middle_name: str
    given_name: str
    birth_date: dt.date
    sex: str
    ethnicity: str
    national_id: str | None
    moet_code: str
    school: OrgUnit
    grade: int
    level: str
    school_class: SchoolClass | None


def students_bulk_create(
    *,
    rows: list[NewStudent],
    school_year: SchoolYear,
    started_on: dt.date,
    by: User | None,
    note: str,
    code_counters: dict[str, int] | None = None,
) -> list[int]:
    """Create many students at once: person, student code and active enrolment each.

    The checks ``person_create``, ``student_create`` and ``enrollment_create`` make row by row
    are made here for the whole list first (ValidationError naming the row), then the rows go
    in with one INSERT (COPY on PostgreSQL) per table; the database's unique constraints stay
    the last word. The audit log gets one entry per table naming the new ids.

    The student codes are reserved from each province's sequence, one block per call, in
    the caller's transaction: a student created meanwhile in the same province waits for the
    import to end rather than take a code the import holds. ``code_counters`` is no longer
    read; it stays until the import formats stop passing it.

    Call it inside the caller's transaction (an import's): it opens no savepoint of its own,
    whose release would wait for rows still being stored in the background.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("students_bulk_create must run inside a transaction")
    if not rows:
        return []
    today = timezone.localdate()
    for i, row in enumerate(rows):
        problems: list[str] = []
        if row.national_id:
            problems += national_id_problems(
                row.national_id, birth_date=row.birth_date, sex=row.sex
            )
        if row.birth_date > today:
            problems.append(_("The date of birth is in the future."))
        if row.grade not in LEVEL_GRADES[row.level] or row.school.kind != OrgUnitKind.SCHOOL:
            problems.append(_("Grade {grade} is not taught at this level.").format(grade=row.grade))
        if row.school_class is not None and (
            row.school_class.school_id != row.school.id
            or row.school_class.school_year_id != school_year.pk
        ):
            problems.append(_("The class belongs to another school or school year."))
        if problems:
            raise ValidationError(
                _("Row {row}: {problems}").format(row=i + 1, problems=" ".join(problems))
            )
    now = timezone.now()
    school_year_id = school_year.id
    using = lookup_alias()
    person_ids = ids_allocate(Person, len(rows), using=using)
    student_ids = ids_allocate(Student, len(rows), using=using)
    enrollment_ids = ids_allocate(Enrollment, len(rows), using=using)
    wanted = Counter(row.school.code[:2] for row in rows)
    codes = {
        province: iter(student_codes_reserve(province_code=province, count=count))
        for province, count in sorted(wanted.items())
    }
    people, students, enrollments = [], [], []
    for row, person_id, student_id, enrollment_id in zip(
        rows, person_ids, student_ids, enrollment_ids, strict=True
    ):
        full = " ".join(p for p in (row.family_name, row.middle_name, row.given_name) if p)
        people.append(
            (
                person_id,
                row.family_name,
                row.middle_name,
                row.given_name,
                row.birth_date,
                row.sex,
                row.ethnicity,
                row.national_id or None,
                "",
                "",
                "",
                fold(full),
                None,
                now,
                now,
            )
        )
        students.append(
            (student_id, person_id, next(codes[row.school.code[:2]]), row.moet_code, now, now)
        )
        enrollments.append(
            (
                enrollment_id,
                student_id,
                school_year_id,
                row.school.id,
                row.school_class.id if row.school_class else None,
                row.level,
                row.grade,
                EnrollmentStatus.ACTIVE.value,
                started_on,
                None,
                "",
                now,
                now,
            )
        )
    for model, ids in ((Person, person_ids), (Student, student_ids), (Enrollment, enrollment_ids)):
        audit_bulk(actor=by, verb=AuditVerb.CREATED, model=model, ids=ids, note=note)
    units_stale(unit_ids={row.school.id for row in rows}, since=started_on)
    # Last, so PostgreSQL stores the rows while the caller goes on (see copy_in_background).
    rows_insert(
        Person,
        (
            "id",
            "family_name",
            "middle_name",
            "given_name",
            "birth_date",
            "sex",
            "ethnicity",
            "national_id",
            "phone",
            "email",
            "address",
            "search_name",
            "user",
            "created_at",
            "updated_at",
        ),
        people,
        background=True,
    )
    rows_insert(
        Student,
        ("id", "person", "code", "moet_code", "created_at", "updated_at"),
        students,
        background=True,
    )
    rows_insert(
        Enrollment,
        (
            "id",
            "student",
            "school_year",
            "school",
            "school_class",
            "level",
            "grade",
            "status",
            "started_on",
            "ended_on",
            "exit_reason",
            "created_at",
            "updated_at",
        ),
        enrollments,
        background=True,
    )
    return student_ids


@dataclass(frozen=True)
class NewClass:
    school: OrgUnit
    level: str
    grade: int
    name: str


def school_classes_bulk_create(
    *, rows: list[NewClass], school_year: SchoolYear, by: User | None, note: str
) -> list[SchoolClass]:
    """Create many classes of one school year at once (an import's new classes), with the
    checks of ``school_class_create``; a name already used at the school is refused by the
    database's unique constraint. Like ``students_bulk_create``, it runs inside the caller's
    transaction and may hand its rows to the background COPY: the classes returned are built
    here, not read back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("school_classes_bulk_create must run inside a transaction")
    for row in rows:
        class_level_check(school=row.school, level=row.level, grade=row.grade)
        if not row.name or len(row.name) > 40:
            raise ValidationError({"name": _("A class name has 1 to 40 characters.")})
    now = timezone.now()
    ids = ids_allocate(SchoolClass, len(rows), using=lookup_alias())
    audit_bulk(actor=by, verb=AuditVerb.CREATED, model=SchoolClass, ids=ids, note=note)
    rows_insert(
        SchoolClass,
        ("id", "school", "school_year", "level", "grade", "name", "created_at", "updated_at"),
        [
            (pk, row.school.id, school_year.id, row.level, row.grade, row.name, now, now)
            for pk, row in zip(ids, rows, strict=True)
        ],
        background=True,
    )
    created = []
    for pk, row in zip(ids, rows, strict=True):
        school_class = SchoolClass(
            id=pk,
            school=row.school,
            school_year=school_year,
            level=row.level,
            grade=row.grade,
            name=row.name,
            created_at=now,
            updated_at=now,
        )
        school_class._state.adding = False
        school_class._state.db = DEFAULT_DB_ALIAS
        created.append(school_class)
    return created
