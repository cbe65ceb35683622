"""Export jobs: a list too long to build in the request, written to a file by the worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vnemis.core.models import BaseModel
from vnemis.exports.choices import ExportFormat, ExportKind, ExportStatus


class ExportJob(BaseModel):
    """One export of a list, asked for by a user with the list's filters.

    The worker reads the rows with the scope its creator has when it runs, so an officer who
    lost a district before the job ran does not receive that district's rows. Only the
    creator sees the job and downloads its file.
    """

    kind = models.CharField(_("list"), max_length=16, choices=ExportKind.choices)
    # The list's filters as the list's form cleaned them (JSON: text and numbers only).
    params = models.JSONField(_("filters"), default=dict, blank=True)
    format = models.CharField(
        _("format"), max_length=8, choices=ExportFormat.choices, default=ExportFormat.XLSX
    )
    # The language of the page the export was asked from: headers and labels follow it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    message = models.TextField(_("message"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="exportjob_owner")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_format_display()})"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
