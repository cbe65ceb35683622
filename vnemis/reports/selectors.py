"""The figures of a report, read from the indicators and the plan tasks of its unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vnemis.indicators.periods import Period, parse_period
from vnemis.indicators.selectors import IndicatorValue, indicator_values
from vnemis.organisations.models import OrgUnit
from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import Programme
from vnemis.plans.selectors import TaskState, programme_counts
from vnemis.reports.documents.dx_semiannual import (
    DxArea,
    DxReportData,
    FigureText,
    ProgrammeTasks,
    Ratio,
    Target,
)
from vnemis.reports.models import ReportDocument
from vnemis.reports.numbers import format_percent

_E_GOVERNMENT = {"procedures_online", "dossiers_online", "work_records_online"}
_DOCUMENT_TYPES = {"/QĐ-": "Quyết định", "/KH-": "Kế hoạch", "/CT-": "Chỉ thị"}


class ReportDataError(ValueError):
    """The records cannot fill this report (wrong period kind, missing figures)."""


def period_label(period: Period) -> str:
    """ "6 tháng đầu năm 2022", as the report's title and text say it."""
    if period.kind != "half_year":
        raise ReportDataError("The semi-annual report covers a half-year such as 2022H1.")
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
        # A progress note may cite figures by name ({internet}); they are filled from data.
        return FigureText(text) if "{" in text else text

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
        raise ReportDataError(f"No value of {code} for this unit and period.")
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
    """Everything the DOCX needs: figures from records, text from the officer's draft."""
    period = parse_period(document.period)
    unit = document.unit
    values = {v.indicator.code: v for v in indicator_values(unit=unit, period=period)}
    programmes = Programme.objects.filter(tasks__owner=unit).distinct().order_by("issued_on")

    def reported(code: str) -> Decimal | None:
        v = values.get(code)
        return v.value if v is not None else None

    internet = _ratio(values, "internet_schools")
    return DxReportData(
        period_label=period_label(period),
        next_period_label=period_label(period.next()),
        place="Lào Cai",
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
        recipients=document.lines("recipients"),
        archive_unit=document.archive_unit,
        signer_authority=document.signer_authority,
        signer_title=document.signer_title,
        signer_name=document.signer_name,
    )
