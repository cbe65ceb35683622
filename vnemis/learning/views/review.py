"""Locks, publication rules and correction requests: the principal's and the teachers' forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vnemis.accounts.http import AuthedRequest
from vnemis.core.http import (
    BadParameter,
    guard_parameters,
    paginate,
    parse_text_param,
    query_without_page,
)
from vnemis.learning import access
from vnemis.learning.choices import (
    CorrectionStatus,
    Term,
)
from vnemis.learning.forms import DecisionForm, ReleaseForm, TermForm, UnlockForm
from vnemis.learning.models import (
    Correction,
    Subject,
    TermLock,
)
from vnemis.learning.services import locks, releases
from vnemis.learning.services.marks import (
    CellsRefused,
)
from vnemis.learning.views.common import (
    json_body,
    may_release,
    school_class_get,
)
from vnemis.organisations.scope import user_scope


@login_required
@require_POST
def term_lock(request: AuthedRequest, pk: int) -> HttpResponse:
    """Lock a term at the class's school (its principal)."""
    school_class = school_class_get(request, pk)
    if not access.school_manageable(user=request.user, school=school_class.school):
        raise Http404
    form = TermForm(request.POST)
    if not form.is_valid():
        raise BadParameter(_("Choose term I or II."))
    locks.term_lock(
        school=school_class.school,
        school_year=school_class.school_year,
        term=form.cleaned_data["term"],
        by=request.user,
    )
    messages.success(
        request,
        _("{term} is locked at {school}: changes now need the principal's approval.").format(
            term=Term(form.cleaned_data["term"]).label, school=school_class.school.name
        ),
    )
    return redirect("learning:class_detail", pk=pk)


@login_required
@require_POST
def term_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    school_class = school_class_get(request, pk)
    if not access.school_manageable(user=request.user, school=school_class.school):
        raise Http404
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the term is reopened."))
        return redirect("learning:class_detail", pk=pk)
    lock = TermLock.objects.filter(
        school=school_class.school,
        school_year=school_class.school_year,
        term=form.cleaned_data["term"],
    ).first()
    if lock is not None:
        locks.term_unlock(lock=lock, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The term is open again."))
    return redirect("learning:class_detail", pk=pk)


@login_required
@require_POST
def release_set(request: AuthedRequest, pk: int) -> HttpResponse:
    """Release a column of the class to its families, now or from a date."""
    school_class = school_class_get(request, pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        raise BadParameter(" ".join(str(e) for errors in form.errors.values() for e in errors))
    subject = None
    if form.cleaned_data["subject"]:
        subject = get_object_or_404(
            Subject, pk=form.cleaned_data["subject"], grade=school_class.grade
        )
    if not may_release(request, school_class, subject):
        raise Http404
    try:
        releases.release_set(
            school_class=school_class,
            subject=subject,
            term=form.cleaned_data["term"],
            column=form.cleaned_data["column"],
            release_on=form.cleaned_data["release_on"],
            now=form.cleaned_data["now"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The publication rule is saved."))
    if subject is not None:
        return redirect(
            "learning:gradebook", pk=pk, subject_pk=subject.pk, term=form.cleaned_data["term"]
        )
    return redirect("learning:class_detail", pk=pk)


@login_required
@require_POST
def correction_request(request: AuthedRequest, pk: int, subject_pk: int, term: int) -> HttpResponse:
    """Ask for a change of a locked mark: ``{"student": id, "cells": {"final": "9"},
    "reason": "…"}``. 201 with the request's id; 422 with the reason of a refusal."""
    if term not in Term.values:
        raise Http404
    book = access.gradebook_get_for_user(user=request.user, class_pk=pk, subject_pk=subject_pk)
    if not book.can_enter:
        raise Http404
    body = json_body(request)
    student, cells, reason = body.get("student"), body.get("cells"), body.get("reason")
    if not (
        isinstance(student, int)
        and isinstance(cells, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in cells.items())
        and isinstance(reason, str)
    ):
        raise BadParameter(_("A correction needs a student id, the cells and a reason."))
    try:
        correction = locks.correction_request_mark(
            school_class=book.school_class,
            subject_id=book.subject.pk,
            term=term,
            student_id=student,
            cells=cells,
            reason=reason,
            by=request.user,
        )
    except CellsRefused as exc:
        return JsonResponse(
            {"errors": [{"column": e.column, "message": e.message} for e in exc.cell_errors]},
            status=422,
        )
    except ValidationError as exc:
        return JsonResponse(
            {"errors": [{"column": "", "message": m} for m in exc.messages]}, status=422
        )
    return JsonResponse({"correction": correction.pk}, status=201)


@login_required
@guard_parameters
def corrections(request: AuthedRequest) -> HttpResponse:
    """Correction requests: those of the schools in the user's subtree (decided by their
    principals, followed by the offices above), and a teacher's own."""
    managed = access.schools_managed_for_user(user=request.user)
    scope = user_scope(request.user)
    if not scope.teacher_paths and not scope.is_officer:
        raise Http404
    status = parse_text_param(request.GET, "status", max_length=12) or CorrectionStatus.PENDING
    if status not in CorrectionStatus.values:
        raise BadParameter(_("Unknown status."))
    visible = Correction.objects.filter(
        scope.units_q("school_id") | Q(requested_by=request.user)
    ).filter(status=status)
    items = visible.select_related(
        "school_class",
        "mark__subject",
        "mark__student__person",
        "term_report__student__person",
        "requested_by",
    ).order_by("-created_at")
    page = paginate(request, items)
    return render(
        request,
        "learning/corrections.html",
        {
            "page": page,
            "status": status,
            "statuses": CorrectionStatus.choices,
            "decidable": set(managed.values_list("pk", flat=True)),
            "query": query_without_page(request),
        },
    )


@login_required
@require_POST
def correction_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    correction = get_object_or_404(
        Correction.objects.filter(
            school_id__in=access.schools_managed_for_user(user=request.user).values("pk")
        ),
        pk=pk,
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise BadParameter(_("Approve or reject the request."))
    try:
        locks.correction_decide(
            correction=correction,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect("learning:corrections")
