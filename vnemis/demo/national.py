"""The whole country as import files: ``vnemis demo national``.

Writes one file per import kind (schools, sites, staff, classes, students) with exactly the
headers of ``vnemis.imports.formats``, for import tests and benchmarks; the database is not
touched. Everything is drawn from the seed, so the same seed and scale give the same bytes.

Figures at scale 1 are approximate and rounded; they only set the orders of magnitude:

- Schools by level and pupils by level follow the MOET statistics of the 2022-23 school year
  as rounded in the issue: about 15,000 preschools (5.3 M children), 15,000 primary schools
  (8.9 M pupils), 11,000 lower secondary (6.5 M), 2,500 upper secondary (2.8 M, of which about
  0.18 M in the 700 GDNN-GDTX centres) and 1,000 multi-level schools: 45,200 schools and
  23.5 M learners. MOET's "nearly 54,000 educational institutions, 23.2 million pupils and
  1.66 million staff" (opening of 2024-25, baochinhphu.vn, 05/09/2024) also counts
  universities, colleges and community learning centres, which are not generated.
- Staff come from per-class teacher ratios close to the norms of TT 16/2017 and TT 06/2015
  plus managers and support staff by school size: about 1.6 M.
- Provinces are the 34 of NQ 202/2025/QH15 with their communes from ``vietnam-provinces``,
  weighted by their approximate 2024 population (merged provinces summed); ethnic mixes are
  rough shares from the 2019 census, merged likewise.

Codes, so that a database holding a province's 2025 tree can import the files:

- A school's code has 8 characters: the 2-digit province code, the 3-digit rank of its
  commune in the province (by commune code) and a 3-digit sequence in the commune. (A commune
  with more than 999 schools, at scales above about 10, gets a 4-digit sequence: still unique.)
- "Đơn vị quản lý" is the managing unit of the 2025 tree, coded as the demo loader codes it:
  ``XA<5-digit commune code>`` for preschools, primary, lower secondary and TH&THCS schools,
  ``SGD<2-digit province code>`` (``SGD15``, ``SGD01``) for the rest. Those units must exist.
- Sites are ``<school>-01`` (the main site), ``-02`` ...; staff ``CB<school><4 digits>``; the
  homeroom teacher of a class is a teacher of its school in staff.csv.
- Students carry a MOET code (2-digit province and an 8-digit sequence) and, for about 97 %,
  a personal ID number of NĐ 137/2015 structure, unique over all files.
- Birth dates fit the school year starting in ``school_year_start`` (default 2025-2026).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import itertools
import math
import random
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook

from vnemis.core.bulk import apportion
from vnemis.core.text import fold
from vnemis.demo.data import names
from vnemis.imports.formats import FORMATS
from vnemis.organisations.admin_units import AdminUnit, communes_2025
from vnemis.people.choices import Ethnicity
from vnemis.people.identity import birth_province_codes, century_sex_digit

Progress = Callable[[str], None]

KINDS = ("schools", "sites", "staff", "classes", "students")
FILE_FORMATS = ("csv", "xlsx")
SCHOOL_YEAR_START = 2025
# An XLSX sheet holds 1,048,576 rows; parts stay well below with their header row.
XLSX_MAX_ROWS = 1_000_000
PROGRESS_EVERY = 1_000_000


@dataclass(frozen=True)
class Category:
    """A kind of school: its levels, national count, managing unit and naming."""

    key: str
    levels: tuple[str, ...]
    count: int
    under_department: bool  # managed by the Sở; otherwise by its commune
    prefix: str
    level_weight: float  # a level's share in a school of this kind, vs a one-level school
    private_share: float


CATEGORIES = (
    Category("mn", ("mn",), 15_000, False, "Trường Mầm non", 1.0, 0.16),
    Category("th", ("th",), 15_000, False, "Trường Tiểu học", 1.0, 0.03),
    Category("thcs", ("thcs",), 11_000, False, "Trường THCS", 1.0, 0.02),
    Category("th_thcs", ("th", "thcs"), 700, False, "Trường TH&THCS", 0.45, 0.05),
    Category("thpt", ("thpt",), 2_500, True, "Trường THPT", 1.0, 0.12),
    Category("thcs_thpt", ("thcs", "thpt"), 250, True, "Trường THCS&THPT", 0.4, 0.4),
    Category("th_thcs_thpt", ("th", "thcs", "thpt"), 50, True, "Trường TH, THCS và THPT", 0.3, 0.6),
    Category("gdtx", ("gdtx",), 700, True, "Trung tâm GDNN-GDTX", 1.0, 0.0),
)
LEVEL_STUDENTS = {
    "mn": 5_300_000,
    "th": 8_900_000,
    "thcs": 6_500_000,
    "thpt": 2_620_000,
    "gdtx": 180_000,
}
STUDENTS_TOTAL = sum(LEVEL_STUDENTS.values())
LEVEL_GRADES = {
    "mn": (0,),
    "th": (1, 2, 3, 4, 5),
    "thcs": (6, 7, 8, 9),
    "thpt": (10, 11, 12),
    "gdtx": (10, 11, 12),
}

# Province code → (population in thousands, 2024, approximate; ethnic mix by GSO code, in
# percent, rough). Merged provinces are the sums of their predecessors.
PROVINCES: dict[int, tuple[int, dict[str, float]]] = {
    1: (8_720, {"01": 98.5, "06": 1.0, "02": 0.5}),
    4: (570, {"02": 41, "07": 31, "08": 11, "09": 10, "01": 5, "15": 2}),
    8: (1_870, {"01": 28, "02": 24, "08": 18, "09": 13, "07": 5, "15": 5, "25": 2}),
    11: (650, {"03": 38, "08": 35, "01": 18, "29": 3, "06": 2, "09": 2}),
    12: (490, {"08": 34, "03": 26, "01": 14, "09": 13, "35": 4, "37": 2}),
    14: (1_300, {"03": 54, "01": 16, "08": 16, "06": 8, "29": 2, "09": 2}),
    15: (1_780, {"01": 44, "08": 18, "02": 17, "09": 12, "03": 4, "25": 2, "07": 2}),
    19: (1_800, {"01": 59, "02": 19, "07": 6, "09": 5, "18": 3, "15": 3, "08": 2}),
    20: (880, {"07": 43, "02": 35, "01": 16, "09": 4, "08": 1}),
    22: (1_430, {"01": 88, "09": 5, "02": 3, "18": 2, "15": 1}),
    24: (3_620, {"01": 93, "07": 3, "02": 2, "15": 1, "18": 1}),
    25: (4_020, {"01": 74, "06": 22, "18": 1, "03": 1, "02": 1, "09": 1}),
    31: (4_660, {"01": 99.6, "02": 0.2, "04": 0.2}),
    33: (3_570, {"01": 99.8, "06": 0.2}),
    37: (4_410, {"01": 99, "06": 1}),
    38: (3_760, {"01": 82, "06": 9, "03": 6, "08": 1, "29": 1, "09": 1}),
    40: (3_440, {"01": 85, "03": 10, "29": 2, "08": 1, "06": 1}),
    42: (1_620, {"01": 99.8, "06": 0.2}),
    44: (1_870, {"01": 95, "23": 4, "31": 1}),
    46: (1_430, {"01": 96, "31": 2, "26": 1, "23": 1}),
    48: (3_070, {"01": 93, "26": 3.5, "14": 2.5, "27": 1}),
    51: (2_160, {"01": 74, "14": 9, "19": 7, "13": 4, "27": 3, "30": 1.5, "10": 1.5}),
    52: (3_580, {"01": 74, "10": 18, "13": 7, "19": 1}),
    56: (2_240, {"01": 87, "21": 7, "17": 4, "16": 1, "04": 1}),
    66: (3_350, {"01": 74, "12": 13, "07": 3, "02": 3, "20": 2, "03": 1, "10": 1, "08": 1}),
    68: (3_870, {"01": 82, "16": 6, "20": 2, "07": 2, "02": 2, "17": 1.5, "28": 1.5, "08": 1}),
    75: (4_490, {"01": 92, "22": 3, "04": 2.5, "07": 1, "05": 1, "02": 0.5}),
    79: (14_000, {"01": 94, "04": 5, "05": 0.7, "17": 0.3}),
    80: (3_250, {"01": 99, "05": 0.6, "17": 0.4}),
    82: (4_370, {"01": 99.8, "05": 0.1, "04": 0.1}),
    86: (4_260, {"01": 90, "05": 9.5, "04": 0.5}),
    91: (4_950, {"01": 90, "05": 8.5, "04": 1, "17": 0.5}),
    92: (4_200, {"01": 84, "05": 14, "04": 2}),
    96: (2_610, {"01": 95, "05": 4, "04": 1}),
}
# Provinces with many ethnic-minority communes: more satellite sites, disadvantaged areas,
# boarding schools (PTDTNT, PTDTBT).
_REMOTE_KINH_SHARE = 80

_OWNERSHIP = {"public": "Công lập", "private": "Tư thục", "community": "Dân lập"}
_AREA = ("Khu vực I", "Khu vực II", "Khu vực III")
_LEVEL_LABELS = {"mn": "MN", "th": "TH", "thcs": "THCS", "thpt": "THPT", "gdtx": "GDTX"}
_SEX = ("Nam", "Nữ")
_POSITIONS = {"cbql": "CBQL", "giao_vien": "Giáo viên", "nhan_vien": "Nhân viên"}
_STAFF_STATUS = "Đang làm việc"

# Preschool groups: (name, age on 31 December of the year's first year, share, group size).
# Nhà trẻ children are 1 or 2; the others 3, 4 and 5 (TT 52/2020: 25, 30 and 35 at most).
_PRESCHOOL_GROUPS = (
    ("Nhà trẻ", 2, 0.14, 20),
    ("Lớp 3 tuổi", 3, 0.26, 25),
    ("Lớp 4 tuổi", 4, 0.29, 28),
    ("Lớp 5 tuổi", 5, 0.31, 30),
)
_LETTERS = "ABCDEFGHIKLMNOPQRSTUVXY"
# Usual class sizes, below the charters' maximum of 35 (primary) and 45 (secondary).
_CLASS_SIZE = {"th": 31, "thcs": 40, "thpt": 40, "gdtx": 38}
# Teachers per class (TT 16/2017: 1.5 primary, 1.9 lower and 2.25 upper secondary; TT 06/2015
# about 2 per preschool group), a little below the norms as in most provinces.
_TEACHERS_PER_CLASS = {"mn": 1.9, "th": 1.4, "thcs": 1.85, "thpt": 2.2, "gdtx": 1.3}
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
_QUALIFICATIONS = {
    "mn": (("Trung cấp", 8), ("Cao đẳng", 24), ("Đại học", 67), ("Thạc sĩ", 1)),
    "th": (("Cao đẳng", 10), ("Đại học", 86), ("Thạc sĩ", 4)),
    "sec": (("Cao đẳng", 3), ("Đại học", 84), ("Thạc sĩ", 12), ("Tiến sĩ", 1)),
    "cbql": (("Đại học", 70), ("Thạc sĩ", 29), ("Tiến sĩ", 1)),
    "nhan_vien": (("Trung cấp", 45), ("Cao đẳng", 25), ("Đại học", 30)),
}
_QUALIFICATION_PICKS = {
    kind: (tuple(label for label, _ in pairs), tuple(itertools.accumulate(w for _, w in pairs)))
    for kind, pairs in _QUALIFICATIONS.items()
}
_SUPPORT_JOBS = {
    "mn": ("Kế toán", "Nhân viên y tế", "Cấp dưỡng", "Cấp dưỡng", "Bảo vệ", "Văn thư"),
    "other": (
        "Kế toán",
        "Văn thư",
        "Nhân viên thư viện",
        "Nhân viên thiết bị",
        "Nhân viên y tế",
        "Bảo vệ",
    ),
}
# Mobile network prefixes, after the leading 0.
_MOBILE_PREFIXES = (32, 33, 34, 35, 36, 37, 38, 39, 86, 96, 97, 98, 91, 94, 88, 81, 83, 84, 70)
# A multiplier coprime with 10**6 turns a counter into a scattered but unique 6-digit tail.
_SCATTER = 104_729
_ID_TAILS = 1_000_000


# Reference data -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ethnic:
    """Name parts of one ethnic group: weighted surnames for Kinh, uniform otherwise."""

    label: str
    surnames: tuple[str, ...]
    surname_cum: tuple[float, ...] | None
    middle: tuple[tuple[str, ...], tuple[str, ...]]  # male, female
    given: tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class _Province:
    code: int
    name: str
    short: str
    slug: str
    communes: tuple[AdminUnit, ...]
    remote: bool
    ethnic: tuple[_Ethnic, ...]
    ethnic_cum: tuple[float, ...]
    # Birth-registration provinces (pre-2025 three-digit codes) of children born here.
    birth: tuple[str, ...]
    birth_cum: tuple[float, ...]


@cache
def _ethnic(code: str) -> _Ethnic:
    label = str(Ethnicity(code).label)
    minority = names.MINORITY_NAMES.get(code)
    if minority:
        return _Ethnic(
            label,
            minority["surnames"],
            None,
            (minority["middle_male"], minority["middle_female"]),
            (minority["given_male"], minority["given_female"]),
        )
    # Groups without name samples take Kinh names, as the province demo does.
    return _Ethnic(
        label,
        tuple(s for s, _ in names.KINH_SURNAMES),
        tuple(itertools.accumulate(w for _, w in names.KINH_SURNAMES)),
        (names.KINH_MIDDLE_MALE, names.KINH_MIDDLE_FEMALE),
        (names.GIVEN_MALE, names.GIVEN_FEMALE),
    )


def department_code(province_code: int) -> str:
    """The code of a province's Sở in the 2025 tree, as the files refer to it."""
    return f"SGD{province_code:02d}"


