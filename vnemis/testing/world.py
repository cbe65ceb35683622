"""A small hand-built province for tests, made through the services, with named personas.

Tree 2022: SGD10 → PGD082 (Bát Xát) → school A (TH), PGD086 (Bảo Thắng) → school B (TH).
Tree 2025: SGD15 → XA02683 (Xã Bát Xát) → school A; SGD15 → XA02902 → school B.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from vnemis.accounts import services as account_services
from vnemis.accounts.choices import Role
from vnemis.accounts.models import User
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgUnit, OrgUnitLink, SchoolYear, TreeVersion
from vnemis.people import services as people_services
from vnemis.people.models import Guardian, GuardianLink, Person, SchoolClass, Staff, Student

PASSWORD = "test-pass-2022"
DAY = dt.date(2021, 9, 5)


@dataclass
class World:
    province: OrgUnit
    batxat: OrgUnit
    baothang: OrgUnit
    commune_a: OrgUnit
    school_a: OrgUnit
    school_b: OrgUnit
    site_a: OrgUnit
    year: SchoolYear
    class_a1: SchoolClass
    class_a2: SchoolClass
    class_b1: SchoolClass
    teacher_a: Staff
    teacher_a2: Staff
    student_a1: Student
    student_a2: Student
    student_b: Student
    users: dict[str, User]


def _person(
    family: str, given: str, sex: str, birth: dt.date, national_id: str | None, middle: str = "Văn"
) -> Person:
    return people_services.person_create(
        by=None,
        family_name=family,
        middle_name=middle,
        given_name=given,
        sex=sex,
        birth_date=birth,
        national_id=national_id,
        phone="0912345678",
        address="Thôn Nậm Chạc, Xã A Mú Sung, Bát Xát, Lào Cai",
    )


def ensure_reference_data() -> None:
    """Re-create the rows of the reference-data migration, which a transactional test's flush
    removes; the migration's own function is reused so the data has one source."""
    from django.apps import apps

    for module in (
        "vnemis.organisations.migrations.0002_fill_reference_data",
        "vnemis.indicators.migrations.0002_fill_definitions",
    ):
        importlib.import_module(module).fill(apps, None)


