"""Task statuses and counts as of a date."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import PlanTask, Programme, TaskUpdate


@dataclass(frozen=True)
class TaskState:
    task: PlanTask
    status: str
    last_update: TaskUpdate | None

    @property
    def status_label(self) -> str:
        return str(TaskStatus(self.status).label)

    def overdue_on(self, day: dt.date) -> bool:
        """Past its deadline on ``day`` and not done; on the deadline itself it is still due."""
        deadline = self.task.deadline
        return deadline is not None and deadline < day and self.status != TaskStatus.DONE


def task_states_of(*, tasks: QuerySet[PlanTask], day: dt.date) -> list[TaskState]:
    """Each of ``tasks`` with the status of its latest update on or before ``day``, in the
    order of the programmes and of the tasks' numbers. Two queries, whatever the count."""
    latest: dict[int, TaskUpdate] = {}
    for update in TaskUpdate.objects.filter(task__in=tasks.values("pk"), on__lte=day).order_by(
        "task_id", "on", "id"
    ):
        latest[update.task_id] = update
    return [
        TaskState(
            t, latest[t.pk].status if t.pk in latest else TaskStatus.NOT_STARTED, latest.get(t.pk)
        )
        for t in tasks.select_related("owner", "programme").order_by(
            "programme__issued_on", "programme__code", "number"
        )
    ]


def task_states(*, programme: Programme, day: dt.date) -> list[TaskState]:
    """Each task of ``programme`` with the status of its latest update on or before ``day``."""
    return task_states_of(tasks=programme.tasks.all(), day=day)


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


@dataclass(frozen=True)
class ProgrammeSummary:
    """A programme's tasks, of those a user may see, counted by status and overdue on a day."""

    programme: Programme
    assigned: int
    by_status: dict[str, int]
    overdue: int

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        """(status, its label, count) for every status, in the order of ``TaskStatus``."""
        return [(s.value, str(s.label), self.by_status.get(s.value, 0)) for s in TaskStatus]


def programme_summaries(
    *, programmes: Iterable[Programme], tasks: QuerySet[PlanTask], day: dt.date
) -> list[ProgrammeSummary]:
    """For each of ``programmes``, its tasks among ``tasks`` counted as of ``day``; the
    states of all programmes are read at once (two queries for the whole list)."""
    states: dict[int, list[TaskState]] = {}
    programmes = list(programmes)
    chosen = tasks.filter(programme__in=[p.pk for p in programmes])
    for state in task_states_of(tasks=chosen, day=day):
        states.setdefault(state.task.programme_id, []).append(state)
    return [
        programme_summary(programme=p, states=states.get(p.pk, []), day=day) for p in programmes
    ]


def programme_summary(
    *, programme: Programme, states: Iterable[TaskState], day: dt.date
) -> ProgrammeSummary:
    """``states`` (tasks of ``programme``) counted by status, and those overdue on ``day``."""
    states = list(states)
    return ProgrammeSummary(
        programme=programme,
        assigned=len(states),
        by_status=dict(Counter(s.status for s in states)),
        overdue=sum(s.overdue_on(day) for s in states),
    )


def task_state(*, task: PlanTask, day: dt.date) -> TaskState:
    """``task`` with the status of its latest update on or before ``day``."""
    last = task.updates.filter(on__lte=day).order_by("-on", "-id").first()
    return TaskState(task, last.status if last else TaskStatus.NOT_STARTED, last)
