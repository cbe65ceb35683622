"""Suite-wide rules and the browser fixtures.

Under CI=true, tests marked ``browser``, ``postgres`` or ``libreoffice`` must run: a skip is
turned into a failure. ``postgres`` tests are skipped (legitimately) on the SQLite pass. When
``scripts/run_tests.py`` names the pass's database (VNEMIS_TEST_DB_VENDOR), the session checks
that Django really uses it.

Tests that use the ``browser`` fixture must be marked ``@pytest.mark.browser``. Browser tests
and tests marked ``one_pass`` run on the SQLite pass only (engine-independent: a skip on the
PostgreSQL pass is legitimate).

Each test starts with an empty cache: the pages keep a few answers there (the computed
periods, the home page's data-quality counts), which must not pass from one test's database
to the next.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ENFORCED_MARKERS = ("browser", "postgres", "libreoffice")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield


# Tests that do not depend on the database engine run once, on the SQLite pass: browser walks
# (marked ``browser``) and pure rules (marked ``one_pass``, e.g. the assessment regimes).
ONE_PASS_REASON = "engine-independent: runs once, on the SQLite pass"


def one_pass(item: pytest.Item) -> bool:
    return bool(item.get_closest_marker("browser") or item.get_closest_marker("one_pass"))


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def db_vendor() -> str:
    """The vendor of Django's default database ("sqlite", "postgresql"...), without connecting."""
    from django.db import connections

    return str(connections["default"].vendor)


def pytest_sessionstart(session: pytest.Session) -> None:
    expected = os.environ.get("VNEMIS_TEST_DB_VENDOR")
    if expected and db_vendor() != expected:
        pytest.exit(
            f"VNEMIS_TEST_DB_VENDOR={expected} but Django's default database is "
            f"{db_vendor()}: check DATABASE_URL / VNEMIS_DATABASE_URL",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


def uses_browser(item: pytest.Item) -> bool:
    return "browser" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    vendor = db_vendor()
    for item in items:
        if uses_browser(item) and not item.get_closest_marker("browser"):
            raise pytest.UsageError(
                f"{item.nodeid} uses the browser fixture: mark it @pytest.mark.browser"
            )
        if vendor != "postgresql" and item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL; this pass is {vendor}"))
        if vendor == "postgresql" and one_pass(item):
            item.add_marker(pytest.mark.skip(reason=ONE_PASS_REASON))
    # Once started, sync Playwright leaves an event loop running in the main thread, which
    # breaks async_to_sync (AsyncClient, async views): browser tests go last.
    items.sort(key=uses_browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not report.skipped or hasattr(report, "wasxfail") or not under_ci():
        return report
    marks = [name for name in ENFORCED_MARKERS if item.get_closest_marker(name)]
    if "postgres" in marks and db_vendor() != "postgresql":
        marks.remove("postgres")  # the SQLite pass; the PostgreSQL pass must run it
    if db_vendor() == "postgresql" and one_pass(item):
        marks = []  # engine-independent: the SQLite pass must run it
    if marks:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        reason = str(reason).removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = (
            f"CI=true: a test marked {' and '.join(marks)} must run, not skip "
            f"(skip reason: {reason})"
        )
    return report


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; skips (a failure under CI=true) when it is not installed."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("Chromium is not installed")


@pytest.fixture(scope="session")
def browser(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """A headless Chromium driven by Playwright's sync API (tests: @pytest.mark.browser)."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # Sync Playwright keeps an event loop running in this thread; the ORM (test data,
        # live_server) refuses to run there unless told to.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # Chromium refuses --user-data-dir from launch(); Playwright gives it a fresh profile
        # under the driver's TMPDIR instead, here a folder of this session.
        patch.setenv("TMPDIR", str(tmp_path_factory.mktemp("chromium")))
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield launched
            finally:
                launched.close()


def pytest_configure(config: pytest.Config) -> None:
    """Jobs run right after commit in tests, so that a test sees their effects; the worker's
    own tests use the database queue explicitly."""
    from django.conf import settings
    from django.test.signals import setting_changed

    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
        "database": {"BACKEND": "vnemis.core.taskqueue.DatabaseBackend"},
    }
    # The task backends were made when the apps loaded (a task module imported by an app's
    # ready()); Django's own handler makes them again from the new setting.
    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)
    # Every test world hashes a dozen passwords; PBKDF2's cost protects stored passwords, not
    # test runs.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
