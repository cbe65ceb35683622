"""Who may read, draft and finalise reports: officers of the report unit's subtree draft;
administrators and principals (write scope) finalise."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from vnemis.accounts.models import Viewer
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit
from vnemis.organisations.scope import user_scope
from vnemis.reports.models import ReportDocument


def reports_for_user(*, user: Viewer, finalise: bool = False) -> QuerySet[ReportDocument]:
    scope = user_scope(user)
    units = scope.units("write_paths" if finalise else "paths")
    return ReportDocument.objects.filter(unit__in=units)


def report_get_for_user(*, user: Viewer, pk: int, finalise: bool = False) -> ReportDocument:
    return get_object_or_404(
        reports_for_user(user=user, finalise=finalise).select_related("unit"), pk=pk
    )


def report_settings_units_for_user(*, user: Viewer) -> QuerySet[OrgUnit]:
    """Units whose report settings the user may change: a writer's (the Sở's administrator,
    a principal) unit or one below it, and the very unit an officer works at (a district
    officer heads and signs his Phòng's reports, not those of the schools below it); school
    sites have no reports of their own."""
    scope = user_scope(user)
    return (scope.units("write_paths") | scope.top_units("paths")).exclude(kind=OrgUnitKind.SITE)


def report_settings_unit_get_for_user(*, user: Viewer, code: str) -> OrgUnit:
    return get_object_or_404(report_settings_units_for_user(user=user).distinct(), code=code)


def report_settings_writable(*, user: Viewer, unit: OrgUnit) -> bool:
    """Whether the user may change the unit's report settings (to offer the link)."""
    return report_settings_units_for_user(user=user).filter(pk=unit.pk).exists()
