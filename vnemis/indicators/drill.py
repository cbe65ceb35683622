"""Drill-through: the records behind an element's value for a unit's subtree and a period.

Each list is counted by the same conditions as the element itself, so its length equals the
figure on the dashboard (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from vnemis.digital.models import DigitalProfile
from vnemis.indicators import elements
from vnemis.indicators.elements import CountContext
from vnemis.indicators.periods import Period
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion
from vnemis.people.models import Enrollment, Staff


class NotDrillable(LookupError):
    """The element has no record list (reported figures)."""


@dataclass(frozen=True)
class RecordList:
    kind: str  # schools, sites, students, staff
    rows: QuerySet[Any]


def subtree_path(*, unit: OrgUnit, period: Period) -> str | None:
    version = TreeVersion.for_date(period.as_of)
    placement = OrgPlacement.objects.filter(version=version, unit=unit).first()
    return placement.path if placement else None


def _units_under(path: str) -> QuerySet[OrgPlacement, Any]:
    return OrgPlacement.objects.filter(path__startswith=path).values("unit_id")


def records(
    *,
    element_code: str,
    unit: OrgUnit,
    period: Period,
    category: str = "",
    complement_of: str | None = None,
) -> RecordList:
    """Records counted by ``element_code`` under ``unit``; with ``complement_of`` (the
    denominator's code), those counted by the denominator but not by the element."""
    path = subtree_path(unit=unit, period=period)
    ctx = CountContext(day=period.as_of)
    if path is None:
        return RecordList("schools", OrgUnit.objects.none())
    under = _units_under(path)
    code = element_code
    if code == "schools" or code in elements.SCHOOL_CONDITIONS:
        schools = ctx.schools().filter(id__in=under)
        if category:
            ids = [pk for pk, cat in ctx.school_category.items() if cat == category]
            schools = schools.filter(id__in=ids)
        condition = elements.SCHOOL_CONDITIONS.get(code)
        if condition is not None:
            matching = DigitalProfile.objects.as_of(ctx.day).filter(condition).values("unit_id")
            schools = (
                schools.exclude(id__in=matching)
                if complement_of
                else schools.filter(id__in=matching)
            )
        return RecordList("schools", schools.order_by("code"))
    if code == "sites" or code in elements.SITE_CONDITIONS:
        # The sites the elements count: those of preschools and primary schools.
        sites = (
            OrgUnit.objects.sites()
            .valid_on(ctx.day)
            .filter(id__in=under, school__in=elements.site_schools())
        )
        condition = elements.SITE_CONDITIONS.get(code)
        if condition is not None:
            matching = DigitalProfile.objects.as_of(ctx.day).filter(condition).values("unit_id")
            sites = (
                sites.exclude(id__in=matching) if complement_of else sites.filter(id__in=matching)
            )
        return RecordList("sites", sites.select_related("school").order_by("code"))
    if code == "students" or code in elements.STUDENT_RECORD_ELEMENTS:
        rows: QuerySet[Enrollment] = ctx.enrollments().filter(school_id__in=under)
        if category:
            rows = rows.filter(level=category)
        if code in elements.STUDENT_RECORD_ELEMENTS:
            condition = elements.records_condition(ctx, code)
            rows = rows.exclude(condition) if complement_of else rows.filter(condition)
        return RecordList(
            "students",
            rows.select_related("student__person", "school", "school_class").order_by(
                "school__code", "grade", "student__code"
            ),
        )
    if code == "staff":
        staff = Staff.objects.filter(is_active=True, org_unit_id__in=under).filter(
            Q(started_on__isnull=True) | Q(started_on__lte=ctx.day)
        )
        return RecordList("staff", staff.select_related("person", "org_unit").order_by("code"))
    raise NotDrillable(code)
