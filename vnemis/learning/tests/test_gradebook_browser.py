"""The gradebook in a real browser: a Toán teacher types a class's scores with the keyboard and
sees them saved without a reload, invalid values refused where they are typed, a column pasted
from a spreadsheet, entry on a phone, a locked term's correction request, and the homeroom
teacher's conduct."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from vnemis.learning.models import Correction, Mark, TermReport
from vnemis.learning.services.locks import term_lock
from vnemis.learning.services.marks import CellInput, marks_save
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.testing.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser: Any, live_server: Any, username: str, **options: Any) -> Any:
    context = browser.new_context(locale="vi-VN", **options)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _world() -> tuple[World, Learning]:
    world = build_world()
    return world, build_learning(world)


def _gradebook(live_server: Any, lw: Learning, term: int = 1) -> str:
    path = reverse("learning:gradebook", args=[lw.class_6a.pk, lw.toan_6.pk, term])
    return f"{live_server.url}{path}"


def _cell(student_id: int, column: str) -> str:
    return f"#cell-{student_id}-{column}"


def _problems(page: Any) -> list[str]:
    """Script errors and Content-Security-Policy violations the page reports."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return problems


def _saves(page: Any) -> list[str]:
    """The bodies of the grid's save requests, as they are sent."""
    bodies: list[str] = []
    page.on(
        "request",
        lambda request: (
            bodies.append(request.post_data or "")
            if request.method == "POST" and request.url.endswith("/cells/")
            else None
        ),
    )
    return bodies


def test_teacher_types_scores_with_the_keyboard(live_server: Any, browser: Any) -> None:
    """teacher_d fills Toán 6A term I for one student with Tab, → and Enter; the term average
    8;7,5;9;6 / 7 / 8,5 → 7,8 appears without a reload; 11 and 7,25 are refused where they
    are typed and never sent; a reload shows what was saved."""
    _world_, lw = _world()
    page = _login(browser, live_server, "teacher_d")
    problems = _problems(page)
    page.goto(_gradebook(live_server, lw))
    saves = _saves(page)
    # A page reload would drop this mark.
    page.evaluate("window.gradebookMarker = 1")
    a, b = lw.s6a.pk, lw.s6b.pk
    page.click(_cell(a, "r1"))
    page.keyboard.type("8")
    page.keyboard.press("Tab")
    page.keyboard.type("7,5")
    page.keyboard.press("Tab")
    page.keyboard.type("9")
    page.keyboard.press("ArrowRight")  # the caret is at the end: the next cell
    page.keyboard.type("6")
    page.keyboard.press("Tab")
    page.keyboard.type("7")
    page.keyboard.press("Tab")
    page.keyboard.type("8.5")
    page.keyboard.press("Enter")  # saves and moves down the column
    average = page.locator(f"tr[data-student='{a}'] [data-average]")
    average.filter(has_text="7,8").wait_for()
    assert average.inner_text() == "7,8"
    assert page.evaluate("document.activeElement.id") == f"cell-{b}-final"
    # The score typed with a point shows with a comma once saved.
    assert page.input_value(_cell(a, "final")) == "8,5"
    # Saved one by one as the cells were left: all six show as saved.
    assert page.locator(f"tr[data-student='{a}'] td.is-saved").count() == 6
    assert page.evaluate("window.gradebookMarker") == 1

    # ↑ goes back up the column; ← at the start of the text goes left.
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == f"cell-{a}-final"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.id") == f"cell-{a}-midterm"

    # Invalid values: refused as they are typed, with the page's message (translated by the
    # template into the page's language, Vietnamese), never sent.
    assert page.get_attribute("html", "lang") == "vi"
    table = page.locator("#gradebook")
    sent_before = len(saves)
    page.click(_cell(b, "r1"))
    page.keyboard.type("11")
    error = page.locator(f"tr[data-student='{b}'] .cell-error")
    assert error.inner_text() == table.get_attribute("data-msg-range")
    assert page.get_attribute(_cell(b, "r1"), "aria-invalid") == "true"
    page.keyboard.press("Enter")
    page.click(_cell(b, "r2"))
    page.keyboard.type("7,25")
    page.keyboard.press("Enter")
    errors = page.locator(f"tr[data-student='{b}'] .cell-error")
    assert errors.nth(1).inner_text() == table.get_attribute("data-msg-decimals")
    assert page.inner_text("#gradebook-status") == table.get_attribute("data-msg-invalid")
    page.wait_for_timeout(300)
    assert len(saves) == sent_before
    assert not Mark.objects.filter(student=lw.s6b).exists()
    # Correcting the value clears the error and saves it.
    page.click(_cell(b, "r1"))
    page.keyboard.type("10")
    assert page.get_attribute(_cell(b, "r1"), "aria-invalid") is None
    assert errors.count() == 1  # 7,25 is still marked
    page.keyboard.press("Tab")
    page.locator(f"tr[data-student='{b}'] td.is-saved").first.wait_for()
    assert Mark.objects.get(student=lw.s6b, subject=lw.toan_6, term=1).r1 == 10

    mark = Mark.objects.get(student=lw.s6a, subject=lw.toan_6, term=1)
    assert str(mark.average) == "7.8"
    page.reload()
    assert page.input_value(_cell(a, "r2")) == "7,5"
    assert page.input_value(_cell(a, "final")) == "8,5"
    assert page.inner_text(f"tr[data-student='{a}'] [data-average]") == "7,8"
    assert page.input_value(_cell(b, "r2")) == ""
    assert problems == []
    page.context.close()


