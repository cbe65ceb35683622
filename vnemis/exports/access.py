"""Which export jobs a user sees: only the ones they asked for.

A job's file holds the rows of its creator's scope; nobody else, not even an officer above,
may read it (they can export the list themselves, with their own scope).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from vnemis.exports.models import ExportJob


def export_jobs_for_user(*, user: Any) -> QuerySet[ExportJob]:
    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(created_by=user)


def export_job_get_for_user(*, user: Any, pk: int) -> ExportJob:
    return get_object_or_404(export_jobs_for_user(user=user), pk=pk)
