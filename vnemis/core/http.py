"""Request typing, small view helpers, and the readers of request values shared by every app.

Values from a request (query parameters, form fields, path segments) are read here, so that a
value that cannot be used answers 400 with a message that says how to write it, never 500:
``BadParameter`` carries that message and ``guard_parameters`` turns it into the 400 page.
The fields refuse what Python would quietly accept: ``int("٩٧")`` is 97, ``Decimal("NaN")``
is a number, and ``date(1, 1, 1)`` is a date.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vnemis.core.pagination import CappedPaginator, KnownCountPaginator

# The largest id a 64-bit primary key can hold (PostgreSQL bigint, SQLite INTEGER); a larger
# number cannot name a row, and SQLite raises OverflowError when asked for one.
MAX_ID = 2**63 - 1
# ASCII digits only: str.isdigit() and the regex \d also accept "٩٧" and "９７".
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
# PostgreSQL refuses NUL in text, so a NUL must not reach a query. Other control characters
# have no use in an address; in form text (pasted from Word or Excel) they are the form's to
# clean, so that the typed text is not lost to an error page.
_NUL = "\x00"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadParameter(BadRequest):
    """A request value that cannot be used; ``guard_parameters`` answers it with a 400 page
    showing ``message`` (without the guard, Django's 400 handler answers, without it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def paginate(
    request: HttpRequest,
    items: Any,
    *,
    per_page: int = 50,
    capped: bool = False,
    count: int | None = None,
) -> Page[Any]:
    """The page of ``items`` asked for by ``?page=``; a bad number gives the nearest page.

    ``capped``: for lists that can hold a whole province's rows; the count stops at
    ``vnemis.core.pagination.COUNT_CAP`` and ``page.paginator.capped`` tells the template to
    say "more than …" (see ``CappedPaginator``). ``count``: the length is already known (the
    figure a drill-through lists), so it is not counted again.
    """
    paginator: Paginator[Any]
    if count is not None:
        paginator = KnownCountPaginator(items, per_page, count=count)
    elif capped:
        paginator = CappedPaginator(items, per_page)
    else:
        paginator = Paginator(items, per_page)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    return params.urlencode()


def address_has_control_characters(request: HttpRequest, path_values: Any = ()) -> bool:
    """Whether the path, a query key or value (or one of ``path_values``) holds a control
    character; ``RefuseControlCharactersMiddleware`` and the API's middleware refuse them."""
    values: list[Any] = [request.path, *path_values]
    for key, items in request.GET.lists():
        values += [key, *items]
    return any(isinstance(v, str) and _CONTROL.search(v) for v in values)


def _has_control_characters(request: HttpRequest, kwargs: Mapping[str, Any]) -> bool:
    if address_has_control_characters(request, kwargs.values()):
        return True
    return any(_NUL in key or any(_NUL in v for v in items) for key, items in request.POST.lists())


def _control_character_response(request: HttpRequest) -> HttpResponse:
    return bad_parameter_response(
        request,
        _(
            "The address or the form holds an invisible control character. Type the value "
            "again instead of pasting it."
        ),
    )


def text_without_control_characters(text: str) -> str:
    """``text`` as typed, with line breaks kept: a vertical tab or form feed (Word's line and
    page breaks) becomes a line break; other control characters, which no document or
    spreadsheet can hold, are dropped."""
    text = text.replace("\x0b", "\n").replace("\x0c", "\n")
    return re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", text)


