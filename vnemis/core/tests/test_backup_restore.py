"""`vnemis backup` and `vnemis restore` end to end: the archive holds every row and file, a
restore brings them back and verifies them table by table, and refuses what it must refuse.
On SQLite files of their own and on the PostgreSQL pass's server (see backup_support).
"""

from __future__ import annotations

import json
import sqlite3
import tarfile
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from vnemis.core import backup
from vnemis.core.tests.backup_support import (
    IMPORT_BYTES,
    LOAD,
    LONG_BYTES,
    LONG_NAME,
    Source,
    flip_byte,
    offsets,
    ok,
    read_manifest,
    rewrite_archive,
    run_python,
    run_vnemis,
    sha256_of,
    site_env,
    source_for,
    sqlite_pass_only,
    sqlite_query,
    sqlite_states,
)

# --- SQLite, through the commands -----------------------------------------------------------


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    if connection.vendor != "sqlite":
        pytest.skip("runs on SQLite files of its own; the SQLite pass runs it")
    return source_for(tmp_path_factory)


@sqlite_pass_only
def test_backup_writes_database_files_and_manifest_and_is_audited(source: Source) -> None:
    """The archive holds the compressed database, both uploaded files and the manifest with
    the tables' counts and checksums as they were; the backup is in the audit log with the
    archive's SHA-256."""
    with tarfile.open(source.archive) as tar:
        names = tar.getnames()
    assert names == [
        backup.SQLITE_MEMBER,
        "media/" + source.import_name,
        "media/" + LONG_NAME,
        backup.MANIFEST,
        backup.MANIFEST_DIGEST,
    ]
    manifest = read_manifest(source.archive)
    assert manifest["engine"] == "sqlite"
    assert manifest["media_files"] == 2
    tables = {t: {"rows": d["rows"], "sha256": d["sha256"]} for t, d in manifest["tables"].items()}
    assert tables == source.states_before
    assert tables["people_student"]["rows"] == 3
    assert (
        manifest["migrations"]["people"]
        == sqlite_query(
            source.db, "SELECT name FROM django_migrations WHERE app = 'people' ORDER BY id DESC"
        )[0][0]
    )
    code = sqlite_query(source.db, "SELECT code FROM core_installation")[0][0]
    assert manifest["installation_code"] == code
    assert oct(source.archive.stat().st_mode & 0o777) == "0o600"
    digest = sha256_of(source.archive)
    assert f"SHA-256 of the archive: {digest}" in source.backup_output
    (after,) = sqlite_query(
        source.db,
        "SELECT after FROM core_auditentry WHERE verb = 'exported' AND target_type = 'core.backup'",
    )[0]
    assert json.loads(after)["sha256"] == digest


@sqlite_pass_only
def test_restore_brings_back_every_row_and_file_and_verifies_them(
    source: Source, tmp_path: Path
) -> None:
    """After changes to rows and files, a restore gives back the backed-up rows (same counts
    and checksums for every table) and files (same bytes); files added since are kept aside,
    and the restore is audited."""
    var, env = source.copy(tmp_path / "site")
    db = var / "vnemis.sqlite3"
    sqlite_query(db, "UPDATE people_person SET given_name = 'Đổi' WHERE id = 1")
    sqlite_query(db, "DELETE FROM people_guardianlink")
    (var / "media" / source.import_name).write_bytes(b"overwritten")
    (var / "media" / "later.txt").write_bytes(b"added after the backup")

    out = ok(run_vnemis(env, "restore", str(source.archive), "--force"))

    assert "Restore verified" in out
    after = sqlite_states(db)
    audit = after.pop("core_auditentry")
    before = dict(source.states_before)
    audit_before = before.pop("core_auditentry")
    assert after == before
    # The snapshot's entries, then the restore's (the backup's own entry came after it).
    assert audit["rows"] == audit_before["rows"] + 1
    ((verb, note),) = sqlite_query(
        db, "SELECT verb, note FROM core_auditentry ORDER BY id DESC LIMIT 1"
    )
    assert (verb, note) == ("updated", "vnemis restore, verified")
    assert (var / "media" / source.import_name).read_bytes() == IMPORT_BYTES
    assert (var / "media" / LONG_NAME).read_bytes() == LONG_BYTES
    assert not (var / "media" / "later.txt").exists()
    (aside,) = var.glob("media.before-restore-*")
    assert (aside / "later.txt").read_bytes() == b"added after the backup"
    assert (aside / source.import_name).read_bytes() == b"overwritten"
    assert sqlite_query(db, "PRAGMA journal_mode") == [("wal",)]


