"""The gradebook and term-report pages and their JSON endpoints, through the test client: who
gets an entry grid and who a read-only one, and every answer of the endpoints the grid's script
relies on (200 with the stored values, 422 per cell, 409 locked, 404, 400 for a malformed
request, 403 without the CSRF token)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.test import Client, TestCase
from django.urls import reverse

from vnemis.learning.models import Correction, Mark, TermReport
from vnemis.learning.services.locks import term_lock
from vnemis.learning.services.marks import CellInput, marks_save
from vnemis.learning.services.releases import release_set
from vnemis.learning.services.reports import ReportInput, term_reports_save
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.learning.views.common import CELLS_MAX
from vnemis.testing.world import World, build_world


class GradebookViewTests(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)

    # Helpers

    def login(self, persona: str | None) -> None:
        self.client.logout()
        if persona is not None:
            user = self.lw.users.get(persona) or self.world.users[persona]
            self.client.force_login(user)

    def page_url(self, term: int = 1, subject_pk: int | None = None) -> str:
        return reverse(
            "learning:gradebook",
            args=[self.lw.class_6a.pk, subject_pk or self.lw.toan_6.pk, term],
        )

    def cells_url(self, term: int = 1, subject_pk: int | None = None) -> str:
        return reverse(
            "learning:gradebook_cells",
            args=[self.lw.class_6a.pk, subject_pk or self.lw.toan_6.pk, term],
        )

    def post_json(self, url: str, body: Any, *, raw: bytes | None = None) -> Any:
        return self.client.post(
            url,
            data=raw if raw is not None else json.dumps(body),
            content_type="application/json",
        )

    def cells(self, *items: tuple[int, str, str]) -> dict[str, Any]:
        return {"cells": [{"student": s, "column": c, "value": v} for s, c, v in items]}

    def toan_marks(self) -> int:
        return Mark.objects.filter(subject=self.lw.toan_6).count()

    def lock(self, term: int = 1) -> None:
        term_lock(school=self.lw.school_c, school_year=self.world.year, term=term, by=None)

    def full_row(self, student_id: int) -> list[tuple[int, str, str]]:
        """8; 7,5; 9; 6 regular, 7 mid-term, 8,5 end of term: (8+7,5+9+6+2·7+3·8,5)/9 = 7,78
        → 7,8 (TT22/2021 Điều 9.1)."""
        return [
            (student_id, "r1", "8"),
            (student_id, "r2", "7,5"),
            (student_id, "r3", "9"),
            (student_id, "r4", "6"),
            (student_id, "midterm", "7"),
            (student_id, "final", "8.5"),
        ]

    # The page

    def test_the_assigned_teacher_gets_an_entry_grid(self) -> None:
        """teacher_d's Toán 6A grid: one decimal input per score column and student, a text
        input for the comment, the save URL and CSRF token for the script, the release forms."""
        self.login("teacher_d")
        response = self.client.get(self.page_url())
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("data-gradebook", html)
        self.assertIn(f'data-save-url="{self.cells_url()}"', html)
        self.assertRegex(html, r'data-csrf="[A-Za-z0-9]{32,}"')
        self.assertEqual(html.count('inputmode="decimal"'), 2 * 6)  # 2 students × r1–r4, mid, final
        self.assertEqual(html.count('data-kind="text"'), 2)
        for column in ("r1", "r2", "r3", "r4", "midterm", "final", "comment"):
            self.assertIn(f'id="cell-{self.lw.s6a.pk}-{column}"', html)
        self.assertIn('data-decimals="1"', html)
        self.assertEqual(html.count('class="release-form"'), 4)
        self.assertIn("js/gradebook.js", html)
        self.assertIn("css/gradebook.css", html)

    def test_readers_get_the_grid_without_inputs(self) -> None:
        """The homeroom teacher and the principal read Toán 6A: values, no input, no save URL,
        no release form for the homeroom teacher."""
        marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            cells=[CellInput(*c) for c in self.full_row(self.lw.s6a.pk)],
            by=None,
        )
        for persona in ("teacher_c", "principal_c", "batxat_officer"):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.client.get(self.page_url())
                self.assertEqual(response.status_code, 200)
                html = response.content.decode()
                self.assertNotIn("data-gradebook", html)
                self.assertNotIn("data-column=", html)
                self.assertNotIn("gradebook_cells", html)
                self.assertNotIn(self.cells_url(), html)
                self.assertIn('<span class="value">7,5</span>', html)
                self.assertIn('<td class="average" data-average>7,8</td>', html)
        self.login("teacher_c")
        self.assertNotIn('class="release-form"', self.client.get(self.page_url()).content.decode())

    def test_stored_values_show_with_a_decimal_comma(self) -> None:
        """A stored 8.0 shows as 8 in its cell, 7.5 as 7,5; the term average keeps one decimal
        (7,8); a comment subject's results show as Đ / CĐ."""
        marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            cells=[CellInput(*c) for c in self.full_row(self.lw.s6a.pk)],
            by=None,
        )
        self.login("teacher_d")
        html = self.client.get(self.page_url()).content.decode()
        s = self.lw.s6a.pk
        self.assertRegex(html, rf'id="cell-{s}-r1"[^>]*value="8"')
        self.assertRegex(html, rf'id="cell-{s}-r2"[^>]*value="7,5"')
        self.assertRegex(html, rf'id="cell-{s}-final"[^>]*value="8,5"')
        self.assertIn('<td class="average" data-average>7,8</td>', html)
        # The class's spread: one student in the 7,0–7,9 band.
        self.assertIn("<td>7,0–7,9</td>", html)

    def test_people_outside_the_gradebook_get_404_and_visitors_the_login(self) -> None:
        """teacher_d does not teach Văn; parents, officers elsewhere get 404; term 3 is 404."""
        cases = [
            ("teacher_d", self.page_url(subject_pk=self.lw.van_6.pk)),
            ("parent_c", self.page_url()),
            ("baothang_officer", self.page_url()),
            ("teacher_a", self.page_url()),
            ("teacher_d", self.page_url(term=3)),
        ]
        for persona, url in cases:
            with self.subTest(persona=persona, url=url):
                self.login(persona)
                self.assertEqual(self.client.get(url).status_code, 404)
        self.login(None)
        response = self.client.get(self.page_url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_a_locked_term_is_read_only_with_a_correction_form(self) -> None:
        """After the lock, teacher_d sees values without inputs and the correction request
        form posting to ``correction_request``; the homeroom teacher gets no such form."""
        self.lock()
        self.login("teacher_d")
        html = self.client.get(self.page_url()).content.decode()
        self.assertNotIn("data-gradebook", html)
        self.assertNotIn("data-column=", html)
        self.assertIn("data-correction", html)
        url = reverse(
            "learning:correction_request", args=[self.lw.class_6a.pk, self.lw.toan_6.pk, 1]
        )
        self.assertIn(f'data-url="{url}"', html)
        self.assertIn('id="gradebook-locked"', html)
        # Term II is still open.
        self.assertIn("data-gradebook", self.client.get(self.page_url(term=2)).content.decode())
        self.login("teacher_c")
        self.assertNotIn("data-correction", self.client.get(self.page_url()).content.decode())

    def test_a_comment_subject_has_result_cells_and_no_average(self) -> None:
        """The homeroom teacher reads GDTC (comment-assessed): Đ / CĐ cells, no average."""
        marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.gdtc_6,
            term=1,
            cells=[
                CellInput(self.lw.s6a.pk, "result", "đ"),
                CellInput(self.lw.s6b.pk, "result", "cd"),
            ],
            by=None,
        )
        self.login("teacher_c")
        html = self.client.get(self.page_url(subject_pk=self.lw.gdtc_6.pk)).content.decode()
        self.assertIn('<span class="value">Đ</span>', html)
        self.assertIn('<span class="value">CĐ</span>', html)
        self.assertNotIn("data-average", html)

    def test_release_rules_show_their_state(self) -> None:
        """The end-of-term column released now shows as released, the mid-term one from its
        date (with the date in its form), the other two as not released."""
        release_set(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            column="final",
            now=True,
            by=None,
        )
        release_set(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            column="midterm",
            release_on=self.world.year.ends_on,
            by=None,
        )
        self.login("teacher_d")
        html = self.client.get(self.page_url()).content.decode()
        rules = html.split('<table class="table releases">')[1].split("</table>")[0]
        self.assertEqual(rules.count("is-released"), 1)
        self.assertEqual(rules.count("is-scheduled"), 1)
        self.assertEqual(rules.count("is-unreleased"), 2)
        day = self.world.year.ends_on.strftime("%d/%m/%Y")
        self.assertIn(f'value="{day}"', rules)
        action = reverse("learning:release_set", args=[self.lw.class_6a.pk])
        self.assertEqual(rules.count(f'action="{action}"'), 4)

    # Saving cells

    def test_valid_cells_are_saved_and_the_average_comes_back(self) -> None:
        """200 with the student's stored values: the typed scores with one decimal and the
        term average 7.8."""
        self.login("teacher_d")
        response = self.post_json(self.cells_url(), self.cells(*self.full_row(self.lw.s6a.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "saved": [
                    {
                        "student": self.lw.s6a.pk,
                        "values": {
                            "r1": "8.0",
                            "r2": "7.5",
                            "r3": "9.0",
                            "r4": "6.0",
                            "midterm": "7.0",
                            "final": "8.5",
                            "average": "7.8",
                        },
                    }
                ]
            },
        )
        mark = Mark.objects.get(subject=self.lw.toan_6, student=self.lw.s6a, term=1)
        self.assertEqual(str(mark.average), "7.8")
        # The same cell again changes nothing and lists no student.
        again = self.post_json(self.cells_url(), self.cells((self.lw.s6a.pk, "r1", "8,0")))
        self.assertEqual(again.json(), {"saved": []})

    def test_an_empty_value_clears_a_cell(self) -> None:
        """Sending "" clears the score and the average goes with it."""
        self.login("teacher_d")
        self.post_json(self.cells_url(), self.cells(*self.full_row(self.lw.s6a.pk)))
        response = self.post_json(self.cells_url(), self.cells((self.lw.s6a.pk, "r4", "")))
        self.assertEqual(response.status_code, 200)
        values = response.json()["saved"][0]["values"]
        self.assertNotIn("r4", values)
        self.assertNotIn("average", values)

    def test_invalid_cells_answer_422_per_cell_and_save_nothing(self) -> None:
        """11 and 7,25 are refused with a message each; the valid cell sent with them is not
        saved either (all or nothing)."""
        self.login("teacher_d")
        s = self.lw.s6a.pk
        response = self.post_json(
            self.cells_url(),
            self.cells((s, "r1", "11"), (s, "r2", "7,25"), (s, "r3", "9")),
        )
        self.assertEqual(response.status_code, 422)
        errors = response.json()["errors"]
        self.assertEqual([(e["student"], e["column"]) for e in errors], [(s, "r1"), (s, "r2")])
        self.assertIn("11", errors[0]["message"])
        self.assertIn("7,25", errors[1]["message"])
        self.assertEqual(self.toan_marks(), 0)

    def test_a_student_of_another_class_and_an_unknown_column_are_refused(self) -> None:
        """s7 is in 7A: 422 for his cell; "r9" is no Toán column: 422; nothing saved."""
        self.login("teacher_d")
        response = self.post_json(
            self.cells_url(),
            self.cells((self.lw.s7.pk, "r1", "8"), (self.lw.s6a.pk, "r9", "8")),
        )
        self.assertEqual(response.status_code, 422)
        errors = response.json()["errors"]
        self.assertEqual(
            [(e["student"], e["column"]) for e in errors],
            [(self.lw.s7.pk, "r1"), (self.lw.s6a.pk, "r9")],
        )
        self.assertIn("6A", errors[0]["message"])
        self.assertEqual(Mark.objects.count(), 0)

    def test_a_locked_term_answers_409(self) -> None:
        """409 with ``locked`` and a message; nothing saved."""
        self.lock()
        self.login("teacher_d")
        response = self.post_json(self.cells_url(), self.cells((self.lw.s6a.pk, "r1", "8")))
        self.assertEqual(response.status_code, 409)
        body = response.json()
        self.assertIs(body["locked"], True)
        self.assertTrue(body["message"])
        self.assertEqual(self.toan_marks(), 0)

    def test_users_who_may_only_read_or_not_at_all_get_404(self) -> None:
        """The homeroom teacher, the principal and an officer read Toán 6A but may not save
        it; teacher_d may not save Văn; a parent nothing; term 3 does not exist."""
        body = self.cells((self.lw.s6a.pk, "r1", "8"))
        cases = [
            ("teacher_c", self.cells_url()),
            ("principal_c", self.cells_url()),
            ("batxat_officer", self.cells_url()),
            ("parent_c", self.cells_url()),
            ("teacher_d", self.cells_url(subject_pk=self.lw.van_6.pk)),
            ("teacher_d", self.cells_url(term=3)),
        ]
        for persona, url in cases:
            with self.subTest(persona=persona, url=url):
                self.login(persona)
                self.assertEqual(self.post_json(url, body).status_code, 404)
        self.assertEqual(Mark.objects.count(), 0)

    def test_visitors_are_sent_to_the_login_and_get_is_not_allowed(self) -> None:
        self.login(None)
        response = self.post_json(self.cells_url(), self.cells((self.lw.s6a.pk, "r1", "8")))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        self.login("teacher_d")
        self.assertEqual(self.client.get(self.cells_url()).status_code, 405)

    def test_malformed_requests_answer_400(self) -> None:
        """Not JSON, not an object, no cells, too many cells, wrong types: 400, nothing saved."""
        self.login("teacher_d")
        s = self.lw.s6a.pk
        cell = {"student": s, "column": "r1", "value": "8"}
        cases: list[tuple[str, Any, bytes | None]] = [
            ("not JSON", None, b"{cells: ["),
            ("not UTF-8", None, b"\xff\xfe"),
            ("a list", [cell], None),
            ("no cells", {}, None),
            ("cells not a list", {"cells": cell}, None),
            ("empty", {"cells": []}, None),
            ("too many", {"cells": [cell] * (CELLS_MAX + 1)}, None),
            ("student as text", {"cells": [{**cell, "student": str(s)}]}, None),
            ("value as number", {"cells": [{**cell, "value": 8}]}, None),
            ("column missing", {"cells": [{"student": s, "value": "8"}]}, None),
            ("cell not an object", {"cells": ["8"]}, None),
        ]
        for name, body, raw in cases:
            with self.subTest(name):
                self.assertEqual(self.post_json(self.cells_url(), body, raw=raw).status_code, 400)
        self.assertEqual(Mark.objects.count(), 0)

    def test_the_csrf_token_is_required_and_the_header_is_enough(self) -> None:
        """Without the token the save is refused (403); with the page's token in X-CSRFToken,
        as the script sends it, it is saved."""
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.lw.users["teacher_d"])
        body = json.dumps(self.cells((self.lw.s6a.pk, "r1", "8")))
        refused = client.post(self.cells_url(), body, content_type="application/json")
        self.assertEqual(refused.status_code, 403)
        html = client.get(self.page_url()).content.decode()
        token = html.split('data-csrf="')[1].split('"')[0]
        saved = client.post(
            self.cells_url(), body, content_type="application/json", headers={"X-CSRFToken": token}
        )
        self.assertEqual(saved.status_code, 200)
        self.assertEqual(self.toan_marks(), 1)

    # Correction requests

    def correction_url(self) -> str:
        return reverse(
            "learning:correction_request", args=[self.lw.class_6a.pk, self.lw.toan_6.pk, 1]
        )

    def test_a_correction_request_of_a_locked_term_is_created(self) -> None:
        """201 with the request's id; the principal's request holds before and after."""
        marks_save(
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
            cells=[CellInput(self.lw.s6a.pk, "final", "8")],
            by=None,
        )
        self.lock()
        self.login("teacher_d")
        response = self.post_json(
            self.correction_url(),
            {"student": self.lw.s6a.pk, "cells": {"final": "9"}, "reason": "Chấm phúc khảo"},
        )
        self.assertEqual(response.status_code, 201)
        correction = Correction.objects.get(pk=response.json()["correction"])
        self.assertEqual(correction.after, {"final": "9"})
        self.assertEqual(correction.before, {"final": "8.0"})
        self.assertEqual(correction.reason, "Chấm phúc khảo")
        self.assertEqual(correction.requested_by, self.lw.users["teacher_d"])

    def test_a_correction_request_is_refused_with_422(self) -> None:
        """No reason, an invalid value, or an open term: 422 with a message, no request."""
        s = self.lw.s6a.pk
        self.login("teacher_d")
        open_term = self.post_json(
            self.correction_url(), {"student": s, "cells": {"final": "9"}, "reason": "x"}
        )
        self.assertEqual(open_term.status_code, 422)
        self.lock()
        for body in (
            {"student": s, "cells": {"final": "9"}, "reason": "  "},
            {"student": s, "cells": {"final": "7,25"}, "reason": "Nhập nhầm"},
            {"student": s, "cells": {}, "reason": "Nhập nhầm"},
        ):
            with self.subTest(body=body):
                response = self.post_json(self.correction_url(), body)
                self.assertEqual(response.status_code, 422)
                self.assertTrue(response.json()["errors"][0]["message"])
        self.assertEqual(Correction.objects.count(), 0)

    def test_a_correction_request_needs_the_teacher_and_well_formed_json(self) -> None:
        """The homeroom teacher (reader) gets 404; wrong types get 400."""
        self.lock()
        body = {"student": self.lw.s6a.pk, "cells": {"final": "9"}, "reason": "Nhập nhầm"}
        self.login("teacher_c")
        self.assertEqual(self.post_json(self.correction_url(), body).status_code, 404)
        self.login("teacher_d")
        for bad in (
            {**body, "student": "1"},
            {**body, "cells": {"final": 9}},
            {**body, "cells": ["final", "9"]},
            {**body, "reason": None},
        ):
            with self.subTest(bad=bad):
                self.assertEqual(self.post_json(self.correction_url(), bad).status_code, 400)
        self.assertEqual(self.post_json(self.correction_url(), None, raw=b"nope").status_code, 400)
        self.assertEqual(Correction.objects.count(), 0)


