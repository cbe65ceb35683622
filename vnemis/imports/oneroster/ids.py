"""The sourcedIds vnemis writes into OneRoster bundles, and how an import recognises them.

An exported record is named ``vnemis-<installation code>-<kind>-<primary key>`` (kinds below).
The installation code (``core.Installation``) makes the name unique to this database: a
bundle of another vnemis installation, or of another program that happens to number its
classes ``cls-1, cls-2…`` as vnemis once did, never names a record of this database.
"""

from __future__ import annotations

import re

# The record kinds of the names, by OneRoster table.
ORG = "org"
SESSION = "sy"
CLASS = "cls"
COURSE = "crs"
USER = "usr"
ROLE = "role"
ENROLLMENT = "enr"
HOMEROOM = "hrt"  # a homeroom teacher's enrolment in his class, named by the class
KINDS = frozenset({ORG, SESSION, CLASS, COURSE, USER, ROLE, ENROLLMENT, HOMEROOM})
# The kind of name of each record type remembered in ``ExternalRef.record_type``.
KINDS_BY_TYPE = {"org": ORG, "class": CLASS, "user": USER, "enrollment": ENROLLMENT}

# The installation code's alphabet is lower-case letters and digits (core.installation).
_OWN = re.compile(r"vnemis-([a-z0-9]{1,16})-([a-z]{1,8})-([1-9][0-9]{0,18})")
# The source-system code of a bundle before installation codes: its ids are not recognised.
LEGACY_SYSTEM = "vnemis"


def sourced_id(*, installation: str, kind: str, pk: int) -> str:
    """The sourcedId of record ``pk`` of ``kind`` exported by ``installation``."""
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}")
    return f"vnemis-{installation}-{kind}-{pk}"


def system_code(installation: str) -> str:
    """The manifest's ``source.systemCode`` of an export of ``installation``."""
    return f"vnemis-{installation}"


def own_pk(value: str, *, installation: str, kind: str) -> int | None:
    """The primary key ``value`` names, if it is a name of ``kind`` written by
    ``installation``; None for any other value (another installation's, another program's)."""
    match = _OWN.fullmatch(value)
    if match is None or match[1] != installation or match[2] != kind:
        return None
    return int(match[3])


def is_own(value: str, *, installation: str) -> bool:
    """Whether ``value`` is a name written by ``installation``, of any kind."""
    match = _OWN.fullmatch(value)
    return match is not None and match[1] == installation and match[2] in KINDS
