"""Pages of the programmes (QĐ, KH), their tasks and the tasks' progress updates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.http import AuthedRequest
from vnemis.core import uploads
from vnemis.core.downloads import stored_file_response
from vnemis.core.filtersets import export_redirect, export_requested
from vnemis.core.http import (
    guard_parameters,
    paginate,
    parse_text_param,
    query_without_page,
)
from vnemis.core.text import fold
from vnemis.core.xlsx import xlsx_response
from vnemis.organisations.scope import user_scope
from vnemis.plans import access, selectors, services
from vnemis.plans.choices import TaskStatus
from vnemis.plans.filtersets import PlanTaskFilterSet
from vnemis.plans.forms import TaskUpdateAddForm
from vnemis.plans.selectors import TaskState


def _require_officer(request: AuthedRequest) -> None:
    # Teachers, parents and students have no part in the programmes: the pages do not exist
    # for them (404, as for any page outside a user's scope).
    if not user_scope(request.user).is_officer:
        raise Http404


def _matches(query: str, *texts: str) -> bool:
    """Whether every word of ``query`` is in one of ``texts``, ignoring case and accents
    ("chuyen doi so" finds "Chuyển đổi số")."""
    haystack = fold(" ".join(texts))
    return all(word in haystack for word in fold(query).split())


@login_required
@guard_parameters
def programme_list(request: AuthedRequest) -> HttpResponse:
    """The programmes the user has tasks in, each with its tasks counted by status today."""
    _require_officer(request)
    today = timezone.localdate()
    q = parse_text_param(request.GET, "q")
    # A province has a few dozen programmes at most: they are filtered here, with the accent
    # folding the database cannot do the same way on SQLite and PostgreSQL.
    programmes = [
        p
        for p in access.programmes_for_user(user=request.user).order_by("issued_on", "code")
        if not q or _matches(q, p.document_number, p.title, p.issued_by)
    ]
    tasks = access.tasks_for_user(user=request.user)
    if request.GET.get("export") == "xlsx":
        summaries = selectors.programme_summaries(programmes=programmes, tasks=tasks, day=today)
        return xlsx_response(
            filename="chuong-trinh-ke-hoach.xlsx",
            sheet=_("Programmes"),
            headers=[
                _("Document number"),
                _("Issued on"),
                _("Issued by"),
                _("Title"),
                _("Tasks"),
                *(str(label) for label in TaskStatus.labels),
                _("Overdue"),
            ],
            rows=(
                (
                    s.programme.document_number,
                    s.programme.issued_on,
                    s.programme.issued_by,
                    s.programme.title,
                    s.assigned,
                    *(count for _status, _label, count in s.status_counts),
                    s.overdue,
                )
                for s in summaries
            ),
        )
    page = paginate(request, programmes, per_page=20)
    page.object_list = selectors.programme_summaries(
        programmes=page.object_list, tasks=tasks, day=today
    )
    return render(
        request,
        "plans/programme_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "q": q,
            "today": today,
            "status_choices": TaskStatus.choices,
        },
    )


@dataclass(frozen=True)
class TaskRow:
    state: TaskState
    overdue: bool


@login_required
@guard_parameters
def programme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A programme's tasks the user may see: owner unit, deadline, status today, overdue."""
    _require_officer(request)
    programme = access.programme_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    tasks = access.tasks_for_user(user=request.user).filter(programme=programme)
    # A programme has tens of tasks: their statuses are computed for all of them, then
    # filtered here, so that the status filter means the status shown.
    states = selectors.task_states_of(tasks=tasks, day=today)
    filterset = PlanTaskFilterSet(request.GET, queryset=tasks)
    kept = set(filterset.qs.values_list("pk", flat=True))  # a refused value answers 400 here
    if export_requested(request):
        # The file of the same tasks: the programme's, with the page's filters.
        params = {**filterset.params(), "programme": programme.code}
        return export_redirect(request, kind="plan_tasks", params=params)
    rows = [TaskRow(s, s.overdue_on(today)) for s in states if s.task.pk in kept]
    owners = sorted({s.task.owner for s in states}, key=lambda u: (u.name, u.code))
    return render(
        request,
        "plans/programme_detail.html",
        {
            "programme": programme,
            "summary": selectors.programme_summary(programme=programme, states=states, day=today),
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "owners": owners,
            "status_choices": TaskStatus.choices,
            "filters": filterset.form.cleaned_data,
            "today": today,
        },
    )


@uploads.upload_kind(uploads.UploadKind.EVIDENCE)
@login_required
@guard_parameters
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A task's progress updates, newest first, and for the owner unit's writers the form to
    add one."""
    _require_officer(request)
    task = access.task_get_for_user(user=request.user, pk=pk)
    can_write = access.tasks_for_user(user=request.user, write=True).filter(pk=task.pk).exists()
    today = timezone.localdate()
    state = selectors.task_state(task=task, day=today)
    form: TaskUpdateAddForm | None = None
    if request.method == "POST":
        # Readers of the task who may not report on it get the same 404 as strangers.
        task = access.task_get_for_user(user=request.user, pk=pk, write=True)
        form = TaskUpdateAddForm(request.POST, request.FILES, request=request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.task_update_add(
                    task=task,
                    on=data["on"],
                    status=TaskStatus(data["status"]),
                    note=data["note"],
                    evidence=data["evidence"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The progress update was recorded."))
                return redirect("plans:task_detail", pk=task.pk)
    elif can_write:
        form = TaskUpdateAddForm(initial={"on": today, "status": state.status}, request=request)
    updates = task.updates.select_related("recorded_by").order_by("-on", "-id")
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "state": state,
            "overdue": state.overdue_on(today),
            "page": paginate(request, updates, per_page=20),
            "form": form,
            "today": today,
        },
    )


@login_required
@guard_parameters
def task_update_evidence(request: AuthedRequest, pk: int) -> FileResponse:
    """The evidence file of a progress update, for those who may see the task."""
    _require_officer(request)
    update = access.task_update_get_for_user(user=request.user, pk=pk)
    return stored_file_response(
        field_file=update.evidence,
        by=request.user,
        target=update,
        note="evidence file",
        filename=Path(update.evidence.name or "minh-chung").name,
        after={"task": update.task_id},
    )
