"""Filters of the analytics table's values (``ElementValue``), shared by the pages, their
exports and the API. They filter a queryset already scoped by ``access``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from vnemis.core.filtersets import FilterSet, TextFilter
from vnemis.indicators.forms import PeriodField
from vnemis.indicators.models import ElementValue, Indicator
from vnemis.indicators.periods import Period


class PeriodFilter(django_filters.CharFilter):  # type: ignore[misc]  # untyped package
    """A reporting period (2022H1, 2022Q3, 2022, 2021-2022) of a plausible year, matched by
    its code as stored ("2022h1" is 2022H1)."""

    field_class = PeriodField

    def filter(self, qs: QuerySet[Any], value: Period | None) -> QuerySet[Any]:
        if value is None:
            return qs
        return qs.filter(**{self.field_name: value.code})


class IndicatorValueFilterSet(FilterSet):
    """Values of the analytics table: by unit, period, data element or indicator (the
    elements of its numerator and denominator), and category."""

    unit = TextFilter(field_name="unit__code", label=_("Unit code"), max_length=32)
    period = PeriodFilter(field_name="period", label=_("Period"))
    element = TextFilter(field_name="element__code", label=_("Data element"), max_length=64)
    indicator = TextFilter(label=_("Indicator"), method="of_indicator", max_length=64)
    category = TextFilter(field_name="category", label=_("Category"), max_length=32)

    class Meta:
        model = ElementValue
        fields = ["unit", "period", "element", "indicator", "category"]

    def of_indicator(self, queryset: QuerySet[ElementValue], name: str, value: str) -> Any:
        """The values an indicator is computed from; an unknown code matches nothing."""
        indicator = Indicator.objects.filter(code=value).first()
        if indicator is None:
            return queryset.none()
        parts = Q(element_id=indicator.numerator_id, category=indicator.numerator_category)
        if indicator.denominator_id is not None:
            parts |= Q(element_id=indicator.denominator_id, category=indicator.denominator_category)
        return queryset.filter(parts)
