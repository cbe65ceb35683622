"""Collect work to run once after the current transaction commits.

An import that writes 5,000 enrolments of one school should refresh that school's figures
once, after commit, not 5,000 times. Every call registers an on-commit callback and adds its
unit ids to a set kept on the connection; the first callback to run takes the whole set and
the others find it empty. Ids left over from a rolled-back transaction are recounted with the
next commit's, which costs a little work and changes no result (the recount is idempotent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction


def on_commit_collect(
    *,
    key: str,
    unit_ids: Iterable[int],
    since: dt.date,
    run: Callable[[set[int], dt.date], None],
) -> None:
    connection = transaction.get_connection()
    pending: dict[str, dict[str, Any]] = connection.__dict__.setdefault("_vnemis_pending", {})
    entry = pending.setdefault(key, {"ids": set(), "since": since})
    entry["ids"].update(unit_ids)
    entry["since"] = min(entry["since"], since)

    def fire() -> None:
        taken = pending.pop(key, None)
        if taken and taken["ids"]:
            run(taken["ids"], taken["since"])

    transaction.on_commit(fire)
