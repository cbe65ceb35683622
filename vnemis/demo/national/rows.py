"""The rows of ``vnemis demo national``: for each planned school, its sites, staff, classes
and students as the import formats read them, in Vietnamese as the national database writes
them. Everything is drawn from a generator seeded per school, and the personal ID and MOET
code counters span the files, so the same seed and scale give the same rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass
from functools import cache

from vnemis.core.bulk import apportion
from vnemis.demo.national.plan import Ethnic, NationalPlan, PlannedSchool, ethnic, pick
from vnemis.people.identity import birth_province_codes, century_sex_digit

# How the national database writes the values of its rows.
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


@cache
def _dates(year: int) -> tuple[str, ...]:
    """Every day of ``year`` as dd/mm/yyyy."""
    first = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - first).days
    return tuple((first + dt.timedelta(days=i)).strftime("%d/%m/%Y") for i in range(days))


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


class RowGenerator:
    """Rows of every file, school by school; personal ID and MOET counters span the files."""

    def __init__(self, plan: NationalPlan) -> None:
        self.plan = plan
        self.year = plan.school_year_start
        # Head (first six digits) → [numbers issued, offset of its tails].
        self.id_counters: dict[str, list[int]] = {}
        self.moet_counters: dict[int, int] = {}
        self.everywhere = tuple(sorted(birth_province_codes()))
        kinh = ethnic("01")
        assert kinh.surname_cum is not None
        self.kinh_surnames = kinh.surnames
        self.kinh_cum = kinh.surname_cum
        self.kinh_total = kinh.surname_cum[-1]

    def rng(self, school: PlannedSchool) -> random.Random:
        return random.Random(f"{self.plan.seed}/{school.code}")

    # People -------------------------------------------------------------------------------

    def _name(self, rng: random.Random, ethnic: Ethnic, female: bool) -> str:
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

    def principal(self, rng: random.Random, school: PlannedSchool) -> tuple[str, bool, Ethnic]:
        """The first draws of a school's generator: the principal's name, sex, ethnicity."""
        female = rng.random() < 0.45
        ethnic = pick(rng, school.province.ethnic, school.province.ethnic_cum)
        return self._name(rng, ethnic, female), female, ethnic

    # Schools and sites --------------------------------------------------------------------

    def school_row(self, school: PlannedSchool) -> tuple[object, ...]:
        rng = self.rng(school)
        principal, _female, ethnic = self.principal(rng, school)
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
        principal: tuple[str, bool, Ethnic],
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
                ethnic = pick(rng, school.province.ethnic, school.province.ethnic_cum)
                name = self._name(rng, ethnic, female)
            birth_year = self.year - rng.randint(24, 59 if position != "cbql" else 58)
            if k == 0:
                birth_year = min(birth_year, self.year - 35)
            dates = _dates(birth_year)
            birth = dates[int(rng.random() * len(dates))]
            national_id = ""
            if rng.random() < 0.99:
                home = (
                    pick(rng, school.province.birth, school.province.birth_cum)
                    if rng.random() < 0.75
                    else self.everywhere[int(rng.random() * len(self.everywhere))]
                )
                national_id = self._national_id(home, birth_year, female)
            qualification = pick(rng, *_QUALIFICATION_PICKS[kind])
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
