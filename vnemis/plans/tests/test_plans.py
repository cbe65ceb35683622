from __future__ import annotations

import datetime as dt
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from vnemis.plans import selectors, services
from vnemis.plans.choices import TaskStatus
from vnemis.testing.files import real_pdf
from vnemis.testing.personas import PersonaTestCase


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="vnemis-media-"))
class PlanTests(PersonaTestCase):
    def test_counts_follow_the_latest_update_by_the_date(self) -> None:
        programme = services.programme_create(
            code="kh-1",
            document_number="1/KH-UBND",
            issued_on=dt.date(2022, 1, 1),
            issued_by="UBND",
            title="Kế hoạch thử",
            by=None,
        )
        first = services.plan_task_create(
            programme=programme, title="A", owner=self.world.province, by=None
        )
        second = services.plan_task_create(
            programme=programme, title="B", owner=self.world.province, by=None
        )
        services.task_update_record(
            task=first, on=dt.date(2022, 3, 1), status=TaskStatus.IN_PROGRESS, by=None
        )
        services.task_update_record(
            task=first,
            on=dt.date(2022, 6, 1),
            status=TaskStatus.DONE,
            by=None,
            evidence=SimpleUploadedFile("bien-ban.pdf", real_pdf()),
        )
        services.task_update_record(
            task=second, on=dt.date(2022, 7, 1), status=TaskStatus.NOT_DONE, by=None
        )
        at_may = selectors.programme_counts(programme=programme, day=dt.date(2022, 5, 31))
        self.assertEqual(
            (at_may.assigned, at_may.done, at_may.not_done, at_may.in_progress), (2, 0, 2, 1)
        )
        at_june = selectors.programme_counts(programme=programme, day=dt.date(2022, 6, 30))
        self.assertEqual((at_june.done, at_june.not_done), (1, 1))
        self.assertEqual([s.status for s in at_june.states], ["done", "not_started"])
        self.assertTrue(str(first.updates.order_by("-on")[0].evidence.name).endswith(".pdf"))
        self.assertEqual(second.number, 2)
