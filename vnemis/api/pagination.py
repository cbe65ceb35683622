"""Cursor pagination: stable pages over lists that change while they are read."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """Pages of 100 (``page_size`` up to 1000) in id order; ``next`` and ``previous`` are
    links with an opaque cursor, so a row added meanwhile is neither skipped nor repeated."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"
