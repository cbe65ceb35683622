"""The base of every list's FilterSet: strict filters, and 400 for a value it cannot use.

A list page, its Excel/CSV export and its API endpoint filter through one FilterSet, so
``?school=…`` means the same in all three. django-filter quietly drops a filter whose value
its form refuses (the list then shows every row, and the file holds them all); here the
refusal is a ``BadParameter``: ``guard_parameters`` answers it with the 400 page and a
message naming the parameter. The API's filter backend checks ``is_valid()`` first and answers
its own 400, so it never reaches that exception.

The filters read numbers with the project's strict fields (``"٩٧"``, ``NaN`` and
``99999999999999999999`` are refused, not read or overflowed) and text up to a length, so no
value from the address reaches a query unchecked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from vnemis.core.http import BadParameter, StrictIntegerField

# The formats a list is downloaded in (``?export=xlsx``); the exports app owns the files.
EXPORT_FORMATS = ("xlsx", "csv")


class IntegerFilter(django_filters.NumberFilter):  # type: ignore[misc]  # untyped package
    """A whole number written with the digits 0–9; an id unless ``min_value``/``max_value``
    say otherwise (``StrictIntegerField``)."""

    field_class = StrictIntegerField


class TextFilter(django_filters.CharFilter):  # type: ignore[misc]  # untyped package
    """Text up to ``max_length`` characters (200 unless given), stripped."""

    def __init__(self, *args: Any, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)


class FilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    """A FilterSet whose ``qs`` raises ``BadParameter`` for a value its form refuses.

    It filters the queryset it is given, which the caller took from ``access`` (the user's
    scope): a FilterSet narrows a list, it never widens or re-scopes it.
    """

    @property
    def qs(self) -> QuerySet[Any]:
        if self.is_bound and not self.is_valid():
            raise BadParameter(self.error_message())
        result: QuerySet[Any] = super().qs
        return result

    def error_message(self) -> str:
        """The first refused parameter and its reason, as ``clean_param`` words it."""
        name, errors = next(iter(self.form.errors.items()))
        return _("The value of “{name}” cannot be used: {reason}").format(
            name=name, reason=" ".join(str(e) for e in errors)
        )

    def params(self) -> dict[str, str]:
        """The filters in use, as written in the query (those whose value is not empty),
        ready to store with an export job and to build this FilterSet again from
        (``from_params``)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            name: str(self.data.get(name, "")).strip()
            for name, value in self.form.cleaned_data.items()
            if value is not None and value != ""
        }

    @classmethod
    def from_params(cls, params: dict[str, Any], *, queryset: QuerySet[Any]) -> FilterSet:
        """This FilterSet on ``queryset`` with the stored ``params`` (names it does not
        declare are ignored)."""
        data = {name: str(params[name]) for name in cls.base_filters if name in params}
        return cls(data, queryset=queryset)


def export_requested(request: HttpRequest) -> bool:
    """Whether a list was asked for as a file (``?export=xlsx`` or ``?export=csv``)."""
    return request.GET.get("export") in EXPORT_FORMATS


def export_redirect(
    request: HttpRequest, *, kind: str, params: Mapping[str, str] | None = None
) -> HttpResponseRedirect:
    """The answer of a list page asked for as a file: the exports app's file of list ``kind``
    with the page's query (or ``params``, when the page resolved its filters itself, plus the
    format), so that the file holds the rows the page shows. Domain apps link to the exports
    app by URL name, never by import: it sits above them."""
    query = request.GET.copy()
    if params is not None:
        query = QueryDict(mutable=True)
        query.update({**params, "export": request.GET.get("export", "")})
    url = reverse("exports:list_file", args=[kind])
    return HttpResponseRedirect(f"{url}?{query.urlencode()}")
