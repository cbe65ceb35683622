"""The one function that writes the audit log, and a snapshot helper for before/after."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from vnemis.core import bulk
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


# Who acts: a user (``AUTH_USER_MODEL``), the anonymous visitor, or None for the system. Typed
# with Django's base classes because ``core`` sits below the app that defines the user.
Actor = AbstractBaseUser | AnonymousUser | None


def _user(actor: Actor) -> AbstractBaseUser | None:
    """The acting user, or None for the system (commands, jobs, anonymous requests)."""
    return actor if isinstance(actor, AbstractBaseUser) and actor.is_authenticated else None


def audit_record(
    *,
    actor: Actor,
    verb: AuditVerb | str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry to the audit log. ``actor`` is a user, or None for the system."""
    user = _user(actor)
    return AuditEntry.objects.create(
        actor_id=user.pk if user is not None else None,
        actor_name=user.get_username() if user is not None else "system",
        verb=verb,
        target_type=target._meta.label,
        target_id=str(target.pk or ""),
        target_repr=str(target)[:255],
        before=before,
        after=after,
        note=note[:255],
    )


def audit_bulk(
    *,
    actor: Actor,
    verb: AuditVerb | str,
    model: type[models.Model],
    ids: list[int],
    note: str,
    after: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """One entry for many records written together (a bulk import's batch of new rows).

    Writing one entry per row would double the work of a million-row import; the entry names
    the records (their ids, as ranges) and ``note`` says where they came from (the import job,
    whose file is kept), so each one is still traceable.
    """
    if not ids:
        return None
    user = _user(actor)
    ordered = sorted(ids)
    ranges: list[list[int]] = []
    for pk in ordered:
        if ranges and ranges[-1][1] == pk - 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    entry = AuditEntry(
        actor_id=user.pk if user is not None else None,
        actor_name=user.get_username() if user is not None else "system",
        verb=verb,
        target_type=model._meta.label,
        target_id="",
        target_repr=f"{len(ordered)} × {model._meta.verbose_name}"[:255],
        before=None,
        after={"count": len(ordered), "id_ranges": ranges, **(after or {})},
        note=note[:255],
    )
    if not bulk.in_background():
        entry.save()
        return entry
    # Within a bulk import's background COPY: the entry goes in the same queue as the rows
    # it describes, in the import's transaction.
    entry.at = timezone.now()
    (entry.pk,) = bulk.ids_allocate(AuditEntry, 1, using=bulk.lookup_alias())
    bulk.rows_insert(
        AuditEntry,
        (
            "id",
            "at",
            "actor",
            "actor_name",
            "verb",
            "target_type",
            "target_id",
            "target_repr",
            "before",
            "after",
            "note",
        ),
        [
            (
                entry.pk,
                entry.at,
                user.pk if user is not None else None,
                entry.actor_name,
                str(entry.verb),
                entry.target_type,
                "",
                entry.target_repr,
                None,
                json.dumps(entry.after),
                entry.note,
            )
        ],
        background=True,
    )
    return entry


def audit_event(
    *,
    actor: Actor,
    verb: AuditVerb | str,
    target_type: str,
    target_repr: str,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """An entry about a set of records rather than one (an export of a list)."""
    user = _user(actor)
    return AuditEntry.objects.create(
        actor_id=user.pk if user is not None else None,
        actor_name=user.get_username() if user is not None else "system",
        verb=verb,
        target_type=target_type[:80],
        target_repr=target_repr[:255],
        after=after,
        note=note[:255],
    )
