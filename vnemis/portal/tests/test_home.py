"""Each role's home page shows that role's figures, work and records, and nobody else's."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vnemis.indicators import services as indicator_services
from vnemis.indicators.periods import parse_period
from vnemis.organisations.scope import Scope, user_scope
from vnemis.plans.models import PlanTask, Programme, TaskUpdate
from vnemis.portal import selectors
from vnemis.testing.personas import PersonaTestCase

HOME = "/"


class HomeTests(PersonaTestCase):
    due_a: ClassVar[PlanTask]
    done_a: ClassVar[PlanTask]
    due_b: ClassVar[PlanTask]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        indicator_services.element_values_refresh(period=parse_period("2022H1"))
        programme = Programme.objects.create(
            code="kh-test",
            document_number="49/KH-UBND",
            issued_on=dt.date(2022, 3, 1),
            issued_by="UBND tỉnh Lào Cai",
            title="Kế hoạch thử",
        )
        cls.due_a = PlanTask.objects.create(
            programme=programme,
            number=1,
            title="Nhiệm vụ của Bát Xát",
            owner=cls.world.batxat,
            deadline=dt.date(2022, 6, 30),
        )
        cls.done_a = PlanTask.objects.create(
            programme=programme,
            number=2,
            title="Nhiệm vụ đã xong",
            owner=cls.world.batxat,
            deadline=dt.date(2022, 6, 30),
        )
        TaskUpdate.objects.create(task=cls.done_a, on=dt.date(2022, 5, 1), status="done")
        cls.due_b = PlanTask.objects.create(
            programme=programme,
            number=3,
            title="Nhiệm vụ của Bảo Thắng",
            owner=cls.world.baothang,
            deadline=dt.date(2022, 6, 30),
        )

    def setUp(self) -> None:
        cache.clear()

    def test_officer_sees_counts_of_the_analytics_table_for_the_own_unit(self) -> None:
        """Bát Xát's officer: one school, its site, two pupils and two teachers, as the
        analytics table holds them for the latest period."""
        home = self.get_as("batxat_officer", HOME).context["officer"]
        self.assertEqual(home.unit, self.world.batxat)
        self.assertEqual(home.period.code, "2022H1")
        self.assertEqual(home.counts, {"schools": 1, "sites": 1, "students": 2, "staff": 2})
        province = self.get_as("province_officer", HOME).context["officer"]
        self.assertEqual(province.counts["students"], 3)

    def test_home_does_not_count_the_enrolment_table(self) -> None:
        """The officer's home reads the analytics table: no query touches enrolments."""
        self.client.force_login(self.world.users["province_officer"])
        self.client.get(HOME)  # the data-quality alerts are computed and kept
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(HOME).status_code, 200)
        enrolment = [q["sql"] for q in queries if "people_enrollment" in q["sql"]]
        self.assertEqual(enrolment, [])

    def test_tasks_due_are_those_of_the_scope_and_not_done(self) -> None:
        self.assertEqual(
            [
                d.task
                for d in selectors._tasks_due(
                    self.scope("batxat_officer"), today=dt.date(2022, 6, 15)
                )
            ],
            [self.due_a],
        )
        due = selectors._tasks_due(self.scope("province_officer"), today=dt.date(2022, 7, 1))
        self.assertEqual([d.task for d in due], [self.due_a, self.due_b])
        self.assertTrue(all(d.overdue for d in due))
        on_deadline = selectors._tasks_due(self.scope("batxat_officer"), today=dt.date(2022, 6, 30))
        self.assertFalse(on_deadline[0].overdue)

    def scope(self, persona: str) -> Scope:
        return user_scope(self.world.users[persona])

    def test_commune_officer_sees_the_2022_figures_of_the_schools_now_under_the_commune(
        self,
    ) -> None:
        """The commune exists from 2025; its 2022 figures are those its schools counted
        then, added up along today's tree, not a dead end."""
        home = self.get_as("commune_officer", HOME).context["officer"]
        self.assertEqual(home.unit, self.world.commune_a)
        self.assertEqual(home.counts, {"schools": 1, "sites": 1, "students": 2, "staff": 2})
        cashless = next(v for v in home.figures if v.indicator.code == "e_transcript_students")
        self.assertEqual(cashless.denominator, 2)

    def test_teacher_sees_her_classes(self) -> None:
        response = self.get_as("teacher_a", HOME)
        classes = response.context["classes"]
        self.assertEqual([(c.name, c.n_students) for c in classes], [("3A", 1)])
        self.assertNotIn("officer", response.context)

    def test_parent_sees_each_child_with_class_and_homeroom_teacher(self) -> None:
        response = self.get_as("parent_a", HOME)
        family = response.context["family"]
        self.assertEqual([e.student for e in family], [self.world.student_a1])
        self.assertContains(response, self.world.teacher_a.person.full_name)
        self.assertContains(response, self.world.school_a.name)
        self.assertNotContains(response, self.world.student_a2.person.full_name)

    def test_student_sees_her_own_record_only(self) -> None:
        family = self.get_as("student_a", HOME).context["family"]
        self.assertEqual([e.student for e in family], [self.world.student_a1])

    def test_user_without_role_gets_an_empty_page_not_an_error(self) -> None:
        response = self.get_as("nobody", HOME)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("officer", response.context)
