"""Permission-checked reads of learning results.

- A teacher enters the scores of her teaching assignments only, while she holds the teacher
  role at the class's school; she reads the gradebooks of the classes she is homeroom
  teacher of, and writes their term reports (conduct, absences, remarks).
- A principal reads every gradebook of his school, locks its terms and decides correction
  requests; officers read their subtree. Nobody but the assigned teacher enters scores.
- A parent reads his children's released results; a student her own (``result_view_for_user``
  says which columns). Released-only applies whenever the user reaches the student only as a
  guardian or as the student: a teacher who is also a parent sees her own child's results as a
  parent unless she also teaches him.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from vnemis.accounts.choices import Role
from vnemis.accounts.models import RoleAssignment, User, Viewer, signed_in
from vnemis.learning.choices import TranscriptStatus
from vnemis.learning.models import Subject, TeachingAssignment, Transcript, YearResult
from vnemis.organisations.models import OrgPlacement, OrgUnit
from vnemis.organisations.scope import user_scope
from vnemis.people.access import classes_for_user
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import Enrollment, GuardianLink, SchoolClass, Student


def _school_paths(school_id: int) -> list[str]:
    return list(OrgPlacement.objects.filter(unit_id=school_id).values_list("path", flat=True))


def assignments_for_user(*, user: Viewer) -> QuerySet[TeachingAssignment]:
    """The teaching assignments whose scores ``user`` enters: hers, at schools where she holds
    the teacher role today."""
    me = signed_in(user)
    if me is None:
        return TeachingAssignment.objects.none()
    scope = user_scope(me)
    if not scope.teacher_paths:
        return TeachingAssignment.objects.none()
    return TeachingAssignment.objects.filter(
        scope.units_q("school_class__school_id", "teacher_paths"),
        teacher__person__user=me,
        teacher__is_active=True,
    )


def gradebook_classes_for_user(*, user: Viewer) -> QuerySet[SchoolClass]:
    """Classes with a gradebook ``user`` may open: those of her subtree (officers, principals),
    those she is homeroom teacher of, and those she teaches a subject to."""
    me = signed_in(user)
    if me is None:
        return SchoolClass.objects.none()
    taught = assignments_for_user(user=me).values("school_class_id")
    return SchoolClass.objects.filter(
        Q(pk__in=classes_for_user(user=me).values("pk")) | Q(pk__in=taught)
    )


@dataclass(frozen=True)
class Gradebook:
    """One class's results in one subject as ``user`` may handle them."""

    school_class: SchoolClass
    subject: Subject
    can_enter: bool


def gradebook_get_for_user(*, user: Viewer, class_pk: int, subject_pk: int) -> Gradebook:
    """The gradebook of a class and subject, or 404 if ``user`` may not read it.

    Readable by whoever may open the class (``gradebook_classes_for_user``); writable by the
    assigned teacher only.
    """
    school_class = (
        gradebook_classes_for_user(user=user)
        .select_related("school", "school_year")
        .filter(pk=class_pk)
        .first()
    )
    if school_class is None:
        raise Http404
    subject = Subject.objects.filter(pk=subject_pk, grade=school_class.grade).first()
    if subject is None:
        raise Http404
    can_enter = (
        assignments_for_user(user=user).filter(school_class=school_class, subject=subject).exists()
    )
    if not can_enter and not classes_for_user(user=user).filter(pk=class_pk).exists():
        # A subject teacher reads only the subjects she teaches in a class that is not hers.
        raise Http404
    return Gradebook(school_class=school_class, subject=subject, can_enter=can_enter)


def term_reports_editable(*, user: Viewer, school_class: SchoolClass) -> bool:
    """Whether ``user`` writes the class's term reports: its homeroom teacher, while she
    holds the teacher role at its school."""
    me = signed_in(user)
    if me is None or school_class.homeroom_teacher_id is None:
        return False
    scope = user_scope(me)
    if not scope.covers(_school_paths(school_class.school_id), which="teacher_paths"):
        return False
    return SchoolClass.objects.filter(
        pk=school_class.pk, homeroom_teacher__person__user=me
    ).exists()


