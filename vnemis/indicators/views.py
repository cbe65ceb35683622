from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.http import AuthedRequest
from vnemis.core.filtersets import export_redirect, export_requested
from vnemis.core.http import (
    clean_param,
    guard_parameters,
    paginate,
    parse_text_param,
    query_without_page,
)
from vnemis.digital import access as digital_access
from vnemis.digital import selectors as digital_selectors
from vnemis.indicators import access, charts, drill, selectors, services
from vnemis.indicators.consistency import FigureFormatError, check_legacy_figure
from vnemis.indicators.forms import PeriodField, ReportedValuesForm
from vnemis.indicators.models import DataElement, ElementValue, Indicator, ReportedValue
from vnemis.indicators.periods import Period, parse_period
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.organisations.scope import user_scope
from vnemis.people.selectors import unit_paths


def _period(request: AuthedRequest) -> tuple[Period, list[Period]]:
    """The period of ``?period=`` (400 when it cannot be read), else the latest computed one."""
    chosen: Period | None = clean_param(request.GET, "period", PeriodField(required=False))
    computed = services.computed_periods()
    if chosen is not None:
        return chosen, computed
    today = timezone.localdate()
    past = [p for p in computed if p.start <= today]
    if past:
        return past[-1], computed
    return parse_period(f"{today.year}H{1 if today.month <= 6 else 2}"), computed


@login_required
@guard_parameters
def dashboard(request: AuthedRequest) -> HttpResponse:
    """The operations centre: every indicator of a unit and period, with targets and trends."""
    period, computed = _period(request)
    org = parse_text_param(request.GET, "org", max_length=32)
    if org:
        unit = access.indicator_unit_get_for_user(user=request.user, code=org)
    else:
        if not user_scope(request.user).is_officer:
            raise Http404
        try:
            unit = access.default_unit_for_user(user=request.user, period=period)
        except Http404:
            # The user's unit does not exist in this period's tree (a commune before 2025).
            return render(
                request,
                "indicators/dashboard.html",
                {"period": period, "periods": computed, "no_unit": True},
            )
    data = charts.dashboard_charts(
        user=request.user,
        unit=unit,
        period=period,
        computed=computed,
        indicator_code=request.GET.get("indicator"),
    )
    cards = [(v, data.card_trend(v)) for v in data.values]
    # Where the schools under the unit stand in this school year's QĐ 4725 cycle.
    year = SchoolYear.current()
    assessments = (
        digital_selectors.status_overview(
            schools=digital_access.assessment_schools_for_user(user=request.user).filter(
                pk__in=OrgUnit.objects.under_paths(unit_paths(unit)).values("pk")
            ),
            year=year,
        )
        if year is not None
        else []
    )
    return render(
        request,
        "indicators/dashboard.html",
        {
            "unit": unit,
            "period": period,
            "periods": computed,
            "cards": cards,
            "chosen": data.chosen,
            "children": list(data.bars.rows) if data.bars else [],
            "charts": data,
            "assessments": assessments,
            "assessment_year": year,
            "has_values": bool(computed and period in computed),
            "perms_write": access.indicator_units_for_user(user=request.user, write=True)
            .filter(pk=unit.pk)
            .exists(),
        },
    )


def _figure_count(
    indicator: Indicator, unit: OrgUnit, period: Period, *, complement: bool
) -> int | None:
    """How many records the figure counted (its numerator, or the denominator less the
    numerator for those not counted), so the list's pages need no count of their own; None
    when the analytics table holds no figure (the list is then counted)."""
    value = selectors.indicator_values(unit=unit, period=period, indicators=[indicator])[0]
    if value.numerator is None or (complement and value.denominator is None):
        return None
    if not ElementValue.objects.filter(period=period.code).exists():
        return None
    if complement:
        assert value.denominator is not None
        return int(value.denominator - value.numerator)
    return int(value.numerator)


@login_required
@guard_parameters
def drill_records(request: AuthedRequest) -> HttpResponse:
    """The records behind a figure, e.g. the 199 schools with cashless payment."""
    period, _computed = _period(request)
    org = parse_text_param(request.GET, "org", max_length=32)
    unit = access.indicator_unit_get_for_user(user=request.user, code=org)
    code = parse_text_param(request.GET, "indicator", max_length=64)
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404
    complement = request.GET.get("complement") == "1" and indicator.denominator_id is not None
    try:
        listing = drill.records(
            element_code=indicator.numerator.code,
            unit=unit,
            period=period,
            category=indicator.numerator_category,
            complement_of=indicator.denominator.code
            if complement and indicator.denominator
            else None,
        )
    except drill.NotDrillable as exc:
        raise Http404 from exc
    title = indicator.display_name() + (" — " + _("not counted") if complement else "")
    if export_requested(request):
        params = {
            "org": unit.code,
            "indicator": indicator.code,
            "period": period.code,
            "complement": "1" if complement else "0",
        }
        return export_redirect(request, kind="records", params=params)
    return render(
        request,
        "indicators/records.html",
        {
            "unit": unit,
            "period": period,
            "indicator": indicator,
            "title": title,
            "kind": listing.kind,
            "page": paginate(
                request,
                listing.rows,
                count=_figure_count(indicator, unit, period, complement=complement),
            ),
            "query": query_without_page(request),
            "complement": complement,
        },
    )


@login_required
@guard_parameters
def reported_values(request: AuthedRequest) -> HttpResponse:
    """Entry of the reported figures (procedures online, dossiers online…) for a period."""
    period, _computed = _period(request)
    org = parse_text_param(request.GET, "org", max_length=32)
    unit = (
        access.indicator_unit_get_for_user(user=request.user, code=org, write=True)
        if org
        else access.default_unit_for_user(user=request.user, period=period)
    )
    access.indicator_unit_get_for_user(user=request.user, code=unit.code, write=True)
    element_list = list(DataElement.objects.filter(kind="reported").order_by("code"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = ReportedValuesForm(request.POST, elements=element_list)
        form.is_valid()
        # The accepted figures are saved; a refused one (NaN, "٩٧", 120) is shown with why.
        errors = {name: " ".join(map(str, problems)) for name, problems in form.errors.items()}
        try:
            services.reported_values_set(
                unit=unit, period=period, values=form.accepted(), by=request.user
            )
        except ValidationError as exc:  # nothing was saved; the page says why
            messages.error(request, " ".join(exc.messages))
        else:
            if not errors:
                messages.success(request, _("The reported figures were saved."))
                return redirect(f"{request.path}?period={period.code}&org={unit.code}")
    current = {r.element_id: r for r in ReportedValue.objects.filter(period=period.code, unit=unit)}
    rows = [(e, current.get(e.pk), errors.get(e.code)) for e in element_list]
    return render(
        request, "indicators/reported.html", {"unit": unit, "period": period, "rows": rows}
    )


@login_required
@guard_parameters
def figure_check(request: AuthedRequest) -> HttpResponse:
    """Check a figure typed from a legacy report: do numerator, denominator and % agree?"""
    if not user_scope(request.user).is_officer:
        raise Http404
    text = parse_text_param(request.GET, "figure", max_length=200)
    result, error = None, ""
    if text:
        try:
            result = check_legacy_figure(text)
        except FigureFormatError:
            error = _(
                "Write the figure as numerator/denominator (percentage), e.g. 168/612 (27,5%)."
            )
    return render(
        request, "indicators/check.html", {"text": text, "result": result, "error": error}
    )
