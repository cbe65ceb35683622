"""The school search in a real browser: typed without diacritics, found with them."""

from __future__ import annotations

from typing import Any

import pytest

from vnemis.testing.world import PASSWORD, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_province_officer_finds_bat_xat_schools_typed_without_accents(
    live_server: Any, browser: Any
) -> None:
    """ "bat xat" typed in the school list finds "Trường Tiểu học Bát Xát" and only it."""
    build_world()
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "province_officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/schools/")
    page.fill("input[name=q]", "bat xat")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/schools/?q=bat+xat*")
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 1
    assert "Trường Tiểu học Bát Xát" in rows.first.inner_text()
    context.close()
