"""Writes of programmes, tasks and progress updates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.core.uploads import evidence_check
from vnemis.organisations.models import OrgUnit
from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import PlanTask, Programme, TaskUpdate


@transaction.atomic
def programme_create(
    *,
    code: str,
    document_number: str,
    issued_on: dt.date,
    issued_by: str,
    title: str,
    by: User | None,
) -> Programme:
    programme = Programme(
        code=code,
        document_number=document_number,
        issued_on=issued_on,
        issued_by=issued_by,
        title=title,
    )
    programme.full_clean()
    programme.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=programme, after=snapshot(programme))
    return programme


@transaction.atomic
def plan_task_create(
    *,
    programme: Programme,
    title: str,
    owner: OrgUnit,
    by: User | None,
    deadline: dt.date | None = None,
) -> PlanTask:
    number = programme.tasks.count() + 1
    task = PlanTask(programme=programme, number=number, title=title, owner=owner, deadline=deadline)
    task.full_clean()
    task.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=task, after=snapshot(task))
    return task


@transaction.atomic
def task_update_record(
    *,
    task: PlanTask,
    on: dt.date,
    status: TaskStatus,
    by: User | None,
    note: str = "",
    evidence: UploadedFile[Any] | None = None,
) -> TaskUpdate:
    """Report progress on a task; earlier updates are kept as its history."""
    update = TaskUpdate(
        task=task,
        on=on,
        status=status,
        note=note,
        recorded_by=by if by is not None and by.pk else None,
    )
    if evidence is not None:
        evidence_check(evidence)  # the same content checks as the self-assessment's evidence
        update.evidence.save(evidence.name or "evidence", evidence, save=False)
    update.full_clean()
    update.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=update, after=snapshot(update))
    return update


@transaction.atomic
def task_update_add(
    *,
    task: PlanTask,
    on: dt.date,
    status: TaskStatus,
    note: str,
    evidence: UploadedFile[Any] | None,
    by: User,
) -> TaskUpdate:
    """Report progress on a task from its page, as a writer of its owner unit.

    An update speaks of what has happened: dated after today, it would change the status
    shown (and the report's counts) only on that day, without anyone noticing.
    """
    today = timezone.localdate()
    if on > today:
        raise ValidationError(
            {
                "on": _(
                    "The date cannot be after today ({today}): record progress once it has "
                    "happened."
                ).format(today=today.strftime("%d/%m/%Y"))
            }
        )
    return task_update_record(task=task, on=on, status=status, by=by, note=note, evidence=evidence)
