"""Benchmark: `vnemis backup` and `vnemis restore` of the Lào Cai 2022 demo.

Usage: python bench/backup.py [--var-dir DIR] [--database-url URL --restore-database-url URL2]
                              [--scale 1.0]

Without --var-dir, a temporary folder gets a migrated database (a SQLite file there, or the
empty PostgreSQL database of --database-url) and the demo (not timed). Then, timed, as an
operator runs them: `vnemis backup` into a temporary folder, and `vnemis restore` into a new
installation (a new SQLite file, or the empty PostgreSQL database of --restore-database-url),
which verifies every table's count and checksum. Prints the database and archive sizes, the
wall times and the peak memory of the commands.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_VARIABLES = ("DATABASE_URL", "VNEMIS_DATABASE_URL", "VNEMIS_DATABASE_URL_FILE")


def vnemis(var_dir: Path, url: str, *args: str) -> tuple[float, float]:
    """Run a command; return its wall time (s) and its own peak resident memory (MB)."""
    env = {k: v for k, v in os.environ.items() if k not in DB_VARIABLES}
    env["VNEMIS_VAR_DIR"] = str(var_dir)
    if url:
        env["VNEMIS_DATABASE_URL"] = url
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "vnemis.cli", *args], cwd=ROOT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"vnemis {' '.join(args)} exited with {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--var-dir", type=Path, help="an installation already loaded")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--restore-database-url", default="")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    if args.database_url.startswith("postgres") and not args.restore_database_url:
        parser.error("--restore-database-url (an empty database) is needed for PostgreSQL")
    tmp = Path(tempfile.mkdtemp(prefix="vnemis-bench-backup-"))
    try:
        source = args.var_dir or tmp / "source"
        if args.var_dir is None:
            vnemis(source, args.database_url, "migrate", "-v0")
            vnemis(source, args.database_url, "demo", "laocai-2022", f"--scale={args.scale}")
        archive = tmp / "backup.tar"
        backup_s, backup_mb = vnemis(source, args.database_url, "backup", "--output", str(archive))
        restore_s, restore_mb = vnemis(
            tmp / "target", args.restore_database_url, "restore", str(archive)
        )
        database = source / "vnemis.sqlite3"
        print(
            f"machine: {platform.machine()} {os.cpu_count()} cores, "
            f"Python {platform.python_version()}"
        )
        if database.exists() and not args.database_url:
            print(f"database file:  {database.stat().st_size / 2**20:9.1f} MB")
        print(f"archive:        {archive.stat().st_size / 2**20:9.1f} MB")
        print(f"backup:         {backup_s:9.1f} s   peak RSS {backup_mb:.0f} MB")
        print(f"restore:        {restore_s:9.1f} s   peak RSS {restore_mb:.0f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