def test_a_column_pasted_from_a_spreadsheet_is_saved_in_one_request(
    live_server: Any, browser: Any
) -> None:
    """Two lines pasted into the first student's mid-term cell fill both students' cells and
    go in one request."""
    _world_, lw = _world()
    page = _login(browser, live_server, "teacher_d")
    page.goto(_gradebook(live_server, lw))
    saves = _saves(page)
    page.click(_cell(lw.s6a.pk, "midterm"))
    page.evaluate(
        """(selector) => {
            const data = new DataTransfer();
            data.setData("text/plain", "6,5\\r\\n9\\r\\n");
            const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                       cancelable: true});
            document.querySelector(selector).dispatchEvent(event);
        }""",
        _cell(lw.s6a.pk, "midterm"),
    )
    page.locator(f"tr[data-student='{lw.s6b.pk}'] td.is-saved").wait_for()
    assert page.input_value(_cell(lw.s6a.pk, "midterm")) == "6,5"
    assert page.input_value(_cell(lw.s6b.pk, "midterm")) == "9"
    assert len(saves) == 1
    midterms = dict(
        Mark.objects.filter(subject=lw.toan_6, term=1).values_list("student_id", "midterm")
    )
    assert {k: str(v) for k, v in midterms.items()} == {lw.s6a.pk: "6.5", lw.s6b.pk: "9.0"}
    page.context.close()


def test_entry_works_on_a_phone(live_server: Any, browser: Any) -> None:
    """On a 390×844 phone the grid scrolls sideways inside its frame, the names stay in view,
    and a score typed in the last column is saved."""
    _world_, lw = _world()
    page = _login(
        browser,
        live_server,
        "teacher_d",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page.goto(_gradebook(live_server, lw))
    frame = page.locator(".gradebook-scroll")
    widths = frame.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1]
    # The page itself does not scroll sideways: only the grid does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_attribute(_cell(lw.s6a.pk, "r1"), "inputmode") == "decimal"
    page.tap(_cell(lw.s6a.pk, "final"))
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    page.locator(f"tr[data-student='{lw.s6a.pk}'] td.is-saved").wait_for()
    assert str(Mark.objects.get(student=lw.s6a, subject=lw.toan_6, term=1).final) == "9.0"
    # Scrolled to the end, the name column is still at the frame's left edge.
    frame.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    name = page.locator(f"tr[data-student='{lw.s6a.pk}'] th.name").bounding_box()
    box = frame.bounding_box()
    assert frame.evaluate("el => el.scrollLeft") > 0
    assert abs(name["x"] - box["x"]) <= 2
    page.context.close()


def test_a_locked_term_is_read_only_and_offers_a_correction(live_server: Any, browser: Any) -> None:
    """After the principal locks term I, teacher_d sees the values without inputs and sends
    a correction request with a reason; without a reason the server's message shows."""
    world, lw = _world()
    marks_save(
        school_class=lw.class_6a,
        subject=lw.toan_6,
        term=1,
        cells=[CellInput(lw.s6a.pk, "final", "8")],
        by=None,
    )
    term_lock(school=lw.school_c, school_year=world.year, term=1, by=None)
    page = _login(browser, live_server, "teacher_d")
    page.goto(_gradebook(live_server, lw))
    assert page.locator("#gradebook input").count() == 0
    assert page.locator("#gradebook-locked").is_visible()
    page.select_option("#correction-student", str(lw.s6a.pk))
    page.select_option("#correction-column", "final")
    page.fill("#correction-value", "9")
    page.click("#correction-form button[type=submit]")
    result = page.locator(".correction-result.field-error")
    result.wait_for()
    assert result.inner_text()
    assert Correction.objects.count() == 0
    page.fill("#correction-reason", "Chấm phúc khảo bài cuối kì")
    page.click("#correction-form button[type=submit]")
    sent = page.locator(".correction-result.ok")
    sent.wait_for()
    assert sent.inner_text() == page.get_attribute("#correction-form", "data-msg-sent")
    correction = Correction.objects.get()
    assert (correction.after, correction.reason) == ({"final": "9"}, "Chấm phúc khảo bài cuối kì")
    page.context.close()


def test_homeroom_teacher_enters_conduct(live_server: Any, browser: Any) -> None:
    """teacher_c types conduct for 6A term I: "t" is saved and shows as T, Enter moves to the
    next student, "X" is refused in place; a reload shows the saved level."""
    _world_, lw = _world()
    page = _login(browser, live_server, "teacher_c")
    problems = _problems(page)
    page.goto(f"{live_server.url}{reverse('learning:term_reports', args=[lw.class_6a.pk, 1])}")
    a, b = lw.s6a.pk, lw.s6b.pk
    page.click(_cell(a, "conduct"))
    page.keyboard.type("t")
    page.keyboard.press("Enter")
    page.locator(f"tr[data-student='{a}'] td.is-saved").wait_for()
    assert page.input_value(_cell(a, "conduct")) == "T"
    assert page.evaluate("document.activeElement.id") == f"cell-{b}-conduct"
    page.keyboard.type("X")
    page.keyboard.press("Tab")
    error = page.locator(f"tr[data-student='{b}'] .cell-error")
    assert error.inner_text() == page.get_attribute("#term-reports", "data-msg-conduct")
    page.fill(_cell(b, "absences_unexcused"), "3")
    page.keyboard.press("Enter")
    page.locator(f"tr[data-student='{b}'] td.kind-count.is-saved").wait_for()
    reports = {r.student_id: r for r in TermReport.objects.filter(term=1)}
    assert reports[a].conduct == "tot"
    assert (reports[b].conduct, reports[b].absences_unexcused) == ("", 3)
    page.reload()
    assert page.input_value(_cell(a, "conduct")) == "T"
    assert page.input_value(_cell(b, "absences_unexcused")) == "3"
    assert problems == []
    page.context.close()