def school_manageable(*, user: Viewer, school: OrgUnit) -> bool:
    """Whether ``user`` locks the terms of ``school`` and decides its correction requests:
    its principal, or an administrator above it."""
    me = signed_in(user)
    if me is None:
        return False
    scope = user_scope(me)
    if not scope.has_role(Role.PRINCIPAL, Role.DEPARTMENT_ADMIN) and not scope.is_superuser:
        return False
    return scope.covers(_school_paths(school.pk), which="write_paths")


def schools_managed_for_user(*, user: Viewer) -> QuerySet[OrgUnit]:
    me = signed_in(user)
    if me is None:
        return OrgUnit.objects.none()
    return user_scope(me).units("write_paths")


@dataclass(frozen=True)
class ResultView:
    """How much of a student's results ``user`` sees: everything the school holds
    (``released_only`` False: staff of his school and the offices above it), or only what has
    been released to families (his guardians and himself)."""

    student: Student
    released_only: bool


def result_view_for_user(*, user: Viewer, student: Student) -> ResultView:
    """The view of ``student``'s results ``user`` is entitled to, or 404."""
    me = signed_in(user)
    if me is None:
        raise Http404
    scope = user_scope(me)
    enrolled = Enrollment.objects.filter(student=student)
    staff_reach = False
    if scope.paths and enrolled.filter(scope.units_q("school_id")).exists():
        staff_reach = True
    elif scope.teacher_paths:
        active = enrolled.filter(status=EnrollmentStatus.ACTIVE)
        staff_reach = active.filter(school_class__homeroom_teacher__person__user=me).exists() or (
            assignments_for_user(user=me)
            .filter(school_class_id__in=active.values("school_class_id"))
            .exists()
        )
    if staff_reach:
        return ResultView(student=student, released_only=False)
    family = (
        scope.has_role(Role.PARENT)
        and GuardianLink.objects.filter(student=student, guardian__person__user=me).exists()
    ) or (
        scope.has_role(Role.STUDENT)
        and Student.objects.filter(pk=student.pk, person__user=me).exists()
    )
    if family:
        return ResultView(student=student, released_only=True)
    raise Http404


def children_for_user(*, user: Viewer) -> QuerySet[Student]:
    """The students whose released results ``user`` follows as a family: his children (as a
    guardian) and himself (as a student)."""
    me = signed_in(user)
    if me is None:
        return Student.objects.none()
    scope = user_scope(me)
    visible = Q(pk__in=[])
    if scope.has_role(Role.PARENT):
        children = GuardianLink.objects.filter(guardian__person__user=me)
        visible |= Q(pk__in=children.values("student_id"))
    if scope.has_role(Role.STUDENT):
        visible |= Q(person__user=me)
    return Student.objects.filter(visible)


def _learning_rows(user: User) -> Q:
    """Year results and transcripts the user reads as staff: those of the schools of his
    subtree (officers, principals, tokens), and, for a teacher, those of the pupils now in a
    class she is homeroom teacher of, in that class. This is the reach of the student's
    results page (``people.access.students_for_user``, then ``result_view_for_user``), never
    wider: a row listed here is one its page shows the user."""
    scope = user_scope(user)
    visible = Q(pk__in=[])
    if scope.paths:
        # By school rather than class: also the rows whose class has since been deleted.
        visible |= scope.units_q("school_id")
    if scope.has_role(Role.TEACHER):
        pupils = Enrollment.objects.filter(
            status=EnrollmentStatus.ACTIVE, school_class__homeroom_teacher__person__user=user
        )
        visible |= Q(
            school_class_id__in=pupils.values("school_class_id"),
            student_id__in=pupils.values("student_id"),
        )
    return visible


