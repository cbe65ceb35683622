"""The data of the operations centre's charts, read from the analytics table.

Each chart is a frozen dataclass given to a page twice: through ``as_json`` to the template's
``json_script``, which ``static/js/charts.js`` draws with ECharts, and as it is to the
template's table view, so the table and the picture show the same numbers. Every period is
read once (``selectors.indicator_values``), so the number of queries grows with the periods
shown, never with the units under the one on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import Viewer
from vnemis.indicators import access, selectors, services
from vnemis.indicators.models import Indicator, Target
from vnemis.indicators.periods import Period, parse_period
from vnemis.indicators.selectors import IndicatorValue
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit

# Computed periods a trend shows: three years of half-years, enough to see a direction
# without reading a province's values a dozen times for one page.
TREND_LENGTH = 6


def _plain(d: Decimal | None) -> int | float | None:
    """A number for JSON: DjangoJSONEncoder would write a Decimal as a string."""
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _indicator_json(indicator: Indicator) -> dict[str, object]:
    return {
        "code": indicator.code,
        "name": indicator.display_name(),
        "unit": indicator.unit,
    }


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    value: Decimal | None  # None: nothing computed for the period (its target alone is shown)
    target: Decimal | None
    computed: bool


@dataclass(frozen=True)
class TrendChart:
    """One indicator of one unit across periods, with the target set for each period."""

    indicator: Indicator
    unit: OrgUnit
    points: tuple[TrendPoint, ...]

    @property
    def has_target(self) -> bool:
        return any(p.target is not None for p in self.points)

    def as_json(self) -> dict[str, object]:
        return {
            "kind": "trend",
            "indicator": _indicator_json(self.indicator),
            "periods": [p.period.label for p in self.points],
            "values": [_plain(p.value) for p in self.points],
            "targets": [_plain(p.target) for p in self.points],
            "names": {"value": self.unit.short_name or self.unit.name, "target": _("Target")},
        }


@dataclass(frozen=True)
class BarsChart:
    """One indicator for each unit directly under a unit, best value first."""

    indicator: Indicator
    rows: tuple[tuple[OrgUnit, IndicatorValue], ...]
    target: Decimal | None  # the parent unit's target, drawn as a line across the bars

    def as_json(self) -> dict[str, object]:
        return {
            "kind": "bars",
            "indicator": _indicator_json(self.indicator),
            "units": [u.short_name or u.name for u, _v in self.rows],
            "values": [_plain(v.value) for _u, v in self.rows],
            "target": _plain(self.target),
            "names": {"value": self.indicator.display_name(), "target": _("Target")},
        }


@dataclass(frozen=True)
class MixRow:
    label: str
    wired: Decimal
    mobile: Decimal
    none: Decimal
    not_recorded: Decimal

    @property
    def total(self) -> Decimal:
        return self.wired + self.mobile + self.none + self.not_recorded


@dataclass(frozen=True)
class ConnectionMix:
    """How the schools and the school sites of a unit are connected: wired, 3G/4G or not."""

    rows: tuple[MixRow, ...]

    @property
    def has_not_recorded(self) -> bool:
        return any(r.not_recorded for r in self.rows)

    def as_json(self) -> dict[str, object]:
        series = [
            ("wired", _("Wired line")),
            ("mobile", _("3G/4G")),
            ("none", _("No connection")),
        ]
        if self.has_not_recorded:
            series.append(("not_recorded", _("Not recorded")))
        return {
            "kind": "mix",
            "categories": [r.label for r in self.rows],
            "series": [
                {"key": key, "name": name, "data": [_plain(getattr(r, key)) for r in self.rows]}
                for key, name in series
            ],
        }


def values_by_period(
    *, unit: OrgUnit, periods: Sequence[Period]
) -> dict[Period, list[IndicatorValue]]:
    """Every indicator's value for ``unit`` in each of ``periods``, each period read once."""
    return {p: selectors.indicator_values(unit=unit, period=p) for p in dict.fromkeys(periods)}


def trend_periods(*, period: Period, computed: Sequence[Period]) -> list[Period]:
    """The periods a trend up to ``period`` shows: the computed ones of the same kind up to it,
    then the next period of that kind when a target is set for it (where the unit aims)."""
    shown = [p for p in computed if p.kind == period.kind and p <= period][-TREND_LENGTH:]
    last = shown[-1] if shown else period.previous()
    ahead = last.next()
    if (
        ahead <= period.next()
        and ahead not in computed
        and Target.objects.filter(period=ahead.code).exists()
    ):
        shown.append(ahead)
    return shown


def indicator_trend(
    *,
    indicator: Indicator,
    unit: OrgUnit,
    values: dict[Period, list[IndicatorValue]],
    computed: Sequence[Period],
) -> TrendChart:
    """``indicator`` across the periods of ``values``, in order."""
    points = []
    for period in sorted(values):
        found = next((v for v in values[period] if v.indicator.pk == indicator.pk), None)
        is_computed = period in computed
        points.append(
            TrendPoint(
                period=period,
                value=found.value if found is not None and is_computed else None,
                target=found.target if found is not None else None,
                computed=is_computed,
            )
        )
    return TrendChart(indicator=indicator, unit=unit, points=tuple(points))


def units_ranked(
    *, user: Viewer, unit: OrgUnit, period: Period, chosen: IndicatorValue
) -> BarsChart:
    """``chosen``'s indicator for each unit under ``unit`` that ``user`` may see: offices and
    communes first, then schools directly under the unit; best value first in each group."""
    below = selectors.children_values(unit=unit, period=period, indicator=chosen.indicator)
    visible = set(
        access.indicator_units_for_user(user=user)
        .filter(pk__in=[u.pk for u, _v in below])
        .values_list("pk", flat=True)
    )
    rows = [(u, v) for u, v in below if u.pk in visible]
    rows.sort(
        key=lambda uv: (
            uv[0].kind == OrgUnitKind.SCHOOL,
            -(uv[1].value if uv[1].value is not None else Decimal(-1)),
        )
    )
    return BarsChart(indicator=chosen.indicator, rows=tuple(rows), target=chosen.target)


