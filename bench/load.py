"""Benchmark: the officers' page mix against `vnemis serve`, at several numbers of users.

Usage: python bench/load.py [--users 10,25,50] [--seconds 30] [--warmup 5] [--workers N]
                            [--scale 1.0] [--var-dir DIR --database-url URL] [--json FILE]

1. Preparation, not timed: a throwaway PostgreSQL cluster (scripts/pgtemp.py) and a temporary
   VNEMIS_VAR_DIR, `vnemis migrate`, `vnemis demo laocai-2022 --seed 2022 --scale S`. With
   --var-dir and --database-url, an installation already loaded is used (prepare once, run
   several times); only the migrations it lacks are applied. Then, on PostgreSQL,
   `VACUUM (ANALYZE)`, so that autovacuum does not run on the fresh tables during the runs.
2. `vnemis serve --host 127.0.0.1 --port P` (with --workers N only if given: otherwise the
   number serve chooses) runs as a subprocess; the bench waits for /health/.
3. One session per simulated user, logged in through the login form (GET for the CSRF token
   and cookie, then POST). Users take the officer demo accounts in turn: so.quantri,
   so.chuyenvien, batxat.chuyenvien, baothang.chuyenvien, xa.chuyenvien, hieutruong. The demo
   password is the one `vnemis demo accounts` prints.
4. Each account's pages are found on the live site: the dashboard's by-unit and drill-through
   links, the student links of the student list, the Department's report from its officer's
   report list. A page that answers 403 or 404 for an account (or whose link the account's
   pages do not show) is skipped for that account and listed, not counted as an error.
5. For each number of users: the baseline, then the mix, each after a warm-up (--warmup s,
   not counted) and for --seconds s, one thread per user, no think time, every request a GET.
   Baseline: every user requests /health/ without a session (a database round trip, the
   cheapest page); the mix's requests/s is printed as a ratio of it. Mix: each user draws
   its next page at random (fixed seed per user) with these weights, renormalised over
   the pages its account has:

       home              /                                     10
       dashboard         /dashboard/                           15
       dashboard by unit /dashboard/?org=..&indicator=<code>   10
       drill-through     /dashboard/records/?indicator=..      10
       students          /students/                            10
       student search    /students/?q=nguyen van               10
       student detail    /students/<code>/                     10
       schools           /schools/                              8
       school search     /schools/?q=bat xat                    5
       staff             /staff/                                7
       reports           /reports/                              4
       report xlsx       /reports/<pk>/download/xlsx/           1

   "dashboard by unit" is one of the dashboard's links to the by-unit view of an indicator
   for the account's own unit, "drill-through" one of its /dashboard/records/ links,
   "student detail" one of the student list's links: each request takes one at random.
6. Prints, per level, requests/s, errors (any answer other than 200 during a run, or no
   answer), and per page the count and p50/p95/p99 latency (ms, whole body read), with the
   machine, the database version and the date. Where the CPU went, per request and as a share
   of all CPUs: the server (serve's process group: gunicorn and the job worker), PostgreSQL
   (its processes, when it runs on this machine), the load generator itself, which shares
   the machine, and the whole machine (what else runs takes CPU from the server).
   --json FILE writes the same figures.
7. Stops the server (SIGTERM, then SIGKILL of its process group), removes the temporary
   folder and the PostgreSQL cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import http.client
import importlib
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DB_VARIABLES = ("DATABASE_URL", "VNEMIS_DATABASE_URL", "VNEMIS_DATABASE_URL_FILE")
ACCOUNTS = (
    "so.quantri",
    "so.chuyenvien",
    "batxat.chuyenvien",
    "baothang.chuyenvien",
    "xa.chuyenvien",
    "hieutruong",
)
# Page name -> weight in the mix (percent of requests when an account has every page).
WEIGHTS = {
    "home": 10,
    "dashboard": 15,
    "dashboard by unit": 10,
    "drill-through": 10,
    "students": 10,
    "student search": 10,
    "student detail": 10,
    "schools": 8,
    "school search": 5,
    "staff": 7,
    "reports": 4,
    "report xlsx": 1,
}
STUDENT_QUERY = "nguyen van"
SCHOOL_QUERY = "bat xat"
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 180.0  # above gunicorn's --timeout 120 that serve sets

HREF = re.compile(r'href="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class BenchError(RuntimeError):
    """The installation or the server is not in a state the bench can measure."""


# HTTP client: one keep-alive-capable connection and one cookie jar per simulated user.
# gunicorn's sync workers close the connection after each answer; http.client then opens a
# new one for the next request (a local TCP connect, as a browser behind no proxy would).


class Session:
    """One user's connection and cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, form: bool = False
    ) -> tuple[int, bytes, str]:
        """Send a request; return status, body and Location (empty when none)."""
        headers = {"Host": f"{HOST}:{self.port}", "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        for header in response.msg.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, data, response.getheader("Location") or ""

    def get(self, path: str) -> tuple[int, str]:
        status, data, _location = self.request("GET", path)
        return status, data.decode("utf-8", errors="replace")

    def login(self, username: str, password: str) -> None:
        status, page = self.get("/accounts/login/")
        tokens = CSRF.findall(page)
        if status != 200 or not tokens:
            raise BenchError(f"login page answered {status} without a CSRF token")
        body = urlencode(
            {"csrfmiddlewaretoken": tokens[-1], "username": username, "password": password}
        ).encode()
        status, _data, location = self.request("POST", "/accounts/login/", body, form=True)
        if status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"login of {username} failed (status {status}, to {location!r})")

    def close(self) -> None:
        self.conn.close()