def bad_parameter_response(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def guard_parameters[ViewT: Callable[..., HttpResponseBase]](view: ViewT) -> ViewT:
    """Answer 400 with a message for a value the view cannot use.

    Before the view: a control character in a query value or path segment, or a NUL in a form
    value, is refused (PostgreSQL would fail on a NUL). In the view: ``BadParameter``. It reads
    ``request.POST``: not for a view that sets its own upload handlers.
    """

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if _has_control_characters(request, kwargs):
            return _control_character_response(request)
        try:
            return view(request, *args, **kwargs)
        except BadParameter as exc:
            return bad_parameter_response(request, exc.message)

    return guarded  # type: ignore[return-value]


class RefuseControlCharactersMiddleware:
    """Answer 400 to a request whose path or query holds a control character, before any
    view (the admin site's included) can put it in a query.

    Form bodies are left to the views (``guard_parameters``, form fields): reading
    ``request.POST`` here would parse uploads before a view could set its upload handlers.
    Placed after the authentication and message middleware, so the 400 page has its user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if address_has_control_characters(request):
            return _control_character_response(request)
        return self.get_response(request)


class StrictIntegerField(forms.IntegerField):
    """A whole number written with the digits 0–9.

    Django's field reads "٩٧" and "９７" as 97, and "9.0" as 9: both are refused here. Without
    other bounds it takes ids: from 1 to ``MAX_ID``.
    """

    default_error_messages = {
        "invalid": gettext_lazy("Enter a whole number written with the digits 0 to 9."),
    }

    def __init__(
        self, *, min_value: int | None = 1, max_value: int | None = MAX_ID, **kwargs: Any
    ) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _INTEGER.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class StrictDecimalField(forms.DecimalField):
    """A number written with the digits 0–9 and "," or "." before the decimals.

    Refused: NaN, Infinity, exponents (1e309) and digits of other scripts ("٩٧", "９７"), which
    Python's Decimal all accepts.
    """

    default_error_messages = {
        "invalid": gettext_lazy("Enter a number written with the digits 0 to 9, e.g. 97 or 97,5."),
    }

    # DecimalField derives from IntegerField, whose to_python the stubs type as int.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _DECIMAL.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return Decimal(text.replace(",", "."))


# Dates typed by people: nobody in the sector's records was born before 1900, and nothing is
# planned or signed decades ahead; year 1 or 9999 is a typing slip, not a date.
EARLIEST_DATE = dt.date(1900, 1, 1)


class PlausibleDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (or yyyy-mm-dd) between ``earliest`` and ``years_ahead``
    years after today."""

    default_error_messages = {
        "implausible": gettext_lazy("Enter a date between {earliest} and {latest}."),
    }

    def __init__(
        self, *, earliest: dt.date = EARLIEST_DATE, years_ahead: int = 5, **kwargs: Any
    ) -> None:
        kwargs.setdefault("input_formats", ["%d/%m/%Y", "%Y-%m-%d"])
        kwargs.setdefault("widget", forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
        super().__init__(**kwargs)
        self.earliest = earliest
        self.years_ahead = years_ahead

    def latest(self) -> dt.date:
        # Read at each use, not at import: the form outlives the day it was loaded on.
        today = timezone.localdate()
        return dt.date(today.year + self.years_ahead, 12, 31)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in self.empty_values:
            return
        latest = self.latest()
        if not self.earliest <= value <= latest:
            raise ValidationError(
                self.error_messages["implausible"].format(
                    earliest=self.earliest.strftime("%d/%m/%Y"),
                    latest=latest.strftime("%d/%m/%Y"),
                ),
                code="implausible",
            )


def clean_param(params: Mapping[str, Any], name: str, field: forms.Field) -> Any:
    """``params[name]`` read by ``field`` (its empty value when absent and not required).

    A value the field refuses raises ``BadParameter`` naming the parameter and the field's
    reason, e.g. ``clean_param(request.GET, "school_class", StrictIntegerField(required=False))``.
    """
    raw = params.get(name, "")
    try:
        return field.clean(raw)
    except ValidationError as exc:
        raise BadParameter(
            _("The value of “{name}” cannot be used: {reason}").format(
                name=name, reason=" ".join(exc.messages)
            )
        ) from None


def parse_int_param(
    params: Mapping[str, Any],
    name: str,
    *,
    min_value: int | None = 1,
    max_value: int | None = MAX_ID,
) -> int | None:
    """An optional whole-number parameter (an id unless bounds are given); None when absent."""
    field = StrictIntegerField(required=False, min_value=min_value, max_value=max_value)
    value: int | None = clean_param(params, name, field)
    return value


def parse_text_param(params: Mapping[str, Any], name: str, *, max_length: int = 200) -> str:
    """An optional text parameter, stripped; "" when absent. Over-long values are refused."""
    value: str = clean_param(params, name, forms.CharField(required=False, max_length=max_length))
    return value