@sqlite_pass_only
def test_restore_into_a_new_installation_needs_no_force(source: Source, tmp_path: Path) -> None:
    """On a machine with no database yet (after a disk loss), the restore creates it, with the
    same rows, files and installation code."""
    var = tmp_path / "new"
    out = ok(run_vnemis(site_env(var), "restore", str(source.archive)))
    assert "Restore verified" in out
    after = sqlite_states(var / "vnemis.sqlite3")
    assert after["people_person"] == source.states_before["people_person"]
    assert after["core_installation"] == source.states_before["core_installation"]
    assert (var / "media" / LONG_NAME).read_bytes() == LONG_BYTES


@sqlite_pass_only
def test_a_database_with_data_is_not_replaced_without_force(source: Source, tmp_path: Path) -> None:
    """Without --force and without a terminal to ask, the restore refuses and names what the
    database holds; nothing changes."""
    var, env = source.copy(tmp_path / "site")
    db = var / "vnemis.sqlite3"
    sqlite_query(db, "UPDATE people_person SET given_name = 'Đổi' WHERE id = 1")
    digest = sha256_of(db)

    done = run_vnemis(env, "restore", str(source.archive))

    assert done.returncode == 1
    assert (
        "is not empty (accounts.User: 11, people.Person: 7, organisations.OrgUnit: 9, "
        "core.AuditEntry: " in done.stderr
    )
    assert "Pass --force" in done.stderr
    assert sha256_of(db) == digest
    assert not list(var.glob("media.before-restore-*"))


@sqlite_pass_only
def test_an_archive_of_another_engine_is_refused(source: Source, tmp_path: Path) -> None:
    """A SQLite archive is not restored into PostgreSQL (and the other way round): the
    message names both engines."""
    var, env = source.copy(tmp_path / "site")
    env["DATABASE_URL"] = env["VNEMIS_DATABASE_URL"] = "postgres://nobody@127.0.0.1:9/none"
    done = run_vnemis(env, "restore", str(source.archive), "--force")
    assert done.returncode == 1
    assert (
        "This archive holds a SQLite database and the configured database is PostgreSQL"
        in done.stderr
    )


@sqlite_pass_only
def test_an_archive_of_a_newer_vnemis_is_refused(source: Source, tmp_path: Path) -> None:
    """Migrations the installed code does not know mean a newer schema: refused, with the
    version to install; nothing changes."""
    var, env = source.copy(tmp_path / "site")
    digest = sha256_of(var / "vnemis.sqlite3")
    newer = tmp_path / "newer.tar"

    def edit(manifest: dict[str, Any]) -> None:
        manifest["migrations"]["people"] = "9999_from_the_future"
        manifest["vnemis_version"] = "9.0.0"

    rewrite_archive(source.archive, newer, edit=edit)
    done = run_vnemis(env, "restore", str(newer), "--force")
    assert done.returncode == 1
    assert "made by a newer vnemis (9.0.0)" in done.stderr
    assert "people.9999_from_the_future" in done.stderr
    assert sha256_of(var / "vnemis.sqlite3") == digest


@sqlite_pass_only
def test_a_restore_that_does_not_match_the_manifest_fails_and_names_the_tables(
    source: Source, tmp_path: Path
) -> None:
    """When the restored tables differ from the manifest, the command exits non-zero and
    lists each differing table."""
    var, env = source.copy(tmp_path / "site")
    wrong = tmp_path / "wrong.tar"

    def edit(manifest: dict[str, Any]) -> None:
        manifest["tables"]["people_student"]["rows"] = 4
        manifest["tables"]["people_person"]["sha256"] = "0" * 64

    rewrite_archive(source.archive, wrong, edit=edit)
    done = run_vnemis(env, "restore", str(wrong), "--force")
    assert done.returncode == 1
    assert "differs from the backup's manifest in 2 table(s)" in done.stderr
    assert "people_person: same row count (" in done.stderr
    assert "people_student: 3 rows, the backup had 4" in done.stderr


