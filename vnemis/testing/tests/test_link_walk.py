"""Every link of every persona's pages works, and every page reads in Vietnamese.

Each persona starts at the home page and follows every link of the site it is shown (menus,
lists, details, exports), breadth first. No link may answer 4xx or 5xx or send the persona to
the login page: a menu offers only what the role can use. Each HTML page and each generated
XLSX or DOCX file is scanned (``vnemis/testing/presentation.py``) for English left
untranslated, snake_case codes and periods in storage form.

The walk does not depend on the database engine: it runs in the SQLite pass only.
"""

from __future__ import annotations

import html
import re
import tempfile
from collections import deque
from typing import ClassVar
from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import connection  # noqa: F401  (read by the skipif condition)
from django.test import override_settings
from django.utils import translation

from vnemis.indicators import services as indicator_services
from vnemis.indicators.periods import parse_period
from vnemis.reports import services as report_services
from vnemis.testing import presentation
from vnemis.testing.personas import PersonaTestCase

_HREF = re.compile(r'<a\s[^>]*href="([^"]+)"', re.IGNORECASE)
# Pages a persona visits at most, and how many pages of one list it follows.
MAX_PAGES = 150
# Variants of one path (other queries: filters, pages, indicators) followed at most.
MAX_VARIANTS = 4
OFFICE_TYPES = ("spreadsheetml", "wordprocessingml")
SKIPPED_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/")


def _links(body: str, base: str) -> list[str]:
    """The site's own links of a page: absolute paths, and queries relative to ``base``."""
    out = []
    for href in _HREF.findall(body):
        href = urldefrag(html.unescape(href))[0]
        if href.startswith("?"):
            href = urlsplit(base).path + href
        if href.startswith("/") and not href.startswith("//"):
            out.append(href)
    return out


# Evaluated when the test runs, not at import: one database pass is enough.
@pytest.mark.skipif(
    "connection.vendor == 'postgresql'",
    reason="the link walk runs once, on the SQLite pass (it is engine-independent)",
)
@override_settings(
    MEDIA_ROOT=tempfile.mkdtemp(prefix="vnemis-walk-"),
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
class LinkWalkTests(PersonaTestCase):
    walks: ClassVar[dict[str, tuple[dict[str, int], dict[str, list[str]]]]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        indicator_services.element_values_refresh(period=parse_period("2022H1"))
        report_services.report_draft_get_or_create(
            unit=cls.world.batxat, period_code="2022H1", by=None
        )

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.walks = {}

    def walk(self, persona: str) -> tuple[dict[str, int], dict[str, list[str]]]:
        """Status of every page reached from home, and the presentation problems of each
        (walked once per persona for the whole class: the walk only reads)."""
        if persona not in self.walks:
            self.walks[persona] = self._walk(persona)
        return self.walks[persona]

    def _walk(self, persona: str) -> tuple[dict[str, int], dict[str, list[str]]]:
        user = self.world.users[persona]
        self.client.logout()
        self.client.force_login(self.world.users[persona])
        statuses: dict[str, int] = {}
        problems: dict[str, list[str]] = {}
        variants: dict[str, int] = {}
        queue = deque(["/"])
        while queue and len(statuses) < MAX_PAGES:
            url = queue.popleft()
            if url in statuses or url.startswith(SKIPPED_PREFIXES):
                continue
            path = urlsplit(url).path
            if variants.get(path, 0) >= MAX_VARIANTS:
                continue
            variants[path] = variants.get(path, 0) + 1
            with translation.override("vi"):
                response = self.client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
            status = response.status_code
            if status == 302 and "/accounts/login/" in response["Location"]:
                status = 401
            statuses[url] = status
            if status == 302:
                queue.append(response["Location"])
                continue
            if status != 200 or response.streaming:
                continue
            kind = response.get("Content-Type", "")
            if kind.startswith("text/html"):
                body = response.content.decode()
                # The persona's username stands in the top bar (the test accounts have no name).
                text = presentation.visible_text(body).replace(user.username, "")
                found = presentation.problems(text)
                queue.extend(link for link in _links(body, url) if link not in statuses)
            elif any(t in kind for t in OFFICE_TYPES):
                found = presentation.problems(presentation.office_text(response.content))
            else:
                continue
            if found:
                problems[url] = found
        return statuses, problems

    def test_every_link_of_every_persona_works(self) -> None:
        """Officers, principals, teachers, parents, students and a user without a role reach
        no 4xx or 5xx page and no login page by following the links they are shown."""
        failures = {}
        for persona in self.world.users:
            statuses, _ = self.walk(persona)
            bad = {url: s for url, s in statuses.items() if s >= 400}
            if bad:
                failures[persona] = bad
        self.assertEqual(failures, {})

    def test_every_page_and_file_reads_in_vietnamese(self) -> None:
        """No English message, snake_case code, period code or Python value is shown on the
        Vietnamese pages and files any persona reaches."""
        found = {}
        for persona in self.world.users:
            _, problems = self.walk(persona)
            found.update({f"{persona} {url}": p[:5] for url, p in problems.items()})
        self.maxDiff = 20_000
        self.assertEqual(found, {})

    def test_the_walk_reaches_the_pages_of_each_role(self) -> None:
        """The walk is not trivially green: an officer reaches the dashboard, the student
        list and an export; a parent reaches her child's record."""
        officer, _ = self.walk("batxat_officer")
        self.assertTrue(any(u.startswith("/dashboard/") for u in officer))
        self.assertTrue(any(u.startswith("/students/") for u in officer))
        self.assertTrue(any("export=xlsx" in u for u in officer))
        parent, _ = self.walk("parent_a")
        child = self.world.student_a1.code
        self.assertIn(f"/students/{child}/", parent)

    def test_the_scan_finds_what_it_looks_for(self) -> None:
        """The scan flags English, codes and storage forms, and passes Vietnamese."""
        text = "Signed on - Select an option - cong_lap 2022H1 None Tỷ lệ 12,5%"
        found = presentation.problems(text)
        self.assertIn("English: 'Select an option'", found)
        self.assertIn("code: 'cong_lap'", found)
        self.assertIn("period code: '2022H1'", found)
        self.assertIn("Python value: 'None'", found)
        self.assertEqual(presentation.problems("6 tháng đầu năm 2022: 228.322 học sinh"), [])
