"""Who may read indicator values: officers, for units of their subtrees."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from vnemis.accounts.access import user_scope
from vnemis.indicators.periods import Period
from vnemis.organisations.models import OrgPlacement, OrgUnit, OrgUnitQuerySet, TreeVersion


def indicator_units_for_user(*, user: Any, write: bool = False) -> OrgUnitQuerySet:
    """Units whose figures the user may see: those in an officer's or principal's subtrees."""
    scope = user_scope(user)
    return OrgUnit.objects.under_paths(scope.write_paths if write else scope.paths)


def indicator_unit_get_for_user(*, user: Any, code: str, write: bool = False) -> OrgUnit:
    return get_object_or_404(indicator_units_for_user(user=user, write=write), code=code)


def default_unit_for_user(*, user: Any, period: Period) -> OrgUnit:
    """The highest unit of the user's scope in the tree version of ``period``."""
    version = TreeVersion.for_date(period.as_of)
    prefix = f"{version.code}:"
    paths = sorted((p for p in user_scope(user).paths if p.startswith(prefix)), key=len)
    if not paths:
        raise Http404("No unit of this user is placed in the period's tree.")
    placement = OrgPlacement.objects.select_related("unit").get(path=paths[0])
    return placement.unit
