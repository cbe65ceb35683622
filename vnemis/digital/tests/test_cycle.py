"""The yearly QĐ 4725 cycle: submit, return with comments, resubmit, approve, external
assessment, publish; who may take each step; late flags; the status list and its export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from unittest import mock

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vnemis.core.models import AuditEntry
from vnemis.digital import services
from vnemis.digital.models import SelfAssessment
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.urlmatrix import add_principal_b

DAY = dt.date(2022, 5, 31)


def on(day: dt.date) -> Any:
    """Run the block as if today were ``day`` (for the deadlines)."""
    return mock.patch.object(timezone, "localdate", return_value=day)


@override_settings(LANGUAGE_CODE="en")
class CycleTests(PersonaTestCase):
    def setUp(self) -> None:
        self.a = services.self_assessment_prepare(
            school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
        )
        self.code = self.world.school_a.code
        self.page = reverse("digital:self_assessment", args=[self.code])
        self.step = reverse("digital:self_assessment_step", args=[self.code])

    def post_as(self, persona: str, action: str, **data: str) -> Any:
        self.client.force_login(self.world.users[persona])
        return self.client.post(self.step, {"action": action, **data})

    def status(self) -> str:
        return SelfAssessment.objects.get(pk=self.a.pk).status

    def test_full_cycle_with_return_and_resubmission(self) -> None:
        """The principal submits; the district office returns it with comments; the school
        edits and resubmits; the office approves, assesses externally and publishes. The
        history lists each step with its author and comments, and no edit is possible after
        submission."""
        with on(dt.date(2022, 5, 20)):
            self.assertEqual(self.post_as("principal_a", "submit").status_code, 302)
        self.assertEqual(self.status(), "submitted")
        # Submitted: the school can no longer change its scores.
        self.client.force_login(self.world.users["principal_a"])
        locked = self.client.post(self.page, {"group": "I", "1.4-points": "5"})
        self.assertEqual(locked.status_code, 200)
        self.assertIn("can no longer be changed", locked.context["error"])
        self.assertEqual(self.a.scores.get(criterion__code="1.4").points, 0)

        response = self.post_as("batxat_officer", "return", comment="Bổ sung minh chứng 1.4")
        self.assertEqual((response.status_code, self.status()), (302, "returned"))
        self.client.force_login(self.world.users["principal_a"])
        from vnemis.digital.tests.test_selfassessment import group_data

        edited = self.client.post(self.page, group_data(self.a, "I", **{"1.4-points": "8"}))
        self.assertEqual(edited.status_code, 302)
        with on(dt.date(2022, 6, 2)):
            self.post_as("principal_a", "submit")
        self.assertEqual(self.status(), "submitted")
        self.post_as("batxat_officer", "approve")
        with on(dt.date(2022, 6, 15)):
            self.post_as("batxat_officer", "assess", group_i="80", group_ii="70")
        self.post_as("batxat_officer", "publish")
        a = SelfAssessment.objects.get(pk=self.a.pk)
        self.assertEqual(
            (a.status, a.submitted_late, a.external_level, a.external_late),
            ("published", True, 2, False),
        )
        self.assertEqual(
            list(a.events.values_list("action", "status", "by_name", "comment", "late")),
            [
                ("submit", "submitted", "principal_a", "", False),
                ("return", "returned", "batxat_officer", "Bổ sung minh chứng 1.4", False),
                ("submit", "submitted", "principal_a", "", True),
                ("approve", "approved", "batxat_officer", "", False),
                ("assess", "approved", "batxat_officer", "", False),
                ("publish", "published", "batxat_officer", "", False),
            ],
        )
        self.assertEqual(
            AuditEntry.objects.filter(
                target_type="digital.SelfAssessment", note__startswith="self-assessment "
            ).count(),
            6,
        )
        page = self.client.get(self.page)
        self.assertContains(page, "Bổ sung minh chứng 1.4")
        self.assertContains(page, "after the deadline")
        self.assertNotContains(page, 'name="group"')

    def test_return_needs_comments(self) -> None:
        self.post_as("principal_a", "submit")
        response = self.post_as("batxat_officer", "return", comment="  ")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["step_form"].errors["comment"],
            ["Say what the school must add or correct before it resubmits."],
        )
        self.assertEqual(self.status(), "submitted")

    def test_steps_out_of_order_are_refused(self) -> None:
        """A draft cannot be approved or published; a submitted one cannot be resubmitted."""
        with self.assertRaises(ValidationError):
            services.self_assessment_approve(assessment=self.a, by=None)
        with self.assertRaises(ValidationError):
            services.self_assessment_publish(assessment=self.a, by=None)
        services.self_assessment_submit(assessment=self.a, by=None)
        with self.assertRaises(ValidationError):
            services.self_assessment_submit(assessment=self.a, by=None)
        self.assertEqual(self.a.events.count(), 1)

    def test_who_may_take_each_step(self) -> None:
        """Only the school's writers submit (not a teacher or a parent, nor the office); the
        principal cannot approve their own school; an officer of another district gets 404;
        the province's officers and the commune officer above the school may review."""
        for persona in ("teacher_a", "parent_a", "student_a", "nobody", "batxat_officer"):
            self.assertEqual(self.post_as(persona, "submit").status_code, 404, persona)
        self.assertEqual(self.status(), "draft")
        self.assertEqual(self.post_as("principal_a", "submit").status_code, 302)
        for persona in ("principal_a", "baothang_officer", "teacher_a", "parent_a", "nobody"):
            self.assertEqual(self.post_as(persona, "approve").status_code, 404, persona)
        self.assertEqual(self.status(), "submitted")
        self.assertEqual(self.post_as("commune_officer", "approve").status_code, 302)
        self.assertEqual(self.status(), "approved")
        self.assertEqual(self.post_as("province_officer", "publish").status_code, 302)
        self.assertEqual(self.status(), "published")

    def test_the_submitter_cannot_approve_their_own_submission(self) -> None:
        """The Sở's administrator may fill in for a school, but then another officer approves."""
        admin = self.world.users["department_admin"]
        services.self_assessment_submit(assessment=self.a, by=admin)
        with self.assertRaisesMessage(ValidationError, "another officer must approve it"):
            services.self_assessment_approve(assessment=self.a, by=admin)
        services.self_assessment_approve(assessment=self.a, by=self.world.users["batxat_officer"])
        self.assertEqual(self.status(), "approved")

    def test_lateness_is_flagged_never_refused(self) -> None:
        """On 31/5 a submission is on time, on 1/6 it is accepted and flagged; an external
        assessment after 20/6 likewise."""
        services.self_assessment_submit(assessment=self.a, by=None, on=dt.date(2022, 5, 31))
        self.assertFalse(SelfAssessment.objects.get(pk=self.a.pk).submitted_late)
        services.self_assessment_return(assessment=self.a, comment="Thiếu minh chứng", by=None)
        late = services.self_assessment_submit(assessment=self.a, by=None, on=dt.date(2022, 6, 1))
        self.assertEqual((late.status, late.submitted_late), ("submitted", True))
        on_time = services.self_assessment_assess(
            assessment=late, group_i=76, group_ii=76, by=None, on=dt.date(2022, 6, 20)
        )
        self.assertEqual((on_time.external_level, on_time.external_late), (3, False))
        again = services.self_assessment_assess(
            assessment=late, group_i=76, group_ii=75, by=None, on=dt.date(2022, 6, 21)
        )
        self.assertEqual((again.external_level, again.external_late), (2, True))

    @override_settings(VNEMIS_SELF_ASSESSMENT_DEADLINES={"submit": "06-10"})
    def test_the_deadline_follows_the_setting(self) -> None:
        late = services.self_assessment_submit(assessment=self.a, by=None, on=dt.date(2022, 6, 1))
        self.assertFalse(late.submitted_late)

    def test_external_points_are_bounded(self) -> None:
        services.self_assessment_submit(assessment=self.a, by=None)
        response = self.post_as("batxat_officer", "assess", group_i="101", group_ii="x")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["external_form"].errors,
            {
                "group_i": ["Enter the points of group I (0 to 100)."],
                "group_ii": ["Enter a whole number written with the digits 0 to 9."],
            },
        )
        self.assertIsNone(SelfAssessment.objects.get(pk=self.a.pk).external_level)


