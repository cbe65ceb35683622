"""Uploaded files and the import jobs that read them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vnemis.core.models import BaseModel
from vnemis.imports.choices import ImportKind, JobStatus


class ImportFile(BaseModel):
    """A file handed over for import, kept as received (with its checksum) whatever happens."""

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name


class ImportJob(BaseModel):
    """One run of an import over a file: a dry run or a commit, with its counts and log."""

    source = models.ForeignKey(
        ImportFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="jobs"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ImportKind.choices)
    scope_unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("within"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dry_run = models.BooleanField(_("dry run"), default=True)
    partial = models.BooleanField(_("write the valid rows only"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    written = models.BooleanField(_("written to the database"), default=False)
    error_report = models.FileField(
        _("error report"), upload_to="imports/errors/%Y/%m/", blank=True
    )
    message = models.TextField(_("message"), blank=True)
    # Plausibility warnings of the format (and notes of the reader), shown on the job's page.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # The first rejected rows as [line, reason], shown on the job's page; every rejected row,
    # with its cells, is in the error report.
    rejections = models.JSONField(_("first rejected rows"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.source}"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ExternalRef(BaseModel):
    """That a record of another system (a OneRoster sourcedId) is this vnemis record.

    Importing the same roster again finds its records through these, so nothing is
    duplicated, and an export can give the other system back its own identifiers.
    """

    system = models.CharField(_("source system"), max_length=64)
    record_type = models.CharField(_("record type"), max_length=32)
    external_id = models.CharField(_("external id"), max_length=255)
    target_type = models.CharField(_("vnemis record type"), max_length=80)
    target_id = models.BigIntegerField(_("vnemis record id"))

    class Meta:
        verbose_name = _("external reference")
        verbose_name_plural = _("external references")
        ordering = ["system", "record_type", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "record_type", "external_id"], name="externalref_unique"
            ),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="externalref_target")]

    def __str__(self) -> str:
        return f"{self.system}:{self.record_type}:{self.external_id}"
