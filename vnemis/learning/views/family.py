"""A student's results: the family's list of children and the results page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from vnemis.accounts.choices import Role
from vnemis.accounts.http import AuthedRequest
from vnemis.core.http import (
    guard_parameters,
)
from vnemis.learning import access
from vnemis.learning.choices import TranscriptStatus
from vnemis.learning.models import (
    Transcript,
)
from vnemis.learning.selectors import class_distribution, student_year
from vnemis.learning.views.common import (
    year_param,
)
from vnemis.organisations.models import SchoolYear
from vnemis.organisations.scope import user_scope
from vnemis.people.access import students_for_user


@login_required
@guard_parameters
def family(request: AuthedRequest) -> HttpResponse:
    """A guardian's children (and a student himself), each with a link to his results."""
    children = access.children_for_user(user=request.user).select_related("person")
    if not user_scope(request.user).has_role(Role.PARENT, Role.STUDENT):
        raise Http404
    return render(request, "learning/family.html", {"children": children})


@login_required
@guard_parameters
def student_results(request: AuthedRequest, code: str) -> HttpResponse:
    """A student's results of a year: everything for his school's staff; for his family only
    what the school has released, with the class's spread of each released result."""
    student = get_object_or_404(
        students_for_user(user=request.user).select_related("person"), code=code
    )
    view = access.result_view_for_user(user=request.user, student=student)
    year = year_param(request)
    now = timezone.now()
    results = student_year(
        student=student,
        school_year_id=year.pk,
        released_only=view.released_only,
        now=now,
    )
    spreads: dict[int, dict[str, int]] = {}
    if results is not None and results.school_class is not None:
        for line in results.lines:
            if (
                not view.released_only
                or "average" in line.terms.get(2, {})
                or "result" in line.terms.get(2, {})
            ):
                spreads[line.subject.pk] = class_distribution(
                    school_class=results.school_class, subject=line.subject, term=2
                )
    transcript = None
    if results is not None:
        newest = (
            Transcript.objects.filter(student=student, school_year=year)
            .order_by("-version")
            .first()
        )
        if newest is not None and (
            newest.status == TranscriptStatus.ISSUED or not view.released_only
        ):
            transcript = newest
    return render(
        request,
        "learning/student_results.html",
        {
            "student": student,
            "year": year,
            "years": SchoolYear.objects.order_by("-starts_on"),
            "results": results,
            "released_only": view.released_only,
            "spreads": spreads,
            "transcript": transcript,
        },
    )
