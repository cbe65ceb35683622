"""Who may read indicator values: officers, for units of their subtrees."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from vnemis.accounts.models import Viewer
from vnemis.indicators.models import ElementValue
from vnemis.indicators.periods import Period
from vnemis.organisations.models import OrgPlacement, OrgUnit, OrgUnitQuerySet, TreeVersion
from vnemis.organisations.scope import user_scope


def indicator_units_for_user(*, user: Viewer, write: bool = False) -> OrgUnitQuerySet:
    """Units whose figures the user may see: those in an officer's or principal's subtrees."""
    scope = user_scope(user)
    return scope.units("write_paths" if write else "paths")


def element_values_for_user(*, user: Viewer) -> QuerySet[ElementValue]:
    """Rows of the analytics table for the units whose figures the user may see."""
    return ElementValue.objects.filter(user_scope(user).units_q("unit_id"))


def indicator_unit_get_for_user(*, user: Viewer, code: str, write: bool = False) -> OrgUnit:
    return get_object_or_404(indicator_units_for_user(user=user, write=write), code=code)


def default_unit_for_user(*, user: Viewer, period: Period) -> OrgUnit:
    """The highest unit of the user's scope in the tree version of ``period`` (or, for a unit
    created after the period, in the newest tree)."""
    version = TreeVersion.for_date(period.as_of)
    prefix = f"{version.code}:"
    paths = user_scope(user).paths
    in_version = sorted((p for p in paths if p.startswith(prefix)), key=len)
    if in_version:
        return OrgPlacement.objects.select_related("unit").get(path=in_version[0]).unit
    # A unit of a later tree (a commune officer asking about 2022): the highest unit of the
    # scope in the newest tree; its figures are added up from the units now under it.
    placement = (
        OrgPlacement.objects.filter(path__in=paths)
        .select_related("unit")
        .order_by("-version__valid_from", "depth")
        .first()
    )
    if placement is None:
        raise Http404("No unit of this user is placed in any tree.")
    return placement.unit
