#!/usr/bin/env python3
"""Run the whole pytest suite on SQLite, then on a throwaway PostgreSQL cluster.

Usage: run_tests.py [--sqlite-only | --postgres-only] [-- PYTEST-ARGS...]

The SQLite pass uses the settings' default database (pytest-django creates its own test
database). The PostgreSQL pass starts a server from the installed binaries (scripts/pgtemp.py).
When PostgreSQL cannot start, that is a failure under CI=true; otherwise the pass is skipped
with a warning. Each pass sets VNEMIS_TEST_DB_VENDOR (sqlite or postgresql). Exits non-zero
when any pass fails; pytest's "no tests collected" (5) is a failure.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pgtemp import PostgresUnavailable, temporary_postgres

ROOT = Path(__file__).resolve().parent.parent
DB_VARIABLES = ("DATABASE_URL", "VNEMIS_DATABASE_URL", "VNEMIS_DATABASE_URL_FILE")
RULE = "=" * 78


@dataclass
class Outcome:
    name: str
    returncode: int | None  # None: the pass did not run
    seconds: float
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.returncode is not None and self.returncode != 0


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def header(title: str) -> None:
    print(f"\n{RULE}\n{title}\n{RULE}", flush=True)


def pytest_env(vendor: str, url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DB_VARIABLES}
    env["VNEMIS_TEST_DB_VENDOR"] = vendor
    if url is not None:
        env["DATABASE_URL"] = env["VNEMIS_DATABASE_URL"] = url
    return env


def run_pytest(args: Sequence[str], env: dict[str, str]) -> int:
    cmd = [sys.executable, "-m", "pytest", *args]
    print("$ " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        return proc.wait()
    except BaseException as exc:
        # Ctrl-C reached pytest too: let it finish its teardown before the server stops.
        # Otherwise (SIGTERM) stop pytest first.
        if not isinstance(exc, KeyboardInterrupt):
            proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise


def sqlite_pass(args: Sequence[str], title: str) -> Outcome:
    header(f"{title}: SQLite (the settings' default database)")
    start = time.monotonic()
    code = run_pytest(args, pytest_env("sqlite", None))
    return Outcome("sqlite", code, time.monotonic() - start)


def postgres_pass(args: Sequence[str], title: str, *, required: bool) -> Outcome:
    header(f"{title}: PostgreSQL (a throwaway cluster in a temporary folder)")
    start = time.monotonic()
    try:
        with temporary_postgres() as url:
            print(f"PostgreSQL is up at {url}", flush=True)
            code = run_pytest(args, pytest_env("postgresql", url))
    except PostgresUnavailable as exc:
        elapsed = time.monotonic() - start
        if required:
            print(f"\nERROR: PostgreSQL could not start:\n{exc}", file=sys.stderr, flush=True)
            return Outcome("postgresql", 1, elapsed, "PostgreSQL could not start")
        banner = "!" * 78
        print(
            f"\n{banner}\nWARNING: PostgreSQL could not start; the PostgreSQL pass is SKIPPED.\n"
            f"{exc}\n(Under CI=true this is a failure.)\n{banner}",
            file=sys.stderr,
            flush=True,
        )
        return Outcome("postgresql", None, elapsed, "(PostgreSQL could not start)")
    return Outcome("postgresql", code, time.monotonic() - start)


def describe(outcome: Outcome) -> str:
    if outcome.returncode is None:
        status = "skipped"
    elif outcome.returncode == 0:
        status = "passed"
    elif outcome.returncode == 5:
        status = "FAILED (no tests collected)"
    else:
        status = "FAILED"
    code = "-" if outcome.returncode is None else str(outcome.returncode)
    note = f"  {outcome.note}" if outcome.note else ""
    return f"  {outcome.name:<11} exit {code:>3}  {outcome.seconds:7.1f} s  {status}{note}"


def main(argv: Sequence[str]) -> int:
    argv = list(argv)
    pytest_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, pytest_args = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(
        description="Run the pytest suite on SQLite, then on a throwaway PostgreSQL.",
        epilog="Arguments after -- go to pytest.",
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--sqlite-only", action="store_true", help="skip the PostgreSQL pass")
    only.add_argument("--postgres-only", action="store_true", help="skip the SQLite pass")
    options = parser.parse_args(argv)

    def on_sigterm(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds through temporary_postgres(), which cleans up

    signal.signal(signal.SIGTERM, on_sigterm)

    ci = under_ci()
    passes = 1 if (options.sqlite_only or options.postgres_only) else 2
    outcomes: list[Outcome] = []
    total = time.monotonic()
    try:
        if not options.postgres_only:
            outcomes.append(sqlite_pass(pytest_args, f"Pass 1/{passes}"))
        if not options.sqlite_only:
            # --postgres-only with no server would run nothing: that is a failure too.
            required = ci or options.postgres_only
            outcomes.append(
                postgres_pass(pytest_args, f"Pass {passes}/{passes}", required=required)
            )
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130

    header(f"Summary (CI={'true' if ci else 'false'})")
    for outcome in outcomes:
        print(describe(outcome))
    print(f"  {'total':<11} {'':>8}  {time.monotonic() - total:7.1f} s")
    failed = [o.name for o in outcomes if o.failed]
    skipped = [o.name for o in outcomes if o.returncode is None]
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", flush=True)
        return 1
    print(f"\nOK, but SKIPPED: {', '.join(skipped)}" if skipped else "\nOK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
