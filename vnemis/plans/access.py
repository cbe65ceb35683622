"""Who may see and report on programme tasks.

Officers (the Sở, the Phòng or commune, principals) see the tasks owned by a unit of their
subtree, and a programme when they see one of its tasks; a programme still without tasks is
seen by the Sở only. Progress is added by the writers of the owner unit's subtree (the Sở's
administrator, the school's principal). Teachers, parents and students see none of it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from vnemis.accounts.models import Viewer
from vnemis.organisations.scope import user_scope
from vnemis.plans.models import PlanTask, Programme, TaskUpdate


def tasks_for_user(*, user: Viewer, write: bool = False) -> QuerySet[PlanTask]:
    scope = user_scope(user)
    owners = scope.units("write_paths" if write else "paths")
    return PlanTask.objects.filter(owner__in=owners.values("pk"))


def task_get_for_user(*, user: Viewer, pk: int, write: bool = False) -> PlanTask:
    # 404, not 403: a principal must not learn which tasks other units own.
    return get_object_or_404(
        tasks_for_user(user=user, write=write).select_related("programme", "owner"), pk=pk
    )


def programmes_for_user(*, user: Viewer) -> QuerySet[Programme]:
    visible = Q(pk__in=tasks_for_user(user=user).values("programme_id"))
    scope = user_scope(user)
    # A programme is only entered by code, before its tasks; the Sở (a scope holding a tree's
    # root) sees it from then on, so that it does not seem lost.
    if scope.holds_a_root():
        visible |= ~Q(pk__in=PlanTask.objects.values("programme_id"))
    return Programme.objects.filter(visible)


def programme_get_for_user(*, user: Viewer, pk: int) -> Programme:
    return get_object_or_404(programmes_for_user(user=user), pk=pk)


def task_updates_for_user(*, user: Viewer) -> QuerySet[TaskUpdate]:
    return TaskUpdate.objects.filter(task__in=tasks_for_user(user=user).values("pk"))


def task_update_get_for_user(*, user: Viewer, pk: int) -> TaskUpdate:
    return get_object_or_404(task_updates_for_user(user=user).select_related("task"), pk=pk)
