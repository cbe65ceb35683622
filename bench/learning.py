"""Benchmark: the year-end run of a province against a plain SQL aggregate, and signed transcripts.

Usage: python bench/learning.py [--students 500000] [--transcripts 10000] [--workers 2]
                                [--database-url URL]

Without ``--database-url`` the run takes a throwaway PostgreSQL cluster (scripts/pgtemp.py).

1. Data, not timed (its time is printed): a department with schools of upper-secondary
   classes (grades 10–12, TT58 as amended by TT26/2020 in 2021-22: twelve scored subjects and
   Thể dục, assessed by comments), ``--students`` students with their enrolments, every mark
   of both terms (regular, mid-term and end-of-term scores and the term average, as the
   gradebook stores them) and two term reports each, written with COPY. Each student's marks
   are drawn per subject and term from a pool of score sets, so no two students share a year
   and the year-end run cannot take a result from its memo.
2. Timed in the same run: (b) a plain SQL aggregate writing every subject's year average,
   ROUND((HK1 + 2·HK2) / 3, 1) (PostgreSQL rounds numeric halves away from zero: half-up for
   scores), into an unlogged table; (a) ``year_results_compute`` over every student (all the
   regime's results, levels, conduct, awards, promotion and the Vietnamese reasons) with
   ``--workers`` evaluating processes; (b) again. It prints the ratio (a) ÷ (b) and checks the
   year averages of both agree for a sample of students.
3. Timed: ``--transcripts`` transcripts of the computed results rendered
   (``transcripts.document.transcript_pdf``) and signed twice, by the homeroom teacher and by
   the school with the lock (``transcripts.signing.pdf_sign``), with a test CA
   (``transcripts.ca``), in two processes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib
import multiprocessing
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

YEAR = "2021-2022"
GRADES = (10, 11, 12)
CLASS_SIZE = 42
CLASSES_PER_SCHOOL = 12
POOL = 4000  # score sets per subject and term
CHUNK = 200_000  # COPY lines per write
ICT = dt.timezone(dt.timedelta(hours=7))


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# --- data ---------------------------------------------------------------------------------


def _copy(table: str, columns: str, lines: Any) -> int:
    """COPY the text ``lines`` (an iterable of lines with their newline) into ``table``."""
    from django.db import connection

    count = 0
    buffer: list[str] = []
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for line in lines:
            buffer.append(line)
            if len(buffer) >= CHUNK:
                copy.write("".join(buffer).encode())
                count += len(buffer)
                buffer.clear()
        copy.write("".join(buffer).encode())
        count += len(buffer)
    return count


def _tails(rng: random.Random, subject: Any, term: int) -> list[str]:
    """Pre-rendered ends of COPY lines of a subject's marks in one term (from subject_id)."""
    from vnemis.learning.regimes import tt58_2011
    from vnemis.learning.regimes.base import CommentResult, regular_count, round1

    tails = []
    for _ in range(POOL):
        if subject.mode == "comment":
            result = "chua_dat" if rng.random() < 0.01 else "dat"
            tails.append(
                f"{subject.pk}\t{term}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t"
                f'["dat", "dat"]\tdat\t{result}\t{result}\t\\N\t\t\\N\n'
            )
            assert CommentResult(result)
            continue
        count = regular_count(subject.periods_per_year)
        level = rng.gauss(6.8, 1.3)
        regular = [Decimal(min(10, max(0, round(rng.gauss(level, 1.1))))) for _ in range(count)]
        # Tests are marked to a quarter point and entered with one decimal.
        mid, end = (
            round1(Decimal(round(min(10.0, max(0.0, rng.gauss(level, 0.9))) * 4)) / 4)
            for _ in range(2)
        )
        average = tt58_2011.term_average(
            tt58_2011.TermScores(regular=tuple(regular), periodic=(mid,), final=end)
        )
        slots = [str(v) for v in regular] + ["\\N"] * (4 - count)
        tails.append(
            f"{subject.pk}\t{term}\t{'\t'.join(slots)}\t{mid}\t{end}\t[]\t\t\t\t{average}\t\t\\N\n"
        )
    return tails


