"""Writes to classes and enrolments: opening, correcting and ending a student's place."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.core.keep import KEEP, Keep, assign_given
from vnemis.organisations.choices import LEVEL_GRADES, OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.organisations.stale import units_stale
from vnemis.people.choices import EnrollmentStatus, ExitReason
from vnemis.people.models import Enrollment, SchoolClass, Staff, Student


def class_level_check(*, school: OrgUnit, level: str, grade: int) -> None:
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
    by: User | None,
    homeroom_teacher: Staff | None = None,
    site: OrgUnit | None = None,
) -> SchoolClass:
    class_level_check(school=school, level=level, grade=grade)
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
    by: User | None,
    school_class: SchoolClass | None = None,
) -> Enrollment:
    """Open an enrolment; a second active one in the same year is refused."""
    class_level_check(school=school, level=level, grade=grade)
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
    units_stale(unit_ids=[school.pk], since=started_on)
    return enrollment


@transaction.atomic
def enrollment_end(
    *,
    enrollment: Enrollment,
    on: dt.date,
    status: EnrollmentStatus,
    reason: ExitReason,
    by: User | None,
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
    units_stale(unit_ids=[enrollment.school_id], since=on)
    return enrollment


@transaction.atomic
def enrollment_place(
    *,
    enrollment: Enrollment,
    grade: int,
    level: str,
    by: User | None,
    school_class: SchoolClass | None = None,
) -> Enrollment:
    """Correct an active enrolment's grade, level or class within the same school and year."""
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(_("Only an active enrollment can be corrected."))
    class_level_check(school=enrollment.school, level=level, grade=grade)
    before = snapshot(enrollment)
    enrollment.grade, enrollment.level, enrollment.school_class = grade, level, school_class
    enrollment.full_clean()
    enrollment.save(update_fields=["grade", "level", "school_class", "updated_at"])
    units_stale(unit_ids=[enrollment.school_id], since=enrollment.started_on)
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=enrollment,
        before=before,
        after=snapshot(enrollment),
    )
    return enrollment


@transaction.atomic
def school_class_set_homeroom(
    *, school_class: SchoolClass, teacher: Staff, by: User | None
) -> SchoolClass:
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


@transaction.atomic
def school_class_update(
    *,
    school_class: SchoolClass,
    by: User | None,
    name: str | Keep = KEEP,
    grade: int | Keep = KEEP,
    level: str | Keep = KEEP,
    site: OrgUnit | None | Keep = KEEP,
    homeroom_teacher: Staff | None | Keep = KEEP,
) -> SchoolClass:
    """Change a class's name, grade (and level), site or homeroom teacher.

    The grade of a class with students enrolled is kept: their enrolments carry it too.
    """
    before = snapshot(school_class)
    assign_given(
        school_class,
        {
            "name": name,
            "grade": grade,
            "level": level,
            "site": site,
            "homeroom_teacher": homeroom_teacher,
        },
    )
    regraded = (school_class.grade, school_class.level) != (before["grade"], before["level"])
    if regraded and school_class.enrollments.filter(status=EnrollmentStatus.ACTIVE).exists():
        raise ValidationError(
            {"grade": _("Students are enrolled in this class; its grade cannot change.")}
        )
    class_level_check(
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
    by: User | None,
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
    units_stale(unit_ids=[enrollment.school_id], since=since)
    return enrollment
