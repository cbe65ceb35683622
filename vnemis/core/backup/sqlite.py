"""SQLite: a consistent copy of the live database while the site runs, and its restore, both
through SQLite's online backup API."""

from __future__ import annotations

import contextlib
import gzip
import shutil
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import connection, connections

from vnemis.core.backup.base import CHUNK, SQLITE_MEMBER, BackupError, Progress, megabytes
from vnemis.core.backup.tables import snapshot_facts

# Level 1: a province's 370 MB database shrinks to 86 MB in 4 s; level 6 saves another 10 MB
# for 6 s more of a nightly job.
GZIP_LEVEL = 1


def sqlite_name() -> str:
    return str(connection.settings_dict["NAME"])


def sqlite_in_memory() -> bool:
    """Whether the configured SQLite database lives in memory (the test suite's)."""
    return bool(getattr(connection, "is_in_memory_db", lambda: False)())


def sqlite_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro", uri=True)


@contextlib.contextmanager
def sqlite_source() -> Iterator[sqlite3.Connection]:
    """A connection to the configured SQLite database; Django's own for an in-memory one."""
    if sqlite_in_memory():
        connection.ensure_connection()
        yield connection.connection
        return
    source = sqlite3.connect(sqlite_name(), timeout=60)
    try:
        yield source
    finally:
        source.close()


def sqlite_snapshot(work: Path, progress: Progress) -> tuple[Path, dict[str, Any]]:
    """Copy the live database with the online backup API; read the copy's tables."""
    copy = work / "vnemis.sqlite3"
    name = sqlite_name()
    size = 0 if sqlite_in_memory() else Path(name).stat().st_size
    progress(f"Copying the SQLite database {name} ({megabytes(size)}) with the online backup API…")
    start = time.monotonic()
    with sqlite_source() as source:
        target = sqlite3.connect(copy)
        try:
            # One step (pages=-1): one read transaction, so the copy is one consistent state
            # while WAL lets the site keep writing. A copy in several steps restarts whenever
            # another connection writes in between, and might never end on a busy site.
            source.backup(target)
            # The copy leaves the live database's WAL mode behind: one self-contained file.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    progress(f"Database copied in {time.monotonic() - start:.1f} s.")
    reader = sqlite_readonly(copy)
    try:
        facts = snapshot_facts(raw=reader, vendor="sqlite", progress=progress)
    finally:
        reader.close()
    facts["database"] = {
        "member": SQLITE_MEMBER,
        "format": "sqlite3+gzip",
        "sqlite_version": sqlite3.sqlite_version,
    }
    packed = work / "vnemis.sqlite3.gz"
    progress("Compressing the database copy…")
    start = time.monotonic()
    # mtime=0 and no file name: the same database gives the same bytes.
    with (
        copy.open("rb") as fh,
        packed.open("wb") as out,
        gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=GZIP_LEVEL, mtime=0) as gz,
    ):
        shutil.copyfileobj(fh, gz, CHUNK)
    copy.unlink()
    progress(
        f"Compressed to {megabytes(packed.stat().st_size)} in {time.monotonic() - start:.1f} s."
    )
    return packed, facts


def sqlite_apply(staged: Path, progress: Progress) -> None:
    """Write the staged copy into the live database with the backup API.

    Not by replacing the file: a process that has the database open (a worker) would go on
    writing to the old file, and a leftover ``-wal`` file would be replayed into the new one.
    The backup API takes the database's write lock and replaces its pages in one transaction
    that every other connection sees, as ``sqlite3 .restore`` does.
    """
    connections.close_all()
    name = sqlite_name()
    progress(f"Restoring the SQLite database {name}…")
    source = sqlite_readonly(staged)
    try:
        if sqlite_in_memory():
            connection.ensure_connection()
            source.backup(connection.connection)
            return
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(name, timeout=60)
        try:
            source.backup(target)
        except sqlite3.Error as exc:
            raise BackupError(
                f"SQLite could not write {name} ({exc}). Stop the site and its worker, move "
                "the database file away, and run the restore again."
            ) from exc
        finally:
            target.close()
    finally:
        source.close()
