"""Writes of reports: drafts, their edits, finalising (which locks) and new versions."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.core.keep import KEEP, Keep, given
from vnemis.indicators.periods import parse_period
from vnemis.organisations.models import OrgUnit
from vnemis.reports.choices import ReportKind, ReportStatus
from vnemis.reports.letterhead import FIELDS as SETTINGS_FIELDS
from vnemis.reports.letterhead import letterhead_for
from vnemis.reports.models import ReportDocument, ReportSettings
from vnemis.reports.registry import document_kind
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
    "addressees",
    "recipients",
    "archive_unit",
    "archive_copies",
    "signer_authority",
    "signer_title",
    "signer_name",
)
# The draft fields a new draft takes from the unit's report settings.
SIGNATURE_FIELDS = (
    "archive_unit",
    "archive_copies",
    "signer_authority",
    "signer_title",
    "signer_name",
)


@transaction.atomic
def report_draft_get_or_create(
    *,
    unit: OrgUnit,
    period_code: str,
    by: User | None,
    kind: str = ReportKind.DX_SEMIANNUAL,
) -> ReportDocument:
    """The open draft of a report, or a new one whose text starts from the latest version
    (of this period, else of the period before). An unknown kind or a period the report does
    not cover is a ReportError."""
    document_kind(kind)
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
def report_draft_update(
    *,
    document: ReportDocument,
    by: User | None,
    number: str | Keep = KEEP,
    signed_on: dt.date | None | Keep = KEEP,
    basis: str | Keep = KEEP,
    steering_plan: str | Keep = KEEP,
    steering_directions: str | Keep = KEEP,
    steering_results: str | Keep = KEEP,
    assessment: str | Keep = KEEP,
    next_tasks: str | Keep = KEEP,
    recommendations: str | Keep = KEEP,
    addressees: str | Keep = KEEP,
    recipients: str | Keep = KEEP,
    archive_unit: str | Keep = KEEP,
    archive_copies: int | Keep = KEEP,
    signer_authority: str | Keep = KEEP,
    signer_title: str | Keep = KEEP,
    signer_name: str | Keep = KEEP,
) -> ReportDocument:
    """Change what the officer writes in a draft; the fields left out keep their value. A
    final version is refused."""
    fields = given(
        {
            "number": number,
            "signed_on": signed_on,
            "basis": basis,
            "steering_plan": steering_plan,
            "steering_directions": steering_directions,
            "steering_results": steering_results,
            "assessment": assessment,
            "next_tasks": next_tasks,
            "recommendations": recommendations,
            "addressees": addressees,
            "recipients": recipients,
            "archive_unit": archive_unit,
            "archive_copies": archive_copies,
            "signer_authority": signer_authority,
            "signer_title": signer_title,
            "signer_name": signer_name,
        }
    )
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
def report_finalize(*, document: ReportDocument, by: User | None) -> ReportDocument:
    """Render the DOCX once, keep it with its checksum, and lock this version. A document
    that cannot be signed as it is (no signer's name, a missing header line) is a
    ReportError, and nothing changes."""
    locked = ReportDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_locked:
        raise ValidationError(_("This report is already final."))
    content = render_docx(locked, final=True)
    name = f"{locked.kind}-{locked.unit.code}-{locked.period}-v{locked.version}.docx"
    locked.file.save(name, ContentFile(content), save=False)
    locked.sha256 = hashlib.sha256(content).hexdigest()
    locked.status = ReportStatus.FINAL
    locked.finalized_at = timezone.now()
    locked.finalized_by = by
    locked.save()
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=locked,
        after={"status": "final", "sha256": locked.sha256},
    )
    return locked


@transaction.atomic
def report_settings_update(
    *,
    unit: OrgUnit,
    by: User | None,
    parent_agency: str | Keep = KEEP,
    agency: str | Keep = KEEP,
    agency_in_text: str | Keep = KEEP,
    agency_symbol: str | Keep = KEEP,
    place: str | Keep = KEEP,
    signer_authority: str | Keep = KEEP,
    signer_title: str | Keep = KEEP,
    signer_name: str | Keep = KEEP,
    archive_unit: str | Keep = KEEP,
    archive_copies: int | Keep = KEEP,
) -> ReportSettings:
    """Save how ``unit`` heads and signs its reports; the first save starts from the defaults,
    and the fields left out keep their value.

    Drafts already started keep their signer; new drafts take it from these settings.
    """
    fields = given(
        {
            "parent_agency": parent_agency,
            "agency": agency,
            "agency_in_text": agency_in_text,
            "agency_symbol": agency_symbol,
            "place": place,
            "signer_authority": signer_authority,
            "signer_title": signer_title,
            "signer_name": signer_name,
            "archive_unit": archive_unit,
            "archive_copies": archive_copies,
        }
    )
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
