"""Every write to people, classes and enrolments goes through these functions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.core.audit import audit_bulk, audit_record, snapshot
from vnemis.core.bulk import ids_allocate, lookup_alias, rows_insert
from vnemis.core.choices import AuditVerb
from vnemis.core.stale import indicators_stale
from vnemis.core.text import fold
from vnemis.organisations.choices import LEVEL_GRADES, OrgUnitKind, SchoolLevel
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.choices import EnrollmentStatus, ExitReason
from vnemis.people.identity import national_id_problems
from vnemis.people.models import (
    Enrollment,
    Guardian,
    GuardianLink,
    Person,
    SchoolClass,
    Staff,
    Student,
)

_PERSON_FIELDS = (
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
)


@transaction.atomic
def person_create(*, by: Any, **fields: Any) -> Person:
    """Create a person after full validation (the national ID structure among it)."""
    unknown = set(fields) - set(_PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    person = Person(**fields)
    if person.national_id == "":
        person.national_id = None
    person.full_clean()
    person.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=person, after=snapshot(person))
    return person


@transaction.atomic
def person_update(*, person: Person, by: Any, **fields: Any) -> Person:
    unknown = set(fields) - set(_PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {sorted(unknown)}")
    before = snapshot(person)
    for name, value in fields.items():
        setattr(person, name, value)
    if person.national_id == "":
        person.national_id = None
    person.full_clean()
    person.save()
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=person, before=before, after=snapshot(person)
    )
    return person


def student_code_next(*, province_code: str, using: str = DEFAULT_DB_ALIAS) -> str:
    """The next free student code of a province: its two-digit code and an 8-digit number."""
    # The unique index on code is walked downwards from the top of the province's range, so
    # the cost does not grow with the number of students.
    pattern = re.compile(rf"{re.escape(province_code)}\d{{8}}")
    candidates = (
        Student.objects.using(using)
        .filter(code__gte=f"{province_code}00000000", code__lte=f"{province_code}99999999")
        .order_by("-code")
        .values_list("code", flat=True)
    )
    number = 1
    for code in candidates.iterator(chunk_size=20):
        if pattern.fullmatch(code):
            number = int(code[len(province_code) :]) + 1
            break
    return f"{province_code}{number:08d}"


@transaction.atomic
def student_create(*, person: Person, by: Any, province_code: str, moet_code: str = "") -> Student:
    """Issue a student code to ``person``. The code is never changed afterwards."""
    student = Student(
        person=person, code=student_code_next(province_code=province_code), moet_code=moet_code
    )
    student.full_clean()
    student.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=student, after=snapshot(student))
    return student


@transaction.atomic
def student_update(
    *, student: Student, by: Any, moet_code: str | None = None, code: str | None = None
) -> Student:
    """Change what may change on a student; the student code may not."""
    if code is not None and code != student.code:
        raise ValidationError({"code": _("A student code cannot be changed once issued.")})
    before = snapshot(student)
    if moet_code is not None:
        student.moet_code = moet_code
    student.full_clean()
    student.save()
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=student, before=before, after=snapshot(student)
    )
    return student


def _check_class_level(*, school: OrgUnit, level: str, grade: int) -> None:
    if school.kind != OrgUnitKind.SCHOOL:
        raise ValidationError({"school": _("Students enrol at schools, not at other units.")})
    if grade not in LEVEL_GRADES[level]:
        raise ValidationError(
            {"grade": _("Grade {grade} is not taught at this level.").format(grade=grade)}
        )


@transaction.atomic
def school_class_create(
    *,
    school: OrgUnit,
    school_year: SchoolYear,
    level: str,
    grade: int,
    name: str,
    by: Any,
    homeroom_teacher: Staff | None = None,
    site: OrgUnit | None = None,
) -> SchoolClass:
    _check_class_level(school=school, level=level, grade=grade)
    if homeroom_teacher is not None and homeroom_teacher.org_unit_id != school.pk:
        raise ValidationError({"homeroom_teacher": _("The teacher works at another school.")})
    school_class = SchoolClass(
        school=school,
        school_year=school_year,
        level=level,
        grade=grade,
        name=name,
        homeroom_teacher=homeroom_teacher,
        site=site,
    )
    school_class.full_clean()
    school_class.save()
    audit_record(
        actor=by, verb=AuditVerb.CREATED, target=school_class, after=snapshot(school_class)
    )
    return school_class


@transaction.atomic
def enrollment_create(
    *,
    student: Student,
    school: OrgUnit,
    school_year: SchoolYear,
    grade: int,
    level: str,
    started_on: dt.date,
    by: Any,
    school_class: SchoolClass | None = None,
) -> Enrollment:
    """Open an enrolment; a second active one in the same year is refused."""
    _check_class_level(school=school, level=level, grade=grade)
    enrollment = Enrollment(
        student=student,
        school=school,
        school_year=school_year,
        grade=grade,
        level=level,
        school_class=school_class,
        started_on=started_on,
    )
    enrollment.full_clean()
    enrollment.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=enrollment, after=snapshot(enrollment))
    indicators_stale(unit_ids=[school.pk], since=started_on)
    return enrollment


@transaction.atomic
def enrollment_end(
    *, enrollment: Enrollment, on: dt.date, status: EnrollmentStatus, reason: ExitReason, by: Any
) -> Enrollment:
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(_("This enrollment is already closed."))
    if status == EnrollmentStatus.ACTIVE:
        raise ValidationError({"status": _("Choose how the enrollment ends.")})
    before = snapshot(enrollment)
    enrollment.status = status
    enrollment.ended_on = on
    enrollment.exit_reason = reason
    enrollment.full_clean()
    enrollment.save(update_fields=["status", "ended_on", "exit_reason", "updated_at"])
    audit_record(
        actor=by,
        verb=AuditVerb.ENROLLMENT_ENDED,
        target=enrollment,
        before=before,
        after=snapshot(enrollment),
    )
    indicators_stale(unit_ids=[enrollment.school_id], since=on)
    return enrollment


@dataclass(frozen=True)
class TransferPreview:
    """What a transfer would do, shown to the officer before it is confirmed."""

    enrollment: Enrollment
    to_school: OrgUnit
    to_class: SchoolClass | None
    on: dt.date
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def enrollment_transfer_preview(
    *,
    enrollment: Enrollment,
    to_school: OrgUnit,
    on: dt.date,
    to_class: SchoolClass | None = None,
) -> TransferPreview:
    problems = []
    if enrollment.status != EnrollmentStatus.ACTIVE:
        problems.append(_("Only an active enrollment can be transferred."))
    if to_school.pk == enrollment.school_id:
        problems.append(_("The student already studies at this school."))
    if to_school.kind != OrgUnitKind.SCHOOL:
        problems.append(_("A transfer goes to a school."))
    if on < enrollment.started_on or on > enrollment.school_year.ends_on:
        problems.append(_("The transfer date must fall within the enrollment's school year."))
    if to_class is not None and (
        to_class.school_id != to_school.pk
        or to_class.school_year_id != enrollment.school_year_id
        or to_class.grade != enrollment.grade
    ):
        problems.append(_("The class must be of the same grade and year at the new school."))
    if enrollment.level not in to_school.level_codes():
        problems.append(_("The new school does not teach this level."))
    return TransferPreview(enrollment, to_school, to_class, on, tuple(problems))


@transaction.atomic
def enrollment_transfer(
    *,
    enrollment: Enrollment,
    to_school: OrgUnit,
    on: dt.date,
    by: Any,
    to_class: SchoolClass | None = None,
) -> Enrollment:
    """Close the enrolment on ``on`` and open one at ``to_school`` from that same day."""
    preview = enrollment_transfer_preview(
        enrollment=enrollment, to_school=to_school, on=on, to_class=to_class
    )
    if not preview.ok:
        raise ValidationError(list(preview.problems))
    enrollment_end(
        enrollment=enrollment,
        on=on,
        status=EnrollmentStatus.TRANSFERRED_OUT,
        reason=ExitReason.TRANSFER,
        by=by,
    )
    successor = enrollment_create(
        student=enrollment.student,
        school=to_school,
        school_year=enrollment.school_year,
        grade=enrollment.grade,
        level=enrollment.level,
        started_on=on,
        school_class=to_class,
        by=by,
    )
    audit_record(
        actor=by,
        verb=AuditVerb.ENROLLMENT_TRANSFERRED,
        target=successor,
        before={"enrollment": enrollment.pk, "school": enrollment.school_id},
        after={"enrollment": successor.pk, "school": to_school.pk},
    )
    return successor


@dataclass(frozen=True)
class PromotionLine:
    enrollment: Enrollment
    next_grade: int | None  # None: the student finishes the school's last grade
    next_class_name: str | None


def _next_level(school: OrgUnit, grade: int, current: str) -> str | None:
    levels = school.level_codes()
    for level in (
        SchoolLevel.PRIMARY,
        SchoolLevel.LOWER_SECONDARY,
        SchoolLevel.UPPER_SECONDARY,
        SchoolLevel.CONTINUING,
    ):
        if grade in LEVEL_GRADES[level] and level in levels:
            if current == SchoolLevel.CONTINUING and level != SchoolLevel.CONTINUING:
                continue
            return str(level)
    return None


def promotion_preview(*, school: OrgUnit, from_year: SchoolYear) -> list[PromotionLine]:
    """Year-end promotion of a school's active general-education enrolments, before applying.

    Every student moves up one grade into a class of the same name pattern; those in the
    school's last grade finish (they are not carried into the next year here).
    """
    lines = []
    enrollments = (
        Enrollment.objects.active()
        .general_education()
        .filter(school=school, school_year=from_year)
        .select_related("school_class", "student__person")
        .order_by("grade", "student__code")
    )
    for e in enrollments:
        grade = e.grade + 1
        level = _next_level(school, grade, e.level)
        if level is None:
            lines.append(PromotionLine(e, None, None))
            continue
        old = e.school_class.name if e.school_class else ""
        name = old.replace(str(e.grade), str(grade), 1) if old.startswith(str(e.grade)) else None
        lines.append(PromotionLine(e, grade, name))
    return lines


@transaction.atomic
def promotion_apply(
    *, school: OrgUnit, from_year: SchoolYear, to_year: SchoolYear, by: Any
) -> dict[str, int]:
    """Close the year's enrolments as completed and open next year's, creating classes."""
    if to_year.starts_on <= from_year.starts_on:
        raise ValidationError(_("Promotion goes to a later school year."))
    lines = promotion_preview(school=school, from_year=from_year)
    classes: dict[tuple[int, str], SchoolClass] = {
        (c.grade, c.name): c for c in SchoolClass.objects.filter(school=school, school_year=to_year)
    }
    promoted = finished = 0
    for line in lines:
        e = line.enrollment
        enrollment_end(
            enrollment=e,
            on=from_year.ends_on,
            status=EnrollmentStatus.GRADUATED
            if line.next_grade is None
            else EnrollmentStatus.COMPLETED,
            reason=ExitReason.YEAR_END,
            by=by,
        )
        if line.next_grade is None:
            finished += 1
            continue
        level = _next_level(school, line.next_grade, e.level) or e.level
        target = None
        if line.next_class_name:
            key = (line.next_grade, line.next_class_name)
            if key not in classes:
                classes[key] = school_class_create(
                    school=school,
                    school_year=to_year,
                    level=level,
                    grade=line.next_grade,
                    name=line.next_class_name,
                    by=by,
                )
            target = classes[key]
        enrollment_create(
            student=e.student,
            school=school,
            school_year=to_year,
            grade=line.next_grade,
            level=level,
            started_on=to_year.starts_on,
            school_class=target,
            by=by,
        )
        promoted += 1
    return {"promoted": promoted, "finished": finished}


@transaction.atomic
def staff_create(
    *,
    person: Person,
    org_unit: OrgUnit,
    position: str,
    by: Any,
    code: str | None = None,
    **fields: Any,
) -> Staff:
    if code is None:
        last = Staff.objects.filter(code__regex=r"^CB\d{7}$").aggregate(m=Max("code"))["m"]
        code = f"CB{(int(last[2:]) + 1) if last else 1:07d}"
    staff = Staff(person=person, org_unit=org_unit, position=position, code=code, **fields)
    staff.full_clean()
    staff.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=staff, after=snapshot(staff))
    indicators_stale(unit_ids=[org_unit.pk], since=staff.started_on or timezone.localdate())
    return staff


@transaction.atomic
def enrollment_place(
    *,
    enrollment: Enrollment,
    grade: int,
    level: str,
    by: Any,
    school_class: SchoolClass | None = None,
) -> Enrollment:
    """Correct an active enrolment's grade, level or class within the same school and year."""
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(_("Only an active enrollment can be corrected."))
    _check_class_level(school=enrollment.school, level=level, grade=grade)
    before = snapshot(enrollment)
    enrollment.grade, enrollment.level, enrollment.school_class = grade, level, school_class
    enrollment.full_clean()
    enrollment.save(update_fields=["grade", "level", "school_class", "updated_at"])
    indicators_stale(unit_ids=[enrollment.school_id], since=enrollment.started_on)
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=enrollment,
        before=before,
        after=snapshot(enrollment),
    )
    return enrollment


