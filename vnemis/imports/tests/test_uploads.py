"""Import uploads: size caps enforced while the file arrives, content checks before the file is
stored, and audited, uncached downloads of error reports."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from vnemis.accounts import services as account_services
from vnemis.accounts.choices import Role
from vnemis.core import uploads
from vnemis.core.models import AuditEntry
from vnemis.imports import services
from vnemis.imports.models import ImportFile, ImportJob
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.world import PASSWORD, build_world

HEADER = "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số định danh cá nhân,Mã trường,Khối,Lớp\n"
GOOD = "Lò Thị Mai,11/11/2013,Nữ,Giáy,,10082001,3,3C\n"
BAD = "Sùng A Dính,31/02/2013,Nam,H'Mông,,10082001,3,3A\n"  # no such date
CAP = 64 * 1024
# The page without vnemis's no-store middleware: a download must carry the header by itself.
WITHOUT_NO_STORE = [
    m for m in settings.MIDDLEWARE if not m.endswith("NoStoreWhenSignedInMiddleware")
]


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _csv_of_size(size: int) -> bytes:
    """A well-formed CSV of exactly ``size`` bytes (the last row padded with a long note)."""
    head = (HEADER + GOOD).encode()
    return head + b"x" * (size - len(head) - 1) + b"\n"


def _xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ và tên", "Ngày sinh"])
    sheet.append(["Lò Thị Mai", "11/11/2013"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip_bomb(name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A small archive with one member of 5 MB of zeros (compressed about a thousandfold)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(name, b"\0" * (5 * 2**20))
    return out.getvalue()


@contextmanager
def _bytes_reaching_storage() -> Iterator[list[int]]:
    """Count the bytes that get past the capped handler to Django's own handlers (the memory
    handler is next in line and passes on whatever it does not keep)."""
    seen: list[int] = []
    original = MemoryFileUploadHandler.receive_data_chunk

    def counting(self: MemoryFileUploadHandler, raw_data: bytes, start: int) -> bytes | None:
        seen.append(len(raw_data))
        return original(self, raw_data, start)

    with mock.patch.object(MemoryFileUploadHandler, "receive_data_chunk", counting):
        yield seen


class ImportUploadCheckTests(SimpleTestCase):
    """``import_upload_check`` on its own: cheap refusals before an import file is stored."""

    def check(self, name: str, content: bytes) -> list[str]:
        try:
            with translation.override("en"):
                uploads.import_upload_check(SimpleUploadedFile(name, content))
        except Exception as exc:  # noqa: BLE001 (the messages are what is asserted)
            return list(getattr(exc, "messages", [str(exc)]))
        return []

    def test_real_csv_and_xlsx_pass(self) -> None:
        """A UTF-8 CSV, a UTF-16 CSV with its byte-order mark and a real workbook pass."""
        self.assertEqual(self.check("ds.csv", (HEADER + GOOD).encode()), [])
        self.assertEqual(self.check("ds.csv", (HEADER + GOOD).encode("utf-16")), [])
        self.assertEqual(self.check("ds.xlsx", _xlsx_bytes()), [])

    def test_an_xlsx_that_is_not_a_zip_is_refused(self) -> None:
        """Text saved under an .xlsx name is refused as not being a workbook."""
        self.assertEqual(
            self.check("ds.xlsx", (HEADER + GOOD).encode()),
            ["The Excel file is damaged or is not an .xlsx file."],
        )

    def test_an_old_xls_named_xlsx_is_refused(self) -> None:
        """An OLE compound file (old .xls, or a password-protected workbook) is refused."""
        messages = self.check("ds.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
        self.assertEqual(len(messages), 1)
        self.assertIn("old .xls workbook", messages[0])

    def test_a_zip_bomb_workbook_is_refused_before_storage(self) -> None:
        """A 5 MB member compressed to a few KB is refused by its ratio."""
        bomb = _zip_bomb()
        self.assertLess(len(bomb), 20_000)
        messages = self.check("ds.xlsx", bomb)
        self.assertEqual(len(messages), 1)
        self.assertIn("compressed more than 100 times", messages[0])

    def test_a_binary_csv_is_refused(self) -> None:
        """A .csv holding NUL bytes (no UTF-16 mark) or a workbook's zip is refused."""
        self.assertEqual(
            self.check("ds.csv", b"\x7fELF\x02\x01\x01\0\0\0" + b"\0" * 100),
            [
                "This file is not a CSV text file: it holds binary data. In Excel, save the "
                "list as “CSV UTF-8”, or upload the .xlsx file."
            ],
        )
        self.assertEqual(
            self.check("ds.csv", _xlsx_bytes()),
            ["This file is an Excel workbook, not a CSV text file: upload it as .xlsx."],
        )

    def test_other_types_and_empty_files_are_refused(self) -> None:
        self.assertEqual(
            self.check("ds.exe", b"MZ" + b"\0" * 10), ["Upload an .xlsx or .csv file."]
        )
        self.assertEqual(self.check("ds.csv", b""), ["The file is empty."])

    @override_settings(VNEMIS_IMPORT_MAX_BYTES=CAP)
    def test_a_file_over_the_cap_is_refused_even_outside_a_request(self) -> None:
        self.assertEqual(
            self.check("ds.csv", _csv_of_size(CAP + 1)),
            [
                "The file “ds.csv” is larger than 64 KB, the most accepted here, and was not "
                "saved. Make it smaller (scan at a lower resolution, or split a list into "
                "several files) and upload it again."
            ],
        )


