"""Benchmark: compute every indicator for every org unit, against hand-written SQL.

Usage: python bench/indicators.py [--sizes 50000,200000,800000] [--database-url URL]

For each size (general-education students; about 420 per school, as nationally: 23.2 M
pupils in 54,000 institutions) it builds a fresh synthetic tree (department → communes →
schools), profiles and student records, then times:
- the engine's full refresh (``element_values_refresh``: every element, every unit);
- the baseline: one hand-written SQL GROUP BY per element over the same tables, rolled up to
  every ancestor with a join on the materialised paths;
- reading all indicators of the top unit from the analytics table.
It checks that both give the same totals and prints the times and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STUDENTS_PER_SCHOOL = 420
SCHOOLS_PER_COMMUNE = 8


def build(n_students: int, seed: int = 1) -> int:
    """Write the synthetic world; returns the number of schools."""
    from django.db import transaction
    from django.utils import timezone

    from vnemis.core.bulk import BulkWriter, reset_sequences
    from vnemis.digital.models import PROFILE_COLUMNS, DigitalProfile, StudentRecord
    from vnemis.organisations.models import (
        OrgPlacement,
        OrgUnit,
        OrgUnitGroup,
        SchoolYear,
        TreeVersion,
    )
    from vnemis.people.models import Enrollment, Person, Student

    rng = random.Random(seed)
    now = timezone.now()
    n_schools = max(1, n_students // STUDENTS_PER_SCHOOL)
    with transaction.atomic():
        year = SchoolYear.objects.create(
            code="2021-2022", starts_on=dt.date(2021, 9, 5), ends_on=dt.date(2022, 5, 31)
        )
        v22 = TreeVersion.objects.get(code="2022")
        root = OrgUnit.objects.create(kind="department", code="SGD", name="Sở")
        OrgPlacement.objects.create(version=v22, unit=root, path="2022:SGD.", depth=0)
        units = OrgUnit.objects.bulk_create(
            [
                OrgUnit(kind="commune", code=f"X{c:05d}", name=f"Xã {c}")
                for c in range((n_schools + SCHOOLS_PER_COMMUNE - 1) // SCHOOLS_PER_COMMUNE)
            ]
        )
        schools = OrgUnit.objects.bulk_create(
            [OrgUnit(kind="school", code=f"S{s:06d}", name=f"Trường {s}") for s in range(n_schools)]
        )
        placements = [
            OrgPlacement(version=v22, unit=u, parent=root, path=f"2022:SGD.{u.code}.", depth=1)
            for u in units
        ]
        placements += [
            OrgPlacement(
                version=v22,
                unit=s,
                parent=units[i // SCHOOLS_PER_COMMUNE],
                path=f"2022:SGD.{units[i // SCHOOLS_PER_COMMUNE].code}.{s.code}.",
                depth=2,
            )
            for i, s in enumerate(schools)
        ]
        OrgPlacement.objects.bulk_create(placements, batch_size=5000)
        levels = {g.code: g for g in OrgUnitGroup.objects.filter(group_set__code="level")}
        through = OrgUnit.groups.through
        through.objects.bulk_create(
            [
                through(orgunit_id=s.pk, orgunitgroup_id=levels[("th", "thcs", "thpt")[i % 3]].pk)
                for i, s in enumerate(schools)
            ],
            batch_size=5000,
        )
        profiles = BulkWriter(
            DigitalProfile,
            PROFILE_COLUMNS,
            now=now,
        )
        for s in schools:
            web = rng.random() < 0.6
            profiles.add(
                s.pk,
                dt.date(2021, 9, 5),
                rng.choice(["wired", "mobile", "none"]),
                web,
                "https://x.edu.vn" if web else "",
                rng.random() < 0.3,
                rng.random() < 0.3,
                True,
                True,
                "demo",
                None,
                "",
            )
        profiles.flush()
        persons = BulkWriter(
            Person,
            [
                "family_name",
                "middle_name",
                "given_name",
                "sex",
                "ethnicity",
                "phone",
                "email",
                "address",
                "search_name",
            ],
            now=now,
            batch_size=50_000,
        )
        students = BulkWriter(Student, ["person", "code", "moet_code"], now=now, batch_size=50_000)
        enrollments = BulkWriter(
            Enrollment,
            [
                "student",
                "school_year",
                "school",
                "level",
                "grade",
                "status",
                "started_on",
                "exit_reason",
            ],
            now=now,
            batch_size=50_000,
        )
        records = BulkWriter(
            StudentRecord,
            ["student", "school_year", "results_received_on", "transcript_issued_on"],
            now=now,
            batch_size=50_000,
        )
        for i in range(n_students):
            school = schools[i % n_schools]
            level = ("th", "thcs", "thpt")[(i % n_schools) % 3]
            grade = {"th": 3, "thcs": 7, "thpt": 11}[level]
            pid = persons.add("Nguyễn", "Văn", "An", "M", "01", "", "", "", "nguyen van an")
            sid = students.add(pid, f"B{i:09d}", "")
            enrollments.add(
                sid, year.pk, school.pk, level, grade, "active", dt.date(2021, 9, 5), ""
            )
            if rng.random() < 0.98:
                records.add(
                    sid,
                    year.pk,
                    dt.date(2022, 1, 15),
                    dt.date(2022, 2, 1) if rng.random() < 0.74 else None,
                )
        for w in (persons, students, enrollments, records):
            w.flush()
        reset_sequences(Person, Student, Enrollment, StudentRecord, DigitalProfile)
    return n_schools


BASELINE = {
    # element code → SQL counting per school (school_id, n) over the same tables.
    "students": """SELECT e.school_id, COUNT(*) FROM people_enrollment e
                   WHERE e.status = 'active' AND e.level <> 'mn' GROUP BY e.school_id""",
    "students_with_transcript": """SELECT e.school_id, COUNT(*) FROM people_enrollment e
                   JOIN digital_studentrecord r ON r.student_id = e.student_id
                   WHERE e.status = 'active' AND e.level <> 'mn'
                   AND r.transcript_issued_on <= %s GROUP BY e.school_id""",
    "students_with_results": """SELECT e.school_id, COUNT(*) FROM people_enrollment e
                   JOIN digital_studentrecord r ON r.student_id = e.student_id
                   WHERE e.status = 'active' AND e.level <> 'mn'
                   AND r.results_received_on <= %s GROUP BY e.school_id""",
    "schools": """SELECT u.id AS school_id, COUNT(*) FROM organisations_orgunit u
                   WHERE u.kind = 'school' GROUP BY u.id""",
}
_PROFILE_CONDITIONS = {
    "schools_internet": "p.internet <> 'none'",
    "schools_internet_wired": "p.internet = 'wired'",
    "schools_internet_mobile": "p.internet = 'mobile'",
    "schools_website": "p.has_website",
    "schools_cashless": "p.cashless_payment",
    "schools_contact_book": "p.contact_book",
    "schools_it_management": "p.it_in_management",
    "schools_basic_ict": "p.basic_ict",
}
for _code, _condition in _PROFILE_CONDITIONS.items():
    # The synthetic world has one profile per school, so "the profile in force" is the row.
    BASELINE[_code] = f"""SELECT p.unit_id, COUNT(*) FROM digital_digitalprofile p
                   WHERE {_condition} AND p.valid_from <= %s GROUP BY p.unit_id"""


def baseline(day: dt.date) -> dict[str, int]:
    """Per element, counts per school rolled up to every ancestor by path prefix."""
    from django.db import connection

    concat = "anc.path || '%%'"
    totals: dict[str, int] = {}
    with connection.cursor() as cursor:
        for code, sql in BASELINE.items():
            rollup = f"""
                WITH leaf AS ({sql})
                SELECT anc.unit_id, SUM(leaf.count) FROM leaf
                JOIN organisations_orgplacement p ON p.unit_id = leaf.school_id
                JOIN organisations_orgplacement anc ON p.path LIKE {concat}
                GROUP BY anc.unit_id"""
            rollup = (
                rollup.replace("COUNT(*)", "COUNT(*) AS count")
                .replace(
                    "p.unit_id, COUNT(*) AS count", "p.unit_id AS school_id, COUNT(*) AS count"
                )
                .replace("e.school_id, COUNT", "e.school_id AS school_id, COUNT")
            )
            cursor.execute(rollup, [day] if "%s" in sql else [])
            rows = cursor.fetchall()
            totals[code] = max((int(n) for _u, n in rows), default=0)  # the root's total
    return totals


def _fresh_postgres(database_url: str, name: str) -> str:
    """Create an empty database beside the one in ``database_url`` and return its URL."""
    import psycopg
    from dj_database_url import parse

    cfg = parse(database_url)
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=str(cfg["NAME"]),
        user=str(cfg["USER"]),
        host=str(cfg["HOST"]),
        port=str(cfg["PORT"] or 5432),
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    head, _sep, tail = database_url.rpartition("/")
    query = "?" + tail.split("?", 1)[1] if "?" in tail else ""
    return f"{head}/{name}{query}"


def run(n_students: int, database_url: str) -> dict[str, float]:
    tmp = tempfile.mkdtemp(prefix="vnemis-bench-")
    if database_url:
        database_url = _fresh_postgres(database_url, f"vnemis_bench_{n_students}")
    os.environ["VNEMIS_DATABASE_URL"] = database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["VNEMIS_VAR_DIR"] = tmp
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    connection.settings_dict.update(
        __import__("dj_database_url").parse(os.environ["VNEMIS_DATABASE_URL"])
    )
    if connection.vendor == "sqlite":
        connection.settings_dict["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;"}
    call_command("migrate", verbosity=0)
    from vnemis.indicators import selectors, services
    from vnemis.indicators.periods import parse_period
    from vnemis.organisations.models import OrgUnit

    started = time.perf_counter()
    schools = build(n_students)
    load_s = time.perf_counter() - started
    period = parse_period("2022H1")
    started = time.perf_counter()
    services.element_values_refresh(period=period)
    engine_s = time.perf_counter() - started
    started = time.perf_counter()
    expected = baseline(period.as_of)
    baseline_s = time.perf_counter() - started
    root = OrgUnit.objects.get(code="SGD")
    started = time.perf_counter()
    values = {
        v.indicator.numerator.code: v for v in selectors.indicator_values(unit=root, period=period)
    }
    read_s = time.perf_counter() - started
    from vnemis.indicators.models import ElementValue

    stored = dict(
        ElementValue.objects.filter(period=period.code, unit=root, category="").values_list(
            "element__code", "value"
        )
    )
    for code, total in expected.items():
        if int(stored.get(code, 0)) != total:
            raise SystemExit(f"mismatch for {code}: engine {stored.get(code)}, SQL {total}")
    if not values:
        raise SystemExit("no indicator values read")
    connection.close()
    if not database_url:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "students": n_students,
        "schools": schools,
        "load": load_s,
        "engine": engine_s,
        "baseline": baseline_s,
        "read": read_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="50000,200000,800000")
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty PostgreSQL database (default: temporary SQLite files)",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("VNEMIS_VAR_DIR", tempfile.mkdtemp(prefix="vnemis-bench-"))
    import django

    django.setup()
    from django.db import connection

    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, "
        f"database {connection.vendor if args.database_url else 'sqlite'}"
    )
    print(
        f"{'students':>10} {'schools':>8} {'load s':>8} {'engine s':>9} {'SQL s':>7} "
        f"{'ratio':>6} {'read top ms':>12}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        r = run(size, args.database_url)
        print(
            f"{r['students']:>10,} {r['schools']:>8,} {r['load']:>8.1f} {r['engine']:>9.2f} "
            f"{r['baseline']:>7.2f} {r['engine'] / r['baseline']:>6.2f} "
            f"{r['read'] * 1000:>12.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
