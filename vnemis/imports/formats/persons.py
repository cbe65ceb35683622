"""The checks the staff and guardian formats make on a person before writing him."""

from __future__ import annotations

import copy
from typing import Any

from vnemis.imports.formats.cells import search_name
from vnemis.people.models import Person


def person_check(person: Person | None, fields: dict[str, Any]) -> None:
    """Validate a new person, or ``person`` with ``fields`` changed, as the write would (the
    personal ID number being someone else's among it), so that a dry run finds it too."""
    probe = copy.copy(person) if person is not None else Person()
    for name, value in fields.items():
        setattr(probe, name, value)
    if probe.national_id == "":
        probe.national_id = None
    probe.full_clean()


def same_name(person: Person, parts: tuple[str, str, str]) -> bool:
    return person.search_name == search_name(*parts)
