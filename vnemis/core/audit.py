"""The one function that writes the audit log, and a snapshot helper for before/after."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from vnemis.core.choices import AuditVerb
from vnemis.core.models import AuditEntry

# Fields never copied into the log: secrets, and bookkeeping that changes on every save.
_NEVER_LOGGED = frozenset({"password", "created_at", "updated_at", "last_login"})


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` as JSON-ready data (foreign keys as ids)."""
    names = fields or [
        f.attname for f in instance._meta.concrete_fields if f.name not in _NEVER_LOGGED
    ]
    return {name: _plain(getattr(instance, name)) for name in names}


def audit_record(
    *,
    actor: Any,
    verb: AuditVerb | str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry to the audit log. ``actor`` is a user, or None for the system."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user is not None else "system",
        verb=verb,
        target_type=target._meta.label,
        target_id=str(target.pk or ""),
        target_repr=str(target)[:255],
        before=before,
        after=after,
        note=note[:255],
    )
