"""Student and staff search: every word of the query, in any order, ignoring case and
diacritics, on the name (and on the code for words with digits); scoped by the user."""

from __future__ import annotations

import datetime as dt
import importlib

from django.test import SimpleTestCase
from django.urls import reverse

from vnemis.core.text import fold, search_words
from vnemis.people import services
from vnemis.people.models import Person, SchoolClass, Student
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.world import DAY


class PeopleSearchTests(PersonaTestCase):
    """World students: Giàng A Páo (a1) and Giàng A Chứ (a2) at school A (Bát Xát), Giàng A
    Sử (b) at school B (Bảo Thắng); teachers Lò Thị Mai, Lò Thị Hoa (A), Lò Thị Lan (B).
    Added here: Nguyễn Văn Đức at school A and Nguyễn Thị Dung at school B."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world

        def pupil(family: str, middle: str, given: str, school_class: SchoolClass) -> Student:
            person = services.person_create(
                by=None,
                family_name=family,
                middle_name=middle,
                given_name=given,
                sex="M",
                birth_date=dt.date(2013, 9, 1),
            )
            student = services.student_create(person=person, by=None, province_code="10")
            services.enrollment_create(
                student=student,
                school=school_class.school,
                school_year=w.year,
                grade=3,
                level="th",
                started_on=DAY,
                school_class=school_class,
                by=None,
            )
            return student

        pupil("Nguyễn", "Văn", "Đức", w.class_a1)
        pupil("Nguyễn", "Thị", "Dung", w.class_b1)

    def students(self, persona: str, query: str) -> list[str]:
        response = self.get_as(persona, reverse("people:student_list") + "?q=" + query)
        self.assertEqual(response.status_code, 200)
        return sorted(e.student.person.full_name for e in response.context["page"])

    def staff(self, persona: str, query: str) -> list[str]:
        response = self.get_as(persona, reverse("people:staff_list") + "?q=" + query)
        self.assertEqual(response.status_code, 200)
        return sorted(s.person.full_name for s in response.context["page"])

    def test_nguyen_van_finds_nguyễn_văn(self) -> None:
        """ "nguyen van" finds Nguyễn Văn Đức, not Nguyễn Thị Dung (no "van" in her name)."""
        self.assertEqual(self.students("province_officer", "nguyen+van"), ["Nguyễn Văn Đức"])

    def test_words_match_in_any_order(self) -> None:
        self.assertEqual(self.students("province_officer", "van+nguyen"), ["Nguyễn Văn Đức"])
        self.assertEqual(self.students("province_officer", "duc+nguyen"), ["Nguyễn Văn Đức"])

    def test_d_and_đ_find_each_other(self) -> None:
        """ "duc", "Đức", "đuc" find Đức; "dung" finds Dung but not Đức."""
        for query in ("duc", "%C4%90%E1%BB%A9c", "%C4%91uc"):
            self.assertEqual(self.students("province_officer", query), ["Nguyễn Văn Đức"], query)
        self.assertEqual(self.students("province_officer", "dung"), ["Nguyễn Thị Dung"])

    def test_capitals_are_ignored(self) -> None:
        for query in ("NGUYEN+VAN", "Nguy%E1%BB%85n+V%C4%82N", "nGuYeN%20%20vAn"):
            self.assertEqual(self.students("province_officer", query), ["Nguyễn Văn Đức"], query)

    def test_every_word_must_match(self) -> None:
        self.assertEqual(
            self.students("province_officer", "nguyen"), ["Nguyễn Thị Dung", "Nguyễn Văn Đức"]
        )
        self.assertEqual(self.students("province_officer", "nguyen+pao"), [])

    def test_search_stays_in_the_users_scope(self) -> None:
        """Each officer finds only the Nguyễn of his own district; a teacher only those of
        her class; a person without a role nobody."""
        self.assertEqual(self.students("baothang_officer", "nguyen"), ["Nguyễn Thị Dung"])
        self.assertEqual(self.students("batxat_officer", "nguyen"), ["Nguyễn Văn Đức"])
        self.assertEqual(self.students("batxat_officer", "dung"), [])
        self.assertEqual(self.students("teacher_a", "giang"), ["Giàng A Páo"])
        self.assertEqual(self.students("nobody", "nguyen"), [])

    def test_words_with_digits_match_the_code(self) -> None:
        code = self.world.student_a1.code
        self.assertEqual(self.students("province_officer", code), ["Giàng A Páo"])
        self.assertEqual(self.students("province_officer", "pao+" + code[:4]), ["Giàng A Páo"])
        self.assertEqual(self.students("province_officer", "chu+" + code), [])
        self.assertEqual(self.students("baothang_officer", code), [])

    def test_staff_search_ignores_diacritics_order_and_scope(self) -> None:
        self.assertEqual(self.staff("province_officer", "lo+thi+mai"), ["Lò Thị Mai"])
        self.assertEqual(self.staff("province_officer", "MAI+L%C3%92"), ["Lò Thị Mai"])
        self.assertEqual(
            self.staff("province_officer", "lo+thi"), ["Lò Thị Hoa", "Lò Thị Lan", "Lò Thị Mai"]
        )
        self.assertEqual(self.staff("baothang_officer", "lo"), ["Lò Thị Lan"])
        self.assertEqual(self.staff("baothang_officer", "mai"), [])

    def test_staff_code_is_searched(self) -> None:
        code = self.world.teacher_a.code
        self.assertEqual(self.staff("province_officer", code.lower()), ["Lò Thị Mai"])
        self.assertEqual(self.staff("baothang_officer", code), [])


class PersonSearchNameTests(PersonaTestCase):
    """The stored search name follows the name through every write path."""

    def test_renamed_person_is_found_by_the_new_name(self) -> None:
        person = self.world.student_b.person
        services.person_update(person=person, by=None, family_name="Đặng")
        self.assertEqual(Person.objects.get(pk=person.pk).search_name, "dang a su")

    def test_bulk_create_and_bulk_update_fill_the_search_name(self) -> None:
        (person,) = Person.objects.bulk_create(
            [Person(family_name="Hoàng", middle_name="Thị", given_name="Ánh")]
        )
        self.assertEqual(Person.objects.get(pk=person.pk).search_name, "hoang thi anh")
        person.given_name = "Điệp"
        Person.objects.bulk_update([person], ["given_name"])
        self.assertEqual(Person.objects.get(pk=person.pk).search_name, "hoang thi diep")

    def test_update_of_a_name_part_is_refused(self) -> None:
        """A queryset update() cannot recompute the search name: refused, nothing changed;
        updates of other fields pass."""
        persons = Person.objects.filter(pk=self.world.student_b.person.pk)
        with self.assertRaises(TypeError):
            persons.update(given_name="Khác")
        self.assertEqual(persons.get().given_name, "Sử")
        self.assertEqual(persons.update(phone="0987654321"), 1)


class FoldTests(SimpleTestCase):
    """The one folding rule: lower-case, no diacritics, đ → d, single spaces."""

    def test_fold(self) -> None:
        self.assertEqual(fold("  NGUYỄN   Văn ĐỨC "), "nguyen van duc")
        self.assertEqual(fold("Đặng Thị Ánh"), "dang thi anh")
        # Decomposed input (combining marks typed separately) folds the same.
        self.assertEqual(fold("Nguye\u0302\u0303n"), "nguyen")

    def test_search_words_are_folded_once_each_and_capped(self) -> None:
        self.assertEqual(search_words("Văn  NGUYỄN văn"), ["van", "nguyen"])
        self.assertEqual(len(search_words(" ".join(f"w{i}" for i in range(30)))), 8)
        self.assertEqual(search_words("   "), [])

    def test_the_data_migrations_fold_as_the_app_does(self) -> None:
        """The migrations that fill existing rows carry their own copy of the rule; it gives
        the same keys as ``fold``."""
        samples = [
            "Nguyễn Văn Đức",
            "Trường PTDTBT THCS Nậm Chạc 10082001",
            "ĐINH  thị   Ửng",
            "Hờ A Dình",
            "Lường Thị Thuỷ",
            "Nguye\u0302\u0303n",
            "Ðoàn",
        ]
        for module in (
            "vnemis.people.migrations.0003_fill_person_search_name",
            "vnemis.organisations.migrations.0004_fill_orgunit_search_key",
        ):
            copy = importlib.import_module(module).fold
            self.assertEqual([copy(s) for s in samples], [fold(s) for s in samples], module)
