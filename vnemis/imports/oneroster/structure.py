"""OneRoster orgs, academicSessions and classes → org units, school years and classes.

Orgs become units placed under the importing unit (school-like types → schools; district and
local → district offices; state and national → departments); sessions give school years by
their ``schoolYear``; classes take that year and the grade and level of their grade codes, and
a class of another school or year is never reused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.utils.translation import gettext as _

from vnemis.imports.oneroster import ids as names
from vnemis.imports.oneroster.run import RosterRun
from vnemis.organisations import services as org_services
from vnemis.organisations.choices import LEVEL_GRADES, OrgUnitKind, SchoolLevel
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people import services as people
from vnemis.people.models import SchoolClass

ORG_KINDS = {
    "school": OrgUnitKind.SCHOOL,
    "department": OrgUnitKind.SCHOOL,
    "district": OrgUnitKind.DISTRICT_OFFICE,
    "local": OrgUnitKind.DISTRICT_OFFICE,
    "state": OrgUnitKind.DEPARTMENT,
    "national": OrgUnitKind.DEPARTMENT,
}
# OneRoster grade codes of the years before grade 1 (infant/toddler, preschool,
# prekindergarten, transitional kindergarten, kindergarten): Vietnamese preschool, which vnemis
# keeps as grade 0. "00" is how vnemis exported preschool classes before it wrote "PK".
PRESCHOOL_CODES = frozenset({"IT", "PR", "PK", "TK", "KG", "00"})
_CODE = re.compile(r"[^A-Za-z0-9_-]")


def grade_level(codes: str, *, school_levels: Sequence[str] = ()) -> tuple[int, str] | None:
    """The vnemis grade and level of the first grade code in ``codes`` (OneRoster's
    comma-separated list) that vnemis has: "PK", "KG"… → preschool, grade 0; "01"…"12" → that
    grade at its level. Grades 10–12 are continuing education in a school that teaches it and
    no upper secondary. None when no code has a grade here ("13", "PS", "UG", "Other", "")."""
    for part in codes.split(","):
        code = part.strip().upper()
        if code in PRESCHOOL_CODES:
            return 0, SchoolLevel.PRESCHOOL.value
        if code.isascii() and code.isdigit() and 1 <= int(code) <= 12:
            grade = int(code)
            levels = [str(level) for level, grades in LEVEL_GRADES.items() if grade in grades]
            return grade, next((lv for lv in levels if lv in school_levels), levels[0])
    return None


def session_end_year(row: dict[str, str], *, today: dt.date) -> int | None:
    """The calendar year in which the school year of an academicSessions row ends: its
    ``schoolYear`` (2023 for 2022–2023), else read from its dates; None when none is plausible."""
    year: int | None = None
    text = row.get("schoolYear", "").strip()
    if len(text) == 4 and text.isascii() and text.isdigit():
        year = int(text)
    else:
        for column in ("endDate", "startDate"):
            try:
                day = dt.date.fromisoformat(row.get(column, "")[:10])
            except ValueError:
                continue
            # A school year runs from September to May: a session ending by August ends the
            # school year of its calendar year; one starting from August is in the next.
            if column == "endDate":
                year = day.year if day.month <= 8 else day.year + 1
            else:
                year = day.year + 1 if day.month >= 8 else day.year
            break
    if year is None or not 1990 <= year <= today.year + 5:
        return None
    return year


def orgs_import(run: RosterRun) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    created: dict[str, tuple[int, dict[str, str]]] = {}
    for line, row in run.active("orgs"):
        sid = row["sourcedId"]
        with run.row("orgs.csv", line):
            unit, how = run.find_unit(sid, row["identifier"])
            if unit is None:
                code = run.free_code(_CODE.sub("-", sid)[:32])
                unit = org_services.orgunit_create(
                    kind=ORG_KINDS.get(row["type"].lower(), OrgUnitKind.SCHOOL),
                    code=code,
                    name=(row["name"] or code)[:255],
                    by=run.by,
                )
                created[sid] = (line, row)
                run.count("orgs", "created")
            # Only a unit this bundle's source named before may be renamed by it: the
            # official name of a unit matched by its code comes from the sector's registry.
            elif how in {"own", "ref"} and row["name"] and unit.name != row["name"]:
                org_services.orgunit_update(unit=unit, by=run.by, name=row["name"][:255])
                run.count("orgs", "updated")
            else:
                run.count("orgs", "unchanged")
            if how != "own":
                run.remember("org", sid, unit)
            units[sid] = unit
    orgs_place(run, created, units)
    return units


def orgs_place(
    run: RosterRun, created: dict[str, tuple[int, dict[str, str]]], units: dict[str, OrgUnit]
) -> None:
    """Place the new units, parents before children; a unit whose parent is neither in
    the bundle nor in scope, or in a cycle, goes directly under the scope."""
    todo = dict(created)
    while todo:
        sid = next((s for s, (_l, r) in todo.items() if r["parentSourcedId"] not in todo), None)
        if sid is None:  # a cycle of parents: break it at its first unit
            sid = next(iter(todo))
        line, row = todo.pop(sid)
        parent_sid = row["parentSourcedId"]
        parent = None
        if parent_sid and parent_sid != sid and parent_sid not in todo:
            parent = units.get(parent_sid) or run.find_unit(parent_sid)[0]
        if parent_sid and parent is None:
            run.warn(
                "orgs.csv",
                line,
                "parentSourcedId",
                f"đơn vị cha '{parent_sid}' không có trong gói; đặt dưới {run.scope.name}",
            )
        with run.row("orgs.csv", line):
            run.place_under(units[sid], parent or run.scope)


def years_import(run: RosterRun) -> dict[str, SchoolYear]:
    """Each session's school year, by sourcedId (schoolYear 2023 → 2022-2023)."""
    years: dict[str, SchoolYear] = {}
    for line, row in run.b.rows("academicSessions"):
        end_year = session_end_year(row, today=run.day)
        if end_year is None:
            run.warn(
                "academicSessions.csv",
                line,
                "schoolYear",
                _("No school year can be read from this session (schoolYear, startDate, endDate)."),
            )
            continue
        code = f"{end_year - 1}-{end_year}"
        year = SchoolYear.objects.filter(code=code).first()
        if year is None:
            year = org_services.school_year_create(
                starts_on=dt.date(end_year - 1, 9, 5),
                ends_on=dt.date(end_year, 5, 31),
                by=run.by,
            )
            run.count("academicSessions", "school year created")
        else:
            run.count("academicSessions", "unchanged")
        years[row["sourcedId"]] = year
    return years


