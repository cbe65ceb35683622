"""The programme, task and progress pages: who gets them, what they list, what they write."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from typing import Any, ClassVar
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vnemis.core.models import AuditEntry
from vnemis.plans import services
from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import TaskUpdate
from vnemis.plans.tests.fixtures import Plans, build_plans
from vnemis.testing.files import real_pdf
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.urlmatrix import add_principal_b

OFFICERS_A = {
    "department_admin",
    "province_officer",
    "batxat_officer",
    "commune_officer",
    "principal_a",
}
OFFICERS_B = {"department_admin", "province_officer", "baothang_officer", "principal_b"}
PERSONAS = (
    *sorted(OFFICERS_A | OFFICERS_B),
    "teacher_a",
    "teacher_a2",
    "parent_a",
    "student_a",
    "nobody",
)


def granted(personas: set[str]) -> dict[str | None, int]:
    """200 for ``personas``, 404 for the other personas, 302 (to log in) for the visitor."""
    statuses: dict[str | None, int] = {p: 200 if p in personas else 404 for p in PERSONAS}
    statuses[None] = 302
    return statuses


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    # Dates come back from Excel as datetimes at midnight.
    return [
        tuple(v.date() if isinstance(v, dt.datetime) else v for v in row)
        for row in workbook.active.iter_rows(values_only=True)
    ]


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="vnemis-plans-"))
class PlanViewTestCase(PersonaTestCase):
    plans: ClassVar[Plans]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_principal_b(cls.world)
        cls.plans = build_plans(cls.world)

    def login(self, persona: str) -> None:
        """Log in as ``persona``, in English: the messages asserted are the msgids."""
        self.client.force_login(self.world.users[persona])
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def detail_url(self, programme: Any = None) -> str:
        return reverse("plans:programme_detail", args=[(programme or self.plans.mixed).pk])

    def task_url(self, task: Any = None) -> str:
        return reverse("plans:task_detail", args=[(task or self.plans.a_task).pk])


class PermissionMatrixTests(PlanViewTestCase):
    def test_programme_list_is_for_officers_only(self) -> None:
        """Every officer gets the list (empty or not); teachers, parents, students and users
        without a role get 404."""
        self.assert_matrix(reverse("plans:programme_list"), granted(OFFICERS_A | OFFICERS_B))

    def test_programme_of_school_b_only_is_hidden_from_school_a(self) -> None:
        """A programme whose only task is school B's is school B's officers' alone."""
        self.assert_matrix(self.detail_url(self.plans.only_b), granted(OFFICERS_B))

    def test_task_pages_follow_the_owner_unit(self) -> None:
        """School A's task: school A's officers; school B's task: school B's officers."""
        self.assert_matrix(self.task_url(self.plans.a_task), granted(OFFICERS_A))
        self.assert_matrix(self.task_url(self.plans.b_only_task), granted(OFFICERS_B))

    def test_evidence_download_follows_the_task(self) -> None:
        """The evidence of school A's task is downloaded by school A's officers only, each
        download audited."""
        update = services.task_update_record(
            task=self.plans.a_task,
            on=dt.date(2022, 6, 20),
            status=TaskStatus.DONE,
            by=None,
            evidence=SimpleUploadedFile("bien-ban.pdf", real_pdf()),
        )
        url = reverse("plans:task_update_evidence", args=[update.pk])
        self.assert_matrix(url, granted(OFFICERS_A))
        self.assertEqual(
            AuditEntry.objects.filter(verb="downloaded", target_id=str(update.pk)).count(),
            len(OFFICERS_A),
        )
        self.login("principal_a")
        response = self.client.get(url)
        self.assertEqual(response.getvalue(), real_pdf())
        self.assertIn("no-store", response["Cache-Control"])

    def test_update_without_evidence_has_no_download(self) -> None:
        """Asking for the file of an update that has none is a 404."""
        update = self.plans.a_task.updates.get(on=dt.date(2022, 6, 15))
        self.login("principal_a")
        url = reverse("plans:task_update_evidence", args=[update.pk])
        self.assertEqual(self.client.get(url).status_code, 404)


