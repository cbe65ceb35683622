"""The figures of a report, read from the indicators and the plan tasks of its unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from vnemis.indicators.models import ElementValue, Indicator
from vnemis.indicators.periods import Period, parse_period
from vnemis.indicators.selectors import IndicatorValue, indicator_values
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion
from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import Programme
from vnemis.plans.selectors import TaskState, programme_counts
from vnemis.reports.documents.dx_semiannual import (
    FIGURE_PHRASES,
    DxArea,
    DxReportData,
    FigureText,
    ProgrammeTasks,
    Ratio,
    Target,
    UnknownFigureError,
    check_figures,
)
from vnemis.reports.errors import ReportError
from vnemis.reports.letterhead import letterhead_for
from vnemis.reports.models import ReportDocument
from vnemis.reports.numbers import format_percent

_E_GOVERNMENT = {"procedures_online", "dossiers_online", "work_records_online"}
_DOCUMENT_TYPES = {"/QĐ-": "Quyết định", "/KH-": "Kế hoạch", "/CT-": "Chỉ thị"}


def period_label(period: Period) -> str:
    """ "6 tháng đầu năm 2022", as the report's title and text say it."""
    if period.kind != "half_year":
        raise ReportError(
            _("The semi-annual report covers a half-year: choose a first or second half-year.")
        )
    half = "đầu" if period.code.endswith("H1") else "cuối"
    return f"6 tháng {half} năm {period.code[:4]}"


