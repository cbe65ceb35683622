"""The idle timeout is renewed at most once a minute, not written on every request."""

from __future__ import annotations

from unittest import mock

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vnemis.testing.personas import PersonaTestCase


class IdleSessionTests(PersonaTestCase):
    def session_writes(self, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return sum(
            1
            for q in queries
            if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
        )

    def test_a_page_view_writes_the_session_once_a_minute_at_most(self) -> None:
        """Within a minute of the last renewal a page writes nothing; after it, the session is
        saved again with an expiry counted from now (the idle timeout)."""
        self.client.force_login(self.world.users["batxat_officer"])
        url = reverse("people:student_list")
        with mock.patch("vnemis.core.middleware.time.time", return_value=1_000_000):
            self.assertEqual(self.session_writes(url), 1)  # the first renewal
            before = Session.objects.get().expire_date
        with mock.patch("vnemis.core.middleware.time.time", return_value=1_000_030):
            self.assertEqual(self.session_writes(url), 0)
        with mock.patch("vnemis.core.middleware.time.time", return_value=1_000_061):
            self.assertEqual(self.session_writes(url), 1)
        self.assertGreaterEqual(Session.objects.get().expire_date, before)

    def test_an_anonymous_visit_creates_no_session(self) -> None:
        self.client.get(reverse("accounts:login"))
        self.assertEqual(Session.objects.count(), 0)