class ProgrammeListTests(PlanViewTestCase):
    def summaries(self, persona: str, query: str = "") -> dict[str, tuple[Any, ...]]:
        self.login(persona)
        response = self.client.get(reverse("plans:programme_list") + query)
        self.assertEqual(response.status_code, 200)
        return {
            s.programme.code: (s.assigned, [c for _s, _l, c in s.status_counts], s.overdue)
            for s in response.context["page"]
        }

    def test_counts_by_status_today_and_overdue_for_the_sos(self) -> None:
        """Counts in TaskStatus order (not started, in progress, done, not done), then the
        overdue ones: a task due today is not, one due yesterday and not done is."""
        self.assertEqual(
            self.summaries("province_officer"),
            {
                "kh-49-2022": (4, [2, 1, 1, 0], 1),
                "kh-7-2023": (1, [0, 0, 0, 1], 1),
                "qd-99-2024": (0, [0, 0, 0, 0], 0),
            },
        )

    def test_counts_only_the_tasks_the_officer_sees(self) -> None:
        """Bát Xát's officer counts his office's and school A's tasks of the programme."""
        self.assertEqual(self.summaries("batxat_officer"), {"kh-49-2022": (2, [1, 0, 1, 0], 0)})

    def test_search_ignores_accents_and_case(self) -> None:
        """ "qd-ubnd" finds "99/QĐ-UBND" and nothing else."""
        self.assertEqual(list(self.summaries("province_officer", "?q=qd-ubnd")), ["qd-99-2024"])

    def test_empty_state_for_an_officer_without_programmes(self) -> None:
        """An officer with no task in any programme is told so, not shown an empty table."""
        self.plans.a_task.delete()
        self.plans.batxat_task.delete()
        self.login("batxat_officer")
        response = self.client.get(reverse("plans:programme_list"))
        self.assertContains(response, "No programme assigns tasks to your units yet.")
        self.assertNotContains(response, "<table")

    def test_query_count_does_not_grow_with_programmes(self) -> None:
        """Ten more programmes, each with a task and an update, cost no extra query."""

        def count() -> int:
            self.login("province_officer")
            self.client.get(reverse("plans:programme_list"))  # the session's first renewal
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(reverse("plans:programme_list")).status_code, 200)
            return len(ctx.captured_queries)

        before = count()
        for n in range(10):
            programme = services.programme_create(
                code=f"kh-{n}-2025",
                document_number=f"{n}/KH-UBND",
                issued_on=dt.date(2025, 1, 1),
                issued_by="UBND tỉnh",
                title="Kế hoạch",
                by=None,
            )
            task = services.plan_task_create(
                programme=programme, title="Nhiệm vụ", owner=self.world.school_b, by=None
            )
            services.task_update_record(
                task=task, on=dt.date(2025, 5, 1), status=TaskStatus.DONE, by=None
            )
        self.assertEqual(count(), before)

    def test_export_has_one_row_per_programme(self) -> None:
        """The Excel file has a header and the counts of each programme the officer sees."""
        self.login("baothang_officer")
        response = self.client.get(reverse("plans:programme_list") + "?export=xlsx")
        rows = sheet_rows(response.content)
        self.assertEqual(len(rows[0]), 10)
        self.assertEqual(
            [r[0:1] + r[4:] for r in rows[1:]],
            [("49/KH-UBND", 1, 1, 0, 0, 0, 0), ("7/KH-UBND", 1, 0, 0, 0, 1, 1)],
        )


