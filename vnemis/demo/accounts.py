"""Demo accounts, one per role, on units of the loaded Lào Cai demo."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from vnemis.accounts import services as account_services
from vnemis.accounts.choices import Role
from vnemis.accounts.models import RoleAssignment, User
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import Enrollment, Person, SchoolClass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    unit_code: str
    sees: str  # what the persona may see, for the printed table and the README


def _first_school(district: str, prefix: str) -> OrgUnit:
    return OrgUnit.objects.filter(
        kind="school", code__startswith=f"10{district}", name__startswith=prefix
    ).order_by("code").first() or OrgUnit.objects.get(code=f"10{district}001")


@transaction.atomic
def demo_accounts_ensure(*, password: str) -> list[DemoAccount]:
    """Create (or reset the password of) the demo accounts; returns them for printing."""
    school = _first_school("082", "Trường Tiểu học")
    year = SchoolYear.objects.get(code="2021-2022")
    school_class = (
        SchoolClass.objects.filter(school=school, school_year=year, homeroom_teacher__isnull=False)
        .select_related("homeroom_teacher__person")
        .order_by("grade", "name")
        .first()
    )
    assert school_class is not None and school_class.homeroom_teacher is not None
    enrollment = (
        Enrollment.objects.filter(school_class=school_class, status=EnrollmentStatus.ACTIVE)
        .select_related("student__person")
        .order_by("student__code")
        .first()
    )
    assert enrollment is not None
    link = enrollment.student.guardian_links.select_related("guardian__person").first()
    assert link is not None
    commune = school.placements.select_related("parent").get(version__code="2025").parent
    assert commune is not None
    plan = [
        (
            DemoAccount(
                "so.quantri",
                Role.DEPARTMENT_ADMIN,
                "SGD10",
                "whole province, personal data unmasked",
            ),
            None,
        ),
        (DemoAccount("so.chuyenvien", Role.DEPARTMENT_OFFICER, "SGD10", "whole province"), None),
        (
            DemoAccount(
                "batxat.chuyenvien", Role.DISTRICT_OFFICER, "PGD082", "Bát Xát district (2022 tree)"
            ),
            None,
        ),
        (
            DemoAccount(
                "baothang.chuyenvien",
                Role.DISTRICT_OFFICER,
                "PGD086",
                "Bảo Thắng district (2022 tree)",
            ),
            None,
        ),
        (
            DemoAccount(
                "xa.chuyenvien", Role.DISTRICT_OFFICER, commune.code, f"{commune.name} (2025 tree)"
            ),
            None,
        ),
        (DemoAccount("hieutruong", Role.PRINCIPAL, school.code, school.name), None),
        (
            DemoAccount("giaovien", Role.TEACHER, school.code, f"own class {school_class.name}"),
            school_class.homeroom_teacher.person,
        ),
        (
            DemoAccount(
                "phuhuynh",
                Role.PARENT,
                school.code,
                "own child " + enrollment.student.person.full_name,
            ),
            link.guardian.person,
        ),
        (
            DemoAccount("hocsinh", Role.STUDENT, school.code, "own record"),
            enrollment.student.person,
        ),
    ]
    accounts = []
    for account, person in plan:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            name = person.full_name if isinstance(person, Person) else ""
            user = account_services.user_create(
                username=account.username,
                password=password,
                by=None,
                full_name=name,
                check_password=False,
            )
        else:
            user.set_password(password)
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["password", "failed_logins", "locked_until"])
        if account.role == Role.DEPARTMENT_ADMIN and not user.is_staff:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        account_services.role_assign(
            user=user,
            role=account.role,
            org_unit=OrgUnit.objects.get(code=account.unit_code),
            by=None,
        )
        if isinstance(person, Person) and person.user_id != user.pk:
            Person.objects.filter(pk=person.pk).update(user=user)
        accounts.append(account)
    return accounts


def demo_accounts_list() -> list[DemoAccount]:
    """The demo accounts present in the database, in role order."""
    names = [
        "so.quantri",
        "so.chuyenvien",
        "batxat.chuyenvien",
        "baothang.chuyenvien",
        "xa.chuyenvien",
        "hieutruong",
        "giaovien",
        "phuhuynh",
        "hocsinh",
    ]
    found = {
        a.user.username: a
        for a in RoleAssignment.objects.filter(user__username__in=names).select_related(
            "user", "org_unit"
        )
    }
    return [
        DemoAccount(n, Role(found[n].role), found[n].org_unit.code, found[n].org_unit.name)
        for n in names
        if n in found
    ]