@sqlite_pass_only
def test_backup_while_the_site_writes_is_one_consistent_state(
    source: Source, tmp_path: Path
) -> None:
    """Another connection writing all along (WAL) neither blocks the backup nor makes its
    manifest disagree with its database copy: the restore of it verifies."""
    var, env = source.copy(tmp_path / "site")
    db = var / "vnemis.sqlite3"
    stop = threading.Event()
    written = []

    def write() -> None:
        raw = sqlite3.connect(db, timeout=20)
        raw.execute("PRAGMA journal_mode=WAL")
        while not stop.is_set():
            raw.execute(
                "INSERT INTO core_auditentry (at, actor_name, verb, target_type, target_id, "
                "target_repr, note) VALUES (datetime('now'), 'site', 'viewed', 'x', '', '', '')"
            )
            raw.commit()
            written.append(1)
        raw.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        archive = tmp_path / "live.tar"
        ok(run_vnemis(env, "backup", "--output", str(archive)))
    finally:
        stop.set()
        writer.join()
    assert len(written) > 100
    out = ok(run_vnemis(site_env(tmp_path / "restored"), "restore", str(archive)))
    assert "Restore verified" in out


# --- PostgreSQL -----------------------------------------------------------------------------


def _postgres_url(name: str) -> str:
    db = connection.settings_dict
    user = quote(str(db["USER"] or ""), safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db["PASSWORD"] else ""
    host = quote(str(db["HOST"] or "localhost"), safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


def _postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        _postgres_url("postgres").replace("postgres://", "postgresql://", 1), autocommit=True
    ) as admin:
        admin.execute(sql)


def _postgres_states(name: str) -> dict[str, dict[str, Any]]:
    import psycopg

    with psycopg.connect(_postgres_url(name).replace("postgres://", "postgresql://", 1)) as raw:
        specs = backup.table_specs(raw=raw, vendor="postgresql")
        return backup.table_states(raw=raw, vendor="postgresql", specs=specs)


@pytest.mark.postgres
def test_postgres_round_trip(tmp_path: Path) -> None:
    """On PostgreSQL: pg_dump of one snapshot and the checksums of the same snapshot; a
    restore into an empty database and one over changed data both verify; a damaged archive
    changes nothing."""
    suffix = uuid.uuid4().hex[:8]
    source_db, target_db = f"vnemis_bk_src_{suffix}", f"vnemis_bk_dst_{suffix}"
    _postgres_admin(f"CREATE DATABASE {source_db}")
    _postgres_admin(f"CREATE DATABASE {target_db}")
    try:
        source_env = site_env(tmp_path / "source", _postgres_url(source_db))
        ok(run_vnemis(source_env, "migrate", "--no-input", "-v0"))
        ok(run_python(source_env, "-c", LOAD))
        before = _postgres_states(source_db)
        archive = tmp_path / "pg.tar"
        ok(run_vnemis(source_env, "backup", "--output", str(archive)))
        manifest = read_manifest(archive)
        assert manifest["engine"] == "postgresql"
        assert {
            t: {"rows": d["rows"], "sha256": d["sha256"]} for t, d in manifest["tables"].items()
        } == before

        target_env = site_env(tmp_path / "target", _postgres_url(target_db))
        out = ok(run_vnemis(target_env, "restore", str(archive)))
        assert "Restore verified" in out
        restored = _postgres_states(target_db)
        assert restored.pop("core_auditentry")["rows"] == before["core_auditentry"]["rows"] + 1
        assert restored == {t: s for t, s in before.items() if t != "core_auditentry"}
        assert (tmp_path / "target" / "media" / LONG_NAME).read_bytes() == LONG_BYTES

        import psycopg

        with psycopg.connect(
            _postgres_url(source_db).replace("postgres://", "postgresql://", 1)
        ) as raw:
            raw.execute("UPDATE people_person SET given_name = 'Đổi' WHERE id = 1")
            raw.execute("DELETE FROM people_guardianlink")
        out = ok(run_vnemis(source_env, "restore", str(archive), "--force"))
        assert "Restore verified" in out
        again = _postgres_states(source_db)
        assert again["people_person"] == before["people_person"]
        assert again["people_guardianlink"] == before["people_guardianlink"]

        damaged = tmp_path / "damaged.tar"
        flip_byte(archive, damaged, offsets(archive)["database data"])
        target_now = _postgres_states(target_db)
        done = run_vnemis(target_env, "restore", str(damaged), "--force")
        assert done.returncode == 1
        assert "Damaged: database/vnemis.pgdump." in done.stderr
        assert _postgres_states(target_db) == target_now
    finally:
        _postgres_admin(f"DROP DATABASE IF EXISTS {source_db} WITH (FORCE)")
        _postgres_admin(f"DROP DATABASE IF EXISTS {target_db} WITH (FORCE)")