class ProgrammeDetailTests(PlanViewTestCase):
    def rows(self, persona: str, query: str = "") -> list[tuple[str, str, bool]]:
        self.login(persona)
        response = self.client.get(self.detail_url() + query)
        self.assertEqual(response.status_code, 200)
        return [(r.state.task.title, r.state.status, r.overdue) for r in response.context["page"]]

    def test_lists_the_visible_tasks_with_status_and_overdue(self) -> None:
        """The Sở sees the four tasks in order, each with today's status; only the one past
        its deadline and not done is overdue (due today, done, or no deadline are not)."""
        p = self.plans
        self.assertEqual(
            self.rows("province_officer"),
            [
                (p.province_task.title, "in_progress", True),
                (p.batxat_task.title, "not_started", False),
                (p.a_task.title, "done", False),
                (p.b_task.title, "not_started", False),
            ],
        )

    def test_principal_sees_only_his_schools_task(self) -> None:
        """School A's principal sees school A's task and no word of school B's."""
        self.assertEqual(self.rows("principal_a"), [(self.plans.a_task.title, "done", False)])
        self.assertNotContains(self.client.get(self.detail_url()), self.plans.b_task.title)

    def test_overdue_row_is_highlighted(self) -> None:
        """Exactly the overdue row carries the highlight, with a visible word."""
        self.login("province_officer")
        response = self.client.get(self.detail_url())
        content = response.content.decode()
        self.assertEqual(content.count('<tr class="overdue">'), 1)
        self.assertEqual(content.count('<strong class="field-error">Overdue</strong>'), 1)

    def test_a_task_due_today_becomes_overdue_tomorrow(self) -> None:
        """The deadline day itself is not overdue; the next day, still not done, it is."""
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        due = self.plans.batxat_task.title
        self.assertIn((due, "not_started", False), self.rows("batxat_officer"))
        with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
            self.assertIn((due, "not_started", True), self.rows("batxat_officer"))

    def test_filters_by_owner_status_overdue_and_title(self) -> None:
        """Each filter keeps its tasks; the title search ignores accents and case."""
        p = self.plans
        officer = "province_officer"
        owner = f"?owner={self.world.school_b.code}"
        self.assertEqual([r[0] for r in self.rows(officer, owner)], [p.b_task.title])
        not_started = [r[0] for r in self.rows(officer, "?status=not_started")]
        self.assertEqual(not_started, [p.batxat_task.title, p.b_task.title])
        self.assertEqual([r[0] for r in self.rows(officer, "?overdue=1")], [p.province_task.title])
        self.assertEqual([r[0] for r in self.rows(officer, "?q=KET+noi")], [p.a_task.title])
        self.assertEqual(self.rows(officer, "?q=khong+co"), [])

    def test_unknown_status_is_a_400_that_says_why(self) -> None:
        """A status that does not exist is refused with a message, not ignored."""
        self.login("province_officer")
        response = self.client.get(self.detail_url() + "?status=finished")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "status", status_code=400)

    def test_export_holds_the_filtered_rows(self) -> None:
        """The Excel file lists the tasks the filters keep, with owner, deadline, status,
        latest update and the overdue mark."""
        self.login("province_officer")
        response = self.client.get(
            self.detail_url() + "?owner=" + self.world.school_a.code + "&export=xlsx",
            follow=True,  # to the exports app's file of the programme's tasks
        )
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="nhiem-vu-kh-49-2022.xlsx"'
        )
        rows = sheet_rows(response.content)
        self.assertEqual(
            rows,
            [
                (
                    "No.",
                    "Task",
                    "Owner unit",
                    "Deadline",
                    "Status",
                    "Latest update",
                    "Progress note",
                    "Overdue",
                ),
                (
                    3,
                    self.plans.a_task.title,
                    self.world.school_a.name,
                    dt.date(2022, 12, 31),
                    "Done",
                    dt.date(2022, 6, 15),
                    "Đã kết nối cáp quang",
                    None,
                ),
            ],
        )
        overdue = self.client.get(self.detail_url() + "?overdue=1&export=xlsx", follow=True)
        self.assertEqual(
            [r[:2] for r in sheet_rows(overdue.content)[1:]], [(1, self.plans.province_task.title)]
        )

    def test_query_count_does_not_grow_with_tasks(self) -> None:
        """Twenty more tasks with updates cost no extra query."""

        def count() -> int:
            self.login("province_officer")
            self.client.get(self.detail_url())  # the session's first renewal
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(self.detail_url()).status_code, 200)
            return len(ctx.captured_queries)

        before = count()
        for n in range(20):
            task = services.plan_task_create(
                programme=self.plans.mixed,
                title=f"Nhiệm vụ {n}",
                owner=self.world.school_a,
                by=None,
            )
            services.task_update_record(
                task=task, on=dt.date(2022, 5, 1), status=TaskStatus.IN_PROGRESS, by=None
            )
        self.assertEqual(count(), before)