class TermReportViewTests(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)

    def login(self, persona: str | None) -> None:
        self.client.logout()
        if persona is not None:
            self.client.force_login(self.lw.users.get(persona) or self.world.users[persona])

    def page_url(self, term: int = 1) -> str:
        return reverse("learning:term_reports", args=[self.lw.class_6a.pk, term])

    def rows_url(self, term: int = 1) -> str:
        return reverse("learning:term_reports_rows", args=[self.lw.class_6a.pk, term])

    def post_json(self, url: str, body: Any, *, raw: bytes | None = None) -> Any:
        return self.client.post(
            url, data=raw if raw is not None else json.dumps(body), content_type="application/json"
        )

    def test_the_homeroom_teacher_gets_an_entry_grid(self) -> None:
        """teacher_c's 6A: conduct, absences and remark inputs per student, with the TT22
        conduct levels for the script; stored values in the học bạ's letters."""
        term_reports_save(
            school_class=self.lw.class_6a,
            term=1,
            rows=[ReportInput(self.lw.s6a.pk, conduct="kha", absences_excused="2")],
            by=None,
        )
        self.login("teacher_c")
        response = self.client.get(self.page_url())
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("data-term-reports", html)
        self.assertIn(f'data-save-url="{self.rows_url()}"', html)
        self.assertIn('data-labels="tot:T|kha:K|dat:Đ|chua_dat:CĐ"', html)
        self.assertEqual(html.count('data-kind="conduct"'), 2)
        self.assertEqual(html.count('data-kind="count"'), 4)
        self.assertRegex(html, rf'id="cell-{self.lw.s6a.pk}-conduct"[^>]*value="K"')
        self.assertRegex(html, rf'id="cell-{self.lw.s6a.pk}-absences_excused"[^>]*value="2"')

    def test_readers_and_a_locked_term_get_no_inputs(self) -> None:
        """The principal reads 6A's reports; after the lock the homeroom teacher does too."""
        self.login("principal_c")
        html = self.client.get(self.page_url()).content.decode()
        self.assertNotIn("data-term-reports", html)
        self.assertNotIn("data-column=", html)
        self.lock()
        self.login("teacher_c")
        html = self.client.get(self.page_url()).content.decode()
        self.assertNotIn("data-column=", html)
        self.assertIn("data-term-reports", self.client.get(self.page_url(2)).content.decode())

    def lock(self) -> None:
        term_lock(school=self.lw.school_c, school_year=self.world.year, term=1, by=None)

    def test_outsiders_get_404(self) -> None:
        """teacher_d teaches in 6A but is not its homeroom teacher; a parent; term 3."""
        for persona, url in (
            ("teacher_d", self.page_url()),
            ("parent_c", self.page_url()),
            ("teacher_c", self.page_url(3)),
        ):
            with self.subTest(persona=persona, url=url):
                self.login(persona)
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_rows_save_and_answer_the_stored_values(self) -> None:
        """ "t" is saved as conduct "tot" and absences as a number."""
        self.login("teacher_c")
        response = self.post_json(
            self.rows_url(),
            {"rows": [{"student": self.lw.s6a.pk, "conduct": "t", "absences_unexcused": "3"}]},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "saved": [
                    {
                        "student": self.lw.s6a.pk,
                        "values": {"conduct": "tot", "absences_unexcused": 3},
                        # No year result yet: the marks of the year are missing.
                        "year": None,
                    }
                ]
            },
        )

    def test_rows_are_refused_422_409_404_400(self) -> None:
        """An unknown level: 422 naming the student; locked: 409; teacher_d and the
        principal: 404; malformed: 400; nothing saved."""
        s = self.lw.s6a.pk
        self.login("teacher_c")
        bad = self.post_json(self.rows_url(), {"rows": [{"student": s, "conduct": "X"}]})
        self.assertEqual(bad.status_code, 422)
        self.assertEqual([e["student"] for e in bad.json()["errors"]], [s])
        other = self.post_json(self.rows_url(), {"rows": [{"student": self.lw.s7.pk}]})
        self.assertEqual(other.status_code, 422)
        for body, raw in (
            ({"rows": []}, None),
            ({"rows": [{"student": "1"}]}, None),
            ({"rows": [{"student": s, "traits": ["T"]}]}, None),
            (None, b"[1"),
        ):
            with self.subTest(body=body, raw=raw):
                self.assertEqual(self.post_json(self.rows_url(), body, raw=raw).status_code, 400)
        for persona in ("teacher_d", "principal_c"):
            with self.subTest(persona=persona):
                self.login(persona)
                response = self.post_json(self.rows_url(), {"rows": [{"student": s}]})
                self.assertEqual(response.status_code, 404)
        self.lock()
        self.login("teacher_c")
        locked = self.post_json(self.rows_url(), {"rows": [{"student": s, "conduct": "T"}]})
        self.assertEqual(locked.status_code, 409)
        self.assertIs(locked.json()["locked"], True)
        self.assertEqual(TermReport.objects.count(), 0)
