"""The import page in a real browser: upload, dry run, error report, then write the good rows."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from vnemis.people.models import Student
from vnemis.testing.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số định danh cá nhân,Mã trường,Khối,Lớp\n"
    "Lò Thị Mai,11/11/2013,Nữ,Giáy,,10082001,3,3C\n"
    "Sùng A Dính,31/02/2013,Nam,H'Mông,,10082001,3,3A\n"
)


def test_principal_imports_a_file_with_a_bad_row(live_server: Any, browser: Any) -> None:
    build_world()
    folder = Path(tempfile.mkdtemp(prefix="vnemis-browser-import-"))
    upload = folder / "hoc-sinh.csv"
    upload.write_text(CSV, encoding="utf-8")
    with override_settings(MEDIA_ROOT=str(folder / "media"), VNEMIS_JOBS_DIR=str(folder / "j")):
        context = browser.new_context(locale="vi-VN", accept_downloads=True)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "principal_a")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/imports/")
        page.select_option("#id_kind", "students")
        page.set_input_files("#id_file", str(upload))
        page.get_by_role("button", name="Tải lên và kiểm tra").click()
        page.wait_for_url("**/imports/*/")
        details = page.locator("dl.profile").first.inner_text()
        assert "bị từ chối" in details and "chạy thử" in page.locator("h1").inner_text()
        # The rejected row and its reason are on the page; the full report is a download.
        assert "31/02/2013" in page.locator("#rejected-rows + table").inner_text()
        with page.expect_download() as download:
            page.get_by_role("link", name="Tải báo cáo lỗi").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        assert not Student.objects.filter(person__given_name="Mai").exists()
        page.get_by_label("chỉ ghi các dòng hợp lệ").check()
        page.get_by_role("button", name="Nhập chính thức").click()
        page.wait_for_load_state()
        assert Student.objects.filter(person__given_name="Mai").count() == 1
        assert "✔" in page.locator("dl.profile").first.inner_text()
        context.close()
