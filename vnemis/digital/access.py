"""Who may read and record digital-transformation facts: the scoped org-unit fetches."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404

from vnemis.accounts.access import user_scope
from vnemis.digital.models import DigitalProfile, DigitalProfileQuerySet
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit, OrgUnitQuerySet


def profile_units_for_user(*, user: Any, write: bool = False) -> OrgUnitQuerySet:
    scope = user_scope(user)
    units = OrgUnit.objects.under_paths(scope.write_paths if write else scope.paths)
    return units.filter(kind__in=[OrgUnitKind.SCHOOL, OrgUnitKind.SITE])


def profile_unit_get_for_user(*, user: Any, code: str, write: bool = False) -> OrgUnit:
    return get_object_or_404(profile_units_for_user(user=user, write=write), code=code)


def profiles_for_user(*, user: Any) -> DigitalProfileQuerySet:
    units = profile_units_for_user(user=user)
    return DigitalProfile.objects.filter(Q(unit__in=units.values("id")))
