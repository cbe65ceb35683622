"""Loading the synthetic Lào Cai 2022 into the database.

``demo_load`` is the entry point: it refuses to mix two different data sets, does nothing when
the same one is already loaded, and otherwise writes the whole province in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from vnemis.core.audit import audit_record
from vnemis.core.bulk import BulkWriter, reset_sequences
from vnemis.core.choices import AuditVerb
from vnemis.demo.laocai_2022 import (
    NEW_PROVINCE_CODE,
    OLD_PROVINCE_CODE,
    REFORM_DAY,
    VILLAGES,
    YEAR_END,
    YEAR_START,
    ProvincePlan,
    SchoolPlan,
    build_plan,
)
from vnemis.demo.laocai_dx import (
    REPORTED_2022H1,
    TARGETS_2022H2,
    TARGETS_2025_QD131,
    load_digital,
)
from vnemis.demo.laocai_learning import load_learning
from vnemis.demo.laocai_plans import load_plans, load_report_draft
from vnemis.demo.models import DemoDataset
from vnemis.demo.population import PersonFactory
from vnemis.digital.models import DigitalProfile, StudentRecord
from vnemis.indicators.models import DataElement, Indicator
from vnemis.indicators.periods import parse_period
from vnemis.indicators.services import element_values_refresh, reported_value_set, target_set
from vnemis.learning.models import Mark, TermReport, Transcript, YearResult
from vnemis.organisations.admin_units import (
    commune_successors,
    communes_2025,
    laocai_districts_2022,
    legacy_communes,
)
from vnemis.organisations.choices import LinkKind, OrgUnitKind
from vnemis.organisations.models import (
    OrgPlacement,
    OrgUnit,
    OrgUnitGroup,
    OrgUnitLink,
    SchoolYear,
    TreeVersion,
)
from vnemis.people.models import (
    Enrollment,
    Guardian,
    GuardianLink,
    Person,
    SchoolClass,
    Staff,
    Student,
)
from vnemis.people.services import codes as people_codes

DATASET = "laocai-2022"
Progress = Callable[[str], None]


class DemoConflict(Exception):
    """Another data set (or the same one with other parameters) is already loaded."""


@dataclass
class LoadResult:
    created: bool
    dataset: DemoDataset


def demo_load(*, seed: int, scale: float = 1.0, progress: Progress | None = None) -> LoadResult:
    """Load the Lào Cai 2022 demo; a second call with the same seed and scale changes nothing."""
    say = progress or (lambda _msg: None)
    existing = DemoDataset.objects.filter(name=DATASET).first()
    if existing is not None:
        if existing.seed == seed and existing.scale == scale:
            say(f"The {DATASET} demo (seed {seed}, scale {scale:g}) is already loaded.")
            return LoadResult(created=False, dataset=existing)
        raise DemoConflict(
            f"The {DATASET} demo is already loaded with seed {existing.seed} and scale "
            f"{existing.scale:g}; use a fresh database to load another."
        )
    if OrgUnit.objects.filter(code=f"SGD{OLD_PROVINCE_CODE}").exists():
        raise DemoConflict("Lào Cai units already exist in this database; refusing to mix data.")
    started = time.perf_counter()
    with _sqlite_bulk(), transaction.atomic():
        plan = build_plan(seed=seed, scale=scale)
        say(f"Plan: {len(plan.schools)} schools, seed {seed}, scale {scale:g}.")
        units = _load_tree(plan)
        say("Organisation tree loaded (2022 and 2025 versions, crosswalk).")
        counts = _load_people(plan, units, random.Random(seed + 1), say)
        year = SchoolYear.objects.get(code="2021-2022")
        counts |= load_digital(rng=random.Random(seed + 2), year=year, scale=scale)
        say("Digital-transformation records loaded.")
        counts |= load_learning(
            rng=random.Random(seed + 3),
            year=year,
            department=units[f"SGD{OLD_PROVINCE_CODE}"],
            say=say,
        )
        say("Learning results loaded (marks, year results, issued transcripts).")
        _load_indicator_data(units[f"SGD{OLD_PROVINCE_CODE}"])
        counts["plan_tasks"] = load_plans(owner=units[f"SGD{OLD_PROVINCE_CODE}"])
        _gather_statistics()
        for code in ANALYTICS_PERIODS:
            counts[f"values_{code}"] = element_values_refresh(period=parse_period(code))
        say("Indicator values computed for " + ", ".join(ANALYTICS_PERIODS) + ".")
        load_report_draft(unit=units[f"SGD{OLD_PROVINCE_CODE}"])
        seconds = time.perf_counter() - started
        dataset = DemoDataset.objects.create(
            name=DATASET, seed=seed, scale=scale, counts=counts, seconds=round(seconds, 2)
        )
        audit_record(actor=None, verb=AuditVerb.CREATED, target=dataset, after=counts)
    say(f"Loaded in {seconds:.1f} s.")
    return LoadResult(created=True, dataset=dataset)


ANALYTICS_PERIODS = ("2021H2", "2022H1")
# SQLite's page cache while loading, in KiB: the indexes of the millions of marks written stay
# in memory instead of being re-read page by page (the default is 2 MiB).
SQLITE_CACHE_KIB = 256 * 1024


@contextlib.contextmanager
def _sqlite_bulk() -> Iterator[None]:
    """On a SQLite file opened by nothing else (``make run`` loads before serving): a larger
    page cache and the rollback journal instead of WAL for the load, both restored after.

    In WAL mode the one transaction of the load (2.5 GB at scale 1) is written twice, to the
    log and again into the database when it is checkpointed; with the rollback journal the
    new pages go straight to the database. Inside another transaction (the tests) or when the
    database is busy, only the cache changes.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    journal = None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        in_memory = cast(Any, connection).is_in_memory_db()  # a SQLite wrapper's method
        if not connection.in_atomic_block and not in_memory:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            try:
                cursor.execute("PRAGMA journal_mode = DELETE")
            except DatabaseError:
                journal = None  # another connection holds the database: keep its journal
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
            if journal is not None:
                cursor.execute(f"PRAGMA journal_mode = {journal}")


