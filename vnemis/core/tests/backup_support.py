"""What the backup tests share: an installation on SQLite files of its own, run through the
commands as the site's operator runs them, and tools to read, damage and rewrite its archive.

The commands run in a subprocess, against a real migrated database in a temporary
VNEMIS_VAR_DIR (SQLite), or against databases created for the test on the PostgreSQL pass's
server. The test database of pytest-django is never touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, cast

import pytest
from django.db import connection

from vnemis.core import backup
from vnemis.core.backup.archive import HashingWriter, add_bytes, add_file

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


def site_env(var_dir: Path, url: str | None = None) -> dict[str, str]:
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


def run_python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
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


def run_vnemis(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_python(env, "-m", "vnemis.cli", *args)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def sqlite_states(path: Path) -> dict[str, dict[str, Any]]:
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        specs = backup.table_specs(raw=raw, vendor="sqlite")
        return backup.table_states(raw=raw, vendor="sqlite", specs=specs)
    finally:
        raw.close()


def sqlite_query(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    raw = sqlite3.connect(path)
    try:
        rows = raw.execute(sql, params).fetchall()
        raw.commit()
        return rows
    finally:
        raw.close()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        stream = tar.extractfile(backup.MANIFEST)
        assert stream is not None
        data: dict[str, Any] = json.load(stream)
        return data


def flip_byte(archive: Path, target: Path, offset: int) -> None:
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0x01
    target.write_bytes(bytes(data))


def rewrite_archive(
    archive: Path,
    target: Path,
    *,
    edit: Callable[[dict[str, Any]], None] = lambda m: None,
    extra: dict[str, bytes] | None = None,
) -> None:
    """Write a consistent archive (all checksums right) from ``archive``, with entries added
    and the manifest edited: what a careless or hostile tool could produce."""
    manifest = read_manifest(archive)
    with target.open("wb") as raw, tarfile.open(archive) as source:
        writer = HashingWriter(raw)
        output = cast("IO[bytes]", writer)
        with tarfile.open(fileobj=output, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for member in source.getmembers()[:-2]:
                stream = source.extractfile(member)
                assert stream is not None
                add_file(tar, member.name, stream, size=member.size, mtime=0)
            for name, data in (extra or {}).items():
                manifest["files"][name] = add_file(
                    tar, name, io.BytesIO(data), size=len(data), mtime=0
                )
            manifest["archive"] = {
                "prefix_bytes": writer.count,
                "prefix_sha256": writer.digest.copy().hexdigest(),
            }
            edit(manifest)
            body = json.dumps(manifest).encode()
            add_bytes(tar, backup.MANIFEST, body, mtime=0)
            line = f"{hashlib.sha256(body).hexdigest()}  {backup.MANIFEST}\n".encode()
            add_bytes(tar, backup.MANIFEST_DIGEST, line, mtime=0)


def offsets(archive: Path) -> dict[str, int]:
    """A byte in each part of an archive of Source (database, uploaded files, manifest, end)."""
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


sqlite_pass_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="runs on SQLite files of its own; the SQLite pass runs it",
)


class Source:
    """A migrated SQLite installation with the test world and two files, and its backup."""

    def __init__(self, root: Path) -> None:
        self.var = root / "source"
        self.env = site_env(self.var)
        ok(run_vnemis(self.env, "migrate", "--no-input", "-v0"))
        self.import_name = ok(run_python(self.env, "-c", LOAD)).strip().splitlines()[-1]
        self.db = self.var / "vnemis.sqlite3"
        self.media = self.var / "media"
        self.states_before = sqlite_states(self.db)
        self.archive = root / "backup.tar"
        self.backup_output = ok(run_vnemis(self.env, "backup", "--output", str(self.archive)))

    def copy(self, target: Path) -> tuple[Path, dict[str, str]]:
        """A copy of the installation as it is after the backup, to alter and restore into."""
        shutil.copytree(self.var, target)
        return target, site_env(target)


# One Source for the whole session (migrate, load and back up take about 20 s), shared by the
# test files; each test alters a copy of it, never the Source itself.
_SOURCES: dict[Path, Source] = {}


def source_for(factory: pytest.TempPathFactory) -> Source:
    """The session's Source, built on first use."""
    base = factory.getbasetemp()
    if base not in _SOURCES:
        _SOURCES[base] = Source(factory.mktemp("backup"))
    return _SOURCES[base]
