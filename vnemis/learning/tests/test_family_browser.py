"""A parent follows his child's results on a phone, in a real browser: the menu leads to his
child's page; nothing shows before the school releases it; a released term average shows and
the unreleased scores it comes from do not; the cards fit the screen, in Vietnamese, with no
script error and no Content-Security-Policy violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from vnemis.learning.choices import ReleaseColumn
from vnemis.learning.services.marks import CellInput, marks_save
from vnemis.learning.services.releases import release_set
from vnemis.learning.tests.fixtures import build_learning
from vnemis.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _problems(page: Any) -> list[str]:
    """Script errors, console errors and Content-Security-Policy violations of the page. The
    browser's own request for /favicon.ico (the site has none) is not the page's."""
    problems: list[str] = []

    def console(message: Any) -> None:
        if message.location.get("url", "").endswith("/favicon.ico"):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", console)
    return problems


def _fits(page: Any) -> None:
    """The document does not scroll sideways and every result card lies within the screen."""
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    cards = page.locator(".result-card")
    assert cards.count() > 0
    for i in range(cards.count()):
        box = cards.nth(i).bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width


def test_parent_reads_his_childs_released_results_on_a_phone(
    live_server: Any, browser: Any
) -> None:
    """parent_c opens “Kết quả học tập” from the phone's menu and lands on Mỷ's page. With
    Toán term I entered (8; 7,5; 9; 6 / 7 / 8,5) but nothing released, the page says its
    seven values (six scores and the average) are not published and shows none of them.
    Once the school releases Toán's term I average, he sees exactly 7,8 as the term average
    and still not the end-of-term 8,5."""
    world = build_world()
    lw = build_learning(world)
    scores = {"r1": "8", "r2": "7,5", "r3": "9", "r4": "6", "midterm": "7", "final": "8,5"}
    marks_save(
        school_class=lw.class_6a,
        subject=lw.toan_6,
        term=1,
        cells=[CellInput(lw.s6a.pk, column, value) for column, value in scores.items()],
        by=None,
    )

    context = browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    problems = _problems(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "parent_c")
    page.fill("#id_password", PASSWORD)
    page.tap("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.get_attribute("html", "lang") == "vi"

    # On a phone the menu is behind its button.
    menu_link = page.locator("nav.mainnav a", has_text="Kết quả học tập")
    assert not menu_link.is_visible()
    page.tap("label.nav-button")
    menu_link.tap()
    page.wait_for_url(f"**{reverse('learning:family')}")
    assert page.inner_text("h1") == "Kết quả học tập"
    child = page.locator("ul.cards-list a")
    assert child.count() == 1
    assert child.inner_text() == "Sùng Thị Mỷ"
    child.tap()
    results_path = reverse("learning:student_results", args=[lw.s6a.code])
    page.wait_for_url(f"**{results_path}")
    assert page.inner_text("h1") == "Sùng Thị Mỷ"

    # Nothing released: the notice, and no score anywhere on the page.
    notice = page.locator("p.notice")
    assert notice.inner_text() == (
        "7 kết quả chưa được công bố; kết quả sẽ hiện ở đây khi nhà trường công bố."
    )
    toan = page.locator(".result-card", has=page.locator("h2", has_text="Toán"))
    assert toan.count() == 1
    assert toan.locator("dd strong").count() == 0
    main = page.inner_text("main")
    for shown in ("7,8", "8,5", "7,5"):
        assert shown not in main
    _fits(page)

    release_set(
        school_class=lw.class_6a,
        subject=lw.toan_6,
        term=1,
        column=ReleaseColumn.AVERAGE,
        by=lw.users["principal_c"],
        now=True,
    )
    page.reload()
    term_one = toan.locator("dd").first
    assert term_one.locator("strong").all_inner_texts() == ["7,8"]
    assert term_one.inner_text() == "Điểm TB học kì: 7,8"
    main = page.inner_text("main")
    assert main.count("7,8") == 1
    for hidden in ("8,5", "7,5"):
        assert hidden not in main
    assert notice.inner_text().startswith("6 kết quả chưa được công bố")
    _fits(page)
    assert problems == []
    context.close()
