"""What every part of a backup shares: the archive's member names, the error an operator
reads, progress reporting and the database engine."""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable

from django.db import connection

FORMAT = "vnemis-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
SQLITE_MEMBER = "database/vnemis.sqlite3.gz"
POSTGRES_MEMBER = "database/vnemis.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20

Progress = Callable[[str], None]


class BackupError(Exception):
    """The backup or restore cannot go on; the message tells the operator why and what to do."""


def quiet(message: str) -> None:
    """The default progress callback: say nothing."""


def megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def database_vendor() -> str:
    vendor = str(connection.vendor)
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL; the configured database is {vendor}."
        )
    return vendor


def engine_name(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)


def os_user() -> str:
    """The operating-system account running the command, for the audit log."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # a uid with no entry in the password database (a container's)
        return str(os.geteuid())
