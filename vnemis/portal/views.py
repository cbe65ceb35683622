from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from vnemis.accounts.choices import Role
from vnemis.accounts.http import AuthedRequest
from vnemis.core.http import guard_parameters
from vnemis.organisations.models import SchoolYear
from vnemis.organisations.scope import user_scope
from vnemis.portal import selectors


@login_required
@guard_parameters
def home(request: AuthedRequest) -> HttpResponse:
    """The page each role opens first: officers and principals their unit's figures and
    work; teachers their classes; parents and students their own school records."""
    scope = user_scope(request.user)
    context: dict[str, object] = {"year": SchoolYear.current(), "scope": scope}
    if scope.is_officer:
        context["officer"] = selectors.officer_home(user=request.user)
        context["is_principal"] = scope.has_role(Role.PRINCIPAL) and not scope.has_role(
            Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER, Role.DISTRICT_OFFICER
        )
    # The Department's administrator holds every role; his home is the officers'.
    if scope.teacher_paths and not scope.is_superuser:
        context["classes"] = list(selectors.teacher_classes(user=request.user))
    if scope.has_role(Role.PARENT, Role.STUDENT) and not scope.is_superuser:
        context["family"] = selectors.family_enrollments(user=request.user)
        context["is_parent"] = scope.has_role(Role.PARENT)
    return render(request, "portal/home.html", context)
