"""Exports of lists: the same rows as the list, in the user's scope, inline or as a job."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import types
from pathlib import Path
from typing import Any, cast
from unittest import mock

from django.core.management import call_command
from django.http import QueryDict
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from vnemis.accounts.models import RoleAssignment
from vnemis.core.http import BadParameter
from vnemis.core.models import AuditEntry
from vnemis.core.xlsx import xlsx_write
from vnemis.exports import definitions, services
from vnemis.exports.models import ExportJob
from vnemis.exports.tasks import export_job_run_task
from vnemis.exports.writers import csv_cell, csv_write
from vnemis.indicators import services as indicator_services
from vnemis.indicators.periods import parse_period
from vnemis.people import services as people_services
from vnemis.testing.personas import PersonaTestCase

MEDIA = tempfile.mkdtemp(prefix="vnemis-exports-media-")
JOBS = tempfile.mkdtemp(prefix="vnemis-exports-jobs-")
# The task takes the queue's context first; the tests hand it a stand-in with ``attempt``.
run_task = cast(Any, export_job_run_task).call


def _spec_rows(
    kind: str, user: Any, query: str = "", params: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """The cells of list ``kind`` for ``user``: with the filters of ``query`` as the list
    reads them, or with ``params`` as stored in a job."""
    chosen = (
        params if params is not None else definitions.DEFINITIONS[kind].params(QueryDict(query))
    )
    return list(definitions.export_spec(kind, user=user, params=chosen).lines())


class DefinitionTests(PersonaTestCase):
    """Each definition gives the rows its list shows, in the list's order, scoped."""

    def list_codes(self, persona: str, url: str) -> list[str]:
        page = self.get_as(persona, url).context["page"]
        return [getattr(row, "code", None) or row.student.code for row in page]

    def test_student_rows_are_the_rows_of_the_list(self) -> None:
        """For an officer of each district, a teacher and a province officer, the export's
        student codes are the list's, in its order, with and without a filter."""
        url = reverse("people:student_list")
        for persona, query in [
            ("province_officer", ""),
            ("batxat_officer", ""),
            ("baothang_officer", ""),
            ("teacher_a", ""),
            ("province_officer", "q=giang+pao"),
            ("province_officer", "school=10086001"),
        ]:
            user = self.world.users[persona]
            codes = [row[0] for row in _spec_rows("students", user, query)]
            self.assertEqual(codes, self.list_codes(persona, f"{url}?{query}"), persona + query)

    def test_a_district_officer_never_gets_the_other_districts_students(self) -> None:
        """batxat_officer: school A's two pupils, never Bảo Thắng's; a teacher: her class."""
        batxat = _spec_rows("students", self.world.users["batxat_officer"])
        self.assertEqual(
            sorted(r[0] for r in batxat),
            sorted([self.world.student_a1.code, self.world.student_a2.code]),
        )
        self.assertEqual({r[7] for r in batxat}, {"10082001"})
        teacher = _spec_rows("students", self.world.users["teacher_a"])
        self.assertEqual([r[0] for r in teacher], [self.world.student_a1.code])

    def test_student_cells_carry_labels_and_dates(self) -> None:
        """Sex and ethnicity are labels, the birth date a date, the class its name."""
        with translation.override("en"):
            (row,) = _spec_rows("students", self.world.users["teacher_a"])
        self.assertEqual(
            row,
            (
                self.world.student_a1.code,
                "Giàng",
                "A",
                "Páo",
                dt.date(2013, 5, 2),
                "Male",
                self.world.student_a1.person.get_ethnicity_display(),
                "10082001",
                "Trường Tiểu học Bát Xát",
                3,
                "3A",
            ),
        )

    def test_staff_rows_are_the_rows_of_the_list(self) -> None:
        url = reverse("people:staff_list")
        for persona in ("province_officer", "batxat_officer", "baothang_officer", "teacher_a"):
            user = self.world.users[persona]
            codes = [row[0] for row in _spec_rows("staff", user)]
            self.assertEqual(codes, self.list_codes(persona, url), persona)
        batxat = _spec_rows("staff", self.world.users["batxat_officer"])
        self.assertEqual({r[8] for r in batxat}, {"10082001"})
        teacher = _spec_rows("staff", self.world.users["teacher_a"])
        self.assertEqual([r[1] for r in teacher], ["Lò Thị Mai"])  # only her own record

    def test_school_rows_are_the_rows_of_the_list(self) -> None:
        url = reverse("organisations:school_list")
        for persona, query in [
            ("province_officer", ""),
            ("batxat_officer", ""),
            ("baothang_officer", ""),
            ("province_officer", "q=pho+lu"),
            ("province_officer", "level=thcs"),
        ]:
            user = self.world.users[persona]
            codes = [row[0] for row in _spec_rows("schools", user, query)]
            self.assertEqual(codes, self.list_codes(persona, f"{url}?{query}"), persona + query)
        (row,) = _spec_rows("schools", self.world.users["batxat_officer"])
        self.assertEqual(row[:3], ("10082001", "Trường Tiểu học Bát Xát", "th"))

    def test_records_behind_a_figure_are_the_drill_through_list(self) -> None:
        """The records of a figure are the drill-through page's; a unit outside the user's
        scope gives no rows (the job of someone who lost it)."""
        params = {"org": "SGD10", "indicator": "schools_in_database", "period": "2022H1"}
        url = reverse("indicators:records") + "?" + "&".join(f"{k}={v}" for k, v in params.items())
        user = self.world.users["province_officer"]
        rows = _spec_rows("records", user, params={**params, "complement": False})
        self.assertEqual([r[0] for r in rows], self.list_codes("province_officer", url))
        self.assertEqual([r[0] for r in rows], ["10082001", "10086001"])
        outside = {**params, "org": "PGD086", "complement": False}
        self.assertEqual(
            _spec_rows("records", self.world.users["batxat_officer"], params=outside), []
        )

    def test_an_unknown_figure_is_an_export_error(self) -> None:
        message = gettext("This figure no longer exists.")
        with self.assertRaisesMessage(definitions.ExportError, message):
            definitions.export_spec(
                "records",
                user=self.world.users["province_officer"],
                params={"org": "SGD10", "indicator": "nope", "period": "2022H1"},
            )

    def test_params_keep_only_the_filters_the_list_applies(self) -> None:
        """The stored filters are those the list applies, as written (paging and format are
        not filters); the school year is fixed when asked."""
        params = definitions.DEFINITIONS["students"].params(
            QueryDict("q=giang&level=th&grade=3&page=4&export=csv")
        )
        self.assertEqual(
            params, {"q": "giang", "level": "th", "grade": "3", "year": self.world.year.pk}
        )

    def test_params_refuse_what_the_list_refuses(self) -> None:
        """A value the list answers 400 to (a level that does not exist) is refused with the
        same message, rather than dropped: the file then held every level's students."""
        with self.assertRaisesMessage(BadParameter, "“level”"):
            definitions.DEFINITIONS["students"].params(QueryDict("q=giang&level=nope"))


