#!/usr/bin/env python3
"""A throwaway PostgreSQL cluster in a temporary folder, for the test suite and for developers.

``temporary_postgres()`` runs ``initdb`` and ``pg_ctl`` from the installed server binaries (on
``PATH`` or under ``/usr/lib/postgresql/*/bin``), listens only on a unix socket inside the
folder, creates the database ``vnemis`` and yields its URL. On exit the server is stopped and
the folder removed. PostgreSQL refuses to run as root, so under root the server runs as the
``postgres`` user (``runuser -u postgres --``).

Run as a script::

    python scripts/pgtemp.py -- CMD [ARG...]   # CMD runs with DATABASE_URL set
    python scripts/pgtemp.py                   # print the URL, keep the server until Ctrl-C
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

__all__ = ["PostgresUnavailable", "find_bindir", "temporary_postgres"]

DATABASE = "vnemis"
SUPERUSER = "postgres"
PORT = 5432  # Only names the socket file: the server listens on no TCP address.
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing or the throwaway server did not start."""


def find_bindir() -> Path:
    """Return the folder holding ``initdb``, ``pg_ctl`` and ``createdb``."""
    on_path = shutil.which("initdb")
    if on_path:
        # /usr/local/bin/initdb is usually a symlink into /usr/lib/postgresql/N/bin.
        return Path(on_path).resolve().parent
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL server binaries not found: no initdb on PATH nor in "
            "/usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)"
        )
    newest = max(found, key=lambda p: [int(x) for x in Path(p).parts[-3].split(".") if x.isdigit()])
    return Path(newest).parent


def _tool(bindir: Path, name: str) -> str:
    path = bindir / name
    if path.exists():
        return str(path)
    return shutil.which(name) or name


def _server_env() -> dict[str, str]:
    # PGPORT, PGDATA, PGHOST... from the caller's shell must not leak into the throwaway server.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _run(cmd: Sequence[str], *, cwd: Path, as_postgres: bool, timeout: float = 120) -> str:
    """Run ``cmd``; return its combined output; raise ``PostgresUnavailable`` on failure."""
    full = ["runuser", "-u", SUPERUSER, "--", *cmd] if as_postgres else list(cmd)
    try:
        done = subprocess.run(
            full,
            cwd=cwd,
            env=_server_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresUnavailable(f"{shlex.join(full)} failed: {exc}") from exc
    if done.returncode != 0:
        raise PostgresUnavailable(
            f"{shlex.join(full)} exited with {done.returncode}:\n{done.stdout.strip()}"
        )
    return done.stdout


def _log_tail(log: Path, lines: int = 30) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


def _stop(pg_ctl: str, data: Path, *, cwd: Path, as_postgres: bool) -> None:
    for mode in ("fast", "immediate"):
        try:
            _run(
                [pg_ctl, "stop", "-D", str(data), "-m", mode, "-w", "-t", "30"],
                cwd=cwd,
                as_postgres=as_postgres,
                timeout=60,
            )
        except PostgresUnavailable as exc:
            print(f"pgtemp: warning: {exc}", file=sys.stderr)
        else:
            return


@contextlib.contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a throwaway PostgreSQL server; yield the URL of its empty ``vnemis`` database."""
    bindir = find_bindir()
    initdb, pg_ctl = _tool(bindir, "initdb"), _tool(bindir, "pg_ctl")
    createdb = _tool(bindir, "createdb")
    as_postgres = os.geteuid() == 0
    if as_postgres:
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root but runuser (util-linux) is not installed")
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root: PostgreSQL must run as the '{SUPERUSER}' user, "
                "which does not exist (Debian: apt-get install postgresql)"
            ) from None

    # Unix socket paths are limited to ~107 bytes: keep the folder short.
    parent = None if len(tempfile.gettempdir()) < 40 else "/tmp"
    root = Path(tempfile.mkdtemp(prefix="vnemis-pg-", dir=parent))
    data, sockets, log = root / "data", root / "sockets", root / "postgres.log"
    try:
        sockets.mkdir()
        if as_postgres:
            for path in (root, sockets):
                shutil.chown(path, user=SUPERUSER, group=None)
        base = [initdb, "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8"]
        try:
            _run([*base, "--locale=C.UTF-8"], cwd=root, as_postgres=as_postgres)
        except PostgresUnavailable:
            shutil.rmtree(data, ignore_errors=True)
            _run([*base, "--no-locale"], cwd=root, as_postgres=as_postgres)

        options = (
            f"-c listen_addresses='' -c port={PORT} -k {shlex.quote(str(sockets))} {SERVER_OPTIONS}"
        )
        try:
            _run(
                [pg_ctl, "start", "-w", "-t", "60", "-D", str(data), "-l", str(log), "-o", options],
                cwd=root,
                as_postgres=as_postgres,
            )
        except PostgresUnavailable as exc:
            raise PostgresUnavailable(
                f"the throwaway PostgreSQL server did not start.\n{exc}\n"
                f"--- last lines of {log} ---\n{_log_tail(log)}"
            ) from exc
        _run(
            [createdb, "-h", str(sockets), "-p", str(PORT), "-U", SUPERUSER, DATABASE],
            cwd=root,
            as_postgres=False,
        )
        # dj-database-url reads a percent-encoded host as HOST (a socket folder); libpq agrees.
        yield f"postgres://{SUPERUSER}@{quote(str(sockets), safe='')}:{PORT}/{DATABASE}"
    finally:
        if (data / "postmaster.pid").exists():
            _stop(pg_ctl, data, cwd=root, as_postgres=as_postgres)
        shutil.rmtree(root, ignore_errors=True)


def _exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so ``finally`` blocks stop the server."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args and args[0] == "--":
        args = args[1:]
    elif args:
        print(__doc__, file=sys.stderr)
        return 2
    _exit_on_sigterm()
    try:
        with temporary_postgres() as url:
            env = {**os.environ, "DATABASE_URL": url, "VNEMIS_DATABASE_URL": url}
            env.pop("VNEMIS_DATABASE_URL_FILE", None)
            if not args:
                print(f"PostgreSQL is running; Ctrl-C stops it.\nexport DATABASE_URL='{url}'")
                with contextlib.suppress(KeyboardInterrupt):
                    while True:
                        time.sleep(3600)
                return 0
            proc = subprocess.Popen(args, env=env)
            try:
                return proc.wait()
            except KeyboardInterrupt:
                # The child got the same Ctrl-C; give it time to finish before the server stops.
                try:
                    return proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    return 130
    except PostgresUnavailable as exc:
        print(f"pgtemp: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"pgtemp: {exc}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
