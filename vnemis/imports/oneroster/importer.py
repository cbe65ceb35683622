"""Importing a checked OneRoster bundle into vnemis, through the apps' services.

Mapping: orgs → org units (school-like types → schools; district/local → district offices;
state/national → departments) placed under the importing unit; academicSessions → school
years (by their ``schoolYear``); classes → classes of that year, at the grade of their
OneRoster grade codes; users → persons with a student, staff or guardian record by role;
enrollments → a student's enrolment of the class's year (the first class becomes its class)
and a teacher's homeroom class. Every record is remembered by its sourcedId
(``ExternalRef``), so importing again changes nothing.

What an import may touch. A bundle is imported under one unit, the scope: it reaches that
unit's subtrees (in every tree version) and the people with a current tie to them
(``people.selectors.persons_in_reach``), nothing else.

- A sourcedId names a vnemis record only when it is this installation's name for it
  (``ids``) and the record is in scope. Any other sourcedId (another program's ``cls-12``,
  another installation's name) is found only through what an earlier import from the same
  source remembered, again only in scope, or its record is created.
- A user whose personal ID number, student, staff or MOET code or vnemis name belongs to a
  person out of reach is refused, with a reason that names nothing about that person; the
  officers whose area holds the person resolve such cases.
- Classes take their school year from the bundle's academicSessions and their grade and
  level from its grade codes; a class of another school or year is never reused.
- New units are placed under the scope in every tree version where the scope is placed, so
  a unit of the 2022 tree imports as well as one of the 2025 tree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.installation import installation_code
from vnemis.imports.formats.base import outside_id
from vnemis.imports.models import ExternalRef
from vnemis.imports.oneroster import ids as names
from vnemis.imports.oneroster.bundle import METADATA, Bundle, Problem, read_bundle
from vnemis.organisations import services as org_services
from vnemis.organisations.choices import LEVEL_GRADES, OrgUnitKind, SchoolLevel
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear, TreeVersion
from vnemis.people import services as people
from vnemis.people.identity import national_id_problems
from vnemis.people.models import (
    Enrollment,
    Guardian,
    GuardianLink,
    Person,
    SchoolClass,
    Staff,
    Student,
)
from vnemis.people.selectors import persons_in_reach, unit_paths

ORG_KINDS = {
    "school": OrgUnitKind.SCHOOL,
    "department": OrgUnitKind.SCHOOL,
    "district": OrgUnitKind.DISTRICT_OFFICE,
    "local": OrgUnitKind.DISTRICT_OFFICE,
    "state": OrgUnitKind.DEPARTMENT,
    "national": OrgUnitKind.DEPARTMENT,
}
STAFF_ROLES = {
    "teacher": "giao_vien",
    "aide": "nhan_vien",
    "administrator": "cbql",
    "siteAdministrator": "cbql",
    "principal": "cbql",
    "counselor": "nhan_vien",
    "proctor": "nhan_vien",
}
GUARDIAN_ROLES = {"parent", "guardian", "relative"}
# OneRoster grade codes of the years before grade 1 (infant/toddler, preschool,
# prekindergarten, transitional kindergarten, kindergarten): Vietnamese preschool, which vnemis
# keeps as grade 0. "00" is how vnemis exported preschool classes before it wrote "PK".
PRESCHOOL_CODES = frozenset({"IT", "PR", "PK", "TK", "KG", "00"})
_CODE = re.compile(r"[^A-Za-z0-9_-]")
# ASCII digits only: "٠١٢…" are digits to str.isdigit() but never a personal ID number.
_NATIONAL_ID = re.compile(r"[0-9]{12}")
_USER_ID = re.compile(r"\{([^{}:]*):([^{}]*)\}")
# Shorter values ("12" in "{LDAP:12}") are too common to name anybody.
MIN_CODE_LENGTH = 6


def identifier_outside() -> str:
    return _(
        "This identifier is already used for a person outside your unit's area; "
        "contact the education office or the Department."
    )


def identity_conflict() -> str:
    return _(
        "The identifiers of this user belong to different persons already in vnemis; "
        "correct the bundle so that they name one person."
    )


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


def _user_tokens(row: dict[str, str]) -> list[tuple[str, str]]:
    """The values of a users row that may identify a person, with their columns."""
    tokens = [
        (column, row.get(column, ""))
        for column in ("sourcedId", "username", "identifier", "userMasterIdentifier")
    ]
    for part in row.get("userIds", "").split(","):
        match = _USER_ID.fullmatch(part.strip())
        tokens.append(("userIds", match[2] if match else part))
    tokens += [(column, value) for column, value in row.items() if column.startswith(METADATA)]
    return [(column, value.strip()) for column, value in tokens if value and value.strip()]


@dataclass
class RosterResult:
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def refused(self) -> bool:
        return any(p.error for p in self.problems)

    def summary(self) -> str:
        return "; ".join(
            f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
            for name, c in self.counts.items()
        )


class _Refused(Exception):
    """A row that this import may not apply; the message is shown to the importer."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


