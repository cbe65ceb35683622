"""Writes of digital-transformation facts. Profiles are appended, never overwritten."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.core.uploads import evidence_check
from vnemis.digital.choices import FactSource, SelfAssessmentAction, SelfAssessmentStatus
from vnemis.digital.models import (
    Criterion,
    CriterionScore,
    DigitalProfile,
    SelfAssessment,
    SelfAssessmentEvent,
    StudentRecord,
)
from vnemis.digital.selfassessment import (
    GROUP_POINTS,
    OBSERVERS,
    deadlines_for,
    level_for,
    points_for,
)
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.organisations.stale import units_stale
from vnemis.people.models import Student

FACT_FIELDS = (
    "internet",
    "has_website",
    "website",
    "cashless_payment",
    "contact_book",
    "it_in_management",
    "basic_ict",
)


def _refresh_on_commit(unit_ids: list[int], changed_from: dt.date) -> None:
    """Ask for the indicator values of these units to be recounted after commit, once."""
    units_stale(unit_ids=unit_ids, since=changed_from)


@transaction.atomic
def digital_profile_record(
    *,
    unit: OrgUnit,
    valid_from: dt.date,
    by: User | None,
    source: FactSource = FactSource.FORM,
    note: str = "",
    internet: str | None = None,
    has_website: bool | None = None,
    website: str | None = None,
    cashless_payment: bool | None = None,
    contact_book: bool | None = None,
    it_in_management: bool | None = None,
    basic_ict: bool | None = None,
) -> DigitalProfile:
    """Record a school's or site's facts from ``valid_from`` on; the earlier history stays.

    A fact left as None keeps its value in the profile in force on ``valid_from``.
    """
    facts = {
        "internet": internet,
        "has_website": has_website,
        "website": website,
        "cashless_payment": cashless_payment,
        "contact_book": contact_book,
        "it_in_management": it_in_management,
        "basic_ict": basic_ict,
    }
    if unit.kind not in {OrgUnitKind.SCHOOL, OrgUnitKind.SITE}:
        raise ValidationError(
            _("Digital-transformation facts are recorded for schools and school sites.")
        )
    previous = DigitalProfile.objects.as_of(valid_from).filter(unit=unit).first()
    values = {f: getattr(previous, f) for f in FACT_FIELDS} if previous else {}
    values.update({f: v for f, v in facts.items() if v is not None})
    if not values.get("has_website"):
        values["website"] = ""
    profile = DigitalProfile(
        unit=unit,
        valid_from=valid_from,
        source=source,
        note=note,
        recorded_by=by if by is not None and by.pk else None,
        **values,
    )
    profile.full_clean()
    profile.save()
    audit_record(
        actor=by,
        verb=AuditVerb.CREATED,
        target=profile,
        before=snapshot(previous) if previous else None,
        after=snapshot(profile),
    )
    _refresh_on_commit([unit.pk], valid_from)
    return profile


@transaction.atomic
def student_record_set(
    *,
    student: Student,
    school_year: SchoolYear,
    by: User | None,
    results_received_on: dt.date | None = None,
    transcript_issued_on: dt.date | None = None,
) -> StudentRecord:
    """Record that a student's results arrived or transcript was issued in a school year."""
    record, _created = StudentRecord.objects.get_or_create(student=student, school_year=school_year)
    before = snapshot(record)
    if results_received_on is not None:
        record.results_received_on = results_received_on
    if transcript_issued_on is not None:
        record.transcript_issued_on = transcript_issued_on
    record.full_clean()
    record.save()
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=record, before=before, after=snapshot(record)
    )
    school_ids = list(
        student.enrollments.filter(school_year=school_year).values_list("school_id", flat=True)
    )
    days = [d for d in (results_received_on, transcript_issued_on) if d is not None]
    if days and school_ids:
        _refresh_on_commit(school_ids, min(days))
    return record


# The school changes its assessment only while it is its own: a draft, or one returned to it.
EDITABLE = frozenset({SelfAssessmentStatus.DRAFT, SelfAssessmentStatus.RETURNED})


def self_assessment_editable_check(assessment: SelfAssessment) -> None:
    """Refuse, with the reason, a change to an assessment the school no longer holds."""
    if assessment.status not in EDITABLE:
        raise ValidationError(
            _(
                "The self-assessment is “{status}”: it can no longer be changed. Ask the office "
                "to return it if something must be corrected."
            ).format(status=assessment.get_status_display())
        )


