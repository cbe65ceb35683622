"""Login and the school page in a real browser (Debian's Chromium through Playwright)."""

from __future__ import annotations

from typing import Any

import pytest

from vnemis.testing.world import PASSWORD, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_officer_logs_in_and_opens_a_school(live_server: Any, browser: Any) -> None:
    build_world()
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    _login(page, live_server.url, "batxat_officer")
    assert "Tổng quan" in page.content() or page.locator("h1").count() == 1
    page.goto(f"{live_server.url}/schools/10082001/")
    assert page.locator("h1").inner_text() == "Trường Tiểu học Bát Xát"
    assert page.get_by_text("3A").count() >= 1
    # Another district's school does not exist for this officer.
    response = page.goto(f"{live_server.url}/schools/10086001/")
    assert response is not None and response.status == 404
    context.close()


def test_wrong_password_shows_a_vietnamese_error_and_phone_layout(
    live_server: Any, browser: Any
) -> None:
    build_world()
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "batxat_officer")
    page.fill("#id_password", "sai-mat-khau")
    page.click("button[type=submit]")
    assert "Sai tên đăng nhập hoặc mật khẩu" in page.locator("[role=alert]").inner_text()
    _login(page, live_server.url, "batxat_officer")
    # On a phone the menu collapses behind a button.
    assert not page.locator(".mainnav").is_visible()
    page.click("label.nav-button")
    assert page.locator(".mainnav").is_visible()
    page.click("text=Học sinh")
    page.wait_for_url(f"{live_server.url}/students/")
    assert page.locator("table.table tbody tr").count() == 2
    context.close()
