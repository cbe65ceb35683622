"""The tree index: built once per version, rebuilt when placements change; one unit's chain
read along its own path."""

from __future__ import annotations

from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext

from vnemis.organisations import services
from vnemis.organisations.models import TreeVersion
from vnemis.organisations.tree import ancestor_paths, tree_index, unit_chain
from vnemis.testing.personas import PersonaTestCase


class AncestorPathTests(SimpleTestCase):
    def test_paths_from_the_root_down(self) -> None:
        self.assertEqual(
            ancestor_paths("2022:SGD10.PGD082.10082001."),
            ["2022:SGD10.", "2022:SGD10.PGD082.", "2022:SGD10.PGD082.10082001."],
        )
        self.assertEqual(ancestor_paths("2025:SGD15."), ["2025:SGD15."])


class TreeIndexTests(PersonaTestCase):
    def test_built_once_then_checked_with_one_query(self) -> None:
        version = TreeVersion.objects.get(code="2022")
        first = tree_index(version)
        with CaptureQueriesContext(connection) as queries:
            again = tree_index(version)
        self.assertIs(again, first)
        self.assertEqual(len(queries), 1)
        w = self.world
        self.assertEqual(
            first.ancestors_and_self(w.school_a.pk), [w.province.pk, w.batxat.pk, w.school_a.pk]
        )
        self.assertEqual(first.ancestors_and_self(-1), [])

    def test_a_new_placement_rebuilds_the_index(self) -> None:
        version = TreeVersion.objects.get(code="2022")
        before = tree_index(version)
        school = services.orgunit_create(kind="school", code="10082077", name="Trường Mới", by=None)
        services.orgunit_place(unit=school, version=version, parent=self.world.batxat, by=None)
        after = tree_index(version)
        self.assertNotIn(school.pk, before)
        self.assertIn(school.pk, after)
        self.assertEqual(
            after.ancestors_and_self(school.pk)[-2:], [self.world.batxat.pk, school.pk]
        )

    def test_one_units_chain_costs_two_queries_in_any_version(self) -> None:
        w = self.world
        v22 = TreeVersion.objects.get(code="2022")
        v25 = TreeVersion.objects.get(code="2025")
        with CaptureQueriesContext(connection) as queries:
            chain = unit_chain(unit_id=w.school_a.pk, version=v22)
        self.assertEqual(len(queries), 2)
        self.assertEqual(chain, [w.province.pk, w.batxat.pk, w.school_a.pk])
        self.assertEqual(unit_chain(unit_id=w.batxat.pk, version=v25), [])
        self.assertEqual(unit_chain(unit_id=w.school_a.pk, version=v25)[-1], w.school_a.pk)