class ImportUploadPageTests(PersonaTestCase):
    """Uploads through the import page, as real multipart requests."""

    def setUp(self) -> None:
        self.media = Path(tempfile.mkdtemp(prefix="vnemis-media-"))
        self.spool = Path(tempfile.mkdtemp(prefix="vnemis-spool-"))
        # Small caps and thresholds, so that "150 MB" is a file just over 64 KB; uploads over
        # 1 KB are spooled to a temporary file, which must be gone afterwards too.
        settings_override = override_settings(
            MEDIA_ROOT=str(self.media),
            FILE_UPLOAD_TEMP_DIR=str(self.spool),
            FILE_UPLOAD_MAX_MEMORY_SIZE=1024,
            VNEMIS_IMPORT_MAX_BYTES=CAP,
            LANGUAGE_CODE="en",
        )
        settings_override.enable()
        self.addCleanup(settings_override.disable)
        self.client.force_login(self.world.users["principal_a"])

    def post(self, name: str, content: bytes) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("imports:import_list"),
                {
                    "kind": "students",
                    "unit": self.world.school_a.code,
                    "dry_run": "on",
                    "file": SimpleUploadedFile(name, content),
                },
            )

    def assert_refused(self, response: Any, message: str) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors, {"file": [message]})
        self.assertEqual((ImportFile.objects.count(), ImportJob.objects.count()), (0, 0))
        self.assertEqual(_files_under(self.media), [])
        self.assertEqual(_files_under(self.spool), [])

    def too_large(self, name: str = "ds.csv") -> str:
        return (
            f"The file “{name}” is larger than 64 KB, the most accepted here, and was not saved. "
            "Make it smaller (scan at a lower resolution, or split a list into several files) "
            "and upload it again."
        )

    def test_a_file_just_over_the_cap_is_refused_while_it_arrives(self) -> None:
        """A file one byte over the cap is cut off at the cap: no import file, no job, nothing
        on disk, and the form says why (not a 413 or 500 page)."""
        with _bytes_reaching_storage() as seen:
            response = self.post("ds.csv", _csv_of_size(CAP + 1))
        self.assert_refused(response, self.too_large())
        self.assertLessEqual(sum(seen), CAP)

    def test_a_file_at_the_cap_is_accepted(self) -> None:
        response = self.post("ds.csv", _csv_of_size(CAP))
        job = ImportJob.objects.get()
        self.assertRedirects(
            response, reverse("imports:import_detail", args=[job.pk]), fetch_redirect_response=False
        )
        self.assertEqual(job.source.size, CAP)

    def test_a_body_declared_far_over_the_cap_is_refused_before_any_byte_is_kept(self) -> None:
        """When the request's length already shows the file is over the cap, not one byte of
        it reaches the handlers that keep files."""
        with _bytes_reaching_storage() as seen:
            response = self.post("ds.csv", _csv_of_size(CAP + uploads.FORM_ROOM + 10))
        self.assert_refused(response, self.too_large())
        self.assertEqual(seen, [])

    @override_settings(VNEMIS_UPLOAD_BODY_MAX_BYTES=2 * 2**20)
    def test_a_body_over_the_ceiling_is_not_read_yet_the_form_explains(self) -> None:
        """A body over the ceiling is not read at all; the fields sent before the file still
        give the page its form and reason."""
        with _bytes_reaching_storage() as seen:
            response = self.post("ds.csv", _csv_of_size(3 * 2**20))
        self.assert_refused(response, self.too_large())
        self.assertEqual(seen, [])

    def test_content_is_checked_before_the_file_is_stored(self) -> None:
        """An .xlsx that is text and a binary .csv are refused with nothing stored."""
        self.assert_refused(
            self.post("ds.xlsx", (HEADER + GOOD).encode()),
            "The Excel file is damaged or is not an .xlsx file.",
        )
        self.assert_refused(
            self.post("ds.csv", b"\0\1\2\3" * 100),
            "This file is not a CSV text file: it holds binary data. In Excel, save the list "
            "as “CSV UTF-8”, or upload the .xlsx file.",
        )

    @override_settings(VNEMIS_UPLOAD_MAX_BYTES=CAP)
    def test_a_view_declaring_no_upload_kind_answers_400_to_an_oversize_file(self) -> None:
        """A page that takes no files cannot explain a refusal: Django's 400 answers, and the
        file is not kept."""
        self.client.logout()
        with _bytes_reaching_storage() as seen:
            response = self.client.post(
                reverse("accounts:login"),
                {"username": "x", "file": SimpleUploadedFile("x.bin", b"x" * (CAP + 1))},
            )
        self.assertEqual(response.status_code, 400)
        self.assertLessEqual(sum(seen), CAP)
        self.assertEqual(_files_under(self.spool), [])

    def test_the_page_states_the_cap(self) -> None:
        response = self.client.get(reverse("imports:import_list"))
        self.assertContains(response, "At most 64 KB.")
        self.assertContains(response, 'accept=".xlsx,.xlsm,.csv,.txt"')


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="vnemis-media-"))
class ErrorReportDownloadTests(PersonaTestCase):
    """The error report repeats personal IDs: its download is audited and never cached."""

    def setUp(self) -> None:
        folder = Path(tempfile.mkdtemp())
        path = folder / "hoc-sinh.csv"
        path.write_text(HEADER + GOOD + BAD, encoding="utf-8")
        source = services.import_file_store(path=path, name=path.name, by=None)
        job = services.import_job_create(
            source=source, kind="students", by=None, scope_unit=self.world.school_a
        )
        self.job = services.import_job_run(job=job, by=None, day=dt.date(2021, 10, 1))
        assert self.job.error_report
        self.url = reverse("imports:import_errors", args=[self.job.pk])

    def downloads(self) -> Any:
        return AuditEntry.objects.filter(verb="downloaded", target_type="imports.ImportJob")

    @override_settings(MIDDLEWARE=WITHOUT_NO_STORE)
    def test_download_is_audited_and_not_cached(self) -> None:
        """The download writes an entry naming the user and the job, and the response itself
        (not only a middleware) forbids storing it."""
        user = self.world.users["principal_a"]
        self.client.force_login(user)
        response: Any = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(b"".join(response.streaming_content).startswith(b"PK\x03\x04"))
        self.assertIn("no-store", response["Cache-Control"])
        entry = self.downloads().get()
        self.assertEqual(
            (entry.actor, entry.actor_name, entry.target_id, entry.note),
            (user, "principal_a", str(self.job.pk), "error report"),
        )

    @override_settings(MIDDLEWARE=WITHOUT_NO_STORE)
    def test_the_export_of_records_is_not_cached_either(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        response = self.client.get(reverse("imports:import_export", args=["students"]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])

    def test_another_schools_principal_gets_404_and_nothing_is_logged(self) -> None:
        principal_b = account_services.user_create(
            username="principal_b", password=PASSWORD, by=None, check_password=False
        )
        account_services.role_assign(
            user=principal_b, role=Role.PRINCIPAL, org_unit=self.world.school_b, by=None
        )
        self.client.force_login(principal_b)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertFalse(self.downloads().exists())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_oversize_import_in_a_real_browser_gets_the_form_back(
    live_server: Any, browser: Any
) -> None:
    """Through real HTTP, a file over the cap (read and thrown away) and a body over the
    ceiling (not read) both bring the user back to the form with the reason; nothing is kept."""
    build_world()
    folder = Path(tempfile.mkdtemp(prefix="vnemis-browser-upload-"))
    over = folder / "qua-lon.csv"
    over.write_bytes(_csv_of_size(CAP + 1))
    huge = folder / "rat-lon.csv"
    huge.write_bytes(_csv_of_size(3 * 2**20))
    with override_settings(
        MEDIA_ROOT=str(folder / "media"),
        VNEMIS_IMPORT_MAX_BYTES=CAP,
        VNEMIS_UPLOAD_BODY_MAX_BYTES=2 * 2**20,
    ):
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "principal_a")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        for upload in (over, huge):
            page.goto(f"{live_server.url}/imports/")
            page.select_option("#id_kind", "students")
            page.set_input_files("#id_file", str(upload))
            page.get_by_role("button", name="Tải lên và kiểm tra").click()
            page.wait_for_load_state()
            error = page.locator(".field-error").inner_text()
            assert upload.name in error and "64 KB" in error, error
        context.close()
    assert ImportFile.objects.count() == 0
    assert _files_under(folder / "media") == []
