"""Numbers for record codes, issued from a ``CodeSequence`` row under a lock.

The owning app names the family and says how to find the last number already in use, which
is read once, when the family's row is first needed: a database that issued codes before the
sequences existed goes on after its largest code.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction

from vnemis.core.models import CodeSequence


def _locked_row(*, family: str, scope: str, last_in_use: Callable[[], int]) -> CodeSequence:
    row = CodeSequence.objects.select_for_update().filter(family=family, scope=scope).first()
    if row is not None:
        return row
    try:
        # A savepoint: a writer that starts the same family at the same moment inserts the
        # row first, and this insert then fails on the unique constraint.
        with transaction.atomic():
            return CodeSequence.objects.create(family=family, scope=scope, last_value=last_in_use())
    except IntegrityError:
        # PostgreSQL made this insert wait for the other writer's commit; its row is
        # committed now, and locked here before it is read.
        return CodeSequence.objects.select_for_update().get(family=family, scope=scope)


def sequence_take(
    *, family: str, scope: str = "", count: int = 1, last_in_use: Callable[[], int]
) -> int:
    """Reserve ``count`` consecutive numbers of the family and return the first of them.

    Call it in the transaction that inserts the records: the row stays locked until that
    transaction ends, so a concurrent writer waits and then continues after this block, and a
    rolled-back insert gives its numbers back. ``last_in_use`` returns the largest number the
    family's records already carry (0 when none); it is called only to start the row.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    # No savepoint: inside an import, its release would wait for the rows still being
    # stored in the background (``copy_in_background``).
    with transaction.atomic(savepoint=False):
        row = _locked_row(family=family, scope=scope, last_in_use=last_in_use)
        first = row.last_value + 1
        row.last_value += count
        row.save(update_fields=["last_value"])
    return first


def sequence_raise_to(
    *, family: str, scope: str = "", value: int, last_in_use: Callable[[], int]
) -> None:
    """Make sure the family never issues ``value`` or a number below it: a record was given
    a code of the family's shape by hand (a staff code typed into an import file)."""
    with transaction.atomic(savepoint=False):
        row = _locked_row(family=family, scope=scope, last_in_use=last_in_use)
        if row.last_value < value:
            row.last_value = value
            row.save(update_fields=["last_value"])