@transaction.atomic
def school_class_set_homeroom(*, school_class: SchoolClass, teacher: Staff, by: Any) -> SchoolClass:
    before = snapshot(school_class)
    school_class.homeroom_teacher = teacher
    school_class.full_clean()
    school_class.save(update_fields=["homeroom_teacher", "updated_at"])
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=school_class,
        before=before,
        after=snapshot(school_class),
    )
    return school_class


_CLASS_FIELDS = ("name", "grade", "level", "site", "homeroom_teacher")


@transaction.atomic
def school_class_update(*, school_class: SchoolClass, by: Any, **fields: Any) -> SchoolClass:
    """Change a class's name, grade (and level), site or homeroom teacher.

    The grade of a class with students enrolled is kept: their enrolments carry it too.
    """
    unknown = set(fields) - set(_CLASS_FIELDS)
    if unknown:
        raise TypeError(f"unknown class fields: {sorted(unknown)}")
    before = snapshot(school_class)
    for name, value in fields.items():
        setattr(school_class, name, value)
    regraded = (school_class.grade, school_class.level) != (before["grade"], before["level"])
    if regraded and school_class.enrollments.filter(status=EnrollmentStatus.ACTIVE).exists():
        raise ValidationError(
            {"grade": _("Students are enrolled in this class; its grade cannot change.")}
        )
    _check_class_level(
        school=school_class.school, level=school_class.level, grade=school_class.grade
    )
    if school_class.site is not None and school_class.site.school_id != school_class.school_id:
        raise ValidationError({"site": _("The site belongs to another school.")})
    teacher = school_class.homeroom_teacher
    if teacher is not None and teacher.org_unit_id != school_class.school_id:
        raise ValidationError({"homeroom_teacher": _("The teacher works at another school.")})
    school_class.full_clean()
    school_class.save()
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=school_class,
        before=before,
        after=snapshot(school_class),
    )
    return school_class


