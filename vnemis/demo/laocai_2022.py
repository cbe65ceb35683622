"""The plan of the synthetic Lào Cai 2022: which units exist and how many people each holds.

Everything here is decided from the seed before anything is written, so that the same seed
always gives the same province. Totals are fixed by the Department's report for the first half
of 2022 (``shared/design/laocai-2022.md``); the split among schools is random but exact.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from vnemis.core.bulk import apportion
from vnemis.organisations.admin_units import (
    commune_successors,
    laocai_districts_2022,
    legacy_communes,
)
from vnemis.organisations.choices import SchoolLevel

OLD_PROVINCE_CODE = "10"
NEW_PROVINCE_CODE = 15
REFORM_DAY = dt.date(2025, 7, 1)
YEAR_START = dt.date(2021, 9, 5)
YEAR_END = dt.date(2022, 5, 31)

SCHOOLS_TOTAL = 612
SITES_TOTAL = 1_363
GENERAL_STUDENTS = 228_322
STAFF_TOTAL = 17_559
PRESCHOOL_CHILDREN = 52_140
OFFICE_STAFF = {"department": 55, "district_office": 9}  # per unit

# Schools under the Phòng by category, then the units directly under the Sở.
CATEGORY_COUNTS = {"mn": 193, "th": 185, "thcs": 188, "th_thcs": 10}
# Students by category; the three-level split of the 10 multi-level schools is 60/40.
CATEGORY_STUDENTS = {"th": 101_000, "th_thcs": 6_000, "thcs": 74_000, "thpt": 43_500, "gdtx": 3_822}
SO_UNITS = (
    ("chuyen", 1),
    ("ptdtnt", 1),
    ("thpt", 28),
    ("gdtx_tinh", 1),
    ("gdtx", 5),
)

# Relative size of each district (population and school network), by 2022 district code.
DISTRICT_WEIGHTS = {
    "080": 13,
    "082": 13,
    "083": 10,
    "084": 7,
    "085": 11,
    "086": 14,
    "087": 12,
    "088": 9,
    "089": 13,
}
# Ethnic mix by district (GSO codes): Kinh 01, Tày 02, Nùng 07, H'Mông 08, Dao 09, Sán Chay 15,
# Giáy 25, Hà Nhì 35, Phù Lá 40.
ETHNIC_MIX = {
    "080": {"01": 80, "02": 8, "09": 4, "08": 3, "25": 3, "07": 2},
    "082": {"01": 22, "08": 30, "09": 25, "25": 12, "35": 6, "02": 5},
    "083": {"01": 12, "08": 45, "07": 20, "09": 8, "40": 8, "02": 7},
    "084": {"01": 5, "08": 85, "07": 6, "40": 4},
    "085": {"01": 12, "08": 50, "09": 12, "02": 14, "07": 7, "40": 5},
    "086": {"01": 55, "02": 18, "09": 12, "08": 7, "25": 5, "15": 3},
    "087": {"01": 40, "02": 35, "09": 15, "08": 6, "15": 4},
    "088": {"01": 18, "08": 50, "09": 24, "25": 5, "02": 3},
    "089": {"01": 30, "02": 40, "09": 14, "08": 12, "25": 4},
}
# Class size limits of the school charters (Điều lệ): TH 35, THCS/THPT 45; preschool groups.
MAX_CLASS = {"mn": 25, "th": 35, "thcs": 45, "thpt": 45, "gdtx": 45}
VILLAGES = (
    "Nậm Chạc",
    "Làng Mô",
    "Phìn Ngan",
    "Cốc Lầy",
    "Tả Phời",
    "Na Lốc",
    "Sín Chải",
    "Pờ Hồ",
    "Lao Chải",
    "Tả Van",
    "Bản Vền",
    "Cốc Mìn",
    "Nậm Tông",
    "Khe Chăm",
    "Làng Chung",
    "Thẳm Mấn",
    "Pạc Ngam",
    "Ná Hán",
    "Bản Lầu",
    "Lùng Thắng",
    "Sả Hồ",
    "Phố Mới",
    "Cán Hồ",
    "Nậm Mòn",
)


@dataclass
class SchoolPlan:
    code: str
    name: str
    category: str  # mn, th, thcs, th_thcs, chuyen, ptdtnt, thpt, gdtx_tinh, gdtx
    levels: tuple[str, ...]
    district: str | None  # 2022 district code; None for units directly under the Sở
    commune: str  # pre-2025 commune code of the school's address
    ownership: str = "cong_lap"
    types: tuple[str, ...] = ()
    area: str = "kv1"
    sites: int = 0
    students: dict[int, int] = field(default_factory=dict)  # grade → head count
    staff: dict[str, int] = field(default_factory=dict)  # position → head count

    @property
    def classes(self) -> dict[int, int]:
        """Number of classes per grade, from head counts and the charter's class sizes."""
        out = {}
        for grade, n in self.students.items():
            level = self.level_of(grade)
            out[grade] = max(1, math.ceil(n / MAX_CLASS[level])) if n else 0
        return out

    def level_of(self, grade: int) -> str:
        if grade == 0:
            return SchoolLevel.PRESCHOOL.value
        if "gdtx" in self.levels:
            return SchoolLevel.CONTINUING.value
        if grade <= 5:
            return SchoolLevel.PRIMARY.value
        if grade <= 9:
            return SchoolLevel.LOWER_SECONDARY.value
        return SchoolLevel.UPPER_SECONDARY.value