def class_year(
    run: RosterRun, line: int, row: dict[str, str], years: dict[str, SchoolYear]
) -> SchoolYear | None:
    """The school year of a class: that of its terms in the bundle; when it names none,
    the bundle's only school year, or the one open on the import date (with a warning)."""
    terms = [t.strip() for t in row["termSourcedIds"].split(",") if t.strip()]
    year = next((years[t] for t in terms if t in years), None)
    if year is not None:
        return year
    distinct = {y.pk: y for y in years.values()}
    year = next(iter(distinct.values())) if len(distinct) == 1 else None
    year = year or SchoolYear.for_date(run.day)
    if year is None:
        run.warn(
            "classes.csv",
            line,
            "termSourcedIds",
            _(
                "The class names no session of the bundle with a school year, and no school "
                "year is open on the import date; the class was skipped."
            ),
        )
    else:
        run.warn(
            "classes.csv",
            line,
            "termSourcedIds",
            _(
                "The class names no session of the bundle with a school year; it was put in "
                "the school year {year}."
            ).format(year=year.code),
        )
    return year


def students_grade(run: RosterRun, class_sid: str, school: OrgUnit) -> tuple[int, str] | None:
    """The grade of a class that states none: that of all its students, if they agree."""
    if run.students_grades is None:
        users = {r["sourcedId"]: r.get("grades", "") for _l, r in run.b.rows("users")}
        run.students_grades = {}
        for _line, r in run.b.rows("enrollments"):
            if r["role"] == "student" and r["userSourcedId"] in users:
                codes = run.students_grades.setdefault(r["classSourcedId"], set())
                codes.add(users[r["userSourcedId"]])
    levels = school.level_codes()
    found = {
        grade_level(codes, school_levels=levels)
        for codes in run.students_grades.get(class_sid, set())
    }
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def class_find(
    run: RosterRun, sourced_id: str, school: OrgUnit, year: SchoolYear
) -> tuple[SchoolClass | None, str]:
    """The class the bundle's class is: only ever one of the bundle's school and year."""
    candidates: list[tuple[int, str]] = []
    pk = names.own_pk(sourced_id, installation=run.installation, kind=names.CLASS)
    if pk is not None:
        candidates.append((pk, "own"))
    candidates += [(pk, "ref") for pk in run.refs("class", sourced_id, SchoolClass)]
    for pk, how in candidates:
        found = SchoolClass.objects.filter(pk=pk, school=school, school_year=year).first()
        if found is not None:
            return found, how
    return None, ""


def classes_import(
    run: RosterRun, units: dict[str, OrgUnit], years: dict[str, SchoolYear]
) -> dict[str, SchoolClass]:
    classes: dict[str, SchoolClass] = {}
    for line, row in run.active("classes"):
        sid = row["sourcedId"]
        school = units.get(row["schoolSourcedId"]) or run.find_unit(row["schoolSourcedId"])[0]
        if school is None:
            run.warn(
                "classes.csv",
                line,
                "schoolSourcedId",
                f"không có đơn vị '{row['schoolSourcedId']}'; bỏ qua lớp",
            )
            run.count("classes", "skipped")
            continue
        year = class_year(run, line, row, years)
        placed = grade_level(row["grades"], school_levels=school.level_codes())
        placed = placed or students_grade(run, sid, school)
        if year is None or placed is None:
            if placed is None:
                run.warn(
                    "classes.csv",
                    line,
                    "grades",
                    _(
                        "The class gives no grade vnemis knows ({grades}); the class and its "
                        "enrolments were skipped. Use the grade codes PK, KG or 01 to 12."
                    ).format(grades=row["grades"] or "-"),
                )
            run.count("classes", "skipped")
            continue
        grade, level = placed
        name = (row["title"] or row["classCode"] or sid)[:40]
        with run.row("classes.csv", line):
            found, how = class_find(run, sid, school, year)
            if found is None:
                found = SchoolClass.objects.filter(
                    school=school, school_year=year, name=name
                ).first()
                how = how or "name"
            if found is None:
                if level not in school.level_codes():
                    org_services.orgunit_group_add(
                        unit=school, group_set="level", group=level, by=run.by
                    )
                found = people.school_class_create(
                    school=school,
                    school_year=year,
                    level=level,
                    grade=grade,
                    name=name,
                    by=run.by,
                )
                run.count("classes", "created")
            # A class keeps its level when the bundle's grade is taught there (grade 10
            # of a continuing-education class is not moved to upper secondary).
            elif found.grade != grade or grade not in LEVEL_GRADES[found.level]:
                people.school_class_update(school_class=found, grade=grade, level=level, by=run.by)
                run.count("classes", "updated")
            else:
                run.count("classes", "unchanged")
            if how != "own":
                run.remember("class", sid, found)
            classes[sid] = found
    return classes