def commune_unit_code(commune: AdminUnit) -> str:
    """The code of a commune unit, as the demo loader creates them."""
    return f"XA{commune.code}"


@cache
def _provinces() -> tuple[_Province, ...]:
    from vietnam_provinces import Province, Ward

    everywhere = sorted(birth_province_codes())
    out = []
    for province in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        code = int(province.code)
        _population, mix = PROVINCES[code]
        # Children are mostly registered in one of the provinces merged into this one, in
        # proportion to their communes; 4 % elsewhere.
        sources: dict[str, float] = {}
        for ward in Ward.iter_by_province(province.code):
            for source in ward.get_legacy_sources():
                key = f"{int(source.province_code):03d}"
                sources[key] = sources.get(key, 0.0) + 1.0
        own = sum(sources.values())
        birth = dict.fromkeys(everywhere, 4.0 / len(everywhere))
        for key, n in sources.items():
            birth[key] += 96.0 * n / own
        codes = sorted(birth)
        short = province.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")
        ethnic_codes = sorted(mix)
        out.append(
            _Province(
                code=code,
                name=province.name,
                short=short,
                slug=fold(short).replace(" ", ""),
                communes=tuple(sorted(communes_2025(code), key=lambda c: c.code)),
                remote=mix.get("01", 0) < _REMOTE_KINH_SHARE,
                ethnic=tuple(_ethnic(e) for e in ethnic_codes),
                ethnic_cum=tuple(itertools.accumulate(mix[e] for e in ethnic_codes)),
                birth=tuple(codes),
                birth_cum=tuple(itertools.accumulate(birth[c] for c in codes)),
            )
        )
    return tuple(out)


