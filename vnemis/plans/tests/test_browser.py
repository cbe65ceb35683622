"""Plan tasks in a real browser: a principal reports progress on his school's task."""

from __future__ import annotations

import tempfile
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from vnemis.plans.tests.fixtures import build_plans
from vnemis.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="vnemis-plans-"))
def test_principal_adds_an_update_and_sees_it_listed(live_server: Any, browser: Any) -> None:
    w = build_world()
    plans = build_plans(w)
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "principal_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/programmes/")
    page.click("text=49/KH-UBND")
    # School A's principal sees his school's task only.
    rows = page.locator("table.tasks tbody tr")
    assert rows.count() == 1
    page.click(f"text={plans.a_task.title}")
    today = timezone.localdate().strftime("%d/%m/%Y")
    page.fill("#id_on", today)
    page.select_option("#id_status", "in_progress")
    page.fill("#id_note", "Bổ sung thiết bị mạng cho điểm trường")
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".messages")
    first = page.locator("table.updates tbody tr").first
    assert today in first.inner_text()
    assert "Bổ sung thiết bị mạng cho điểm trường" in first.inner_text()
    assert page.locator("table.updates tbody tr").count() == 3
    context.close()
