"""Digital-transformation facts of schools, sites and students, kept with their history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from vnemis.core.models import BaseModel
from vnemis.digital.choices import (
    FactSource,
    InternetConnection,
    SelfAssessmentAction,
    SelfAssessmentStatus,
)


class DigitalProfileQuerySet(models.QuerySet["DigitalProfile"]):
    def as_of(self, day: dt.date) -> DigitalProfileQuerySet:
        """For each unit, the profile in force on ``day``: the latest one starting by then."""
        latest = (
            DigitalProfile.objects.filter(unit=OuterRef("unit"), valid_from__lte=day)
            .order_by("-valid_from", "-id")
            .values("id")[:1]
        )
        return self.filter(valid_from__lte=day, id=Subquery(latest))


class DigitalProfile(BaseModel):
    """What a school or school site has in place for digital transformation, from a date on.

    Profiles are never overwritten: a change is a new profile with a later ``valid_from``,
    so any past date can be counted as it was. The fields are those the Department's
    semi-annual report counts.
    """

    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school or site"),
        on_delete=models.PROTECT,
        related_name="digital_profiles",
    )
    valid_from = models.DateField(_("valid from"))
    internet = models.CharField(
        _("Internet connection"), max_length=8, choices=InternetConnection.choices
    )
    has_website = models.BooleanField(_("own website"), default=False)
    website = models.URLField(_("website address"), blank=True)
    cashless_payment = models.BooleanField(_("cashless fee payment"), default=False)
    contact_book = models.BooleanField(_("electronic contact book"), default=False)
    it_in_management = models.BooleanField(_("IT used in management"), default=False)
    basic_ict = models.BooleanField(_("basic ICT infrastructure"), default=False)
    source = models.CharField(_("source"), max_length=8, choices=FactSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = DigitalProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("digital profile")
        verbose_name_plural = _("digital profiles")
        ordering = ["unit", "-valid_from", "-id"]
        indexes = [models.Index(fields=["unit", "valid_from"], name="digitalprofile_unit_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(has_website=True) | Q(website=""), name="profile_website_flag"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.valid_from:%d/%m/%Y})"


# The profile's columns in the order the bulk loaders (demo, benchmarks) write them.
PROFILE_COLUMNS = (
    "unit",
    "valid_from",
    "internet",
    "has_website",
    "website",
    "cashless_payment",
    "contact_book",
    "it_in_management",
    "basic_ict",
    "source",
    "recorded_by",
    "note",
)


class StudentRecord(BaseModel):
    """What the sector database holds for a student in a school year.

    ``results_received_on``: learning results received from the school's software;
    ``transcript_issued_on``: the electronic transcript (học bạ số) issued.
    """

    student = models.ForeignKey(
        "people.Student",
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="digital_records",
    )
    school_year = models.ForeignKey(
        "organisations.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    results_received_on = models.DateField(_("learning results received on"), null=True, blank=True)
    transcript_issued_on = models.DateField(
        _("electronic transcript issued on"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("student digital record")
        verbose_name_plural = _("student digital records")
        ordering = ["school_year", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"], name="studentrecord_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.school_year}"


class Criterion(BaseModel):
    """A criterion of the QĐ 4725/QĐ-BGDĐT digital-transformation index of a school.

    ``group`` is I (teaching, learning, assessment) or II (administration). A mandatory
    criterion has no points: it is met or not. ``observed`` names what vnemis can observe
    itself to fill the criterion in (see ``digital.selfassessment.OBSERVERS``).
    """

    code = models.CharField(_("code"), max_length=10, unique=True)
    group = models.CharField(_("group"), max_length=2)
    title = models.CharField(_("criterion"), max_length=255)
    max_points = models.PositiveSmallIntegerField(_("maximum points"), default=0)
    mandatory = models.BooleanField(_("mandatory condition"), default=False)
    observed = models.CharField(_("observed by vnemis"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("QĐ 4725 criterion")
        verbose_name_plural = _("QĐ 4725 criteria")
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class SelfAssessment(BaseModel):
    """A school's self-assessment against QĐ 4725 for a school year, and where it stands in
    the yearly cycle: the school fills it in and submits it; the office above the school (the
    Phòng or the Sở) approves it or returns it, may record its own external assessment, and
    publishes the level. The school edits only a draft or a returned assessment.
    """

    school = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="self_assessments",
    )
    school_year = models.ForeignKey(
        "organisations.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SelfAssessmentStatus.choices,
        default=SelfAssessmentStatus.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Submitted after the yearly deadline: flagged for the office, never refused.
    submitted_late = models.BooleanField(_("submitted late"), default=False)
    # The office's own assessment (the DTI portal's "đánh giá ngoài"): points per group and the
    # level they give on the same scale.
    external_group_i = models.PositiveSmallIntegerField(
        _("external points, group I"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    external_group_ii = models.PositiveSmallIntegerField(
        _("external points, group II"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    external_level = models.PositiveSmallIntegerField(_("external level"), null=True, blank=True)
    external_late = models.BooleanField(_("external assessment late"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("DX self-assessment")
        verbose_name_plural = _("DX self-assessments")
        ordering = ["school_year", "school"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"], name="selfassessment_unique_year"
            ),
            models.CheckConstraint(
                condition=Q(external_group_i__isnull=True) | Q(external_group_i__lte=100),
                name="selfassessment_external_i_max",
            ),
            models.CheckConstraint(
                condition=Q(external_group_ii__isnull=True) | Q(external_group_ii__lte=100),
                name="selfassessment_external_ii_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} – {self.school_year}"


class CriterionScore(BaseModel):
    """The points (or met/not met) a school gives itself on one criterion, with evidence."""

    assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    met = models.BooleanField(_("met"), default=False)
    automatic = models.BooleanField(_("filled in by vnemis"), default=False)
    evidence = models.FileField(_("evidence file"), upload_to="selfassessment/%Y/", blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["assessment", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.points}"


class SelfAssessmentEvent(BaseModel):
    """One step of a self-assessment's yearly cycle (submitted, returned with comments,
    approved, assessed externally, published): the history shown on the assessment's page."""

    assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=16, choices=SelfAssessmentAction.choices)
    status = models.CharField(
        _("status after"), max_length=16, choices=SelfAssessmentStatus.choices
    )
    comment = models.TextField(_("comment"), blank=True)
    late = models.BooleanField(_("after the deadline"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept apart from ``by``: the history must still name the person if the account goes.
    by_name = models.CharField(_("by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("self-assessment step")
        verbose_name_plural = _("self-assessment steps")
        ordering = ["assessment", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.assessment} – {self.action}"