@cache
def _dates(year: int) -> tuple[str, ...]:
    """Every day of ``year`` as dd/mm/yyyy."""
    first = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - first).days
    return tuple((first + dt.timedelta(days=i)).strftime("%d/%m/%Y") for i in range(days))


def _pick(rng: random.Random, items: Sequence[Any], cumulative: Sequence[float]) -> Any:
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


# The plan: schools and their head counts -----------------------------------------------


@dataclass(slots=True)
class PlannedSchool:
    """A school of the plan: where it is, what it is, and its students by grade."""

    code: str
    name: str
    category: Category
    province: _Province
    commune: AdminUnit
    area: int  # 1, 2, 3: Khu vực I–III
    ownership: str  # public, private, community
    types: tuple[str, ...]  # labels of the school-type groups
    sites: int
    size: float  # relative size, shared by all its levels
    grades: dict[int, int]  # grade → students; grade 0 is preschool

    @property
    def parent(self) -> str:
        if self.category.under_department:
            return department_code(self.province.code)
        return commune_unit_code(self.commune)

    @property
    def students(self) -> int:
        return sum(self.grades.values())


@dataclass(frozen=True)
class NationalPlan:
    """Every school of the country at a scale, with the student totals by level."""

    seed: int
    scale: float
    school_year_start: int
    schools: list[PlannedSchool]
    level_students: dict[str, int]

    @property
    def students(self) -> int:
        return sum(self.level_students.values())


