"""Transfer and promotion pages: only administrators and principals of the subtree may write."""

from __future__ import annotations

from django.urls import reverse

from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import Enrollment
from vnemis.people.tests.test_access import _matrix
from vnemis.testing.personas import PersonaTestCase


class TransferViewTests(PersonaTestCase):
    def url(self) -> str:
        return reverse("people:student_transfer", args=[self.world.student_a2.code])

    def test_matrix(self) -> None:
        self.assert_matrix(self.url(), _matrix({"department_admin", "principal_a"}))

    def test_preview_then_confirm(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        data = {"to_school": "10086001", "on": "10/01/2022", "preview": "1"}
        response = self.client.post(self.url(), data)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["preview"].ok)
        # The preview wrote nothing.
        self.assertEqual(
            Enrollment.objects.active().get(student=self.world.student_a2).school,
            self.world.school_a,
        )
        response = self.client.post(self.url(), {**data, "confirm": "1"})
        self.assertEqual(response.status_code, 302)
        moved = Enrollment.objects.active().get(student=self.world.student_a2)
        self.assertEqual(moved.school, self.world.school_b)

    def test_bad_input_is_explained_in_vietnamese(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        response = self.client.post(
            self.url(), {"to_school": "99999999", "on": "31/02/2022", "confirm": "1"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "99999999")
        self.assertEqual(Enrollment.objects.filter(student=self.world.student_a2).count(), 1)

    def test_officer_without_write_changes_nothing(self) -> None:
        self.client.force_login(self.world.users["batxat_officer"])
        response = self.client.post(
            self.url(), {"to_school": "10086001", "on": "10/01/2022", "confirm": "1"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(
            Enrollment.objects.get(student=self.world.student_a2).status, EnrollmentStatus.ACTIVE
        )


class PromotionViewTests(PersonaTestCase):
    def url(self) -> str:
        return reverse("people:school_promotion", args=[self.world.school_a.code])

    def test_matrix(self) -> None:
        self.assert_matrix(self.url(), _matrix({"department_admin", "principal_a"}))

    def test_apply_creates_the_next_year(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        self.assertEqual(self.client.get(self.url()).context["total"], 2)
        response = self.client.post(self.url(), {"confirm": "1"})
        self.assertEqual(response.status_code, 302)
        grades = sorted(
            Enrollment.objects.active()
            .filter(school=self.world.school_a)
            .values_list("school_year__code", "grade")
        )
        self.assertEqual(grades, [("2022-2023", 4), ("2022-2023", 4)])