def year_results_for_user(*, user: Viewer) -> QuerySet[YearResult]:
    """The year results the user may list: those of his subtree and homeroom classes.
    Families have none here; they read each child's year through ``result_view_for_user``,
    where the publication rule applies."""
    me = signed_in(user)
    if me is None:
        return YearResult.objects.none()
    return YearResult.objects.filter(_learning_rows(me))


def transcripts_for_user(*, user: Viewer) -> QuerySet[Transcript]:
    """The transcripts the user may list: every one of his subtree and homeroom classes; for
    a parent or a student, his children's or his own current issued transcript of each year
    only (not a draft, not a version revoked or being replaced)."""
    me = signed_in(user)
    if me is None:
        return Transcript.objects.none()
    children = children_for_user(user=me).values("pk")
    newer = Transcript.objects.filter(
        student_id=OuterRef("student_id"),
        school_year_id=OuterRef("school_year_id"),
        version__gt=OuterRef("version"),
    )
    family = Q(student_id__in=children, status=TranscriptStatus.ISSUED) & ~Exists(newer)
    return Transcript.objects.filter(_learning_rows(me) | family)


def transcript_get_for_user(*, user: Viewer, pk: int) -> tuple[Transcript, bool]:
    """A transcript the user may see, and whether he sees it as family: the school's staff
    and the offices above see every transcript of their students; a family only the issued,
    current transcript of their child. 404 otherwise."""
    transcript = get_object_or_404(
        Transcript.objects.select_related(
            "student__person", "school", "school_year", "school_class"
        ),
        pk=pk,
    )
    view = result_view_for_user(user=user, student=transcript.student)
    if view.released_only:
        newest = (
            Transcript.objects.filter(
                student_id=transcript.student_id, school_year_id=transcript.school_year_id
            )
            .order_by("-version")
            .first()
        )
        if (
            transcript.status != TranscriptStatus.ISSUED
            or newest is None
            or newest.pk != transcript.pk
        ):
            raise Http404
    return transcript, view.released_only


# --- who takes which step of a transcript's workflow ------------------------------------


def transcript_is_homeroom_teacher(*, user: User | None, transcript: Transcript) -> bool:
    """Whether ``user`` is the homeroom teacher of the transcript's class, teaching there."""
    if user is None or transcript.school_class is None:
        return False
    return term_reports_editable(user=user, school_class=transcript.school_class)


def transcript_is_principal(*, user: User | None, school: OrgUnit) -> bool:
    """Whether ``user`` holds the principal's role at ``school`` itself today: the school's
    signature is its head's, not an office's above it."""
    if user is None or not user.is_authenticated:
        return False
    today = timezone.localdate()
    return RoleAssignment.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        user=user,
        role=Role.PRINCIPAL,
        org_unit=school,
    ).exists()


def transcript_step_allowed(
    *, user: User | None, transcript: Transcript, to: TranscriptStatus
) -> bool:
    """Whether ``user`` may take the step to ``to`` (``None``: the system, every step): the
    homeroom teacher completes and signs as teacher, the principal (or an administrator
    above) verifies and confirms, the principal of the school itself signs for it."""
    if user is None:
        return True
    if to in (TranscriptStatus.COMPLETED, TranscriptStatus.TEACHER_SIGNED):
        return transcript_is_homeroom_teacher(user=user, transcript=transcript)
    if to in (TranscriptStatus.VERIFIED, TranscriptStatus.CONFIRMED):
        return school_manageable(user=user, school=transcript.school)
    if to == TranscriptStatus.ISSUED:
        return transcript_is_principal(user=user, school=transcript.school)
    return False


def transcript_may_prepare(*, user: User | None, school_class: SchoolClass) -> bool:
    """The class's homeroom teacher or the school's principal (or an administrator above)."""
    if user is None:
        return True
    return term_reports_editable(user=user, school_class=school_class) or school_manageable(
        user=user, school=school_class.school
    )


def transcript_may_revoke(*, user: User | None, transcript: Transcript) -> bool:
    if user is None:
        return True
    return school_manageable(user=user, school=transcript.school)
