from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vnemis.core.text import fold
from vnemis.organisations.choices import SchoolLevel
from vnemis.people.choices import StaffPosition
from vnemis.people.models import Enrollment, Staff


def _search_people(queryset: QuerySet[Any], prefix: str, code_field: str, value: str) -> Any:
    value = value.strip()
    if not value:
        return queryset
    if value.isdigit() or value.upper().startswith("CB"):
        return queryset.filter(**{f"{code_field}__startswith": value.upper()})
    match = Q()
    for token in fold(value).split():
        match &= Q(**{f"{prefix}search_name__contains": token})
    return queryset.filter(match)


class EnrollmentFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    """Filters of the student list (one row per active enrolment of the current year)."""

    q = django_filters.CharFilter(label=_("Name or student code"), method="search")
    school = django_filters.CharFilter(field_name="school__code", label=_("School code"))
    level = django_filters.ChoiceFilter(choices=SchoolLevel.choices, label=_("Level"))
    grade = django_filters.NumberFilter(label=pgettext_lazy("grade level", "Grade"))
    school_class = django_filters.NumberFilter(label=_("Class"))

    class Meta:
        model = Enrollment
        fields = ["q", "school", "level", "grade", "school_class"]

    def search(self, queryset: QuerySet[Enrollment], name: str, value: str) -> Any:
        return _search_people(queryset, "student__person__", "student__code", value)


class StaffFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    q = django_filters.CharFilter(label=_("Name or staff code"), method="search")
    unit = django_filters.CharFilter(field_name="org_unit__code", label=_("Unit code"))
    position = django_filters.ChoiceFilter(choices=StaffPosition.choices, label=_("Position"))

    class Meta:
        model = Staff
        fields = ["q", "unit", "position"]

    def search(self, queryset: QuerySet[Staff], name: str, value: str) -> Any:
        return _search_people(queryset, "person__", "code", value)
