"""No 500 from input: every URL pattern, requested with hostile values, never answers 5xx.

Bad values (``?period=0000H1``, ``?school_class=99999999999999999999``, ``NaN``, "٩٧", dates
in year 1 or 9999) answer 400 with a message, 404 for ids, or an explained form error; the
explicit cases below check those answers, and the fuzz checks that nothing anywhere fails.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, ClassVar
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.signals import got_request_exception
from django.db import connection
from django.test import Client, SimpleTestCase, modify_settings, override_settings
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from vnemis.core.http import BadParameter, parse_int_param
from vnemis.indicators.forms import PeriodField
from vnemis.indicators.models import ReportedValue
from vnemis.people.models import Enrollment
from vnemis.testing import urlmatrix
from vnemis.testing.personas import PersonaTestCase

HOSTILE = (
    "",
    "-1",
    "99999999999999999999",
    "NaN",
    "1e309",
    "٩٧",
    "0000H1",
    "01/01/0001",
    "31/12/9999",
    "2022-02-30",
    "\x00",
    "'\"<script>%_\\",
    "x" * 300,
)
# For the personas other than the administrator, whose pages mostly run the same parsers.
HOSTILE_FEW = ("99999999999999999999", "٩٧", "0000H1", "\x00")
# Path segments: what each converter lets through to the view.
HOSTILE_PATH = {
    "int": ("0", "99999999999999999999"),
    "str": ("\x00", "..", "٩٧", "x" * 300, "'\"<x>%"),
    "path": ("\x00", "..", "a/b", "x" * 300),
    "regex": ("x",),
}
# Every query parameter name the pages read; the names of the fields of each page's GET forms
# are added when the page is seen.
PARAM_NAMES = (
    "period",
    "org",
    "indicator",
    "complement",
    "export",
    "page",
    "q",
    "school",
    "level",
    "grade",
    "school_class",
    "unit",
    "position",
    "check",
    "version",
    "figure",
    "format",
    "next",
)
FUZZ_PERSONAS = (None, "department_admin", "principal_a", "parent_a")
# Whose requests go through every value and path segment: the administrator's reach every
# page's deepest code; the others' try a few.
THOROUGH = "department_admin"


@contextmanager
def names_read() -> Iterator[set[str]]:
    """The names a view looks up in ``request.GET`` / ``request.POST`` while it runs."""
    seen: set[str] = set()
    # Values read by name (get() and []), not getlist() nor "in": they also serve lists(),
    # copy() and the parsing of the query string, which go through every name without using
    # its value; a name only tested for presence ("confirm" in POST) takes any value alike.
    getitem = MultiValueDict.__getitem__

    def spy(original: Callable[..., Any]) -> Callable[..., Any]:
        def read(self: MultiValueDict[str, Any], key: Any, *args: Any) -> Any:
            if isinstance(key, str):
                seen.add(key)
            return original(self, key, *args)

        return read

    with mock.patch.object(MultiValueDict, "__getitem__", spy(getitem)):
        yield seen


def refuse_nul_like_postgresql(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    """PostgreSQL refuses a NUL in text; SQLite stores it. Refusing it here too makes this
    single SQLite pass find what would fail on PostgreSQL."""
    rows = params if many else [params]
    for row in rows or ():
        values = row.values() if isinstance(row, Mapping) else row
        for value in values or ():
            if isinstance(value, str) and "\x00" in value:
                raise ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    return execute(sql, params, many, context)


# One database pass is enough: the values are refused by the application's own parsers, the
# same on every database, and refuse_nul_like_postgresql makes the SQLite pass fail where
# PostgreSQL would. Evaluated when the test runs, not at import.
@pytest.mark.skipif(
    "connection.vendor == 'postgresql'",
    reason="the parameter fuzz runs once, on the SQLite pass (it is engine-independent)",
)
# A fast hasher: a login form posted with any username and password hashes it once (even for
# an unknown user), which with the real hasher would take most of the fuzz's time.
@override_settings(
    MEDIA_ROOT=tempfile.mkdtemp(prefix="vnemis-fuzz-"),
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
class ParameterFuzzTests(PersonaTestCase):
    values: ClassVar[dict[str, dict[str, str]]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.values = urlmatrix.build_matrix_world(cls.world)

    def setUp(self) -> None:
        self.failures: list[str] = []
        self.count = 0
        self.error = ""
        self.login_urls = (reverse("accounts:login"), reverse("admin:login"))

    def remember_error(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        exc = sys.exc_info()[1]
        self.error = f"{type(exc).__name__}: {exc}"[:300]

    def client_for(self, persona: str | None) -> Client:
        client = Client(raise_request_exception=False)
        if persona is not None:
            client.force_login(self.world.users[persona])
        return client

    def send(
        self, client: Client, persona: str | None, method: str, url: str, data: Mapping[str, Any]
    ) -> Any:
        self.error = ""
        self.count += 1
        response = client.post(url, data) if method == "post" else client.get(url, data)
        if response.status_code >= 500:
            shown = {k: (v[:40] + "…" if len(v) > 40 else v) for k, v in data.items()}
            self.failures.append(
                f"{response.status_code} {persona} {method.upper()} {url[:120]} {shown}"
                f" {self.error}"
            )
        return response

    def is_login(self, response: Any) -> bool:
        return bool(
            response.status_code == 302 and response["Location"].startswith(self.login_urls)
        )

    def test_no_url_answers_5xx_to_hostile_values(self) -> None:
        """Every URL pattern, with hostile path segments, query values and form values, as an
        anonymous visitor, the administrator, a principal and a parent: never a 5xx."""
        got_request_exception.connect(self.remember_error)
        self.addCleanup(got_request_exception.disconnect, self.remember_error)
        clients = {persona: self.client_for(persona) for persona in FUZZ_PERSONAS}
        with connection.execute_wrapper(refuse_nul_like_postgresql):
            # Route by route, all personas each: a write one persona makes (a promotion, a
            # final report) then affects only the later routes.
            for route in urlmatrix.project_routes():
                for persona, client in clients.items():
                    self.fuzz_route(route, persona, client)
                    if "logout" in route.key and persona is not None:
                        client.force_login(self.world.users[persona])
        self.assertEqual(
            self.failures,
            [],
            "{} of {} requests:\n{}".format(
                len(self.failures), self.count, "\n".join(self.failures)
            ),
        )

    def fuzz_route(self, route: urlmatrix.Route, persona: str | None, client: Client) -> None:
        probe = urlmatrix.probe_for(route, self.values["a"])
        base_url = probe.url.split("?", 1)[0]
        base_query = dict(_query(probe.url))
        with names_read() as read:
            first = self.send(client, persona, "get", probe.url, {})
        method = "get"
        if first.status_code == 405:
            method = "post"
            with names_read() as read:
                first = self.send(client, persona, "post", probe.url, probe.data)
        if self.is_login(first):
            return  # the view never runs for this persona
        values = HOSTILE if persona == THOROUGH else HOSTILE_FEW
        body = dict(probe.data) if method == "post" else {}
        if persona in (THOROUGH, "principal_a"):
            for name, converter in route.params:
                for value in HOSTILE_PATH[converter]:
                    url = route.path({**probe.path_values, name: value})
                    self.send(client, persona, method, url, body)
        html = first.get("Content-Type", "").startswith("text/html") and not first.streaming
        forms = urlmatrix.page_forms(first.content.decode() if html else "")

        def get(query: dict[str, str]) -> None:
            self.send(client, persona, method, f"{base_url}?{urlencode(query)}", body)

        names = set(PARAM_NAMES) | base_query.keys()
        names |= {n for f in forms if f.method == "get" for n in f.fields}
        self.attack(get, base_query, names, read, values)
        # The page's own POST forms (one of each set of fields), and POST-only views.
        posted = {
            frozenset(f.fields): f.fields
            for f in forms
            if f.method == "post" and f.action in ("", base_url)
        }
        if method == "post":
            posted[frozenset(body)] = body
        for fields in posted.values():
            form = {**fields, **probe.data}

            def post(data: dict[str, str]) -> None:
                self.send(client, persona, "post", probe.url, data)

            with names_read() as read_post:
                post(form)
            self.attack(post, form, set(form) | read_post, read_post, values)

    def attack(
        self,
        send: Callable[[dict[str, str]], None],
        base: Mapping[str, str],
        names: set[str],
        read: set[str],
        values: Sequence[str],
    ) -> None:
        """Send each hostile value in every one of ``names`` at once. A view stops at its first
        bad value, so the names it reads (``read``, seen on the unchanged page) but did not
        reach get the value again, the others unchanged, until each has been read with it."""
        for value in values:
            pending = set(names)
            while pending:
                with names_read() as seen:
                    send({**base, **dict.fromkeys(pending, value)})
                reached = seen & pending
                if not reached:
                    break
                pending = (pending & read) - reached


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


class ParserTests(SimpleTestCase):
    """The readers of request values, without a database."""

    def test_ids_in_ascii_digits_within_range(self) -> None:
        self.assertEqual(parse_int_param({"school_class": "42"}, "school_class"), 42)
        self.assertIsNone(parse_int_param({}, "school_class"))
        for bad in ("99999999999999999999", "-1", "0", "abc", "٩٧", "９７", "4.0", "NaN"):
            with self.assertRaises(BadParameter, msg=bad):
                parse_int_param({"school_class": bad}, "school_class")

    def test_periods_of_plausible_years_only(self) -> None:
        field = PeriodField(required=False)
        self.assertEqual(field.clean("2022h1").code, "2022H1")
        self.assertIsNone(field.clean(""))
        for bad in ("0000H1", "0001H1", "9999H2", "9999H3", "2022H1x", "٢٠٢٢H1", "2021-2023"):
            with self.assertRaises(ValidationError, msg=bad):
                field.clean(bad)


class InputAnswerTests(PersonaTestCase):
    """What a user sees for a value that cannot be used: a 400 page or a form error saying
    how to write it, and nothing written."""

    def get(self, persona: str, url: str) -> Any:
        self.client.force_login(self.world.users[persona])
        return self.client.get(url)

    def test_bad_period_answers_400_with_a_message(self) -> None:
        for page in ("indicators:dashboard", "indicators:records", "indicators:reported"):
            for period in ("0000H1", "9999H3", "2022H1x"):
                response = self.get("department_admin", f"{reverse(page)}?period={period}")
                self.assertEqual(response.status_code, 400, (page, period))
                self.assertContains(response, "2022H1, 2022Q3", status_code=400)

    def test_report_start_with_a_bad_period_explains_and_creates_nothing(self) -> None:
        self.client.force_login(self.world.users["department_admin"])
        for period in ("0000H1", "0001H1", "9999H2"):
            response = self.client.post(
                reverse("reports:report_start"), {"org": "SGD10", "period": period}, follow=True
            )
            self.assertEqual(response.status_code, 200)
            self.assertEqual(len(list(response.context["messages"])), 1)
        self.assertFalse(self.world.province.reports.exists())

    def test_out_of_range_ids_answer_400_not_500(self) -> None:
        for value in ("99999999999999999999", "-1", "abc", "٩٧"):
            response = self.get(
                "principal_a", f"{reverse('people:student_list')}?school_class={value}"
            )
            self.assertEqual(response.status_code, 400, value)
            self.assertContains(response, "school_class", status_code=400)

    def test_out_of_range_path_ids_answer_404(self) -> None:
        response = self.get("department_admin", "/reports/99999999999999999999/")
        self.assertEqual(response.status_code, 404)

    def test_reported_values_refuse_nan_infinity_and_other_digits(self) -> None:
        url = reverse("indicators:reported") + "?org=SGD10&period=2022H1"
        self.client.force_login(self.world.users["department_admin"])
        for value in ("NaN", "Infinity", "-Infinity", "1e2", "٩٧", "９７", "100,5", "-1", "1e-999"):
            response = self.client.post(url, {"work_records_online_pct": value})
            self.assertEqual(response.status_code, 200, value)
            errors = [e for _el, _cur, e in response.context["rows"] if e]
            self.assertEqual(len(errors), 1, value)
        self.assertFalse(ReportedValue.objects.exists())
        response = self.client.post(url, {"work_records_online_pct": "97,5"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ReportedValue.objects.get().value, Decimal("97.5"))

    def test_transfer_date_in_year_1_or_9999_is_refused(self) -> None:
        url = reverse("people:student_transfer", args=[self.world.student_a2.code])
        self.client.force_login(self.world.users["principal_a"])
        for day in ("01/01/0001", "31/12/9999", "0001-01-01"):
            response = self.client.post(url, {"to_school": "10086001", "on": day, "confirm": "1"})
            self.assertEqual(response.status_code, 200, day)
            codes = [e.code for e in response.context["form"].errors.as_data()["on"]]
            self.assertEqual(codes, ["implausible"], day)
        self.assertEqual(Enrollment.objects.filter(student=self.world.student_a2).count(), 1)

    def test_control_characters_in_the_address_answer_400(self) -> None:
        response = self.get("principal_a", reverse("organisations:school_list") + "?q=%00")
        self.assertEqual(response.status_code, 400)

    @modify_settings(MIDDLEWARE={"append": "vnemis.core.http.RefuseControlCharactersMiddleware"})
    def test_the_middleware_refuses_control_characters_before_any_view(self) -> None:
        """With the middleware, a view without guard_parameters (the admin site's, a school's
        digital profile) never sees a NUL from the address."""
        for url in ("/units/%00/digital/", "/admin/accounts/roleassignment/?role__exact=%00"):
            response = self.get("principal_a", url)
            self.assertEqual(response.status_code, 400, url)
            self.assertContains(response, "<h1>", status_code=400)
        self.assertEqual(self.get("principal_a", "/units/10082001/digital/").status_code, 200)
