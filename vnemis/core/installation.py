"""This installation's identity code (see ``Installation``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string

from vnemis.core.models import Installation

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud over the phone


def installation_code() -> str:
    """The code of this installation, created the first time it is asked for."""
    row = Installation.objects.order_by("pk").first()
    if row is not None:
        return row.code
    try:
        with transaction.atomic():
            Installation.objects.create(code=get_random_string(10, _ALPHABET))
    except IntegrityError:  # the same random code twice: the other row stands
        pass
    # Two processes asking at once may both create a row; the oldest is the identity for all.
    first = Installation.objects.order_by("pk").first()
    assert first is not None
    return first.code
