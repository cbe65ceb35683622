from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.test import TestCase

from vnemis.core.jobs import on_commit_collect


class CollectTests(TestCase):
    def test_many_calls_in_a_transaction_run_once_with_every_id(self) -> None:
        runs: list[tuple[set[int], dt.date]] = []

        def run(ids: set[int], since: dt.date) -> None:
            runs.append((set(ids), since))

        with self.captureOnCommitCallbacks(execute=True), transaction.atomic():
            for unit, day in ((1, dt.date(2022, 3, 1)), (2, dt.date(2022, 1, 1)), (1, None)):
                on_commit_collect(
                    key="k", unit_ids=[unit], since=day or dt.date(2022, 5, 1), run=run
                )
        self.assertEqual(runs, [({1, 2}, dt.date(2022, 1, 1))])
