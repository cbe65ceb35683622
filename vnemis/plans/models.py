"""Programmes and plans of the province (QĐ 1634/QĐ-UBND, KH 49/KH-UBND) and their tasks.

A task's status is the one of its latest progress update on or before a date, so the counts a
report prints ("11 tasks, 10 done, 1 not done") come from the records, for any date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vnemis.core.models import BaseModel
from vnemis.plans.choices import TaskStatus


class Programme(BaseModel):
    """A programme or plan that assigns tasks to the sector (a QĐ, a KH)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    document_number = models.CharField(_("document number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.CharField(_("issued by"), max_length=120)
    title = models.CharField(_("title"), max_length=400)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["issued_on", "code"]

    def __str__(self) -> str:
        return f"{self.document_number} ({self.issued_on:%d/%m/%Y})"


class PlanTask(BaseModel):
    """A task (nhiệm vụ) of a programme, owned by an org unit, with a deadline."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="tasks"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=400)
    owner = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="plan_tasks",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="plantask_unique_number"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskUpdate(BaseModel):
    """A progress report on a task: its status from ``on``, a note and optional evidence."""

    task = models.ForeignKey(
        PlanTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="updates"
    )
    on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices)
    note = models.TextField(_("progress note"), blank=True)
    evidence = models.FileField(_("evidence file"), upload_to="plans/evidence/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("task update")
        verbose_name_plural = _("task updates")
        ordering = ["task", "-on", "-id"]

    def __str__(self) -> str:
        return f"{self.task} – {self.get_status_display()} ({self.on:%d/%m/%Y})"
