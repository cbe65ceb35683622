"""bench/load.py's measurement: users requesting pages without pause, CPU meters, and the
figures per level (requests/s, latency percentiles, CPU per request) as printed and saved."""

from __future__ import annotations

import http.client
import math
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from load_http import WEIGHTS, Account, Session


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