@override_settings(MEDIA_ROOT=MEDIA, VNEMIS_JOBS_DIR=JOBS)
class ExportJobTests(PersonaTestCase):
    def export(self, persona: str, url: str) -> Any:
        self.client.logout()
        self.client.force_login(self.world.users[persona])
        with self.captureOnCommitCallbacks(execute=True):
            # A list's ?export= leads to the exports app's file of the list.
            return self.client.get(url, follow=True)

    def job_for(
        self, persona: str, *, kind: str = "students", fmt: str = "xlsx", **params: Any
    ) -> ExportJob:
        with self.captureOnCommitCallbacks(execute=True):
            job = services.export_job_create(
                kind=kind, params=params, fmt=fmt, by=self.world.users[persona]
            )
        job.refresh_from_db()
        return job

    def test_below_the_limit_the_file_is_the_answer(self) -> None:
        """Up to VNEMIS_EXPORT_INLINE_ROWS rows the list answers with the file itself, no job."""
        response = self.export("batxat_officer", reverse("people:student_list") + "?export=xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="hoc-sinh.xlsx"')
        self.assertEqual(response["Cache-Control"], "no-store, private")
        sheet = load_workbook(io.BytesIO(response.content)).active
        codes = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(
            sorted(codes), sorted([self.world.student_a1.code, self.world.student_a2.code])
        )
        self.assertFalse(ExportJob.objects.exists())
        entry = AuditEntry.objects.filter(verb="exported").latest("id")
        self.assertEqual(
            entry.after,
            {
                "kind": "students",
                "params": {"year": self.world.year.pk},
                "format": "xlsx",
                "rows": 2,
            },
        )

    @override_settings(VNEMIS_EXPORT_INLINE_ROWS=1)
    def test_above_the_limit_a_job_writes_the_file(self) -> None:
        """Past the limit the list answers with the job's page; the job runs after commit and
        its XLSX holds the rows with Vietnamese text and dd/mm/yyyy date cells."""
        response = self.export("batxat_officer", reverse("people:student_list") + "?export=xlsx")
        job = ExportJob.objects.get()
        self.assertRedirects(response, reverse("exports:export_detail", args=[job.pk]))
        self.assertEqual(
            (job.status, job.total, job.processed, job.kind, job.format),
            ("done", 2, 2, "students", "xlsx"),
        )
        self.assertEqual(job.params, {"year": self.world.year.pk})
        self.assertEqual(job.created_by, self.world.users["batxat_officer"])
        download = self.client.get(reverse("exports:export_download", args=[job.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download["Cache-Control"], "no-store, private")
        self.assertIn(f'filename="hoc-sinh-{job.pk}.xlsx"', download["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(download.getvalue())).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("Mã học sinh", "Họ", "Tên đệm", "Tên"))
        self.assertEqual(
            sorted(r[3] for r in rows[1:]), sorted(["Páo", "Chứ"])
        )  # Vietnamese letters intact
        birth = sheet.cell(row=2, column=5)
        self.assertEqual(
            (birth.value.date(), birth.number_format), (dt.date(2013, 5, 2), "dd/mm/yyyy")
        )
        self.assertEqual(
            AuditEntry.objects.filter(verb="downloaded", target_id=str(job.pk)).count(), 1
        )
        self.assertEqual(
            AuditEntry.objects.get(verb="exported", target_id=str(job.pk)).after,
            {"kind": "students", "params": {"year": self.world.year.pk}, "format": "xlsx"},
        )

    @override_settings(VNEMIS_EXPORT_INLINE_ROWS=1)
    def test_a_repeated_link_queues_no_more_work(self) -> None:
        """Exports start from a link: followed again while the job waits, it gives the same
        job; past three unfinished jobs the user is asked to wait, and nothing is queued."""
        from vnemis.exports import services

        user = self.world.users["batxat_officer"]
        first = services.export_job_create(kind="students", params={}, fmt="xlsx", by=user)
        again = services.export_job_create(kind="students", params={}, fmt="xlsx", by=user)
        self.assertEqual(again.pk, first.pk)
        services.export_job_create(kind="students", params={}, fmt="csv", by=user)
        services.export_job_create(kind="staff", params={}, fmt="csv", by=user)
        self.client.force_login(user)
        response = self.client.get(reverse("people:staff_list") + "?export=xlsx", follow=True)
        self.assertRedirects(response, reverse("exports:export_list"))
        self.assertEqual(ExportJob.objects.filter(created_by=user).count(), 3)

    @override_settings(VNEMIS_EXPORT_INLINE_ROWS=1)
    def test_a_csv_job_reads_back_in_excel_form(self) -> None:
        """CSV: UTF-8 with a byte-order mark, commas, Vietnamese letters, dates dd/mm/yyyy."""
        response = self.export(
            "province_officer", reverse("people:staff_list") + "?export=csv&unit=10082001"
        )
        job = ExportJob.objects.get()
        self.assertRedirects(response, reverse("exports:export_detail", args=[job.pk]))
        self.assertEqual(
            (job.status, job.format, job.params), ("done", "csv", {"unit": "10082001"})
        )
        raw = self.client.get(reverse("exports:export_download", args=[job.pk])).getvalue()
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        self.assertEqual(rows[0][:3], ["Mã cán bộ", "Họ và tên", "Ngày sinh"])
        self.assertEqual(
            sorted((r[1], r[2]) for r in rows[1:]),
            [("Lò Thị Hoa", "01/03/1985"), ("Lò Thị Mai", "01/03/1985")],
        )

    def test_inline_csv_of_schools(self) -> None:
        response = self.export(
            "baothang_officer", reverse("organisations:school_list") + "?export=csv"
        )
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[1][:3], ["10086001", "Trường Tiểu học Phố Lu", "th"])
        self.assertEqual(len(rows), 2)

    def test_formula_cells_are_neutralised(self) -> None:
        """A job title that a spreadsheet would run as a formula is written as text with a
        leading apostrophe, in XLSX and in CSV."""
        people_services.staff_update(
            staff=self.world.teacher_a, by=None, job_title='=HYPERLINK("http://x","y")'
        )
        xlsx = self.job_for("principal_a", kind="staff", fmt="xlsx", q="mai")
        sheet = load_workbook(xlsx.file.path).active
        self.assertEqual(sheet.cell(row=2, column=6).value, '\'=HYPERLINK("http://x","y")')
        self.assertEqual(sheet.cell(row=2, column=6).data_type, "s")
        as_csv = self.job_for("principal_a", kind="staff", fmt="csv", q="mai")
        rows = list(csv.reader(io.StringIO(Path(as_csv.file.path).read_text("utf-8-sig"))))
        self.assertEqual(rows[1][5], '\'=HYPERLINK("http://x","y")')

    def test_only_the_creator_sees_and_downloads_a_job(self) -> None:
        """Another user, even an officer above, gets 404 on the page and the file."""
        job = self.job_for("principal_a")
        for name in ("exports:export_detail", "exports:export_download"):
            url = reverse(name, args=[job.pk])
            self.assert_matrix(
                url,
                {
                    "principal_a": 200,
                    "department_admin": 404,
                    "batxat_officer": 404,
                    "teacher_a": 404,
                    "nobody": 404,
                },
            )
        listing = self.get_as("department_admin", reverse("exports:export_list"))
        self.assertEqual(list(listing.context["page"]), [])
        mine = self.get_as("principal_a", reverse("exports:export_list"))
        self.assertEqual(list(mine.context["page"]), [job])
        self.assertContains(mine, reverse("exports:export_download", args=[job.pk]))

    def test_the_worker_reads_the_scope_as_of_the_run(self) -> None:
        """An officer whose district was taken away before the job ran gets no rows."""
        officer = self.world.users["batxat_officer"]
        with self.captureOnCommitCallbacks(execute=False):
            job = services.export_job_create(
                kind="students", params={"year": self.world.year.pk}, fmt="csv", by=officer
            )
        # No service ends a role; its end date is what user_scope reads.
        RoleAssignment.objects.filter(user=officer).update(
            valid_to=timezone.localdate() - dt.timedelta(days=1)
        )
        job = services.export_job_run(job=job)
        self.assertEqual((job.status, job.total), ("done", 0))
        rows = list(csv.reader(io.StringIO(Path(job.file.path).read_text("utf-8-sig"))))
        self.assertEqual(len(rows), 1)  # the header only

    def test_progress_is_written_to_a_file_and_shown(self) -> None:
        """The worker reports its count every N rows in export-<id>.json; the page shows the
        file's count while the job runs and removes nothing of it until the end."""
        with self.captureOnCommitCallbacks(execute=False):
            job = services.export_job_create(
                kind="students",
                params={"year": self.world.year.pk},
                fmt="xlsx",
                by=self.world.users["province_officer"],
            )
        progress = services.ExportProgress(job.pk)
        self.assertEqual(progress.path, Path(JOBS) / f"export-{job.pk}.json")
        progress.write(processed=1, total=4)
        self.client.force_login(self.world.users["province_officer"])
        url = reverse("exports:export_detail", args=[job.pk])
        page = self.client.get(url)
        self.assertContains(page, 'data-bar="25"')
        self.assertContains(page, 'hx-trigger="every 2s"')
        seen: list[dict[str, int]] = []
        original = services.ExportProgress.write

        def spy(self: services.ExportProgress, **data: int) -> None:
            seen.append(json.loads(json.dumps(data)))
            original(self, **data)

        with mock.patch.object(services.ExportProgress, "write", spy):
            job = services.export_job_run(job=job, progress_every=2)
        self.assertEqual(
            seen,
            [
                {"processed": 0, "total": 3},
                {"processed": 2, "total": 3},
                {"processed": 3, "total": 3},
            ],
        )
        self.assertFalse(progress.path.exists())  # finished: the row holds the counts
        polled = self.client.get(url, headers={"HX-Request": "true"})
        self.assertEqual((polled.status_code, polled["HX-Refresh"]), (204, "true"))
        self.assertContains(self.client.get(url), reverse("exports:export_download", args=[job.pk]))

    def test_a_failed_job_says_why(self) -> None:
        """A figure removed since the export was asked for: the job fails with the reason,
        shown on its page, and has no file to download."""
        with translation.override("en"):  # the job keeps the language it was asked in
            job = self.job_for(
                "province_officer", kind="records", org="SGD10", indicator="gone", period="2022H1"
            )
        self.assertEqual((job.status, job.file.name, job.language), ("failed", "", "en"))
        self.client.force_login(self.world.users["province_officer"])
        page = self.client.get(reverse("exports:export_detail", args=[job.pk]))
        self.assertEqual(job.message, "This figure no longer exists.")
        self.assertContains(page, "This figure no longer exists.")
        download = self.client.get(reverse("exports:export_download", args=[job.pk]))
        self.assertEqual(download.status_code, 404)

    def test_a_disabled_account_gets_no_file(self) -> None:
        officer = self.world.users["province_officer"]
        with self.captureOnCommitCallbacks(execute=False), translation.override("en"):
            job = services.export_job_create(kind="schools", params={}, fmt="csv", by=officer)
        type(officer).objects.filter(pk=officer.pk).update(is_active=False)
        job = services.export_job_run(job=job)
        self.assertEqual(
            (job.status, job.message, job.file.name),
            (
                "failed",
                "The account that asked for this export no longer exists or is disabled.",
                "",
            ),
        )

    def test_an_unexpected_error_fails_the_job_with_a_message(self) -> None:
        with mock.patch.object(services, "rows_write", side_effect=OSError("disk full")):
            job = self.job_for("principal_a", kind="schools")
        self.assertEqual(job.status, "failed")
        self.assertIn("(OSError)", job.message)
        self.assertIn(str(job.pk), job.message)
        self.assertEqual(list(Path(JOBS).glob(f"export-{job.pk}.*")), [])

    def test_a_job_whose_worker_died_runs_again_from_the_start(self) -> None:
        """A job left running is written again from zero; on the queue's last attempt after
        runs that stopped their worker, it fails with a message instead."""
        with self.captureOnCommitCallbacks(execute=False):
            job = services.export_job_create(
                kind="schools", params={}, fmt="xlsx", by=self.world.users["province_officer"]
            )
        ExportJob.objects.filter(pk=job.pk).update(status="running", processed=1)
        run_task(types.SimpleNamespace(attempt=2), job_id=job.pk)
        job.refresh_from_db()
        self.assertEqual((job.status, job.total, job.processed), ("done", 2, 2))
        other = ExportJob.objects.create(
            kind="schools",
            format="xlsx",
            status="running",
            created_by=self.world.users["province_officer"],
        )
        run_task(types.SimpleNamespace(attempt=3), job_id=other.pk)
        other.refresh_from_db()
        self.assertEqual(other.status, "failed")
        self.assertIn(" 2 ", other.message)  # the runs that stopped the worker

    def test_old_files_are_purged(self) -> None:
        """Files of exports finished more than 7 days ago are removed, by every finished
        job and by the command; the job stays listed and says so."""
        job = self.job_for("principal_a", kind="schools")
        path = Path(job.file.path)
        self.assertTrue(path.exists())
        self.assertEqual(services.export_files_purge(), 0)
        ExportJob.objects.filter(pk=job.pk).update(
            finished_at=timezone.now() - dt.timedelta(days=8)
        )
        call_command("exports_purge", stdout=io.StringIO())
        job.refresh_from_db()
        self.assertEqual((job.status, job.file.name, path.exists()), ("done", "", False))
        self.client.force_login(self.world.users["principal_a"])
        self.assertEqual(
            self.client.get(reverse("exports:export_download", args=[job.pk])).status_code, 404
        )
        self.assertEqual(
            AuditEntry.objects.filter(verb="deleted", target_id=str(job.pk)).count(), 1
        )

    def test_records_export_from_the_drill_through_page(self) -> None:
        """The drill-through's Excel link exports the figure's records, the sheet named by the
        period as officials write it."""
        indicator_services.element_values_refresh(period=parse_period("2022H1"))
        response = self.export(
            "province_officer",
            reverse("indicators:records")
            + "?org=SGD10&period=2022H1&indicator=schools_in_database&export=xlsx",
        )
        book = load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames, ["6 tháng đầu năm 2022"])
        self.assertEqual(
            [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)],
            ["10082001", "10086001"],
        )

    def test_an_unknown_format_is_refused(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        response = self.client.get(reverse("people:student_list") + "?export=pdf")
        # Not an export: the list itself answers.
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "people/student_list.html")


class WriterTests(SimpleTestCase):
    """The writers alone, without a database."""

    def test_xlsx_write_streams_to_a_file_with_date_cells_and_a_valid_title(self) -> None:
        """Dates are date cells shown dd/mm/yyyy, date-times local with the hour, formulas
        neutralised; a period label with a slash still names the sheet."""
        stamp = dt.datetime(2022, 3, 4, 1, 30, tzinfo=dt.UTC)  # 08:30 in Hà Nội
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            count = xlsx_write(
                handle.name,
                sheet="Quý III/2022",
                headers=["Ngày", "Lúc", "Ghi chú"],
                rows=[(dt.date(2022, 9, 30), stamp, "@SUM(A1)"), (None, None, "Sử")],
            )
            book = load_workbook(handle.name)
        self.assertEqual((count, book.sheetnames), (2, ["Quý III-2022"]))
        sheet = book.active
        self.assertEqual(sheet.cell(row=2, column=1).number_format, "dd/mm/yyyy")
        self.assertEqual(sheet.cell(row=2, column=2).number_format, "dd/mm/yyyy hh:mm")
        first, second = sheet.iter_rows(min_row=2, values_only=True)
        # Excel keeps no time zone: the cells hold the local date and time.
        self.assertEqual(
            (first[0].isoformat(), first[1].isoformat(), first[2]),
            ("2022-09-30T00:00:00", "2022-03-04T08:30:00", "'@SUM(A1)"),
        )
        self.assertEqual(second, (None, None, "Sử"))

    def test_csv_cells(self) -> None:
        self.assertEqual(
            [
                csv_cell(v)
                for v in (None, dt.date(2022, 1, 2), "-1+1", "+84 912", "Giàng", 3, "a=b")
            ],
            ["", "02/01/2022", "'-1+1", "'+84 912", "Giàng", 3, "a=b"],
        )

    def test_csv_write_quotes_only_what_needs_it(self) -> None:
        buffer = io.BytesIO()
        csv_write(buffer, headers=["Tên", "Địa chỉ"], rows=[("Páo", 'Thôn "Nậm Chạc", Bát Xát')])
        self.assertEqual(
            buffer.getvalue().decode("utf-8"),
            '\ufeffTên,Địa chỉ\r\nPáo,"Thôn ""Nậm Chạc"", Bát Xát"\r\n',
        )
