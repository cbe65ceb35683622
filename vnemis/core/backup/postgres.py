"""PostgreSQL: ``pg_dump`` of one exported snapshot (checksummed in the same snapshot) and
``pg_restore`` in one transaction, with the client tools of the server's version."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction

from vnemis.core.backup.base import POSTGRES_MEMBER, BackupError, Progress, megabytes
from vnemis.core.backup.tables import snapshot_facts

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


def _tool_major(path: str) -> int | None:
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    match = _VERSION.search(done.stdout)
    return int(match.group(1)) if match else None


def postgres_tool(name: str, *, server_major: int) -> Path:
    """``pg_dump`` or ``pg_restore`` of the server's major version, else the newest newer one.

    pg_dump refuses a server newer than itself; Debian installs one folder per version under
    /usr/lib/postgresql, and /usr/bin/pg_dump is a wrapper that may pick another one.
    """
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    candidates += sorted(glob.glob(f"/usr/pgsql-*/bin/{name}"))  # PGDG packages on RHEL
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    found: dict[str, int] = {}
    for candidate in candidates:
        major = _tool_major(candidate)
        if major is not None:
            found.setdefault(candidate, major)
    usable = {path: major for path, major in found.items() if major >= server_major}
    if not usable:
        seen = ", ".join(f"{p} ({m})" for p, m in found.items()) or "none"
        raise BackupError(
            f"{name} {server_major} or newer is needed for this PostgreSQL {server_major} "
            f"server; found: {seen}. Install the PostgreSQL {server_major} client "
            f"(Debian: apt-get install postgresql-client-{server_major})."
        )
    exact = [p for p, m in usable.items() if m == server_major]
    return Path(exact[0] if exact else max(usable, key=lambda p: usable[p]))


# libpq reads these from the environment; Django's OPTIONS names them as connection keywords.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def postgres_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump / pg_restore: the process's, plus Django's connection
    parameters as libpq variables. The password goes in PGPASSWORD, never on a command line
    (which any user of the machine can read in the process list)."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
    for option, variable in _LIBPQ_OPTIONS.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    env["PGAPPNAME"] = "vnemis-backup"
    return env


def _run_logged(cmd: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=err, stderr=err)


def _tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").strip()
    return "\n".join(text.splitlines()[-lines:])


def postgres_snapshot(work: Path, progress: Progress) -> tuple[Path, dict[str, Any]]:
    """pg_dump and the checksums read one exported snapshot: the same state, site running."""
    dump = work / "vnemis.pgdump"
    log = work / "pg_dump.log"
    server_major = int(connection.pg_version) // 10000  # type: ignore[attr-defined]
    pg_dump = postgres_tool("pg_dump", server_major=server_major)
    name = connection.settings_dict["NAME"]
    connections.close_all()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
        progress(f"Dumping PostgreSQL database {name} (server {server_version}) with {pg_dump}…")
        start = time.monotonic()
        dumper = _run_logged(
            [
                str(pg_dump),
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={dump}",
            ],
            env=postgres_env(connection.settings_dict),
            log=log,
        )
        # The exported snapshot lives as long as this transaction: the checksums run while
        # pg_dump works, and the transaction ends only after pg_dump has finished.
        try:
            facts = snapshot_facts(
                raw=connection.connection, vendor="postgresql", progress=progress
            )
        except BaseException:
            dumper.terminate()
            dumper.wait()
            raise
        code = dumper.wait()
    if code != 0:
        raise BackupError(f"pg_dump failed (exit {code}):\n{_tail(log)}")
    progress(
        f"Database dumped ({megabytes(dump.stat().st_size)}); dump and checksums took "
        f"{time.monotonic() - start:.1f} s."
    )
    facts["database"] = {
        "member": POSTGRES_MEMBER,
        "format": "pg_dump-custom",
        "server_version": str(server_version),
        "pg_dump": f"{pg_dump} ({_tool_major(str(pg_dump))})",
    }
    return dump, facts


def postgres_apply(dump: Path, work: Path, progress: Progress) -> None:
    server_major = int(connection.pg_version) // 10000  # type: ignore[attr-defined]
    pg_restore = postgres_tool("pg_restore", server_major=server_major)
    name = str(connection.settings_dict["NAME"])
    connections.close_all()
    progress(f"Restoring PostgreSQL database {name} with {pg_restore}…")
    log = work / "pg_restore.log"
    # One transaction: a failure leaves the database as it was. --no-owner: the tables
    # belong to the configured user, whoever owned them where the dump was made.
    process = _run_logged(
        [
            str(pg_restore),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={name}",
            str(dump),
        ],
        env=postgres_env(connection.settings_dict),
        log=log,
    )
    code = process.wait()
    if code != 0:
        raise BackupError(
            f"pg_restore failed (exit {code}); the database was left as it was:\n{_tail(log)}"
        )
