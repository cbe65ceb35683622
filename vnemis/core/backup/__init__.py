"""Backup archives of an installation: the database, the uploaded files and a manifest.

The modules, each importing only those above it:

- ``base``: the archive's member names, ``BackupError``, progress, the engine;
- ``rows``: the canonical form of a row that table checksums hash;
- ``tables``: tables, columns and keys, row counts and checksums, comparison with a manifest;
- ``sqlite`` and ``postgres``: a consistent snapshot of the live database, and its restore;
- ``archive``: the tar file's entries and digests, and ``archive_verify``;
- ``create`` and ``restore``: what the ``backup`` and ``restore`` commands call.
"""

from __future__ import annotations

from vnemis.core.backup.archive import archive_verify
from vnemis.core.backup.base import MANIFEST, MANIFEST_DIGEST, SQLITE_MEMBER, BackupError
from vnemis.core.backup.create import backup_create
from vnemis.core.backup.postgres import postgres_env
from vnemis.core.backup.restore import backup_restore, migrations_unknown
from vnemis.core.backup.rows import canonical_rows, field_kind
from vnemis.core.backup.tables import table_specs, table_states

__all__ = [
    "MANIFEST",
    "MANIFEST_DIGEST",
    "SQLITE_MEMBER",
    "BackupError",
    "archive_verify",
    "backup_create",
    "backup_restore",
    "canonical_rows",
    "field_kind",
    "migrations_unknown",
    "postgres_env",
    "table_specs",
    "table_states",
]