def build(n_students: int, seed: int = 1) -> dict[str, int]:
    """Write the province; return row counts."""
    from django.db import connection, transaction
    from django.utils import timezone

    from vnemis.core.bulk import BulkWriter, reset_sequences
    from vnemis.learning.models import Mark, Subject, TermReport
    from vnemis.learning.services.catalogue import catalogue_sync
    from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear, TreeVersion
    from vnemis.people.models import Enrollment, Person, SchoolClass, Student

    rng = random.Random(seed)
    now = timezone.now()
    stamp = now.isoformat()
    with transaction.atomic():
        catalogue_sync(by=None)
        year, _ = SchoolYear.objects.get_or_create(
            code=YEAR, defaults={"starts_on": dt.date(2021, 9, 5), "ends_on": dt.date(2022, 5, 31)}
        )
        v22 = TreeVersion.objects.get(code="2022")
        root = OrgUnit.objects.create(kind="department", code="SGD", name="Sở")
        OrgPlacement.objects.create(version=v22, unit=root, path="2022:SGD.", depth=0)
        per_school = CLASS_SIZE * CLASSES_PER_SCHOOL
        n_schools = max(1, -(-n_students // per_school))
        schools = OrgUnit.objects.bulk_create(
            [OrgUnit(kind="school", code=f"S{s:06d}", name=f"Trường {s}") for s in range(n_schools)]
        )
        OrgPlacement.objects.bulk_create(
            [
                OrgPlacement(version=v22, unit=s, parent=root, path=f"2022:SGD.{s.code}.", depth=1)
                for s in schools
            ],
            batch_size=5000,
        )
        classes = BulkWriter(
            SchoolClass,
            ["school", "site", "school_year", "level", "grade", "name", "homeroom_teacher"],
            now=now,
        )
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
                "school_class",
                "level",
                "grade",
                "status",
                "started_on",
                "ended_on",
                "exit_reason",
            ],
            now=now,
            batch_size=50_000,
        )
        placed: list[tuple[int, int]] = []  # (student, grade)
        class_id, grade = 0, GRADES[0]
        for i in range(n_students):
            school = schools[i // per_school]
            k = i % per_school
            if k % CLASS_SIZE == 0:
                grade = GRADES[(k // CLASS_SIZE) % len(GRADES)]
                class_id = classes.add(
                    school.pk, None, year.pk, "thpt", grade, f"{grade}A{k // CLASS_SIZE + 1}", None
                )
            pid = persons.add(
                "Nguyễn", "Văn", f"An {i}", "M", "01", "", "", "", f"nguyen van an {i}"
            )
            sid = students.add(pid, f"B{i:09d}", "")
            enrollments.add(
                sid,
                year.pk,
                school.pk,
                class_id,
                "thpt",
                grade,
                "active",
                dt.date(2021, 9, 5),
                None,
                "",
            )
            placed.append((sid, grade))
        for writer in (classes, persons, students, enrollments):
            writer.flush()
        subjects = {
            grade: list(Subject.objects.filter(regime="tt58", grade=grade).order_by("position"))
            for grade in GRADES
        }
        tails = {
            (grade, s.pk, term): _tails(rng, s, term)
            for grade in GRADES
            for s in subjects[grade]
            for term in (1, 2)
        }
        mark_columns = (
            "id, created_at, updated_at, student_id, school_year_id, subject_id, term, r1, r2, "
            "r3, r4, midterm, final, regular_results, mid_result, final_result, result, "
            "average, comment, updated_by_id"
        )
        choice = rng.choice

        def mark_lines() -> Any:
            mark_id = 0
            for sid, grade in placed:
                head = f"\t{stamp}\t{stamp}\t{sid}\t{year.pk}\t"
                for subject in subjects[grade]:
                    for term in (1, 2):
                        mark_id += 1
                        yield f"{mark_id}{head}{choice(tails[(grade, subject.pk, term)])}"

        marks = _copy(Mark._meta.db_table, mark_columns, mark_lines())
        report_columns = (
            "id, created_at, updated_at, student_id, school_year_id, term, conduct, traits, "
            "traits_mid, year_conduct, recommended, decision, absences_excused, "
            "absences_unexcused, remark, updated_by_id"
        )
        conducts = ("tot",) * 16 + ("kha",) * 3 + ("trung_binh",)

        def report_lines() -> Any:
            report_id = 0
            for sid, _grade in placed:
                for term in (1, 2):
                    report_id += 1
                    yield (
                        f"{report_id}\t{stamp}\t{stamp}\t{sid}\t{year.pk}\t{term}\t"
                        f"{choice(conducts)}\t{{}}\t{{}}\t\tf\t\t{rng.randrange(6)}\t0\t\t\\N\n"
                    )

        reports = _copy(TermReport._meta.db_table, report_columns, report_lines())
        reset_sequences(Mark, TermReport, Person, Student, Enrollment, SchoolClass)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"schools": n_schools, "classes": classes.count, "marks": marks, "reports": reports}


# --- (b) the SQL aggregate ----------------------------------------------------------------

AGGREGATE = """
    CREATE UNLOGGED TABLE bench_year_average AS
    SELECT student_id, subject_id,
           ROUND((SUM(average) FILTER (WHERE term = 1)
                  + 2 * SUM(average) FILTER (WHERE term = 2)) / 3, 1) AS year
    FROM learning_mark
    WHERE school_year_id = %s AND average IS NOT NULL
    GROUP BY student_id, subject_id
"""


def aggregate(year_pk: int) -> float:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_year_average")
        start = time.perf_counter()
        cursor.execute(AGGREGATE, [year_pk])
        return time.perf_counter() - start


def check(sample: int = 2000) -> int:
    """Compare the year averages of the SQL table and of the year results."""
    from django.db import connection

    from vnemis.learning.models import Subject, YearResult

    codes = dict(Subject.objects.values_list("id", "code"))
    results = {
        r.student_id: r.outcome
        for r in YearResult.objects.order_by("student_id")[:sample].only("student_id", "outcome")
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT student_id, subject_id, year FROM bench_year_average WHERE student_id <= %s",
            [max(results)],
        )
        compared = 0
        for student_id, subject_id, year in cursor.fetchall():
            if student_id not in results:
                continue
            got = results[student_id]["subjects"][codes[subject_id]]["year"]
            if Decimal(str(got)) != year:
                raise SystemExit(
                    f"mismatch: student {student_id}, {codes[subject_id]}: {got} {year}"
                )
            compared += 1
    return compared


# --- (c) transcripts ----------------------------------------------------------------------

_KEYS: dict[str, Any] = {}


def _keys() -> None:
    from vnemis.learning.transcripts.ca import ca_create, signer_issue

    start = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)
    authority = ca_create(
        common_name="vnemis bench CA", organisation="Bench", valid_days=20 * 365, not_before=start
    )
    for name, kind in (("teacher", "person"), ("school", "organisation")):
        _KEYS[name] = signer_issue(
            authority,
            common_name=f"Bench {name}",
            organisation="Trường THPT Bench",
            kind=kind,
            valid_days=20 * 365,
            not_before=start,
        )


def _render_sign(data: Any) -> tuple[int, str]:
    from vnemis.learning.transcripts.document import transcript_pdf
    from vnemis.learning.transcripts.signing import INSTITUTION_FIELD, TEACHER_FIELD, pdf_sign

    pdf = transcript_pdf(data)
    pdf = pdf_sign(
        pdf,
        signer=_KEYS["teacher"],
        field_name=TEACHER_FIELD,
        reason="Giáo viên chủ nhiệm xác nhận học bạ",
        location="Lào Cai",
        signed_at=dt.datetime(2022, 5, 30, 9, tzinfo=ICT),
    )
    pdf = pdf_sign(
        pdf,
        signer=_KEYS["school"],
        field_name=INSTITUTION_FIELD,
        reason="Nhà trường phê duyệt học bạ",
        location="Lào Cai",
        signed_at=dt.datetime(2022, 5, 30, 15, tzinfo=ICT),
        lock=True,
    )
    return len(pdf), hashlib.sha256(pdf).hexdigest()


def transcript_data(count: int) -> list[Any]:
    """TranscriptData of the first ``count`` year results."""
    from vnemis.learning.models import YearResult
    from vnemis.learning.regimes.catalogue import subject_name
    from vnemis.learning.transcripts.document import (
        Regime,
        School,
        Student,
        SubjectRow,
        Summary,
        TranscriptData,
    )

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.1f}".replace(".", ",")
        return {"dat": "Đ", "chua_dat": "CĐ"}.get(str(value), str(value))

    out = []
    rows = YearResult.objects.select_related("student__person", "school_class").order_by("id")
    for n, result in enumerate(rows[:count]):
        person = result.student.person
        outcome = result.outcome
        out.append(
            TranscriptData(
                school=School(name="Trường THPT Bench", parent_unit="SỞ GD&ĐT", province="Lào Cai"),
                student=Student(
                    full_name=f"{person.family_name} {person.middle_name} {person.given_name}",
                    birth_date=dt.date(2006, 1, 1),
                    sex="Nam",
                    ethnicity="Kinh",
                    personal_id="",
                    student_code=result.student.code,
                ),
                school_year=YEAR,
                grade=result.grade,
                class_name=result.school_class.name if result.school_class else "",
                regime=Regime(code="TT58/2011", citation="Thông tư số 58/2011/TT-BGDĐT"),
                columns=("Học kì I", "Học kì II", "Cả năm"),
                subjects=tuple(
                    SubjectRow(
                        name=subject_name(code),
                        values=(*(text(t) for t in values["terms"]), text(values["year"])),
                    )
                    for code, values in outcome["subjects"].items()
                ),
                summary=Summary(
                    learning_result=result.learning,
                    conduct=result.conduct,
                    promotion=result.promotion,
                    absences=0,
                    learning_label="Học lực",
                    conduct_label="Hạnh kiểm",
                ),
                homeroom_teacher="Bench teacher",
                principal="Bench principal",
                issued_on=dt.date(2022, 5, 30),
                verification_code=f"BENCH{n:07d}",
                verification_url=f"https://vnemis.example/hoc-ba/BENCH{n:07d}",
            )
        )
    return out


