"""Benchmark: students from CSV through the whole import pipeline, against a bare bulk load.

Usage: python bench/import.py [--rows 1000000] [--database postgresql,sqlite] [--twice]

1. ``vnemis demo national`` writes a synthetic country with exactly ``--rows`` students
   (schools.csv and students.csv, CSV only).
2. For each database (a throwaway PostgreSQL cluster from scripts/pgtemp.py, or a SQLite file
   in a temporary folder): migrate, then create the schools of schools.csv with their parent
   units in the 2025 tree and the 2025-2026 school year (setup, not timed).
3. Baseline, timed: the same students.csv loaded into a bare table with one text column per
   CSV column — PostgreSQL ``COPY ... FROM STDIN (FORMAT csv, HEADER)``; on SQLite (which has
   no COPY) Python's csv reader and ``executemany``.
4. The pipeline, timed: keep the file, read it, check every row (names, dates, sex,
   ethnicity, personal ID structure and uniqueness, school in scope, grade taught, class),
   look up existing students, and write people, students, enrolments and classes, all in
   one transaction. Peak memory (RSS, sampled every 50 ms) is reported.
5. PostgreSQL only, the floor: the rows the import wrote (classes, persons, students,
   enrolments) are copied out and COPYed into the same, empty tables of a copy of the database
   taken before the import — same indexes, unique and foreign-key constraints. That is what
   PostgreSQL alone needs to store them: no import of these rows can be faster.
6. With ``--twice``, the same file again: every row must come back unchanged.

It prints rows/s, the ratios (pipeline ÷ bare load, pipeline ÷ floor) and the memory figures.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

DAY = dt.date(2025, 10, 1)


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory:
    """The largest resident set size seen while the block runs."""

    def __enter__(self) -> PeakMemory:
        self.start = self.peak = _rss_mib()
        self.running = True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def _watch(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss_mib())
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, _rss_mib())


def setup_units(schools_csv: Path) -> int:
    """The schools of the generated file, their parents and the school year (bulk, untimed)."""
    from django.db import transaction

    from vnemis.organisations.models import (
        OrgPlacement,
        OrgUnit,
        OrgUnitGroup,
        SchoolYear,
        TreeVersion,
    )

    level_codes = {"mn": "mn", "th": "th", "thcs": "thcs", "thpt": "thpt", "gdtx": "gdtx"}
    with schools_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with transaction.atomic():
        SchoolYear.objects.create(
            code="2025-2026", starts_on=dt.date(2025, 9, 5), ends_on=dt.date(2026, 5, 31)
        )
        version = TreeVersion.objects.get(code="2025")
        root = OrgUnit.objects.create(kind="department", code="BGD", name="Cả nước")
        OrgPlacement.objects.create(version=version, unit=root, path="2025:BGD.", depth=0)
        parents = sorted({r["Đơn vị quản lý"] for r in rows})
        # A commune's department: the school rows name the province in their code's first
        # two digits, as the generator writes them.
        commune_province = {
            r["Đơn vị quản lý"]: r["Mã trường"][:2]
            for r in rows
            if not r["Đơn vị quản lý"].startswith("SGD")
        }
        departments = sorted(
            {p for p in parents if p.startswith("SGD")}
            | {f"SGD{province}" for province in commune_province.values()}
        )
        units = {
            u.code: u
            for u in OrgUnit.objects.bulk_create(
                [OrgUnit(kind="department", code=c, name=c) for c in departments]
                + [OrgUnit(kind="commune", code=c, name=c) for c in sorted(commune_province)]
            )
        }
        paths = {c: f"2025:BGD.{c}." for c in departments}
        placements = [
            OrgPlacement(version=version, unit=units[c], parent=root, path=paths[c], depth=1)
            for c in departments
        ]
        for code, province in commune_province.items():
            department = f"SGD{province}"
            if department not in units:
                raise SystemExit(f"no department {department} for commune {code}")
            paths[code] = f"{paths[department]}{code}."
            placements.append(
                OrgPlacement(
                    version=version,
                    unit=units[code],
                    parent=units[department],
                    path=paths[code],
                    depth=2,
                )
            )
        schools = OrgUnit.objects.bulk_create(
            [OrgUnit(kind="school", code=r["Mã trường"], name=r["Tên trường"]) for r in rows]
        )
        for school, r in zip(schools, rows, strict=True):
            parent = units[r["Đơn vị quản lý"]]
            path = f"{paths[parent.code]}{school.code}."
            placements.append(
                OrgPlacement(
                    version=version,
                    unit=school,
                    parent=parent,
                    path=path,
                    depth=path.count(".") - 1,
                )
            )
        OrgPlacement.objects.bulk_create(placements, batch_size=5000)
        groups = {g.code: g for g in OrgUnitGroup.objects.filter(group_set__code="level")}
        through = OrgUnit.groups.through
        links = []
        for school, r in zip(schools, rows, strict=True):
            for part in r["Cấp học"].replace(";", ",").split(","):
                code = level_codes[part.strip().lower()]
                links.append(through(orgunit_id=school.pk, orgunitgroup_id=groups[code].pk))
        through.objects.bulk_create(links, batch_size=5000)
    return len(schools)


def baseline(students_csv: Path) -> float:
    """Seconds to load the file into a bare table: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection, transaction

    with students_csv.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_bare ({columns})")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = "COPY bench_bare FROM STDIN WITH (FORMAT csv, HEADER true)"
            with students_csv.open("rb") as fh, cursor.cursor.copy(sql) as copy:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    copy.write(chunk)
        else:
            marks = ", ".join(["%s"] * len(header))
            with students_csv.open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                cursor.executemany(f"INSERT INTO bench_bare VALUES ({marks})", reader)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare")
    return elapsed