@transaction.atomic
def enrollment_update(
    *,
    enrollment: Enrollment,
    by: Any,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    status: EnrollmentStatus | None = None,
    exit_reason: ExitReason | None = None,
) -> Enrollment:
    """Correct an enrolment's dates, or how a closed one ended.

    Ending an active enrolment is ``enrollment_end``'s job, and a closed one is not reopened.
    """
    closing = ended_on is not None or status is not None or exit_reason is not None
    if closing and enrollment.status == EnrollmentStatus.ACTIVE:
        raise ValidationError(_("An active enrollment is ended, not corrected."))
    if status == EnrollmentStatus.ACTIVE:
        raise ValidationError({"status": _("A closed enrollment cannot be reopened.")})
    before = snapshot(enrollment)
    if started_on is not None:
        enrollment.started_on = started_on
    if ended_on is not None:
        enrollment.ended_on = ended_on
    if status is not None:
        enrollment.status = status
    if exit_reason is not None:
        enrollment.exit_reason = exit_reason
    enrollment.full_clean()
    enrollment.save(update_fields=["started_on", "ended_on", "status", "exit_reason", "updated_at"])
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=enrollment,
        before=before,
        after=snapshot(enrollment),
    )
    since = min(dt.date.fromisoformat(before["started_on"]), enrollment.started_on)
    indicators_stale(unit_ids=[enrollment.school_id], since=since)
    return enrollment


