"""Filters of the plan tasks, shared by the programme's task list, its export and the API.
They filter a queryset already scoped by ``access.tasks_for_user``.

A task's status is the one of its latest progress update on or before a day
(``selectors.task_states_of``); the status filter computes it the same way, in the query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vnemis.core.filtersets import FilterSet, TextFilter
from vnemis.core.text import fold
from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import PlanTask, TaskUpdate

STATUS_NOW = "status_now"


def task_status_on(tasks: QuerySet[PlanTask], day: dt.date) -> QuerySet[PlanTask]:
    """``tasks`` annotated with ``status_now``: the status of the latest update on or before
    ``day`` (the latest by date, then by entry), or "not started" without one."""
    latest = (
        TaskUpdate.objects.filter(task=OuterRef("pk"), on__lte=day)
        .order_by("-on", "-id")
        .values("status")[:1]
    )
    status = Coalesce(Subquery(latest), Value(TaskStatus.NOT_STARTED.value))
    return tasks.annotate(**{STATUS_NOW: status})


def title_matches(query: str, title: str) -> bool:
    """Whether every word of ``query`` is in ``title``, ignoring case and accents ("chuyen
    doi so" finds "Chuyển đổi số")."""
    haystack = fold(title)
    return all(word in haystack for word in fold(query).split())


class PlanTaskFilterSet(FilterSet):
    """Tasks: by programme, owner unit, status today, overdue today, and words of the title."""

    programme = TextFilter(field_name="programme__code", label=_("Programme"), max_length=40)
    owner = TextFilter(field_name="owner__code", label=_("Owner unit"), max_length=32)
    status = django_filters.ChoiceFilter(
        choices=TaskStatus.choices, label=_("Status"), method="with_status"
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"),
        method="only_overdue",
        widget=django_filters.widgets.BooleanWidget(),
    )
    q = TextFilter(label=_("Task"), method="search")

    class Meta:
        model = PlanTask
        fields = ["programme", "owner", "status", "overdue", "q"]

    def with_status(self, queryset: QuerySet[PlanTask], name: str, value: str) -> Any:
        # By name: the annotation is made in task_status_on, out of the type checker's sight.
        return task_status_on(queryset, timezone.localdate()).filter(**{STATUS_NOW: value})

    def only_overdue(self, queryset: QuerySet[PlanTask], name: str, value: bool) -> Any:
        if not value:
            return queryset
        # Past the deadline and not done; on the deadline itself a task is still due.
        today = timezone.localdate()
        return (
            task_status_on(queryset, today)
            .filter(deadline__lt=today)
            .exclude(**{STATUS_NOW: TaskStatus.DONE})
        )

    def search(self, queryset: QuerySet[PlanTask], name: str, value: str) -> Any:
        # Titles are folded in Python, the same way on SQLite and PostgreSQL (tasks have no
        # stored search key); a province's programmes hold a few hundred tasks.
        ids = [
            pk for pk, title in queryset.values_list("pk", "title") if title_matches(value, title)
        ]
        return queryset.filter(pk__in=ids)
