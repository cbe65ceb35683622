"""Writes of digital-transformation facts. Profiles are appended, never overwritten."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.core.stale import indicators_stale
from vnemis.core.uploads import evidence_check
from vnemis.digital.choices import FactSource
from vnemis.digital.models import (
    Criterion,
    CriterionScore,
    DigitalProfile,
    SelfAssessment,
    StudentRecord,
)
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear
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
    indicators_stale(unit_ids=unit_ids, since=changed_from)


@transaction.atomic
def digital_profile_record(
    *,
    unit: OrgUnit,
    valid_from: dt.date,
    by: Any,
    source: FactSource = FactSource.FORM,
    note: str = "",
    **facts: Any,
) -> DigitalProfile:
    """Record a school's or site's facts from ``valid_from`` on; the earlier history stays."""
    unknown = set(facts) - set(FACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown facts: {sorted(unknown)}")
    if unit.kind not in {OrgUnitKind.SCHOOL, OrgUnitKind.SITE}:
        raise ValidationError(
            _("Digital-transformation facts are recorded for schools and school sites.")
        )
    previous = DigitalProfile.objects.as_of(valid_from).filter(unit=unit).first()
    values = {f: getattr(previous, f) for f in FACT_FIELDS} if previous else {}
    values.update(facts)
    if not values.get("has_website"):
        values["website"] = ""
    profile = DigitalProfile(
        unit=unit,
        valid_from=valid_from,
        source=source,
        note=note,
        recorded_by=by if getattr(by, "pk", None) else None,
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
    by: Any,
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


@transaction.atomic
def self_assessment_prepare(
    *, school: OrgUnit, school_year: SchoolYear, day: dt.date, by: Any
) -> SelfAssessment:
    """Open (or refresh) a school's QĐ 4725 self-assessment; criteria vnemis observes are
    filled in from its records, the others wait for the school's own scoring."""
    from vnemis.digital.selfassessment import OBSERVERS, points_for

    assessment, created = SelfAssessment.objects.get_or_create(
        school=school, school_year=school_year
    )
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
        score.full_clean(exclude=["assessment"])
        score.save()
    if created:
        audit_record(actor=by, verb=AuditVerb.CREATED, target=assessment)
    return assessment


@transaction.atomic
def criterion_score_set(
    *,
    score: CriterionScore,
    by: Any,
    points: int = 0,
    met: bool = False,
    note: str = "",
    evidence: Any = None,
) -> CriterionScore:
    """The school's own score on a criterion; it replaces what vnemis observed. An evidence
    file must pass ``core.uploads.evidence_check`` (type by content, size, no macros)."""
    criterion = score.criterion
    if criterion.mandatory:
        points = 0
    elif not 0 <= points <= criterion.max_points:
        raise ValidationError(
            {"points": _("Between 0 and {max} points.").format(max=criterion.max_points)}
        )
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
