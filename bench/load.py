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
import importlib
import json
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# The modules beside this file: `python bench/load.py` puts bench/ first on sys.path.
from load_http import WEIGHTS, Account, BenchError, Session, department_report_xlsx, discover
from load_measure import (
    Meters,
    health_chooser,
    machine_cpu,
    mix_chooser,
    postgres_meter,
    print_level,
    process_cpu,
    run_level,
    summarise,
    without_nan,
)
from load_site import (
    ROOT,
    demo_password,
    free_port,
    machine,
    serving,
    tune,
    vacuum_analyze,
    vnemis,
    vnemis_env,
)


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
