"""Export jobs run as background tasks (the immediate backend runs them after commit)."""

from __future__ import annotations

from django.tasks import TaskContext, task

from vnemis.core.taskqueue import queue_settings
from vnemis.exports import services
from vnemis.exports.choices import ExportStatus
from vnemis.exports.models import ExportJob


@task(takes_context=True)
def export_job_run_task(context: TaskContext[..., None], *, job_id: int) -> None:
    # "running" too: a job whose worker died is written again from the start (its partial
    # file is replaced). Finished jobs are left alone.
    job = ExportJob.objects.filter(
        pk=job_id, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
    ).first()
    if job is None:
        return
    # export_job_run ends every error itself: earlier runs that never finished stopped their
    # worker. The queue's last attempt fails the job rather than trying once more.
    stops = context.attempt - 1
    if stops and context.attempt >= queue_settings().max_attempts:
        services.export_job_abandon(job=job, stops=stops)
        return
    services.export_job_run(job=job)