@transaction.atomic
def self_assessment_prepare(
    *, school: OrgUnit, school_year: SchoolYear, day: dt.date, by: User | None
) -> SelfAssessment:
    """Open (or refresh) a school's QĐ 4725 self-assessment; criteria vnemis observes are
    filled in from its records, the others wait for the school's own scoring. A criterion no
    longer observed loses the score vnemis gave it, so that no stale figure stays automatic."""
    assessment, created = SelfAssessment.objects.get_or_create(
        school=school, school_year=school_year
    )
    self_assessment_editable_check(assessment)
    existing = {s.criterion_id: s for s in assessment.scores.all()}
    for criterion in Criterion.objects.all():
        score = existing.get(criterion.pk) or CriterionScore(
            assessment=assessment, criterion=criterion
        )
        observe = OBSERVERS.get(criterion.observed)
        if observe is not None and (score.pk is None or score.automatic):
            seen = observe(school, school_year, day)
            score.points = points_for(criterion.max_points, seen.share)
            score.met = seen.share > 0
            score.automatic = True
            score.note = seen.note[:255]
        elif observe is None and score.automatic:
            score.points, score.met, score.automatic, score.note = 0, False, False, ""
        score.full_clean(exclude=["assessment"])
        score.save()
    if created:
        audit_record(actor=by, verb=AuditVerb.CREATED, target=assessment)
    return assessment


def _points_check(criterion: Criterion, points: int) -> None:
    if not criterion.mandatory and not 0 <= points <= criterion.max_points:
        raise ValidationError(
            {"points": _("Between 0 and {max} points.").format(max=criterion.max_points)}
        )


@transaction.atomic
def criterion_score_set(
    *,
    score: CriterionScore,
    by: User | None,
    points: int = 0,
    met: bool = False,
    note: str = "",
    evidence: Any = None,
) -> CriterionScore:
    """The school's own score on a criterion; it replaces what vnemis observed. An evidence
    file must pass ``core.uploads.evidence_check`` (type by content, size, no macros)."""
    criterion = score.criterion
    self_assessment_editable_check(score.assessment)
    if criterion.mandatory:
        points = 0
    _points_check(criterion, points)
    if evidence is not None:
        # By content, before anything is stored: a name ending in .pdf proves nothing.
        evidence_check(evidence)
    before = snapshot(score)
    score.points, score.met, score.note, score.automatic = points, met, note, False
    if evidence is not None:
        score.evidence.save(evidence.name or "evidence", evidence, save=False)
    score.full_clean()
    score.save()
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=score, before=before, after=snapshot(score)
    )
    return score


@dataclass(frozen=True)
class ScoreEntry:
    """What the school typed for one criterion of a group's form."""

    code: str
    points: int
    met: bool
    note: str
    evidence: Any = None  # an uploaded file, or None to keep the one stored


@transaction.atomic
def self_assessment_group_save(
    *, assessment: SelfAssessment, group: str, entries: Sequence[ScoreEntry], by: User | None
) -> list[CriterionScore]:
    """Save a whole group's scores at once, all or nothing; return the criteria changed.

    A criterion whose values are as stored is left alone, so a score vnemis observed stays
    automatic (and keeps following the records) unless the school changes it. Each changed
    criterion gets its own audit entry with its before and after, so that the log answers
    "who changed 1.4, from what" as for a single save. Errors are raised per criterion code.
    """
    self_assessment_editable_check(assessment)
    scores = {
        s.criterion.code: s
        for s in assessment.scores.select_related("criterion").filter(criterion__group=group)
    }
    errors: dict[str, list[str]] = {}
    for entry in entries:
        score = scores.get(entry.code)
        if score is None:
            errors[entry.code] = [
                _("This criterion is not part of group {group}.").format(group=group)
            ]
            continue
        try:
            _points_check(score.criterion, entry.points)
            if entry.evidence is not None:
                evidence_check(entry.evidence)
        except ValidationError as exc:
            errors[entry.code] = exc.messages
    # Every file is checked before any is stored: a refusal leaves nothing behind.
    if errors:
        raise ValidationError(errors)
    changed = []
    for entry in entries:
        score = scores[entry.code]
        points = 0 if score.criterion.mandatory else entry.points
        same = (score.points, score.met, score.note) == (points, entry.met, entry.note)
        if same and entry.evidence is None:
            continue
        changed.append(
            criterion_score_set(
                score=score,
                by=by,
                points=points,
                met=entry.met,
                note=entry.note,
                evidence=entry.evidence,
            )
        )
    return changed


# --- The yearly cycle ------------------------------------------------------------------------


