"""Who may import, and which jobs they see: writers (administrators, principals) of a
subtree import into it and see the jobs of that subtree."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from vnemis.accounts.models import Viewer
from vnemis.imports.models import ImportJob
from vnemis.organisations.models import OrgUnit
from vnemis.organisations.scope import user_scope


def import_units_for_user(*, user: Viewer) -> QuerySet[OrgUnit]:
    """The units a user may import into: the top units of the write scope."""
    return user_scope(user).top_units("write_paths").order_by("code")


def jobs_for_user(*, user: Viewer) -> QuerySet[ImportJob]:
    if not getattr(user, "is_authenticated", False):
        return ImportJob.objects.none()
    units = user_scope(user).units("write_paths")
    return ImportJob.objects.filter(Q(created_by=user) | Q(scope_unit__in=units))


def job_get_for_user(*, user: Viewer, pk: int) -> ImportJob:
    return get_object_or_404(jobs_for_user(user=user).select_related("source", "scope_unit"), pk=pk)
