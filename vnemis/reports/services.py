"""Writes of reports: drafts, their edits, finalising (which locks) and new versions."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.indicators.periods import parse_period
from vnemis.organisations.models import OrgUnit
from vnemis.reports.choices import ReportKind, ReportStatus
from vnemis.reports.letterhead import FIELDS as SETTINGS_FIELDS
from vnemis.reports.letterhead import letterhead_for
from vnemis.reports.models import ReportDocument, ReportSettings
from vnemis.reports.rendering import render_docx
from vnemis.reports.selectors import period_label

EDITABLE = (
    "number",
    "signed_on",
    "basis",
    "steering_plan",
    "steering_directions",
    "steering_results",
    "assessment",
    "next_tasks",
    "recommendations",
    "recipients",
    "archive_unit",
    "signer_authority",
    "signer_title",
    "signer_name",
)
# The draft fields a new draft takes from the unit's report settings.
SIGNATURE_FIELDS = ("archive_unit", "signer_authority", "signer_title", "signer_name")


@transaction.atomic
def report_draft_get_or_create(
    *,
    unit: OrgUnit,
    period_code: str,
    by: Any,
    kind: ReportKind = ReportKind.DX_SEMIANNUAL,
) -> ReportDocument:
    """The open draft of a report, or a new one whose text starts from the latest version
    (of this period, else of the period before)."""
    period = parse_period(period_code)
    period_label(period)  # refuses periods the report does not cover
    draft = ReportDocument.objects.filter(
        kind=kind, unit=unit, period=period.code, status=ReportStatus.DRAFT
    ).first()
    if draft is not None:
        return draft
    latest = (
        ReportDocument.objects.filter(kind=kind, unit=unit, period=period.code)
        .order_by("-version")
        .first()
        or ReportDocument.objects.filter(kind=kind, unit=unit, period=period.previous().code)
        .order_by("-version")
        .first()
    )
    version = 1
    # A unit's first report is signed as its settings say; later ones as the last one was.
    letterhead = letterhead_for(unit)
    fields: dict[str, Any] = {name: getattr(letterhead, name) for name in SIGNATURE_FIELDS}
    if latest is not None:
        fields = {f: getattr(latest, f) for f in EDITABLE}
        if latest.period == period.code:
            version = latest.version + 1
        else:
            fields.update(number="", signed_on=None)
    draft = ReportDocument(kind=kind, unit=unit, period=period.code, version=version, **fields)
    draft.full_clean()
    draft.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=draft, after=snapshot(draft))
    return draft


@transaction.atomic
def report_draft_update(*, document: ReportDocument, by: Any, **fields: Any) -> ReportDocument:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    locked = ReportDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_locked:
        raise ValidationError(_("A final report is locked; start a new version to change it."))
    before = snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=locked, before=before, after=snapshot(locked)
    )
    return locked


@transaction.atomic
def report_finalize(*, document: ReportDocument, by: Any) -> ReportDocument:
    """Render the DOCX once, keep it with its checksum, and lock this version."""
    locked = ReportDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_locked:
        raise ValidationError(_("This report is already final."))
    content = render_docx(locked)
    name = f"{locked.kind}-{locked.unit.code}-{locked.period}-v{locked.version}.docx"
    locked.file.save(name, ContentFile(content), save=False)
    locked.sha256 = hashlib.sha256(content).hexdigest()
    locked.status = ReportStatus.FINAL
    locked.finalized_at = timezone.now()
    locked.finalized_by = by if getattr(by, "pk", None) else None
    locked.save()
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=locked,
        after={"status": "final", "sha256": locked.sha256},
    )
    return locked


@transaction.atomic
def report_settings_update(*, unit: OrgUnit, by: Any, **fields: Any) -> ReportSettings:
    """Save how ``unit`` heads and signs its reports; the first save starts from the defaults.

    Drafts already started keep their signer; new drafts take it from these settings.
    """
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not settings: {sorted(unknown)}")
    saved = ReportSettings.objects.select_for_update().filter(unit=unit).first()
    if saved is None:
        defaults = letterhead_for(unit)
        saved = ReportSettings(unit=unit, **{n: getattr(defaults, n) for n in SETTINGS_FIELDS})
        before = None
    else:
        before = snapshot(saved)
    for name, value in fields.items():
        setattr(saved, name, value)
    saved.full_clean()
    saved.save()
    audit_record(
        actor=by,
        verb=AuditVerb.CREATED if before is None else AuditVerb.UPDATED,
        target=saved,
        before=before,
        after=snapshot(saved),
    )
    return saved
