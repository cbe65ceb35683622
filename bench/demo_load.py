"""Benchmark: load the Lào Cai 2022 demo, against a bare executemany of as many rows.

Usage: python bench/demo_load.py [--scale 1.0] [--database-url URL]

Runs in a fresh database (a temporary SQLite file unless --database-url names an empty
PostgreSQL database). The baseline inserts the same number of rows, of the same widths, into
tables with no index, constraint or generation work: the floor that the loader is compared to.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="vnemis-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["VNEMIS_DATABASE_URL"] = url
    os.environ["VNEMIS_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from vnemis.demo.loader import demo_load

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    result = demo_load(seed=args.seed, scale=args.scale)
    loader_s = time.perf_counter() - started
    counts = result.dataset.counts
    # Row widths of the tables the loader fills (columns besides id and timestamps).
    widths = {
        "persons": 12,
        "students": 3,
        "staff": 9,
        "guardians": 2,
        "classes": 7,
        "enrollments": 10,
    }
    links = counts["guardians"]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for name, width in [*widths.items(), ("links", 4)]:
            n = links if name == "links" else counts[name]
            cols = ", ".join(f"c{i} text" for i in range(width))
            cursor.execute(f"CREATE TABLE bench_{name} (id bigint, {cols})")
            sql = f"INSERT INTO bench_{name} VALUES ({', '.join(['%s'] * (width + 1))})"
            row = tuple(["x" * 8] * width)
            for start in range(0, n, 20_000):
                cursor.executemany(sql, [(i, *row) for i in range(start, min(n, start + 20_000))])
    baseline_s = time.perf_counter() - started
    rows = sum(counts[k] for k in widths) + links
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {connection.vendor}"
    )
    print(f"rows written: {rows:,} ({counts})")
    print(f"demo loader:   {loader_s:7.1f} s  {rows / loader_s:10,.0f} rows/s")
    print(f"bare inserts:  {baseline_s:7.1f} s  {rows / baseline_s:10,.0f} rows/s")
    print(f"ratio loader/baseline: {loader_s / baseline_s:.2f}x   peak RSS {peak_mb:.0f} MB")
    connection.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