class TaskUpdateAddTests(PlanViewTestCase):
    def post(self, persona: str, data: dict[str, Any], task: Any = None) -> Any:
        self.login(persona)
        return self.client.post(self.task_url(task), data)

    def test_principal_adds_an_update_with_evidence(self) -> None:
        """The update is stored with its author and file, audited, and listed first."""
        today = timezone.localdate()
        response = self.post(
            "principal_a",
            {
                "on": today.strftime("%d/%m/%Y"),
                "status": "done",
                "note": "Đã nghiệm thu",
                "evidence": SimpleUploadedFile("nghiem-thu.pdf", real_pdf()),
            },
        )
        self.assertRedirects(response, self.task_url())
        update = self.plans.a_task.updates.get(on=today)
        self.assertEqual(
            (update.status, update.note, update.recorded_by),
            ("done", "Đã nghiệm thu", self.world.users["principal_a"]),
        )
        self.assertTrue(str(update.evidence.name).endswith(".pdf"))
        self.assertTrue(
            AuditEntry.objects.filter(
                verb="created", target_id=str(update.pk), actor=self.world.users["principal_a"]
            ).exists()
        )
        page = self.client.get(self.task_url())
        self.assertEqual(page.context["page"].object_list[0], update)
        self.assertContains(page, reverse("plans:task_update_evidence", args=[update.pk]))

    def test_readers_who_may_not_report_get_404_and_nothing_changes(self) -> None:
        """The province officer and Bát Xát's officer read school A's task but cannot report
        on it; school B's principal cannot even see it. No form is shown to readers."""
        data = {"on": "01/07/2022", "status": "done"}
        for persona in ("province_officer", "batxat_officer", "principal_b", "teacher_a"):
            self.assertEqual(self.post(persona, data).status_code, 404, persona)
        self.assertEqual(self.plans.a_task.updates.count(), 2)
        self.login("province_officer")
        page = self.client.get(self.task_url())
        self.assertIsNone(page.context["form"])
        self.assertNotContains(page, 'enctype="multipart/form-data"')

    def test_form_errors_are_shown_and_nothing_is_written(self) -> None:
        """A date after today, a date not written dd/mm/yyyy, no status, and a file that is
        not what its extension says: each is explained on its field."""
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
        response = self.post(
            "principal_a",
            {"on": tomorrow, "status": "", "evidence": SimpleUploadedFile("a.pdf", b"not a pdf")},
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"on", "status", "evidence"})
        self.assertIn("cannot be after today", errors["on"][0])
        self.assertEqual(errors["status"], ["Choose the status of the task."])
        self.assertIn("is not what its extension .pdf says", errors["evidence"][0])
        bad_date = self.post("principal_a", {"on": "2022-13-01", "status": "done"})
        self.assertEqual(
            bad_date.context["form"].errors["on"],
            ["Write the date as dd/mm/yyyy, e.g. 15/06/2022."],
        )
        self.assertEqual(self.plans.a_task.updates.count(), 2)

    def test_admin_of_the_sos_reports_on_a_schools_task(self) -> None:
        """The Sở's administrator writes in every subtree, so on school B's task too."""
        response = self.post(
            "department_admin", {"on": "01/07/2023", "status": "in_progress"}, self.plans.b_task
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            list(self.plans.b_task.updates.values_list("on", "status")),
            [(dt.date(2023, 7, 1), "in_progress")],
        )
        self.assertEqual(TaskUpdate.objects.count(), 5)