@dataclass
class ProvincePlan:
    districts: list[tuple[str, str]]  # (code, name)
    schools: list[SchoolPlan]
    office_staff: dict[str, int]  # unit code → head count


def _school_name(category: str, place: str, seq: int) -> str:
    suffix = f" số {seq}" if seq > 1 else ""
    return {
        "mn": f"Trường Mầm non {place}{suffix}",
        "th": f"Trường Tiểu học {place}{suffix}",
        "thcs": f"Trường THCS {place}{suffix}",
        "th_thcs": f"Trường PTDTBT TH&THCS {place}{suffix}",
        "thpt": f"Trường THPT số {seq} {place}",
        "gdtx": f"Trung tâm GDNN-GDTX {place}",
    }[category]


def _place_name(commune_name: str) -> str:
    for prefix in ("Thị trấn ", "Phường ", "Xã "):
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :]
    return commune_name


def _weights(rng: random.Random, n: int, spread: float = 0.45) -> list[float]:
    return [math.exp(rng.gauss(0, spread)) for _ in range(n)]


def _grade_counts(rng: random.Random, total: int, grades: tuple[int, ...]) -> dict[int, int]:
    weights = [1.0 + rng.uniform(-0.08, 0.08) for _ in grades]
    return dict(zip(grades, apportion(total, weights), strict=True))