# --- run ----------------------------------------------------------------------------------


def run(url: str, n_students: int, n_transcripts: int, workers: int) -> None:
    os.environ["VNEMIS_DATABASE_URL"] = url
    os.environ.setdefault("VNEMIS_VAR_DIR", tempfile.mkdtemp(prefix="vnemis-bench-learning-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from vnemis.learning.services.yearend import year_results_compute
    from vnemis.organisations.models import SchoolYear

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"database: PostgreSQL {cursor.fetchone()[0]}", flush=True)
    start = time.perf_counter()
    counts = build(n_students)
    print(
        f"data: {n_students:,} students, {counts['schools']:,} schools, {counts['classes']:,} "
        f"classes, {counts['marks']:,} marks, {counts['reports']:,} term reports in "
        f"{time.perf_counter() - start:.1f} s",
        flush=True,
    )
    year = SchoolYear.objects.get(code=YEAR)
    sql_before = aggregate(year.pk)
    print(f"(b) SQL aggregate of the year averages: {sql_before:.2f} s", flush=True)
    messages: list[str] = []
    start = time.perf_counter()
    written = year_results_compute(school_year=year, workers=workers, progress=messages.append)
    compute_s = time.perf_counter() - start
    print(
        f"(a) year_results_compute, {workers} process(es): {compute_s:.1f} s, {written:,} "
        f"results; {messages[-1]}; RSS {_rss_mib():.0f} MiB",
        flush=True,
    )
    sql_after = aggregate(year.pk)
    print(f"(b) SQL aggregate again: {sql_after:.2f} s", flush=True)
    baseline = min(sql_before, sql_after)
    print(
        f"ratio (a) / (b): {compute_s / baseline:.1f}x "
        f"({n_students / compute_s:,.0f} students/s against {n_students / baseline:,.0f})"
    )
    print(f"check: {check():,} subject year averages agree", flush=True)
    if n_transcripts:
        data = transcript_data(n_transcripts)
        _keys()
        start = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(2) as pool:
            signed = pool.map(_render_sign, data, chunksize=50)
        seconds = time.perf_counter() - start
        size = sum(n for n, _sha in signed) / len(signed)
        print(
            f"(c) {len(signed):,} transcripts rendered and signed twice in 2 processes: "
            f"{seconds:.1f} s ({seconds / len(signed) * 1000:.0f} ms each, 2 at a time; "
            f"{size / 1024:.0f} KiB each)",
            flush=True,
        )
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=500_000)
    parser.add_argument("--transcripts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.database_url, args.students, args.transcripts, args.workers)
        return
    cpu = platform.processor() or platform.machine()
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d} · {platform.node()} · {cpu}")
    print(f"{os.cpu_count()} CPUs · Python {platform.python_version()}", flush=True)
    child = [sys.executable, "-u", __file__, "--child", "--students", str(args.students)]
    child += ["--transcripts", str(args.transcripts), "--workers", str(args.workers)]
    if args.database_url:
        subprocess.run([*child, "--database-url", args.database_url], check=True)
        return
    pgtemp = importlib.import_module("pgtemp")  # scripts/pgtemp.py
    with pgtemp.temporary_postgres() as url:
        subprocess.run([*child, "--database-url", url], check=True)


if __name__ == "__main__":
    main()
