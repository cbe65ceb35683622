"""Every write to people, classes and enrolments goes through these functions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.core.stale import indicators_stale
from vnemis.organisations.choices import LEVEL_GRADES, OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.choices import EnrollmentStatus, ExitReason
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


# Moves between schools and years, and the bulk writes of imports, live in their own modules;
# callers keep using ``people.services.<name>``.
from vnemis.people.services.bulk import (  # noqa: E402
    NewClass,
    NewStudent,
    school_classes_bulk_create,
    students_bulk_create,
)
from vnemis.people.services.moves import (  # noqa: E402
    PromotionLine,
    TransferPreview,
    enrollment_transfer,
    enrollment_transfer_preview,
    promotion_apply,
    promotion_preview,
)

__all__ = [
    "NewClass",
    "NewStudent",
    "PromotionLine",
    "TransferPreview",
    "enrollment_create",
    "enrollment_end",
    "enrollment_place",
    "enrollment_transfer",
    "enrollment_transfer_preview",
    "enrollment_update",
    "guardian_create",
    "guardian_link_set",
    "guardian_update",
    "person_create",
    "person_update",
    "promotion_apply",
    "promotion_preview",
    "school_class_create",
    "school_class_set_homeroom",
    "school_class_update",
    "school_classes_bulk_create",
    "staff_create",
    "staff_update",
    "student_code_next",
    "student_create",
    "student_update",
    "students_bulk_create",
]
