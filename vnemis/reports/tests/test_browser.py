"""A district officer's own report in a real browser: start, edit, download."""

from __future__ import annotations

from typing import Any

import pytest

from vnemis.reports.tests.test_reports import _text, record_figures
from vnemis.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_officer_prepares_and_downloads_his_report(
    live_server: Any, browser: Any, settings: Any, tmp_path: Any
) -> None:
    """The picker offers the Phòng and the half-year with data; the draft is signed as the
    Phòng's settings say, and its DOCX carries the Phòng's header."""
    settings.MEDIA_ROOT = str(tmp_path)
    record_figures(build_world())
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "batxat_officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/reports/")
    assert page.locator("select[name=org]").input_value() == "PGD082"
    assert page.locator("select[name=period]").input_value() == "2022H1"
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"{live_server.url}/reports/*/")
    assert page.locator("#id_signer_title").input_value() == "TRƯỞNG PHÒNG"
    page.fill("#id_signer_name", "Lò Văn Sáng")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.click("a.button[href$='/download/docx/']")
    with open(download.value.path(), "rb") as fh:
        text = _text(fh.read())
    assert "UBND HUYỆN BÁT XÁT" in text and "/BC-PGDĐT" in text and "Lò Văn Sáng" in text
    context.close()
