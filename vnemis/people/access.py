"""Permission-checked reads of people and classes.

Officers and principals see everyone enrolled or employed in their subtrees; a teacher sees the
pupils of the classes she is homeroom teacher of and her own staff record; a parent sees his
children; a student sees herself. Nothing else reaches a view.

Access follows enrolment: a school (and the offices above it) that a student has left keeps
only what it held, its own enrolment periods, not his new school, class or contacts
(``student_record_for_user``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from vnemis.accounts.choices import Role
from vnemis.accounts.models import Viewer, signed_in
from vnemis.organisations.models import OrgPlacement
from vnemis.organisations.scope import user_scope
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import (
    Enrollment,
    EnrollmentQuerySet,
    GuardianLink,
    SchoolClass,
    Staff,
    Student,
)


def students_for_user(*, user: Viewer, write: bool = False) -> QuerySet[Student]:
    """Students the user may find: those with any enrolment, current or past, at a school of
    an officer's subtree, and a teacher's, parent's or student's own. Past enrolments keep a
    former school finding the student; ``student_record_for_user`` limits what it then sees.

    With ``write``, only those with an enrolment at a school where the user may change records.
    """
    me = signed_in(user)
    if me is None:
        return Student.objects.none()
    scope = user_scope(me)
    if write:
        enrolled = Enrollment.objects.filter(scope.units_q("school_id", "write_paths"))
        return Student.objects.filter(pk__in=enrolled.values("student_id"))
    visible = Q(pk__in=[])
    if scope.paths:
        enrolled = Enrollment.objects.filter(scope.units_q("school_id"))
        visible |= Q(pk__in=enrolled.values("student_id"))
    if scope.has_role(Role.TEACHER):
        taught = Enrollment.objects.filter(
            status=EnrollmentStatus.ACTIVE, school_class__homeroom_teacher__person__user=me
        )
        visible |= Q(pk__in=taught.values("student_id"))
    if scope.has_role(Role.PARENT):
        children = GuardianLink.objects.filter(guardian__person__user=me)
        visible |= Q(pk__in=children.values("student_id"))
    if scope.has_role(Role.STUDENT):
        visible |= Q(person__user=me)
    return Student.objects.filter(visible)


def student_get_for_user(*, user: Viewer, code: str) -> Student:
    return get_object_or_404(students_for_user(user=user).select_related("person"), code=code)


def staff_for_user(*, user: Viewer, write: bool = False) -> QuerySet[Staff]:
    """Staff of the user's subtrees and her own record; with ``write``, the staff of units
    where she may change records."""
    me = signed_in(user)
    if me is None:
        return Staff.objects.none()
    scope = user_scope(me)
    if write:
        return Staff.objects.filter(scope.units_q("org_unit_id", "write_paths"))
    # The user's own staff record as a subquery on staff: "person.user = me OR unit in scope"
    # across the join made PostgreSQL read all 578.000 persons to test the first half.
    visible = Q(pk__in=Staff.objects.filter(person__user=me).values("pk"))
    if scope.paths:
        visible |= scope.units_q("org_unit_id")
    return Staff.objects.filter(visible)


def staff_get_for_user(*, user: Viewer, code: str) -> Staff:
    return get_object_or_404(staff_for_user(user=user).select_related("person"), code=code)


def classes_for_user(*, user: Viewer, write: bool = False) -> QuerySet[SchoolClass]:
    """Classes of the user's subtrees and those she is homeroom teacher of; with ``write``,
    the classes of schools where she may change records."""
    me = signed_in(user)
    if me is None:
        return SchoolClass.objects.none()
    scope = user_scope(me)
    if write:
        return SchoolClass.objects.filter(scope.units_q("school_id", "write_paths"))
    visible = Q(pk__in=[])
    if scope.paths:
        visible |= scope.units_q("school_id")
    if scope.has_role(Role.TEACHER):
        visible |= Q(homeroom_teacher__person__user=me)
    return SchoolClass.objects.filter(visible)


def class_get_for_user(*, user: Viewer, pk: int, write: bool = False) -> SchoolClass:
    return get_object_or_404(classes_for_user(user=user, write=write), pk=pk)


def personal_data_visible(*, user: Viewer, staff: Staff) -> bool:
    """Whether a staff member's national ID, phone and address are shown unmasked to ``user``.

    Administrators and principals need them for their subtree; everyone sees their own. For
    students, ``student_record_for_user`` says it.
    """
    me = signed_in(user)
    if me is None:
        return False
    if staff.person.user_id == me.pk:
        return True
    scope = user_scope(user)
    if not scope.unmasked_paths:
        return False
    paths = list(
        OrgPlacement.objects.filter(unit_id=staff.org_unit_id).values_list("path", flat=True)
    )
    return scope.covers(paths, which="unmasked_paths")


@dataclass(frozen=True)
class StudentRecord:
    """How much of one student's record a user may see.

    ``enrollments``: the enrolments to show. ``contacts``: his current address and phone and his
    guardians. ``unmasked``: his personal ID number (and address) in full rather than masked.
    ``former``: the user's schools held the student once and no longer do.
    """

    enrollments: EnrollmentQuerySet
    contacts: bool
    unmasked: bool
    former: bool


def _current_enrollments(student: Student) -> list[Enrollment]:
    """Where the student is now: his active enrolments, else (left the sector, graduated) the
    last one, whose school keeps answering for him."""
    enrollments = list(student.enrollments.order_by("-started_on", "-id"))
    active = [e for e in enrollments if e.status == EnrollmentStatus.ACTIVE]
    return active or enrollments[:1]


def student_record_for_user(*, user: Viewer, student: Student) -> StudentRecord:
    """What of ``student`` (already fetched through ``student_get_for_user``) ``user`` sees.

    The student, his guardians, officers whose subtree holds his current school and the
    homeroom teacher of his current class see the whole record, every enrolment included.
    Officers whose subtree holds only schools he has left (the former school's principal, its
    district office) see what that school held, which is his identity and their own
    enrolment periods: name, date of birth, sex, ethnicity, codes and the personal ID number
    masked. Not his new school or class, nor his current address, phone or guardians, which
    belong to the school now responsible for him.
    """
    everything = student.enrollments.all()
    me = signed_in(user)
    if me is None:
        return StudentRecord(everything.none(), contacts=False, unmasked=False, former=False)
    family = Student.objects.filter(pk=student.pk).filter(
        Q(person__user=me) | Q(guardian_links__guardian__person__user=me)
    )
    if family.exists():
        return StudentRecord(everything, contacts=True, unmasked=True, former=False)
    scope = user_scope(user)
    current = [e.pk for e in _current_enrollments(student)]
    held = everything.filter(scope.units_q("school_id")) if scope.paths else None
    teaches = scope.has_role(Role.TEACHER) and (
        everything.filter(
            pk__in=current,
            status=EnrollmentStatus.ACTIVE,
            school_class__homeroom_teacher__person__user=me,
        ).exists()
    )
    if teaches or (held is not None and held.filter(pk__in=current).exists()):
        unmasked_here = everything.filter(
            scope.units_q("school_id", "unmasked_paths"), pk__in=current
        )
        unmasked = bool(scope.unmasked_paths) and unmasked_here.exists()
        return StudentRecord(everything, contacts=True, unmasked=unmasked, former=False)
    if held is not None and held.exists():
        return StudentRecord(held, contacts=False, unmasked=False, former=True)
    return StudentRecord(everything.none(), contacts=False, unmasked=False, former=False)


def enrollments_for_user(*, user: Viewer, write: bool = False) -> EnrollmentQuerySet:
    """Enrolments the user may list: the same people rules as ``students_for_user``.

    With ``write``, only those at schools where the user may change records (administrators
    and principals of the subtree).
    """
    me = signed_in(user)
    if me is None:
        return Enrollment.objects.none()
    scope = user_scope(me)
    if write:
        return Enrollment.objects.filter(scope.units_q("school_id", "write_paths"))
    visible = Q(pk__in=[])
    if scope.paths:
        visible |= scope.units_q("school_id")
    if scope.has_role(Role.TEACHER):
        visible |= Q(school_class__homeroom_teacher__person__user=me)
    if scope.has_role(Role.PARENT):
        children = GuardianLink.objects.filter(guardian__person__user=me)
        visible |= Q(student_id__in=children.values("student_id"))
    if scope.has_role(Role.STUDENT):
        visible |= Q(student__person__user=me)
    return Enrollment.objects.filter(visible)
