"""Term locks and correction requests."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.learning.choices import CorrectionStatus, Term
from vnemis.learning.models import Correction, Mark, Subject, TermLock, TermReport
from vnemis.learning.services.catalogue import class_subjects
from vnemis.learning.services.marks import (
    CellInput,
    cells_parse,
    mark_values,
    marks_save,
    term_locked,
)
from vnemis.learning.services.reports import (
    ReportInput,
    report_values,
    term_reports_parse,
    term_reports_save,
)
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.models import SchoolClass


@transaction.atomic
def term_lock(*, school: OrgUnit, school_year: SchoolYear, term: int, by: User | None) -> TermLock:
    """Lock ``term`` at ``school``: from now on changes go through correction requests."""
    if term not in Term.values:
        raise ValidationError(_("A school year has terms I and II only."))
    lock, created = TermLock.objects.get_or_create(
        school=school, school_year=school_year, term=term, defaults={"locked_by": by}
    )
    if created:
        audit_record(actor=by, verb=AuditVerb.CREATED, target=lock, after=snapshot(lock))
    return lock


@transaction.atomic
def term_unlock(*, lock: TermLock, by: User | None, reason: str) -> None:
    """Reopen a locked term (the principal's decision, with its reason in the audit log)."""
    if not reason.strip():
        raise ValidationError(_("Say why the term is reopened."))
    audit_record(actor=by, verb=AuditVerb.DELETED, target=lock, before=snapshot(lock), note=reason)
    lock.delete()


@transaction.atomic
def correction_request_mark(
    *,
    school_class: SchoolClass,
    subject_id: int,
    term: int,
    student_id: int,
    cells: dict[str, str],
    reason: str,
    by: User | None,
) -> Correction:
    """Ask to change a mark of a locked term: ``cells`` are the typed values (column → text).

    Validated now as the gradebook would, so the principal decides on a change that can be
    applied. Refused when the term is not locked (the teacher saves it directly then).
    """
    from_subject = _subject(subject_id=subject_id, school_class=school_class)
    _check_request(school_class=school_class, term=term, reason=reason, cells=cells)
    cell_inputs = [CellInput(student_id, column, value) for column, value in cells.items()]
    cells_parse(school_class=school_class, subject=from_subject, cells=cell_inputs)
    mark, _created = Mark.objects.get_or_create(
        student_id=student_id,
        school_year_id=school_class.school_year_id,
        subject=from_subject,
        term=term,
    )
    correction = Correction.objects.create(
        mark=mark,
        school_id=school_class.school_id,
        school_class=school_class,
        before=mark_values(mark),
        after=dict(cells),
        reason=reason.strip(),
        requested_by=by,
    )
    audit_record(actor=by, verb=AuditVerb.CREATED, target=correction, after=snapshot(correction))
    return correction


@transaction.atomic
def correction_request_report(
    *,
    school_class: SchoolClass,
    term: int,
    row: ReportInput,
    reason: str,
    by: User | None,
) -> Correction:
    """Ask to change a term report (conduct, qualities, absences, remark) of a locked term."""
    after = _report_after(row)
    _check_request(school_class=school_class, term=term, reason=reason, cells=after)
    term_reports_parse(school_class=school_class, rows=[row])
    report, _created = TermReport.objects.get_or_create(
        student_id=row.student_id, school_year_id=school_class.school_year_id, term=term
    )
    correction = Correction.objects.create(
        term_report=report,
        school_id=school_class.school_id,
        school_class=school_class,
        before=report_values(report),
        after=after,
        reason=reason.strip(),
        requested_by=by,
    )
    audit_record(actor=by, verb=AuditVerb.CREATED, target=correction, after=snapshot(correction))
    return correction


def _report_after(row: ReportInput) -> dict[str, Any]:
    after: dict[str, Any] = {}
    for name in ("conduct", "absences_excused", "absences_unexcused", "remark"):
        value = getattr(row, name)
        if value is not None:
            after[name] = value
    if row.traits:
        after["traits"] = dict(row.traits)
    return after


def _subject(*, subject_id: int, school_class: SchoolClass) -> Subject:
    from_catalogue = [s for s in class_subjects(school_class) if s.pk == subject_id]
    if not from_catalogue:
        raise ValidationError(
            _("This subject is not taught in class {klass}.").format(klass=school_class.name)
        )
    return from_catalogue[0]


def _check_request(
    *, school_class: SchoolClass, term: int, reason: str, cells: dict[str, Any]
) -> None:
    if not cells:
        raise ValidationError(_("A correction must change at least one value."))
    if not reason.strip():
        raise ValidationError(_("Say why the value must be corrected."))
    if not term_locked(
        school_id=school_class.school_id, school_year_id=school_class.school_year_id, term=term
    ):
        raise ValidationError(
            _("This term is not locked: change the value in the gradebook directly.")
        )


@transaction.atomic
def correction_decide(
    *, correction: Correction, approve: bool, note: str, by: User | None
) -> Correction:
    """Approve (apply the change through the gradebook's write path) or reject a request.

    A request decided once stays decided. An approved change is applied as requested,
    validated again; if it no longer validates (the catalogue changed), nothing is applied
    and the error says why.
    """
    correction = Correction.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not approve and not note.strip():
        raise ValidationError(_("Say why the request is rejected."))
    before = snapshot(correction)
    if approve:
        school_class = correction.school_class
        if correction.mark is not None:
            mark = correction.mark
            marks_save(
                school_class=school_class,
                subject=mark.subject,
                term=mark.term,
                cells=[
                    CellInput(mark.student_id, column, str(value))
                    for column, value in correction.after.items()
                ],
                by=by,
                via="correction",
                correction=correction,
            )
        else:
            report = correction.term_report
            assert report is not None  # the check constraint: one target exactly
            after = correction.after
            term_reports_save(
                school_class=school_class,
                term=report.term,
                rows=[
                    ReportInput(
                        student_id=report.student_id,
                        conduct=after.get("conduct"),
                        traits=dict(after.get("traits", {})),
                        absences_excused=_text(after.get("absences_excused")),
                        absences_unexcused=_text(after.get("absences_unexcused")),
                        remark=after.get("remark"),
                    )
                ],
                by=by,
                via="correction",
                correction=correction,
            )
    correction.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
    correction.decided_by = by
    correction.decided_at = timezone.now()
    correction.decision_note = note.strip()
    correction.save()
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=correction,
        before=before,
        after=snapshot(correction),
    )
    return correction


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def correction_withdraw(*, correction: Correction, by: User | None) -> Correction:
    """The requesting teacher takes back a request not yet decided."""
    correction = Correction.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    before = snapshot(correction)
    correction.status = CorrectionStatus.WITHDRAWN
    correction.save()
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=correction,
        before=before,
        after=snapshot(correction),
    )
    return correction
