"""Moves of students between schools (transfer) and years (promotion), with previews."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record
from vnemis.core.choices import AuditVerb
from vnemis.organisations import services as org_services
from vnemis.organisations.choices import LEVEL_GRADES, OrgUnitKind, SchoolLevel
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.choices import EnrollmentStatus, ExitReason
from vnemis.people.models import (
    Enrollment,
    SchoolClass,
)
from vnemis.people.services.enrollments import (
    enrollment_create,
    enrollment_end,
    school_class_create,
)


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
    by: User | None,
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
    *, school: OrgUnit, from_year: SchoolYear, to_year: SchoolYear, by: User | None
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


@dataclass(frozen=True)
class PromotionResult:
    """What a school's year-end promotion did."""

    to_year: SchoolYear
    promoted: int
    finished: int


def _next_school_year(*, after: SchoolYear, by: User | None) -> SchoolYear:
    """The school year following ``after``, made (one year later) when nobody has made it."""
    following = (
        SchoolYear.objects.filter(starts_on__gt=after.starts_on).order_by("starts_on").first()
    )
    if following is not None:
        return following
    starts_on = after.starts_on.replace(year=after.starts_on.year + 1)
    try:
        # A savepoint: another school's promotion may make the same year at the same moment.
        with transaction.atomic():
            return org_services.school_year_create(
                starts_on=starts_on,
                ends_on=after.ends_on.replace(year=after.ends_on.year + 1),
                by=by,
            )
    except IntegrityError:
        return SchoolYear.objects.get(code=f"{starts_on.year}-{starts_on.year + 1}")


@transaction.atomic
def school_promotion_apply(
    *, school: OrgUnit, from_year: SchoolYear, by: User | None
) -> PromotionResult:
    """Promote the school's students from ``from_year`` into the following school year,
    which is made when it does not exist yet; the whole promotion is one audited write."""
    # Locked: a second confirmation of the same promotion (a double click, two principals)
    # waits here, then finds the enrolments closed and promotes nobody, instead of failing
    # on an enrolment the first one closed.
    OrgUnit.objects.select_for_update().only("pk").get(pk=school.pk)
    to_year = _next_school_year(after=from_year, by=by)
    counts = promotion_apply(school=school, from_year=from_year, to_year=to_year, by=by)
    audit_record(
        actor=by,
        verb=AuditVerb.ENROLLMENT_PROMOTED,
        target=school,
        before={"school_year": from_year.code},
        after={"school_year": to_year.code, **counts},
    )
    return PromotionResult(
        to_year=to_year, promoted=counts["promoted"], finished=counts["finished"]
    )