_STAFF_FIELDS = (
    "org_unit",
    "position",
    "job_title",
    "qualification",
    "subject",
    "started_on",
    "is_active",
)


@transaction.atomic
def staff_update(*, staff: Staff, by: Any, **fields: Any) -> Staff:
    """Change a staff member's workplace, post, qualification or status; never the code."""
    unknown = set(fields) - set(_STAFF_FIELDS)
    if unknown:
        raise TypeError(f"unknown staff fields: {sorted(unknown)}")
    before = snapshot(staff)
    for name, value in fields.items():
        setattr(staff, name, value)
    staff.full_clean()
    staff.save()
    after = snapshot(staff)
    audit_record(actor=by, verb=AuditVerb.UPDATED, target=staff, before=before, after=after)
    if any(before[f] != after[f] for f in ("org_unit_id", "is_active", "started_on")):
        # Staff counts keep no history: the change shows from the earlier start date on.
        starts = [
            dt.date.fromisoformat(d) for d in (before["started_on"], after["started_on"]) if d
        ]
        indicators_stale(
            unit_ids={before["org_unit_id"], staff.org_unit_id},
            since=min(starts, default=timezone.localdate()),
        )
    return staff


@transaction.atomic
def guardian_create(*, person: Person, by: Any, occupation: str = "") -> Guardian:
    """Make ``person`` a guardian; link them to students with ``guardian_link_set``."""
    guardian = Guardian(person=person, occupation=occupation)
    guardian.full_clean()
    guardian.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=guardian, after=snapshot(guardian))
    return guardian


