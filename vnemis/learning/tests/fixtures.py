"""Learning records added to the test world: a lower-secondary school of Bát Xát with a grade-6
class (TT22/2021 in 2021-22) and a grade-7 class (TT58 as amended), their teachers and
accounts, and the national subject catalogue.

Personas added (comments give what each may do):
- ``principal_c``: principal of the THCS school: reads every gradebook, locks, decides.
- ``teacher_c``: homeroom teacher of 6A; teaches Ngữ văn in 6A.
- ``teacher_d``: teaches Toán in 6A and 7A; homeroom of nothing.
- ``parent_c``: father of ``s6a`` only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vnemis.accounts import services as account_services
from vnemis.accounts.choices import Role
from vnemis.accounts.models import User
from vnemis.learning.models import Subject
from vnemis.learning.services.catalogue import assignment_set, catalogue_sync, class_subjects
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgUnit, TreeVersion
from vnemis.people import services as people_services
from vnemis.people.models import Guardian, GuardianLink, Person, SchoolClass, Staff, Student
from vnemis.testing.world import DAY, PASSWORD, World


@dataclass
class Learning:
    school_c: OrgUnit
    class_6a: SchoolClass
    class_7a: SchoolClass
    teacher_c: Staff
    teacher_d: Staff
    s6a: Student
    s6b: Student
    s7: Student
    toan_6: Subject
    van_6: Subject
    gdcd_6: Subject
    gdtc_6: Subject
    toan_7: Subject
    users: dict[str, User]


def _person(family: str, given: str, birth: dt.date, nid: str, sex: str = "F") -> Person:
    return people_services.person_create(
        by=None,
        family_name=family,
        middle_name="Thị",
        given_name=given,
        sex=sex,
        birth_date=birth,
        national_id=nid,
    )


def build_learning(world: World) -> Learning:
    catalogue_sync(by=None)
    school_c = org_services.orgunit_create(
        kind="school",
        code="10082101",
        name="Trường THCS Bát Xát",
        by=None,
        groups=[("level", "thcs")],
        ownership="cong_lap",
    )
    org_services.orgunit_place(
        unit=school_c,
        version=TreeVersion.objects.get(code="2022"),
        parent=world.batxat,
        by=None,
    )

    def staff(given: str, nid: str) -> Staff:
        return people_services.staff_create(
            person=_person("Vàng", given, dt.date(1988, 4, 1), nid),
            org_unit=school_c,
            position="giao_vien",
            by=None,
        )

    teacher_c = staff("Chi", "010188000011")
    teacher_d = staff("Dung", "010188000012")

    def klass(grade: int, name: str, homeroom: Staff | None) -> SchoolClass:
        return people_services.school_class_create(
            school=school_c,
            school_year=world.year,
            level="thcs",
            grade=grade,
            name=name,
            homeroom_teacher=homeroom,
            by=None,
        )

    class_6a = klass(6, "6A", teacher_c)
    class_7a = klass(7, "7A", None)

    def pupil(given: str, klass: SchoolClass, nid: str) -> Student:
        student = people_services.student_create(
            person=_person("Sùng", given, dt.date(2010, 2, 3), nid), by=None, province_code="10"
        )
        people_services.enrollment_create(
            student=student,
            school=school_c,
            school_year=world.year,
            grade=klass.grade,
            level="thcs",
            started_on=DAY,
            school_class=klass,
            by=None,
        )
        return student

    s6a = pupil("Mỷ", class_6a, "010310000021")
    s6b = pupil("Pằng", class_6a, "010310000022")
    s7 = pupil("Súa", class_7a, "010310000023")

    subjects_6 = {s.code: s for s in class_subjects(class_6a)}
    subjects_7 = {s.code: s for s in class_subjects(class_7a)}
    assignment_set(school_class=class_6a, subject=subjects_6["toan"], teacher=teacher_d, by=None)
    assignment_set(school_class=class_6a, subject=subjects_6["ngu_van"], teacher=teacher_c, by=None)
    assignment_set(school_class=class_7a, subject=subjects_7["toan"], teacher=teacher_d, by=None)

    users: dict[str, User] = {}

    def user(name: str, role: Role, person: Person | None = None) -> None:
        u = account_services.user_create(
            username=name, password=PASSWORD, by=None, check_password=False
        )
        account_services.role_assign(user=u, role=role, org_unit=school_c, by=None)
        if person is not None:
            Person.objects.filter(pk=person.pk).update(user=u)
        users[name] = u

    user("principal_c", Role.PRINCIPAL)
    user("teacher_c", Role.TEACHER, teacher_c.person)
    user("teacher_d", Role.TEACHER, teacher_d.person)
    father = _person("Sùng", "Páo", dt.date(1982, 6, 1), "010082000024", sex="M")
    guardian = Guardian.objects.create(person=father)
    GuardianLink.objects.create(guardian=guardian, student=s6a, relation="father", is_primary=True)
    user("parent_c", Role.PARENT, father)
    return Learning(
        school_c=school_c,
        class_6a=class_6a,
        class_7a=class_7a,
        teacher_c=teacher_c,
        teacher_d=teacher_d,
        s6a=s6a,
        s6b=s6b,
        s7=s7,
        toan_6=subjects_6["toan"],
        van_6=subjects_6["ngu_van"],
        gdcd_6=subjects_6["gdcd"],
        gdtc_6=subjects_6["gdtc"],
        toan_7=subjects_7["toan"],
        users=users,
    )