# The indicators whose numerators and denominators make up the connection mix; a school
# without the Internet is one that the "connected" indicator does not count, as in its
# drill-through list of schools not counted.
_SCHOOL_MIX = ("internet_schools", "internet_wired_schools", "internet_mobile_schools")
_SITE_MIX = ("sites_wired", "sites_mobile", "sites_without_internet")


def connection_mix(values: Sequence[IndicatorValue]) -> ConnectionMix | None:
    """Schools and sites by connection, from the period's internet indicators; None when the
    period has none of them (no indicator in force, or nothing counted)."""
    by_code = {v.indicator.code: v for v in values}

    def parts(codes: tuple[str, str, str]) -> tuple[list[Decimal], Decimal] | None:
        """The numerators of ``codes`` and the denominator of the first, when all are known."""
        numerators = []
        for code in codes:
            v = by_code.get(code)
            if v is None or v.numerator is None:
                return None
            numerators.append(v.numerator)
        whole = by_code[codes[0]].denominator
        return (numerators, whole) if whole else None

    rows = []
    if schools := parts(_SCHOOL_MIX):
        (connected, wired, mobile), total = schools
        rows.append(MixRow(_("Schools"), wired, mobile, total - connected, Decimal(0)))
    if sites := parts(_SITE_MIX):
        (wired, mobile, none), total = sites
        # A site whose connection nobody recorded is in no part: shown apart, not as "none".
        rest = total - wired - mobile - none
        rows.append(MixRow(_("School sites"), wired, mobile, none, rest))
    return ConnectionMix(rows=tuple(rows)) if rows else None


@dataclass(frozen=True)
class DashboardCharts:
    """What the operations centre shows for a unit and period."""

    values: list[IndicatorValue]  # the period's cards
    card_periods: list[Period]  # the computed periods of the trend
    history: dict[Period, list[IndicatorValue]]
    chosen: IndicatorValue | None
    trend: TrendChart | None
    bars: BarsChart | None
    mix: ConnectionMix | None

    def card_trend(self, value: IndicatorValue) -> list[tuple[Period, Decimal | None]]:
        """The card's line of values over the computed periods of the trend."""
        out = []
        for period in self.card_periods:
            found = next(
                (v for v in self.history[period] if v.indicator.pk == value.indicator.pk), None
            )
            out.append((period, found.value if found is not None else None))
        return out


def dashboard_charts(
    *,
    user: Viewer,
    unit: OrgUnit,
    period: Period,
    computed: Sequence[Period],
    indicator_code: str | None,
) -> DashboardCharts:
    """The cards and charts of ``unit`` in ``period``; ``indicator_code`` picks the indicator
    of the trend and of the bars (else the first ratio, which has units to compare)."""
    shown = trend_periods(period=period, computed=computed)
    history = values_by_period(unit=unit, periods=[*shown, period])
    values = history[period]
    chosen = next(
        (v for v in values if v.indicator.code == indicator_code),
        next((v for v in values if v.indicator.denominator_id), values[0] if values else None),
    )
    trend = bars = None
    if chosen is not None:
        trend = indicator_trend(
            indicator=chosen.indicator,
            unit=unit,
            values={p: history[p] for p in shown} if shown else {period: values},
            computed=computed,
        )
        bars = units_ranked(user=user, unit=unit, period=period, chosen=chosen)
    return DashboardCharts(
        values=values,
        card_periods=[p for p in shown if p in computed],
        history=history,
        chosen=chosen,
        trend=trend,
        bars=bars,
        mix=connection_mix(values) if period in computed else None,
    )


def latest_period(computed: Sequence[Period]) -> Period:
    """The latest computed period that has begun, else the current half-year."""
    today = timezone.localdate()
    past = [p for p in computed if p.start <= today]
    if past:
        return past[-1]
    return parse_period(f"{today.year}H{1 if today.month <= 6 else 2}")


@dataclass(frozen=True)
class SchoolCharts:
    """A school's trend for one indicator, and the indicators it may switch to."""

    trend: TrendChart
    choices: list[Indicator]


def school_charts(
    *, user: Viewer, school: OrgUnit, indicator_code: str | None
) -> SchoolCharts | None:
    """The trend of ``school`` for ``indicator_code`` (else its first ratio with a value), or
    None for a user who may not read its figures or when no period has been computed."""
    if not access.indicator_units_for_user(user=user).filter(pk=school.pk).exists():
        return None
    computed = services.computed_periods()
    if not computed:
        return None
    period = latest_period(computed)
    shown = trend_periods(period=period, computed=computed)
    history = values_by_period(unit=school, periods=shown or [period])
    # Only the indicators the school has a figure or a target for: the Department's reported
    # figures (procedures online) have none at a school.
    choices: dict[int, Indicator] = {}
    for period_values in history.values():
        for v in period_values:
            if v.value is not None or v.target is not None:
                choices.setdefault(v.indicator.pk, v.indicator)
    ordered = sorted(choices.values(), key=lambda i: (i.sort_order, i.code))
    if not ordered:
        return None
    indicator = next(
        (i for i in ordered if i.code == indicator_code),
        next((i for i in ordered if i.denominator_id), ordered[0]),
    )
    trend = indicator_trend(indicator=indicator, unit=school, values=history, computed=computed)
    return SchoolCharts(trend=trend, choices=ordered)