FLOOR_TABLES = ("people_schoolclass", "people_person", "people_student", "people_enrollment")


def floor_prepare(url: str) -> str:
    """A copy of the database as it is now (units, no students), for the floor measurement."""
    import psycopg
    from django.db import connection

    connection.close()
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE DATABASE bench_floor TEMPLATE vnemis")
    return url.rsplit("/", 1)[0] + "/bench_floor"


def floor(floor_url: str) -> tuple[float, int]:
    """Seconds to COPY the rows the import wrote into the same, empty tables of the copy —
    same indexes, unique and foreign-key constraints: what PostgreSQL alone needs to store
    them, the lowest time any import of these rows could take."""
    import psycopg
    from django.db import connection

    dumps = []
    with connection.cursor() as cursor:
        for table in FLOOR_TABLES:
            buffer = bytearray()
            with cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    buffer += chunk
            dumps.append((table, bytes(buffer)))
    rows = sum(dump.count(b"\n") for _table, dump in dumps)
    with psycopg.connect(floor_url) as conn:
        start = time.perf_counter()
        with conn.transaction():
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, dump in dumps:
                with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(dump)
        elapsed = time.perf_counter() - start
    return elapsed, rows


def pipeline(students_csv: Path, media: Path) -> tuple[float, PeakMemory, object]:
    from django.test import override_settings

    from vnemis.imports import services

    with override_settings(
        MEDIA_ROOT=str(media),
        VNEMIS_JOBS_DIR=str(media.parent / "jobs"),
        VNEMIS_IMPORT_MAX_BYTES=2**31,
    ):
        source = services.import_file_store(path=students_csv, name=students_csv.name, by=None)
        job = services.import_job_create(source=source, kind="students", by=None, dry_run=False)
        with PeakMemory() as memory:
            start = time.perf_counter()
            job = services.import_job_run(job=job, by=None, day=DAY)
            elapsed = time.perf_counter() - start
    return elapsed, memory, job


def run(database: str, url: str, folder: Path, rows: int, twice: bool) -> None:
    os.environ["VNEMIS_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    schools = setup_units(folder / "schools.csv")
    students_csv = folder / "students.csv"
    size_mib = students_csv.stat().st_size / 2**20
    floor_url = floor_prepare(url) if database == "postgresql" else ""
    base = baseline(students_csv)
    elapsed, memory, job = pipeline(students_csv, folder / "media")
    print(f"[{database}] {rows:,} students in {schools:,} schools, file {size_mib:.0f} MiB")
    print(f"  baseline (bare load) {base:7.1f} s  {rows / base:10,.0f} rows/s")
    print(
        f"  import pipeline      {elapsed:7.1f} s  {rows / elapsed:10,.0f} rows/s"
        f"  created {job.created:,}, rejected {job.rejected:,}, status {job.status}"  # type: ignore[attr-defined]
    )
    print(f"  ratio pipeline/baseline {base / elapsed:.3f}×")
    if floor_url:
        stored, table_rows = floor(floor_url)
        print(
            f"  floor: COPY of the {table_rows:,} rows written (classes, persons, students, "
            f"enrolments) into the same empty tables: {stored:.1f} s "
            f"({rows / stored:,.0f} students/s); pipeline/floor ratio {stored / elapsed:.3f}×"
        )
    print(
        f"  memory: peak RSS {memory.peak:.0f} MiB (started at {memory.start:.0f} MiB, "
        f"+{memory.peak - memory.start:.0f} MiB during the import)"
    )
    if twice:
        again, memory2, job2 = pipeline(students_csv, folder / "media")
        print(
            f"  second import        {again:7.1f} s  {rows / again:10,.0f} rows/s"
            f"  unchanged {job2.unchanged:,}, created {job2.created:,}, "  # type: ignore[attr-defined]
            f"updated {job2.updated:,}, peak RSS {memory2.peak:.0f} MiB"  # type: ignore[attr-defined]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="postgresql,sqlite")
    parser.add_argument("--twice", action="store_true", help="import the file a second time")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: one database per process
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.child, args.url, Path(args.folder), args.rows, args.twice)
        return
    import subprocess

    cpu = platform.processor() or platform.machine()
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d} · {platform.node()} · {cpu}")
    print(f"{os.cpu_count()} CPUs · Python {platform.python_version()}")
    folder = Path(tempfile.mkdtemp(prefix="vnemis-bench-import-"))
    try:
        # The generator reads the import formats' headers: Django must be set up (no database
        # is opened).
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ["VNEMIS_DATABASE_URL"] = f"sqlite:///{folder}/unused.sqlite3"
        import django

        django.setup()
        from vnemis.demo.national import national_write

        start = time.perf_counter()
        national_write(output=folder, seed=1, students_target=args.rows, formats={"csv"})
        print(f"generated {args.rows:,} students in {time.perf_counter() - start:.1f} s")
        for database in args.database.split(","):
            # Each database in its own process: its own Django settings and memory figures.
            child = [sys.executable, "-u", __file__, "--child", database, "--rows", str(args.rows)]
            child += ["--folder", str(folder)] + (["--twice"] if args.twice else [])
            if database == "postgresql":
                import importlib

                pgtemp = importlib.import_module("pgtemp")  # scripts/pgtemp.py
                with pgtemp.temporary_postgres() as url:
                    subprocess.run([*child, "--url", url], check=True)
            else:
                url = f"sqlite:///{folder}/bench.sqlite3"
                subprocess.run([*child, "--url", url], check=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
