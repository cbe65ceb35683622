"""A damaged, truncated or hostile archive is refused before anything changes: every byte of
it is covered by a checksum, and no entry may land outside the restore folders.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from vnemis.core import backup
from vnemis.core.backup import BackupError
from vnemis.core.tests.backup_support import (
    Source,
    flip_byte,
    offsets,
    rewrite_archive,
    run_vnemis,
    sha256_of,
    source_for,
    sqlite_pass_only,
    sqlite_query,
)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    if connection.vendor != "sqlite":
        pytest.skip("runs on SQLite files of its own; the SQLite pass runs it")
    return source_for(tmp_path_factory)


@sqlite_pass_only
@pytest.mark.parametrize(
    "where",
    [
        "database data",
        "media header",
        "media data",
        "media padding",
        "long name (PAX header)",
        "manifest",
        "manifest digest",
        "end of archive",
    ],
)
def test_one_changed_byte_anywhere_in_the_archive_is_detected(
    source: Source, tmp_path: Path, where: str
) -> None:
    """Data, headers, padding, manifest and trailer: one bit changed anywhere fails the check
    with a message saying nothing was restored."""
    offset = offsets(source.archive)[where]
    damaged = tmp_path / "damaged.tar"
    flip_byte(source.archive, damaged, offset)
    with pytest.raises(BackupError, match="Nothing was restored; use another copy"):
        backup.archive_verify(path=damaged)


@sqlite_pass_only
def test_a_damaged_archive_changes_nothing(source: Source, tmp_path: Path) -> None:
    """`vnemis restore --force` on an archive with one byte changed in the database copy
    exits with an error; the database and the files are as they were."""
    var, env = source.copy(tmp_path / "site")
    db = var / "vnemis.sqlite3"
    sqlite_query(db, "UPDATE people_person SET given_name = 'Đổi' WHERE id = 1")
    (var / "media" / source.import_name).write_bytes(b"changed")
    digest = sha256_of(db)
    damaged = tmp_path / "damaged.tar"
    flip_byte(source.archive, damaged, offsets(source.archive)["database data"])

    done = run_vnemis(env, "restore", str(damaged), "--force")

    assert done.returncode == 1
    assert "does not match its own checksums" in done.stderr
    assert "Damaged: database/vnemis.sqlite3.gz." in done.stderr
    assert sha256_of(db) == digest
    assert (var / "media" / source.import_name).read_bytes() == b"changed"
    assert not list(var.glob("media.before-restore-*"))
    assert not list(var.glob(".vnemis-restore-*"))


@sqlite_pass_only
@pytest.mark.parametrize("where", ["database data", "manifest", "manifest digest"])
def test_a_truncated_archive_is_refused(source: Source, tmp_path: Path, where: str) -> None:
    """A copy cut short (a full disk, an interrupted transfer) is refused, wherever it ends."""
    cut = tmp_path / "cut.tar"
    cut.write_bytes(source.archive.read_bytes()[: offsets(source.archive)[where]])
    with pytest.raises(BackupError, match="Nothing was restored; use another copy"):
        backup.archive_verify(path=cut)


@sqlite_pass_only
def test_an_entry_outside_the_media_folder_is_refused(source: Source, tmp_path: Path) -> None:
    """An archive whose checksums are right but which names a path leaving MEDIA_ROOT is
    refused before anything is unpacked."""
    hostile = tmp_path / "hostile.tar"
    rewrite_archive(source.archive, hostile, extra={"media/../../secret_key": b"x"})
    with pytest.raises(BackupError, match="unexpected entry 'media/../../secret_key'"):
        backup.archive_verify(path=hostile)
