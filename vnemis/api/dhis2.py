"""Aggregates for DHIS2: a unit's subtree in a period as ``dataValueSets`` JSON or ADX XML.

Units are named by their vnemis code, data elements and indicators by their code, so a DHIS2
instance imports with ``orgUnitIdScheme=CODE`` and ``dataElementIdScheme=CODE``. Periods are
written in DHIS2's notation: 2022S1 (vnemis 2022H1), 2022Q3, 2022, and 2021Sep for the school
year 2021-2022 (DHIS2's financial year from September). A disaggregated figure (a school
level such as ``th``) carries its category as ``categoryOptionCombo`` (JSON) or as the
``category`` attribute (ADX).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.indicators import selectors as indicator_selectors
from vnemis.indicators.models import ElementValue
from vnemis.indicators.periods import Period, parse_period
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
_SIX_MONTHS = re.compile(r"^([0-9]{4})S([12])$")
_SCHOOL_YEAR = re.compile(r"^([0-9]{4})SEP$")


@dataclass(frozen=True)
class Figure:
    """One value to send: ``data_element`` of ``org_unit`` in the period, for ``category``."""

    org_unit: str
    data_element: str
    category: str
    value: Decimal


@dataclass(frozen=True)
class Export:
    unit: OrgUnit
    period: Period
    figures: list[Figure]


def period_from_dhis2(text: str) -> Period:
    """A DHIS2 period (2022S1, 2022Q3, 2022, 2021Sep), or a vnemis code (2022H1, 2021-2022)."""
    code = text.strip().upper()
    if not code.isascii():
        code = ""
    if m := _SIX_MONTHS.match(code):
        code = f"{m[1]}H{m[2]}"
    elif m := _SCHOOL_YEAR.match(code):
        code = f"{m[1]}-{int(m[1]) + 1}"
    try:
        return parse_period(code)
    except ValueError:
        raise ValueError(_("Write the period as 2022S1, 2022Q3, 2022 or 2021Sep.")) from None


def period_to_dhis2(period: Period) -> str:
    if period.kind == "half_year":
        return period.code.replace("H", "S")
    if period.kind == "school_year":
        return f"{period.code[:4]}Sep"
    return period.code


def adx_period(period: Period) -> str:
    """ADX writes a period as its first day and its length: 2022-01-01/P6M."""
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
    length = "P1Y" if months + 1 == 12 else f"P{months + 1}M"
    return f"{period.start.isoformat()}/{length}"


def _subtree(unit: OrgUnit, period: Period) -> list[int]:
    """The unit and every unit under it in the tree version of the period."""
    version = TreeVersion.for_date(period.as_of)
    placement = OrgPlacement.objects.filter(version=version, unit=unit).first()
    if placement is None:  # a unit of a later tree: its own figures only
        return [unit.pk]
    below = OrgPlacement.objects.filter(version=version, path__startswith=placement.path)
    return list(below.values_list("unit_id", flat=True))


def export_build(*, unit: OrgUnit, period: Period, visible: QuerySet[OrgUnit]) -> Export:
    """The figures of ``unit``'s subtree in ``period``: every data element's value from the
    analytics table and every indicator's value, for the units of ``visible`` (the caller's
    scope, from ``indicators.access``) only."""
    units = visible.filter(pk__in=_subtree(unit, period)).order_by("code")
    figures: list[Figure] = []
    rows = (
        ElementValue.objects.filter(period=period.code, unit__in=units)
        .select_related("unit", "element")
        .order_by("unit__code", "element__code", "category")
    )
    for row in rows:
        figures.append(Figure(row.unit.code, row.element.code, row.category, row.value))
    codes = dict(units.values_list("pk", "code"))
    by_unit = indicator_selectors.indicator_values_bulk(units=units, period=period)
    for unit_id, values in sorted(by_unit.items(), key=lambda item: codes[item[0]]):
        for value in values:
            if value.value is not None:
                figures.append(Figure(codes[unit_id], value.indicator.code, "", value.value))
    return Export(unit=unit, period=period, figures=figures)


def _number(value: Decimal) -> str:
    """12.5000 → "12.5", 40.0000 → "40": DHIS2 stores values as text."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def data_value_set(export: Export) -> dict[str, Any]:
    """The export as DHIS2's ``dataValueSets`` JSON."""
    period = period_to_dhis2(export.period)
    values: list[dict[str, str]] = []
    for figure in export.figures:
        value = {
            "dataElement": figure.data_element,
            "period": period,
            "orgUnit": figure.org_unit,
            "value": _number(figure.value),
        }
        if figure.category:
            value["categoryOptionCombo"] = figure.category
        values.append(value)
    return {
        "period": period,
        "orgUnit": export.unit.code,
        "completeDate": timezone.localdate().isoformat(),
        "dataValues": values,
    }


def adx_xml(export: Export) -> bytes:
    """The export as an ADX message: one group per unit."""
    root = ET.Element(
        "adx",
        {"xmlns": ADX_NAMESPACE, "exported": timezone.now().replace(microsecond=0).isoformat()},
    )
    period = adx_period(export.period)
    groups: dict[str, ET.Element] = {}
    for figure in export.figures:
        group = groups.get(figure.org_unit)
        if group is None:
            group = ET.SubElement(root, "group", {"orgUnit": figure.org_unit, "period": period})
            groups[figure.org_unit] = group
        attrs = {"dataElement": figure.data_element, "value": _number(figure.value)}
        if figure.category:
            attrs["category"] = figure.category
        ET.SubElement(group, "dataValue", attrs)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body
