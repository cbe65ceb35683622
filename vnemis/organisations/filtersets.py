"""Filters of the org-unit lists (units, schools, sites), shared by the pages, their exports
and the API. Each filters a queryset already scoped by ``access``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from vnemis.core.filtersets import FilterSet, TextFilter
from vnemis.organisations.choices import GroupSetCode, OrgUnitKind, Ownership, SchoolLevel
from vnemis.organisations.models import OrgPlacement, OrgUnit, OrgUnitQuerySet


def _under(queryset: OrgUnitQuerySet, name: str, value: str) -> OrgUnitQuerySet:
    """Units placed under unit ``value`` (a district office, a commune, a school) in any tree
    version, through the tree's one prefix matcher; an unknown code matches nothing."""
    paths = OrgPlacement.objects.filter(unit__code=value).values_list("path", flat=True)
    return queryset.under_paths(list(paths))


def _search(queryset: OrgUnitQuerySet, name: str, value: str) -> OrgUnitQuerySet:
    return queryset.search(value)


class OrgUnitFilterSet(FilterSet):
    """Units of the tree: by kind, tree version, place in the tree and name or code."""

    q = TextFilter(label=_("Name or code"), method=_search)
    kind = django_filters.ChoiceFilter(
        choices=OrgUnitKind.choices, label=_("Kind"), empty_label=_("All")
    )
    version = TextFilter(label=_("Tree version"), method="in_version", max_length=16)
    under = TextFilter(label=_("Under the unit (code)"), method=_under, max_length=32)

    class Meta:
        model = OrgUnit
        fields = ["q", "kind", "version", "under"]

    def in_version(self, queryset: OrgUnitQuerySet, name: str, value: str) -> Any:
        """Units placed in the tree version coded ``value`` (2022, 2025)."""
        return queryset.filter(
            pk__in=OrgPlacement.objects.filter(version__code=value).values("unit_id")
        )


class SchoolFilterSet(FilterSet):
    """Filters of the school list: name or code, level, ownership, district or commune."""

    q = TextFilter(label=_("Name or code"), method=_search)
    level = django_filters.ChoiceFilter(
        choices=SchoolLevel.choices, label=_("Level"), method="in_level", empty_label=_("All")
    )
    ownership = django_filters.ChoiceFilter(
        choices=Ownership.choices, label=_("Ownership"), empty_label=_("All")
    )
    under = TextFilter(label=_("District or commune (code)"), method=_under, max_length=32)

    class Meta:
        model = OrgUnit
        fields = ["q", "level", "ownership", "under"]

    def in_level(self, queryset: OrgUnitQuerySet, name: str, value: str) -> Any:
        return queryset.in_group(GroupSetCode.LEVEL.value, value)


class SiteFilterSet(FilterSet):
    """School sites (điểm trường): by school, place in the tree, name or code."""

    q = TextFilter(label=_("Name or code"), method=_search)
    school = TextFilter(field_name="school__code", label=_("School code"), max_length=32)
    under = TextFilter(label=_("District or commune (code)"), method=_under, max_length=32)

    class Meta:
        model = OrgUnit
        fields = ["q", "school", "under"]
