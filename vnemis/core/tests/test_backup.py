"""`vnemis backup` and `vnemis restore`: an archive of the database and the uploaded files whose
every byte is checked before anything changes, and a restore verified table by table.

The commands run as the site's operator runs them: in a subprocess, against a real migrated
database in a temporary VNEMIS_VAR_DIR (SQLite), or against databases created for the test on
the PostgreSQL pass's server. The test database of pytest-django is never touched.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import quote

import pytest
from django.db import connection, models

from vnemis.core import backup
from vnemis.core.backup import BackupError

ROOT = Path(__file__).resolve().parents[3]
DB_VARIABLES = ("DATABASE_URL", "VNEMIS_DATABASE_URL", "VNEMIS_DATABASE_URL_FILE")
IMPORT_BYTES = "Họ và tên,Ngày sinh\nVàng Seo Páo,02/05/2013\n".encode()
# Over 100 bytes and not ASCII: the tar entry needs a PAX header.
LONG_NAME = (
    "plans/evidence/2022/" + "Báo cáo kết quả chuyển đổi số 6 tháng đầu năm 2022 " * 2 + ".pdf"
)
LONG_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 3

# The small province of vnemis.testing.world, one stored import file and one file nobody
# refers to, written by the services into the database the environment names.
LOAD = """
import os, tempfile
from pathlib import Path
import django
django.setup()
from django.conf import settings
from vnemis.core.installation import installation_code
from vnemis.imports.services import import_file_store
from vnemis.testing.world import build_world
build_world()
installation_code()
source = Path(tempfile.mkdtemp()) / "hoc-sinh.csv"
source.write_bytes(bytes.fromhex(os.environ["IMPORT_HEX"]))
stored = import_file_store(path=source, name="Danh sách học sinh.csv", by=None)
print(stored.file.name)
extra = Path(settings.MEDIA_ROOT) / os.environ["LONG_NAME"]
extra.parent.mkdir(parents=True, exist_ok=True)
extra.write_bytes(bytes.fromhex(os.environ["LONG_HEX"]))
"""


def _env(var_dir: Path, url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DB_VARIABLES}
    env.update(
        VNEMIS_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        VNEMIS_TASKS="immediate",
        IMPORT_HEX=IMPORT_BYTES.hex(),
        LONG_NAME=LONG_NAME,
        LONG_HEX=LONG_BYTES.hex(),
    )
    if url is not None:
        env["DATABASE_URL"] = env["VNEMIS_DATABASE_URL"] = url
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _vnemis(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _run(env, "-m", "vnemis.cli", *args)


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _sqlite_states(path: Path) -> dict[str, dict[str, Any]]:
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        specs = backup.table_specs(raw=raw, vendor="sqlite")
        return backup.table_states(raw=raw, vendor="sqlite", specs=specs)
    finally:
        raw.close()


def _sqlite_query(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    raw = sqlite3.connect(path)
    try:
        rows = raw.execute(sql, params).fetchall()
        raw.commit()
        return rows
    finally:
        raw.close()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        stream = tar.extractfile(backup.MANIFEST)
        assert stream is not None
        data: dict[str, Any] = json.load(stream)
        return data


def _flip(archive: Path, target: Path, offset: int) -> None:
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0x01
    target.write_bytes(bytes(data))


def _rewrite(
    archive: Path,
    target: Path,
    *,
    edit: Callable[[dict[str, Any]], None] = lambda m: None,
    extra: dict[str, bytes] | None = None,
) -> None:
    """Write a consistent archive (all checksums right) from ``archive``, with entries added
    and the manifest edited: what a careless or hostile tool could produce."""
    manifest = _manifest(archive)
    with target.open("wb") as raw, tarfile.open(archive) as source:
        writer = backup._HashingWriter(raw)
        output = cast("IO[bytes]", writer)
        with tarfile.open(fileobj=output, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for member in source.getmembers()[:-2]:
                stream = source.extractfile(member)
                assert stream is not None
                backup._add_file(tar, member.name, stream, size=member.size, mtime=0)
            for name, data in (extra or {}).items():
                manifest["files"][name] = backup._add_file(
                    tar, name, io.BytesIO(data), size=len(data), mtime=0
                )
            manifest["archive"] = {
                "prefix_bytes": writer.count,
                "prefix_sha256": writer.digest.copy().hexdigest(),
            }
            edit(manifest)
            body = json.dumps(manifest).encode()
            backup._add_bytes(tar, backup.MANIFEST, body, mtime=0)
            line = f"{hashlib.sha256(body).hexdigest()}  {backup.MANIFEST}\n".encode()
            backup._add_bytes(tar, backup.MANIFEST_DIGEST, line, mtime=0)


# --- Canonical rows: no database ------------------------------------------------------------


def test_canonical_rows_are_the_same_for_sqlite_raw_values_and_postgresql_typed_values() -> None:
    """SQLite's stored forms (0/1, ISO text, REAL decimals, JSON text, uuid hex) and
    PostgreSQL's Python types give the same text; a time in another zone is the same UTC
    instant; -0 and 0 are the same decimal."""
    kinds = ["int", "bool", "date", "datetime", "decimal:4", "json", "text", "float", "uuid"]
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    sqlite_row = (
        7,
        1,
        "2021-09-05",
        "2021-09-05 01:02:03.000001",
        12.5,
        '{"b": 1, "a": [1, 2.5]}',
        "Hà Giang",
        1.5,
        key.hex,
    )
    postgres_row = (
        7,
        True,
        dt.date(2021, 9, 5),
        dt.datetime(2021, 9, 5, 8, 2, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        decimal.Decimal("12.5000"),
        {"a": [1, 2.5], "b": 1},
        "Hà Giang",
        1.5,
        key,
    )
    expected = (
        '[[7,true,"2021-09-05","2021-09-05T01:02:03.000001","12.5000",'
        '"{\\"a\\":[1,2.5],\\"b\\":1}","Hà Giang",1.5,"12345678123456781234567812345678"]]\n'
    )
    assert backup.canonical_rows(kinds, [sqlite_row]) == expected
    assert backup.canonical_rows(kinds, [postgres_row]) == expected
    assert backup.canonical_rows(["decimal:2", "datetime"], [(-0.0, "2021-09-05 01:02:03")]) == (
        '[["0.00","2021-09-05T01:02:03.000000"]]\n'
    )
    assert backup.canonical_rows(["bool", "text"], [(0, None), (False, "")]) == (
        '[[false,null],[false,""]]\n'
    )


def test_field_kinds_follow_the_model_field_and_a_foreign_key_takes_its_target_kind() -> None:
    """A foreign key's column holds its target's key; a decimal keeps its number of places."""
    from vnemis.indicators.models import Target
    from vnemis.people.models import Enrollment

    assert backup.field_kind(Enrollment._meta.get_field("student")) == "int"
    assert backup.field_kind(Target._meta.get_field("value")) == "decimal:2"
    assert backup.field_kind(models.DateTimeField()) == "datetime"
    assert backup.field_kind(models.JSONField()) == "json"


def test_an_archive_from_a_newer_schema_is_recognised_by_its_unknown_migrations() -> None:
    """Migrations this code lacks are listed for installed apps; an app this code does not
    install is left alone (its tables are restored and unused)."""
    known = {("core", "0001_initial"), ("core", "0002_x"), ("people", "0001_initial")}
    archive = {"core": "0003_future", "people": "0001_initial", "retired_app": "0009_y"}
    assert backup.migrations_unknown(archive, known=known) == ["core.0003_future"]
    assert backup.migrations_unknown({"core": "0002_x"}, known=known) == []


def test_postgres_tools_get_the_password_from_the_environment_only() -> None:
    """The password goes to PGPASSWORD; the connection's other settings and TLS options
    become libpq variables."""
    env = backup.postgres_env(
        {
            "NAME": "vnemis",
            "USER": "app",
            "PASSWORD": "s3cret pass",
            "HOST": "db.internal",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "verify-full"},
        }
    )
    assert (env["PGDATABASE"], env["PGUSER"], env["PGHOST"], env["PGPORT"]) == (
        "vnemis",
        "app",
        "db.internal",
        "5433",
    )
    assert (env["PGPASSWORD"], env["PGSSLMODE"]) == ("s3cret pass", "verify-full")


# --- SQLite, through the commands -----------------------------------------------------------

sqlite_pass_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="runs on SQLite files of its own; the SQLite pass runs it",
)


class Source:
    """A migrated SQLite installation with the test world and two files, and its backup."""

    def __init__(self, root: Path) -> None:
        self.var = root / "source"
        self.env = _env(self.var)
        _ok(_vnemis(self.env, "migrate", "--no-input", "-v0"))
        self.import_name = _ok(_run(self.env, "-c", LOAD)).strip().splitlines()[-1]
        self.db = self.var / "vnemis.sqlite3"
        self.media = self.var / "media"
        self.states_before = _sqlite_states(self.db)
        self.archive = root / "backup.tar"
        self.backup_output = _ok(_vnemis(self.env, "backup", "--output", str(self.archive)))

    def copy(self, target: Path) -> tuple[Path, dict[str, str]]:
        """A copy of the installation as it is after the backup, to alter and restore into."""
        shutil.copytree(self.var, target)
        return target, _env(target)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    if connection.vendor != "sqlite":
        pytest.skip("runs on SQLite files of its own; the SQLite pass runs it")
    yield Source(tmp_path_factory.mktemp("backup"))


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
    manifest = _manifest(source.archive)
    assert manifest["engine"] == "sqlite"
    assert manifest["media_files"] == 2
    tables = {t: {"rows": d["rows"], "sha256": d["sha256"]} for t, d in manifest["tables"].items()}
    assert tables == source.states_before
    assert tables["people_student"]["rows"] == 3
    assert (
        manifest["migrations"]["people"]
        == _sqlite_query(
            source.db, "SELECT name FROM django_migrations WHERE app = 'people' ORDER BY id DESC"
        )[0][0]
    )
    code = _sqlite_query(source.db, "SELECT code FROM core_installation")[0][0]
    assert manifest["installation_code"] == code
    assert oct(source.archive.stat().st_mode & 0o777) == "0o600"
    digest = _sha256(source.archive)
    assert f"SHA-256 of the archive: {digest}" in source.backup_output
    (after,) = _sqlite_query(
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
    _sqlite_query(db, "UPDATE people_person SET given_name = 'Đổi' WHERE id = 1")
    _sqlite_query(db, "DELETE FROM people_guardianlink")
    (var / "media" / source.import_name).write_bytes(b"overwritten")
    (var / "media" / "later.txt").write_bytes(b"added after the backup")

    out = _ok(_vnemis(env, "restore", str(source.archive), "--force"))

    assert "Restore verified" in out
    after = _sqlite_states(db)
    audit = after.pop("core_auditentry")
    before = dict(source.states_before)
    audit_before = before.pop("core_auditentry")
    assert after == before
    # The snapshot's entries, then the restore's (the backup's own entry came after it).
    assert audit["rows"] == audit_before["rows"] + 1
    ((verb, note),) = _sqlite_query(
        db, "SELECT verb, note FROM core_auditentry ORDER BY id DESC LIMIT 1"
    )
    assert (verb, note) == ("updated", "vnemis restore, verified")
    assert (var / "media" / source.import_name).read_bytes() == IMPORT_BYTES
    assert (var / "media" / LONG_NAME).read_bytes() == LONG_BYTES
    assert not (var / "media" / "later.txt").exists()
    (aside,) = var.glob("media.before-restore-*")
    assert (aside / "later.txt").read_bytes() == b"added after the backup"
    assert (aside / source.import_name).read_bytes() == b"overwritten"
    assert _sqlite_query(db, "PRAGMA journal_mode") == [("wal",)]


@sqlite_pass_only
def test_restore_into_a_new_installation_needs_no_force(source: Source, tmp_path: Path) -> None:
    """On a machine with no database yet (after a disk loss), the restore creates it, with the
    same rows, files and installation code."""
    var = tmp_path / "new"
    out = _ok(_vnemis(_env(var), "restore", str(source.archive)))
    assert "Restore verified" in out
    after = _sqlite_states(var / "vnemis.sqlite3")
    assert after["people_person"] == source.states_before["people_person"]
    assert after["core_installation"] == source.states_before["core_installation"]
    assert (var / "media" / LONG_NAME).read_bytes() == LONG_BYTES


@sqlite_pass_only
def test_a_database_with_data_is_not_replaced_without_force(source: Source, tmp_path: Path) -> None:
    """Without --force and without a terminal to ask, the restore refuses and names what the
    database holds; nothing changes."""
    var, env = source.copy(tmp_path / "site")
    db = var / "vnemis.sqlite3"
    _sqlite_query(db, "UPDATE people_person SET given_name = 'Đổi' WHERE id = 1")
    digest = _sha256(db)

    done = _vnemis(env, "restore", str(source.archive))

    assert done.returncode == 1
    assert (
        "is not empty (accounts.User: 11, people.Person: 7, organisations.OrgUnit: 9, "
        "core.AuditEntry: " in done.stderr
    )
    assert "Pass --force" in done.stderr
    assert _sha256(db) == digest
    assert not list(var.glob("media.before-restore-*"))


def _offsets(archive: Path) -> dict[str, int]:
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    database, media, _, manifest, digest = members
    return {
        "database data": database.offset_data + database.size // 2,
        "media header": media.offset + 100,  # the mode field, covered by the header checksum
        "media data": media.offset_data,
        "media padding": media.offset_data + media.size,  # zeros up to the next 512 bytes
        "long name (PAX header)": members[2].offset + 600,
        "manifest": manifest.offset_data + 40,
        "manifest digest": digest.offset_data + 3,
        "end of archive": archive.stat().st_size - 1,
    }


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
    offset = _offsets(source.archive)[where]
    damaged = tmp_path / "damaged.tar"
    _flip(source.archive, damaged, offset)
    with pytest.raises(BackupError, match="Nothing was restored; use another copy"):
        backup.archive_verify(path=damaged)


@sqlite_pass_only
def test_a_damaged_archive_changes_nothing(source: Source, tmp_path: Path) -> None:
    """`vnemis restore --force` on an archive with one byte changed in the database copy
    exits with an error; the database and the files are as they were."""
    var, env = source.copy(tmp_path / "site")
    db = var / "vnemis.sqlite3"
    _sqlite_query(db, "UPDATE people_person SET given_name = 'Đổi' WHERE id = 1")
    (var / "media" / source.import_name).write_bytes(b"changed")
    digest = _sha256(db)
    damaged = tmp_path / "damaged.tar"
    _flip(source.archive, damaged, _offsets(source.archive)["database data"])

    done = _vnemis(env, "restore", str(damaged), "--force")

    assert done.returncode == 1
    assert "does not match its own checksums" in done.stderr
    assert "Damaged: database/vnemis.sqlite3.gz." in done.stderr
    assert _sha256(db) == digest
    assert (var / "media" / source.import_name).read_bytes() == b"changed"
    assert not list(var.glob("media.before-restore-*"))
    assert not list(var.glob(".vnemis-restore-*"))


@sqlite_pass_only
@pytest.mark.parametrize("where", ["database data", "manifest", "manifest digest"])
def test_a_truncated_archive_is_refused(source: Source, tmp_path: Path, where: str) -> None:
    """A copy cut short (a full disk, an interrupted transfer) is refused, wherever it ends."""
    cut = tmp_path / "cut.tar"
    cut.write_bytes(source.archive.read_bytes()[: _offsets(source.archive)[where]])
    with pytest.raises(BackupError, match="Nothing was restored; use another copy"):
        backup.archive_verify(path=cut)


@sqlite_pass_only
def test_an_entry_outside_the_media_folder_is_refused(source: Source, tmp_path: Path) -> None:
    """An archive whose checksums are right but which names a path leaving MEDIA_ROOT is
    refused before anything is unpacked."""
    hostile = tmp_path / "hostile.tar"
    _rewrite(source.archive, hostile, extra={"media/../../secret_key": b"x"})
    with pytest.raises(BackupError, match="unexpected entry 'media/../../secret_key'"):
        backup.archive_verify(path=hostile)


@sqlite_pass_only
def test_an_archive_of_another_engine_is_refused(source: Source, tmp_path: Path) -> None:
    """A SQLite archive is not restored into PostgreSQL (and the other way round): the
    message names both engines."""
    var, env = source.copy(tmp_path / "site")
    env["DATABASE_URL"] = env["VNEMIS_DATABASE_URL"] = "postgres://nobody@127.0.0.1:9/none"
    done = _vnemis(env, "restore", str(source.archive), "--force")
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
    digest = _sha256(var / "vnemis.sqlite3")
    newer = tmp_path / "newer.tar"

    def edit(manifest: dict[str, Any]) -> None:
        manifest["migrations"]["people"] = "9999_from_the_future"
        manifest["vnemis_version"] = "9.0.0"

    _rewrite(source.archive, newer, edit=edit)
    done = _vnemis(env, "restore", str(newer), "--force")
    assert done.returncode == 1
    assert "made by a newer vnemis (9.0.0)" in done.stderr
    assert "people.9999_from_the_future" in done.stderr
    assert _sha256(var / "vnemis.sqlite3") == digest


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

    _rewrite(source.archive, wrong, edit=edit)
    done = _vnemis(env, "restore", str(wrong), "--force")
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
        _ok(_vnemis(env, "backup", "--output", str(archive)))
    finally:
        stop.set()
        writer.join()
    assert len(written) > 100
    out = _ok(_vnemis(_env(tmp_path / "restored"), "restore", str(archive)))
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
        source_env = _env(tmp_path / "source", _postgres_url(source_db))
        _ok(_vnemis(source_env, "migrate", "--no-input", "-v0"))
        _ok(_run(source_env, "-c", LOAD))
        before = _postgres_states(source_db)
        archive = tmp_path / "pg.tar"
        _ok(_vnemis(source_env, "backup", "--output", str(archive)))
        manifest = _manifest(archive)
        assert manifest["engine"] == "postgresql"
        assert {
            t: {"rows": d["rows"], "sha256": d["sha256"]} for t, d in manifest["tables"].items()
        } == before

        target_env = _env(tmp_path / "target", _postgres_url(target_db))
        out = _ok(_vnemis(target_env, "restore", str(archive)))
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
        out = _ok(_vnemis(source_env, "restore", str(archive), "--force"))
        assert "Restore verified" in out
        again = _postgres_states(source_db)
        assert again["people_person"] == before["people_person"]
        assert again["people_guardianlink"] == before["people_guardianlink"]

        damaged = tmp_path / "damaged.tar"
        _flip(archive, damaged, _offsets(archive)["database data"])
        target_now = _postgres_states(target_db)
        done = _vnemis(target_env, "restore", str(damaged), "--force")
        assert done.returncode == 1
        assert "Damaged: database/vnemis.pgdump." in done.stderr
        assert _postgres_states(target_db) == target_now
    finally:
        _postgres_admin(f"DROP DATABASE IF EXISTS {source_db} WITH (FORCE)")
        _postgres_admin(f"DROP DATABASE IF EXISTS {target_db} WITH (FORCE)")