@transaction.atomic
def guardian_update(*, guardian: Guardian, by: Any, occupation: str) -> Guardian:
    before = snapshot(guardian)
    guardian.occupation = occupation
    guardian.full_clean()
    guardian.save()
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=guardian, before=before, after=snapshot(guardian)
    )
    return guardian


@transaction.atomic
def guardian_link_set(
    *, guardian: Guardian, student: Student, relation: str, is_primary: bool, by: Any
) -> GuardianLink:
    """Link a guardian to a student, or change the relation and main-contact flag of the link."""
    link = GuardianLink.objects.filter(guardian=guardian, student=student).first()
    if link is None:
        link = GuardianLink(
            guardian=guardian, student=student, relation=relation, is_primary=is_primary
        )
        link.full_clean()
        link.save()
        audit_record(actor=by, verb=AuditVerb.CREATED, target=link, after=snapshot(link))
        return link
    before = snapshot(link)
    link.relation, link.is_primary = relation, is_primary
    link.full_clean()
    link.save()
    audit_record(actor=by, verb=AuditVerb.UPDATED, target=link, before=before, after=snapshot(link))
    return link


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
    by: Any,
    note: str,
    code_counters: dict[str, int] | None = None,
) -> list[int]:
    """Create many students at once: person, student code and active enrolment each.

    The checks ``person_create``, ``student_create`` and ``enrollment_create`` make row by row
    are made here for the whole list first (ValidationError naming the row), then the rows go
    in with one INSERT (COPY on PostgreSQL) per table; the database's unique constraints stay
    the last word. The audit log gets one entry per table naming the new ids.

    ``code_counters`` (province code → last number issued) lets a caller that creates
    students in several calls keep issuing codes in sequence without asking the database,
    whose newest rows may still be on their way (``copy_in_background``).

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
    codes: dict[str, int] = {} if code_counters is None else code_counters
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
        province = row.school.code[:2]
        if province not in codes:
            # Codes this call's caller issued before are in ``codes``; the others were
            # committed before the import began, so the lookup connection sees them.
            code = student_code_next(province_code=province, using=using)
            codes[province] = int(code[len(province) :])
        else:
            codes[province] += 1
        students.append(
            (student_id, person_id, f"{province}{codes[province]:08d}", row.moet_code, now, now)
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
    indicators_stale(unit_ids={row.school.id for row in rows}, since=started_on)
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
    *, rows: list[NewClass], school_year: SchoolYear, by: Any, note: str
) -> list[SchoolClass]:
    """Create many classes of one school year at once (an import's new classes), with the
    checks of ``school_class_create``; a name already used at the school is refused by the
    database's unique constraint. Like ``students_bulk_create``, it runs inside the caller's
    transaction and may hand its rows to the background COPY: the classes returned are built
    here, not read back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("school_classes_bulk_create must run inside a transaction")
    for row in rows:
        _check_class_level(school=row.school, level=row.level, grade=row.grade)
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