def _gather_statistics() -> None:
    """On PostgreSQL, the planner's statistics of the tables just filled, before the indicator
    refresh counts them. Autovacuum gathers them only after commit; until then the planner
    takes the freshly filled tables for empty and may count a province's enrolments against
    its student records row by row (minutes instead of seconds)."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for model in (
            OrgUnit,
            OrgPlacement,
            Person,
            Student,
            Staff,
            Enrollment,
            SchoolClass,
            DigitalProfile,
            StudentRecord,
            Mark,
            TermReport,
            YearResult,
            Transcript,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _load_indicator_data(department: OrgUnit) -> None:
    """The report's reported figures for 2022H1 and the Department's targets for 2022H2."""
    h1, h2 = parse_period("2022H1"), parse_period("2022H2")
    for code, value in REPORTED_2022H1.items():
        reported_value_set(
            element=DataElement.objects.get(code=code),
            period=h1,
            unit=department,
            value=value,
            by=None,
        )
    for code, value in TARGETS_2025_QD131.items():
        target_set(
            indicator=Indicator.objects.get(code=code),
            period=parse_period("2025"),
            unit=department,
            value=value,
            by=None,
        )
    for code, value in TARGETS_2022H2.items():
        target_set(
            indicator=Indicator.objects.get(code=code),
            period=h2,
            unit=department,
            value=value,
            by=None,
        )


def _load_tree(plan: ProvincePlan) -> dict[str, OrgUnit]:
    v2022 = TreeVersion.objects.get(code="2022")
    v2025 = TreeVersion.objects.get(code="2025")
    end_2022 = REFORM_DAY - dt.timedelta(days=1)
    new_units: list[OrgUnit] = [
        OrgUnit(
            kind=OrgUnitKind.DEPARTMENT,
            code=f"SGD{OLD_PROVINCE_CODE}",
            name="Sở Giáo dục và Đào tạo tỉnh Lào Cai",
            short_name="Sở GD&ĐT Lào Cai",
            admin_code=OLD_PROVINCE_CODE,
            valid_to=end_2022,
            address="Đường Hoàng Liên, phường Cốc Lếu, thành phố Lào Cai",
        ),
        OrgUnit(
            kind=OrgUnitKind.DEPARTMENT,
            code=f"SGD{NEW_PROVINCE_CODE}",
            name="Sở Giáo dục và Đào tạo tỉnh Lào Cai (từ 01/7/2025)",
            short_name="Sở GD&ĐT Lào Cai",
            admin_code=str(NEW_PROVINCE_CODE),
            valid_from=REFORM_DAY,
        ),
    ]
    full_names = {d.code: d.name for d in laocai_districts_2022()}
    for dcode, dname in plan.districts:
        new_units.append(
            OrgUnit(
                kind=OrgUnitKind.DISTRICT_OFFICE,
                code=f"PGD{dcode}",
                name=f"Phòng Giáo dục và Đào tạo {full_names[dcode]}",
                short_name=f"Phòng GD&ĐT {dname}",
                admin_code=dcode,
                valid_to=end_2022,
            )
        )
    for commune in communes_2025(NEW_PROVINCE_CODE):
        new_units.append(
            OrgUnit(
                kind=OrgUnitKind.COMMUNE,
                code=f"XA{commune.code}",
                name=commune.name,
                admin_code=commune.code,
                valid_from=REFORM_DAY,
            )
        )
    legacy_names = {c.code: c.name for d, _ in plan.districts for c in legacy_communes(d)}
    for s in plan.schools:
        new_units.append(
            OrgUnit(
                kind=OrgUnitKind.SCHOOL,
                code=s.code,
                moet_code=s.code,
                name=s.name,
                ownership=s.ownership,
                admin_code=s.commune,
                address=f"{legacy_names.get(s.commune, '')}, tỉnh Lào Cai",
            )
        )
    units = {u.code: u for u in OrgUnit.objects.bulk_create(new_units, batch_size=2000)}

    sites: list[OrgUnit] = []
    for s in plan.schools:
        for k in range(1, s.sites + 1):
            name = (
                "Điểm trường chính"
                if k == 1
                else f"Điểm trường {VILLAGES[(k + len(s.code)) % len(VILLAGES)]}"
            )
            sites.append(
                OrgUnit(
                    kind=OrgUnitKind.SITE,
                    code=f"{s.code}-{k:02d}",
                    name=f"{name} – {s.name}",
                    short_name=name,
                    school=units[s.code],
                    admin_code=s.commune,
                )
            )
    # bulk_create sets primary keys on SQLite and PostgreSQL alike (RETURNING).
    units.update({u.code: u for u in OrgUnit.objects.bulk_create(sites, batch_size=2000)})

    groups = {
        (g.group_set.code, g.code): g for g in OrgUnitGroup.objects.select_related("group_set")
    }
    through = OrgUnit.groups.through
    memberships = []
    for s in plan.schools:
        unit = units[s.code]
        keys = [("level", lv) for lv in s.levels] + [("school_type", t) for t in s.types]
        keys.append(("area", s.area))
        memberships += [through(orgunit_id=unit.pk, orgunitgroup_id=groups[k].pk) for k in keys]
    through.objects.bulk_create(memberships, batch_size=5000)

    placements: list[OrgPlacement] = []
    successors = commune_successors(NEW_PROVINCE_CODE)

    def place(version: TreeVersion, unit: OrgUnit, parent: OrgPlacement | None) -> OrgPlacement:
        base = parent.path if parent else f"{version.code}:"
        p = OrgPlacement(
            version=version,
            unit=unit,
            parent=parent.unit if parent else None,
            path=f"{base}{unit.code}.",
            depth=parent.depth + 1 if parent else 0,
        )
        placements.append(p)
        return p

    root22 = place(v2022, units[f"SGD{OLD_PROVINCE_CODE}"], None)
    root25 = place(v2025, units[f"SGD{NEW_PROVINCE_CODE}"], None)
    offices = {d: place(v2022, units[f"PGD{d}"], root22) for d, _ in plan.districts}
    communes = {
        c.admin_code: place(v2025, c, root25)
        for c in units.values()
        if c.kind == OrgUnitKind.COMMUNE
    }
    sites_by_school: dict[int, list[OrgUnit]] = {}
    for site in sites:
        sites_by_school.setdefault(site.school_id or 0, []).append(site)
    for s in plan.schools:
        unit = units[s.code]
        # 2022: under the Phòng, or directly under the Sở. 2025: the Phòng is gone; MN, TH and
        # THCS schools go to the commune that absorbed their old commune, the rest to the Sở.
        p22 = place(v2022, unit, offices[s.district] if s.district else root22)
        p25 = place(v2025, unit, communes[successors[s.commune]] if s.district else root25)
        for site in sites_by_school.get(unit.pk, []):
            place(v2022, site, p22)
            place(v2025, site, p25)
    OrgPlacement.objects.bulk_create(placements, batch_size=5000)

    links = [
        OrgUnitLink(
            source=root22.unit,
            target=root25.unit,
            kind=LinkKind.MERGED_INTO,
            on=REFORM_DAY,
            legal_basis="NQ 202/2025/QH15",
        )
    ]
    for dcode, _ in plan.districts:
        targets = sorted(
            {successors[c.code] for c in legacy_communes(dcode) if c.code in successors}
        )
        links += [
            OrgUnitLink(
                source=units[f"PGD{dcode}"],
                target=communes[t].unit,
                kind=LinkKind.SPLIT_INTO,
                on=REFORM_DAY,
                legal_basis="Kết luận 137-KL/TW; NQ 126/NQ-CP",
            )
            for t in targets
        ]
    OrgUnitLink.objects.bulk_create(links)
    return units


def _load_people(
    plan: ProvincePlan, units: dict[str, OrgUnit], rng: random.Random, say: Progress
) -> dict[str, int]:
    now = timezone.now()
    year, _ = SchoolYear.objects.get_or_create(
        code="2021-2022", defaults={"starts_on": YEAR_START, "ends_on": YEAR_END}
    )
    people = PersonFactory(rng, BulkWriter(Person, PersonFactory.FIELDS, now=now))
    students = BulkWriter(Student, ["person", "code", "moet_code"], now=now)
    staff = BulkWriter(
        Staff,
        [
            "person",
            "code",
            "org_unit",
            "position",
            "job_title",
            "qualification",
            "subject",
            "started_on",
            "is_active",
        ],
        now=now,
    )
    guardians = BulkWriter(Guardian, ["person", "occupation"], now=now)
    links = BulkWriter(GuardianLink, ["guardian", "student", "relation", "is_primary"], now=now)
    classes = BulkWriter(
        SchoolClass,
        ["school", "site", "school_year", "level", "grade", "name", "homeroom_teacher"],
        now=now,
    )
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
    )
    # Codes come from their sequences like any other writer's, one block per family, so a
    # province loaded into a database that already has records does not collide with them.
    staff_total = sum(plan.office_staff.values()) + sum(
        sum(school.staff.values()) for school in plan.schools
    )
    student_total = sum(sum(school.students.values()) for school in plan.schools)
    staff_codes = iter(people_codes.staff_codes_reserve(count=staff_total) if staff_total else [])
    student_codes = iter(
        people_codes.student_codes_reserve(province_code=OLD_PROVINCE_CODE, count=student_total)
        if student_total
        else []
    )
    staff_seq = 0
    for office, n in plan.office_staff.items():
        for k in range(n):
            staff_seq += 1
            person_id = people.adult(district=None, place=units[office].name)
            position = "cbql" if k < 3 else "nhan_vien"
            title = ("Giám đốc", "Phó Giám đốc")[min(k, 1)] if k < 3 else "Chuyên viên"
            staff.add(
                person_id,
                next(staff_codes),
                units[office].pk,
                position,
                title,
                "dai_hoc",
                "",
                dt.date(2010, 9, 1),
                True,
            )
    student_seq = 0
    for index, school in enumerate(plan.schools):
        unit = units[school.code]
        teachers: list[int] = []
        for position, n in school.staff.items():
            for k in range(n):
                staff_seq += 1
                person_id = people.adult(district=school.district, place=unit.address)
                title, subject = _job(school, position, k)
                staff_id = staff.add(
                    person_id,
                    next(staff_codes),
                    unit.pk,
                    position,
                    title,
                    people.qualification(),
                    subject,
                    dt.date(rng.randint(1995, 2021), 9, 1),
                    True,
                )
                if position == "giao_vien":
                    teachers.append(staff_id)
        site_ids = [units[f"{school.code}-{k:02d}"].pk for k in range(1, school.sites + 1)]
        teacher_iter = iter(teachers)
        for grade, n_students in sorted(school.students.items()):
            n_classes = school.classes[grade]
            level = school.level_of(grade)
            sizes = _split(n_students, n_classes)
            for c, size in enumerate(sizes):
                name, age = _class_name(school, grade, c, n_classes)
                site_id = site_ids[c % len(site_ids)] if site_ids else None
                class_id = classes.add(
                    unit.pk, site_id, year.pk, level, grade, name, next(teacher_iter, None)
                )
                for _ in range(size):
                    student_seq += 1
                    child_id = people.child(district=school.district, age=age, place=unit.address)
                    student_id = students.add(child_id, next(student_codes), "")
                    enrollments.add(
                        student_id,
                        year.pk,
                        unit.pk,
                        class_id,
                        level,
                        grade,
                        "active",
                        YEAR_START,
                        None,
                        "",
                    )
                    parent_id, relation = people.parent_of(child_id)
                    guardian_id = guardians.add(parent_id, people.occupation())
                    links.add(guardian_id, student_id, relation, True)
        if index % 100 == 99:
            say(f"  {index + 1} schools, {student_seq} students, {staff_seq} staff…")
    writers = [people.writer, students, staff, guardians, links, classes, enrollments]
    for w in writers:
        w.flush()
    reset_sequences(Person, Student, Staff, Guardian, GuardianLink, SchoolClass, Enrollment)
    return {
        "persons": people.writer.count,
        "students": students.count,
        "staff": staff.count,
        "guardians": guardians.count,
        "classes": classes.count,
        "enrollments": enrollments.count,
    }


def _split(total: int, parts: int) -> list[int]:
    base, left = divmod(total, parts) if parts else (0, 0)
    return [base + (1 if i < left else 0) for i in range(parts)]


_PRESCHOOL_GROUPS = (("Lớp 5 tuổi", 5), ("Lớp 4 tuổi", 4), ("Lớp 3 tuổi", 3), ("Nhà trẻ", 2))
_LETTERS = "ABCDEFGHIKLMNOPQRSTUVXY"


def _class_name(school: SchoolPlan, grade: int, index: int, count: int) -> tuple[str, int]:
    """Class name and the pupils' age on 31 December of the school year's first year."""
    if grade == 0:
        group, age = _PRESCHOOL_GROUPS[index % len(_PRESCHOOL_GROUPS)]
        return f"{group} {_LETTERS[index // len(_PRESCHOOL_GROUPS) % len(_LETTERS)]}", age
    age = grade + 5
    if grade <= 5:
        return f"{grade}{_LETTERS[index % len(_LETTERS)]}", age
    return f"{grade}A{index + 1}", age


_SUBJECTS = {
    "mn": ("Giáo dục mầm non",),
    "th": (
        "Giáo viên tiểu học",
        "Tiếng Anh",
        "Tin học",
        "Âm nhạc",
        "Mĩ thuật",
        "Giáo dục thể chất",
    ),
    "sec": (
        "Toán",
        "Ngữ văn",
        "Tiếng Anh",
        "Vật lí",
        "Hoá học",
        "Sinh học",
        "Lịch sử",
        "Địa lí",
        "Tin học",
        "Giáo dục thể chất",
        "Công nghệ",
        "Giáo dục công dân",
    ),
}


def _job(school: SchoolPlan, position: str, k: int) -> tuple[str, str]:
    if position == "cbql":
        return ("Hiệu trưởng" if k == 0 else "Phó Hiệu trưởng"), ""
    if position == "nhan_vien":
        return ("Kế toán", "Văn thư", "Nhân viên y tế", "Bảo vệ", "Cấp dưỡng", "Thư viện")[
            k % 6
        ], ""
    key = "mn" if "mn" in school.levels else ("th" if school.levels == ("th",) else "sec")
    subjects = _SUBJECTS[key]
    return "Giáo viên", subjects[k % len(subjects)]
