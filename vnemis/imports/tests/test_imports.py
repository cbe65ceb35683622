"""The import pipeline on files with good and bad rows, odd encodings and broken files."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from vnemis.digital.models import DigitalProfile
from vnemis.imports import services
from vnemis.imports.models import ImportJob
from vnemis.people.models import Enrollment, Student
from vnemis.testing.personas import PersonaTestCase

MEDIA = tempfile.mkdtemp(prefix="vnemis-media-")
DAY = dt.date(2021, 10, 1)
HEADER = "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số định danh cá nhân,Mã trường,Khối,Lớp\n"
GOOD = [
    "Vàng Seo Páo,02/05/2013,Nam,H'Mông,010213000101,10082001,3,3A",
    "Lò Thị Mai,11/11/2013,Nữ,Giáy,,10082001,3,3C",
]
BAD = [
    "Sùng A Dính,31/02/2013,Nam,H'Mông,,10082001,3,3A",  # no such date
    "Ly,01/01/2013,Nam,,,10082001,3,3A",  # one-word name
    "Thào Mỷ,01/01/2013,Nữ,,010213000102,10082001,3,3A",  # ID says a boy
    "Giàng Sử,01/01/2013,Nam,,,10099999,3,3A",  # no such school
    "Vàng Seo Páo,02/05/2013,Nam,H'Mông,010213000101,10082001,3,3A",  # same as line 2
    '=HYPERLINK("x"),01/01/2013,Nam,,,10086001,3,3A',  # school outside Bát Xát
]


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Excel writes it: precomposed where the code page has the letter,
    else the base letter followed by a combining tone mark."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (base + "".join(c for c in parts if c in tones)).encode("cp1258")
    return out


def _file(content: bytes, suffix: str = ".csv") -> Path:
    path = Path(tempfile.mkdtemp()) / f"hoc-sinh{suffix}"
    path.write_bytes(content)
    return path


@override_settings(MEDIA_ROOT=MEDIA)
class StudentImportTests(PersonaTestCase):
    def run_job(
        self, path: Path, *, dry_run: bool = False, partial: bool = False, kind: str = "students"
    ) -> ImportJob:
        source = services.import_file_store(path=path, name=path.name, by=None)
        job = services.import_job_create(
            source=source,
            kind=kind,
            by=None,
            dry_run=dry_run,
            partial=partial,
            scope_unit=self.world.batxat,
        )
        return services.import_job_run(job=job, by=None, day=DAY)

    def mixed(self) -> Path:
        return _file(("\n".join([HEADER.strip(), *GOOD, *BAD]) + "\n").encode())

    def counts(self, job: ImportJob) -> tuple[int, int, int, int]:
        return job.created, job.updated, job.unchanged, job.rejected

    def test_dry_run_counts_and_writes_nothing(self) -> None:
        before = Student.objects.count()
        job = self.run_job(self.mixed(), dry_run=True)
        self.assertEqual(self.counts(job), (2, 0, 0, 6))
        self.assertFalse(job.written)
        self.assertEqual(Student.objects.count(), before)

    def test_all_or_nothing_then_partial_then_unchanged(self) -> None:
        before = Student.objects.count()
        job = self.run_job(self.mixed())
        self.assertEqual((job.rejected, job.written), (6, False))
        self.assertEqual(Student.objects.count(), before)
        report = load_workbook(io.BytesIO(job.error_report.read())).active
        rows = list(report.iter_rows(min_row=2, values_only=True))
        self.assertEqual([r[0] for r in rows], [4, 5, 6, 7, 8, 9])
        self.assertEqual(job.rejections, [[r[0], r[-1]] for r in rows])
        reasons = [r[-1] for r in rows]
        self.assertIn("dd/mm/yyyy", reasons[0])
        self.assertIn("Trùng với dòng 2", reasons[4])
        self.assertEqual(rows[5][1], '\'=HYPERLINK("x")')  # neutralised formula
        job = self.run_job(self.mixed(), partial=True)
        self.assertEqual(self.counts(job), (2, 0, 0, 6))
        self.assertTrue(job.written)
        self.assertEqual(Student.objects.count(), before + 2)
        pao = Student.objects.get(person__national_id="010213000101")
        enrollment = Enrollment.objects.active().get(student=pao)
        self.assertEqual(
            (enrollment.school, enrollment.grade, str(enrollment.school_class)),
            (self.world.school_a, 3, "3A"),
        )
        again = self.run_job(self.mixed(), partial=True)
        self.assertEqual(self.counts(again), (0, 0, 2, 6))
        self.assertEqual(Student.objects.count(), before + 2)

    def test_a_changed_row_updates(self) -> None:
        self.run_job(_file((HEADER + GOOD[0] + "\n").encode()))
        job = self.run_job(_file((HEADER + GOOD[0].replace(",3A", ",3B") + "\n").encode()))
        self.assertEqual(self.counts(job), (0, 1, 0, 0))
        pao = Student.objects.get(person__national_id="010213000101")
        self.assertEqual(str(Enrollment.objects.active().get(student=pao).school_class), "3B")

    def test_encodings(self) -> None:
        text = HEADER + GOOD[1] + "\n"
        for data in (
            text.encode("utf-8-sig"),
            text.encode("utf-16"),
            _cp1258(text),
            text.replace(",", ";").encode(),
        ):
            job = self.run_job(_file(data), dry_run=True)
            self.assertEqual((job.status, job.created), ("done", 1), data[:20])
        # TCVN3 (ABC): "Lß ThÞ Mai" and so on: refused with a message naming the fix.
        job = self.run_job(_file("Hä vµ tªn,Ngµy sinh\nLß ThÞ Mai,¸µ\n".encode("latin-1")))
        self.assertEqual(job.status, "failed")
        self.assertIn("UTF-8", job.message)

    def test_broken_files_give_clear_errors(self) -> None:
        cases = {
            b"": "rỗng",
            b"PK\x03\x04not really a zip": "hỏng",
            "Tên,Tuổi\nA,1\n".encode(): "Thiếu cột",
            HEADER.encode(): "không có dữ liệu",
        }
        for content, expected in cases.items():
            suffix = ".xlsx" if content.startswith(b"PK") else ".csv"
            job = self.run_job(_file(content, suffix))
            self.assertEqual(job.status, "failed", content)
            self.assertIn(expected, job.message)
        self.assertEqual(ImportJob.objects.filter(status="failed").count(), 4)

    def test_zip_bomb_is_refused_before_parsing(self) -> None:
        path = Path(tempfile.mkdtemp()) / "bomb.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 2**20))
        with override_settings(VNEMIS_IMPORT_MAX_BYTES=2 * 2**20):
            job = self.run_job(path)
        self.assertEqual(job.status, "failed")
        self.assertIn("MB", job.message)

    def test_xlsx_with_excel_dates_and_the_file_is_kept(self) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(HEADER.strip().split(","))
        sheet.append(["Lò Thị Mai", dt.date(2013, 11, 11), "Nữ", "Giáy", None, 10082001, 3, "3C"])
        path = Path(tempfile.mkdtemp()) / "hoc-sinh.xlsx"
        book.save(path)
        job = self.run_job(path)
        self.assertEqual(self.counts(job), (1, 0, 0, 0))
        self.assertEqual(len(job.source.sha256), 64)
        self.assertEqual(job.source.file.read(), path.read_bytes())

    def test_cli(self) -> None:
        out = io.StringIO()
        path = self.mixed()
        with self.assertRaises(CommandError):
            call_command("import", str(path), "--kind", "students", "--org", "PGD082", stdout=out)
        call_command(
            "import", str(path), "--kind", "students", "--org", "PGD082", "--dry-run", stdout=out
        )
        self.assertIn("create 2", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("import", "/nonexistent.csv", "--kind", "students")


@override_settings(MEDIA_ROOT=MEDIA)
class DigitalImportTests(PersonaTestCase):
    def test_facts_are_appended_and_reimport_changes_nothing(self) -> None:
        csv = (
            "Mã trường/điểm trường,Áp dụng từ ngày,Kết nối Internet,Website,"
            "Thanh toán không dùng tiền mặt,Sổ liên lạc điện tử\n"
            "10082001,05/09/2021,Có dây,10082001.edu.vn,Có,Không\n"
            "10082001-01,05/09/2021,3G/4G,,Không,Không\n"
            "10086001,05/09/2021,Vệ tinh,,Có,Có\n"
        )
        path = _file(csv.encode())

        def run() -> ImportJob:
            source = services.import_file_store(path=path, name=path.name, by=None)
            job = services.import_job_create(
                source=source, kind="digital_profiles", by=None, dry_run=False, partial=True
            )
            return services.import_job_run(job=job, by=None, day=DAY)

        job = run()
        self.assertEqual((job.created, job.rejected), (2, 1))
        school = DigitalProfile.objects.get(unit=self.world.school_a)
        self.assertEqual(
            (school.internet, school.website, school.cashless_payment),
            ("wired", "https://10082001.edu.vn", True),
        )
        again = run()
        self.assertEqual((again.created, again.unchanged), (0, 2))
        self.assertEqual(DigitalProfile.objects.count(), 2)


@override_settings(MEDIA_ROOT=MEDIA)
class ImportPageTests(PersonaTestCase):
    def test_upload_dry_run_then_commit_and_error_report(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.urls import reverse
        from django.utils.html import escape

        from vnemis.people.tests.test_access import _matrix

        url = reverse("imports:import_list")
        self.assert_matrix(url, _matrix({"department_admin", "principal_a"}))
        self.client.force_login(self.world.users["principal_a"])
        content = ("\n".join([HEADER.strip(), GOOD[1], BAD[0]]) + "\n").encode()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url,
                {
                    "kind": "students",
                    "unit": "10082001",
                    "dry_run": "on",
                    "file": SimpleUploadedFile("ds.csv", content),
                },
            )
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("imports:import_detail", args=[job.pk]))
        self.assertEqual((job.created, job.rejected, job.written), (1, 1, False))
        # The page lists the rejected row and its reason; the fingerprint is folded away.
        page = self.client.get(reverse("imports:import_detail", args=[job.pk]))
        self.assertEqual(len(job.rejections), 1)
        line, reason = job.rejections[0]
        self.assertEqual(line, 3)
        self.assertContains(page, f'<td class="num">{line}</td><td>{escape(reason)}</td>')
        self.assertContains(page, '<details class="technical">')
        errors = self.client.get(reverse("imports:import_errors", args=[job.pk]))
        self.assertEqual(errors.status_code, 200)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("imports:import_commit", args=[job.pk]), {"partial": "on"})
        committed = ImportJob.objects.exclude(pk=job.pk).get()
        self.assertEqual((committed.created, committed.written), (1, True))
        self.assertTrue(Student.objects.filter(person__given_name="Mai").exists())
        # Another school's principal would not see these jobs; a Bảo Thắng officer neither.
        self.assertEqual(
            self.get_as(
                "baothang_officer", reverse("imports:import_detail", args=[job.pk])
            ).status_code,
            404,
        )

    def test_templates_have_the_headers_and_instructions(self) -> None:
        from django.urls import reverse

        self.client.force_login(self.world.users["principal_a"])
        response = self.client.get(reverse("imports:import_template", args=["students"]))
        book = load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames, ["Dữ liệu", "Hướng dẫn"])
        headers = [c.value for c in book["Dữ liệu"][1]]
        self.assertEqual(headers[2:5], ["Họ và tên", "Ngày sinh", "Giới tính"])
