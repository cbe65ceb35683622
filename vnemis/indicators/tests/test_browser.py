"""The operations centre in a real browser: a district officer sees only the district."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vnemis.digital import services as digital
from vnemis.indicators import services
from vnemis.indicators.periods import parse_period
from vnemis.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_dashboard_and_drill_through(live_server: Any, browser: Any) -> None:
    w = build_world()
    for school, cashless in ((w.school_a, True), (w.school_b, False)):
        digital.digital_profile_record(
            unit=school,
            valid_from=dt.date(2021, 9, 5),
            by=None,
            internet="wired",
            cashless_payment=cashless,
        )
    services.element_values_refresh(period=parse_period("2022H1"))
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "batxat_officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click("text=Trung tâm điều hành")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert "Phòng GD&ĐT Bát Xát" in page.locator("h1").inner_text()
    card = page.locator(".indicator", has_text="thanh toán không dùng tiền mặt")
    assert "100%" in card.inner_text() and "1/1" in card.inner_text()
    # The chart by unit below lists Bát Xát's school only, never Bảo Thắng's.
    page.goto(f"{live_server.url}/dashboard/?indicator=cashless_schools")
    rows = page.locator("table.bars tbody tr")
    assert rows.count() == 1 and "Bát Xát" in rows.first.inner_text()
    card = page.locator(".indicator", has_text="thanh toán không dùng tiền mặt")
    card.get_by_role("link", name="Danh sách chi tiết").click()
    assert page.locator("table.table tbody tr").count() == 1
    assert "10082001" in page.locator("table.table").inner_text()
    context.close()
