"""Writes of API tokens: issue, revoke, and the note of their last use."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.api.models import ApiToken
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.organisations.models import OrgUnit

TOKEN_START = "vnm_"
# The last use is written at most once a minute per token: a busy program does not turn every
# read into a write.
LAST_USE_PRECISION = dt.timedelta(minutes=1)
# Fields never copied to the audit log.
_SECRET_FIELDS = {"secret_hash"}


def secret_hash(secret: str) -> str:
    """SHA-256 of the whole secret. The secret holds 256 random bits, so a fast hash is
    enough: there is nothing to guess by brute force, unlike a password."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _token_snapshot(token: ApiToken) -> dict[str, object]:
    return {k: v for k, v in snapshot(token).items() if k not in _SECRET_FIELDS}


@transaction.atomic
def api_token_create(
    *,
    name: str,
    unit: OrgUnit,
    scopes: Iterable[str],
    expires_at: dt.datetime,
    by: User,
    rate_per_minute: int = 120,
) -> tuple[ApiToken, str]:
    """Issue a token; returns it with its secret, which is not stored and is shown only now."""
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must lie in the future.")})
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        name=name.strip(),
        unit=unit,
        scopes=sorted(set(scopes)),
        prefix=prefix,
        secret_hash=secret_hash(secret),
        created_by=by,
        expires_at=expires_at,
        rate_per_minute=rate_per_minute,
    )
    token.full_clean()
    token.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=token, after=_token_snapshot(token))
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    """Stop a token at once; revoking it again changes nothing."""
    if token.revoked_at is not None:
        return token
    before = _token_snapshot(token)
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=token,
        before=before,
        after=_token_snapshot(token),
        note="revoked",
    )
    return token


def api_token_find(*, secret: str) -> ApiToken | None:
    """The live token whose secret this is, or None (unknown, wrong, expired or revoked)."""
    if not secret.startswith(TOKEN_START):
        return None
    prefix, _sep, _rest = secret[len(TOKEN_START) :].partition("_")
    token = ApiToken.objects.select_related("unit").filter(prefix=prefix).first()
    if token is None:
        return None
    # Constant-time: the time taken does not tell how much of the hash matched.
    if not hmac.compare_digest(token.secret_hash, secret_hash(secret)):
        return None
    if not token.is_active:
        return None
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Note that the token was used now (at most once a minute; no audit entry)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USE_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
