"""Reads over the tree: children of a unit in a version, and a school's profile counts."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion


def placement_children(
    *, version: TreeVersion, parent: OrgUnit | None, visible: QuerySet[OrgUnit]
) -> QuerySet[OrgPlacement]:
    """Placements directly under ``parent`` (roots when None) that the user may see, with the
    number of schools below each."""
    placements = OrgPlacement.objects.filter(
        version=version, parent=parent, unit__in=visible.values("id")
    )
    return (
        placements.select_related("unit")
        .exclude(unit__kind=OrgUnitKind.SITE)
        .annotate(
            n_children=Count(
                "unit__child_placements", filter=Q(unit__child_placements__version=version)
            )
        )
        .order_by("unit__kind", "unit__code")
    )
