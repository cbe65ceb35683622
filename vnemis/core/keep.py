"""The default of an update service's optional parameters: the field keeps its value.

Not None, since None is a value some fields take (no personal ID number, no class, a report
not yet signed). Every update service of every app uses this one marker.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, Final

from django.db import models


class Keep(Enum):
    KEEP = "keep"


KEEP: Final = Keep.KEEP


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of an update that were given (not ``KEEP``), by field name."""
    return {name: value for name, value in values.items() if value is not KEEP}


def assign_given(instance: models.Model, values: Mapping[str, Any]) -> list[str]:
    """Set each given value on ``instance``; return the names of the fields set."""
    changes = given(values)
    for name, value in changes.items():
        setattr(instance, name, value)
    return list(changes)
