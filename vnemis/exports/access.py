"""Which export jobs a user sees: only the ones they asked for.

A job's file holds the rows of its creator's scope; nobody else, not even an officer above,
may read it (they can export the list themselves, with their own scope).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from vnemis.accounts.models import Viewer, signed_in
from vnemis.exports.models import ExportJob


def export_jobs_for_user(*, user: Viewer) -> QuerySet[ExportJob]:
    me = signed_in(user)
    if me is None:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(created_by=me)


def export_job_get_for_user(*, user: Viewer, pk: int) -> ExportJob:
    return get_object_or_404(export_jobs_for_user(user=user), pk=pk)