def links(page: str, base: str, pattern: str) -> list[str]:
    """The distinct links of a page (resolved against ``base``, without fragment) matching a
    regular expression, in page order."""
    found: list[str] = []
    for raw in HREF.findall(page):
        url = urljoin(base, html.unescape(raw)).split("#", 1)[0]
        if re.fullmatch(pattern, url) and url not in found:
            found.append(url)
    return found


@dataclass
class Account:
    username: str
    pages: dict[str, list[str]] = field(default_factory=dict)  # page name -> its URLs
    skipped: dict[str, str] = field(default_factory=dict)  # page name -> why


def discover(session: Session, account: Account, report_xlsx: str) -> None:
    """Find the account's URLs for each page of the mix; skip the pages it may not open."""

    def check(name: str, urls: list[str], missing: str = "") -> str:
        """Keep the page if its first URL answers; return the page's body ("" if skipped)."""
        if not urls:
            account.skipped[name] = missing
            return ""
        status, body = session.get(urls[0])
        if status in (403, 404):
            account.skipped[name] = f"{status} for {urls[0]}"
            return ""
        if 300 <= status < 400:
            account.skipped[name] = f"{status} (redirect) for {urls[0]}"
            return ""
        # Any other answer, a 500 too, stays in the mix: the run counts it as an error.
        account.pages[name] = urls
        return body

    check("home", ["/"])
    dashboard = check("dashboard", ["/dashboard/"])
    # One link per indicator to the by-unit view of the dashboard's own unit (the unit most
    # links name); the page also links the by-unit views of the units below.
    by_unit = [
        urljoin("/dashboard/", html.unescape(raw)).split("#", 1)[0]
        for raw in HREF.findall(dashboard)
        if "indicator=" in raw and raw.endswith("#by-unit")
    ]
    orgs = Counter(parse_qs(urlsplit(url).query).get("org", [""])[0] for url in by_unit)
    own = orgs.most_common(1)[0][0] if orgs else ""
    by_unit = [u for u in by_unit if parse_qs(urlsplit(u).query).get("org", [""])[0] == own]
    check("dashboard by unit", list(dict.fromkeys(by_unit)), "no by-unit link on /dashboard/")
    # The records behind a figure, not their complement nor a file export of them.
    drill = [
        url
        for url in links(dashboard, "/dashboard/", r"/dashboard/records/\?.*")
        if not re.search(r"[?&](complement|format|export|download)=", url)
    ]
    check("drill-through", drill, "no /dashboard/records/ link on /dashboard/")
    students = check("students", ["/students/"])
    check("student search", ["/students/?" + urlencode({"q": STUDENT_QUERY})])
    # A student code has digits; a link such as /students/export/ is not a student.
    detail = links(students, "/students/", r"/students/(?=[^/?]*\d)[^/?]+/")
    check("student detail", detail, "no student link on /students/")
    check("schools", ["/schools/"])
    check("school search", ["/schools/?" + urlencode({"q": SCHOOL_QUERY})])
    check("staff", ["/staff/"])
    check("reports", ["/reports/"])
    check("report xlsx", [report_xlsx] if report_xlsx else [], "no Department report found")


