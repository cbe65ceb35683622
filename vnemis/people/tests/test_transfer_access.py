"""Access follows enrolment: after a transfer to another district, the former school (and its
offices) keep only what they held; the new school sees everything."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.urls import reverse

from vnemis.people import access
from vnemis.people import services as people_services
from vnemis.people.choices import EnrollmentStatus, ExitReason
from vnemis.people.models import Enrollment, SchoolClass
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.urlmatrix import add_principal_b

MOVED_ON = dt.date(2022, 1, 10)
SCHOOL_B_NAME = "Trường Tiểu học Phố Lu"
GUARDIAN = "Giàng A Dình"
PHONE = "0912345678"
ADDRESS = "Thôn Nậm Chạc"
NATIONAL_ID = "010213000001"
MASKED_ID = "•••••••••001"
NEW_CLASS = "3 Sơn Ca"

# Before the transfer student_a1 is a pupil of school A, class 3A (teacher_a), son of parent_a.
BEFORE = {
    None: 302,
    "department_admin": 200,
    "province_officer": 200,
    "batxat_officer": 200,
    "baothang_officer": 404,
    "commune_officer": 200,
    "principal_a": 200,
    "principal_b": 404,
    "teacher_a": 200,
    "teacher_a2": 404,
    "parent_a": 200,
    "student_a": 200,
    "nobody": 404,
}
# After it he is a pupil of school B (Bảo Thắng): school B and its district see him; school A
# and its offices still find him (limited to their period); his former teacher does not.
AFTER = BEFORE | {"baothang_officer": 200, "principal_b": 200, "teacher_a": 404}


class TransferAccessTests(PersonaTestCase):
    class_b3c: ClassVar[SchoolClass]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_principal_b(cls.world)
        # A class name found nowhere else, so that a page can be searched for it.
        cls.class_b3c = people_services.school_class_create(
            school=cls.world.school_b,
            school_year=cls.world.year,
            level="th",
            grade=3,
            name=NEW_CLASS,
            by=None,
        )

    def url(self) -> str:
        return reverse("people:student_detail", args=[self.world.student_a1.code])

    def transfer(self) -> None:
        enrollment = Enrollment.objects.active().get(student=self.world.student_a1)
        people_services.enrollment_transfer(
            enrollment=enrollment,
            to_school=self.world.school_b,
            on=MOVED_ON,
            to_class=self.class_b3c,
            by=None,
        )

    def page(self, persona: str) -> Any:
        response = self.get_as(persona, self.url())
        self.assertEqual(response.status_code, 200, persona)
        return response

    def test_matrix_before_and_after_a_transfer_made_on_the_page(self) -> None:
        """The principal of school A transfers the pupil to school B through the transfer page;
        the detail page's matrix changes from BEFORE to AFTER."""
        self.assert_matrix(self.url(), BEFORE)
        self.client.force_login(self.world.users["principal_a"])
        response = self.client.post(
            reverse("people:student_transfer", args=[self.world.student_a1.code]),
            {
                "to_school": self.world.school_b.code,
                "on": "10/01/2022",
                "to_class": str(self.class_b3c.pk),
                "confirm": "1",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            Enrollment.objects.active().get(student=self.world.student_a1).school_class,
            self.class_b3c,
        )
        self.assert_matrix(self.url(), AFTER)

    def test_what_each_persona_sees_after_the_transfer(self) -> None:
        """Former school and its offices: only school A's enrolment, no contacts, the ID masked.
        Everyone whose scope holds school B, and the family: every enrolment and the contacts."""
        self.transfer()
        a, b = self.world.school_a.pk, self.world.school_b.pk
        expected = {
            # persona: (schools of the enrolments shown, contacts, unmasked, former)
            "department_admin": ([b, a], True, True, False),
            "province_officer": ([b, a], True, False, False),
            "batxat_officer": ([a], False, False, True),
            "commune_officer": ([a], False, False, True),
            "principal_a": ([a], False, False, True),
            "baothang_officer": ([b, a], True, False, False),
            "principal_b": ([b, a], True, True, False),
            "parent_a": ([b, a], True, True, False),
            "student_a": ([b, a], True, True, False),
        }
        seen = {}
        for persona in expected:
            record = access.student_record_for_user(
                user=self.world.users[persona], student=self.world.student_a1
            )
            schools = list(
                record.enrollments.order_by("-started_on").values_list("school_id", flat=True)
            )
            seen[persona] = (schools, record.contacts, record.unmasked, record.former)
        self.assertEqual(seen, expected)

    def test_former_school_page_shows_its_period_only(self) -> None:
        """principal_a, the Bát Xát office and the commune officer see the pupil's identity and
        the enrolment at school A, not school B, the new class, the guardian, phone or address."""
        self.transfer()
        for persona in ("principal_a", "batxat_officer", "commune_officer"):
            response = self.page(persona)
            enrollments = [(e.school.code, e.status) for e in response.context["enrollments"]]
            self.assertEqual(
                enrollments, [(self.world.school_a.code, EnrollmentStatus.TRANSFERRED_OUT)]
            )
            self.assertContains(response, self.world.student_a1.person.full_name)
            self.assertContains(response, MASKED_ID)
            hidden = (SCHOOL_B_NAME, NEW_CLASS, GUARDIAN, PHONE, ADDRESS, NATIONAL_ID, "•••, ")
            for text in hidden:
                self.assertNotContains(response, text, msg_prefix=persona)
            self.assertTrue(response.context["former"])

    def test_new_school_sees_everything(self) -> None:
        """principal_b sees both enrolments, the new class, the guardian's phone, the address
        and the full personal ID number."""
        self.transfer()
        response = self.page("principal_b")
        for shown in (SCHOOL_B_NAME, NEW_CLASS, self.world.school_a.name, GUARDIAN, PHONE, ADDRESS):
            self.assertContains(response, shown)
        self.assertContains(response, NATIONAL_ID)

    def test_family_keeps_the_whole_record(self) -> None:
        self.transfer()
        for persona in ("parent_a", "student_a"):
            response = self.page(persona)
            self.assertContains(response, SCHOOL_B_NAME, msg_prefix=persona)
            self.assertContains(response, GUARDIAN, msg_prefix=persona)

    def test_before_the_transfer_school_a_sees_everything(self) -> None:
        """The same page, before the move: principal_a sees the guardian and the full ID."""
        response = self.page("principal_a")
        self.assertFalse(response.context["former"])
        for shown in (GUARDIAN, PHONE, ADDRESS, NATIONAL_ID):
            self.assertContains(response, shown)

    def test_lists_follow_the_transfer(self) -> None:
        """The student lists show current enrolments: school B's principal lists the pupil,
        school A's no longer does."""
        self.transfer()
        url = reverse("people:student_list")
        code = self.world.student_a1.code
        self.assertNotIn(code, [e.student.code for e in self.page_list("principal_a", url)])
        self.assertIn(code, [e.student.code for e in self.page_list("principal_b", url)])

    def page_list(self, persona: str, url: str) -> Any:
        response = self.get_as(persona, url)
        self.assertEqual(response.status_code, 200)
        return response.context["page"]

    def test_last_school_keeps_a_student_who_left_the_sector(self) -> None:
        """A pupil who drops out has no new school: school A, where he last studied, keeps
        the whole record."""
        enrollment = Enrollment.objects.active().get(student=self.world.student_a1)
        people_services.enrollment_end(
            enrollment=enrollment,
            on=MOVED_ON,
            status=EnrollmentStatus.DROPPED_OUT,
            reason=ExitReason.FAMILY,
            by=None,
        )
        record = access.student_record_for_user(
            user=self.world.users["principal_a"], student=self.world.student_a1
        )
        self.assertEqual((record.contacts, record.unmasked, record.former), (True, True, False))
