"""API tokens in a real browser: the Department's administrator issues a token for a
district, a program calls the API with it, the administrator revokes it."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest

from vnemis.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _call(url: str, secret: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 test server
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_administrator_issues_and_revokes_a_district_token(live_server: Any, browser: Any) -> None:
    w = build_world()
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "department_admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # The menu leads to the tokens page.
    page.click("nav.mainnav a[href='/api/tokens/']")
    page.wait_for_url(lambda url: url.endswith("/api/tokens/"))
    assert page.locator("p.empty").count() == 1
    # The expiry is offered a year ahead, written as the site writes dates.
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", page.input_value("#id_expires_on"))
    page.fill("#id_name", "Phần mềm quản lý trường của nhà cung cấp")
    page.select_option("#id_unit", w.batxat.code)
    page.check("input[name=scopes][value='read:orgs']")
    page.click("form.card button[type=submit]")
    secret = page.inner_text("[role=status] code").strip()
    assert len(secret) > 40
    assert page.locator("table.table tbody tr").count() == 1

    # A program with the token reads Bát Xát's schools, and nothing of Bảo Thắng.
    status, body = _call(f"{live_server.url}/api/v1/schools/", secret)
    assert status == 200
    codes = {school["code"] for school in body["results"]}
    assert w.school_a.code in codes
    assert w.school_b.code not in codes
    status, body = _call(f"{live_server.url}/api/v1/schools/{w.school_b.code}/", secret)
    assert (status, body["error"]["code"]) == (404, "not_found")
    # Its scope does not reach people.
    status, _body = _call(f"{live_server.url}/api/v1/students/", secret)
    assert status == 403

    # Shown once: the page again does not show the secret.
    page.goto(f"{live_server.url}/api/tokens/")
    assert secret not in page.content()
    page.click("table.table button[type=submit]")
    page.wait_for_selector(".messages")
    assert "đã thu hồi" in page.inner_text("table.table tbody tr").lower()
    status, body = _call(f"{live_server.url}/api/v1/schools/", secret)
    assert (status, body["error"]["code"]) == (401, "not_authenticated")
    context.close()
