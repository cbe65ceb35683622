"""Task statuses and counts as of a date."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import PlanTask, Programme, TaskUpdate


@dataclass(frozen=True)
class TaskState:
    task: PlanTask
    status: str
    last_update: TaskUpdate | None


def task_states(*, programme: Programme, day: dt.date) -> list[TaskState]:
    """Each task with the status of its latest update on or before ``day``."""
    latest: dict[int, TaskUpdate] = {}
    for update in TaskUpdate.objects.filter(task__programme=programme, on__lte=day).order_by(
        "task_id", "on", "id"
    ):
        latest[update.task_id] = update
    return [
        TaskState(
            t, latest[t.pk].status if t.pk in latest else TaskStatus.NOT_STARTED, latest.get(t.pk)
        )
        for t in programme.tasks.select_related("owner").order_by("number")
    ]


@dataclass(frozen=True)
class ProgrammeCounts:
    programme: Programme
    assigned: int
    done: int
    not_done: int  # everything not done: not started, in progress, not done
    in_progress: int
    states: tuple[TaskState, ...]


def programme_counts(*, programme: Programme, day: dt.date) -> ProgrammeCounts:
    states = task_states(programme=programme, day=day)
    by_status = Counter(s.status for s in states)
    done = by_status[TaskStatus.DONE]
    return ProgrammeCounts(
        programme,
        len(states),
        done,
        len(states) - done,
        by_status[TaskStatus.IN_PROGRESS],
        tuple(states),
    )
