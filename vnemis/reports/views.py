from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vnemis.accounts.http import AuthedRequest
from vnemis.core.audit import audit_record
from vnemis.core.choices import AuditVerb
from vnemis.core.http import guard_parameters, paginate, parse_text_param
from vnemis.indicators import access as indicator_access
from vnemis.indicators.forms import PeriodField
from vnemis.indicators.periods import parse_period
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import TreeVersion
from vnemis.organisations.scope import user_scope
from vnemis.reports import access, rendering, selectors, services
from vnemis.reports.choices import ReportKind
from vnemis.reports.errors import ReportError
from vnemis.reports.forms import ReportDraftForm, ReportSettingsForm
from vnemis.reports.letterhead import FIELDS as SETTINGS_FIELDS
from vnemis.reports.letterhead import letterhead_for
from vnemis.reports.models import ReportSettings
from vnemis.reports.rendering import CONTENT_TYPES, FORMATS


@login_required
@guard_parameters
def report_list(request: AuthedRequest) -> HttpResponse:
    reports = access.reports_for_user(user=request.user).select_related("unit", "finalized_by")
    candidates = indicator_access.indicator_units_for_user(user=request.user).exclude(
        kind__in=[OrgUnitKind.SCHOOL, OrgUnitKind.SITE]
    )
    own, periods = selectors.report_start_defaults(
        paths=user_scope(request.user).paths, units=candidates, today=timezone.localdate()
    )
    # The tree of the default period; none when no version covers it (then newest placements).
    version = (
        TreeVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=periods[0].as_of),
            valid_from__lte=periods[0].as_of,
        )
        .order_by("-valid_from")
        .first()
    )
    units = list(selectors.units_in_tree_order(candidates, version=version)[:UNIT_CHOICES])
    return render(
        request,
        "reports/report_list.html",
        {
            "page": paginate(request, reports),
            "units": units,
            "own_code": own.code if own is not None else "",
            "periods": periods,
        },
    )


# The unit picker lists at most this many units (the Sở has about 110 offices and communes).
UNIT_CHOICES = 300

PERIOD_NEEDED = gettext_lazy(
    "Choose a half-year from the list: the report covers the first or second half of a year."
)


@login_required
@require_POST
@guard_parameters
def report_start(request: AuthedRequest) -> HttpResponse:
    unit = indicator_access.indicator_unit_get_for_user(
        user=request.user, code=parse_text_param(request.POST, "org", max_length=32)
    )
    kind = parse_text_param(request.POST, "kind", max_length=32) or ReportKind.DX_SEMIANNUAL
    try:
        period = PeriodField().clean(request.POST.get("period", ""))
    except ValidationError:
        messages.error(request, str(PERIOD_NEEDED))
        return redirect("reports:report_list")
    try:
        draft = services.report_draft_get_or_create(
            unit=unit, by=request.user, period_code=period.code, kind=kind
        )
    except ReportError as exc:
        messages.error(request, exc.message)
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
            data = form.cleaned_data
            services.report_draft_update(
                document=document,
                by=request.user,
                number=data["number"],
                signed_on=data["signed_on"],
                basis=data["basis"],
                steering_plan=data["steering_plan"],
                steering_directions=data["steering_directions"],
                steering_results=data["steering_results"],
                assessment=data["assessment"],
                next_tasks=data["next_tasks"],
                recommendations=data["recommendations"],
                addressees=data["addressees"],
                recipients=data["recipients"],
                archive_unit=data["archive_unit"],
                archive_copies=data["archive_copies"],
                signer_authority=data["signer_authority"],
                signer_title=data["signer_title"],
                signer_name=data["signer_name"],
            )
            messages.success(request, _("The draft was saved."))
            return redirect("reports:report_edit", pk=pk)
    can_finalise = access.reports_for_user(user=request.user, finalise=True).filter(pk=pk).exists()
    # What the document still needs, shown at its field before anyone tries to download.
    missing = {} if document.is_locked else rendering.missing_fields(document)
    return render(
        request,
        "reports/report_edit.html",
        {
            "document": document,
            "period": parse_period(document.period),
            "form": form,
            "fields": [(field, missing.get(field.name)) for field in form],
            "settings_missing": [text for name, text in missing.items() if name not in form.fields],
            "formats": FORMATS,
            "can_finalise": can_finalise,
            "can_change_settings": access.report_settings_writable(
                user=request.user, unit=document.unit
            ),
        },
    )


@login_required
@guard_parameters
def report_settings(request: AuthedRequest, code: str) -> HttpResponse:
    """How the unit heads and signs its reports: a writer of the unit changes it."""
    unit = access.report_settings_unit_get_for_user(user=request.user, code=code)
    saved = ReportSettings.objects.filter(unit=unit).first()
    defaults = letterhead_for(unit)
    form = ReportSettingsForm(
        request.POST or None,
        instance=saved,
        initial={} if saved else {name: getattr(defaults, name) for name in SETTINGS_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.report_settings_update(
            unit=unit,
            by=request.user,
            parent_agency=data["parent_agency"],
            agency=data["agency"],
            agency_in_text=data["agency_in_text"],
            agency_symbol=data["agency_symbol"],
            place=data["place"],
            signer_authority=data["signer_authority"],
            signer_title=data["signer_title"],
            signer_name=data["signer_name"],
            archive_unit=data["archive_unit"],
            archive_copies=data["archive_copies"],
        )
        messages.success(request, _("The report settings of the unit were saved."))
        return redirect("reports:report_settings", code=unit.code)
    return render(
        request,
        "reports/report_settings.html",
        {"unit": unit, "form": form, "saved": saved},
    )


@login_required
@require_POST
@guard_parameters
def report_finalise(request: AuthedRequest, pk: int) -> HttpResponse:
    document = access.report_get_for_user(user=request.user, pk=pk, finalise=True)
    try:
        services.report_finalize(document=document, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ReportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The report is final and locked."))
    return redirect("reports:report_edit", pk=pk)


@login_required
@require_POST
@guard_parameters
def report_new_version(request: AuthedRequest, pk: int) -> HttpResponse:
    document = access.report_get_for_user(user=request.user, pk=pk)
    try:
        draft = services.report_draft_get_or_create(
            unit=document.unit, by=request.user, period_code=document.period, kind=document.kind
        )
    except ReportError as exc:
        messages.error(request, exc.message)
        return redirect("reports:report_edit", pk=pk)
    return redirect("reports:report_edit", pk=draft.pk)


@login_required
@guard_parameters
def report_download(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    document = access.report_get_for_user(user=request.user, pk=pk)
    if fmt not in FORMATS:
        raise Http404
    try:
        content = rendering.render(document, fmt)
    except ReportError as exc:
        messages.error(request, exc.message)
        return redirect("reports:report_edit", pk=pk)
    audit_record(actor=request.user, verb=AuditVerb.EXPORTED, target=document, note=fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"bao-cao-cds-{document.unit.code}-{document.period}-v{document.version}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
