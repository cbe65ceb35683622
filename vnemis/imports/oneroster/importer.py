"""Importing a checked OneRoster bundle into vnemis, through the apps' services.

Mapping: orgs → org units (school-like types → schools; district/local → district offices;
state/national → departments) placed under the importing unit; academicSessions → school
years (by their ``schoolYear``); classes → classes; users → persons with a student, staff or
guardian record by role; enrollments → a student's enrolment of the year (the first class
becomes its class) and a teacher's homeroom class. Every record is remembered by its
sourcedId (``ExternalRef``), so importing again changes nothing; records exported by vnemis
are recognised by their vnemis codes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from vnemis.imports.models import ExternalRef
from vnemis.imports.oneroster.bundle import Bundle, Problem, read_bundle
from vnemis.organisations import services as org_services
from vnemis.organisations.choices import LEVEL_GRADES, OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear, TreeVersion
from vnemis.people import services as people
from vnemis.people.models import (
    Enrollment,
    Guardian,
    GuardianLink,
    Person,
    SchoolClass,
    Staff,
    Student,
)

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
_CODE = re.compile(r"[^A-Za-z0-9_-]")


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


def _level_for(grade: int) -> str:
    for level in ("mn", "th", "thcs", "thpt"):
        if grade in LEVEL_GRADES[level]:
            return level
    return "thpt"


def _grade(text: str) -> int:
    for part in text.split(","):
        part = part.strip()
        if part.isdigit():
            return int(part)
        if part.upper() in {"PK", "KG", "IT", "PR"}:
            return 0
    return 0


class _Importer:
    def __init__(self, bundle: Bundle, scope: OrgUnit, by: Any, day: dt.date) -> None:
        self.b, self.scope, self.by, self.day = bundle, scope, by, day
        self.system = bundle.system
        self.result = RosterResult(problems=list(bundle.problems))
        self.version = TreeVersion.for_date(day)

    # Bookkeeping --------------------------------------------------------------------------
    def count(self, table: str, outcome: str) -> None:
        self.result.counts.setdefault(table, Counter())[outcome] += 1

    def warn(self, file: str, line: int, column: str, message: str) -> None:
        self.result.problems.append(Problem(file, line, column, message, error=False))

    def ref(self, record_type: str, external_id: str) -> int | None:
        """The vnemis id of a sourcedId: from this system first, then from any system (a
        vnemis export hands other systems' identifiers back unchanged)."""
        refs = ExternalRef.objects.filter(record_type=record_type, external_id=external_id)
        found = refs.filter(system=self.system).first() or refs.first()
        return found.target_id if found else None

    def remember(self, record_type: str, external_id: str, target: models.Model) -> None:
        ExternalRef.objects.get_or_create(
            system=self.system,
            record_type=record_type,
            external_id=external_id,
            defaults={"target_type": target._meta.label, "target_id": target.pk},
        )

    def active(self, name: str) -> list[tuple[int, dict[str, str]]]:
        rows = []
        for line, row in self.b.rows(name):
            if row["status"] == "tobedeleted":
                self.count(name, "skipped (tobedeleted)")
                continue
            rows.append((line, row))
        return rows

    # Tables -------------------------------------------------------------------------------
    def orgs(self) -> dict[str, OrgUnit]:
        units: dict[str, OrgUnit] = {}
        rows = self.active("orgs")
        for _line, row in rows:
            pk = self.ref("org", row["sourcedId"])
            unit = (
                OrgUnit.objects.filter(pk=pk).first()
                if pk
                else OrgUnit.objects.filter(code=row["sourcedId"]).first()
            )
            if unit is not None:
                if unit.name != row["name"] and row["name"]:
                    org_services.orgunit_update(unit=unit, by=self.by, name=row["name"])
                    self.count("orgs", "updated")
                else:
                    self.count("orgs", "unchanged")
            else:
                code = _CODE.sub("-", row["sourcedId"])[:32]
                unit = org_services.orgunit_create(
                    kind=ORG_KINDS.get(row["type"], OrgUnitKind.SCHOOL),
                    code=code,
                    name=row["name"] or code,
                    by=self.by,
                )
                self.count("orgs", "created")
            self.remember("org", row["sourcedId"], unit)
            units[row["sourcedId"]] = unit
        for line, row in rows:
            unit = units[row["sourcedId"]]
            if OrgPlacement.objects.filter(version=self.version, unit=unit).exists():
                continue
            parent = units.get(row["parentSourcedId"])
            if row["parentSourcedId"] and parent is None:
                self.warn(
                    "orgs.csv",
                    line,
                    "parentSourcedId",
                    f"đơn vị cha '{row['parentSourcedId']}' không có trong gói; đặt dưới "
                    f"{self.scope.name}",
                )
            org_services.orgunit_place(
                unit=unit, version=self.version, parent=parent or self.scope, by=self.by
            )
        return units

    def years(self) -> dict[str, SchoolYear]:
        """Each session's school year, by sourcedId (schoolYear 2023 → 2022-2023)."""
        years: dict[str, SchoolYear] = {}
        for _line, row in self.b.rows("academicSessions"):
            end_year = int(row["schoolYear"]) if row["schoolYear"].isdigit() else self.day.year
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

    def classes(
        self, units: dict[str, OrgUnit], years: dict[str, SchoolYear]
    ) -> dict[str, SchoolClass]:
        classes: dict[str, SchoolClass] = {}
        for line, row in self.active("classes"):
            school = units.get(row["schoolSourcedId"]) or self._unit(row["schoolSourcedId"])
            if school is None:
                self.warn(
                    "classes.csv",
                    line,
                    "schoolSourcedId",
                    f"không có đơn vị '{row['schoolSourcedId']}'; bỏ qua lớp",
                )
                self.count("classes", "skipped")
                continue
            terms = [t.strip() for t in row["termSourcedIds"].split(",") if t.strip()]
            year = next((years[t] for t in terms if t in years), None) or SchoolYear.current(
                today=self.day
            )
            if year is None:
                self.count("classes", "skipped")
                continue
            grade = _grade(row["grades"])
            level = _level_for(grade)
            if level not in school.level_codes():
                org_services.orgunit_group_add(
                    unit=school, group_set="level", group=level, by=self.by
                )
            pk = self.ref("class", row["sourcedId"])
            if pk is None and row["sourcedId"].startswith("cls-"):
                pk = int(row["sourcedId"][4:]) if row["sourcedId"][4:].isdigit() else None
            found = SchoolClass.objects.filter(pk=pk).first() if pk else None
            name = (row["title"] or row["classCode"] or row["sourcedId"])[:40]
            if found is None:
                found = SchoolClass.objects.filter(
                    school=school, school_year=year, name=name
                ).first()
            if found is None:
                found = people.school_class_create(
                    school=school, school_year=year, level=level, grade=grade, name=name, by=self.by
                )
                self.count("classes", "created")
            else:
                self.count("classes", "unchanged")
            self.remember("class", row["sourcedId"], found)
            classes[row["sourcedId"]] = found
        return classes

    def _unit(self, sourced_id: str) -> OrgUnit | None:
        pk = self.ref("org", sourced_id)
        return (
            OrgUnit.objects.filter(pk=pk).first()
            if pk
            else OrgUnit.objects.filter(code=sourced_id).first()
        )

    def users(self, units: dict[str, OrgUnit]) -> dict[str, Person]:
        demographics = {r["sourcedId"]: r for _l, r in self.b.rows("demographics")}
        roles: dict[str, tuple[str, str]] = {}
        for _line, r in self.b.rows("roles"):
            if r["roleType"] == "primary" or r["userSourcedId"] not in roles:
                roles[r["userSourcedId"]] = (r["role"], r["orgSourcedId"])
        persons: dict[str, Person] = {}
        for line, row in self.active("users"):
            sid = row["sourcedId"]
            role, org_id = roles.get(sid, (row.get("role", ""), ""))
            org_id = (
                org_id
                or row.get("primaryOrgSourcedId", "")
                or (row.get("orgSourcedIds", "").split(",")[0].strip())
            )
            demo = demographics.get(sid, {})
            sex = {"male": "M", "female": "F"}.get(demo.get("sex", ""), "")
            birth = dt.date.fromisoformat(demo["birthDate"]) if demo.get("birthDate") else None
            wanted: dict[str, Any] = {
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
            person = self._person(sid)
            if person is None:
                person = people.person_create(by=self.by, sex=sex, **wanted)
                self.count("users", "created")
            else:
                changed = {k: v for k, v in wanted.items() if getattr(person, k) != v}
                if changed:
                    people.person_update(person=person, by=self.by, **changed)
                    self.count("users", "updated")
                else:
                    self.count("users", "unchanged")
            self.remember("user", sid, person)
            persons[sid] = person
            org = units.get(org_id) or self._unit(org_id)
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
                Guardian.objects.create(person=person)
        # Guardians' agents are their children.
        for _line, row in self.active("users"):
            person = persons[row["sourcedId"]]
            guardian = Guardian.objects.filter(person=person).first()
            if guardian is None:
                continue
            for agent in (a.strip() for a in row["agentSourcedIds"].split(",") if a.strip()):
                child = persons.get(agent)
                student = Student.objects.filter(person=child).first() if child else None
                if student is not None:
                    GuardianLink.objects.get_or_create(
                        guardian=guardian, student=student, defaults={"relation": "other"}
                    )
        return persons

    def _person(self, sourced_id: str) -> Person | None:
        pk = self.ref("user", sourced_id)
        if pk:
            return Person.objects.filter(pk=pk).first()
        student = Student.objects.filter(code=sourced_id).select_related("person").first()
        if student:
            return student.person
        staff = Staff.objects.filter(code=sourced_id).select_related("person").first()
        return staff.person if staff else None

    def enrollments(self, persons: dict[str, Person], classes: dict[str, SchoolClass]) -> None:
        for line, row in self.active("enrollments"):
            person = persons.get(row["userSourcedId"]) or self._person(row["userSourcedId"])
            school_class = classes.get(row["classSourcedId"])
            if person is None or school_class is None:
                self.warn(
                    "enrollments.csv",
                    line,
                    "userSourcedId" if person is None else "classSourcedId",
                    "tham chiếu không có trong gói; bỏ qua",
                )
                self.count("enrollments", "skipped")
                continue
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
                continue
            if row["role"] != "student":
                self.count("enrollments", f"skipped ({row['role']})")
                continue
            student = Student.objects.filter(person=person).first()
            if student is None:
                student = people.student_create(
                    person=person,
                    by=self.by,
                    province_code=school_class.school.code[:2]
                    if school_class.school.code[:2].isdigit()
                    else "99",
                )
            current = (
                Enrollment.objects.active()
                .filter(student=student, school_year=school_class.school_year)
                .first()
            )
            if current is None:
                started = max(
                    school_class.school_year.starts_on,
                    min(self.day, school_class.school_year.ends_on),
                )
                people.enrollment_create(
                    student=student,
                    school=school_class.school,
                    school_year=school_class.school_year,
                    grade=school_class.grade,
                    level=school_class.level,
                    started_on=started,
                    school_class=school_class,
                    by=self.by,
                )
                self.count("enrollments", "created")
            elif current.school_class_id == school_class.pk:
                self.count("enrollments", "unchanged")
            else:
                # vnemis keeps one class per student and year (the homeroom class); further
                # class memberships of the roster are not stored.
                self.count("enrollments", "other class kept as reference")
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
    *, path: Path, scope: OrgUnit, by: Any, dry_run: bool = False, day: dt.date | None = None
) -> RosterResult:
    """Check the bundle, then import it in one transaction (rolled back on a dry run)."""
    bundle = read_bundle(path)
    if bundle.errors:
        return RosterResult(problems=bundle.problems)
    importer = _Importer(bundle, scope, by, day or timezone.localdate())
    with transaction.atomic():
        importer.run()
        if dry_run:
            transaction.set_rollback(True)
        else:
            importer.result.written = True
    return importer.result
