"""Building blocks every app shares: the timestamped base model and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vnemis.core.choices import AuditVerb


class BaseModel(models.Model):
    """Abstract base of every vnemis model: creation and last-change times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One line of the audit log: who did what to which record, and when.

    Every service that writes adds one, with the record's fields before and after the change.
    Officers' reads of a full personal record are logged too (verb ``viewed``), as the
    personal-data rules require. Entries are never updated or deleted by the application.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    verb = models.CharField(_("action"), max_length=40, choices=AuditVerb.choices)
    target_type = models.CharField(_("record type"), max_length=80, db_index=True)
    target_id = models.CharField(_("record id"), max_length=64, blank=True)
    target_repr = models.CharField(_("record"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.target_repr}"

    def changes(self) -> dict[str, tuple[Any, Any]]:
        """Fields whose value differs between ``before`` and ``after``."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


class QueuedTask(models.Model):
    """A background job waiting for, or run by, ``vnemis worker`` (the database task queue).

    Django's tasks API enqueues here when the ``database`` backend is chosen; the worker
    claims ready rows one at a time, so no broker is needed. While a task runs its worker
    refreshes ``heartbeat_at``; a running task whose heartbeat stops is put back by any other
    worker. ``attempts`` counts the runs begun, ``worker_ids`` who began them.
    """

    id = models.CharField(primary_key=True, max_length=32)
    task_path = models.CharField(_("task"), max_length=255)
    queue_name = models.CharField(_("queue"), max_length=64, default="default")
    priority = models.SmallIntegerField(_("priority"), default=0)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    status = models.CharField(_("status"), max_length=12, default="READY", db_index=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    run_after = models.DateTimeField(_("run after"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    worker_id = models.CharField(_("worker"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    worker_ids = models.JSONField(_("workers"), default=list, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        ordering = ["-priority", "enqueued_at"]

    def __str__(self) -> str:
        return f"{self.task_path} ({self.status})"


class Installation(models.Model):
    """The identity of this vnemis installation: one row, made on first use.

    Identifiers that vnemis writes into files other systems keep (OneRoster ``sourcedId``s)
    carry this code, so that a file from another installation, or from another program that
    happens to use the same naming, is never taken for this database's own records. It lives
    in the database, not in settings, so that a restored backup keeps its identity.
    """

    code = models.CharField(_("installation code"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installation")

    def __str__(self) -> str:
        return self.code


class CodeSequence(models.Model):
    """The last number issued in one family of record codes, such as the student codes of a
    province or the staff codes.

    A code is taken from here under a row lock, in the transaction that inserts its record:
    reading the largest code in use and adding one let two writers pick the same code, and the
    second one failed on the unique index. A number once issued is not issued again, even when
    the record that took it is rolled back or deleted.
    """

    family = models.CharField(_("code family"), max_length=40)
    # The part of the family the numbers run within, e.g. the province code of student codes;
    # empty when the family has one series.
    scope = models.CharField(_("scope"), max_length=40, blank=True)
    last_value = models.PositiveBigIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("code sequence")
        verbose_name_plural = _("code sequences")
        ordering = ["family", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["family", "scope"], name="codesequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.family}:{self.scope} = {self.last_value}"
