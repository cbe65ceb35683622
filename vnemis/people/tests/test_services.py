from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from vnemis.core.models import AuditEntry
from vnemis.organisations import services as org_services
from vnemis.people import services
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import Enrollment, Student
from vnemis.testing.personas import PersonaTestCase


class EnrollmentServiceTests(PersonaTestCase):
    def test_second_active_enrollment_in_a_year_is_refused(self) -> None:
        w = self.world
        with self.assertRaises(ValidationError):
            services.enrollment_create(
                student=w.student_a1,
                school=w.school_b,
                school_year=w.year,
                grade=3,
                level="th",
                started_on=dt.date(2021, 10, 1),
                by=None,
            )
        self.assertEqual(Enrollment.objects.filter(student=w.student_a1).count(), 1)

    def test_database_also_refuses_a_second_active_enrollment(self) -> None:
        w = self.world
        with self.assertRaises(IntegrityError), transaction.atomic():
            Enrollment.objects.create(
                student=w.student_a1,
                school=w.school_b,
                school_year=w.year,
                grade=3,
                level="th",
                started_on=dt.date(2021, 10, 1),
            )

    def test_transfer_keeps_one_open_enrollment(self) -> None:
        w = self.world
        old = Enrollment.objects.get(student=w.student_a2)
        preview = services.enrollment_transfer_preview(
            enrollment=old, to_school=w.school_b, on=dt.date(2022, 1, 10)
        )
        self.assertTrue(preview.ok, preview.problems)
        new = services.enrollment_transfer(
            enrollment=old, to_school=w.school_b, on=dt.date(2022, 1, 10), by=w.users["principal_a"]
        )
        old.refresh_from_db()
        self.assertEqual(old.status, EnrollmentStatus.TRANSFERRED_OUT)
        self.assertEqual(old.ended_on, dt.date(2022, 1, 10))
        self.assertEqual(new.school, w.school_b)
        self.assertEqual(Enrollment.objects.active().filter(student=w.student_a2).count(), 1)
        self.assertTrue(
            AuditEntry.objects.filter(verb="enrollment_transferred", target_id=str(new.pk)).exists()
        )

    def test_transfer_preview_lists_problems_and_changes_nothing(self) -> None:
        w = self.world
        e = Enrollment.objects.get(student=w.student_a1)
        preview = services.enrollment_transfer_preview(
            enrollment=e, to_school=w.school_a, on=dt.date(2023, 1, 1)
        )
        self.assertEqual(len(preview.problems), 2)
        with self.assertRaises(ValidationError):
            services.enrollment_transfer(
                enrollment=e, to_school=w.school_a, on=dt.date(2023, 1, 1), by=None
            )
        e.refresh_from_db()
        self.assertEqual(e.status, EnrollmentStatus.ACTIVE)

    def test_promotion_preview_and_apply(self) -> None:
        w = self.world
        lines = services.promotion_preview(school=w.school_a, from_year=w.year)
        self.assertEqual(
            [(line.next_grade, line.next_class_name) for line in lines], [(4, "4A"), (4, "4B")]
        )
        next_year = org_services.school_year_create(
            starts_on=dt.date(2022, 9, 5), ends_on=dt.date(2023, 5, 31), by=None
        )
        result = services.promotion_apply(
            school=w.school_a, from_year=w.year, to_year=next_year, by=None
        )
        self.assertEqual(result, {"promoted": 2, "finished": 0})
        e = Enrollment.objects.active().get(student=w.student_a1)
        self.assertEqual(
            (e.school_year, e.grade, e.school_class.name if e.school_class else ""),
            (next_year, 4, "4A"),
        )


class StudentCodeTests(PersonaTestCase):
    def test_codes_are_issued_in_sequence(self) -> None:
        person = services.person_create(by=None, family_name="Vừ", given_name="Mỷ", sex="F")
        student = services.student_create(person=person, by=None, province_code="10")
        self.assertEqual(student.code, "1000000004")

    def test_student_code_cannot_change(self) -> None:
        with self.assertRaises(ValidationError):
            services.student_update(student=self.world.student_a1, code="1099999999", by=None)
        self.assertTrue(Student.objects.filter(code=self.world.student_a1.code).exists())

    def test_person_with_wrong_national_id_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.person_create(
                by=None,
                family_name="Vừ",
                given_name="Mỷ",
                sex="F",
                birth_date=dt.date(2012, 1, 1),
                national_id="010212000009",
            )
        self.assertIn("national_id", caught.exception.message_dict)
