"""Student and staff codes come from their sequences, on every write path."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from vnemis.core.models import CodeSequence
from vnemis.people import services
from vnemis.people.models import Person, Staff, Student
from vnemis.testing.personas import PersonaTestCase


def _person(given: str) -> Person:
    return services.person_create(by=None, family_name="Vừ", given_name=given, sex="F")


class StudentCodeTests(PersonaTestCase):
    # The world issued 1000000001 to 1000000003 (three pupils of province 10).

    def test_a_code_is_never_issued_twice_even_after_its_student_is_deleted(self) -> None:
        """Reading the largest code and adding one gave a deleted student's code again."""
        first = services.student_create(person=_person("Mỷ"), by=None, province_code="10")
        self.assertEqual(first.code, "1000000004")
        first.delete()
        second = services.student_create(person=_person("Dua"), by=None, province_code="10")
        self.assertEqual(second.code, "1000000005")

    def test_a_database_from_before_the_sequences_goes_on_after_its_largest_code(self) -> None:
        """The sequence starts from the codes in use when its row is first needed."""
        CodeSequence.objects.all().delete()
        Student.objects.create(person=_person("Cũ"), code="1000000777")
        Student.objects.create(person=_person("Khác"), code="10ABC")  # another shape: ignored
        student = services.student_create(person=_person("Mới"), by=None, province_code="10")
        self.assertEqual(student.code, "1000000778")
        other = services.student_create(person=_person("Tỉnh"), by=None, province_code="15")
        self.assertEqual(other.code, "1500000001")

    def test_bulk_creation_takes_its_block_from_the_same_sequence(self) -> None:
        w = self.world
        rows = [
            services.NewStudent(
                family_name="Lò",
                middle_name="",
                given_name=given,
                birth_date=dt.date(2013, 2, 1),
                sex="M",
                ethnicity="01",
                national_id=None,
                moet_code="",
                school=w.school_a,
                grade=3,
                level="th",
                school_class=w.class_a1,
            )
            for given in ("An", "Bình")
        ]
        with transaction.atomic():
            ids = services.students_bulk_create(
                rows=rows, school_year=w.year, started_on=dt.date(2021, 9, 6), by=None, note="t"
            )
        self.assertEqual(
            list(Student.objects.filter(pk__in=ids).order_by("pk").values_list("code", flat=True)),
            ["1000000004", "1000000005"],
        )
        single = services.student_create(person=_person("Sau"), by=None, province_code="10")
        self.assertEqual(single.code, "1000000006")
        self.assertEqual(CodeSequence.objects.get(family="student", scope="10").last_value, 6)

    def test_a_reserved_block_is_not_issued_again(self) -> None:
        codes = services.student_codes_reserve(province_code="10", count=3)
        self.assertEqual(codes, ["1000000004", "1000000005", "1000000006"])
        student = services.student_create(person=_person("Mỷ"), by=None, province_code="10")
        self.assertEqual(student.code, "1000000007")


class StaffCodeTests(PersonaTestCase):
    # The world issued CB0000001 to CB0000003 (three teachers).

    def staff(self, given: str, code: str | None = None) -> Staff:
        return services.staff_create(
            person=_person(given),
            org_unit=self.world.school_a,
            position="giao_vien",
            code=code,
            by=None,
        )

    def test_codes_follow_the_last_one_issued(self) -> None:
        self.assertEqual(services.staff_codes_reserve(count=2), ["CB0000004", "CB0000005"])
        self.assertEqual(self.staff("Mỷ").code, "CB0000006")

    def test_a_code_given_by_hand_is_skipped_by_the_series(self) -> None:
        """An import file's "CB0000050" would otherwise be issued again once the series
        reached it, and that insert would fail."""
        self.assertEqual(self.staff("Tay", code="CB0000050").code, "CB0000050")
        self.assertEqual(self.staff("Mỷ").code, "CB0000051")
        self.assertEqual(self.staff("Lạ", code="GV-7").code, "GV-7")  # another shape: no effect
        self.assertEqual(self.staff("Dua").code, "CB0000052")
