"""Writing a batch of student rows that ``students`` has judged: the batch's new classes and
new students in bulk (``people.services.school_classes_bulk_create``,
``students_bulk_create``: one INSERT per table, audited per table and batch), and the few
changes to existing students through the ordinary services, audited field by field."""

from __future__ import annotations

import datetime as dt

from vnemis.accounts.models import User
from vnemis.imports.formats.student_rows import Enrolled, StudentRow
from vnemis.organisations.models import SchoolYear
from vnemis.people import services as people_services
from vnemis.people.models import Enrollment, SchoolClass, Student


def students_batch_write(
    *,
    new: list[StudentRow],
    changes: list[tuple[StudentRow, Student]],
    enrolled: dict[int, Enrolled],
    year: SchoolYear,
    classes: dict[tuple[int, str], SchoolClass],
    code_counters: dict[str, int],
    started_on: dt.date,
    by: User | None,
    note: str,
) -> None:
    """Write the batch's ``new`` students and the ``changes`` to existing ones (with their
    ``enrolled`` place this year). ``classes``, the year's classes known so far by (school id,
    name), gets the classes made here; ``code_counters`` advances as student codes are given;
    ``note`` names the import job in the audit entries."""
    # The batch's new classes first, all at once.
    wanted: dict[tuple[int, str], people_services.NewClass] = {}
    for data in [*new, *(data for data, _student in changes)]:
        key = (data.school.pk, data.class_name)
        if data.class_name and key not in classes:
            wanted.setdefault(
                key,
                people_services.NewClass(
                    school=data.school,
                    level=data.level,
                    grade=data.grade,
                    name=data.class_name,
                ),
            )
    if wanted:
        for created in people_services.school_classes_bulk_create(
            rows=list(wanted.values()), school_year=year, by=by, note=note
        ):
            classes[(created.school_id, created.name)] = created

    def class_of(data: StudentRow) -> SchoolClass | None:
        return classes[(data.school.pk, data.class_name)] if data.class_name else None

    people_services.students_bulk_create(
        rows=[
            people_services.NewStudent(
                family_name=data.family_name,
                middle_name=data.middle_name,
                given_name=data.given_name,
                birth_date=data.birth_date,
                sex=data.sex,
                ethnicity=data.ethnicity,
                national_id=data.national_id,
                moet_code=data.moet_code,
                school=data.school,
                grade=data.grade,
                level=data.level,
                school_class=class_of(data),
            )
            for data in new
        ],
        school_year=year,
        started_on=started_on,
        by=by,
        note=note,
        code_counters=code_counters,
    )
    # Changes to existing students are few: each goes through the ordinary services,
    # audited field by field.
    for data, student in changes:
        person_fields = data.person_fields()
        changed = {
            f: v
            for f, v in person_fields.items()
            if getattr(student.person, f) != v and not (f == "national_id" and not v)
        }
        if changed:
            people_services.person_update(person=student.person, by=by, **changed)
        if data.moet_code and data.moet_code != student.moet_code:
            people_services.student_update(student=student, by=by, moet_code=data.moet_code)
        known = enrolled.get(student.pk)
        current = (
            Enrollment.objects.select_related("school_class").get(pk=known.id)
            if known is not None
            else None
        )
        school_class = class_of(data)
        if current is None:
            people_services.enrollment_create(
                student=student,
                school=data.school,
                school_year=year,
                grade=data.grade,
                level=data.level,
                started_on=started_on,
                school_class=school_class,
                by=by,
            )
        elif current.grade != data.grade or current.school_class != school_class:
            people_services.enrollment_place(
                enrollment=current,
                grade=data.grade,
                level=data.level,
                school_class=school_class,
                by=by,
            )