def _check_scale(scale: float | None, students_target: int | None) -> float:
    if students_target is not None and students_target < 0:
        raise ValueError("students_target must not be negative")
    if scale is None:
        if not students_target:
            raise ValueError("give a scale greater than 0 or a number of students")
        return students_target / STUDENTS_TOTAL
    if not scale > 0 or math.isinf(scale):
        raise ValueError("scale must be greater than 0")
    return scale


def national_plan(
    *,
    seed: int,
    scale: float | None = None,
    students_target: int | None = None,
    school_year_start: int = SCHOOL_YEAR_START,
) -> NationalPlan:
    """Schools of the country at ``scale`` (1: the whole country) with their head counts.

    ``students_target`` fixes the number of students exactly (shared among the levels in the
    national proportions); the number of schools still follows ``scale``, which defaults to
    the matching fraction of the country.
    """
    scale = _check_scale(scale, students_target)
    rng = random.Random(seed)
    provinces = _provinces()
    areas: dict[str, int] = {}
    commune_cum: dict[int, tuple[float, ...]] = {}
    for p in provinces:
        weights = []
        for c in p.communes:
            kind = c.division_type
            factor = 1.6 if kind == "phường" else (0.3 if kind == "đặc khu" else 1.0)
            weights.append(factor * math.exp(rng.gauss(0, 0.5)))
            x = rng.random()
            if kind == "phường":
                areas[c.code] = 1
            elif kind == "đặc khu":
                areas[c.code] = 3
            elif p.remote:
                areas[c.code] = 3 if x < 0.6 else 2
            else:
                areas[c.code] = 2 if x < 0.4 else 1
        commune_cum[p.code] = tuple(itertools.accumulate(weights))

    drafts: dict[int, list[PlannedSchool]] = {p.code: [] for p in provinces}
    population = [float(PROVINCES[p.code][0]) for p in provinces]
    for category in CATEGORIES:
        total = max(1, round(category.count * scale))
        jitter = [w * rng.uniform(0.9, 1.1) for w in population]
        for p, n in zip(provinces, apportion(total, jitter), strict=True):
            for _ in range(n):
                commune = _pick(rng, p.communes, commune_cum[p.code])
                x = rng.random()
                ownership = "public"
                if category.key == "mn" and x < 0.01:
                    ownership = "community"
                elif x < category.private_share:
                    ownership = "private"
                area = areas[commune.code]
                sites = 0
                if {"mn", "th"} & set(category.levels):
                    sites = 1
                    more = (0.1, 0.3, 0.55)[area - 1]
                    while sites < 7 and rng.random() < more:
                        sites += 1
                size = math.exp(rng.gauss(0, 0.45)) * (1.3, 1.0, 0.6)[area - 1]
                drafts[p.code].append(
                    PlannedSchool(
                        code="",
                        name="",
                        category=category,
                        province=p,
                        commune=commune,
                        area=area,
                        ownership=ownership,
                        types=(),
                        sites=sites,
                        size=size,
                        grades={},
                    )
                )

    schools: list[PlannedSchool] = []
    order = {c.key: i for i, c in enumerate(CATEGORIES)}
    for p in provinces:
        rank = {c.code: i + 1 for i, c in enumerate(p.communes)}
        # Stable sort: schools of a commune and kind keep their drawing order.
        placed = sorted(drafts[p.code], key=lambda s: (rank[s.commune.code], order[s.category.key]))
        sequence: dict[str, int] = {}
        same_name: dict[tuple[str, str], int] = {}
        upper = 0
        for s in placed:
            seq = sequence.get(s.commune.code, 0) + 1
            sequence[s.commune.code] = seq
            s.code = f"{p.code:02d}{rank[s.commune.code]:03d}{seq:03d}"
            _name_school(s, p, same_name)
            if s.category.key == "thpt" and s.ownership == "public":
                upper += 1
                if upper == 1:
                    s.name, s.types = f"Trường THPT Chuyên {p.short}", ("Chuyên",)
                elif upper == 2 and p.remote:
                    s.name, s.types = f"Trường PTDTNT THPT {p.short}", ("PTDTNT",)
            schools.append(s)

    if students_target is not None:
        level_totals = dict(
            zip(
                LEVEL_STUDENTS,
                apportion(students_target, list(LEVEL_STUDENTS.values())),
                strict=True,
            )
        )
    else:
        level_totals = {lv: round(n * scale) for lv, n in LEVEL_STUDENTS.items()}
    for level, total in level_totals.items():
        members = [s for s in schools if level in s.category.levels]
        weights = [s.size * s.category.level_weight for s in members]
        for s, n in zip(members, apportion(total, weights), strict=True):
            grades = LEVEL_GRADES[level]
            jitter = [1.0 + rng.uniform(-0.08, 0.08) for _ in grades]
            s.grades.update(zip(grades, apportion(n, jitter), strict=True))
    return NationalPlan(
        seed=seed,
        scale=scale,
        school_year_start=school_year_start,
        schools=schools,
        level_students=level_totals,
    )


