"""Record changes reach the figures through ``StaleUnit`` marks drained by the engine's job."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.db import transaction
from django.test import override_settings

from vnemis.core.models import QueuedTask
from vnemis.digital import services as digital
from vnemis.indicators import services, tasks
from vnemis.indicators.models import ElementValue
from vnemis.indicators.periods import parse_period
from vnemis.organisations.models import StaleUnit
from vnemis.organisations.stale import stale_consumers, units_stale
from vnemis.testing.personas import PersonaTestCase

H1 = parse_period("2022H1")
DATABASE_QUEUE = {
    "default": {"BACKEND": "vnemis.core.taskqueue.DatabaseBackend"},
    "database": {"BACKEND": "vnemis.core.taskqueue.DatabaseBackend"},
}


def _contact_book_schools(unit_id: int) -> int:
    row = ElementValue.objects.filter(
        element__code="schools_contact_book", period="2022H1", unit_id=unit_id, category=""
    ).first()
    return int(row.value) if row else 0


class StaleMarkTests(PersonaTestCase):
    def setUp(self) -> None:
        # The world was built inside the test's transaction: its marks never reached a commit.
        services.element_values_refresh(period=H1)
        StaleUnit.objects.all().delete()

    def _record_contact_book(self) -> None:
        digital.digital_profile_record(
            unit=self.world.school_b,
            valid_from=dt.date(2022, 4, 1),
            by=None,
            internet="wired",
            contact_book=True,
        )

    def test_the_engine_is_the_registered_consumer(self) -> None:
        """The cross-app effect is declared in one place: the engine's app registers its job."""
        self.assertIn(tasks.stale_units_refresh_enqueue, stale_consumers())

    def test_a_change_marks_its_unit_in_its_own_transaction(self) -> None:
        """The mark is written with the change and rolls back with it."""
        with self.captureOnCommitCallbacks(execute=False):
            self._record_contact_book()
            self.assertEqual(
                list(StaleUnit.objects.values_list("unit_id", "changed_from")),
                [(self.world.school_b.pk, dt.date(2022, 4, 1))],
            )
        with self.assertRaises(RuntimeError), transaction.atomic():
            units_stale(unit_ids=[self.world.school_a.pk], since=dt.date(2022, 1, 1))
            raise RuntimeError("the change fails")
        self.assertEqual(
            list(StaleUnit.objects.values_list("unit_id", flat=True)), [self.world.school_b.pk]
        )

    def test_after_commit_the_figures_move_and_the_marks_are_gone(self) -> None:
        before = _contact_book_schools(self.world.province.pk)
        with self.captureOnCommitCallbacks(execute=True):
            self._record_contact_book()
        self.assertEqual(_contact_book_schools(self.world.province.pk), before + 1)
        self.assertFalse(StaleUnit.objects.exists())

    def test_a_failed_recount_keeps_the_marks_and_the_next_run_catches_up(self) -> None:
        """The job fails (the queue retries it); the marks stay; the retry counts the change."""
        before = _contact_book_schools(self.world.province.pk)
        with mock.patch.object(services, "refresh_after_change", side_effect=OSError("disk")):
            with self.captureOnCommitCallbacks(execute=True):
                self._record_contact_book()
            with self.assertRaises(OSError):
                tasks.stale_units_refresh_task.call()
        self.assertEqual(StaleUnit.objects.count(), 1)
        self.assertEqual(_contact_book_schools(self.world.province.pk), before)
        tasks.stale_units_refresh_task.call()
        self.assertFalse(StaleUnit.objects.exists())
        self.assertEqual(_contact_book_schools(self.world.province.pk), before + 1)

    def test_many_changes_start_one_job(self) -> None:
        """With the database queue, commits while a recount waits do not add more runs."""
        with override_settings(TASKS=DATABASE_QUEUE):
            for day in (dt.date(2022, 2, 1), dt.date(2022, 3, 1)):
                with self.captureOnCommitCallbacks(execute=True):
                    units_stale(unit_ids=[self.world.school_a.pk], since=day)
            waiting = QueuedTask.objects.filter(
                task_path=tasks.stale_units_refresh_task.module_path
            )
            self.assertEqual(waiting.count(), 1)
        self.assertEqual(StaleUnit.objects.count(), 2)

    def test_a_run_takes_a_batch_and_reports_what_is_left(self) -> None:
        units_stale(unit_ids=[self.world.school_a.pk, self.world.school_b.pk], since=H1.as_of)
        units_stale(unit_ids=[self.world.school_a.pk], since=H1.as_of)
        self.assertEqual(services.stale_units_refresh(limit=2), 1)
        self.assertEqual(services.stale_units_refresh(limit=2), 0)
        self.assertFalse(StaleUnit.objects.exists())
