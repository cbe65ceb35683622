"""The learning pages other than the entry grids: who reaches them, what they show, and the
publication rule on the family's page."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from vnemis.learning.models import Correction, TermLock
from vnemis.learning.selectors import released_columns, student_year
from vnemis.learning.services.locks import correction_request_mark
from vnemis.learning.services.marks import CellInput, marks_save
from vnemis.learning.services.releases import release_set
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.testing.world import World, build_world


class LearningPageTests(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)
        marks_save(
            school_class=cls.lw.class_6a,
            subject=cls.lw.toan_6,
            term=1,
            cells=[
                CellInput(cls.lw.s6a.pk, column, value)
                for column, value in {
                    "r1": "8",
                    "r2": "7.5",
                    "r3": "9",
                    "r4": "6",
                    "midterm": "7",
                    "final": "8.5",
                }.items()
            ],
            by=None,
        )

    def login(self, name: str) -> None:
        self.client.force_login(self.lw.users.get(name) or self.world.users[name])

    def status(self, name: str | None, url: str) -> int:
        self.client.logout()
        if name:
            self.login(name)
        return self.client.get(url).status_code

    def test_class_page_matrix(self) -> None:
        url = reverse("learning:class_detail", args=[self.lw.class_6a.pk])
        seen = {
            name: self.status(name, url)
            for name in (
                "teacher_c",
                "teacher_d",
                "principal_c",
                "batxat_officer",
                "baothang_officer",
                "teacher_a",
                "parent_c",
                "nobody",
            )
        }
        self.assertEqual(
            seen,
            {
                "teacher_c": 200,
                "teacher_d": 200,
                "principal_c": 200,
                "batxat_officer": 200,
                "baothang_officer": 404,
                "teacher_a": 404,
                "parent_c": 404,
                "nobody": 404,
            },
        )
        self.assertEqual(self.status(None, url), 302)

    def test_subject_teacher_sees_only_her_subjects_on_the_class_page(self) -> None:
        self.login("teacher_d")
        page = self.client.get(reverse("learning:class_detail", args=[self.lw.class_6a.pk]))
        self.assertContains(page, "Toán")
        self.assertNotContains(page, "Ngữ văn")
        self.login("teacher_c")
        page = self.client.get(reverse("learning:class_detail", args=[self.lw.class_6a.pk]))
        self.assertContains(page, "Ngữ văn")
        self.assertContains(page, "Toán")

    def test_home_lists_assignments_and_families_go_to_their_children(self) -> None:
        self.login("teacher_d")
        page = self.client.get(reverse("learning:home") + "?year=2021-2022")
        self.assertContains(
            page, reverse("learning:gradebook", args=[self.lw.class_6a.pk, self.lw.toan_6.pk, 1])
        )
        self.login("parent_c")
        self.assertRedirects(self.client.get(reverse("learning:home")), reverse("learning:family"))
        page = self.client.get(reverse("learning:family"))
        self.assertContains(page, reverse("learning:student_results", args=[self.lw.s6a.code]))
        self.assertNotContains(page, self.lw.s6b.code)

    def test_officer_list_exports_to_excel(self) -> None:
        self.login("batxat_officer")
        response = self.client.get(reverse("learning:home") + "?year=2021-2022&export=xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"].split(";")[0],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response = self.client.get(reverse("learning:home") + "?year=1999-2000")
        self.assertEqual(response.status_code, 400)

    def test_unreleased_scores_stay_hidden_from_the_family(self) -> None:
        """Before any release the parent's page shows none of the scores and says results are
        waiting; releasing the average column shows the average only; the staff see all."""
        url = reverse("learning:student_results", args=[self.lw.s6a.code]) + "?year=2021-2022"
        self.login("parent_c")
        page = self.client.get(url)
        self.assertNotContains(page, "7,8")
        self.assertNotContains(page, "8,5")
        # Seven values withheld: four regular scores, mid-term, end of term, the average.
        self.assertContains(page, "7 kết quả chưa được công bố")
        release_set(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            column="average",
            now=True,
            by=None,
        )
        page = self.client.get(url)
        self.assertContains(page, "7,8")
        self.assertNotContains(page, "8,5")
        self.login("teacher_c")
        page = self.client.get(url)
        self.assertContains(page, "8,5")
        self.assertContains(page, "7,8")

    def test_a_release_date_takes_effect_on_that_day(self) -> None:
        """A column released from 31/12/2022 is withheld on 30/12 and shown from 31/12."""
        release_set(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            column="final",
            release_on=dt.date(2022, 12, 31),
            by=None,
        )
        before = dt.datetime(2022, 12, 30, 23, 0, tzinfo=timezone.get_current_timezone())
        after = dt.datetime(2022, 12, 31, 7, 0, tzinfo=timezone.get_current_timezone())
        key = (self.lw.toan_6.pk, 1, "final")
        self.assertNotIn(key, released_columns(school_class_id=self.lw.class_6a.pk, now=before))
        self.assertIn(key, released_columns(school_class_id=self.lw.class_6a.pk, now=after))
        shown = student_year(
            student=self.lw.s6a, school_year_id=self.world.year.pk, released_only=True, now=before
        )
        assert shown is not None
        self.assertNotIn("final", shown.lines[0].terms[1])
        shown = student_year(
            student=self.lw.s6a, school_year_id=self.world.year.pk, released_only=True, now=after
        )
        assert shown is not None
        self.assertEqual(shown.lines[0].terms[1], {"final": "8.5"})

    def test_other_family_gets_404(self) -> None:
        url = reverse("learning:student_results", args=[self.lw.s6a.code])
        self.assertEqual(self.status("parent_a", url), 404)
        self.assertEqual(self.status("student_a", url), 404)

    def test_lock_and_decide_through_the_pages(self) -> None:
        """The principal locks a term; a teacher cannot; the principal approves a request."""
        lock_url = reverse("learning:term_lock", args=[self.lw.class_6a.pk])
        self.login("teacher_d")
        self.assertEqual(self.client.post(lock_url, {"term": "1"}).status_code, 404)
        self.assertFalse(TermLock.objects.exists())
        self.login("principal_c")
        self.client.post(lock_url, {"term": "1"})
        self.assertTrue(TermLock.objects.filter(term=1, school=self.lw.school_c).exists())
        request = correction_request_mark(
            school_class=self.lw.class_6a,
            subject_id=self.lw.toan_6.pk,
            term=1,
            student_id=self.lw.s6a.pk,
            cells={"final": "9"},
            reason="Nhầm điểm",
            by=self.lw.users["teacher_d"],
        )
        page = self.client.get(reverse("learning:corrections"))
        self.assertContains(page, "Nhầm điểm")
        self.login("batxat_officer")
        response = self.client.post(
            reverse("learning:correction_decide", args=[request.pk]), {"approve": "1"}
        )
        self.assertEqual(response.status_code, 404)
        self.login("principal_c")
        self.client.post(reverse("learning:correction_decide", args=[request.pk]), {"approve": "1"})
        request.refresh_from_db()
        self.assertEqual(request.status, "approved")
        self.assertEqual(Correction.objects.count(), 1)
