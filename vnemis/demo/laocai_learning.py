"""Learning results of the Lào Cai 2022 demo: subjects, teaching assignments, marks, term
reports, locks, publication rules, year results and issued transcripts of 2021-22.

Counted by the indicator engine on 30 June 2022, the records give the report's figures:
225.404 students with a year result (of 228.322; the others have term I only) and 168.652
with an issued electronic transcript, both scaled with ``--scale``.

How the marks are drawn. Each (regime, grade) has a pool of ``POOL`` mark profiles, one per
ability quantile: a profile is a whole year of one student (every score of every subject and
term, comment results or primary levels, conduct or qualities, absences), drawn from the
ability, a per-subject offset (``OFFSETS``), the student's aptitude for the subject and noise,
and rounded as the regime's scores are entered (TT22/TT58: regular scores whole, tests to one
decimal; primary tests whole from 1). A class draws its students' abilities around its
school's and its own level and gives each the nearest profile not yet used in the class, so no
two students of a class have the same gradebook row. Students of different classes may share
a profile: the year-end run evaluates each distinct student-year once (``learning.bulk``), and
evaluating 225.404 distinct years would take about four minutes of the three that ``make run``
may take (≈ 1 ms each with the Vietnamese reasons).

Transcripts are issued (status, date, code, personal ID) with empty content and no PDF: the
content is frozen, rendered and signed on the first download or by the worker
(``learning.services.transcripts``), so the demo signs nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from vnemis.core.bulk import BulkWriter, reset_sequences
from vnemis.digital.models import StudentRecord
from vnemis.learning.choices import ReleaseColumn, TranscriptStatus
from vnemis.learning.codes import transcript_code
from vnemis.learning.evaluation import trait_codes
from vnemis.learning.models import (
    Mark,
    Release,
    Subject,
    TeachingAssignment,
    TermLock,
    TermReport,
    Transcript,
)
from vnemis.learning.regimes import tt22_2021, tt58_2011
from vnemis.learning.regimes.base import regular_count, round1
from vnemis.learning.regimes.phase_in import regime_for
from vnemis.learning.services.catalogue import catalogue_sync
from vnemis.learning.services.yearend import year_results_compute
from vnemis.organisations.models import OrgUnit, SchoolYear, StaleUnit
from vnemis.people.models import Enrollment, SchoolClass, Staff

Progress = Callable[[str], None]

# Students, as shares of general-education students (exact at scale 1).
TRANSCRIPTS = (168_652, 228_322)
WITH_RESULTS = (225_404, 228_322)
# Term I ended in mid-January 2022, term II in late May; the year's results were complete
# after the year-end review, transcripts issued in June: all before the report's 30 June.
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
RELEASED = {
    1: dt.datetime(2022, 1, 24, 8, tzinfo=HANOI),
    2: dt.datetime(2022, 5, 30, 8, tzinfo=HANOI),
}
RESULTS_RECORDED_ON = dt.date(2022, 5, 28)
TRANSCRIPTS_FROM = dt.date(2022, 6, 1)
TRANSCRIPT_DAYS = 25  # issued from 1 to 25 June 2022
POOL = 200
# Students without a year result (they have term I only) draw from the weakest profiles.
DROPOUT_POOL = 40
# Ability on the 10-point scale: mean and spread between students.
ABILITY = (6.9, 1.15)
SCHOOL_SPREAD = 0.45
CLASS_SPREAD = 0.25
# Subjects harder (negative) or easier than the student's ability.
OFFSETS: dict[str, float] = {
    "toan": -0.35,
    "ngu_van": -0.2,
    "ngoai_ngu": -0.45,
    "vat_li": -0.3,
    "hoa_hoc": -0.35,
    "sinh_hoc": 0.1,
    "khtn": -0.25,
    "lich_su": 0.3,
    "dia_li": 0.35,
    "lich_su_dia_li": 0.3,
    "gdcd": 0.9,
    "cong_nghe": 0.7,
    "tin_hoc": 0.4,
    "gdqp": 1.0,
    "tieng_viet": -0.1,
    "dao_duc": 0.9,
    "tnxh": 0.6,
    "khoa_hoc": 0.3,
    "tin_hoc_cong_nghe": 0.4,
}
# The staff's main subject (as the demo's staff list writes it) that teaches a subject code.
TEACHES: dict[str, tuple[str, ...]] = {
    "toan": ("Toán",),
    "ngu_van": ("Ngữ văn",),
    "ngoai_ngu": ("Tiếng Anh",),
    "vat_li": ("Vật lí",),
    "hoa_hoc": ("Hoá học",),
    "sinh_hoc": ("Sinh học",),
    "khtn": ("Vật lí", "Hoá học", "Sinh học"),
    "lich_su": ("Lịch sử",),
    "dia_li": ("Địa lí",),
    "lich_su_dia_li": ("Lịch sử", "Địa lí"),
    "gdcd": ("Giáo dục công dân",),
    "gdqp": ("Giáo dục thể chất",),
    "cong_nghe": ("Công nghệ",),
    "tin_hoc": ("Tin học",),
    "tin_hoc_cong_nghe": ("Tin học",),
    "the_duc": ("Giáo dục thể chất",),
    "gdtc": ("Giáo dục thể chất",),
    "am_nhac": ("Âm nhạc",),
    "mi_thuat": ("Mĩ thuật",),
}
MARK_FIELDS = [
    "id",
    "created_at",
    "updated_at",
    "student",
    "school_year",
    "subject",
    "term",
    "r1",
    "r2",
    "r3",
    "r4",
    "midterm",
    "final",
    "regular_results",
    "mid_result",
    "final_result",
    "result",
    "average",
    "comment",
]
REPORT_FIELDS = [
    "id",
    "created_at",
    "updated_at",
    "student",
    "school_year",
    "term",
    "conduct",
    "traits",
    "traits_mid",
    "year_conduct",
    "recommended",
    "decision",
    "absences_excused",
    "absences_unexcused",
    "remark",
]


@dataclass(frozen=True)
class SubjectInfo:
    pk: int
    code: str
    mode: str
    periods: int | None
    tested: bool
    mid_tested: bool


# A profile's rows without the leading id, times and student: mark rows from ``subject``
# on, report rows from ``term`` on, for terms I and II.
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Profile:
    marks: tuple[tuple[Row, ...], tuple[Row, ...]]
    reports: tuple[Row, Row]


# --- drawing ------------------------------------------------------------------------------


def _clamp(value: float, low: float = 0.0, high: float = 10.0) -> float:
    return min(high, max(low, value))


def _whole(value: float, low: int = 0) -> int:
    return int(_clamp(math.floor(value + 0.5), low))


def _test(value: float) -> float:
    """A test score as entered: marked to a quarter point, written with one decimal."""
    quarter = Decimal(math.floor(_clamp(value) * 4 + 0.5)) / 4
    return float(round1(quarter))


def _secondary_profile(
    rng: random.Random, regime: str, subjects: Sequence[SubjectInfo], ability: float
) -> Profile:
    gauss = rng.gauss
    terms: list[list[Row]] = [[], []]
    weak = ability < 5.0
    for subject in subjects:
        aptitude = ability + OFFSETS.get(subject.code, 0.0) + gauss(0, 0.5)
        for term in (1, 2):
            level = aptitude + (0.15 if term == 2 else 0.0)
            if subject.mode == "comment":
                failed = rng.random() < (0.04 if weak else 0.002)
                result = "chua_dat" if failed else "dat"
                terms[term - 1].append(
                    (subject.pk, term, None, None, None, None, None, None)
                    + ('["dat", "dat"]', "dat", result, result, None, "")
                )
                continue
            count = regular_count(subject.periods) if subject.periods else 4
            regular = [_whole(level + gauss(0, 1.1)) for _ in range(count)]
            midterm = _test(level + gauss(0, 0.9))
            final = _test(level + gauss(0, 0.9))
            scores = tuple(Decimal(v) for v in regular)
            mid, end = Decimal(str(midterm)), Decimal(str(final))
            if regime == "tt58":
                average = tt58_2011.term_average(
                    tt58_2011.TermScores(regular=scores, periodic=(mid,), final=end)
                )
            else:
                average = tt22_2021.term_average(
                    tt22_2021.TermScores(regular=scores, midterm=mid, final=end)
                )
            slots = [float(v) for v in regular] + [None] * (4 - count)
            terms[term - 1].append(
                (subject.pk, term, *slots, midterm, final)
                + ("[]", "", "", "", None if average is None else float(average), "")
            )
    mood = (ability - ABILITY[0]) / ABILITY[1] * 0.45 + gauss(0, 1)
    levels = (
        ("tot", "kha", "dat", "chua_dat")
        if regime == "tt22"
        else ("tot", "kha", "trung_binh", "yeu")
    )
    reports = []
    for term in (1, 2):
        conduct_score = mood + gauss(0, 0.35)
        conduct = levels[
            0
            if conduct_score > -1.0
            else 1
            if conduct_score > -2.0
            else 2
            if conduct_score > -2.7
            else 3
        ]
        excused = min(int(rng.expovariate(1 / 2.5)), 30)
        unexcused = min(int(rng.expovariate(1.5)), 10) if rng.random() < 0.12 else 0
        reports.append((term, conduct, "{}", "{}", "", False, "", excused, unexcused, ""))
    return Profile((tuple(terms[0]), tuple(terms[1])), (reports[0], reports[1]))


def _level(z: float) -> str:
    """A primary level from a standardised score: most Hoàn thành tốt or Hoàn thành, about
    one in a hundred Chưa hoàn thành."""
    return "htt" if z > -0.15 else "ht" if z > -2.75 else "cht"


def _trait(z: float) -> str:
    return "tot" if z > -0.3 else "dat" if z > -3.0 else "can_co_gang"


def _primary_profile(
    rng: random.Random, regime: str, grade: int, subjects: Sequence[SubjectInfo], ability: float
) -> Profile:
    """Primary pupils' levels follow the pupil closely (the same teacher assesses most
    subjects), so the all-subjects bars of the year results are reached by the stronger
    pupils; tests are whole numbers from 1."""
    gauss = rng.gauss
    z = (ability - ABILITY[0]) / ABILITY[1]
    terms: list[list[Row]] = [[], []]
    for subject in subjects:
        aptitude = z + 0.3 * gauss(0, 1)
        for term in (1, 2):
            level = aptitude + (0.1 if term == 2 else 0.0)
            mid = _level(level - 0.1 + 0.3 * gauss(0, 1))
            end = _level(level + 0.3 * gauss(0, 1))
            midterm = (
                float(_whole(7.9 + 1.2 * level + 0.6 * gauss(0, 1), 1))
                if subject.mid_tested
                else None
            )
            final = (
                float(_whole(8.2 + 1.2 * level + 0.6 * gauss(0, 1), 1)) if subject.tested else None
            )
            terms[term - 1].append(
                (subject.pk, term, None, None, None, None, midterm, final)
                + ("[]", mid, "", end, None, "")
            )
    codes = trait_codes(regime, grade)
    reports = []
    for term in (1, 2):
        values = []
        for _when in ("mid", "end"):
            traits = {code: _trait(z + 0.35 * gauss(0, 1)) for code in codes}
            values.append(json.dumps(traits, ensure_ascii=False))
        recommended = term == 2 and z > 0.8 and rng.random() < 0.6
        excused = min(int(rng.expovariate(1 / 2.0)), 30)
        reports.append((term, "", values[1], values[0], "", recommended, "", excused, 0, ""))
    return Profile((tuple(terms[0]), tuple(terms[1])), (reports[0], reports[1]))


class Pools:
    """The profiles of each (regime, grade), drawn on first use, sorted by ability."""

    def __init__(self, rng: random.Random, subjects: dict[tuple[str, int], list[SubjectInfo]]):
        self.rng = rng
        self.subjects = subjects
        self.pools: dict[tuple[str, int], list[Profile]] = {}
        # The number of a pool's first profile (profiles are numbered across the pools).
        self.first: dict[tuple[str, int], int] = {}
        normal = statistics.NormalDist(*ABILITY)
        self.abilities = [normal.inv_cdf((k + 0.5) / POOL) for k in range(POOL)]

    def get(self, regime: str, grade: int) -> list[Profile]:
        key = (regime, grade)
        if key not in self.pools:
            subjects = self.subjects[key]
            rng = random.Random(f"{self.rng.random()}/{regime}/{grade}")
            if regime in ("tt27", "tt30"):
                self.pools[key] = [
                    _primary_profile(rng, regime, grade, subjects, a) for a in self.abilities
                ]
            else:
                self.pools[key] = [
                    _secondary_profile(rng, regime, subjects, a) for a in self.abilities
                ]
            self.first[key] = POOL * (len(self.pools) - 1)
        return self.pools[key]

    def numbered(self) -> Iterator[tuple[int, Profile]]:
        for key, pool in self.pools.items():
            for index, profile in enumerate(pool):
                yield self.first[key] + index, profile


def _pick(used: set[int], target: int) -> int:
    """The index nearest ``target`` not in ``used`` (a class holds fewer than ``POOL``)."""
    for step in range(POOL):
        for index in (target + step, target - step):
            if 0 <= index < POOL and index not in used:
                used.add(index)
                return index
    raise ValueError("a class larger than the profile pool")


# --- loading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassRow:
    pk: int
    school_id: int
    grade: int
    homeroom: int | None
    regime: str


def _subjects(regimes: set[tuple[str, int]]) -> dict[tuple[str, int], list[SubjectInfo]]:
    found: dict[tuple[str, int], list[SubjectInfo]] = defaultdict(list)
    rows = Subject.objects.filter(elective=False).order_by("position", "id")
    for pk, regime, grade, code, mode, periods, tested, mid_tested in rows.values_list(
        "id", "regime", "grade", "code", "mode", "periods_per_year", "tested", "mid_tested"
    ):
        if (regime, grade) in regimes:
            found[(regime, grade)].append(SubjectInfo(pk, code, mode, periods, tested, mid_tested))
    return found


def _teacher_picker(schools: set[int]) -> Callable[[ClassRow, str, int], int | None]:
    """One teacher per subject and class from the school's staff: a teacher of the subject
    in turn, else the homeroom teacher, else any teacher of the school in turn."""
    by_subject: dict[tuple[int, str], list[int]] = defaultdict(list)
    anyone: dict[int, list[int]] = defaultdict(list)
    for pk, school_id, subject in (
        Staff.objects.filter(org_unit_id__in=schools, position="giao_vien")
        .order_by("id")
        .values_list("id", "org_unit_id", "subject")
    ):
        by_subject[(school_id, subject)].append(pk)
        anyone[school_id].append(pk)

    def pick(school_class: ClassRow, code: str, turn: int) -> int | None:
        primary = school_class.regime in ("tt27", "tt30")
        labels = TEACHES.get(code, ())
        if primary and code not in (
            "ngoai_ngu",
            "tin_hoc",
            "tin_hoc_cong_nghe",
            "am_nhac",
            "mi_thuat",
            "the_duc",
            "gdtc",
        ):
            labels = ()
        for label in labels:
            teachers = by_subject.get((school_class.school_id, label))
            if teachers:
                return teachers[turn % len(teachers)]
        if school_class.homeroom is not None:
            return school_class.homeroom
        teachers = anyone.get(school_class.school_id)
        return teachers[turn % len(teachers)] if teachers else None

    return pick


def _columns(model: type[Model], names: Sequence[str]) -> list[str]:
    columns = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column
        columns.append(connection.ops.quote_name(field.column))
    return columns


def _marks_write(
    pools: Pools, chosen: list[tuple[int, int, int]], year_pk: int, stamp: Any
) -> dict[str, int]:
    """Every student's marks and term reports: copies of his profile's rows for term I, or
    terms I and II, made by the database (INSERT … SELECT from two temporary tables: the
    profiles' rows and each student's profile), in the order of the unique indexes."""
    mark_values = _columns(Mark, MARK_FIELDS[5:])
    report_values = _columns(TermReport, REPORT_FIELDS[5:])
    mark_table = connection.ops.quote_name(Mark._meta.db_table)
    report_table = connection.ops.quote_name(TermReport._meta.db_table)
    head = _columns(Mark, ["created_at", "updated_at", "student", "school_year"])
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        # Temporary tables shaped as the targets, so each engine keeps the column types.
        cursor.execute(
            f"CREATE TEMPORARY TABLE demo_profile_mark AS SELECT id AS profile, "
            f"{', '.join(mark_values)} FROM {mark_table} WHERE 1 = 0"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE demo_profile_report AS SELECT id AS profile, "
            f"{', '.join(report_values)} FROM {report_table} WHERE 1 = 0"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE demo_student_profile "
            "(student_id integer, profile integer, terms integer)"
        )
        mark_rows = []
        report_rows = []
        for number, profile in pools.numbered():
            for term_rows in profile.marks:
                mark_rows += [(number, *row) for row in term_rows]
            report_rows += [(number, *row) for row in profile.reports]
        for table, rows in (
            ("demo_profile_mark", mark_rows),
            ("demo_profile_report", report_rows),
            ("demo_student_profile", chosen),
        ):
            places = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table} VALUES ({places})", rows)
        for key, table, source, values, order in (
            ("marks", mark_table, "demo_profile_mark", mark_values, "p.subject_id, p.term"),
            ("term_reports", report_table, "demo_profile_report", report_values, "p.term"),
        ):
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(head + values)}) "
                f"SELECT %s, %s, s.student_id, %s, {', '.join('p.' + v for v in values)} "
                f"FROM demo_student_profile s JOIN {source} p "
                f"ON p.profile = s.profile AND p.term <= s.terms "
                f"ORDER BY s.student_id, {order}",
                [stamp, stamp, year_pk],
            )
            counts[key] = cursor.rowcount
        cursor.execute("DROP TABLE demo_profile_mark")
        cursor.execute("DROP TABLE demo_profile_report")
        cursor.execute("DROP TABLE demo_student_profile")
    return counts


def _stamp(value: dt.datetime) -> Any:
    """A datetime as the connection stores it (converted once, not per row)."""
    return connection.ops.adapt_datetimefield_value(value)


def load_learning(
    *, rng: random.Random, year: SchoolYear, department: OrgUnit, say: Progress
) -> dict[str, int]:
    """Write the learning records of 2021-22 for the province's general-education students."""
    catalogue_sync(by=None)
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    classes: dict[int, ClassRow] = {}
    for pk, school_id, grade, homeroom in (
        SchoolClass.objects.filter(school_year=year, grade__gte=1)
        .order_by("id")
        .values_list("id", "school_id", "grade", "homeroom_teacher_id")
    ):
        classes[pk] = ClassRow(
            pk, school_id, grade, homeroom, regime_for(grade=grade, school_year=year.code)
        )
    members: dict[int, list[int]] = defaultdict(list)
    national_ids: dict[int, str] = {}
    class_of: dict[int, int] = {}
    for student_id, class_id, national_id in (
        Enrollment.objects.general_education()
        .filter(school_year=year, status="active", school_class__isnull=False)
        .order_by("student_id")
        .values_list("student_id", "school_class_id", "student__person__national_id")
    ):
        members[class_id].append(student_id)
        national_ids[student_id] = national_id or ""
        class_of[student_id] = class_id
    student_ids = sorted(class_of)
    n = len(student_ids)
    with_results = set(rng.sample(student_ids, round(n * WITH_RESULTS[0] / WITH_RESULTS[1])))
    with_transcript = sorted(
        rng.sample(sorted(with_results), round(n * TRANSCRIPTS[0] / TRANSCRIPTS[1]))
    )
    subjects = _subjects({(c.regime, c.grade) for c in classes.values()})
    schools = {c.school_id for c in classes.values()}
    teacher = _teacher_picker(schools)

    assignments = BulkWriter(TeachingAssignment, ["school_class", "subject", "teacher"], now=now)
    releases = BulkWriter(
        Release,
        ["school_class", "subject", "term", "column", "release_on", "released_at", "set_by"],
        now=now,
    )
    released = {term: _stamp(at) for term, at in RELEASED.items()}
    pools = Pools(rng, subjects)
    normal = statistics.NormalDist()
    school_level = {s: rng.gauss(0, SCHOOL_SPREAD) for s in sorted(schools)}
    total = math.hypot(1.0, SCHOOL_SPREAD, CLASS_SPREAD)
    year_pk = year.pk
    chosen: list[tuple[int, int, int]] = []  # student, profile number, terms

    for turn, school_class in enumerate(classes.values()):
        class_subjects = subjects[(school_class.regime, school_class.grade)]
        for subject in class_subjects:
            assignments.add(school_class.pk, subject.pk, teacher(school_class, subject.code, turn))
        for term in (1, 2):
            releases.add(
                school_class.pk, None, term, ReleaseColumn.SUMMARY.value, None, released[term], None
            )
            for subject in class_subjects:
                releases.add(
                    school_class.pk,
                    subject.pk,
                    term,
                    ReleaseColumn.AVERAGE.value,
                    None,
                    released[term],
                    None,
                )
        pools.get(school_class.regime, school_class.grade)
        first = pools.first[(school_class.regime, school_class.grade)]
        level = school_level[school_class.school_id] + rng.gauss(0, CLASS_SPREAD)
        used: set[int] = set()
        for student_id in members.get(school_class.pk, ()):
            z = (level + rng.gauss(0, 1)) / total
            complete = student_id in with_results
            size = POOL if complete else DROPOUT_POOL
            target = min(size - 1, int(normal.cdf(z) * size))
            chosen.append((student_id, first + _pick(used, target), 2 if complete else 1))
    assignments.flush()
    releases.flush()
    counts = _marks_write(pools, chosen, year_pk, stamp)
    say(f"Marks: {counts['marks']} rows, {counts['term_reports']} term reports.")

    locks = BulkWriter(TermLock, ["school", "school_year", "term", "locked_by"], now=now)
    for school_id in sorted(schools):
        for term in (1, 2):
            locks.add(school_id, year_pk, term, None)
    locks.flush()
    reset_sequences(Mark, TermReport, TeachingAssignment, Release, TermLock)

    results = year_results_compute(
        school_year=year,
        unit_ids=[department.pk],
        recorded_on=RESULTS_RECORDED_ON,
        workers=2,
        progress=say,
    )
    # The loader counts the indicators itself once everything is written.
    StaleUnit.objects.filter(unit_id__in=schools).delete()

    transcripts = BulkWriter(
        Transcript,
        [
            "student",
            "school_year",
            "school",
            "school_class",
            "grade",
            "regime",
            "version",
            "code",
            "national_id",
            "status",
            "content",
            "content_sha256",
            "pdf",
            "pdf_sha256",
            "issued_on",
            "revoked_reason",
        ],
        now=now,
    )
    issued_on: dict[int, dt.date] = {}
    for student_id in with_transcript:
        school_class = classes[class_of[student_id]]
        issued = issued_on[student_id] = TRANSCRIPTS_FROM + dt.timedelta(
            days=rng.randrange(TRANSCRIPT_DAYS)
        )
        transcripts.add(
            student_id,
            year_pk,
            school_class.school_id,
            school_class.pk,
            school_class.grade,
            school_class.regime,
            1,
            transcript_code(),
            national_ids[student_id],
            TranscriptStatus.ISSUED.value,
            "{}",
            "",
            "",
            "",
            issued,
            "",
        )
    transcripts.flush()
    # The flags of the sector database, kept in step with the own records: the indicators
    # count the own records once a year has them, but the QĐ 4725 self-assessment
    # (``digital.selfassessment``) still reads the flags.
    flags = BulkWriter(
        StudentRecord,
        ["student", "school_year", "results_received_on", "transcript_issued_on"],
        now=now,
    )
    for student_id in sorted(with_results):
        flags.add(student_id, year_pk, RESULTS_RECORDED_ON, issued_on.get(student_id))
    flags.flush()
    reset_sequences(Transcript, StudentRecord)
    return {
        "teaching_assignments": assignments.count,
        "marks": counts["marks"],
        "term_reports": counts["term_reports"],
        "releases": releases.count,
        "year_results": results,
        "transcripts": transcripts.count,
        "student_records": flags.count,
    }
