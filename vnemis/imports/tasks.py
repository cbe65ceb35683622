"""Import jobs run as background tasks (the immediate backend runs them after commit)."""

from __future__ import annotations

from django.tasks import TaskContext, task

from vnemis.accounts.models import User
from vnemis.core.taskqueue import queue_settings
from vnemis.imports import pipeline
from vnemis.imports.choices import JobStatus
from vnemis.imports.models import ImportJob


@task(takes_context=True)
def import_job_run_task(
    context: TaskContext[..., None], *, job_id: int, user_id: int | None
) -> None:
    # "running" too: a job whose worker was killed is run again from the start (its earlier
    # run was one transaction, undone by the kill). Finished or cancelled jobs are left alone.
    job = ImportJob.objects.filter(
        pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).first()
    if job is None:
        return
    # Earlier runs that never finished stopped their worker (killed it, ran it out of
    # memory): import_job_run itself ends every error it meets. The queue's last attempt is
    # not spent on the file again but on failing the job, so it never stays "running".
    stops = context.attempt - 1
    if stops and context.attempt >= queue_settings().max_attempts:
        pipeline.import_job_abandon(job=job, stops=stops)
        return
    user = User.objects.filter(pk=user_id).first() if user_id else None
    pipeline.import_job_run(job=job, by=user)
