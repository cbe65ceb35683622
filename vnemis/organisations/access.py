"""Permission-checked reads of org units: the only way views and the API reach them."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from vnemis.accounts.models import Viewer
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit, OrgUnitQuerySet
from vnemis.organisations.scope import user_scope


def orgunits_for_user(*, user: Viewer, write: bool = False) -> OrgUnitQuerySet:
    """Units in the user's subtrees; a teacher also sees her own school and its sites. With
    ``write``, the units where the user may change records."""
    scope = user_scope(user)
    if write:
        return scope.units("write_paths")
    return scope.units("paths", "teacher_paths")


def orgunit_get_for_user(*, user: Viewer, code: str, write: bool = False) -> OrgUnit:
    # 404, not 403: a user must not learn which unit codes exist outside their scope.
    return get_object_or_404(orgunits_for_user(user=user, write=write), code=code)


def school_directory_get(*, code: str) -> OrgUnit:
    """Any school of the sector by code, for choosing the destination of a transfer.

    The school directory (codes, names, addresses) is public information, so this fetch is
    not scoped; the records inside a school stay behind the scoped functions.
    """
    return get_object_or_404(OrgUnit.objects.schools(), code=code)


def schools_for_user(*, user: Viewer, write: bool = False) -> OrgUnitQuerySet:
    return orgunits_for_user(user=user, write=write).filter(kind=OrgUnitKind.SCHOOL)


def sites_for_user(*, user: Viewer, write: bool = False) -> OrgUnitQuerySet:
    return orgunits_for_user(user=user, write=write).filter(kind=OrgUnitKind.SITE)


def school_get_for_user(*, user: Viewer, code: str, write: bool = False) -> OrgUnit:
    return get_object_or_404(schools_for_user(user=user, write=write), code=code)
