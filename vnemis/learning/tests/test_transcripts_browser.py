"""Học bạ số in a real browser, end to end: the homeroom teacher and the principal take the
Ministry's steps in order with the buttons of the transcript's page, the father downloads the
signed PDF from his child's results, and an anonymous visitor checks it on the public
verification page, by its QR address and by uploading the file; a byte-modified copy is
refused with the reason."""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from vnemis.learning.choices import CopyKind, TranscriptStatus
from vnemis.learning.models import Transcript, TranscriptCopy
from vnemis.learning.services import credentials
from vnemis.learning.services import transcripts as ts
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.learning.tests.test_transcripts_service import (
    TRANSCRIPT_SETTINGS,
    fill_year,
    flip_byte,
    release_all,
)
from vnemis.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = TranscriptStatus


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


def _verify_file(pdf: bytes) -> ts.FileCheck:
    """``transcript_verify_file`` in a thread of its own, in Vietnamese: the verifier runs
    pyHanko's coroutines with ``asyncio.run``, which refuses the thread where sync Playwright
    keeps its event loop."""

    def check() -> ts.FileCheck:
        with translation.override("vi"):
            return ts.transcript_verify_file(pdf)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(check).result()


def _login(browser: Any, live_server: Any, username: str) -> Any:
    page = browser.new_context(locale="vi-VN", accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _step(page: Any, transcript: Transcript, label: str, status: str) -> None:
    """Click the page's next-step button, which must name ``label``; the page comes back
    with the confirmation and the new ``status``."""
    button = page.locator("form button.primary", has_text="Bước tiếp theo:")
    assert button.inner_text() == f"Bước tiếp theo: {label}"
    button.click()
    page.locator(".messages li.success").wait_for()
    assert page.inner_text(".messages li.success") == f"Xong: học bạ chuyển sang “{label}”."
    assert page.locator("dl.profile dd strong").inner_text() == status
    transcript.refresh_from_db()


def _waiting(page: Any, label: str) -> None:
    """The page names the next step as someone else's and offers no button."""
    assert page.locator("form button.primary", has_text="Bước tiếp theo:").count() == 0
    assert page.inner_text("p.muted >> nth=-1") == (
        f"Bước tiếp theo: {label} — do người khác thực hiện."
    )


def _prepared(lw: Learning) -> Transcript:
    """s6a's year 2021-22 (6A, TT22) entered and released, its transcript prepared."""
    fill_year(lw.class_6a, lw.s6a.pk)
    release_all(lw.class_6a)
    credentials.demo_ca_ensure()
    return ts.transcript_prepare(
        student=lw.s6a, school_year=lw.class_6a.school_year, by=lw.users["teacher_c"]
    )


def test_transcript_is_signed_downloaded_and_verified_in_the_browser(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    """teacher_c completes Mỷ's transcript from her class's list; principal_c verifies and
    confirms; teacher_c signs; principal_c signs for the school, each with the page's button
    and only when it is their turn. parent_c downloads the signed PDF from Mỷ's results: it
    starts with %PDF, verifies, and the download is logged as the original given to him. An
    anonymous visitor opening the QR address sees the transcript is valid with the initials
    S. T. M. (never the full name); the uploaded file is authentic; a copy with one byte
    changed is refused, each reason listed."""
    settings = {
        **TRANSCRIPT_SETTINGS,
        "TRANSCRIPT_CA_DIR": Path(tempfile.mkdtemp(prefix="vnemis-browser-ca-", dir=tmp_path)),
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="vnemis-browser-media-", dir=tmp_path),
        # The QR code points to the server under test.
        "TRANSCRIPT_PUBLIC_URL": live_server.url,
    }
    with override_settings(**settings):
        _walk(live_server, browser, tmp_path)


def _walk(live_server: Any, browser: Any, tmp_path: Path) -> None:
    world = build_world()
    lw = build_learning(world)
    transcript = _prepared(lw)
    detail = f"{live_server.url}{reverse('learning:transcript_detail', args=[transcript.pk])}"

    # The homeroom teacher finds the draft in her class's list and completes it.
    teacher = _login(browser, live_server, "teacher_c")
    teacher_problems = _problems(teacher)
    teacher.goto(f"{live_server.url}{reverse('learning:transcripts_class', args=[lw.class_6a.pk])}")
    assert teacher.get_attribute("html", "lang") == "vi"
    row = teacher.locator("table tbody tr", has_text="Sùng Thị Mỷ")
    assert row.locator("code").inner_text() == transcript.code
    row.locator("a", has_text="Dự thảo").click()
    teacher.wait_for_url(detail)
    facts = dict(
        zip(
            teacher.locator("dl.profile dt").all_inner_texts(),
            teacher.locator("dl.profile dd").all_inner_texts(),
            strict=True,
        )
    )
    assert facts["Lớp"] == "6A (khối 6)"
    _step(teacher, transcript, "Hoàn thành", "Hoàn thành")
    assert transcript.status == S.COMPLETED
    _waiting(teacher, "Đã kiểm tra")

    principal = _login(browser, live_server, "principal_c")
    principal_problems = _problems(principal)
    principal.goto(detail)
    _step(principal, transcript, "Đã kiểm tra", "Đã kiểm tra")
    _step(principal, transcript, "Đã xác nhận", "Đã xác nhận")
    assert transcript.status == S.CONFIRMED
    _waiting(principal, "Giáo viên chủ nhiệm đã ký")

    teacher.reload()
    _step(teacher, transcript, "Giáo viên chủ nhiệm đã ký", "Giáo viên chủ nhiệm đã ký")
    assert transcript.status == S.TEACHER_SIGNED

    principal.reload()
    _step(principal, transcript, "Đã ban hành (nhà trường đã ký)", "Đã ban hành (nhà trường đã ký)")
    assert transcript.status == S.ISSUED
    # Issued: no step left, the file to download.
    assert principal.locator("form button.primary", has_text="Bước tiếp theo:").count() == 0
    assert principal.locator("a.button.primary").inner_text() == "Tải học bạ đã ký số (PDF)"
    steps = principal.locator("table.table >> nth=0").locator("tbody tr")
    assert steps.count() == 6  # the draft and the five steps
    # The verification link printed under the QR code.
    qr = principal.get_attribute("dl.profile a", "href")
    assert qr == f"{live_server.url}/transcripts/verify/{transcript.code}/"

    # The father downloads the signed file from his child's results.
    parent = _login(browser, live_server, "parent_c")
    parent_problems = _problems(parent)
    parent.goto(f"{live_server.url}{reverse('learning:student_results', args=[lw.s6a.code])}")
    with parent.expect_download() as caught:
        parent.click("text=Tải học bạ đã ký số (PDF)")
    download = caught.value
    assert download.suggested_filename == f"hoc-ba-{transcript.code}.pdf"
    original = tmp_path / download.suggested_filename
    download.save_as(original)
    pdf = original.read_bytes()
    assert pdf.startswith(b"%PDF-")
    check = _verify_file(pdf)
    assert (check.ok, check.reasons) == (True, ())
    assert check.transcript is not None and check.transcript.pk == transcript.pk
    copy = TranscriptCopy.objects.get(transcript=transcript, by=lw.users["parent_c"])
    assert (copy.kind, copy.issued_to) == (CopyKind.ORIGINAL, "Sùng Thị Páo")
    # The school sees the download in the copy log, and may give out another copy.
    principal.reload()
    log = principal.locator("table.table >> nth=1")
    assert log.locator("thead th").first.inner_text() == "Loại"
    assert log.locator("tbody tr td").all_inner_texts()[:2] == ["Bản gốc", "Sùng Thị Páo"]
    copy_form = principal.locator("form[action$='/copies/']")
    assert copy_form.locator("label").first.evaluate("el => el.firstChild.textContent") == "Loại "

    # Anyone who holds the paper: its QR address, then the file itself.
    visitor = browser.new_context(locale="vi-VN").new_page()
    visitor_problems = _problems(visitor)
    visitor.goto(qr)
    assert visitor.get_attribute("html", "lang") == "vi"
    status = visitor.locator("div.notice[role=status]")
    assert status.locator("strong").inner_text() == "Có học bạ đã phát hành với mã này."
    facts = dict(
        zip(
            visitor.locator("dl.profile dt").all_inner_texts(),
            visitor.locator("dl.profile dd").all_inner_texts(),
            strict=True,
        )
    )
    assert facts["Học sinh (viết tắt họ tên)"] == "S. T. M."
    assert facts["Trường"] == "Trường THCS Bát Xát"
    body = visitor.inner_text("body")
    for private in ("Sùng Thị Mỷ", "Mỷ", lw.s6a.person.national_id or "", lw.s6a.code):
        assert private not in body

    visitor.set_input_files("input[type=file]", str(original))
    visitor.click("form[enctype] button[type=submit]")
    verdict = visitor.locator("div.notice[role=status] strong")
    verdict.wait_for()
    assert verdict.inner_text() == (
        "Xác thực và nguyên vẹn: đây đúng là học bạ nhà trường đã phát hành và ký số."
    )
    signers = [
        text
        for dt_text, text in zip(
            visitor.locator("dl.profile dt").all_inner_texts(),
            visitor.locator("dl.profile dd").all_inner_texts(),
            strict=True,
        )
        if dt_text == "Người ký"
    ]
    assert [s.split(" · ")[0] for s in signers] == ["Vàng Thị Chi", "Trường THCS Bát Xát"]

    altered = tmp_path / "altered.pdf"
    altered.write_bytes(flip_byte(pdf))
    expected = list(_verify_file(altered.read_bytes()).reasons)
    assert expected  # the service refuses it too
    visitor.set_input_files("input[type=file]", str(altered))
    visitor.click("form[enctype] button[type=submit]")
    refusal = visitor.locator("div.error[role=alert]")
    refusal.wait_for()
    assert refusal.locator("strong").inner_text() == "Tệp này không phải học bạ hợp lệ."
    assert refusal.locator("li").all_inner_texts() == expected
    assert any("đã bị sửa sau khi ký" in reason for reason in expected)
    # Nothing about the student for a refused file.
    assert visitor.locator("dl.profile").count() == 0

    for problems in (teacher_problems, principal_problems, parent_problems, visitor_problems):
        assert problems == []
    for page in (teacher, principal, parent, visitor):
        page.context.close()
