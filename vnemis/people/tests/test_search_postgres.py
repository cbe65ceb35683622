"""On PostgreSQL the name and school searches are served by pg_trgm GIN indexes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import TestCase

from vnemis.core.text import search_words, words_match
from vnemis.organisations.models import OrgUnit
from vnemis.people.models import Enrollment, Person

pytestmark = pytest.mark.postgres


class TrigramIndexTests(TestCase):
    def plan(
        self,
        sql: str,
        params: tuple[Any, ...],
        *,
        nested_loops: bool = True,
        full_index_scans: bool = True,
    ) -> str:
        """The plan PostgreSQL picks for the query when a full scan is priced out: whether
        the index *can* serve it, whatever the (tiny) test tables would make cheapest.
        ``full_index_scans=False`` also prices out walking another index whole (for its
        order), which on a table of a few rows costs less than any search."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            if not full_index_scans:
                cursor.execute("SET LOCAL enable_indexscan = off")
            if not nested_loops:
                cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())

    def test_the_indexes_exist_with_trigram_operators(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE indexname IN ('person_search_trgm', 'orgunit_search_trgm') "
                "ORDER BY indexname"
            )
            rows = cursor.fetchall()
        self.assertEqual([name for name, _ in rows], ["orgunit_search_trgm", "person_search_trgm"])
        self.assertIn("USING gin (search_key gin_trgm_ops)", rows[0][1])
        self.assertIn("USING gin (search_name gin_trgm_ops)", rows[1][1])

    def test_person_name_search_can_use_the_index(self) -> None:
        query = Person.objects.filter(words_match("search_name", search_words("Nguyễn Văn")))
        sql, params = query.query.sql_with_params()
        self.assertIn("person_search_trgm", self.plan(sql, params, full_index_scans=False))

    def test_student_list_search_can_use_the_index(self) -> None:
        """The student list's query (enrolments joined to persons) can start from the index.

        On empty test tables the planner walks the few enrolments and probes each person by
        id; with a province's rows it starts from the persons the index finds. Nested loops
        are priced out here to ask for that second plan."""
        query = Enrollment.objects.active().filter(
            words_match("student__person__search_name", search_words("nguyen van"))
        )
        sql, params = query.query.sql_with_params()
        self.assertIn(
            "person_search_trgm", self.plan(sql, params, nested_loops=False, full_index_scans=False)
        )

    def test_school_search_can_use_the_index(self) -> None:
        sql, params = OrgUnit.objects.search("bat xat").query.sql_with_params()
        self.assertIn("orgunit_search_trgm", self.plan(sql, params, full_index_scans=False))
