"""The operations centre's charts in a real browser, under the Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from vnemis.digital import services as digital
from vnemis.indicators import services
from vnemis.indicators.models import Indicator
from vnemis.indicators.periods import parse_period
from vnemis.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_draws_its_charts_with_tables_and_png(live_server: Any, browser: Any) -> None:
    """The province officer's dashboard draws three ECharts canvases with no policy error;
    the trend's table view opens on the same figures, and the PNG button saves a PNG."""
    w = build_world()
    start = dt.date(2021, 9, 5)
    digital.digital_profile_record(unit=w.school_a, valid_from=start, by=None, internet="wired")
    digital.digital_profile_record(
        unit=w.school_a, valid_from=dt.date(2022, 3, 1), by=None, cashless_payment=True
    )
    digital.digital_profile_record(unit=w.school_b, valid_from=start, by=None, internet="mobile")
    services.target_set(
        indicator=Indicator.objects.get(code="cashless_schools"),
        period=parse_period("2022H2"),
        unit=w.province,
        value=Decimal(80),
        by=None,
    )
    for code in ("2021H2", "2022H1"):
        services.element_values_refresh(period=parse_period(code))
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    reports: list[str] = []
    page.on("console", lambda message: reports.append(message.text))
    page.on("pageerror", lambda error: reports.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "province_officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/dashboard/?org=SGD10&period=2022H1&indicator=cashless_schools")
    for chart in ("chart-trend", "chart-mix", "chart-bars"):
        page.locator(f'[data-chart="{chart}"] canvas').first.wait_for()
    # Labels in Vietnamese: the trend's own formatter, asked for 1234,5 %.
    label = page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('[data-chart="chart-trend"]'))
            .getOption().series[0].label.formatter({value: 1234.5})"""
    )
    assert label == "1.234,5%"
    # A tooltip is drawn on the canvas too (ECharts' HTML tooltip would need style attributes).
    page.locator('[data-chart="chart-trend"]').hover()
    trend = page.locator("#chart-trend-panel details.chart-table")
    table = trend.locator("table")
    assert not table.is_visible()
    trend.locator("summary").click()
    assert table.is_visible()
    with translation.override("vi"):
        labels = [parse_period(c).label for c in ("2021H2", "2022H1", "2022H2")]
    assert [row.inner_text().split("\t") for row in table.locator("tbody tr").all()] == [
        [labels[0], "0%", "—"],
        [labels[1], "50%", "—"],
        [labels[2], "—", "80%"],
    ]
    with page.expect_download() as download:
        page.locator('[data-chart-png="chart-trend"]').click()
    assert download.value.suggested_filename == "cashless_schools-SGD10-2022H1-trend.png"
    with open(download.value.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    context.close()
    assert [r for r in reports if "Content Security Policy" in r or "Refused" in r] == []
    assert [r for r in reports if "error" in r.lower()] == []
