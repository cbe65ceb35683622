"""Import jobs run as background tasks (the immediate backend runs them after commit)."""

from __future__ import annotations

from django.tasks import task

from vnemis.accounts.models import User
from vnemis.imports import services
from vnemis.imports.models import ImportJob


@task
def import_job_run_task(*, job_id: int, user_id: int | None) -> None:
    # "running" too: a job whose worker was killed is run again from the start (its earlier
    # run was one transaction, undone by the kill). Finished or cancelled jobs are left alone.
    job = ImportJob.objects.filter(pk=job_id, status__in=["queued", "running"]).first()
    if job is None:
        return
    user = User.objects.filter(pk=user_id).first() if user_id else None
    services.import_job_run(job=job, by=user)
