"""Permission-checked reads of people and classes.

Officers and principals see everyone enrolled or employed in their subtrees; a teacher sees the
pupils of the classes she is homeroom teacher of and her own staff record; a parent sees his
children; a student sees herself. Nothing else reaches a view.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from vnemis.accounts.access import user_scope
from vnemis.accounts.choices import Role
from vnemis.organisations.models import OrgPlacement
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import (
    Enrollment,
    EnrollmentQuerySet,
    GuardianLink,
    SchoolClass,
    Staff,
    Student,
)


def _unit_ids(paths: tuple[str, ...]) -> QuerySet[OrgPlacement, Any]:
    match = Q(pk__in=[])
    for path in paths:
        match |= Q(path__startswith=path)
    return OrgPlacement.objects.filter(match).values("unit_id")


def students_for_user(*, user: Any) -> QuerySet[Student]:
    scope = user_scope(user)
    if not getattr(user, "is_authenticated", False):
        return Student.objects.none()
    visible = Q(pk__in=[])
    if scope.paths:
        enrolled = Enrollment.objects.filter(school_id__in=_unit_ids(scope.paths))
        visible |= Q(pk__in=enrolled.values("student_id"))
    if scope.has_role(Role.TEACHER):
        taught = Enrollment.objects.filter(
            status=EnrollmentStatus.ACTIVE, school_class__homeroom_teacher__person__user=user
        )
        visible |= Q(pk__in=taught.values("student_id"))
    if scope.has_role(Role.PARENT):
        children = GuardianLink.objects.filter(guardian__person__user=user)
        visible |= Q(pk__in=children.values("student_id"))
    if scope.has_role(Role.STUDENT):
        visible |= Q(person__user=user)
    return Student.objects.filter(visible)


def student_get_for_user(*, user: Any, code: str) -> Student:
    return get_object_or_404(students_for_user(user=user).select_related("person"), code=code)


def staff_for_user(*, user: Any) -> QuerySet[Staff]:
    scope = user_scope(user)
    if not getattr(user, "is_authenticated", False):
        return Staff.objects.none()
    visible = Q(person__user=user)
    if scope.paths:
        visible |= Q(org_unit_id__in=_unit_ids(scope.paths))
    return Staff.objects.filter(visible)


def staff_get_for_user(*, user: Any, code: str) -> Staff:
    return get_object_or_404(staff_for_user(user=user).select_related("person"), code=code)


def classes_for_user(*, user: Any) -> QuerySet[SchoolClass]:
    scope = user_scope(user)
    if not getattr(user, "is_authenticated", False):
        return SchoolClass.objects.none()
    visible = Q(pk__in=[])
    if scope.paths:
        visible |= Q(school_id__in=_unit_ids(scope.paths))
    if scope.has_role(Role.TEACHER):
        visible |= Q(homeroom_teacher__person__user=user)
    return SchoolClass.objects.filter(visible)


def class_get_for_user(*, user: Any, pk: int) -> SchoolClass:
    return get_object_or_404(classes_for_user(user=user), pk=pk)


def personal_data_visible(
    *, user: Any, student: Student | None = None, staff: Staff | None = None
) -> bool:
    """Whether national ID, phone and address are shown unmasked to ``user``.

    Administrators and principals need them for their subtree; everyone sees their own, and a
    parent sees his children's.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    person = student.person if student else (staff.person if staff else None)
    if person is not None and person.user_id == user.pk:
        return True
    if (
        student is not None
        and GuardianLink.objects.filter(student=student, guardian__person__user=user).exists()
    ):
        return True
    scope = user_scope(user)
    if not scope.unmasked_paths:
        return False
    if student is not None:
        units = list(Enrollment.objects.filter(student=student).values_list("school_id", flat=True))
    elif staff is not None:
        units = [staff.org_unit_id]
    else:
        return False
    paths = list(OrgPlacement.objects.filter(unit_id__in=units).values_list("path", flat=True))
    return scope.covers(paths, which="unmasked_paths")


def enrollments_for_user(*, user: Any, write: bool = False) -> EnrollmentQuerySet:
    """Enrolments the user may list: the same people rules as ``students_for_user``.

    With ``write``, only those at schools where the user may change records (administrators
    and principals of the subtree).
    """
    scope = user_scope(user)
    if not getattr(user, "is_authenticated", False):
        return Enrollment.objects.none()
    if write:
        return Enrollment.objects.filter(school_id__in=_unit_ids(scope.write_paths))
    visible = Q(pk__in=[])
    if scope.paths:
        visible |= Q(school_id__in=_unit_ids(scope.paths))
    if scope.has_role(Role.TEACHER):
        visible |= Q(school_class__homeroom_teacher__person__user=user)
    if scope.has_role(Role.PARENT):
        children = GuardianLink.objects.filter(guardian__person__user=user)
        visible |= Q(student_id__in=children.values("student_id"))
    if scope.has_role(Role.STUDENT):
        visible |= Q(student__person__user=user)
    return Enrollment.objects.filter(visible)
