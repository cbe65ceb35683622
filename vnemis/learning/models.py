"""Learning results: the subject catalogue, who teaches what, the gradebook, and what is
derived from it (year results), with the locks, corrections and publication rules around it.

The numbers themselves are computed by the pure regime modules (``learning.regimes``); the
tables keep what teachers enter and, for fast reading, the term averages and year results the
regime computed from it (``Mark.average``, ``YearResult``), recomputed whenever an input
changes (``learning.services``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from vnemis.core.models import BaseModel
from vnemis.learning.choices import (
    AssessmentMode,
    CopyKind,
    CorrectionStatus,
    Regime,
    ReleaseColumn,
    Term,
    TranscriptStatus,
)

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


def _score(
    label: StrOrPromise,
) -> models.DecimalField[Decimal | float | str | None, Decimal | None]:
    return models.DecimalField(
        label,
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
    )


class Subject(BaseModel):
    """A subject as one regime assesses it in one grade (the catalogue).

    Filled from the national catalogue in code (``regimes.catalogue``) by
    ``catalogue_sync``; a province may add local subjects or change a subject's periods per
    year, which then decide the number of regular scores.
    """

    regime = models.CharField(_("regime"), max_length=8, choices=Regime.choices)
    grade = models.PositiveSmallIntegerField(pgettext_lazy("grade level", "grade"))
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=80)
    mode = models.CharField(_("assessed by"), max_length=8, choices=AssessmentMode.choices)
    periods_per_year = models.PositiveSmallIntegerField(_("periods per year"), null=True)
    core = models.BooleanField(_("core subject"), default=False)
    elective = models.BooleanField(_("elective"), default=False)
    tested = models.BooleanField(_("periodic tests"), default=False)
    mid_tested = models.BooleanField(_("mid-term tests"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["regime", "grade", "position"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "grade", "code"], name="subject_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.grade}, {self.regime})"


class TeachingAssignment(BaseModel):
    """Who teaches a subject to a class: the only teacher who enters its scores."""

    school_class = models.ForeignKey(
        "people.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="teaching_assignments",
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="+"
    )
    teacher = models.ForeignKey(
        "people.Staff",
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teaching_assignments",
    )

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        ordering = ["school_class", "subject__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject"], name="assignment_unique_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} – {self.subject.name}"


class Mark(BaseModel):
    """What a teacher entered for one student, subject and term, and the term result.

    Scored subjects: up to four regular scores ``r1``–``r4`` (their number is fixed by the
    periods per year), the mid-term and end-of-term scores; ``average`` is the term average
    the regime computed. Comment subjects: ``regular_results`` (Đạt / Chưa đạt per regular
    assessment), ``mid_result``, ``final_result`` and the term ``result``. Primary subjects:
    the levels at mid-term and end of term in ``mid_result`` and ``result``, the periodic
    test scores in ``midterm`` and ``final``.
    """

    student = models.ForeignKey(
        "people.Student", verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.ForeignKey(
        "organisations.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="+"
    )
    term = models.PositiveSmallIntegerField(_("term"), choices=Term.choices)
    r1 = _score(_("regular 1"))
    r2 = _score(_("regular 2"))
    r3 = _score(_("regular 3"))
    r4 = _score(_("regular 4"))
    midterm = _score(_("mid-term"))
    final = _score(_("end of term"))
    regular_results = models.JSONField(_("regular assessments"), default=list, blank=True)
    mid_result = models.CharField(_("mid-term result"), max_length=12, blank=True)
    final_result = models.CharField(_("end-of-term result"), max_length=12, blank=True)
    result = models.CharField(_("term result"), max_length=12, blank=True)
    average = _score(_("term average"))
    comment = models.TextField(_("comment"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        ordering = ["school_year", "student", "subject", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "subject", "term"], name="mark_unique_cell"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": 0, f"{name}__lte": 10}),
                    name=f"mark_{name}_range",
                )
                for name in ("r1", "r2", "r3", "r4", "midterm", "final", "average")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.subject_id} {self.term}"


class TermReport(BaseModel):
    """The homeroom teacher's record of one student and term: conduct (secondary) or the
    qualities and competencies (primary), days absent and the remark."""

    student = models.ForeignKey(
        "people.Student", verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.ForeignKey(
        "organisations.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    term = models.PositiveSmallIntegerField(_("term"), choices=Term.choices)
    conduct = models.CharField(_("conduct"), max_length=12, blank=True)
    traits = models.JSONField(_("qualities and competencies"), default=dict, blank=True)
    traits_mid = models.JSONField(
        _("qualities and competencies at mid-term"), default=dict, blank=True
    )
    # Term II only: the year's conduct when the homeroom teacher decides it (TT58), the
    # class's recommendation for an award (TT27, TT30) and the principal's decision for a
    # pupil who has not completed the grade (TT27, TT30).
    year_conduct = models.CharField(_("conduct of the year"), max_length=12, blank=True)
    recommended = models.BooleanField(_("recommended for an award"), default=False)
    decision = models.CharField(_("principal's decision"), max_length=16, blank=True)
    absences_excused = models.PositiveSmallIntegerField(_("sessions absent with leave"), default=0)
    absences_unexcused = models.PositiveSmallIntegerField(
        _("sessions absent without leave"), default=0
    )
    remark = models.TextField(_("remark"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("term report")
        verbose_name_plural = _("term reports")
        ordering = ["school_year", "student", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "term"], name="termreport_unique_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.school_year_id} {self.term}"


class YearResult(BaseModel):
    """A student's results of a school year as the regime computed them from the marks.

    ``outcome`` is the regime's full output (the calculator's JSON); the other fields repeat
    its headline codes for counting and filtering. A student with a year result is a "record
    with learning results" in the indicators.
    """

    student = models.ForeignKey(
        "people.Student", verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.ForeignKey(
        "organisations.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    school_class = models.ForeignKey(
        "people.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    grade = models.PositiveSmallIntegerField(pgettext_lazy("grade level", "grade"))
    regime = models.CharField(_("regime"), max_length=8, choices=Regime.choices)
    learning = models.CharField(_("learning result"), max_length=16, blank=True)
    conduct = models.CharField(_("conduct"), max_length=16, blank=True)
    award = models.CharField(_("award"), max_length=24, blank=True)
    promotion = models.CharField(_("promotion"), max_length=16, blank=True)
    outcome = models.JSONField(_("results"), default=dict)
    # The day the year's result was first complete: what the indicator "records with
    # learning results" counts on a date.
    recorded_on = models.DateField(_("recorded on"))

    class Meta:
        verbose_name = _("year result")
        verbose_name_plural = _("year results")
        ordering = ["school_year", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"], name="yearresult_unique_year"
            ),
        ]
        indexes = [models.Index(fields=["school_year", "school"], name="yearresult_school")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.school_year_id}"


class TermLock(BaseModel):
    """A term closed by the principal: from then on a change is a correction request."""

    school = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    school_year = models.ForeignKey(
        "organisations.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    term = models.PositiveSmallIntegerField(_("term"), choices=Term.choices)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("term lock")
        verbose_name_plural = _("term locks")
        ordering = ["school_year", "school", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "term"], name="termlock_unique_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year_id} {self.term}"


class Correction(BaseModel):
    """A teacher's change to a locked term, waiting for the principal's decision.

    ``before`` holds the values as they were when the request was made; ``after`` the typed
    cells asked for (column → text). Approving applies ``after`` through the same write path
    as the gradebook, so the same validation holds.
    """

    mark = models.ForeignKey(
        Mark,
        verbose_name=_("mark"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    term_report = models.ForeignKey(
        TermReport,
        verbose_name=_("term report"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    school = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    school_class = models.ForeignKey(
        "people.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mark__isnull=False, term_report__isnull=True)
                | Q(mark__isnull=True, term_report__isnull=False),
                name="correction_one_target",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"], name="correction_queue")]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"


class ResultChange(models.Model):
    """One change of a mark or a term report: before and after, who and when, and how
    (entry, import, approved correction). Append-only: nothing updates or deletes it."""

    mark = models.ForeignKey(
        Mark,
        verbose_name=_("mark"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
    )
    term_report = models.ForeignKey(
        TermReport,
        verbose_name=_("term report"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    via = models.CharField(_("how"), max_length=16)
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    correction = models.ForeignKey(
        Correction,
        verbose_name=_("correction request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("change of a result")
        verbose_name_plural = _("changes of results")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.via} {self.at:%Y-%m-%d %H:%M}"


class Release(BaseModel):
    """When a column of a class's results becomes visible to its students and their parents.

    A column is one kind of score of a subject and term (``subject`` set), or the class's
    summary of a term (``subject`` empty; column ``summary``: conduct, learning level and, in
    term II, the year results). Released when ``released_at`` is set (the teacher released
    it) or from ``release_on`` (a date set in advance). No rule, no release: a score is
    private to the school until it is released.
    """

    school_class = models.ForeignKey(
        "people.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="releases",
    )
    subject = models.ForeignKey(
        Subject,
        verbose_name=_("subject"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    term = models.PositiveSmallIntegerField(_("term"), choices=Term.choices)
    column = models.CharField(_("column"), max_length=10, choices=ReleaseColumn.choices)
    release_on = models.DateField(_("release on"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("publication rule")
        verbose_name_plural = _("publication rules")
        ordering = ["school_class", "term", "column"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject", "term", "column"],
                condition=Q(subject__isnull=False),
                name="release_unique_subject_column",
            ),
            models.UniqueConstraint(
                fields=["school_class", "term", "column"],
                condition=Q(subject__isnull=True),
                name="release_unique_class_column",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id} {self.subject_id} {self.term} {self.column}"


class Transcript(BaseModel):
    """A student's học bạ of one school year: the frozen content, its workflow and the signed
    PDF (domain-vn §4).

    ``content`` is the document's data as it was when the transcript was completed; the PDF
    is rendered from it and signed, first by the homeroom teacher, then by the school. A
    change of results after issue makes a new version (``version`` + 1) and revokes this
    one. ``code`` is what the public verification page takes.
    """

    student = models.ForeignKey(
        "people.Student", verbose_name=_("student"), on_delete=models.PROTECT, related_name="+"
    )
    school_year = models.ForeignKey(
        "organisations.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    school_class = models.ForeignKey(
        "people.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    grade = models.PositiveSmallIntegerField(pgettext_lazy("grade level", "grade"))
    regime = models.CharField(_("regime"), max_length=8, choices=Regime.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    # Keyed by the personal ID number as it stood when the content was frozen.
    national_id = models.CharField(_("personal ID number"), max_length=12, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TranscriptStatus.choices,
        default=TranscriptStatus.DRAFT,
    )
    content = models.JSONField(_("content"), default=dict)
    content_sha256 = models.CharField(_("content fingerprint"), max_length=64, blank=True)
    pdf = models.FileField(_("signed PDF"), upload_to="transcripts/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF fingerprint"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")
        ordering = ["school_year", "student", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "version"], name="transcript_unique_version"
            ),
        ]
        indexes = [
            models.Index(fields=["school_year", "school", "status"], name="transcript_school"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.status})"


class TranscriptStep(models.Model):
    """One step of a transcript's workflow, by whom and when. Append-only."""

    transcript = models.ForeignKey(
        Transcript, verbose_name=_("transcript"), on_delete=models.PROTECT, related_name="steps"
    )
    status = models.CharField(_("status"), max_length=16, choices=TranscriptStatus.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("transcript step")
        verbose_name_plural = _("transcript steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.transcript_id} {self.status}"


class TranscriptCopy(models.Model):
    """Every copy or extract of a transcript given out, and every send to the national
    store: to whom, why, by whom, and the fingerprint of the file given. Append-only."""

    transcript = models.ForeignKey(
        Transcript, verbose_name=_("transcript"), on_delete=models.PROTECT, related_name="copies"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CopyKind.choices)
    issued_to = models.CharField(_("issued to"), max_length=255, blank=True)
    purpose = models.CharField(_("purpose"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sha256 = models.CharField(_("fingerprint"), max_length=64)

    class Meta:
        verbose_name = _("transcript copy")
        verbose_name_plural = _("transcript copies")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.transcript_id} {self.kind}"


class SigningCredential(BaseModel):
    """A signing key and its certificate: a homeroom teacher's (``staff``) or a school's.

    The key is kept as PKCS#12 encrypted with the deployment's signing passphrase
    (``settings.TRANSCRIPT_KEY_PASSPHRASE``). A deployment with a licensed CA's remote
    signing service keeps only the certificate here (``pkcs12`` empty) and signs through it.
    """

    staff = models.ForeignKey(
        "people.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    school = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    certificate = models.TextField(_("certificate (PEM)"))
    pkcs12 = models.BinaryField(_("key (PKCS#12)"), blank=True)
    not_after = models.DateTimeField(_("valid until"))
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("signing credential")
        verbose_name_plural = _("signing credentials")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False, school__isnull=True)
                | Q(staff__isnull=True, school__isnull=False),
                name="credential_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id or self.school_id}"