def build_world() -> World:
    ensure_reference_data()
    v22 = TreeVersion.objects.get(code="2022")
    v25 = TreeVersion.objects.get(code="2025")
    mk = org_services.orgunit_create
    place = org_services.orgunit_place
    province = mk(kind="department", code="SGD10", name="Sở GD&ĐT Lào Cai", by=None)
    new_province = mk(kind="department", code="SGD15", name="Sở GD&ĐT Lào Cai (2025)", by=None)
    batxat = mk(kind="district_office", code="PGD082", name="Phòng GD&ĐT Bát Xát", by=None)
    baothang = mk(kind="district_office", code="PGD086", name="Phòng GD&ĐT Bảo Thắng", by=None)
    commune_a = mk(kind="commune", code="XA02683", name="Xã Bát Xát", by=None)
    commune_b = mk(kind="commune", code="XA02902", name="Xã Bảo Thắng", by=None)
    school_a = mk(
        kind="school",
        code="10082001",
        name="Trường Tiểu học Bát Xát",
        by=None,
        groups=[("level", "th")],
        ownership="cong_lap",
    )
    school_b = mk(
        kind="school",
        code="10086001",
        name="Trường Tiểu học Phố Lu",
        by=None,
        groups=[("level", "th")],
        ownership="cong_lap",
    )
    site_a = mk(kind="site", code="10082001-01", name="Điểm trường chính", school=school_a, by=None)
    place(unit=province, version=v22, parent=None, by=None)
    place(unit=batxat, version=v22, parent=province, by=None)
    place(unit=baothang, version=v22, parent=province, by=None)
    place(unit=school_a, version=v22, parent=batxat, by=None)
    place(unit=school_b, version=v22, parent=baothang, by=None)
    place(unit=site_a, version=v22, parent=school_a, by=None)
    place(unit=new_province, version=v25, parent=None, by=None)
    place(unit=commune_a, version=v25, parent=new_province, by=None)
    place(unit=commune_b, version=v25, parent=new_province, by=None)
    place(unit=school_a, version=v25, parent=commune_a, by=None)
    place(unit=school_b, version=v25, parent=commune_b, by=None)
    place(unit=site_a, version=v25, parent=school_a, by=None)
    OrgUnitLink.objects.create(
        source=province, target=new_province, kind="merged_into", on=dt.date(2025, 7, 1)
    )
    year = org_services.school_year_create(starts_on=DAY, ends_on=dt.date(2022, 5, 31), by=None)

    def teacher(given: str, school: OrgUnit, nid: str) -> Staff:
        person = _person("Lò", given, "F", dt.date(1985, 3, 1), nid, middle="Thị")
        return people_services.staff_create(
            person=person, org_unit=school, position="giao_vien", by=None
        )

    teacher_a = teacher("Mai", school_a, "010185000001")
    teacher_a2 = teacher("Hoa", school_a, "010185000002")
    teacher_b = teacher("Lan", school_b, "010185000003")

    def klass(school: OrgUnit, name: str, t: Staff) -> SchoolClass:
        return people_services.school_class_create(
            school=school,
            school_year=year,
            level="th",
            grade=3,
            name=name,
            homeroom_teacher=t,
            by=None,
        )

    class_a1 = klass(school_a, "3A", teacher_a)
    class_a2 = klass(school_a, "3B", teacher_a2)
    class_b1 = klass(school_b, "3A", teacher_b)

    def pupil(given: str, school: OrgUnit, c: SchoolClass, nid: str) -> Student:
        person = _person("Giàng", given, "M", dt.date(2013, 5, 2), nid, middle="A")
        student = people_services.student_create(person=person, by=None, province_code="10")
        people_services.enrollment_create(
            student=student,
            school=school,
            school_year=year,
            grade=3,
            level="th",
            started_on=DAY,
            school_class=c,
            by=None,
        )
        return student

    student_a1 = pupil("Páo", school_a, class_a1, "010213000001")
    student_a2 = pupil("Chứ", school_a, class_a2, "010213000002")
    student_b = pupil("Sử", school_b, class_b1, "010213000003")
    parent_person = _person("Giàng", "Dình", "M", dt.date(1980, 1, 1), "010080000001", "A")
    guardian = Guardian.objects.create(person=parent_person)
    GuardianLink.objects.create(
        guardian=guardian, student=student_a1, relation="father", is_primary=True
    )

    users: dict[str, User] = {}

    def user(
        name: str, role: Role | None, unit: OrgUnit | None, person: Person | None = None
    ) -> User:
        u = account_services.user_create(
            username=name, password=PASSWORD, by=None, check_password=False
        )
        if role is not None and unit is not None:
            account_services.role_assign(user=u, role=role, org_unit=unit, by=None)
        if person is not None:
            Person.objects.filter(pk=person.pk).update(user=u)
        users[name] = u
        return u

    user("department_admin", Role.DEPARTMENT_ADMIN, province)  # province, unmasked
    user("province_officer", Role.DEPARTMENT_OFFICER, province)  # province, masked
    user("batxat_officer", Role.DISTRICT_OFFICER, batxat)  # Bát Xát only (2022 tree)
    user("baothang_officer", Role.DISTRICT_OFFICER, baothang)  # Bảo Thắng only
    user("commune_officer", Role.DISTRICT_OFFICER, commune_a)  # Xã Bát Xát (2025 tree)
    user("principal_a", Role.PRINCIPAL, school_a)  # school A, unmasked
    user("teacher_a", Role.TEACHER, school_a, teacher_a.person)  # class 3A of school A only
    user("teacher_a2", Role.TEACHER, school_a, teacher_a2.person)  # class 3B of school A only
    user("parent_a", Role.PARENT, school_a, parent_person)  # own child student_a1 only
    user("student_a", Role.STUDENT, school_a, student_a1.person)  # own record only
    user("nobody", None, None)  # logged in, no role: sees nothing
    return World(
        province,
        batxat,
        baothang,
        commune_a,
        school_a,
        school_b,
        site_a,
        year,
        class_a1,
        class_a2,
        class_b1,
        teacher_a,
        teacher_a2,
        student_a1,
        student_a2,
        student_b,
        users,
    )
