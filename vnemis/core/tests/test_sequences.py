"""Code sequences: numbers issued once, in order, starting after the codes already in use."""

from __future__ import annotations

from django.db import transaction
from django.test import TestCase

from vnemis.core.models import CodeSequence
from vnemis.core.sequences import sequence_raise_to, sequence_take


class SequenceTakeTests(TestCase):
    def test_a_new_family_starts_after_the_last_number_in_use_read_once(self) -> None:
        """The first use reads the largest number in use; later uses read only the row."""
        calls: list[int] = []

        def last_in_use() -> int:
            calls.append(1)
            return 41

        self.assertEqual(sequence_take(family="t", last_in_use=last_in_use), 42)
        self.assertEqual(sequence_take(family="t", count=3, last_in_use=last_in_use), 43)
        self.assertEqual(sequence_take(family="t", last_in_use=last_in_use), 46)
        self.assertEqual(len(calls), 1)
        self.assertEqual(CodeSequence.objects.get(family="t", scope="").last_value, 46)

    def test_scopes_of_a_family_count_apart(self) -> None:
        """Student codes of province 10 and of province 15 are two series."""
        self.assertEqual(sequence_take(family="s", scope="10", last_in_use=lambda: 0), 1)
        self.assertEqual(sequence_take(family="s", scope="15", last_in_use=lambda: 7), 8)
        self.assertEqual(sequence_take(family="s", scope="10", last_in_use=lambda: 0), 2)

    def test_a_count_below_one_is_refused_and_changes_nothing(self) -> None:
        sequence_take(family="t", last_in_use=lambda: 0)
        with self.assertRaises(ValueError):
            sequence_take(family="t", count=0, last_in_use=lambda: 0)
        self.assertEqual(CodeSequence.objects.get(family="t").last_value, 1)

    def test_a_rolled_back_take_gives_its_numbers_back(self) -> None:
        """The row moves in the inserting transaction: a failed insert issues nothing."""
        sequence_take(family="t", last_in_use=lambda: 0)
        with self.assertRaises(RuntimeError), transaction.atomic():
            sequence_take(family="t", count=5, last_in_use=lambda: 0)
            raise RuntimeError("the insert failed")
        self.assertEqual(sequence_take(family="t", last_in_use=lambda: 0), 2)

    def test_raise_to_skips_a_number_given_by_hand_and_never_lowers(self) -> None:
        sequence_take(family="t", last_in_use=lambda: 9)
        sequence_raise_to(family="t", value=20, last_in_use=lambda: 0)
        self.assertEqual(sequence_take(family="t", last_in_use=lambda: 0), 21)
        sequence_raise_to(family="t", value=5, last_in_use=lambda: 0)
        self.assertEqual(sequence_take(family="t", last_in_use=lambda: 0), 22)

    def test_raise_to_on_a_new_family_also_counts_the_numbers_in_use(self) -> None:
        sequence_raise_to(family="t", value=3, last_in_use=lambda: 8)
        self.assertEqual(sequence_take(family="t", last_in_use=lambda: 0), 9)