def build_plan(*, seed: int, scale: float) -> ProvincePlan:
    """The whole province for ``seed``; ``scale`` shrinks head counts, never the unit tree."""
    rng = random.Random(seed)
    districts = [
        (d.code, d.name.split(" ", 1)[1] if " " in d.name else d.name)
        for d in laocai_districts_2022()
    ]
    # "Thành phố Lào Cai" → place name "Lào Cai"; "Thị xã Sa Pa" → "Sa Pa".
    districts = [(c, n.replace("phố ", "").replace("xã ", "")) for c, n in districts]
    successors = commune_successors(NEW_PROVINCE_CODE)
    communes = {code: legacy_communes(code) for code, _ in districts}
    for code in communes:
        communes[code] = [c for c in communes[code] if c.code in successors]

    schools: list[SchoolPlan] = []
    seq_by_district = {code: 0 for code, _ in districts}
    weights = [float(DISTRICT_WEIGHTS[code]) for code, _ in districts]
    for category, count in CATEGORY_COUNTS.items():
        for (dcode, _dname), n in zip(districts, apportion(count, weights), strict=True):
            pool = communes[dcode]
            for i in range(n):
                commune = pool[i % len(pool)]
                seq_by_district[dcode] += 1
                levels = {
                    "mn": ("mn",),
                    "th": ("th",),
                    "thcs": ("thcs",),
                    "th_thcs": ("th", "thcs"),
                }[category]
                plan = SchoolPlan(
                    code=f"{OLD_PROVINCE_CODE}{dcode}{seq_by_district[dcode]:03d}",
                    name=_school_name(category, _place_name(commune.name), i // len(pool) + 1),
                    category=category,
                    levels=levels,
                    district=dcode,
                    commune=commune.code,
                    area="kv1" if dcode == "080" else ("kv2" if dcode == "086" else "kv3"),
                )
                if category == "th_thcs" or (category == "thcs" and dcode in {"084", "083"}):
                    plan.types = ("ptdtbt",)
                if category == "mn" and dcode == "080" and i >= n - 8:
                    plan.ownership = "tu_thuc"
                    plan.name = plan.name.replace("Mầm non", "Mầm non tư thục")
                schools.append(plan)

    # Units directly under the Sở: THPT Chuyên, PTDTNT THPT, THPT, GDTX.
    so_seq = 0
    city = communes["080"][0]
    for category, count in SO_UNITS:
        for i in range(count):
            so_seq += 1
            dcode, dname = districts[i % len(districts)]
            commune = communes[dcode][0]
            code = f"{OLD_PROVINCE_CODE}000{so_seq:03d}"
            if category == "chuyen":
                plan = SchoolPlan(
                    code,
                    "Trường THPT Chuyên Lào Cai",
                    category,
                    ("thpt",),
                    None,
                    city.code,
                    types=("chuyen",),
                    area="kv1",
                )
            elif category == "ptdtnt":
                plan = SchoolPlan(
                    code,
                    "Trường PTDTNT THPT tỉnh Lào Cai",
                    category,
                    ("thpt",),
                    None,
                    city.code,
                    types=("ptdtnt",),
                    area="kv1",
                )
            elif category == "gdtx_tinh":
                plan = SchoolPlan(
                    code,
                    "Trung tâm GDTX tỉnh Lào Cai",
                    category,
                    ("gdtx",),
                    None,
                    city.code,
                    types=("gdtx",),
                    area="kv1",
                )
            elif category == "gdtx":
                plan = SchoolPlan(
                    code,
                    _school_name("gdtx", dname, 1),
                    category,
                    ("gdtx",),
                    None,
                    commune.code,
                    types=("gdtx",),
                )
            else:
                plan = SchoolPlan(
                    code,
                    _school_name("thpt", dname, i // len(districts) + 1),
                    category,
                    ("thpt",),
                    None,
                    commune.code,
                )
            plan.area = "kv1" if plan.commune == city.code or dcode == "080" else "kv2"
            schools.append(plan)
    if len(schools) != SCHOOLS_TOTAL:
        raise AssertionError(f"plan has {len(schools)} schools, expected {SCHOOLS_TOTAL}")

    _plan_sites(rng, schools)
    _plan_students(rng, schools, scale)
    office_staff = {"SGD10": round(OFFICE_STAFF["department"] * scale)}
    for dcode, _ in districts:
        office_staff[f"PGD{dcode}"] = round(OFFICE_STAFF["district_office"] * scale)
    _plan_staff(rng, schools, round(STAFF_TOTAL * scale) - sum(office_staff.values()))
    return ProvincePlan(districts=districts, schools=schools, office_staff=office_staff)


def _plan_sites(rng: random.Random, schools: list[SchoolPlan]) -> None:
    # Sites belong to the preschool and primary schools: one main site each, the rest satellites,
    # more of them in the highland districts.
    with_sites = [s for s in schools if s.category in {"mn", "th"}]
    weights = [(2.0 if s.area == "kv3" else 0.6) * rng.uniform(0.5, 1.5) for s in with_sites]
    extra = apportion(SITES_TOTAL - len(with_sites), weights)
    for school, n in zip(with_sites, extra, strict=True):
        school.sites = 1 + n


def _plan_students(rng: random.Random, schools: list[SchoolPlan], scale: float) -> None:
    groups: dict[str, list[SchoolPlan]] = {}
    for s in schools:
        key = {"chuyen": "thpt", "ptdtnt": "thpt", "gdtx_tinh": "gdtx"}.get(s.category, s.category)
        groups.setdefault(key, []).append(s)
    totals = dict(CATEGORY_STUDENTS, mn=PRESCHOOL_CHILDREN)
    for key, members in groups.items():
        total = round(totals[key] * scale)
        for school, n in zip(members, apportion(total, _weights(rng, len(members))), strict=True):
            if key == "mn":
                school.students = {0: n}
            elif key == "th":
                school.students = _grade_counts(rng, n, (1, 2, 3, 4, 5))
            elif key == "thcs":
                school.students = _grade_counts(rng, n, (6, 7, 8, 9))
            elif key == "th_thcs":
                primary = round(n * 0.6)
                school.students = _grade_counts(rng, primary, (1, 2, 3, 4, 5))
                school.students.update(_grade_counts(rng, n - primary, (6, 7, 8, 9)))
            else:
                school.students = _grade_counts(rng, n, (10, 11, 12))


def _plan_staff(rng: random.Random, schools: list[SchoolPlan], total: int) -> None:
    # Every class needs a homeroom teacher; managers and support staff by school size; the
    # remaining teachers are spread in proportion to the number of classes.
    base = []
    for s in schools:
        n_classes = sum(s.classes.values())
        managers = 1 if n_classes <= 1 else (2 if n_classes < 15 else 3)
        employees = 1 if n_classes <= 1 else (2 if n_classes < 12 else 4)
        if s.types and s.types[0] in {"ptdtnt", "ptdtbt"}:
            employees += 2
        base.append((managers, n_classes, employees))
    minimum = sum(m + c + e for m, c, e in base)
    spare = total - minimum
    if spare < 0:
        # Very small scales: one homeroom teacher per class is still required.
        spare = 0
    extra = apportion(spare, [max(c, 0.1) for _, c, _ in base]) if spare else [0] * len(base)
    for school, (managers, n_classes, employees), more in zip(schools, base, extra, strict=True):
        school.staff = {"cbql": managers, "giao_vien": n_classes + more, "nhan_vien": employees}
