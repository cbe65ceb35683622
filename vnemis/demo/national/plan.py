"""The plan of ``vnemis demo national``: which schools each province has and how many
children, pupils and staff each holds, drawn from the seed (the writer turns it into files).

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
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from vnemis.core.bulk import apportion
from vnemis.core.text import fold
from vnemis.demo.data import names
from vnemis.organisations.admin_units import AdminUnit, communes_2025
from vnemis.people.choices import Ethnicity
from vnemis.people.identity import birth_province_codes

SCHOOL_YEAR_START = 2025


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


# Reference data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ethnic:
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
    ethnic: tuple[Ethnic, ...]
    ethnic_cum: tuple[float, ...]
    # Birth-registration provinces (pre-2025 three-digit codes) of children born here.
    birth: tuple[str, ...]
    birth_cum: tuple[float, ...]


@cache
def ethnic(code: str) -> Ethnic:
    label = str(Ethnicity(code).label)
    minority = names.MINORITY_NAMES.get(code)
    if minority:
        return Ethnic(
            label,
            minority["surnames"],
            None,
            (minority["middle_male"], minority["middle_female"]),
            (minority["given_male"], minority["given_female"]),
        )
    # Groups without name samples take Kinh names, as the province demo does.
    return Ethnic(
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
                ethnic=tuple(ethnic(e) for e in ethnic_codes),
                ethnic_cum=tuple(itertools.accumulate(mix[e] for e in ethnic_codes)),
                birth=tuple(codes),
                birth_cum=tuple(itertools.accumulate(birth[c] for c in codes)),
            )
        )
    return tuple(out)


def pick(rng: random.Random, items: Sequence[Any], cumulative: Sequence[float]) -> Any:
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
                commune = pick(rng, p.communes, commune_cum[p.code])
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
