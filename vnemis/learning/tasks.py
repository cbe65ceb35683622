"""Transcript jobs run as background tasks (the immediate backend runs them after commit).

A batch issues the transcripts of a class or a school; its progress is the transcripts
themselves (one transaction per student), which the class page counts while the queue's row
says whether the job is still waiting or running. Signing pending transcripts renders and signs
those recorded as issued without a PDF (bulk and demo loads).
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.models import QueuedTask
from vnemis.learning.services.credentials import TranscriptRefused
from vnemis.learning.services.transcripts import (
    transcripts_batch_run,
    transcripts_sign_pending,
)
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.models import SchoolClass

BATCH_TASK = "vnemis.learning.tasks.transcripts_batch_task"
SIGN_TASK = "vnemis.learning.tasks.transcripts_sign_pending_task"
# The queue's statuses of a task not finished yet.
UNFINISHED = ("READY", "RUNNING")


@task()
def transcripts_batch_task(
    *,
    school_year_id: int,
    school_id: int | None = None,
    class_id: int | None = None,
    user_id: int | None = None,
) -> None:
    # A rerun after a worker died starts again: students already done are skipped by
    # transcript_prepare (issued and unchanged) or continue from the step they reached.
    school_year = SchoolYear.objects.filter(pk=school_year_id).first()
    if school_year is None:
        return
    school = OrgUnit.objects.filter(pk=school_id).first() if school_id else None
    school_class = SchoolClass.objects.filter(pk=class_id).first() if class_id else None
    if school is None and school_class is None:
        return
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user_id and user is None:
        return  # the account was disabled since: its batch does not run as the system
    transcripts_batch_run(
        school_year=school_year, school=school, school_class=school_class, by=user
    )


@task()
def transcripts_sign_pending_task(*, limit: int | None = None) -> None:
    transcripts_sign_pending(limit=limit)


def transcripts_batch_start(
    *,
    school_year: SchoolYear,
    by: User | None,
    school: OrgUnit | None = None,
    school_class: SchoolClass | None = None,
) -> None:
    """Queue a batch for a class or a school, once the calling transaction commits; refused
    while the same batch is still waiting or running."""
    if transcripts_batch_running(school=school, school_class=school_class):
        raise TranscriptRefused(
            _("A batch for these transcripts is already under way: wait until it finishes.")
        )
    transaction.on_commit(
        partial(
            transcripts_batch_task.enqueue,
            school_year_id=school_year.pk,
            school_id=school.pk if school is not None else None,
            class_id=school_class.pk if school_class is not None else None,
            user_id=by.pk if by is not None else None,
        )
    )


def transcripts_batch_running(
    *, school: OrgUnit | None = None, school_class: SchoolClass | None = None
) -> bool:
    """Whether a batch of this class (or of its school) or this school waits or runs."""
    match = Q(pk__in=[])
    if school_class is not None:
        match |= Q(kwargs__class_id=school_class.pk) | Q(kwargs__school_id=school_class.school_id)
    if school is not None:
        match |= Q(kwargs__school_id=school.pk)
    return QueuedTask.objects.filter(match, task_path=BATCH_TASK, status__in=UNFINISHED).exists()
