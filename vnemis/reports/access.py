"""Who may read, draft and finalise reports: officers of the report unit's subtree draft;
administrators and principals (write scope) finalise."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from vnemis.accounts.access import user_scope
from vnemis.organisations.models import OrgUnit
from vnemis.reports.models import ReportDocument


def reports_for_user(*, user: Any, finalise: bool = False) -> QuerySet[ReportDocument]:
    scope = user_scope(user)
    units = OrgUnit.objects.under_paths(scope.write_paths if finalise else scope.paths)
    return ReportDocument.objects.filter(unit__in=units)


def report_get_for_user(*, user: Any, pk: int, finalise: bool = False) -> ReportDocument:
    return get_object_or_404(
        reports_for_user(user=user, finalise=finalise).select_related("unit"), pk=pk
    )