class _Importer:
    def __init__(self, bundle: Bundle, scope: OrgUnit, by: User | None, day: dt.date) -> None:
        self.b, self.scope, self.by, self.day = bundle, scope, by, day
        self.result = RosterResult(problems=list(bundle.problems))
        self.installation = installation_code()
        self.system = bundle.system[:64]
        # An export of this installation, or of vnemis before installation codes, hands other
        # systems' ids back unchanged: those are looked up whatever system sent them first.
        self.echo = self.system in {names.system_code(self.installation), names.LEGACY_SYSTEM}
        # Where a foreign id is remembered when its plain entry already names a record of
        # another unit (two schools fed by one program whose ids overlap).
        self.local_system = f"{self.system[: 63 - len(scope.code)]}@{scope.code}"
        self.paths = unit_paths(scope)
        self.units_in_scope = set(
            OrgUnit.objects.under_paths(self.paths).values_list("pk", flat=True)
        )
        self.reach = persons_in_reach(paths=self.paths)
        roots = tuple(
            OrgPlacement.objects.filter(parent__isnull=True).values_list("path", flat=True)
        )
        self.tied = persons_in_reach(paths=roots)
        self.reachable_cache: dict[int, bool] = {}
        self.accepted: set[int] = set()  # persons this import created or identified
        self.refused_users: set[str] = set()
        self.students_grades: dict[str, set[str]] | None = None  # grade codes by class

    # Bookkeeping --------------------------------------------------------------------------
    def count(self, table: str, outcome: str) -> None:
        self.result.counts.setdefault(table, Counter())[outcome] += 1

    def warn(self, file: str, line: int, column: str, message: str) -> None:
        self.result.problems.append(Problem(file, line, column, message, error=False))

    def refuse(self, file: str, line: int, column: str, message: str) -> None:
        self.result.problems.append(Problem(file, line, column, message))
        self.count(file.removesuffix(".csv"), "refused")

    @contextmanager
    def row(self, file: str, line: int) -> Iterator[None]:
        """One row's writes, all or none: a row the services refuse is reported and undone."""
        try:
            with transaction.atomic():
                yield
        except ValidationError as exc:
            reasons = "; ".join(exc.messages)
            self.refuse(
                file, line, "", _("The row could not be saved: {reasons}").format(reasons=reasons)
            )

    def active(self, name: str) -> list[tuple[int, dict[str, str]]]:
        rows = []
        for line, row in self.b.rows(name):
            if row["status"] == "tobedeleted":
                self.count(name, "skipped (tobedeleted)")
                continue
            rows.append((line, row))
        return rows

    # Remembered ids -----------------------------------------------------------------------
    def refs(self, record_type: str, external_id: str, model: type[models.Model]) -> list[int]:
        """The records remembered for ``external_id``, this unit's own entries first."""
        found = ExternalRef.objects.filter(
            record_type=record_type, external_id=external_id, target_type=model._meta.label
        )
        if not self.echo:
            found = found.filter(system__in=[self.local_system, self.system])
        ordered = sorted(
            found, key=lambda r: (r.system != self.local_system, r.system != self.system, r.pk)
        )
        return [r.target_id for r in ordered]

    def remember(self, record_type: str, external_id: str, target: models.Model) -> None:
        if names.is_own(external_id, installation=self.installation):
            return  # found again by its name, as long as it stays in scope
        if len(external_id) > 255:
            return
        label, pk = target._meta.label, target.pk
        plain = ExternalRef.objects.filter(
            system=self.system, record_type=record_type, external_id=external_id
        ).first()
        if plain is None:
            ExternalRef.objects.create(
                system=self.system,
                record_type=record_type,
                external_id=external_id,
                target_type=label,
                target_id=pk,
            )
        elif (plain.target_type, plain.target_id) != (label, pk):
            ExternalRef.objects.update_or_create(
                system=self.local_system,
                record_type=record_type,
                external_id=external_id,
                defaults={"target_type": label, "target_id": pk},
            )

    # Scope --------------------------------------------------------------------------------
    def reachable(self, pk: int) -> bool:
        if pk in self.accepted:
            return True
        if pk not in self.reachable_cache:
            self.reachable_cache[pk] = self.reach.filter(pk=pk).exists()
        return self.reachable_cache[pk]

    def untied(self, pk: int) -> bool:
        """Whether the person has no current tie anywhere: a record that exists only because
        a roster sent it, which the same roster's remembered id may find again."""
        return not self.tied.filter(pk=pk).exists()

    def find_unit(self, sourced_id: str, identifier: str = "") -> tuple[OrgUnit | None, str]:
        """The unit in scope a bundle's org stands for, and how it was found."""
        if not sourced_id:
            return None, ""
        pk = names.own_pk(sourced_id, installation=self.installation, kind=names.ORG)
        if pk is not None and pk in self.units_in_scope:
            return OrgUnit.objects.get(pk=pk), "own"
        for pk in self.refs("org", sourced_id, OrgUnit):
            if pk in self.units_in_scope:
                return OrgUnit.objects.get(pk=pk), "ref"
        # The sector's codes: the unit code (as old vnemis exports named units) or MOET code.
        scoped = OrgUnit.objects.under_paths(self.paths)
        for code in dict.fromkeys(c for c in (identifier, sourced_id) if c):
            unit = scoped.filter(code=code).first() or scoped.filter(moet_code=code).first()
            if unit is not None:
                return unit, "code"
        return None, ""

    def free_code(self, base: str) -> str:
        code, n = base, 1
        while OrgUnit.objects.filter(code=code).exists():
            n += 1
            code = f"{base[: 31 - len(str(n))]}-{n}"
        return code

    def place_under(self, unit: OrgUnit, parent: OrgUnit) -> None:
        """Place ``unit`` under ``parent`` in every tree version where the parent is placed."""
        for version in TreeVersion.objects.filter(placements__unit=parent).distinct():
            if not OrgPlacement.objects.filter(version=version, unit=unit).exists():
                org_services.orgunit_place(unit=unit, version=version, parent=parent, by=self.by)
        self.units_in_scope.add(unit.pk)

    # Tables -------------------------------------------------------------------------------
    def orgs(self) -> dict[str, OrgUnit]:
        units: dict[str, OrgUnit] = {}
        created: dict[str, tuple[int, dict[str, str]]] = {}
        for line, row in self.active("orgs"):
            sid = row["sourcedId"]
            with self.row("orgs.csv", line):
                unit, how = self.find_unit(sid, row["identifier"])
                if unit is None:
                    code = self.free_code(_CODE.sub("-", sid)[:32])
                    unit = org_services.orgunit_create(
                        kind=ORG_KINDS.get(row["type"].lower(), OrgUnitKind.SCHOOL),
                        code=code,
                        name=(row["name"] or code)[:255],
                        by=self.by,
                    )
                    created[sid] = (line, row)
                    self.count("orgs", "created")
                # Only a unit this bundle's source named before may be renamed by it: the
                # official name of a unit matched by its code comes from the sector's registry.
                elif how in {"own", "ref"} and row["name"] and unit.name != row["name"]:
                    org_services.orgunit_update(unit=unit, by=self.by, name=row["name"][:255])
                    self.count("orgs", "updated")
                else:
                    self.count("orgs", "unchanged")
                if how != "own":
                    self.remember("org", sid, unit)
                units[sid] = unit
        self.place_new(created, units)
        return units

    def place_new(
        self, created: dict[str, tuple[int, dict[str, str]]], units: dict[str, OrgUnit]
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
                parent = units.get(parent_sid) or self.find_unit(parent_sid)[0]
            if parent_sid and parent is None:
                self.warn(
                    "orgs.csv",
                    line,
                    "parentSourcedId",
                    f"đơn vị cha '{parent_sid}' không có trong gói; đặt dưới {self.scope.name}",
                )
            with self.row("orgs.csv", line):
                self.place_under(units[sid], parent or self.scope)

    def years(self) -> dict[str, SchoolYear]:
        """Each session's school year, by sourcedId (schoolYear 2023 → 2022-2023)."""
        years: dict[str, SchoolYear] = {}
        for line, row in self.b.rows("academicSessions"):
            end_year = session_end_year(row, today=self.day)
            if end_year is None:
                self.warn(
                    "academicSessions.csv",
                    line,
                    "schoolYear",
                    _(
                        "No school year can be read from this session (schoolYear, startDate, "
                        "endDate)."
                    ),
                )
                continue
            code = f"{end_year - 1}-{end_year}"
            year = SchoolYear.objects.filter(code=code).first()
            if year is None:
                year = org_services.school_year_create(
                    starts_on=dt.date(end_year - 1, 9, 5),
                    ends_on=dt.date(end_year, 5, 31),
                    by=self.by,
                )
                self.count("academicSessions", "school year created")
            else:
                self.count("academicSessions", "unchanged")
            years[row["sourcedId"]] = year
        return years

    def class_year(
        self, line: int, row: dict[str, str], years: dict[str, SchoolYear]
    ) -> SchoolYear | None:
        """The school year of a class: that of its terms in the bundle; when it names none,
        the bundle's only school year, or the one open on the import date (with a warning)."""
        terms = [t.strip() for t in row["termSourcedIds"].split(",") if t.strip()]
        year = next((years[t] for t in terms if t in years), None)
        if year is not None:
            return year
        distinct = {y.pk: y for y in years.values()}
        year = next(iter(distinct.values())) if len(distinct) == 1 else None
        year = year or SchoolYear.for_date(self.day)
        if year is None:
            self.warn(
                "classes.csv",
                line,
                "termSourcedIds",
                _(
                    "The class names no session of the bundle with a school year, and no school "
                    "year is open on the import date; the class was skipped."
                ),
            )
        else:
            self.warn(
                "classes.csv",
                line,
                "termSourcedIds",
                _(
                    "The class names no session of the bundle with a school year; it was put in "
                    "the school year {year}."
                ).format(year=year.code),
            )
        return year

    def students_grade(self, class_sid: str, school: OrgUnit) -> tuple[int, str] | None:
        """The grade of a class that states none: that of all its students, if they agree."""
        if self.students_grades is None:
            users = {r["sourcedId"]: r.get("grades", "") for _l, r in self.b.rows("users")}
            self.students_grades = {}
            for _line, r in self.b.rows("enrollments"):
                if r["role"] == "student" and r["userSourcedId"] in users:
                    codes = self.students_grades.setdefault(r["classSourcedId"], set())
                    codes.add(users[r["userSourcedId"]])
        levels = school.level_codes()
        found = {
            grade_level(codes, school_levels=levels)
            for codes in self.students_grades.get(class_sid, set())
        }
        found.discard(None)
        return found.pop() if len(found) == 1 else None

    def find_class(
        self, sourced_id: str, school: OrgUnit, year: SchoolYear
    ) -> tuple[SchoolClass | None, str]:
        """The class the bundle's class is: only ever one of the bundle's school and year."""
        candidates: list[tuple[int, str]] = []
        pk = names.own_pk(sourced_id, installation=self.installation, kind=names.CLASS)
        if pk is not None:
            candidates.append((pk, "own"))
        candidates += [(pk, "ref") for pk in self.refs("class", sourced_id, SchoolClass)]
        for pk, how in candidates:
            found = SchoolClass.objects.filter(pk=pk, school=school, school_year=year).first()
            if found is not None:
                return found, how
        return None, ""

    def classes(
        self, units: dict[str, OrgUnit], years: dict[str, SchoolYear]
    ) -> dict[str, SchoolClass]:
        classes: dict[str, SchoolClass] = {}
        for line, row in self.active("classes"):
            sid = row["sourcedId"]
            school = units.get(row["schoolSourcedId"]) or self.find_unit(row["schoolSourcedId"])[0]
            if school is None:
                self.warn(
                    "classes.csv",
                    line,
                    "schoolSourcedId",
                    f"không có đơn vị '{row['schoolSourcedId']}'; bỏ qua lớp",
                )
                self.count("classes", "skipped")
                continue
            year = self.class_year(line, row, years)
            placed = grade_level(row["grades"], school_levels=school.level_codes())
            placed = placed or self.students_grade(sid, school)
            if year is None or placed is None:
                if placed is None:
                    self.warn(
                        "classes.csv",
                        line,
                        "grades",
                        _(
                            "The class gives no grade vnemis knows ({grades}); the class and its "
                            "enrolments were skipped. Use the grade codes PK, KG or 01 to 12."
                        ).format(grades=row["grades"] or "-"),
                    )
                self.count("classes", "skipped")
                continue
            grade, level = placed
            name = (row["title"] or row["classCode"] or sid)[:40]
            with self.row("classes.csv", line):
                found, how = self.find_class(sid, school, year)
                if found is None:
                    found = SchoolClass.objects.filter(
                        school=school, school_year=year, name=name
                    ).first()
                    how = how or "name"
                if found is None:
                    if level not in school.level_codes():
                        org_services.orgunit_group_add(
                            unit=school, group_set="level", group=level, by=self.by
                        )
                    found = people.school_class_create(
                        school=school,
                        school_year=year,
                        level=level,
                        grade=grade,
                        name=name,
                        by=self.by,
                    )
                    self.count("classes", "created")
                # A class keeps its level when the bundle's grade is taught there (grade 10
                # of a continuing-education class is not moved to upper secondary).
                elif found.grade != grade or grade not in LEVEL_GRADES[found.level]:
                    people.school_class_update(
                        school_class=found, grade=grade, level=level, by=self.by
                    )
                    self.count("classes", "updated")
                else:
                    self.count("classes", "unchanged")
                if how != "own":
                    self.remember("class", sid, found)
                classes[sid] = found
        return classes

    def identify(self, sourced_id: str, tokens: list[tuple[str, str]]) -> tuple[Person | None, str]:
        """The person a bundle's user is (None: a new one), and how he was found.

        Every identifier is looked up in the whole database, and a hit outside the importer's
        reach refuses the row with a reason that says nothing about that person; an id that
        only this bundle's source remembered is not evidence of identity and is merely not
        used when it leads out of reach.
        """
        chosen: dict[int, str] = {}
        remembered = next(
            (
                pk
                for pk in self.refs("user", sourced_id, Person)
                if self.reachable(pk) or self.untied(pk)
            ),
            None,
        )
        numbers = {v: c for c, v in tokens if _NATIONAL_ID.fullmatch(v)}
        for pk, number in Person.objects.filter(national_id__in=numbers).values_list(
            "pk", "national_id"
        ):
            if pk != remembered and not self.reachable(pk):
                raise _Refused(numbers[str(number)], str(outside_id()))
            chosen.setdefault(pk, "national_id")
        own = names.own_pk(sourced_id, installation=self.installation, kind=names.USER)
        if own is not None and Person.objects.filter(pk=own).exists():
            if not self.reachable(own):
                raise _Refused("sourcedId", identifier_outside())
            chosen.setdefault(own, "own")
        codes = {v: c for c, v in tokens if len(v) >= MIN_CODE_LENGTH}
        holders = (
            list(Student.objects.filter(code__in=codes).values_list("person_id", "code"))
            + list(
                Student.objects.filter(moet_code__in=codes).values_list("person_id", "moet_code")
            )
            + list(Staff.objects.filter(code__in=codes).values_list("person_id", "code"))
        )
        for pk, code in holders:
            if pk != remembered and not self.reachable(pk):
                raise _Refused(codes[code], identifier_outside())
            chosen.setdefault(pk, "code")
        if remembered is not None:
            chosen.setdefault(remembered, "ref")
        if len(chosen) > 1:
            raise _Refused("", identity_conflict())
        if not chosen:
            return None, ""
        pk, how = next(iter(chosen.items()))
        return Person.objects.get(pk=pk), how

    def users(self, units: dict[str, OrgUnit]) -> dict[str, Person]:
        demographics = {r["sourcedId"]: (line, r) for line, r in self.b.rows("demographics")}
        roles: dict[str, tuple[str, str]] = {}
        for _line, r in self.b.rows("roles"):
            if r["roleType"] == "primary" or r["userSourcedId"] not in roles:
                roles[r["userSourcedId"]] = (r["role"], r["orgSourcedId"])
        persons: dict[str, Person] = {}
        rows = self.active("users")
        for line, row in rows:
            sid = row["sourcedId"]
            self.refused_users.add(sid)  # until the row is through
            try:
                with self.row("users.csv", line):
                    demo = demographics.get(sid, (0, {}))
                    person = self.user(line, row, demo, roles, units)
                    persons[sid] = person
                    self.refused_users.discard(sid)
            except _Refused as refusal:
                self.refuse("users.csv", line, refusal.column, refusal.message)
        # Guardians' agents are their children.
        for _line, row in rows:
            parent = persons.get(row["sourcedId"])
            guardian = Guardian.objects.filter(person=parent).first() if parent else None
            if guardian is None:
                continue
            for agent in (a.strip() for a in row["agentSourcedIds"].split(",") if a.strip()):
                child = persons.get(agent)
                student = Student.objects.filter(person=child).first() if child else None
                linked = GuardianLink.objects.filter(guardian=guardian, student=student)
                if student is not None and not linked.exists():
                    people.guardian_link_set(
                        guardian=guardian,
                        student=student,
                        relation="other",
                        is_primary=False,
                        by=self.by,
                    )
        return persons

    def user(
        self,
        line: int,
        row: dict[str, str],
        demographics: tuple[int, dict[str, str]],
        roles: dict[str, tuple[str, str]],
        units: dict[str, OrgUnit],
    ) -> Person:
        sid = row["sourcedId"]
        tokens = _user_tokens(row)
        person, how = self.identify(sid, tokens)
        demo_line, demo = demographics
        sex = {"male": "M", "female": "F"}.get(demo.get("sex", ""), "")
        birth: dt.date | None = None
        if demo.get("birthDate"):
            try:
                birth = dt.date.fromisoformat(demo["birthDate"][:10])
            except ValueError:
                self.warn(
                    "demographics.csv",
                    demo_line,
                    "birthDate",
                    _(
                        "'{value}' is not a date (YYYY-MM-DD); the date of birth was not changed."
                    ).format(value=demo["birthDate"]),
                )
        wanted: dict[str, object] = {
            "family_name": row["familyName"] or "-",
            "given_name": row["givenName"],
            "middle_name": row["middleName"],
            "email": row["email"][:254],
            "phone": (row["phone"] or row["sms"])[:15],
        }
        if birth:
            wanted["birth_date"] = birth
        if sex:
            wanted["sex"] = sex
        if person is None:
            numbers = {v for _c, v in tokens if _NATIONAL_ID.fullmatch(v)}
            number = numbers.pop() if len(numbers) == 1 else None
            if number and national_id_problems(number, birth_date=birth, sex=sex):
                number = None  # kept out rather than stored wrong; the school can add it
            person = people.person_create(by=self.by, national_id=number, **wanted)
            self.count("users", "created")
        else:
            changed = {k: v for k, v in wanted.items() if getattr(person, k) != v}
            if changed:
                people.person_update(person=person, by=self.by, **changed)
                self.count("users", "updated")
            else:
                self.count("users", "unchanged")
        self.accepted.add(person.pk)
        if how != "own":
            self.remember("user", sid, person)
        role, org_id = roles.get(sid, (row.get("role", ""), ""))
        org_id = (
            org_id
            or row.get("primaryOrgSourcedId", "")
            or (row.get("orgSourcedIds", "").split(",")[0].strip())
        )
        org = units.get(org_id) or self.find_unit(org_id)[0]
        if role == "student" and not hasattr(person, "student"):
            province = org.code[:2] if org and org.code[:2].isdigit() else "99"
            people.student_create(person=person, by=self.by, province_code=province)
        elif role in STAFF_ROLES and not hasattr(person, "staff"):
            if org is None:
                self.warn(
                    "users.csv",
                    line,
                    "orgSourcedIds",
                    "không xác định được đơn vị công tác; chưa tạo hồ sơ cán bộ",
                )
            else:
                people.staff_create(
                    person=person, org_unit=org, by=self.by, position=STAFF_ROLES[role]
                )
        elif role in GUARDIAN_ROLES and not hasattr(person, "guardian"):
            people.guardian_create(person=person, by=self.by)
        return person

    def enrollments(self, persons: dict[str, Person], classes: dict[str, SchoolClass]) -> None:
        for line, row in self.active("enrollments"):
            user_sid = row["userSourcedId"]
            if user_sid in self.refused_users:
                self.count("enrollments", "skipped (user refused)")
                continue
            school_class = classes.get(row["classSourcedId"])
            person = persons.get(user_sid)
            if person is None and school_class is not None:
                # A user of an earlier bundle (a delta names only what changed).
                try:
                    person = self.identify(user_sid, [("userSourcedId", user_sid)])[0]
                except _Refused as refusal:
                    self.refuse("enrollments.csv", line, refusal.column, refusal.message)
                    continue
            if person is None or school_class is None:
                self.warn(
                    "enrollments.csv",
                    line,
                    "userSourcedId" if person is None else "classSourcedId",
                    "tham chiếu không có trong gói; bỏ qua",
                )
                self.count("enrollments", "skipped")
                continue
            with self.row("enrollments.csv", line):
                self.enrollment(row, person, school_class)

    def enrollment(self, row: dict[str, str], person: Person, school_class: SchoolClass) -> None:
        if row["role"] == "teacher":
            staff = Staff.objects.filter(person=person).first()
            if (
                staff is not None
                and school_class.homeroom_teacher_id is None
                and (staff.org_unit_id == school_class.school_id)
            ):
                people.school_class_set_homeroom(
                    school_class=school_class, teacher=staff, by=self.by
                )
                self.count("enrollments", "homeroom set")
            else:
                self.count("enrollments", "unchanged")
            return
        if row["role"] != "student":
            self.count("enrollments", f"skipped ({row['role']})")
            return
        year, school = school_class.school_year, school_class.school
        student = Student.objects.filter(person=person).first()
        if student is None:
            code = school.code[:2]
            student = people.student_create(
                person=person, by=self.by, province_code=code if code.isdigit() else "99"
            )
        current = Enrollment.objects.active().filter(student=student, school_year=year).first()
        if current is None:
            try:
                begins = dt.date.fromisoformat(row["beginDate"][:10])
            except ValueError:
                begins = self.day
            people.enrollment_create(
                student=student,
                school=school,
                school_year=year,
                grade=school_class.grade,
                level=school_class.level,
                started_on=max(year.starts_on, min(begins, year.ends_on)),
                school_class=school_class,
                by=self.by,
            )
            self.count("enrollments", "created")
        elif current.school_class_id == school_class.pk:
            self.count("enrollments", "unchanged")
        elif current.school_id == school.pk:
            # vnemis keeps one class per student and year (the homeroom class); further
            # class memberships of the roster are not stored.
            self.count("enrollments", "other class kept as reference")
        else:
            # Enrolled elsewhere this year: a transfer is the schools' business, not a roster's.
            self.count("enrollments", "skipped (enrolled at another school this year)")
        self.remember("enrollment", row["sourcedId"], student)

    def run(self) -> None:
        units = self.orgs()
        years = self.years()
        classes = self.classes(units, years)
        persons = self.users(units)
        self.enrollments(persons, classes)
        # Read for the users' roles and demographics, or not mapped (courses, profiles).
        for name in ("courses", "roles", "userProfiles", "demographics"):
            if self.b.tables.get(name):
                self.result.counts.setdefault(name, Counter())["read"] += len(self.b.tables[name])


def oneroster_import(
    *,
    path: Path,
    scope: OrgUnit,
    by: User | None,
    dry_run: bool = False,
    day: dt.date | None = None,
    partial: bool = False,
) -> RosterResult:
    """Check the bundle, then import it under ``scope`` in one transaction.

    A refused row (a user who is somebody out of reach, a row the services refuse) refuses
    the bundle: nothing is written, unless ``partial``, when the other rows are. A dry run
    writes nothing.
    """
    bundle = read_bundle(path)
    if bundle.errors:
        return RosterResult(problems=bundle.problems)
    if not unit_paths(scope):
        message = _(
            "The unit {name} has no place in the organisation tree; place it in the tree "
            "before importing under it."
        ).format(name=scope.name)
        return RosterResult(problems=[*bundle.problems, Problem(path.name, 0, "", message)])
    importer = _Importer(bundle, scope, by, day or timezone.localdate())
    with transaction.atomic():
        importer.run()
        if dry_run or (importer.result.refused and not partial):
            transaction.set_rollback(True)
        else:
            importer.result.written = True
    return importer.result
