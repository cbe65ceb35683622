"""Who sees which programmes and tasks, and who may report on them."""

from __future__ import annotations

from typing import ClassVar

from vnemis.plans import access
from vnemis.plans.tests.fixtures import Plans, build_plans
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.urlmatrix import add_principal_b


class PlanAccessTests(PersonaTestCase):
    plans: ClassVar[Plans]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_principal_b(cls.world)
        cls.plans = build_plans(cls.world)

    def task_titles(self, persona: str, *, write: bool = False) -> set[str]:
        user = self.world.users[persona]
        return set(access.tasks_for_user(user=user, write=write).values_list("title", flat=True))

    def programme_codes(self, persona: str) -> set[str]:
        user = self.world.users[persona]
        return set(access.programmes_for_user(user=user).values_list("code", flat=True))

    def test_officers_see_the_tasks_owned_inside_their_subtree(self) -> None:
        """The Sở sees every task; a Phòng its own and its schools'; a commune officer (2025
        tree) school A's; a principal his school's; teachers, parents, students none."""
        p = self.plans
        every = {t.title for t in (p.province_task, p.batxat_task, p.a_task, p.b_task)}
        every.add(p.b_only_task.title)
        expected = {
            "department_admin": every,
            "province_officer": every,
            "batxat_officer": {p.batxat_task.title, p.a_task.title},
            "baothang_officer": {p.b_task.title, p.b_only_task.title},
            "commune_officer": {p.a_task.title},
            "principal_a": {p.a_task.title},
            "principal_b": {p.b_task.title, p.b_only_task.title},
            "teacher_a": set(),
            "parent_a": set(),
            "student_a": set(),
            "nobody": set(),
        }
        self.assertEqual({name: self.task_titles(name) for name in expected}, expected)

    def test_a_programme_is_seen_through_its_tasks_and_an_empty_one_by_the_sos(self) -> None:
        """A programme is visible with one visible task; one without tasks only to the Sở."""
        expected = {
            "department_admin": {"kh-49-2022", "kh-7-2023", "qd-99-2024"},
            "province_officer": {"kh-49-2022", "kh-7-2023", "qd-99-2024"},
            "batxat_officer": {"kh-49-2022"},
            "baothang_officer": {"kh-49-2022", "kh-7-2023"},
            "commune_officer": {"kh-49-2022"},
            "principal_a": {"kh-49-2022"},
            "principal_b": {"kh-49-2022", "kh-7-2023"},
            "teacher_a": set(),
            "parent_a": set(),
            "nobody": set(),
        }
        self.assertEqual({name: self.programme_codes(name) for name in expected}, expected)

    def test_only_writers_of_the_owner_unit_may_report(self) -> None:
        """The Sở's administrator reports on every task, a principal on his school's; officers
        without write scope (the province officer, the Phòng) on none."""
        p = self.plans
        self.assertEqual(len(self.task_titles("department_admin", write=True)), 5)
        self.assertEqual(self.task_titles("principal_a", write=True), {p.a_task.title})
        self.assertEqual(
            self.task_titles("principal_b", write=True), {p.b_task.title, p.b_only_task.title}
        )
        for persona in ("province_officer", "batxat_officer", "commune_officer", "teacher_a"):
            self.assertEqual(self.task_titles(persona, write=True), set(), persona)
