"""A paginator for lists too large to count: it stops counting at a cap.

A province-wide student list holds some 280.000 enrolments; counting them all on every page
view costs more than showing the page. Past ``COUNT_CAP`` rows the list says "more than
10.000" and offers the first ``COUNT_CAP`` rows in pages: nobody pages through more, they
filter instead.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Read when a paginator is made, not at import, so that a test can lower it.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # not generic at run time
    """Pages over at most ``cap`` rows; ``capped`` tells that more rows exist.

    The count is ``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``: the database stops after
    ``cap + 1`` matching rows instead of visiting the whole scope, and does not sort them
    (their order does not change how many there are).
    """

    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap
        if self.cap < 1:
            raise ValueError("The count cap must be at least 1.")

    @cached_property
    def _seen(self) -> int:
        """How many rows exist, counted up to ``cap + 1``."""
        items = self.object_list
        if isinstance(items, QuerySet):
            return items.order_by()[: self.cap + 1].count()
        return min(len(items), self.cap + 1)

    @cached_property
    def count(self) -> int:
        """The rows the pages reach: all of them, or the first ``cap`` when there are more."""
        return min(self._seen, self.cap)

    @property
    def capped(self) -> bool:
        """More rows match than the pages show: the list reads "more than {cap}"."""
        return self._seen > self.cap


class KnownCountPaginator(Paginator):  # type: ignore[type-arg]
    """Pages over a list whose length is already known (a figure counted by the analytics
    refresh): no COUNT query; ``count`` is that number."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known = max(count, 0)

    @cached_property
    def count(self) -> int:
        return self._known
