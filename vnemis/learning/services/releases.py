"""Publication rules: when families see a column of a class's results."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.learning.choices import ReleaseColumn, Term
from vnemis.learning.models import Release, Subject
from vnemis.people.models import SchoolClass


@transaction.atomic
def release_set(
    *,
    school_class: SchoolClass,
    subject: Subject | None,
    term: int,
    column: str,
    by: User | None,
    release_on: dt.date | None = None,
    now: bool = False,
) -> Release:
    """Release a column to the class's families now (``now``) or from ``release_on``.

    A subject's columns are its scores (regular, mid-term, end-of-term) and its term result;
    the class's summary (``subject`` None) is conduct and the learning level of the term,
    and in term II the year results.
    """
    if term not in Term.values:
        raise ValidationError(_("A school year has terms I and II only."))
    if column not in ReleaseColumn.values:
        raise ValidationError(_("Unknown column to release."))
    if (subject is None) != (column == ReleaseColumn.SUMMARY):
        raise ValidationError(_("A subject releases its scores; the class releases its summary."))
    if not now and release_on is None:
        raise ValidationError(_("Give a date, or release now."))
    if release_on is not None and not (
        school_class.school_year.starts_on
        <= release_on
        <= school_class.school_year.ends_on + dt.timedelta(days=366)
    ):
        raise ValidationError(
            _("The release date must fall within the school year or the year after it.")
        )
    rule = Release.objects.filter(
        school_class=school_class, subject=subject, term=term, column=column
    ).first()
    before = snapshot(rule) if rule is not None else None
    if rule is None:
        rule = Release(school_class=school_class, subject=subject, term=term, column=column)
    rule.release_on = release_on
    rule.released_at = timezone.now() if now else None
    rule.set_by = by
    rule.full_clean(validate_constraints=False)
    rule.save()
    audit_record(
        actor=by,
        verb=AuditVerb.CREATED if before is None else AuditVerb.UPDATED,
        target=rule,
        before=before,
        after=snapshot(rule),
    )
    return rule


@transaction.atomic
def release_withdraw(*, rule: Release, by: User | None) -> None:
    """Take a column back from families (a release made by mistake); audited."""
    audit_record(actor=by, verb=AuditVerb.DELETED, target=rule, before=snapshot(rule))
    rule.delete()
