"""The indicator engine's writes: refreshing the analytics table, reported values, targets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.bulk import BulkWriter, reset_sequences
from vnemis.core.choices import AuditVerb
from vnemis.indicators.choices import ElementKind
from vnemis.indicators.elements import ELEMENTS, CountContext, Leaves
from vnemis.indicators.models import DataElement, ElementValue, Indicator, ReportedValue, Target
from vnemis.indicators.periods import Period, parse_period
from vnemis.organisations.models import OrgUnit, StaleUnit, TreeVersion
from vnemis.organisations.tree import TreeIndex, tree_index


def _own_totals(leaves: Leaves) -> dict[tuple[int, str], int]:
    """Leaf values per category and in the "" total of each leaf unit."""
    own: dict[tuple[int, str], int] = defaultdict(int)
    for (unit, category), value in leaves.items():
        own[(unit, "")] += value
        if category:
            own[(unit, category)] += value
    return own


def _rollup(tree: TreeIndex, leaves: Leaves) -> dict[tuple[int, str], int]:
    """Add leaf values to every unit above them, per category and in the "" total."""
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for (leaf, category), value in leaves.items():
        for unit in tree.ancestors_and_self(leaf):
            totals[(unit, "")] += value
            if category:
                totals[(unit, category)] += value
    return totals


@transaction.atomic
def element_values_refresh(*, period: Period) -> int:
    """Recompute every element value of ``period`` for every org unit (full refresh)."""
    tree = tree_index(TreeVersion.for_date(period.as_of))
    ctx = CountContext(day=period.as_of)
    elements = {e.code: e for e in DataElement.objects.all()}
    ElementValue.objects.filter(period=period.code).delete()
    writer = BulkWriter(
        ElementValue, ["element", "period", "unit", "category", "value", "own"], now=timezone.now()
    )
    for code, element in elements.items():
        if element.kind == ElementKind.DERIVED:
            count = ELEMENTS.get(code)
            if count is None:
                raise LookupError(f"Derived element {code!r} has no counting function.")
            leaves = count(ctx)
            own = _own_totals(leaves)
            for key, value in _rollup(tree, leaves).items():
                writer.add(element.pk, period.code, key[0], key[1], value, own.get(key, 0))
        else:
            for r in ReportedValue.objects.filter(element=element, period=period.code):
                writer.add(element.pk, period.code, r.unit_id, "", r.value, r.value)
    # COPY on PostgreSQL, executemany elsewhere: the table is rebuilt in one pass.
    writer.flush()
    reset_sequences(ElementValue)
    # Now for this transaction's own reads, and again once the new rows are visible to all.
    cache.delete(PERIODS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(PERIODS_CACHE_KEY))
    return writer.count


@transaction.atomic
def element_values_refresh_units(*, period: Period, unit_ids: Iterable[int]) -> int:
    """Recount only the leaves ``unit_ids`` and move every unit above them by the difference.

    The incremental path after a record changes: a school's new profile touches its own rows
    and those of its ancestors, not the whole province.
    """
    wanted = set(unit_ids)
    tree = tree_index(TreeVersion.for_date(period.as_of))
    ctx = CountContext(day=period.as_of, unit_ids=wanted)
    changed = 0
    for element in DataElement.objects.filter(kind=ElementKind.DERIVED):
        leaf_totals = _own_totals(ELEMENTS[element.code](ctx))
        stored = {
            (v.unit_id, v.category): int(v.own)
            for v in ElementValue.objects.filter(
                element=element, period=period.code, unit_id__in=wanted
            )
        }
        keys = set(leaf_totals) | set(stored)
        for unit, category in keys:
            delta = leaf_totals.get((unit, category), 0) - stored.get((unit, category), 0)
            if not delta:
                continue
            changed += 1
            for above in tree.ancestors_and_self(unit):
                own_delta = delta if above == unit else 0
                # F() so that two refreshes of sibling schools never lose each other's change.
                updated = ElementValue.objects.filter(
                    element=element, period=period.code, unit_id=above, category=category
                ).update(value=F("value") + delta, own=F("own") + own_delta)
                if not updated:
                    ElementValue.objects.create(
                        element=element,
                        period=period.code,
                        unit_id=above,
                        category=category,
                        value=Decimal(delta),
                        own=Decimal(own_delta),
                    )
    return changed


# A new period is computed twice a year; every dashboard and home page asks which exist. The
# answer is kept a minute per process (a DISTINCT over the analytics table costs a few ms).
PERIODS_CACHE_KEY = "vnemis:computed-periods"
PERIODS_CACHE_SECONDS = 60


def computed_periods() -> list[Period]:
    """Periods that have values in the analytics table."""
    codes: list[str] | None = cache.get(PERIODS_CACHE_KEY)
    if codes is None:
        codes = list(ElementValue.objects.values_list("period", flat=True).distinct().order_by())
        cache.set(PERIODS_CACHE_KEY, codes, PERIODS_CACHE_SECONDS)
    return sorted(parse_period(c) for c in codes)


def refresh_after_change(*, unit_ids: Iterable[int], changed_from: dt.date) -> None:
    """Keep every computed period that ends on or after ``changed_from`` up to date."""
    ids = set(unit_ids)
    for period in computed_periods():
        if period.as_of >= changed_from:
            element_values_refresh_units(period=period, unit_ids=ids)


# The advisory lock that serialises recounts of marked units (any constant shared by all runs).
STALE_LOCK_KEY = 0x564E454D  # "VNEM"

# How many marks one run takes: a national import marks thousands of schools; the rest wait for
# the next run, which the job starts itself.
STALE_BATCH = 5000


@transaction.atomic
def stale_units_refresh(*, limit: int = STALE_BATCH) -> int:
    """Recount the units marked stale (``organisations.stale``) and delete their marks, in one
    transaction: a recount that fails keeps the marks for the next attempt. Returns how many
    marks are left.

    Runs are serialised (an advisory lock on PostgreSQL; SQLite has one writer anyway): the
    recount moves the stored figures by the difference it reads, which two runs reading the
    same figures at once would add twice.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STALE_LOCK_KEY])
    marks = list(
        StaleUnit.objects.order_by("pk").values_list("pk", "unit_id", "changed_from")[:limit]
    )
    if marks:
        refresh_after_change(
            unit_ids={unit_id for _, unit_id, _ in marks},
            changed_from=min(day for _, _, day in marks),
        )
        StaleUnit.objects.filter(pk__in=[pk for pk, _, _ in marks]).delete()
    return StaleUnit.objects.count() if len(marks) == limit else 0