def _name_school(s: PlannedSchool, p: _Province, same_name: dict[tuple[str, str], int]) -> None:
    place = s.commune.name
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        place = place.removeprefix(prefix)
    prefix = s.category.prefix
    if s.category.key == "th_thcs" and p.remote and s.ownership == "public":
        prefix, s.types = "Trường PTDTBT TH&THCS", ("PTDTBT",)
    elif s.category.key == "gdtx":
        s.types = ("GDTX",)
    if s.ownership == "private":
        prefix += " tư thục"
    elif s.ownership == "community":
        prefix += " dân lập"
    n = same_name.get((prefix, place), 0) + 1
    same_name[(prefix, place)] = n
    s.name = f"{prefix} {place}" + (f" số {n}" if n > 1 else "")


# Output files ---------------------------------------------------------------------------


class _TableWriter:
    """One import kind's rows: a CSV file and/or XLSX parts of at most ``max_rows`` rows."""

    def __init__(self, *, folder: Path, kind: str, formats: frozenset[str], max_rows: int) -> None:
        self.folder = folder
        self.kind = kind
        self.max_rows = max_rows
        self.header = [column.header for column in FORMATS[kind].columns]
        self.rows = 0
        self._csv_file: IO[str] | None = None
        self._csv: Any = None
        if "csv" in formats:
            self._csv_file = (folder / f"{kind}.csv").open(
                "w", encoding="utf-8", newline="", buffering=1 << 20
            )
            self._csv = csv.writer(self._csv_file, lineterminator="\n")
            self._csv.writerow(self.header)
        self._xlsx = "xlsx" in formats
        self._book: Any = None
        self._sheet: Any = None
        self._part_rows = 0
        self._parts: list[int] = []  # rows of each finished XLSX part

    def write(self, rows: Sequence[Sequence[object]]) -> None:
        if self._csv is not None:
            self._csv.writerows(rows)
        if self._xlsx:
            start = 0
            while start < len(rows):
                if self._book is None or self._part_rows >= self.max_rows:
                    self._next_part()
                take = min(len(rows) - start, self.max_rows - self._part_rows)
                append = self._sheet.append
                for row in rows[start : start + take]:
                    append(row)
                self._part_rows += take
                start += take
        self.rows += len(rows)

    def _part_path(self, number: int) -> Path:
        return self.folder / f"{self.kind}-{number:03d}.xlsx"

    def _save_part(self) -> None:
        self._book.save(self._part_path(len(self._parts) + 1))
        self._parts.append(self._part_rows)
        self._book = self._sheet = None

    def _next_part(self) -> None:
        if self._book is not None:
            self._save_part()
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title=self.kind)
        self._sheet.append(self.header)
        self._part_rows = 0

    def close(self) -> dict[str, int]:
        """Finish the files; file name → data rows."""
        files: dict[str, int] = {}
        if self._csv_file is not None:
            self._csv_file.close()
            files[f"{self.kind}.csv"] = self.rows
        if self._xlsx:
            if self._book is None and not self._parts:
                self._next_part()  # no rows: a file with the header alone
            if self._book is not None:
                self._save_part()
            if len(self._parts) == 1:
                self._part_path(1).replace(self.folder / f"{self.kind}.xlsx")
                files[f"{self.kind}.xlsx"] = self._parts[0]
            else:
                for i, n in enumerate(self._parts, start=1):
                    files[self._part_path(i).name] = n
        return files


def _clear(folder: Path) -> None:
    """Remove the files an earlier run left, so that no stale XLSX part survives."""
    for kind in KINDS:
        for path in (folder / f"{kind}.csv", folder / f"{kind}.xlsx"):
            path.unlink(missing_ok=True)
        for path in folder.glob(f"{kind}-[0-9][0-9][0-9]*.xlsx"):
            path.unlink()
    (folder / "README.txt").unlink(missing_ok=True)


# Rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Class:
    """A class of a school, before its students are drawn."""

    grade: int
    name: str
    size: int
    age: int  # on 31 December of the school year's first year
    level: str  # mn, th, sec: the homeroom teacher's kind
    site: str