def department_report_xlsx(session: Session) -> str:
    """The XLSX download of the first report on a Department officer's report list."""
    status, page = session.get("/reports/")
    if status != 200:
        return ""
    for url in links(page, "/reports/", r"/reports/\d+/(download/xlsx/)?"):
        if url.endswith("/download/xlsx/"):
            return url
        status, edit = session.get(url)
        found = links(edit, url, r"/reports/\d+/download/xlsx/")
        return found[0] if found else f"{url}download/xlsx/"
    return ""


# Measurement


@dataclass
class Sample:
    page: str
    seconds: float
    status: int  # 0: no answer (connection error or timeout)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    if not values:
        return math.nan
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


Meters = dict[str, Callable[[], float]]  # name -> CPU seconds used so far


def process_cpu(select: Callable[[int, int, int], bool]) -> float:
    """CPU seconds of the live processes ``select(pid, ppid, pgrp)`` accepts, with those of
    their children already ended and reaped (counted in the parent's cutime and cstime)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rfind(")") + 2 :].split()
        if select(int(entry.name), int(fields[1]), int(fields[2])):
            ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> float:
    """CPU seconds all processes of the machine have used (busy time of /proc/stat)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


def postgres_meter(url: str) -> Callable[[], float] | None:
    """CPU of the PostgreSQL server of ``url`` (postmaster and backends), when it runs on this
    machine; None otherwise."""
    if not url.startswith("postgres"):
        return None
    try:
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT pg_backend_pid()").fetchone()
        stat = Path(f"/proc/{row[0] if row else 0}/stat").read_text()
    except Exception:
        return None  # a remote server, or no access to it
    postmaster = int(stat[stat.rfind(")") + 2 :].split()[1])
    return lambda: process_cpu(lambda pid, ppid, _g: postmaster in (pid, ppid))


def run_level(
    users: Sequence[tuple[Session, Callable[[random.Random], tuple[str, str]]]],
    seconds: float,
    meters: Meters,
) -> tuple[list[Sample], float, dict[str, float]]:
    """Every user requests pages without pause for ``seconds``; return the samples, the wall
    time until the last answer and the CPU seconds of each meter meanwhile."""
    samples: list[list[Sample]] = [[] for _ in users]
    start = threading.Barrier(len(users) + 1)
    deadline = 0.0

    def user(index: int) -> None:
        session, choose = users[index]
        rng = random.Random(1000 + index)
        own = samples[index]
        start.wait()
        while time.perf_counter() < deadline:
            page, url = choose(rng)
            began = time.perf_counter()
            try:
                status = session.request("GET", url)[0]
            except (OSError, http.client.HTTPException):
                status = 0
            own.append(Sample(page, time.perf_counter() - began, status))

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(len(users))]
    for thread in threads:
        thread.start()
    before = {name: meter() for name, meter in meters.items()}
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cpu = {name: meter() - before[name] for name, meter in meters.items()}
    return [s for own in samples for s in own], wall, cpu


def summarise(samples: list[Sample], wall: float, cpu: dict[str, float]) -> dict[str, Any]:
    pages: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(s.page for s in samples):
        own = [s for s in samples if s.page == name]
        times = sorted(s.seconds * 1000 for s in own)
        statuses: dict[str, int] = {}
        for s in own:
            statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
        pages[name] = {
            "count": len(own),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "p99_ms": percentile(times, 99),
            "errors": sum(1 for s in own if s.status != 200),
            "statuses": statuses,
        }
    times = sorted(s.seconds * 1000 for s in samples)
    return {
        "requests": len(samples),
        "seconds": wall,
        "requests_per_s": len(samples) / wall if wall else 0.0,
        "errors": sum(1 for s in samples if s.status != 200),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "p99_ms": percentile(times, 99),
        # Per meter: CPU ms per request, and the share of the machine's CPUs it used.
        "cpu_ms_per_request": {
            k: v * 1000 / len(samples) if samples else 0 for k, v in cpu.items()
        },
        "cpu_share": {k: v / wall / (os.cpu_count() or 1) if wall else 0 for k, v in cpu.items()},
        "pages": pages,
    }


def mix_chooser(account: Account) -> Callable[[random.Random], tuple[str, str]]:
    names = [n for n in WEIGHTS if n in account.pages]
    weights = [WEIGHTS[n] for n in names]

    def choose(rng: random.Random) -> tuple[str, str]:
        name = rng.choices(names, weights)[0]
        return name, rng.choice(account.pages[name])

    return choose


def health_chooser(rng: random.Random) -> tuple[str, str]:
    return "health", "/health/"


