"""Adding progress through ``task_update_add``: the guard, the audit, and the report's counts."""

from __future__ import annotations

import datetime as dt
import tempfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from django.utils import timezone, translation

from vnemis.core.models import AuditEntry
from vnemis.demo.laocai_plans import load_plans
from vnemis.plans import selectors, services
from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import PlanTask, Programme
from vnemis.plans.selectors import TaskState
from vnemis.testing.files import real_pdf
from vnemis.testing.personas import PersonaTestCase

REPORT_DAY = dt.date(2022, 6, 30)  # the as-of date of the 2022H1 report


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="vnemis-plans-"))
class TaskUpdateAddTests(PersonaTestCase):
    def setUp(self) -> None:
        load_plans(owner=self.world.province)
        self.admin = self.world.users["department_admin"]
        self.qd = Programme.objects.get(code="qd-1634-2021")
        self.kh = Programme.objects.get(code="kh-49-2022")

    def counts(self, programme: Programme, day: dt.date = REPORT_DAY) -> tuple[int, ...]:
        c = selectors.programme_counts(programme=programme, day=day)
        return (c.assigned, c.done, c.not_done, c.in_progress)

    def test_report_counts_follow_updates_added_through_the_service(self) -> None:
        """The seed's counts (11: 10 done / 1 not; 8: 1 done / 7 in progress) come from the
        records: a task of KH 49 reported done on 20/06/2022 makes 2 done / 6 in progress
        for the report of 30/06/2022, and the QĐ 1634 task not done becomes done."""
        self.assertEqual(self.counts(self.qd), (11, 10, 1, 0))
        self.assertEqual(self.counts(self.kh), (8, 1, 7, 7))
        services.task_update_add(
            task=self.kh.tasks.get(number=2),
            on=dt.date(2022, 6, 20),
            status=TaskStatus.DONE,
            note="Đã đưa vào sử dụng",
            evidence=None,
            by=self.admin,
        )
        services.task_update_add(
            task=self.qd.tasks.get(number=11),
            on=dt.date(2022, 6, 30),
            status=TaskStatus.DONE,
            note="",
            evidence=None,
            by=self.admin,
        )
        self.assertEqual(self.counts(self.kh), (8, 2, 6, 6))
        self.assertEqual(self.counts(self.qd), (11, 11, 0, 0))
        # An update after the report's date leaves that report's counts alone.
        services.task_update_add(
            task=self.kh.tasks.get(number=3),
            on=dt.date(2022, 7, 1),
            status=TaskStatus.DONE,
            note="",
            evidence=None,
            by=self.admin,
        )
        self.assertEqual(self.counts(self.kh), (8, 2, 6, 6))
        self.assertEqual(self.counts(self.kh, dt.date(2022, 7, 1)), (8, 3, 5, 5))

    def test_update_is_audited_with_its_author_and_evidence(self) -> None:
        """The update records who added it, keeps the file, and writes one audit entry."""
        update = services.task_update_add(
            task=self.kh.tasks.get(number=1),
            on=dt.date(2022, 9, 1),
            status=TaskStatus.DONE,
            note="Biên bản nghiệm thu",
            evidence=SimpleUploadedFile("nghiem-thu.pdf", real_pdf()),
            by=self.admin,
        )
        self.assertEqual(update.recorded_by, self.admin)
        self.assertEqual(update.evidence.read(), real_pdf())
        entry = AuditEntry.objects.get(
            target_type="plans.TaskUpdate", target_id=str(update.pk), verb="created"
        )
        self.assertEqual((entry.actor, (entry.after or {})["status"]), (self.admin, "done"))

    def test_a_date_after_today_is_refused_and_nothing_written(self) -> None:
        """Progress is recorded once it happened: tomorrow is refused on the date field."""
        task = self.kh.tasks.get(number=1)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            services.task_update_add(
                task=task,
                on=tomorrow,
                status=TaskStatus.DONE,
                note="",
                evidence=None,
                by=self.admin,
            )
        self.assertIn("cannot be after today", caught.exception.message_dict["on"][0])
        self.assertEqual(task.updates.count(), 1)
        # Today itself is accepted.
        services.task_update_add(
            task=task,
            on=timezone.localdate(),
            status=TaskStatus.DONE,
            note="",
            evidence=None,
            by=self.admin,
        )
        self.assertEqual(task.updates.count(), 2)

    def test_an_evidence_file_that_is_not_what_it_says_is_refused(self) -> None:
        """The service checks the file itself (a caller other than the form is not trusted)."""
        task = self.kh.tasks.get(number=1)
        with self.assertRaises(ValidationError):
            services.task_update_add(
                task=task,
                on=dt.date(2022, 9, 1),
                status=TaskStatus.DONE,
                note="",
                evidence=SimpleUploadedFile("a.pdf", b"MZ not a pdf"),
                by=self.admin,
            )
        self.assertEqual(task.updates.count(), 1)


class OverdueTests(SimpleTestCase):
    """``TaskState.overdue_on``: past the deadline and not done."""

    def state(self, deadline: dt.date | None, status: str) -> TaskState:
        return TaskState(PlanTask(number=1, title="T", deadline=deadline), status, None)

    def test_the_deadline_day_is_not_overdue_the_next_day_is(self) -> None:
        deadline = dt.date(2022, 12, 31)
        state = self.state(deadline, TaskStatus.IN_PROGRESS)
        self.assertFalse(state.overdue_on(dt.date(2022, 12, 30)))
        self.assertFalse(state.overdue_on(deadline))
        self.assertTrue(state.overdue_on(dt.date(2023, 1, 1)))

    def test_done_or_without_deadline_is_never_overdue(self) -> None:
        late = dt.date(2030, 1, 1)
        self.assertFalse(self.state(dt.date(2022, 12, 31), TaskStatus.DONE).overdue_on(late))
        self.assertFalse(self.state(None, TaskStatus.NOT_STARTED).overdue_on(late))
        for status in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.NOT_DONE):
            self.assertTrue(self.state(dt.date(2022, 12, 31), status).overdue_on(late), status)
