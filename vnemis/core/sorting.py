"""Natural order of names that end in a number: 10A1, 10A2, 10A10 (not 10A1, 10A10, 10A2).

Class names in Vietnamese schools are a grade, letters and often a number ("6A", "6A1",
"10A10"). ``natural_order`` sorts them in the database, so paginated lists keep the order;
``natural_key`` sorts a list in memory the same way.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Length

_DIGITS = "0123456789"
_PARTS = re.compile(r"(\d+)")


class _RTrim(Func):
    """RTRIM(text, characters): the same two-argument function on SQLite and PostgreSQL."""

    function = "RTRIM"
    output_field = CharField()


def natural_order(field: str) -> list[Any]:
    """Order-by expressions for ``field``: the name without its trailing number, then the
    number by its length and value ("6A", "6A1", "6A2", "6A10", "6B")."""
    return [_RTrim(F(field), Value(_DIGITS)), Length(field), F(field)]


def natural_key(text: str) -> tuple[Any, ...]:
    """A sort key that compares the runs of digits in ``text`` as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _PARTS.split(text)
        if part
    )
