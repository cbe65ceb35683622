"""Counts of large lists stop at a cap: "more than 10.000 students" instead of counting a
whole province's enrolments on every page view."""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django.db.models import QuerySet
from django.template import Context, Template
from django.test import RequestFactory, SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from vnemis.core import pagination
from vnemis.core.http import paginate
from vnemis.core.pagination import CappedPaginator
from vnemis.people.models import Enrollment
from vnemis.testing.personas import PersonaTestCase


class CappedCountQueryTests(PersonaTestCase):
    """The world has three active enrolments (a1, a2 at school A; b at school B)."""

    def enrollments(self) -> QuerySet[Enrollment]:
        return Enrollment.objects.active().order_by("school__code", "student__code")

    def test_count_is_one_query_over_a_limited_unordered_subquery(self) -> None:
        """The database is asked for at most cap + 1 rows, unsorted; the pages still follow
        the list's order."""
        paginator = CappedPaginator(self.enrollments(), 1, cap=2)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(paginator.count, 2)
        self.assertEqual(len(queries), 1)
        sql = queries[0]["sql"].upper()
        self.assertIn("COUNT(", sql)
        self.assertIn("LIMIT 3", sql)
        self.assertNotIn("ORDER BY", sql)
        self.assertTrue(paginator.capped)
        self.assertEqual(paginator.num_pages, 2)
        codes = [e.student.code for e in paginator.page(1)] + [
            e.student.code for e in paginator.page(2)
        ]
        w = self.world
        self.assertEqual(codes, [w.student_a1.code, w.student_a2.code])

    def test_under_or_at_the_cap_the_count_is_exact(self) -> None:
        for cap in (3, 4, 10_000):
            paginator = CappedPaginator(self.enrollments(), 50, cap=cap)
            self.assertEqual((paginator.count, paginator.capped), (3, False), cap)

    def test_paginate_caps_only_when_asked(self) -> None:
        """``paginate(..., capped=True)`` uses the module's cap; a page past the capped pages
        gives the last of them."""
        request = RequestFactory().get("/", {"page": "7"})
        with mock.patch.object(pagination, "COUNT_CAP", 2):
            page = paginate(request, self.enrollments(), per_page=1, capped=True)
            plain = paginate(request, self.enrollments(), per_page=1)
        assert isinstance(page.paginator, CappedPaginator)
        self.assertEqual((page.paginator.count, page.paginator.capped, page.number), (2, True, 2))
        self.assertEqual((plain.paginator.count, plain.number), (3, 3))
        self.assertNotIsInstance(plain.paginator, CappedPaginator)


class CappedPaginatorTests(SimpleTestCase):
    def test_lists_are_capped_too(self) -> None:
        paginator = CappedPaginator(list(range(10_001)), 50)
        self.assertEqual((paginator.cap, paginator.count, paginator.capped), (10_000, 10_000, True))
        self.assertEqual(paginator.num_pages, 200)
        paginator = CappedPaginator(list(range(10_000)), 50)
        self.assertEqual((paginator.count, paginator.capped), (10_000, False))

    def test_a_cap_below_one_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            CappedPaginator([], 50, cap=0)

    def test_the_cap_reads_as_a_vietnamese_number(self) -> None:
        """Rendered in a template under Vietnamese, the cap reads "10.000"."""
        paginator = CappedPaginator(list(range(10_001)), 50)
        with translation.override("vi"):
            text = Template("{{ p.cap }}").render(Context({"p": paginator}))
        self.assertEqual(text, "10.000")


class StudentListCountTests(PersonaTestCase):
    def test_student_list_says_more_than_past_the_cap(self) -> None:
        """Past the cap the student list counts no further and says "more than"."""
        with mock.patch.object(pagination, "COUNT_CAP", 2):
            response = self.get_as("province_officer", reverse("people:student_list"))
        paginator = response.context["page"].paginator
        self.assertEqual((paginator.count, paginator.capped), (2, True))
        self.assertContains(response, "Hơn 2 học sinh")
