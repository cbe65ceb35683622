"""Who reads and who enters which gradebook, and which view of a student's results each user
gets (roles × objects)."""

from __future__ import annotations

from typing import ClassVar

from django.http import Http404
from django.test import TestCase

from vnemis.learning.access import (
    assignments_for_user,
    gradebook_classes_for_user,
    gradebook_get_for_user,
    result_view_for_user,
    school_manageable,
    term_reports_editable,
)
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.testing.world import World, build_world


class GradebookAccessTests(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)

    def user(self, name: str) -> object:
        return self.lw.users.get(name) or self.world.users[name]

    def gradebook(self, name: str, class_pk: int, subject_pk: int) -> str:
        """ "enter", "read" or "404"."""
        try:
            book = gradebook_get_for_user(
                user=self.user(name),  # type: ignore[arg-type]
                class_pk=class_pk,
                subject_pk=subject_pk,
            )
        except Http404:
            return "404"
        return "enter" if book.can_enter else "read"

    def test_matrix_of_roles_for_the_toan_and_van_gradebooks_of_6a(self) -> None:
        """Only the assigned teacher enters; the homeroom teacher, the principal and officers
        above the school read; a teacher of another subject, officers elsewhere, parents and
        students get 404."""
        toan = (self.lw.class_6a.pk, self.lw.toan_6.pk)
        van = (self.lw.class_6a.pk, self.lw.van_6.pk)
        expected = {
            "teacher_d": ("enter", "404"),  # teaches Toán in 6A, not Văn, not homeroom
            "teacher_c": ("read", "enter"),  # homeroom of 6A, teaches Văn
            "principal_c": ("read", "read"),
            "batxat_officer": ("read", "read"),
            "province_officer": ("read", "read"),
            "department_admin": ("read", "read"),
            "baothang_officer": ("404", "404"),
            "principal_a": ("404", "404"),
            "teacher_a": ("404", "404"),
            "parent_c": ("404", "404"),
            "parent_a": ("404", "404"),
            "student_a": ("404", "404"),
            "nobody": ("404", "404"),
        }
        seen = {
            name: (self.gradebook(name, *toan), self.gradebook(name, *van)) for name in expected
        }
        self.assertEqual(seen, expected)

    def test_subject_of_another_grade_is_404(self) -> None:
        """Toán of grade 7 does not open in class 6A, even for its teacher."""
        self.assertEqual(self.gradebook("teacher_d", self.lw.class_6a.pk, self.lw.toan_7.pk), "404")

    def test_a_teacher_who_lost_the_role_enters_nothing(self) -> None:
        """Assignments count only while the teacher holds the teacher role at the school."""
        user = self.lw.users["teacher_d"]
        self.assertEqual(assignments_for_user(user=user).count(), 2)
        user.role_assignments.all().delete()
        fresh = type(user).objects.get(pk=user.pk)
        self.assertEqual(assignments_for_user(user=fresh).count(), 0)
        self.assertFalse(gradebook_classes_for_user(user=fresh).exists())

    def test_term_reports_and_school_management(self) -> None:
        self.assertTrue(
            term_reports_editable(user=self.lw.users["teacher_c"], school_class=self.lw.class_6a)
        )
        self.assertFalse(
            term_reports_editable(user=self.lw.users["teacher_d"], school_class=self.lw.class_6a)
        )
        self.assertFalse(
            term_reports_editable(user=self.lw.users["principal_c"], school_class=self.lw.class_6a)
        )
        self.assertTrue(
            school_manageable(user=self.lw.users["principal_c"], school=self.lw.school_c)
        )
        self.assertTrue(
            school_manageable(user=self.world.users["department_admin"], school=self.lw.school_c)
        )
        self.assertFalse(
            school_manageable(user=self.world.users["batxat_officer"], school=self.lw.school_c)
        )
        self.assertFalse(
            school_manageable(user=self.world.users["principal_a"], school=self.lw.school_c)
        )
        self.assertFalse(
            school_manageable(user=self.lw.users["teacher_c"], school=self.lw.school_c)
        )

    def test_result_views(self) -> None:
        """Staff reach all of a student's results; his guardian and himself only released ones;
        everyone else 404."""

        def view(name: str, student: object) -> str:
            try:
                found = result_view_for_user(user=self.user(name), student=student)  # type: ignore[arg-type]
            except Http404:
                return "404"
            return "released" if found.released_only else "all"

        s6a = self.lw.s6a
        expected = {
            "teacher_c": "all",  # homeroom
            "teacher_d": "all",  # teaches Toán in 6A
            "principal_c": "all",
            "batxat_officer": "all",
            "parent_c": "released",
            "parent_a": "404",
            "student_a": "404",
            "teacher_a": "404",
            "baothang_officer": "404",
            "nobody": "404",
        }
        self.assertEqual({name: view(name, s6a) for name in expected}, expected)
        self.assertEqual(view("student_a", self.world.student_a1), "released")
        self.assertEqual(view("parent_a", self.world.student_a1), "released")
