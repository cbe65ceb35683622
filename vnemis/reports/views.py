from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vnemis.core.audit import audit_record
from vnemis.core.choices import AuditVerb
from vnemis.core.http import AuthedRequest, guard_parameters, paginate, parse_text_param
from vnemis.indicators import access as indicator_access
from vnemis.indicators.forms import PeriodField
from vnemis.reports import access, rendering, services
from vnemis.reports.forms import ReportDraftForm
from vnemis.reports.rendering import CONTENT_TYPES, FORMATS, RenderError
from vnemis.reports.selectors import ReportDataError


@login_required
@guard_parameters
def report_list(request: AuthedRequest) -> HttpResponse:
    reports = access.reports_for_user(user=request.user).select_related("unit", "finalized_by")
    units = (
        indicator_access.indicator_units_for_user(user=request.user)
        .exclude(kind__in=["school", "site"])
        .order_by("kind", "code")
    )
    return render(
        request,
        "reports/report_list.html",
        {
            "page": paginate(request, reports),
            "units": units[:200],
        },
    )


@login_required
@require_POST
@guard_parameters
def report_start(request: AuthedRequest) -> HttpResponse:
    unit = indicator_access.indicator_unit_get_for_user(
        user=request.user, code=parse_text_param(request.POST, "org", max_length=32)
    )
    try:
        period = PeriodField().clean(request.POST.get("period", ""))
        draft = services.report_draft_get_or_create(
            unit=unit, by=request.user, period_code=period.code
        )
    except (ValidationError, ReportDataError):
        messages.error(request, _("The report covers a half-year such as 2022H1."))
        return redirect("reports:report_list")
    return redirect("reports:report_edit", pk=draft.pk)


@login_required
@guard_parameters
def report_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    document = access.report_get_for_user(user=request.user, pk=pk)
    form = ReportDraftForm(request.POST or None, instance=document)
    if request.method == "POST":
        if document.is_locked:
            raise Http404
        if form.is_valid():
            services.report_draft_update(
                document=document,
                by=request.user,
                **{name: form.cleaned_data[name] for name in services.EDITABLE},
            )
            messages.success(request, _("The draft was saved."))
            return redirect("reports:report_edit", pk=pk)
    can_finalise = access.reports_for_user(user=request.user, finalise=True).filter(pk=pk).exists()
    return render(
        request,
        "reports/report_edit.html",
        {
            "document": document,
            "form": form,
            "formats": FORMATS,
            "can_finalise": can_finalise,
        },
    )


@login_required
@require_POST
@guard_parameters
def report_finalise(request: AuthedRequest, pk: int) -> HttpResponse:
    document = access.report_get_for_user(user=request.user, pk=pk, finalise=True)
    try:
        services.report_finalize(document=document, by=request.user)
    except (ValidationError, ReportDataError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The report is final and locked."))
    return redirect("reports:report_edit", pk=pk)


@login_required
@require_POST
@guard_parameters
def report_new_version(request: AuthedRequest, pk: int) -> HttpResponse:
    document = access.report_get_for_user(user=request.user, pk=pk)
    draft = services.report_draft_get_or_create(
        unit=document.unit, by=request.user, period_code=document.period
    )
    return redirect("reports:report_edit", pk=draft.pk)


@login_required
@guard_parameters
def report_download(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    document = access.report_get_for_user(user=request.user, pk=pk)
    if fmt not in FORMATS:
        raise Http404
    try:
        content = rendering.render(document, fmt)
    except (RenderError, ReportDataError) as exc:
        messages.error(request, str(exc))
        return redirect("reports:report_edit", pk=pk)
    audit_record(actor=request.user, verb=AuditVerb.EXPORTED, target=document, note=fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"bao-cao-cds-{document.unit.code}-{document.period}-v{document.version}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
