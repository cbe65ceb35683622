"""Reads of indicator values: per unit and period, with targets, gaps and trends."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum

from vnemis.indicators.models import ElementValue, Indicator, Target
from vnemis.indicators.periods import Period
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion
from vnemis.organisations.tree import tree_index, unit_chain


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


def _targets(indicators: list[Indicator], period: Period, chain: list[int]) -> dict[int, Decimal]:
    """Each indicator's target at the last unit of ``chain`` (a unit and those above it, root
    first), or else at the nearest unit above it."""
    rank = {u: i for i, u in enumerate(reversed(chain))}  # nearest first
    found: dict[int, tuple[int, Decimal]] = {}
    for t in Target.objects.filter(period=period.code, unit_id__in=chain, indicator__in=indicators):
        r = rank[t.unit_id]
        if t.indicator_id not in found or r < found[t.indicator_id][0]:
            found[t.indicator_id] = (r, t.value)
    return {k: v for k, (_, v) in found.items()}


def _placed_in(unit: OrgUnit, version: TreeVersion) -> bool:
    return OrgPlacement.objects.filter(unit=unit, version=version).exists()


def _latest_placement(unit: OrgUnit) -> OrgPlacement | None:
    return OrgPlacement.objects.filter(unit=unit).order_by("-version__valid_from").first()


def element_totals(
    *, unit: OrgUnit, period: Period, placed: bool | None = None
) -> dict[tuple[int, str], Decimal]:
    """Each element's value (by element id and category) for ``unit`` in ``period``.

    The analytics table holds the units of the period's tree version. A unit created later
    (a commune of the 2025 reform, asked about 2022) gets the sum of what the units now
    under it counted themselves (``own``) in that period: its schools' 2022 figures, added
    up along today's tree.
    """
    if placed is None:
        placed = _placed_in(unit, TreeVersion.for_date(period.as_of))
    if placed:
        return {
            (v.element_id, v.category): v.value
            for v in ElementValue.objects.filter(period=period.code, unit=unit)
        }
    placement = _latest_placement(unit)
    if placement is None or placement.version.valid_from <= period.as_of:
        # Not a later unit: an abolished one (a Phòng asked about 2025) has no figures.
        return {}
    below = OrgPlacement.objects.filter(
        version=placement.version, path__startswith=placement.path
    ).values("unit_id")
    rows = (
        ElementValue.objects.filter(period=period.code, unit_id__in=below)
        .values_list("element_id", "category")
        .annotate(total=Sum("own"))
        .order_by()
    )
    return {(element, category): total for element, category, total in rows}


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
    # The unit and those above it, along its own path in the period's tree version.
    chain = unit_chain(unit_id=unit.pk, version=TreeVersion.for_date(period.as_of))
    values = element_totals(unit=unit, period=period, placed=bool(chain))
    targets = _targets(chosen, period, chain or [unit.pk])
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
    version = TreeVersion.for_date(period.as_of)

    def placed_under(version: TreeVersion) -> list[OrgUnit]:
        return [
            p.unit
            for p in OrgPlacement.objects.filter(version=version, parent=unit)
            .select_related("unit")
            .order_by("unit__code")
        ]

    children = placed_under(version)
    if not children and not _placed_in(unit, version):
        # A unit of a later tree: its children there (their values of the period exist).
        latest = _latest_placement(unit)
        if latest is not None and latest.version.valid_from > period.as_of:
            children = placed_under(latest.version)
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


def indicator_values_bulk(
    *, units: QuerySet[OrgUnit], period: Period
) -> dict[int, list[IndicatorValue]]:
    """``indicator_values`` for many units at once, keyed by unit id, in a fixed number of
    queries whatever the number of units (the indicators, the tree, the targets, the values).

    Each list holds every indicator valid in ``period``, in the indicators' order; a unit with
    no value row gets the same zeros and blanks as ``indicator_values`` gives it.
    """
    chosen = list(
        Indicator.objects.valid_on(period.as_of).select_related("numerator", "denominator")
    )
    tree = tree_index(TreeVersion.for_date(period.as_of))
    elements = {i.numerator_id for i in chosen} | {
        i.denominator_id for i in chosen if i.denominator_id
    }
    values: dict[int, dict[tuple[int, str], Decimal]] = {}
    rows = ElementValue.objects.filter(
        period=period.code, unit__in=units, element_id__in=elements
    ).values_list("unit_id", "element_id", "category", "value")
    for unit_id, element_id, category, value in rows:
        values.setdefault(unit_id, {})[(element_id, category)] = value
    # Targets are few (per period, at the Sở and a few units): read them all, then take each
    # unit's nearest one up the tree, as ``_targets`` does.
    set_at: dict[tuple[int, int], Decimal] = {
        (t.indicator_id, t.unit_id): t.value
        for t in Target.objects.filter(period=period.code, indicator__in=chosen)
    }
    out: dict[int, list[IndicatorValue]] = {}
    for unit in units:
        chain = list(reversed(tree.ancestors_and_self(unit.pk) or [unit.pk]))  # nearest first
        own = values.get(unit.pk, {})
        listed = []
        for ind in chosen:
            target = next((set_at[(ind.pk, u)] for u in chain if (ind.pk, u) in set_at), None)
            num = own.get((ind.numerator_id, ind.numerator_category))
            den = (
                own.get((ind.denominator_id, ind.denominator_category), Decimal(0))
                if ind.denominator_id
                else None
            )
            if num is None and ind.numerator.kind == "derived":
                num = Decimal(0)  # nothing counted: zero, not missing
            listed.append(IndicatorValue(ind, num, den, compute(ind, num, den), target))
        out[unit.pk] = listed
    return out
