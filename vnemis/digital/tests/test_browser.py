"""The QĐ 4725 self-assessment in a real browser: one group's form saved at once."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from vnemis.digital.models import CriterionScore
from vnemis.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _criteria() -> None:
    """The criteria rows of the migrations, which a transactional test's flush removes."""
    importlib.import_module("vnemis.digital.migrations.0003_fill_criteria_qd4725").fill(apps, None)
    importlib.import_module("vnemis.digital.migrations.0004_selfassessment_cycle").unobserve(
        apps, None
    )


def test_principal_scores_group_i_in_one_save(live_server: Any, browser: Any) -> None:
    build_world()
    _criteria()
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "principal_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/units/10082001/self-assessment/")
    page.click("button[name=prepare]")
    page.wait_for_load_state()
    group = page.locator("#group-I")
    group.locator('input[name="1.3.1-points"]').fill("6")
    group.locator('input[name="1.4-points"]').fill("7")
    group.locator('input[name="1.1-met"]').check()
    group.locator("button[type=submit]").click()
    page.wait_for_load_state()
    scores = dict(
        CriterionScore.objects.filter(criterion__code__in=["1.1", "1.3.1", "1.4"]).values_list(
            "criterion__code", "points"
        )
    )
    assert scores == {"1.1": 0, "1.3.1": 6, "1.4": 7}
    assert CriterionScore.objects.get(criterion__code="1.1").met
    # The group's total and the incomplete group II are on the page after the one save.
    assert page.locator(".stat .num").first.inner_text() == "13/100"
    assert "90/100" in page.locator("#group-II-incomplete").inner_text()
    context.close()