class _Generator:
    """Rows of every file, school by school; personal ID and MOET counters span the files."""

    def __init__(self, plan: NationalPlan) -> None:
        self.plan = plan
        self.year = plan.school_year_start
        # Head (first six digits) → [numbers issued, offset of its tails].
        self.id_counters: dict[str, list[int]] = {}
        self.moet_counters: dict[int, int] = {}
        self.everywhere = tuple(sorted(birth_province_codes()))
        kinh = _ethnic("01")
        assert kinh.surname_cum is not None
        self.kinh_surnames = kinh.surnames
        self.kinh_cum = kinh.surname_cum
        self.kinh_total = kinh.surname_cum[-1]

    def rng(self, school: PlannedSchool) -> random.Random:
        return random.Random(f"{self.plan.seed}/{school.code}")

    # People -------------------------------------------------------------------------------

    def _name(self, rng: random.Random, ethnic: _Ethnic, female: bool) -> str:
        r = rng.random
        if ethnic.surname_cum is None:
            family = ethnic.surnames[int(r() * len(ethnic.surnames))]
        else:
            family = ethnic.surnames[
                bisect.bisect_right(ethnic.surname_cum, r() * ethnic.surname_cum[-1])
            ]
        middles = ethnic.middle[female]
        givens = ethnic.given[female]
        middle = middles[int(r() * len(middles))]
        given = givens[int(r() * len(givens))]
        return f"{family} {middle} {given}" if middle else f"{family} {given}"

    def _national_id(self, province: str, birth_year: int, female: bool) -> str:
        head = f"{province}{century_sex_digit(birth_year=birth_year, sex='F' if female else 'M')}"
        head += f"{birth_year % 100:02d}"
        slot = self.id_counters.get(head) or self._id_slot(head)
        n = slot[0]
        if n >= _ID_TAILS:
            return ""  # every number of this head is taken (only at huge scales)
        slot[0] = n + 1
        return f"{head}{(n * _SCATTER + slot[1]) % _ID_TAILS:06d}"

    def _id_slot(self, head: str) -> list[int]:
        """A head's counter and the offset that starts its tails somewhere of its own."""
        slot = self.id_counters[head] = [0, int(head) * 7_919 % _ID_TAILS]
        return slot

    def principal(self, rng: random.Random, school: PlannedSchool) -> tuple[str, bool, _Ethnic]:
        """The first draws of a school's generator: the principal's name, sex, ethnicity."""
        female = rng.random() < 0.45
        ethnic = _pick(rng, school.province.ethnic, school.province.ethnic_cum)
        return self._name(rng, ethnic, female), female, ethnic

    # Schools and sites --------------------------------------------------------------------

    def school_row(self, school: PlannedSchool) -> tuple[object, ...]:
        rng = self.rng(school)
        principal, _female, _ethnic = self.principal(rng, school)
        p = school.province
        return (
            school.code,
            school.code,
            school.name,
            ", ".join(_LEVEL_LABELS[lv] for lv in school.category.levels),
            _OWNERSHIP[school.ownership],
            ", ".join(school.types),
            _AREA[school.area - 1],
            school.parent,
            school.commune.code,
            f"{school.commune.name}, {p.name}",
            f"02{(int(school.code) * 7_919) % 10**8:08d}",
            f"{school.code}@{p.slug}.edu.vn",
            "",
            principal,
        )

    def site_rows(self, school: PlannedSchool) -> list[tuple[object, ...]]:
        address = f"{school.commune.name}, {school.province.name}"
        rows: list[tuple[object, ...]] = []
        for k in range(1, school.sites + 1):
            name = "Điểm trường chính" if k == 1 else f"Điểm trường lẻ số {k - 1}"
            rows.append((f"{school.code}-{k:02d}", name, school.code, address, school.commune.code))
        return rows

    # Classes ------------------------------------------------------------------------------

    def classes(self, rng: random.Random, school: PlannedSchool) -> list[_Class]:
        out: list[_Class] = []
        gdtx = "gdtx" in school.category.levels

        def site(i: int) -> str:
            if not school.sites:
                return ""
            # Two classes of three at the main site, the others spread over the satellites.
            k = 1 if school.sites == 1 or i % 3 != 2 else 2 + (i // 3) % (school.sites - 1)
            return f"{school.code}-{k:02d}"

        for grade, n in sorted(school.grades.items()):
            if not n:
                continue
            if grade == 0:
                shares = [g[2] * (1.0 + rng.uniform(-0.1, 0.1)) for g in _PRESCHOOL_GROUPS]
                for (label, age, _share, size), m in zip(
                    _PRESCHOOL_GROUPS, apportion(n, shares), strict=True
                ):
                    if m:
                        for j, k in enumerate(_spread(m, size)):
                            name = f"{label} {_suffix(j)}"
                            out.append(_Class(0, name, k, age, "mn", site(len(out))))
                continue
            if grade <= 5:
                for j, k in enumerate(_spread(n, _CLASS_SIZE["th"])):
                    out.append(
                        _Class(grade, f"{grade}{_suffix(j)}", k, grade + 5, "th", site(len(out)))
                    )
                continue
            size = _CLASS_SIZE["gdtx" if gdtx else ("thcs" if grade <= 9 else "thpt")]
            for j, k in enumerate(_spread(n, size)):
                out.append(_Class(grade, f"{grade}A{j + 1}", k, grade + 5, "sec", site(len(out))))
        return out

    # Staff --------------------------------------------------------------------------------

    def staff(
        self,
        rng: random.Random,
        school: PlannedSchool,
        classes: list[_Class],
        principal: tuple[str, bool, _Ethnic],
    ) -> tuple[list[tuple[object, ...]], list[str]]:
        """Staff rows, and the staff code of each class's homeroom teacher."""
        levels = school.category.levels
        n_classes = len(classes)
        managers = 2 if "gdtx" in levels else 1 + (n_classes >= 8) + (n_classes >= 28)
        ratio = sum(
            _TEACHERS_PER_CLASS["gdtx" if "gdtx" in levels else _class_level(c.grade)]
            for c in classes
        )
        teachers = max(n_classes, round(ratio), 1)
        support = 2 + (n_classes // 3 if levels == ("mn",) else n_classes // 12)
        if school.types and school.types[0] in {"PTDTNT", "PTDTBT"}:
            support += 2
        main = "mn" if levels == ("mn",) else ("th" if levels[0] == "th" else "sec")
        jobs = _SUPPORT_JOBS["mn" if main == "mn" else "other"]
        head_title = "Giám đốc" if "gdtx" in levels else "Hiệu trưởng"
        rows: list[tuple[object, ...]] = []
        homeroom: list[str] = []
        for k in range(managers + teachers + support):
            code = f"CB{school.code}{k + 1:04d}"
            if k < managers:
                position, kind = "cbql", "cbql"
                title = head_title if k == 0 else f"Phó {head_title[0].lower()}{head_title[1:]}"
                subject = ""
            elif k < managers + teachers:
                t = k - managers
                position, title = "giao_vien", "Giáo viên"
                kind = classes[t].level if t < n_classes else main
                subjects = _SUBJECTS[kind]
                subject = (
                    subjects[0] if kind != "sec" and t < n_classes else subjects[t % len(subjects)]
                )
                if t < n_classes:
                    homeroom.append(code)
            else:
                position, kind = "nhan_vien", "nhan_vien"
                title = jobs[(k - managers - teachers) % len(jobs)]
                subject = ""
            if k == 0:
                name, female, ethnic = principal
            else:
                share = 0.98 if kind == "mn" else (0.5 if kind == "cbql" else 0.72)
                female = rng.random() < share
                ethnic = _pick(rng, school.province.ethnic, school.province.ethnic_cum)
                name = self._name(rng, ethnic, female)
            birth_year = self.year - rng.randint(24, 59 if position != "cbql" else 58)
            if k == 0:
                birth_year = min(birth_year, self.year - 35)
            dates = _dates(birth_year)
            birth = dates[int(rng.random() * len(dates))]
            national_id = ""
            if rng.random() < 0.99:
                home = (
                    _pick(rng, school.province.birth, school.province.birth_cum)
                    if rng.random() < 0.75
                    else self.everywhere[int(rng.random() * len(self.everywhere))]
                )
                national_id = self._national_id(home, birth_year, female)
            qualification = _pick(rng, *_QUALIFICATION_PICKS[kind])
            started = min(self.year, birth_year + 22 + rng.randint(0, 3))
            rows.append(
                (
                    code,
                    name,
                    birth,
                    _SEX[female],
                    ethnic.label,
                    national_id,
                    school.code,
                    _POSITIONS[position],
                    title,
                    qualification,
                    subject,
                    f"{rng.randint(1, 28):02d}/08/{started}",
                    f"0{_MOBILE_PREFIXES[int(rng.random() * len(_MOBILE_PREFIXES))]}"
                    f"{rng.randrange(10**7):07d}",
                    "",
                    _STAFF_STATUS,
                )
            )
        return rows, homeroom

    # Students -----------------------------------------------------------------------------

    def students(
        self, rng: random.Random, school: PlannedSchool, school_class: _Class
    ) -> list[tuple[object, ...]]:
        """One class's students; written for speed, the hot loop of the generator."""
        p = school.province
        r = rng.random
        bisect_right = bisect.bisect_right
        ethnic, ethnic_cum = p.ethnic, p.ethnic_cum
        ethnic_total = ethnic_cum[-1]
        birth, birth_cum = p.birth, p.birth_cum
        birth_total = birth_cum[-1]
        kinh_surnames, kinh_cum, kinh_total = self.kinh_surnames, self.kinh_cum, self.kinh_total
        counters, new_slot = self.id_counters, self._id_slot
        moet_prefix = f"{p.code:02d}"
        moet = self.moet_counters.get(p.code, 0)
        grade, class_name, code = school_class.grade, school_class.name, school.code
        base_year = self.year - school_class.age
        # Age groups: repeaters and late starters are older; nhà trẻ holds 1- and 2-year-olds.
        years = (base_year, base_year - 1, base_year - 2, base_year + 1)
        dates = {y: _dates(y) for y in years}
        heads = {
            (y, f): f"{century_sex_digit(birth_year=y, sex='F' if f else 'M')}{y % 100:02d}"
            for y in years
            for f in (False, True)
        }
        nursery = school_class.name.startswith("Nhà trẻ")
        rows: list[tuple[object, ...]] = []
        append = rows.append
        for _ in range(school_class.size):
            female = r() < 0.485
            e = ethnic[bisect_right(ethnic_cum, r() * ethnic_total)]
            cum = e.surname_cum
            if cum is None:
                family = e.surnames[int(r() * len(e.surnames))]
            else:
                family = kinh_surnames[bisect_right(kinh_cum, r() * kinh_total)]
            middles = e.middle[female]
            givens = e.given[female]
            middle = middles[int(r() * len(middles))]
            given = givens[int(r() * len(givens))]
            name = f"{family} {middle} {given}" if middle else f"{family} {given}"
            x = r()
            if nursery:
                year = base_year + 1 if x < 0.35 else base_year
            elif grade and x < 0.035:
                year = base_year - 2 if x < 0.005 else base_year - 1
            else:
                year = base_year
            days = dates[year]
            # The youngest nursery children are born by June: at least 3 months old.
            span = 181 if year > self.year - 2 else len(days)
            day = days[int(r() * span)]
            moet += 1
            if r() < 0.97:
                head = birth[bisect_right(birth_cum, r() * birth_total)] + heads[(year, female)]
                slot = counters.get(head) or new_slot(head)
                n = slot[0]
                if n < _ID_TAILS:
                    slot[0] = n + 1
                    national_id = f"{head}{(n * _SCATTER + slot[1]) % _ID_TAILS:06d}"
                else:
                    national_id = ""
            else:
                national_id = ""
            append(
                (
                    "",
                    f"{moet_prefix}{moet:08d}",
                    name,
                    day,
                    "Nữ" if female else "Nam",
                    e.label,
                    national_id,
                    code,
                    grade,
                    class_name,
                )
            )
        self.moet_counters[p.code] = moet
        return rows


def _class_level(grade: int) -> str:
    if grade == 0:
        return "mn"
    if grade <= 5:
        return "th"
    return "thcs" if grade <= 9 else "thpt"


def _spread(n: int, size: int) -> list[int]:
    """``n`` students in classes of about ``size``, as even as possible."""
    classes = max(1, math.ceil(n / size))
    base, extra = divmod(n, classes)
    return [base + (1 if i < extra else 0) for i in range(classes)]


def _suffix(j: int) -> str:
    """A, B, ... Y, then A2, B2 ...: class letters without J, W, Z (not Vietnamese)."""
    letter = _LETTERS[j % len(_LETTERS)]
    return letter if j < len(_LETTERS) else f"{letter}{j // len(_LETTERS) + 1}"


# Entry point ----------------------------------------------------------------------------


def national_write(
    *,
    output: Path,
    seed: int = 2022,
    scale: float | None = None,
    students_target: int | None = None,
    formats: Collection[str] = FILE_FORMATS,
    progress: Progress | None = None,
    school_year_start: int = SCHOOL_YEAR_START,
    xlsx_max_rows: int = XLSX_MAX_ROWS,
) -> dict[str, int]:
    """Write the country's import files into ``output``; file name → data rows.

    ``scale`` 1 is the whole country; ``students_target`` fixes the number of students
    exactly (see ``national_plan``). Rows are written school by school and never kept, so
    memory does not grow with the number of students.
    """
    wanted = frozenset(formats)
    if not wanted or not wanted <= set(FILE_FORMATS):
        raise ValueError(f"formats must be among {', '.join(FILE_FORMATS)}")
    if xlsx_max_rows < 1:
        raise ValueError("xlsx_max_rows must be at least 1")
    say = progress or (lambda _message: None)
    started = time.monotonic()
    plan = national_plan(
        seed=seed,
        scale=scale,
        students_target=students_target,
        school_year_start=school_year_start,
    )
    say(
        f"Plan: {len(plan.schools):,} schools, {plan.students:,} students "
        f"(seed {seed}, scale {plan.scale:g})."
    )
    output.mkdir(parents=True, exist_ok=True)
    _clear(output)
    writers = {
        kind: _TableWriter(folder=output, kind=kind, formats=wanted, max_rows=xlsx_max_rows)
        for kind in KINDS
    }
    files: dict[str, int] = {}
    try:
        generator = _Generator(plan)
        writers["schools"].write([generator.school_row(s) for s in plan.schools])
        for s in plan.schools:
            writers["sites"].write(generator.site_rows(s))
        students = writers["students"]
        mark = PROGRESS_EVERY
        for s in plan.schools:
            rng = generator.rng(s)
            # The principal first, as in schools.csv, so that both files name the same person.
            principal = generator.principal(rng, s)
            classes = generator.classes(rng, s)
            staff_rows, homeroom = generator.staff(rng, s, classes, principal)
            writers["staff"].write(staff_rows)
            writers["classes"].write(
                [
                    (s.code, c.name, c.grade, c.site, teacher)
                    for c, teacher in zip(classes, homeroom, strict=True)
                ]
            )
            for c in classes:
                students.write(generator.students(rng, s, c))
            if students.rows >= mark:
                seconds = time.monotonic() - started
                say(
                    f"Students: {students.rows:,} of {plan.students:,} "
                    f"({students.rows / seconds:,.0f} rows/s)."
                )
                mark = (students.rows // PROGRESS_EVERY + 1) * PROGRESS_EVERY
    finally:
        for writer in writers.values():
            files |= writer.close()
    (output / "README.txt").write_text(_readme(plan, files), encoding="utf-8")
    say(f"Wrote {len(files)} files in {output} in {time.monotonic() - started:.1f} s.")
    return files


def _readme(plan: NationalPlan, files: dict[str, int]) -> str:
    departments = sorted({s.parent for s in plan.schools if s.category.under_department})
    communes = sorted({s.parent for s in plan.schools if not s.category.under_department})
    width = max(len(name) for name in files)
    lines = [
        "vnemis demo national: synthetic import files (not real people or schools).",
        "",
        f"seed {plan.seed}, scale {plan.scale:g}, school year "
        f"{plan.school_year_start}-{plan.school_year_start + 1}",
        "",
        "Data rows per file (plus one header row; CSV in UTF-8, dates dd/mm/yyyy):",
        *(f"  {name:<{width}}  {n:>12,}" for name, n in sorted(files.items())),
        "",
        "Import in this order: schools, sites, staff, classes, students.",
        "The 'Đơn vị quản lý' of schools.csv are units of the 2025 tree that must exist in the",
        "database before the import:",
        f"  departments (SGD + 2-digit province code): {len(departments):,}",
        f"  communes (XA + 5-digit commune code of vietnam-provinces): {len(communes):,}",
        "",
    ]
    return "\n".join(lines)
