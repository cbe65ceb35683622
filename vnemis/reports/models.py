"""Official reports: a draft whose narrative officers write, then a locked final version."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vnemis.core.models import BaseModel
from vnemis.indicators.periods import parse_period
from vnemis.reports.choices import ReportKind, ReportStatus

# More copies than this in the office's archive is a typing slip, not a practice.
MAX_ARCHIVE_COPIES = 99


class ReportDocument(BaseModel):
    """One version of a report of a unit for a period.

    Figures are not stored here: they are read from the indicators when the document is
    rendered. What officers write is: the basis, the narrative sections (II and IV), the tasks
    for the next period, the distribution list and the signature. Finalising renders the DOCX
    once, stores it with its checksum and locks the version; a change afterwards starts a new
    draft version.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=ReportKind.choices)
    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    period = models.CharField(_("period"), max_length=12)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    signed_on = models.DateField(_("date"), null=True, blank=True)
    basis = models.TextField(_("basis (Căn cứ)"), blank=True)
    steering_plan = models.CharField(_("steering committee plan"), max_length=255, blank=True)
    steering_directions = models.CharField(
        _("steering committee notices"), max_length=400, blank=True
    )
    steering_results = models.TextField(_("results of the steering tasks"), blank=True)
    assessment = models.TextField(_("II. General assessment and difficulties"), blank=True)
    next_tasks = models.TextField(_("III. Tasks for the next period (one per line)"), blank=True)
    recommendations = models.TextField(_("IV. Recommendations"), blank=True)
    addressees = models.TextField(
        _("Addressed to (Kính gửi), one per line"),
        blank=True,
        help_text=_(
            "The bodies the report is sent to for action, when it goes to a higher body; the "
            "distribution list then starts with “Như trên”."
        ),
    )
    recipients = models.TextField(_("Distribution list (one per line)"), blank=True)
    archive_unit = models.CharField(_("drafting unit (Lưu: VT, …)"), max_length=40, blank=True)
    archive_copies = models.PositiveSmallIntegerField(
        _("copies kept in the archive"),
        default=0,
        validators=[MaxValueValidator(MAX_ARCHIVE_COPIES)],
        help_text=_(
            "Written after the drafting unit, e.g. “Lưu: VT, GDTrH, 02b.”; 0 leaves it out."
        ),
    )
    signer_authority = models.CharField(_("signing authority"), max_length=60, blank=True)
    signer_title = models.CharField(_("signer's position"), max_length=60, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    file = models.FileField(_("final document"), upload_to="reports/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    finalized_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period", "unit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "period", "version"], name="report_unique_version"
            ),
            models.UniqueConstraint(
                fields=["kind", "unit", "period"],
                condition=Q(status="draft"),
                name="report_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(sha256=""), name="report_final_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit} {self.period_label} v{self.version}"

    @property
    def period_label(self) -> str:
        """The period as officials write it: "6 tháng đầu năm 2022"."""
        try:
            return parse_period(self.period).label
        except ValueError:
            return self.period

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.FINAL

    def lines(self, field: str) -> tuple[str, ...]:
        return tuple(line.strip() for line in getattr(self, field).splitlines() if line.strip())


class ReportSettings(BaseModel):
    """How a unit heads and signs its reports (Nghị định 30/2020, Phụ lục I).

    A unit without a row uses the defaults derived from its kind and its place in the tree
    (``letterhead.settings_defaults``); the row is written when a writer of the unit first
    changes them. The signer fields seed every new draft, which may then change them.
    """

    unit = models.OneToOneField(
        "organisations.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="report_settings",
    )
    parent_agency = models.CharField(
        _("governing body (first header line)"), max_length=120, blank=True
    )
    agency = models.CharField(_("issuing body (second header line)"), max_length=120)
    agency_in_text = models.CharField(_("name of the unit in the text"), max_length=200)
    agency_symbol = models.CharField(_("symbol of the unit in document numbers"), max_length=30)
    place = models.CharField(_("place name of the date line"), max_length=60)
    signer_authority = models.CharField(_("signing authority"), max_length=60, blank=True)
    signer_title = models.CharField(_("signer's position"), max_length=60)
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    archive_unit = models.CharField(_("drafting unit (Lưu: VT, …)"), max_length=40, blank=True)
    archive_copies = models.PositiveSmallIntegerField(
        _("copies kept in the archive"),
        default=0,
        validators=[MaxValueValidator(MAX_ARCHIVE_COPIES)],
    )

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return f"{self.unit}: {self.agency_symbol}"
