"""Data-quality checks of a user's scope: each check is a queryset of suspect records.

What the database's constraints already forbid (one personal ID number for two persons, two
open enrolments of a student in a year, staff without a position) cannot occur; the checks
list what is allowed but suspect, for the schools to correct.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from vnemis.accounts.models import Viewer
from vnemis.organisations.models import SchoolYear
from vnemis.people import access
from vnemis.people.models import Enrollment, Staff, Student


@dataclass(frozen=True)
class Check:
    code: str
    title: Any  # lazy translation
    kind: str  # enrollments, students, staff
    rows: Callable[[Any, SchoolYear], QuerySet[Any]]


def _age_grade(user: Viewer, year: SchoolYear) -> QuerySet[Enrollment]:
    # Age on 31 December of the year's first calendar year; a pupil of grade g is normally
    # g + 5. Two or more years over, or a year under, is listed (Luật Giáo dục 2019 Art. 28
    # allows late entry, so these are to be checked, not errors).
    first_year = year.starts_on.year
    return (
        access.enrollments_for_user(user=user)
        .active()
        .general_education()
        .filter(school_year=year, student__person__birth_date__isnull=False)
        .annotate(age=first_year - ExtractYear("student__person__birth_date"))
        .filter(Q(age__gte=F("grade") + 7) | Q(age__lte=F("grade") + 4))
        .select_related("student__person", "school", "school_class")
    )


def _without_enrollment(user: Viewer, year: SchoolYear) -> QuerySet[Student]:
    active = Enrollment.objects.filter(student=OuterRef("pk"), school_year=year, status="active")
    return (
        access.students_for_user(user=user)
        .annotate(open=Exists(active))
        .filter(open=False)
        .select_related("person")
    )


def _without_id(user: Viewer, year: SchoolYear) -> QuerySet[Enrollment]:
    return (
        access.enrollments_for_user(user=user)
        .active()
        .general_education()
        .filter(school_year=year, student__person__national_id__isnull=True)
        .select_related("student__person", "school", "school_class")
    )


def _staff_without_qualification(user: Viewer, year: SchoolYear) -> QuerySet[Staff]:
    return (
        access.staff_for_user(user=user)
        .filter(is_active=True, qualification="")
        .select_related("person", "org_unit")
    )


CHECKS = [
    Check("age_grade", _("Age does not fit the grade"), "enrollments", _age_grade),
    Check(
        "no_enrollment",
        _("Students without an active enrolment this year"),
        "students",
        _without_enrollment,
    ),
    Check("no_national_id", _("Pupils without a personal ID number"), "enrollments", _without_id),
    Check(
        "staff_qualification",
        _("Staff without a recorded qualification"),
        "staff",
        _staff_without_qualification,
    ),
]