@override_settings(LANGUAGE_CODE="en")
class StatusPageTests(PersonaTestCase):
    """Each school of the officer's scope with its status, filters and the Excel export."""

    def setUp(self) -> None:
        self.url = reverse("digital:self_assessment_status")
        a = services.self_assessment_prepare(
            school=self.world.school_a, school_year=self.world.year, day=DAY, by=None
        )
        for code, points in (("1.4", 10), ("1.5.1", 15), ("2.4.2", 12)):
            services.criterion_score_set(
                score=a.scores.get(criterion__code=code), by=None, points=points
            )
        services.self_assessment_submit(assessment=a, by=None, on=dt.date(2022, 6, 3))

    def test_matrix(self) -> None:
        """Officers and principals see the page (each their schools); others get 404."""
        add_principal_b(self.world)
        ok = {
            "department_admin",
            "province_officer",
            "batxat_officer",
            "baothang_officer",
            "commune_officer",
            "principal_a",
            "principal_b",
        }
        others = {"teacher_a", "teacher_a2", "parent_a", "student_a", "nobody"}
        matrix: dict[str | None, int] = {None: 302}
        matrix.update({p: 200 for p in ok})
        matrix.update({p: 404 for p in others})
        self.assert_matrix(self.url, matrix)

    def rows(self, persona: str, query: str = "") -> list[tuple[Any, ...]]:
        response = self.get_as(persona, self.url + query)
        self.assertEqual(response.status_code, 200)
        return [
            (r.code, r.status, r.late, r.group_i, r.group_ii, r.level)
            for r in response.context["page"]
        ]

    def test_each_school_of_the_scope_with_its_status(self) -> None:
        self.assertEqual(
            self.rows("province_officer"),
            [
                ("10082001", "submitted", True, 25, 18, 1),  # Tiểu học Bát Xát
                ("10086001", "not_started", False, None, None, None),  # Tiểu học Phố Lu
            ],
        )
        self.assertEqual(
            self.rows("baothang_officer"), [("10086001", "not_started", False) + (None,) * 3]
        )
        self.assertEqual([r[0] for r in self.rows("commune_officer")], ["10082001"])

    def test_filters(self) -> None:
        """By unit, by status (late included) and by name without accents."""
        self.assertEqual([r[0] for r in self.rows("province_officer", "?org=PGD086")], ["10086001"])
        self.assertEqual(
            [r[0] for r in self.rows("province_officer", "?status=not_started")], ["10086001"]
        )
        self.assertEqual(
            [r[0] for r in self.rows("province_officer", "?status=late")], ["10082001"]
        )
        self.assertEqual([r[0] for r in self.rows("province_officer", "?q=pho lu")], ["10086001"])
        self.assertEqual(self.rows("province_officer", "?status=published"), [])
        # Another district's office is outside the officer's scope: the same 404 as unknown.
        self.assertEqual(self.get_as("batxat_officer", self.url + "?org=PGD086").status_code, 404)
        self.assertEqual(self.get_as("province_officer", self.url + "?status=x").status_code, 400)

    def test_export_holds_the_results_of_each_school(self) -> None:
        response = self.get_as("province_officer", self.url + "?export=xlsx")
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        self.assertEqual(
            [list(r) for r in sheet.iter_rows(values_only=True)],
            [
                [
                    "School code",
                    "School",
                    "Status",
                    "Submitted late",
                    "Group I points",
                    "Group II points",
                    "Total points",
                    "Level",
                    "Provisional level",
                    "External level",
                ],
                [
                    "10082001",
                    "Trường Tiểu học Bát Xát",
                    "Submitted",
                    "Yes",
                    25,
                    18,
                    43,
                    "Level 1: not yet met",
                    "Yes",
                    None,
                ],
                [
                    "10086001",
                    "Trường Tiểu học Phố Lu",
                    "Not started",
                    "No",
                    None,
                    None,
                    None,
                    None,
                    "No",
                    None,
                ],
            ],
        )
        self.assertTrue(
            AuditEntry.objects.filter(verb="exported", note="self-assessment status").exists()
        )

    def test_query_count_does_not_grow_with_schools(self) -> None:
        """A second school with an assessment costs no extra query."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(self.world.users["province_officer"])
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as one:
            self.client.get(self.url)
        services.self_assessment_prepare(
            school=self.world.school_b, school_year=self.world.year, day=DAY, by=None
        )
        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get(self.url)
        self.assertEqual([r.status for r in response.context["page"]], ["submitted", "draft"])