def _day(d: dt.date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def _programme_tasks(programme: Programme, period: Period) -> ProgrammeTasks:
    counts = programme_counts(programme=programme, day=period.as_of)
    kind = next(
        (v for k, v in _DOCUMENT_TYPES.items() if k in programme.document_number), "Văn bản"
    )
    reference = f"{kind} số {programme.document_number} ngày {_day(programme.issued_on)}"
    title = f"{reference} của {programme.issued_by}"
    if kind == "Quyết định":
        title += f" ban hành {programme.title}"

    def item(state: TaskState) -> str | FigureText:
        note = state.last_update.note if state.last_update else ""
        text = note.strip() or state.task.title
        if "{" not in text:
            return text
        # A progress note may cite figures by name ({internet}); they are filled from data,
        # and a name that is no figure is the writer's to correct, before anything is built.
        figure = FigureText(text)
        try:
            check_figures(figure)
        except UnknownFigureError as exc:
            raise ReportError(
                _(
                    "The progress note of the task “{task}” names a figure “{{{name}}}” that "
                    "does not exist. Correct the note in the plan: the figures that can be "
                    "named are {names}."
                ).format(
                    task=state.task.title,
                    name=exc.name,
                    names=", ".join("{" + name + "}" for name in FIGURE_PHRASES),
                )
            ) from exc
        return figure

    by_status: dict[str, list[str | FigureText]] = {s: [] for s in TaskStatus.values}
    for state in counts.states:
        by_status[state.status].append(item(state))
    not_done = by_status[TaskStatus.NOT_DONE] + by_status[TaskStatus.NOT_STARTED]
    return ProgrammeTasks(
        title=title,
        reference=reference,
        assigned=counts.assigned,
        done=counts.done,
        not_done=len(not_done),
        in_progress=len(by_status[TaskStatus.IN_PROGRESS]),
        done_items=tuple(by_status[TaskStatus.DONE]),
        not_done_items=tuple(not_done),
        in_progress_items=tuple(by_status[TaskStatus.IN_PROGRESS]),
    )


def _ratio(values: dict[str, IndicatorValue], code: str) -> Ratio:
    v = values.get(code)
    if v is None or v.numerator is None or not v.denominator:
        indicator = v.indicator if v is not None else Indicator.objects.filter(code=code).first()
        name = indicator.display_name() if indicator is not None else code
        raise ReportError(
            _(
                "The records of this unit have no figure for “{indicator}” in this period, so "
                "the report cannot be produced. Check that the unit's schools have their data "
                "entered for the period."
            ).format(indicator=name)
        )
    return Ratio(int(v.numerator), int(v.denominator))


def _count(values: dict[str, IndicatorValue], code: str) -> int:
    v = values.get(code)
    return int(v.numerator) if v is not None and v.numerator is not None else 0


def _next_targets(
    unit: OrgUnit, period: Period, values: dict[str, IndicatorValue]
) -> tuple[Target, ...]:
    nxt = period.next()
    shown = indicator_values(unit=unit, period=nxt)
    out = []
    for v in shown:
        if v.target is None:
            continue
        current = values.get(v.indicator.code)
        raise_it = current is not None and current.value is not None and v.target > current.value
        name = v.indicator.name[0].lower() + v.indicator.name[1:]
        verb = "Nâng" if raise_it else "Duy trì"
        value = format_percent(Decimal(v.target)) if v.indicator.unit == "%" else str(v.target)
        area = (
            DxArea.E_GOVERNMENT
            if v.indicator.code in _E_GOVERNMENT
            else DxArea.DIGITAL_ECONOMY_SOCIETY
        )
        out.append(Target(f"{verb} {name}", value, area))
    return tuple(out)


def dx_report_data(*, document: ReportDocument) -> DxReportData:
    """Everything the DOCX needs: figures from records, text from the officer's draft, the
    header from the unit's report settings. A problem the user can fix is a ReportError."""
    period = parse_period(document.period)
    unit = document.unit
    values = {v.indicator.code: v for v in indicator_values(unit=unit, period=period)}
    programmes = Programme.objects.filter(tasks__owner=unit).distinct().order_by("issued_on")

    def reported(code: str) -> Decimal | None:
        v = values.get(code)
        return v.value if v is not None else None

    internet = _ratio(values, "internet_schools")
    letterhead = letterhead_for(unit)
    return DxReportData(
        period_label=period_label(period),
        next_period_label=period_label(period.next()),
        parent_agency=letterhead.parent_agency,
        agency=letterhead.agency,
        agency_in_text=letterhead.agency_in_text,
        agency_symbol=letterhead.agency_symbol,
        place=letterhead.place,
        date=document.signed_on,
        month=period.end.month,
        year=period.end.year,
        number=document.number,
        basis=document.basis,
        steering_plan=document.steering_plan,
        steering_directions=document.steering_directions,
        steering_results=document.steering_results,
        procedures_online_pct=reported("procedures_online"),
        dossiers_online_pct=reported("dossiers_online"),
        work_records_online_pct=reported("work_records_online"),
        cashless_schools=_ratio(values, "cashless_schools"),
        e_transcript_students=_ratio(values, "e_transcript_students"),
        contact_book_schools=_ratio(values, "contact_book_schools"),
        internet_schools=internet,
        internet_wired_schools=_count(values, "internet_wired_schools"),
        internet_mobile_schools=_count(values, "internet_mobile_schools"),
        sites_total=_ratio(values, "sites_mobile").denominator,
        sites_mobile=_count(values, "sites_mobile"),
        sites_without=_count(values, "sites_without_internet"),
        website_preschool=_ratio(values, "website_preschool"),
        website_primary=_ratio(values, "website_primary"),
        website_lower_secondary=_ratio(values, "website_lower_secondary"),
        schools_in_db=_count(values, "schools_in_database"),
        student_records_in_db=_count(values, "student_records_with_results"),
        staff_in_db=_count(values, "staff_records"),
        programmes=tuple(_programme_tasks(p, period) for p in programmes),
        assessment=document.assessment,
        next_targets=_next_targets(unit, period, values),
        next_tasks=document.lines("next_tasks"),
        recommendations=document.recommendations,
        addressees=document.lines("addressees"),
        recipients=document.lines("recipients"),
        archive_unit=document.archive_unit,
        archive_copies=document.archive_copies,
        signer_authority=document.signer_authority,
        signer_title=document.signer_title,
        signer_name=document.signer_name,
    )


# Half-years offered when no figures are stored yet: the current one and three before it.
_FALLBACK_HALF_YEARS = 4


def _data_half_years(unit: OrgUnit) -> list[Period]:
    """The half-years with figures stored for ``unit``, newest first."""
    # The unit's rows only (a few hundred, by the unit index), not the whole table.
    codes = (
        ElementValue.objects.filter(unit=unit, period__contains="H")
        .values_list("period", flat=True)
        .distinct()
    )
    periods = []
    for code in set(codes):
        try:
            period = parse_period(code)
        except ValueError:
            continue
        if period.kind == "half_year":
            periods.append(period)
    return sorted(periods, reverse=True)


def _recent_half_years(today: dt.date) -> list[Period]:
    """The current half-year and the ones just before it, newest first."""
    periods = [parse_period(f"{today.year}H{1 if today.month <= 6 else 2}")]
    for _i in range(_FALLBACK_HALF_YEARS - 1):
        periods.append(periods[-1].previous())
    return periods


def report_periods(*, unit: OrgUnit | None, today: dt.date) -> list[Period]:
    """The half-years a report of ``unit`` can be prepared for, newest first: those with
    figures stored for it, else the current half-year and the ones just before."""
    return (_data_half_years(unit) if unit is not None else []) or _recent_half_years(today)


def report_start_defaults(
    *, paths: tuple[str, ...], units: QuerySet[OrgUnit], today: dt.date
) -> tuple[OrgUnit | None, list[Period]]:
    """The unit a user's new report is for by default, and the half-years it can cover.

    The default unit is the user's own: the highest unit of the scope's ``paths`` among
    ``units``; of units equally high (the Sở of 2022 and its 2025 successor), the first with
    figures stored.
    """
    ranked = sorted(paths, key=lambda p: (p.count("."), p))
    top = [p for p in ranked if p.count(".") == ranked[0].count(".")] if ranked else []
    codes = [p.rstrip(".").rpartition(":")[2].rpartition(".")[2] for p in top]
    found = {u.code: u for u in units.filter(code__in=codes)}
    first: OrgUnit | None = None
    for code in codes:
        unit = found.get(code)
        if unit is None:
            continue
        periods = _data_half_years(unit)
        if periods:
            return unit, periods
        first = first or unit
    return first, _recent_half_years(today)


def units_in_tree_order(
    units: QuerySet[OrgUnit], *, version: TreeVersion | None
) -> QuerySet[OrgUnit]:
    """``units`` in the order of the tree version ``version`` (the Sở, then each Phòng…),
    units not placed in it after, by their newest placement."""
    in_version = OrgPlacement.objects.filter(version=version, unit=OuterRef("pk"))
    newest = OrgPlacement.objects.filter(unit=OuterRef("pk")).order_by("-version__valid_from")
    return units.annotate(
        tree_path=Subquery(in_version.values("path")[:1]),
        newest_path=Subquery(newest.values("path")[:1]),
    ).order_by(F("tree_path").asc(nulls_last=True), "newest_path", "code")