def _step(
    *,
    assessment: SelfAssessment,
    action: SelfAssessmentAction,
    allowed: set[SelfAssessmentStatus],
    to: SelfAssessmentStatus | None,
    by: User | None,
    comment: str = "",
    late: bool = False,
    submitted_at: dt.datetime | None = None,
    submitted_late: bool | None = None,
    external_group_i: int | None = None,
    external_group_ii: int | None = None,
    external_level: int | None = None,
    external_late: bool | None = None,
    published_at: dt.datetime | None = None,
) -> SelfAssessment:
    """Move ``assessment`` to ``to`` (None: it stays where it is) if it stands in one of
    ``allowed``; record the step in its history and the audit log."""
    # Locked: the school submitting and the office returning at the same moment must not both
    # start from the old status.
    locked = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status not in allowed:
        raise ValidationError(
            _("This cannot be done while the self-assessment is “{status}”.").format(
                status=locked.get_status_display()
            )
        )
    before = snapshot(locked)
    if to is not None:
        locked.status = to
    # Each step sets its own fields; None leaves a field as the earlier steps left it.
    if submitted_at is not None:
        locked.submitted_at = submitted_at
    if submitted_late is not None:
        locked.submitted_late = submitted_late
    if external_group_i is not None:
        locked.external_group_i = external_group_i
    if external_group_ii is not None:
        locked.external_group_ii = external_group_ii
    if external_level is not None:
        locked.external_level = external_level
    if external_late is not None:
        locked.external_late = external_late
    if published_at is not None:
        locked.published_at = published_at
    locked.full_clean()
    locked.save()
    SelfAssessmentEvent.objects.create(
        assessment=locked,
        action=action,
        status=locked.status,
        comment=comment,
        late=late,
        by=by if by is not None and by.pk else None,
        by_name=by.get_username() if by is not None else "",
    )
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=locked,
        before=before,
        after=snapshot(locked),
        note="self-assessment " + action.value,
    )
    return locked


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


@transaction.atomic
def self_assessment_submit(
    *, assessment: SelfAssessment, by: User | None, on: dt.date | None = None
) -> SelfAssessment:
    """The school sends its draft (or its corrected, returned assessment) to the office. After
    the deadline it is still accepted, and flagged late."""
    if not assessment.scores.exists():
        raise ValidationError(_("Start the self-assessment before submitting it."))
    day = _today(on)
    late = day > deadlines_for(assessment.school_year).submit
    return _step(
        assessment=assessment,
        action=SelfAssessmentAction.SUBMITTED,
        allowed={SelfAssessmentStatus.DRAFT, SelfAssessmentStatus.RETURNED},
        to=SelfAssessmentStatus.SUBMITTED,
        by=by,
        late=late,
        submitted_at=timezone.now(),
        submitted_late=late,
    )


def _last_submitter(assessment: SelfAssessment) -> int | None:
    event = (
        assessment.events.filter(action=SelfAssessmentAction.SUBMITTED)
        .order_by("-created_at", "-id")
        .first()
    )
    return event.by_id if event is not None else None


@transaction.atomic
def self_assessment_return(
    *, assessment: SelfAssessment, comment: str, by: User | None
) -> SelfAssessment:
    """The office sends the assessment back to the school, saying what to add or correct; the
    school can then edit it again and resubmit."""
    if not comment.strip():
        raise ValidationError(
            {"comment": _("Say what the school must add or correct before it resubmits.")}
        )
    return _step(
        assessment=assessment,
        action=SelfAssessmentAction.RETURNED,
        allowed={SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.APPROVED},
        to=SelfAssessmentStatus.RETURNED,
        by=by,
        comment=comment.strip(),
    )


@transaction.atomic
def self_assessment_approve(
    *, assessment: SelfAssessment, by: User | None, comment: str = ""
) -> SelfAssessment:
    """The office accepts the school's assessment. Whoever submitted it cannot approve it."""
    submitter = _last_submitter(assessment)
    if by is not None and submitter is not None and submitter == by.pk:
        raise ValidationError(
            _("You submitted this self-assessment: another officer must approve it.")
        )
    return _step(
        assessment=assessment,
        action=SelfAssessmentAction.APPROVED,
        allowed={SelfAssessmentStatus.SUBMITTED},
        to=SelfAssessmentStatus.APPROVED,
        by=by,
        comment=comment.strip(),
    )


@transaction.atomic
def self_assessment_assess(
    *,
    assessment: SelfAssessment,
    group_i: int,
    group_ii: int,
    by: User | None,
    comment: str = "",
    on: dt.date | None = None,
) -> SelfAssessment:
    """The office's external assessment: its own points per group and the level they give on
    the same scale. After the deadline it is recorded and flagged late."""
    for name, value in (("group_i", group_i), ("group_ii", group_ii)):
        if not 0 <= value <= GROUP_POINTS:
            raise ValidationError({name: _("Between 0 and {max} points.").format(max=GROUP_POINTS)})
    late = _today(on) > deadlines_for(assessment.school_year).external
    return _step(
        assessment=assessment,
        action=SelfAssessmentAction.EXTERNAL,
        allowed={SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.APPROVED},
        to=None,
        by=by,
        comment=comment.strip(),
        late=late,
        external_group_i=group_i,
        external_group_ii=group_ii,
        external_level=min(level_for(group_i), level_for(group_ii)),
        external_late=late,
    )


@transaction.atomic
def self_assessment_publish(*, assessment: SelfAssessment, by: User | None) -> SelfAssessment:
    """The office publishes the approved level; the assessment is then closed for the year."""
    return _step(
        assessment=assessment,
        action=SelfAssessmentAction.PUBLISHED,
        allowed={SelfAssessmentStatus.APPROVED},
        to=SelfAssessmentStatus.PUBLISHED,
        by=by,
        published_at=timezone.now(),
    )
