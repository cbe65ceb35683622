"""Role × view permission matrices: every persona, every page."""

from __future__ import annotations

from django.urls import reverse

from vnemis.core.models import AuditEntry
from vnemis.testing.personas import PersonaTestCase

ALL = [
    "department_admin",
    "province_officer",
    "batxat_officer",
    "baothang_officer",
    "commune_officer",
    "principal_a",
    "teacher_a",
    "teacher_a2",
    "parent_a",
    "student_a",
    "nobody",
]


def _matrix(ok: set[str], *, anonymous: int = 302) -> dict[str | None, int]:
    matrix: dict[str | None, int] = {p: (200 if p in ok else 404) for p in ALL}
    matrix[None] = anonymous
    return matrix


class SchoolPageTests(PersonaTestCase):
    def test_school_a_matrix(self) -> None:
        """A Bảo Thắng officer, a parent and a pupil get 404 on a Bát Xát school."""
        url = reverse("people:school_detail", args=[self.world.school_a.code])
        self.assert_matrix(
            url,
            _matrix(
                {
                    "department_admin",
                    "province_officer",
                    "batxat_officer",
                    "commune_officer",
                    "principal_a",
                    "teacher_a",
                    "teacher_a2",
                }
            ),
        )

    def test_school_b_matrix(self) -> None:
        url = reverse("people:school_detail", args=[self.world.school_b.code])
        self.assert_matrix(
            url, _matrix({"department_admin", "province_officer", "baothang_officer"})
        )

    def test_teacher_sees_only_her_class_on_the_school_page(self) -> None:
        response = self.get_as(
            "teacher_a", reverse("people:school_detail", args=[self.world.school_a.code])
        )
        self.assertEqual([c.name for c in response.context["classes"]], ["3A"])

    def test_school_list_is_scoped(self) -> None:
        response = self.get_as("batxat_officer", reverse("organisations:school_list"))
        self.assertEqual([s.code for s in response.context["page"]], ["10082001"])


class StudentPageTests(PersonaTestCase):
    def test_student_a1_matrix(self) -> None:
        url = reverse("people:student_detail", args=[self.world.student_a1.code])
        self.assert_matrix(
            url,
            _matrix(
                {
                    "department_admin",
                    "province_officer",
                    "batxat_officer",
                    "commune_officer",
                    "principal_a",
                    "teacher_a",
                    "parent_a",
                    "student_a",
                }
            ),
        )

    def test_student_b_matrix(self) -> None:
        url = reverse("people:student_detail", args=[self.world.student_b.code])
        self.assert_matrix(
            url, _matrix({"department_admin", "province_officer", "baothang_officer"})
        )

    def test_student_list_rows_per_persona(self) -> None:
        expected = {
            "province_officer": {"a1", "a2", "b"},
            "batxat_officer": {"a1", "a2"},
            "baothang_officer": {"b"},
            "commune_officer": {"a1", "a2"},
            "principal_a": {"a1", "a2"},
            "teacher_a": {"a1"},
            "teacher_a2": {"a2"},
            "parent_a": {"a1"},
            "student_a": {"a1"},
            "nobody": set(),
        }
        names = {
            self.world.student_a1.code: "a1",
            self.world.student_a2.code: "a2",
            self.world.student_b.code: "b",
        }
        for persona, codes in expected.items():
            response = self.get_as(persona, reverse("people:student_list"))
            self.assertEqual(response.status_code, 200)
            seen = {names[e.student.code] for e in response.context["page"]}
            self.assertEqual(seen, codes, persona)

    def test_export_is_scoped(self) -> None:
        import io

        from openpyxl import load_workbook

        self.client.force_login(self.world.users["baothang_officer"])
        # The list's ?export= leads to the exports app's file of the list.
        response = self.client.get(reverse("people:student_list") + "?export=xlsx", follow=True)
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(response.content)).active
        codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(codes, [self.world.student_b.code])

    def test_search_without_diacritics(self) -> None:
        response = self.get_as("province_officer", reverse("people:student_list") + "?q=giang+pao")
        self.assertEqual(
            [e.student.code for e in response.context["page"]], [self.world.student_a1.code]
        )

    def test_officer_sees_masked_id_and_is_audited(self) -> None:
        url = reverse("people:student_detail", args=[self.world.student_a1.code])
        before = AuditEntry.objects.filter(verb="viewed").count()
        response = self.get_as("province_officer", url)
        self.assertNotContains(response, "010213000001")
        self.assertContains(response, "•••••••••001")
        self.assertEqual(AuditEntry.objects.filter(verb="viewed").count(), before + 1)

    def test_admin_principal_and_parent_see_full_id(self) -> None:
        url = reverse("people:student_detail", args=[self.world.student_a1.code])
        for persona in ("department_admin", "principal_a", "parent_a", "student_a"):
            self.assertContains(self.get_as(persona, url), "010213000001", msg_prefix=persona)

    def test_teacher_sees_masked_id_and_is_not_audited_as_officer(self) -> None:
        url = reverse("people:student_detail", args=[self.world.student_a1.code])
        before = AuditEntry.objects.filter(verb="viewed").count()
        self.assertNotContains(self.get_as("teacher_a", url), "010213000001")
        self.assertEqual(AuditEntry.objects.filter(verb="viewed").count(), before)


