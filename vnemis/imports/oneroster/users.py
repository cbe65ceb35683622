"""OneRoster users, roles, demographics and enrollments → persons with a student, staff or
guardian record, guardians linked to their children, enrolments and homeroom teachers.

A user is identified only within the importer's reach: a personal ID number, code or vnemis
name that belongs to a person out of reach refuses the row, with a reason that names nobody.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from vnemis.imports.formats.base import outside_id
from vnemis.imports.oneroster import ids as names
from vnemis.imports.oneroster.bundle import METADATA
from vnemis.imports.oneroster.run import Refused, RosterRun
from vnemis.organisations.models import OrgUnit
from vnemis.people import services as people
from vnemis.people.identity import national_id_problems
from vnemis.people.models import Enrollment, Guardian, Person, SchoolClass, Staff, Student
from vnemis.people.services import guardians

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


def user_identify(
    run: RosterRun, sourced_id: str, tokens: list[tuple[str, str]]
) -> tuple[Person | None, str]:
    """The person a bundle's user is (None: a new one), and how he was found.

    Every identifier is looked up in the whole database, and a hit outside the importer's
    reach refuses the row with a reason that says nothing about that person; an id that
    only this bundle's source remembered is not evidence of identity and is merely not
    used when it leads out of reach.
    """
    chosen: dict[int, str] = {}
    remembered = next(
        (pk for pk in run.refs("user", sourced_id, Person) if run.reachable(pk) or run.untied(pk)),
        None,
    )
    numbers = {v: c for c, v in tokens if _NATIONAL_ID.fullmatch(v)}
    for pk, number in Person.objects.filter(national_id__in=numbers).values_list(
        "pk", "national_id"
    ):
        if pk != remembered and not run.reachable(pk):
            raise Refused(numbers[str(number)], str(outside_id()))
        chosen.setdefault(pk, "national_id")
    own = names.own_pk(sourced_id, installation=run.installation, kind=names.USER)
    if own is not None and Person.objects.filter(pk=own).exists():
        if not run.reachable(own):
            raise Refused("sourcedId", identifier_outside())
        chosen.setdefault(own, "own")
    codes = {v: c for c, v in tokens if len(v) >= MIN_CODE_LENGTH}
    holders = (
        list(Student.objects.filter(code__in=codes).values_list("person_id", "code"))
        + list(Student.objects.filter(moet_code__in=codes).values_list("person_id", "moet_code"))
        + list(Staff.objects.filter(code__in=codes).values_list("person_id", "code"))
    )
    for pk, code in holders:
        if pk != remembered and not run.reachable(pk):
            raise Refused(codes[code], identifier_outside())
        chosen.setdefault(pk, "code")
    if remembered is not None:
        chosen.setdefault(remembered, "ref")
    if len(chosen) > 1:
        raise Refused("", identity_conflict())
    if not chosen:
        return None, ""
    pk, how = next(iter(chosen.items()))
    return Person.objects.get(pk=pk), how


def users_import(run: RosterRun, units: dict[str, OrgUnit]) -> dict[str, Person]:
    demographics = {r["sourcedId"]: (line, r) for line, r in run.b.rows("demographics")}
    roles: dict[str, tuple[str, str]] = {}
    for _line, r in run.b.rows("roles"):
        if r["roleType"] == "primary" or r["userSourcedId"] not in roles:
            roles[r["userSourcedId"]] = (r["role"], r["orgSourcedId"])
    persons: dict[str, Person] = {}
    rows = run.active("users")
    for line, row in rows:
        sid = row["sourcedId"]
        run.refused_users.add(sid)  # until the row is through
        try:
            with run.row("users.csv", line):
                demo = demographics.get(sid, (0, {}))
                person = user_import(run, line, row, demo, roles, units)
                persons[sid] = person
                run.refused_users.discard(sid)
        except Refused as refusal:
            run.refuse("users.csv", line, refusal.column, refusal.message)
    # Guardians' agents are their children.
    for _line, row in rows:
        parent = persons.get(row["sourcedId"])
        guardian = Guardian.objects.filter(person=parent).first() if parent else None
        if guardian is None:
            continue
        agents = [a.strip() for a in row["agentSourcedIds"].split(",") if a.strip()]
        children = [persons[a] for a in agents if a in persons]
        # A roster says "parent" or "guardian", not which: the relation is "other" until the
        # school sets it.
        guardians.guardian_children_add(
            guardian=guardian,
            students=Student.objects.filter(person__in=children).order_by("pk"),
            by=run.by,
        )
    return persons


def user_import(
    run: RosterRun,
    line: int,
    row: dict[str, str],
    demographics: tuple[int, dict[str, str]],
    roles: dict[str, tuple[str, str]],
    units: dict[str, OrgUnit],
) -> Person:
    sid = row["sourcedId"]
    tokens = _user_tokens(row)
    person, how = user_identify(run, sid, tokens)
    demo_line, demo = demographics
    sex = {"male": "M", "female": "F"}.get(demo.get("sex", ""), "")
    birth: dt.date | None = None
    if demo.get("birthDate"):
        try:
            birth = dt.date.fromisoformat(demo["birthDate"][:10])
        except ValueError:
            run.warn(
                "demographics.csv",
                demo_line,
                "birthDate",
                _(
                    "'{value}' is not a date (YYYY-MM-DD); the date of birth was not changed."
                ).format(value=demo["birthDate"]),
            )
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
    if person is None:
        numbers = {v for _c, v in tokens if _NATIONAL_ID.fullmatch(v)}
        number = numbers.pop() if len(numbers) == 1 else None
        if number and national_id_problems(number, birth_date=birth, sex=sex):
            number = None  # kept out rather than stored wrong; the school can add it
        person = people.person_create(
            family_name=wanted["family_name"],
            given_name=wanted["given_name"],
            middle_name=wanted["middle_name"],
            email=wanted["email"],
            phone=wanted["phone"],
            birth_date=birth,
            sex=sex,
            national_id=number,
            by=run.by,
        )
        run.count("users", "created")
    else:
        changed = {k: v for k, v in wanted.items() if getattr(person, k) != v}
        if changed:
            people.person_update(person=person, by=run.by, **changed)
            run.count("users", "updated")
        else:
            run.count("users", "unchanged")
    run.accepted.add(person.pk)
    if how != "own":
        run.remember("user", sid, person)
    role, org_id = roles.get(sid, (row.get("role", ""), ""))
    org_id = (
        org_id
        or row.get("primaryOrgSourcedId", "")
        or (row.get("orgSourcedIds", "").split(",")[0].strip())
    )
    org = units.get(org_id) or run.find_unit(org_id)[0]
    if role == "student" and not hasattr(person, "student"):
        province = org.code[:2] if org and org.code[:2].isdigit() else "99"
        people.student_create(person=person, by=run.by, province_code=province)
    elif role in STAFF_ROLES and not hasattr(person, "staff"):
        if org is None:
            run.warn(
                "users.csv",
                line,
                "orgSourcedIds",
                "không xác định được đơn vị công tác; chưa tạo hồ sơ cán bộ",
            )
        else:
            people.staff_create(person=person, org_unit=org, by=run.by, position=STAFF_ROLES[role])
    elif role in GUARDIAN_ROLES:
        guardians.guardian_ensure(person=person, by=run.by)
    return person


def enrollments_import(
    run: RosterRun, persons: dict[str, Person], classes: dict[str, SchoolClass]
) -> None:
    for line, row in run.active("enrollments"):
        user_sid = row["userSourcedId"]
        if user_sid in run.refused_users:
            run.count("enrollments", "skipped (user refused)")
            continue
        school_class = classes.get(row["classSourcedId"])
        person = persons.get(user_sid)
        if person is None and school_class is not None:
            # A user of an earlier bundle (a delta names only what changed).
            try:
                person = user_identify(run, user_sid, [("userSourcedId", user_sid)])[0]
            except Refused as refusal:
                run.refuse("enrollments.csv", line, refusal.column, refusal.message)
                continue
        if person is None or school_class is None:
            run.warn(
                "enrollments.csv",
                line,
                "userSourcedId" if person is None else "classSourcedId",
                "tham chiếu không có trong gói; bỏ qua",
            )
            run.count("enrollments", "skipped")
            continue
        with run.row("enrollments.csv", line):
            enrollment_import(run, row, person, school_class)


def enrollment_import(
    run: RosterRun, row: dict[str, str], person: Person, school_class: SchoolClass
) -> None:
    if row["role"] == "teacher":
        staff = Staff.objects.filter(person=person).first()
        if (
            staff is not None
            and school_class.homeroom_teacher_id is None
            and (staff.org_unit_id == school_class.school_id)
        ):
            people.school_class_set_homeroom(school_class=school_class, teacher=staff, by=run.by)
            run.count("enrollments", "homeroom set")
        else:
            run.count("enrollments", "unchanged")
        return
    if row["role"] != "student":
        run.count("enrollments", f"skipped ({row['role']})")
        return
    year, school = school_class.school_year, school_class.school
    student = Student.objects.filter(person=person).first()
    if student is None:
        code = school.code[:2]
        student = people.student_create(
            person=person, by=run.by, province_code=code if code.isdigit() else "99"
        )
    current = Enrollment.objects.active().filter(student=student, school_year=year).first()
    if current is None:
        try:
            begins = dt.date.fromisoformat(row["beginDate"][:10])
        except ValueError:
            begins = run.day
        people.enrollment_create(
            student=student,
            school=school,
            school_year=year,
            grade=school_class.grade,
            level=school_class.level,
            started_on=max(year.starts_on, min(begins, year.ends_on)),
            school_class=school_class,
            by=run.by,
        )
        run.count("enrollments", "created")
    elif current.school_class_id == school_class.pk:
        run.count("enrollments", "unchanged")
    elif current.school_id == school.pk:
        # vnemis keeps one class per student and year (the homeroom class); further
        # class memberships of the roster are not stored.
        run.count("enrollments", "other class kept as reference")
    else:
        # Enrolled elsewhere this year: a transfer is the schools' business, not a roster's.
        run.count("enrollments", "skipped (enrolled at another school this year)")
    run.remember("enrollment", row["sourcedId"], student)