# Installation, server, machine


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
    import psycopg

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
    import psycopg

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
        with contextlib.suppress(Exception):
            import psycopg

            with psycopg.connect(url) as conn:
                row = conn.execute("SHOW server_version").fetchone()
                database = f"PostgreSQL {row[0] if row else '?'}"
    else:
        import sqlite3

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


# Report


def without_nan(value: Any) -> Any:
    """The results with null for a percentile of no sample (JSON has no NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nan(v) for v in value]
    return value


def print_level(users: int, baseline: dict[str, Any], mix: dict[str, Any]) -> None:
    ratio = mix["requests_per_s"] / baseline["requests_per_s"] if baseline["requests_per_s"] else 0
    print(f"\n== {users} users ==")
    header = f"  {'page':<20} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    print(header + f" {'errors':>7}")

    def line(name: str, r: dict[str, Any], rate: str = "") -> None:
        print(
            f"  {name:<20} {r['count'] if 'count' in r else r['requests']:>7} {rate:>8} "
            f"{r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['errors']:>7}"
        )

    line("baseline /health/", baseline, f"{baseline['requests_per_s']:.1f}")
    line("mix, all pages", mix, f"{mix['requests_per_s']:.1f}")
    for name in WEIGHTS:
        if name in mix["pages"]:
            line(f"  {name}", mix["pages"][name])
    print(f"  mix ÷ baseline: {ratio:.3f}×")
    for label, run in (("baseline", baseline), ("mix", mix)):
        used = ", ".join(
            f"{name} ({run['cpu_share'][name]:.0%})"
            if name == "whole machine"
            else f"{name} {run['cpu_ms_per_request'][name]:.1f} ms ({run['cpu_share'][name]:.0%})"
            for name in run["cpu_ms_per_request"]
        )
        print(f"  CPU per request (share of all CPUs), {label}: {used}")
    for name, page in mix["pages"].items():
        others = {k: v for k, v in page["statuses"].items() if k != "200"}
        if others:
            print(f"  {name}: answers other than 200: {others}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]) if __doc__ else None,
    )
    parser.add_argument("--users", default="10,25,50", help="concurrent users per level")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured time before each")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: serve's)")
    parser.add_argument("--port", type=int, help="port to serve on (default: a free one)")
    parser.add_argument("--scale", type=float, default=1.0, help="demo scale when preparing")
    parser.add_argument("--seed", type=int, default=2022, help="demo seed when preparing")
    parser.add_argument("--var-dir", type=Path, help="an installation already loaded")
    parser.add_argument("--database-url", default="", help="its database (with --var-dir)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--no-tune",
        action="store_true",
        help="keep PostgreSQL's defaults instead of the settings of docs/modules/operations.md",
    )
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",") if n.strip()]
    if not levels or min(levels) < 1:
        parser.error("--users needs positive numbers, e.g. 10,25,50")
    if args.database_url and args.var_dir is None:
        parser.error("--database-url is for an installation already loaded: give --var-dir too")

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)  # the finally blocks stop the server and the cluster
    tmp = Path(tempfile.mkdtemp(prefix="vnemis-bench-load-"))
    try:
        with contextlib.ExitStack() as stack:
            if args.var_dir is not None:
                var_dir, url = args.var_dir, args.database_url
                # Migrations added since it was loaded (an index, say) are applied: the server
                # must run the code being measured.
                vnemis(vnemis_env(var_dir, url), "migrate", "-v0")
            else:
                sys.path.insert(0, str(ROOT / "scripts"))
                pgtemp = importlib.import_module("pgtemp")  # scripts/pgtemp.py
                url = stack.enter_context(pgtemp.temporary_postgres())
                var_dir = tmp / "var"
                env = vnemis_env(var_dir, url)
                began = time.perf_counter()
                vnemis(env, "migrate", "-v0")
                vnemis(env, "demo", "laocai-2022", f"--seed={args.seed}", f"--scale={args.scale}")
                print(
                    f"prepared (migrate + demo, scale {args.scale:g}, not measured) in "
                    f"{time.perf_counter() - began:.0f} s",
                    flush=True,
                )
            if not args.no_tune:
                tune(url)
            vacuum_analyze(url)
            results = measure(args, levels, vnemis_env(var_dir, url), url, tmp)
        if args.json:
            text = json.dumps(without_nan(results), indent=2, ensure_ascii=False)
            args.json.write_text(text + "\n")
            print(f"\nresults written to {args.json}")
    except BenchError as exc:
        raise SystemExit(f"bench/load.py: {exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(
    args: argparse.Namespace, levels: list[int], env: dict[str, str], url: str, tmp: Path
) -> dict[str, Any]:
    password, present = demo_password(env)
    if not present:
        raise BenchError("none of the officer demo accounts exists: load the demo first")
    facts = machine(url)
    port = args.port or free_port()
    results: dict[str, Any] = {
        "machine": facts,
        "options": {
            "users": levels,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "workers": args.workers or "serve's default",
            "scale": None if args.var_dir else args.scale,
            "weights": WEIGHTS,
        },
        "levels": [],
    }
    with serving(env, port, args.workers, tmp / "serve.log") as server_pid:
        meters: Meters = {
            "server": lambda: process_cpu(lambda _p, _pp, group: group == server_pid),
            "load generator": time.process_time,
        }
        database_meter = postgres_meter(url)
        if database_meter is not None:
            meters["PostgreSQL"] = database_meter
        # Other work on the machine takes CPU from the server: the whole shows how much.
        meters["whole machine"] = machine_cpu
        # One session per user of the largest level; smaller levels use the first ones.
        # With fewer users than accounts, only the first accounts take part.
        accounts = [Account(name) for name in present[: max(levels)]]
        sessions = [Session(port) for _ in range(max(levels))]
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:  # each login hashes a password
            list(
                pool.map(
                    lambda i: sessions[i].login(accounts[i % len(accounts)].username, password),
                    range(len(sessions)),
                )
            )
        logins = time.perf_counter() - began
        report_xlsx = ""
        for index, account in enumerate(accounts):
            if account.username.startswith("so."):
                report_xlsx = department_report_xlsx(sessions[index])
                if report_xlsx:
                    break
        for index, account in enumerate(accounts):
            discover(sessions[index], account, report_xlsx)
        results["skipped"] = {a.username: a.skipped for a in accounts}
        results["pages_found"] = {
            a.username: {name: len(urls) for name, urls in a.pages.items()} for a in accounts
        }
        workers = args.workers or "serve's default"
        print(
            f"{facts['date']} · {facts['host']} · {facts['cpu_model']}\n"
            f"{facts['cpus']} CPUs · {facts['memory_gib']} GiB · {facts['system']} · "
            f"Python {facts['python']} · {facts['database']}\n"
            f"vnemis serve on port {port}, workers: {workers}; {len(sessions)} sessions "
            f"logged in ({logins:.1f} s); {args.seconds:g} s per run after {args.warmup:g} s "
            f"of warm-up; load average before: "
            + " ".join(f"{x:.2f}" for x in facts["load_average"])
        )
        for account in accounts:
            found = ", ".join(
                f"{name} {len(urls)}" for name, urls in account.pages.items() if len(urls) > 1
            )
            print(f"  {account.username}: {len(account.pages)} pages; links: {found}")
            if account.skipped:
                skipped = "; ".join(f"{k} ({v})" for k, v in account.skipped.items())
                print(f"    skipped: {skipped}")
        for users in levels:
            # Anonymous: a session cookie would make /health/ read the session and the user.
            health = [(Session(port), health_chooser) for _ in range(users)]
            mix = [(sessions[i], mix_chooser(accounts[i % len(accounts)])) for i in range(users)]
            if args.warmup > 0:
                run_level(health, args.warmup, meters)
            baseline = summarise(*run_level(health, args.seconds, meters))
            if args.warmup > 0:
                run_level(mix, args.warmup, meters)
            measured = summarise(*run_level(mix, args.seconds, meters))
            for session, _choose in health:
                session.close()
            print_level(users, baseline, measured)
            results["levels"].append({"users": users, "baseline": baseline, "mix": measured})
        print("\nsummary")
        print(f"  {'users':>5} {'mix req/s':>10} {'health req/s':>13} {'ratio':>7} "
              f"{'mix p95 ms':>11} {'errors':>7}")  # fmt: skip
        for level in results["levels"]:
            b, m = level["baseline"], level["mix"]
            ratio = m["requests_per_s"] / b["requests_per_s"] if b["requests_per_s"] else 0
            print(
                f"  {level['users']:>5} {m['requests_per_s']:>10.1f} "
                f"{b['requests_per_s']:>13.1f} {ratio:>7.3f} {m['p95_ms']:>11.1f} "
                f"{m['errors']:>7}"
            )
        for session in sessions:
            session.close()
    return results


if __name__ == "__main__":
    main()