class StaffPageTests(PersonaTestCase):
    def test_teacher_a_record_matrix(self) -> None:
        url = reverse("people:staff_detail", args=[self.world.teacher_a.code])
        self.assert_matrix(
            url,
            _matrix(
                {
                    "department_admin",
                    "province_officer",
                    "batxat_officer",
                    "commune_officer",
                    "principal_a",
                    "teacher_a",
                }
            ),
        )

    def test_staff_list_is_scoped(self) -> None:
        response = self.get_as("baothang_officer", reverse("people:staff_list"))
        self.assertEqual(response.context["page"].paginator.count, 1)


class TreeTests(PersonaTestCase):
    def test_tree_hides_other_districts(self) -> None:
        url = reverse("organisations:orgunit_tree") + "?version=2022&unit=PGD086"
        self.assertEqual(self.get_as("batxat_officer", url).status_code, 404)
        response = self.get_as(
            "province_officer", reverse("organisations:orgunit_tree") + "?version=2022&unit=SGD10"
        )
        self.assertEqual([p.unit.code for p in response.context["children"]], ["PGD082", "PGD086"])

    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.get_as(None, reverse("people:student_list"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])


class QueryCountTests(PersonaTestCase):
    def _count(self, persona: str, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(self.world.users[persona])
        self.client.get(url)  # the session's first renewal and the kept computed periods
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_lists_cost_the_same_queries_for_more_rows(self) -> None:
        import datetime as dt

        from vnemis.people import services

        urls = [
            reverse("people:student_list"),
            reverse("people:staff_list"),
            reverse("people:school_detail", args=[self.world.school_a.code]),
        ]
        before = [self._count("province_officer", u) for u in urls]
        for i in range(12):
            person = services.person_create(by=None, family_name="Lý", given_name=f"Mỷ{i}", sex="F")
            student = services.student_create(person=person, by=None, province_code="10")
            services.enrollment_create(
                student=student,
                school=self.world.school_a,
                school_year=self.world.year,
                grade=3,
                level="th",
                started_on=dt.date(2021, 9, 5),
                school_class=self.world.class_a1,
                by=None,
            )
            services.staff_create(
                person=services.person_create(
                    by=None, family_name="Lò", given_name=f"Lan{i}", sex="F"
                ),
                org_unit=self.world.school_a,
                position="nhan_vien",
                by=None,
            )
        after = [self._count("province_officer", u) for u in urls]
        self.assertEqual(after, before)
        self.assertEqual(before, [9, 8, 15])
