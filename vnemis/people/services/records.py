"""Writes to the records of people: persons, students, staff members and guardians."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.core.keep import KEEP, Keep, assign_given
from vnemis.organisations.models import OrgUnit
from vnemis.organisations.stale import units_stale
from vnemis.people.choices import Ethnicity
from vnemis.people.models import Guardian, GuardianLink, Person, Staff, Student
from vnemis.people.services.codes import (
    staff_code_claim,
    staff_codes_reserve,
    student_codes_reserve,
)


@transaction.atomic
def person_create(
    *,
    family_name: str,
    given_name: str,
    by: User | None,
    middle_name: str = "",
    birth_date: dt.date | None = None,
    sex: str = "",
    ethnicity: str = Ethnicity.KINH,
    national_id: str | None = None,
    phone: str = "",
    email: str = "",
    address: str = "",
) -> Person:
    """Create a person after full validation (the national ID structure among it)."""
    person = Person(
        family_name=family_name,
        middle_name=middle_name,
        given_name=given_name,
        birth_date=birth_date,
        sex=sex,
        ethnicity=ethnicity,
        national_id=national_id or None,
        phone=phone,
        email=email,
        address=address,
    )
    person.full_clean()
    person.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=person, after=snapshot(person))
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    by: User | None,
    family_name: str | Keep = KEEP,
    middle_name: str | Keep = KEEP,
    given_name: str | Keep = KEEP,
    birth_date: dt.date | None | Keep = KEEP,
    sex: str | Keep = KEEP,
    ethnicity: str | Keep = KEEP,
    national_id: str | None | Keep = KEEP,
    phone: str | Keep = KEEP,
    email: str | Keep = KEEP,
    address: str | Keep = KEEP,
) -> Person:
    """Change the given fields of a person; the others keep their value."""
    before = snapshot(person)
    if national_id == "":
        national_id = None  # no number, stored as person_create stores it
    assign_given(
        person,
        {
            "family_name": family_name,
            "middle_name": middle_name,
            "given_name": given_name,
            "birth_date": birth_date,
            "sex": sex,
            "ethnicity": ethnicity,
            "national_id": national_id,
            "phone": phone,
            "email": email,
            "address": address,
        },
    )
    person.full_clean()
    person.save()
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=person, before=before, after=snapshot(person)
    )
    return person


@transaction.atomic
def student_create(
    *, person: Person, by: User | None, province_code: str, moet_code: str = ""
) -> Student:
    """Issue a student code to ``person``. The code is never changed afterwards."""
    (code,) = student_codes_reserve(province_code=province_code, count=1)
    student = Student(person=person, code=code, moet_code=moet_code)
    student.full_clean()
    student.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=student, after=snapshot(student))
    return student


@transaction.atomic
def student_update(
    *, student: Student, by: User | None, moet_code: str | None = None, code: str | None = None
) -> Student:
    """Change what may change on a student; the student code may not."""
    if code is not None and code != student.code:
        raise ValidationError({"code": _("A student code cannot be changed once issued.")})
    before = snapshot(student)
    if moet_code is not None:
        student.moet_code = moet_code
    student.full_clean()
    student.save()
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=student, before=before, after=snapshot(student)
    )
    return student


@transaction.atomic
def staff_create(
    *,
    person: Person,
    org_unit: OrgUnit,
    position: str,
    by: User | None,
    code: str | None = None,
    job_title: str = "",
    qualification: str = "",
    subject: str = "",
    started_on: dt.date | None = None,
    is_active: bool = True,
) -> Staff:
    """Employ ``person`` at ``org_unit``; without ``code`` the next staff code is issued."""
    if code is None:
        (code,) = staff_codes_reserve(count=1)
    else:
        staff_code_claim(code=code)
    staff = Staff(
        person=person,
        org_unit=org_unit,
        position=position,
        code=code,
        job_title=job_title,
        qualification=qualification,
        subject=subject,
        started_on=started_on,
        is_active=is_active,
    )
    staff.full_clean()
    staff.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=staff, after=snapshot(staff))
    units_stale(unit_ids=[org_unit.pk], since=staff.started_on or timezone.localdate())
    return staff


@transaction.atomic
def staff_update(
    *,
    staff: Staff,
    by: User | None,
    org_unit: OrgUnit | Keep = KEEP,
    position: str | Keep = KEEP,
    job_title: str | Keep = KEEP,
    qualification: str | Keep = KEEP,
    subject: str | Keep = KEEP,
    started_on: dt.date | None | Keep = KEEP,
    is_active: bool | Keep = KEEP,
) -> Staff:
    """Change a staff member's workplace, post, qualification or status; never the code."""
    before = snapshot(staff)
    assign_given(
        staff,
        {
            "org_unit": org_unit,
            "position": position,
            "job_title": job_title,
            "qualification": qualification,
            "subject": subject,
            "started_on": started_on,
            "is_active": is_active,
        },
    )
    staff.full_clean()
    staff.save()
    after = snapshot(staff)
    audit_record(actor=by, verb=AuditVerb.UPDATED, target=staff, before=before, after=after)
    if any(before[f] != after[f] for f in ("org_unit_id", "is_active", "started_on")):
        # Staff counts keep no history: the change shows from the earlier start date on.
        starts = [
            dt.date.fromisoformat(d) for d in (before["started_on"], after["started_on"]) if d
        ]
        units_stale(
            unit_ids={before["org_unit_id"], staff.org_unit_id},
            since=min(starts, default=timezone.localdate()),
        )
    return staff


@transaction.atomic
def guardian_create(*, person: Person, by: User | None, occupation: str = "") -> Guardian:
    """Make ``person`` a guardian; link them to students with ``guardian_link_set``."""
    guardian = Guardian(person=person, occupation=occupation)
    guardian.full_clean()
    guardian.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=guardian, after=snapshot(guardian))
    return guardian


@transaction.atomic
def guardian_update(*, guardian: Guardian, by: User | None, occupation: str) -> Guardian:
    before = snapshot(guardian)
    guardian.occupation = occupation
    guardian.full_clean()
    guardian.save()
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=guardian, before=before, after=snapshot(guardian)
    )
    return guardian


@transaction.atomic
def guardian_link_set(
    *, guardian: Guardian, student: Student, relation: str, is_primary: bool, by: User | None
) -> GuardianLink:
    """Link a guardian to a student, or change the relation and main-contact flag of the link."""
    link = GuardianLink.objects.filter(guardian=guardian, student=student).first()
    if link is None:
        link = GuardianLink(
            guardian=guardian, student=student, relation=relation, is_primary=is_primary
        )
        link.full_clean()
        link.save()
        audit_record(actor=by, verb=AuditVerb.CREATED, target=link, after=snapshot(link))
        return link
    before = snapshot(link)
    link.relation, link.is_primary = relation, is_primary
    link.full_clean()
    link.save()
    audit_record(actor=by, verb=AuditVerb.UPDATED, target=link, before=before, after=snapshot(link))
    return link
