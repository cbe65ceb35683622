"""bench/load.py's installation, server and machine: `vnemis` commands, PostgreSQL settings,
`vnemis serve` in its own process group, and the facts about the machine."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import platform
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from load_http import ACCOUNTS, HOST, BenchError, Session

ROOT = Path(__file__).resolve().parent.parent
DB_VARIABLES = ("DATABASE_URL", "VNEMIS_DATABASE_URL", "VNEMIS_DATABASE_URL_FILE")


def vnemis_env(var_dir: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DB_VARIABLES}
    env["VNEMIS_VAR_DIR"] = str(var_dir)
    if url:
        env["VNEMIS_DATABASE_URL"] = url
    return env


def vnemis(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "vnemis.cli", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"vnemis {' '.join(args)} exited with {done.returncode}:\n{done.stderr}")
    return done.stdout


def demo_password(env: dict[str, str]) -> tuple[str, list[str]]:
    """The demo password and the officer accounts, as `vnemis demo accounts` prints them."""
    printed = vnemis(env, "demo", "accounts")
    match = re.search(r"password[^:\n]*:\s*(\S+)", printed)
    if match is None:
        raise BenchError(f"no password in the output of `vnemis demo accounts`:\n{printed}")
    present = {line.split()[0] for line in printed.splitlines() if line.strip()}
    return match.group(1), [a for a in ACCOUNTS if a in present]


# The settings docs/modules/operations.md recommends for a 2-core server, those a reload
# applies (shared_buffers would need a restart of the server).
TUNING = {
    "work_mem": "32MB",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
    "random_page_cost": "1.1",
    "effective_cache_size": "6GB",
}


def tune(url: str) -> None:
    """Apply ``TUNING`` to the server (ALTER SYSTEM, then a reload)."""
    if not url.startswith("postgres"):
        return
    with psycopg.connect(url, autocommit=True) as conn:
        for name, value in TUNING.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        conn.execute("SELECT pg_reload_conf()")
    print("PostgreSQL settings: " + ", ".join(f"{k}={v}" for k, v in TUNING.items()))


def vacuum_analyze(url: str) -> None:
    """Fresh statistics and visibility maps before measuring: otherwise autovacuum runs on
    the freshly loaded tables during the first runs and the planner guesses."""
    if not url.startswith("postgres"):
        return
    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    print(f"VACUUM (ANALYZE) in {time.perf_counter() - began:.0f} s (not measured)", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, workers: int | None, log: Path) -> Iterator[int]:
    """`vnemis serve` in its own process group until the block ends; yields the group."""
    command = [sys.executable, "-m", "vnemis.cli", "serve", "--host", HOST, "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            start_new_session=True,
        )  # fmt: skip
    try:
        waited = time.monotonic()
        while True:
            if server.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise BenchError(f"vnemis serve exited with {server.returncode}:\n{tail}")
            probe = Session(port)
            with contextlib.suppress(OSError, http.client.HTTPException):
                if probe.get("/health/")[0] == 200:
                    break
            probe.close()
            if time.monotonic() - waited > 120:
                raise BenchError("vnemis serve did not answer /health/ within 120 s")
            time.sleep(0.25)
        yield server.pid
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # serve stops gunicorn and the job worker
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=45)
        # Whatever is left of the group (a worker that did not stop in time) is killed.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def machine(url: str) -> dict[str, Any]:
    cpu_model = platform.processor() or platform.machine()
    memory = 0.0
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 2**20
    database = "SQLite"
    if url.startswith("postgres"):
        database = "PostgreSQL"
        with contextlib.suppress(Exception), psycopg.connect(url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            database = f"PostgreSQL {row[0] if row else '?'}"
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gib": round(memory, 1),
        "system": platform.platform(),
        "python": platform.python_version(),
        "database": database,
        "load_average": os.getloadavg(),
    }
