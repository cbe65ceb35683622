"""Reads of indicator values: per unit and period, with targets, gaps and trends."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from vnemis.indicators.models import ElementValue, Indicator, Target
from vnemis.indicators.periods import Period
from vnemis.indicators.services import Tree
from vnemis.organisations.models import OrgUnit, TreeVersion


@dataclass(frozen=True)
class IndicatorValue:
    indicator: Indicator
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    target: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        """How far the value is from the target (negative: short of it)."""
        if self.value is None or self.target is None:
            return None
        return self.value - self.target

    @property
    def meets_target(self) -> bool | None:
        if self.gap is None:
            return None
        return self.gap >= 0 if self.indicator.direction == "up" else self.gap <= 0

    def as_dict(self) -> dict[str, object]:
        def plain(d: Decimal | None) -> int | float | None:
            if d is None:
                return None
            return int(d) if d == d.to_integral_value() else float(d)

        return {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "numerator": plain(self.numerator),
            "denominator": plain(self.denominator),
            "value": plain(self.value),
            "unit": self.indicator.unit,
            "target": plain(self.target),
        }


def compute(
    indicator: Indicator, numerator: Decimal | None, denominator: Decimal | None
) -> Decimal | None:
    """numerator / denominator × factor, rounded half up to the indicator's decimals."""
    if numerator is None:
        return None
    quantum = Decimal(1).scaleb(-indicator.decimals)
    if indicator.denominator_id is None:
        return (numerator * indicator.factor).quantize(quantum, rounding=ROUND_HALF_UP)
    if not denominator:
        return None
    return (numerator * indicator.factor / denominator).quantize(quantum, rounding=ROUND_HALF_UP)


def _targets(indicators: list[Indicator], period: Period, unit: OrgUnit) -> dict[int, Decimal]:
    """Each indicator's target at ``unit``, or else at the nearest unit above it."""
    tree = Tree(TreeVersion.for_date(period.as_of))
    chain = tree.ancestors_and_self(unit.pk) or [unit.pk]
    rank = {u: i for i, u in enumerate(reversed(chain))}  # nearest first
    found: dict[int, tuple[int, Decimal]] = {}
    for t in Target.objects.filter(period=period.code, unit_id__in=chain, indicator__in=indicators):
        r = rank[t.unit_id]
        if t.indicator_id not in found or r < found[t.indicator_id][0]:
            found[t.indicator_id] = (r, t.value)
    return {k: v for k, (_, v) in found.items()}


def indicator_values(
    *, unit: OrgUnit, period: Period, indicators: list[Indicator] | None = None
) -> list[IndicatorValue]:
    """Every indicator's value for ``unit`` in ``period``, from the analytics table."""
    chosen = (
        indicators
        if indicators is not None
        else list(
            Indicator.objects.valid_on(period.as_of).select_related("numerator", "denominator")
        )
    )
    values = {
        (v.element_id, v.category): v.value
        for v in ElementValue.objects.filter(period=period.code, unit=unit)
    }
    targets = _targets(chosen, period, unit)
    out = []
    for ind in chosen:
        num = values.get((ind.numerator_id, ind.numerator_category))
        den = (
            values.get((ind.denominator_id, ind.denominator_category), Decimal(0))
            if ind.denominator_id
            else None
        )
        if num is None and ind.numerator.kind == "derived":
            num = Decimal(0)  # nothing counted: zero, not missing
        out.append(IndicatorValue(ind, num, den, compute(ind, num, den), targets.get(ind.pk)))
    return out


def children_values(
    *, unit: OrgUnit, period: Period, indicator: Indicator
) -> list[tuple[OrgUnit, IndicatorValue]]:
    """The indicator for each unit directly under ``unit`` in the period's tree version."""
    from vnemis.organisations.models import OrgPlacement

    version = TreeVersion.for_date(period.as_of)
    children = [
        p.unit
        for p in OrgPlacement.objects.filter(version=version, parent=unit)
        .select_related("unit")
        .order_by("unit__code")
    ]
    keys = [(indicator.numerator_id, indicator.numerator_category)]
    if indicator.denominator_id:
        keys.append((indicator.denominator_id, indicator.denominator_category))
    rows = ElementValue.objects.filter(
        period=period.code, unit__in=children, element_id__in=[k[0] for k in keys]
    )
    by_unit: dict[int, dict[tuple[int, str], Decimal]] = {}
    for r in rows:
        by_unit.setdefault(r.unit_id, {})[(r.element_id, r.category)] = r.value
    out = []
    for child in children:
        vals = by_unit.get(child.pk, {})
        num = vals.get(keys[0], Decimal(0))
        den = vals.get(keys[1], Decimal(0)) if len(keys) > 1 else None
        out.append((child, IndicatorValue(indicator, num, den, compute(indicator, num, den), None)))
    return out
