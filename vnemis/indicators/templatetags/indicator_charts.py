"""The school page's trend chart, as a tag (the page's own view passes nothing for it), and
the figures of the charts' table views."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.template.context import Context
from django.utils.formats import number_format

from vnemis.indicators import charts
from vnemis.organisations.models import OrgUnit

register = template.Library()


@register.inclusion_tag("indicators/_school_charts.html", takes_context=True)
def school_trend_chart(context: Context, school: OrgUnit) -> dict[str, Any]:
    """The trend of one of ``school``'s indicators (``?indicator=``), with its table view and
    PNG button; nothing for a user who may not read the school's figures."""
    request = context.get("request")
    if request is None:
        return {"trend": None}
    data = charts.school_charts(
        user=request.user, school=school, indicator_code=request.GET.get("indicator")
    )
    if data is None:
        return {"trend": None}
    return {
        "trend": data.trend,
        "choices": data.choices,
        "filename": f"{data.trend.indicator.code}-{school.code}-trend.png",
    }


@register.filter
def figure(value: Decimal | None) -> str:
    """A figure as the charts' labels write it: grouped, at most two decimals and no trailing
    zeros (1.234; 12,5; 80 in Vietnamese, 1,234; 12.5 in English); a dash when missing."""
    if value is None:
        return "—"
    rounded = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    exponent = rounded.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number_format(rounded, decimal_pos=places, force_grouping=True)
