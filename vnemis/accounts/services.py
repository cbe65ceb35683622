"""Writes to accounts: users, role assignments, and the login-failure counter behind lockout."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from vnemis.accounts.choices import Role
from vnemis.accounts.models import RoleAssignment, User
from vnemis.core.audit import audit_event, audit_record
from vnemis.core.choices import AuditVerb


def user_is_locked(*, user: User, now: dt.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or timezone.now())


@transaction.atomic
def login_failure_record(*, username: str) -> User | None:
    """Count a failed login; at the threshold, lock the account for the configured minutes.

    Every failure is audited. One against an account that is already locked is not counted, so
    guessing during the lock does not extend it. One for a username that does not exist leaves
    an entry without the typed text (people type their password there by mistake) and creates
    no user.
    """
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        audit_event(
            actor=None,
            verb=AuditVerb.LOGIN_FAILED,
            target_type=User._meta.label,
            target_repr="",
            note="unknown username",
        )
        return None
    if user_is_locked(user=user):
        audit_record(actor=None, verb=AuditVerb.LOGIN_FAILED, target=user, note="account locked")
        return user
    # F() keeps two simultaneous failures from both reading the old count.
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins", "locked_until"])
    audit_record(actor=None, verb=AuditVerb.LOGIN_FAILED, target=user)
    if user.failed_logins >= settings.VNEMIS_LOCKOUT_THRESHOLD:
        user.locked_until = timezone.now() + dt.timedelta(minutes=settings.VNEMIS_LOCKOUT_MINUTES)
        user.failed_logins = 0
        user.save(update_fields=["locked_until", "failed_logins"])
        audit_record(
            actor=None,
            verb=AuditVerb.LOCKED_OUT,
            target=user,
            after={"locked_until": user.locked_until.isoformat()},
        )
    return user


@transaction.atomic
def login_success_record(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit_record(actor=user, verb=AuditVerb.LOGGED_IN, target=user)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    by: User | None,
    full_name: str = "",
    email: str = "",
    check_password: bool = True,
) -> User:
    """Create a user; the password must meet the policy unless ``check_password`` is off."""
    family, _, given = full_name.rpartition(" ")
    user = User(username=username, email=email, first_name=given, last_name=family)
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=by, verb=AuditVerb.CREATED, target=user, after={"username": username, "email": email}
    )
    return user


@transaction.atomic
def role_assign(
    *, user: User, role: Role, org_unit: models.Model, by: User | None
) -> RoleAssignment:
    """Give ``user`` the role at an org unit (typed as a model: accounts sits below the
    organisations app and does not import it)."""
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, org_unit_id=org_unit.pk
    )
    if created:
        audit_record(
            actor=by,
            verb=AuditVerb.CREATED,
            target=assignment,
            after={"user": user.pk, "role": str(role), "org_unit": org_unit.pk},
        )
    return assignment
