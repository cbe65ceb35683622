"""What the learning pages share: the year asked for, a class's students, JSON bodies, the
class a user may open, who releases what."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from vnemis.accounts.http import AuthedRequest
from vnemis.core.http import (
    BadParameter,
    parse_text_param,
)
from vnemis.learning import access
from vnemis.learning.models import (
    Subject,
)
from vnemis.learning.services.results import RESULT_STATUSES
from vnemis.organisations.models import SchoolYear
from vnemis.people.models import Enrollment, SchoolClass, Student

NAME_ORDER = ("person__given_name", "person__family_name", "person__middle_name", "pk")
# A class has at most a few dozen students; a save carries one cell, a pasted column or a row.
CELLS_MAX = 2000


def year_param(request: AuthedRequest) -> SchoolYear:
    code = parse_text_param(request.GET, "year", max_length=9)
    if code:
        year = SchoolYear.objects.filter(code=code).first()
        if year is None:
            raise BadParameter(_("There is no school year {code}.").format(code=code))
        return year
    year = SchoolYear.current()
    if year is None:
        raise Http404
    return year


def class_students(school_class: SchoolClass) -> list[Student]:
    ids = Enrollment.objects.filter(school_class=school_class, status__in=RESULT_STATUSES).values(
        "student_id"
    )
    return list(Student.objects.filter(pk__in=ids).select_related("person").order_by(*NAME_ORDER))


def json_body(request: AuthedRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadParameter(_("The request is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise BadParameter(_("The request is not valid JSON."))
    return body


def school_class_get(request: AuthedRequest, pk: int) -> SchoolClass:
    return get_object_or_404(
        access.gradebook_classes_for_user(user=request.user).select_related(
            "school", "school_year", "homeroom_teacher__person"
        ),
        pk=pk,
    )


def may_release(request: AuthedRequest, school_class: SchoolClass, subject: Subject | None) -> bool:
    """A subject's teacher releases its columns, the homeroom teacher the class summary, the
    principal anything of his school."""
    if access.school_manageable(user=request.user, school=school_class.school):
        return True
    if subject is None:
        return access.term_reports_editable(user=request.user, school_class=school_class)
    return (
        access.assignments_for_user(user=request.user)
        .filter(school_class=school_class, subject=subject)
        .exists()
    )