@transaction.atomic
def reported_value_set(
    *,
    element: DataElement,
    period: Period,
    unit: OrgUnit,
    value: Decimal,
    by: User | None,
    note: str = "",
) -> ReportedValue:
    if element.kind != ElementKind.REPORTED:
        raise ValueError(f"{element.code} is derived from records; it cannot be entered.")
    existing = ReportedValue.objects.filter(element=element, period=period.code, unit=unit).first()
    before = snapshot(existing) if existing else None
    row, _ = ReportedValue.objects.update_or_create(
        element=element,
        period=period.code,
        unit=unit,
        defaults={
            "value": value,
            "entered_by": by if by is not None and by.pk else None,
            "note": note,
        },
    )
    row.full_clean()
    ElementValue.objects.update_or_create(
        element=element,
        period=period.code,
        unit=unit,
        category="",
        defaults={"value": value, "own": value},
    )
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED if existing else AuditVerb.CREATED,
        target=row,
        before=before,
        after=snapshot(row),
    )
    return row


@transaction.atomic
def reported_values_set(
    *, unit: OrgUnit, period: Period, values: Mapping[DataElement, Decimal], by: User | None
) -> list[ReportedValue]:
    """Save the figures entered for one unit and period together: all of them or, when one
    is refused, none."""
    return [
        reported_value_set(element=element, period=period, unit=unit, value=value, by=by)
        for element, value in values.items()
    ]


@transaction.atomic
def target_set(
    *, indicator: Indicator, period: Period, unit: OrgUnit, value: Decimal, by: User | None
) -> Target:
    target, created = Target.objects.update_or_create(
        indicator=indicator, period=period.code, unit=unit, defaults={"value": value}
    )
    target.full_clean()
    audit_record(
        actor=by,
        verb=AuditVerb.CREATED if created else AuditVerb.UPDATED,
        target=target,
        after=snapshot(target),
    )
    return target
