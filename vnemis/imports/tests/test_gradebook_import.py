"""Importing a class gradebook sheet and a school's teaching assignments through the import
pipeline: a dry run shows every change and writes nothing; the commit writes through
``marks_save`` (the grid's validation, locks and change rows) or ``assignment_set``; who may
import is decided by the access rules, never by the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from vnemis.accounts.models import User
from vnemis.imports import services
from vnemis.imports.formats import FORMATS
from vnemis.imports.formats.gradebook import ROWS_MAX, gradebook_file_check
from vnemis.imports.models import ImportJob
from vnemis.imports.readers import ReadError
from vnemis.learning.models import Mark, ResultChange, TeachingAssignment
from vnemis.learning.services.locks import term_lock
from vnemis.learning.services.marks import CellInput, mark_values, marks_save
from vnemis.learning.sheets import gradebook_workbook
from vnemis.learning.tests.fixtures import Learning, build_learning
from vnemis.testing.world import World, build_world

TMP = tempfile.mkdtemp(prefix="vnemis-gradebook-import-")
DAY = dt.date(2021, 10, 1)
NOT_YOURS = (
    "You cannot import this gradebook: only the teacher assigned to its class and subject "
    "imports it, into the school of the class."
)
TAMPERED = (
    "The header of this gradebook sheet was changed (a column added, deleted, moved or "
    "renamed, or the information cell edited). Download the sheet again from the gradebook "
    "and copy the values into it, without changing its first row."
)
# Columns of Toán in 6A: A number, B code, C name, D–G regular 1–4, H mid-term, I end of
# term, J comment.
SCORE_COLUMNS = {"r1": "D", "r2": "E", "r3": "F", "r4": "G", "midterm": "H", "final": "I"}


@override_settings(MEDIA_ROOT=TMP, VNEMIS_JOBS_DIR=Path(TMP) / "jobs", LANGUAGE_CODE="en")
class ImportCase(TestCase):
    world: ClassVar[World]
    lw: ClassVar[Learning]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()
        cls.lw = build_learning(cls.world)

    def setUp(self) -> None:
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def user(self, name: str) -> User:
        return self.lw.users[name]

    def run_file(
        self,
        path: Path,
        *,
        kind: str,
        by: str,
        dry_run: bool,
        partial: bool = False,
    ) -> ImportJob:
        user = self.user(by) if by in self.lw.users else self.world.users[by]
        source = services.import_file_store(path=path, name=path.name, by=user)
        job = services.import_job_create(
            source=source,
            kind=kind,
            by=user,
            dry_run=dry_run,
            partial=partial,
            scope_unit=self.lw.school_c,
        )
        return services.import_job_run(job=job, by=user, day=DAY)

    def report(self, job: ImportJob) -> dict[int, str]:
        """The error report: reason by line."""
        sheet = load_workbook(io.BytesIO(job.error_report.read())).active
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        return {int(r[0]): str(r[-1]) for r in rows}


class GradebookImportTests(ImportCase):
    def sheet(
        self, edit: dict[str, Any] | None = None, *, klass: str = "6A", term: int = 1
    ) -> Path:
        """The exported sheet of Toán (6A or 7A) with ``edit`` (cell → value) applied, saved
        as an .xlsx file."""
        school_class, subject = (
            (self.lw.class_6a, self.lw.toan_6)
            if klass == "6A"
            else (self.lw.class_7a, self.lw.toan_7)
        )
        data = gradebook_workbook(school_class=school_class, subject=subject, term=term)
        book = load_workbook(io.BytesIO(data))
        sheet = book.worksheets[0]
        for ref, value in (edit or {}).items():
            sheet[ref].value = value
            if isinstance(value, str) and value.startswith("="):
                sheet[ref].data_type = "s"  # typed as text, as a CSV or a pasted value holds it
        path = Path(tempfile.mkdtemp(dir=TMP)) / "so-diem.xlsx"
        book.save(path)
        return path

    # Row 2 is Sùng Thị Mỷ (s6a), row 3 Sùng Thị Pằng (s6b): the grid's order.
    FILLED: ClassVar[dict[str, Any]] = {
        "D2": 8,
        "E2": "7,5",
        "F2": 9,
        "G2": 6,
        "H2": 7,
        "I2": 8.5,
        "J2": "Chăm chỉ",
        "D3": 10,
        "H3": "6.5",
    }

    def marks(self) -> dict[int, dict[str, Any]]:
        return {
            m.student_id: mark_values(m)
            for m in Mark.objects.filter(subject=self.lw.toan_6, term=1)
        }

    def test_round_trip_gives_the_grids_marks(self) -> None:
        """Export, fill, dry run (every change listed, nothing written), commit: the marks,
        averages and change rows are those of typing the same cells in the grid, except that
        the change rows say via="import"."""
        # What the grid would store for the same cells, undone afterwards.
        with transaction.atomic():
            marks_save(
                school_class=self.lw.class_6a,
                subject=self.lw.toan_6,
                term=1,
                cells=[
                    CellInput(self.lw.s6a.pk, c, v)
                    for c, v in [
                        ("r1", "8"),
                        ("r2", "7,5"),
                        ("r3", "9"),
                        ("r4", "6"),
                        ("midterm", "7"),
                        ("final", "8.5"),
                        ("comment", "Chăm chỉ"),
                    ]
                ]
                + [
                    CellInput(self.lw.s6b.pk, "r1", "10"),
                    CellInput(self.lw.s6b.pk, "midterm", "6.5"),
                ],
                by=self.user("teacher_d"),
            )
            grid = self.marks()
            transaction.set_rollback(True)
        self.assertEqual(self.marks(), {})
        path = self.sheet(self.FILLED)
        dry = self.run_file(path, kind="gradebook", by="teacher_d", dry_run=True)
        self.assertEqual(
            (dry.status, dry.written, dry.message), ("done", False, "Dry run: nothing was written.")
        )
        self.assertEqual((dry.created, dry.updated, dry.unchanged, dry.rejected), (2, 0, 0, 0))
        code_a, code_b = self.lw.s6a.code, self.lw.s6b.code
        self.assertEqual(
            dry.warnings,
            [
                f"{code_a} Sùng Thị Mỷ — Reg. 1: (empty) → 8,0",
                f"{code_a} Sùng Thị Mỷ — Reg. 2: (empty) → 7,5",
                f"{code_a} Sùng Thị Mỷ — Reg. 3: (empty) → 9,0",
                f"{code_a} Sùng Thị Mỷ — Reg. 4: (empty) → 6,0",
                f"{code_a} Sùng Thị Mỷ — Mid-term: (empty) → 7,0",
                f"{code_a} Sùng Thị Mỷ — End of term: (empty) → 8,5",
                f"{code_a} Sùng Thị Mỷ — Comment: (empty) → Chăm chỉ",
                f"{code_b} Sùng Thị Pằng — Reg. 1: (empty) → 10,0",
                f"{code_b} Sùng Thị Pằng — Mid-term: (empty) → 6,5",
            ],
        )
        self.assertEqual(self.marks(), {})
        done = self.run_file(path, kind="gradebook", by="teacher_d", dry_run=False)
        self.assertEqual((done.status, done.written, done.message), ("done", True, "Written."))
        self.assertEqual(self.marks(), grid)
        self.assertEqual(grid[self.lw.s6a.pk]["average"], "7.8")
        changes = ResultChange.objects.filter(mark__subject=self.lw.toan_6)
        self.assertEqual(
            sorted(changes.values_list("mark__student_id", "via", "by_id")),
            sorted(
                [
                    (self.lw.s6a.pk, "import", self.user("teacher_d").pk),
                    (self.lw.s6b.pk, "import", self.user("teacher_d").pk),
                ]
            ),
        )
        # The sheet exported again and imported unchanged changes nothing.
        again = self.run_file(self.sheet(), kind="gradebook", by="teacher_d", dry_run=False)
        self.assertEqual(
            (again.created, again.updated, again.unchanged, again.warnings), (0, 0, 2, [])
        )
        self.assertEqual(changes.count(), 2)

    def test_an_edit_lists_before_and_after_and_an_empty_cell_clears(self) -> None:
        """After the marks are in, changing one score and emptying another lists both as
        before → after; the commit stores the new average."""
        self.run_file(self.sheet(self.FILLED), kind="gradebook", by="teacher_d", dry_run=False)
        dry = self.run_file(
            self.sheet({"D2": 9, "G2": None}), kind="gradebook", by="teacher_d", dry_run=True
        )
        code = self.lw.s6a.code
        self.assertEqual(
            dry.warnings,
            [
                f"{code} Sùng Thị Mỷ — Reg. 1: 8,0 → 9,0",
                f"{code} Sùng Thị Mỷ — Reg. 4: 6,0 → (empty)",
            ],
        )
        self.assertEqual((dry.updated, dry.unchanged), (1, 1))
        self.run_file(
            self.sheet({"D2": 9, "G2": None}), kind="gradebook", by="teacher_d", dry_run=False
        )
        mark = Mark.objects.get(student=self.lw.s6a, subject=self.lw.toan_6, term=1)
        self.assertEqual((mark.r1, mark.r4, mark.average), (Decimal("9.0"), None, None))

    def test_commit_after_upload_runs_through_the_queue(self) -> None:
        """import_upload (dry run) then import_job_commit, run by the task queue on commit:
        the second job writes."""
        path = self.sheet(self.FILLED)
        with self.captureOnCommitCallbacks(execute=True):
            job = services.import_upload(
                path=path,
                name="so-diem.xlsx",
                kind="gradebook",
                into=self.lw.school_c,
                by=self.user("teacher_d"),
            )
        job.refresh_from_db()
        self.assertEqual((job.status, job.written, job.created), ("done", False, 2))
        with self.captureOnCommitCallbacks(execute=True):
            again = services.import_job_commit(job=job, by=self.user("teacher_d"))
        again.refresh_from_db()
        self.assertEqual((again.status, again.written), ("done", True))
        self.assertEqual(len(self.marks()), 2)
        self.assertEqual(again.source_id, job.source_id)  # the uploaded file is kept and reused

    def test_a_teacher_who_does_not_teach_it_is_refused(self) -> None:
        """teacher_c teaches Ngữ văn in 6A, not Toán; principal_c reads every gradebook but
        enters none: both are refused, nothing is saved."""
        path = self.sheet(self.FILLED)
        for who in ("teacher_c", "principal_c"):
            job = self.run_file(path, kind="gradebook", by=who, dry_run=False)
            self.assertEqual((job.status, job.message, job.written), ("failed", NOT_YOURS, False))
        self.assertEqual(self.marks(), {})

    def test_a_teacher_of_another_school_is_refused(self) -> None:
        """A teacher of school A importing into school A a sheet of school C's class is
        refused, however valid the file."""
        user = self.world.users["teacher_a"]
        source = services.import_file_store(path=self.sheet(self.FILLED), name="x.xlsx", by=user)
        job = services.import_job_create(
            source=source, kind="gradebook", by=user, dry_run=False, scope_unit=self.world.school_a
        )
        job = services.import_job_run(job=job, by=user, day=DAY)
        self.assertEqual((job.status, job.message), ("failed", NOT_YOURS))
        self.assertEqual(self.marks(), {})

    def test_the_upload_page_refuses_the_principal(self) -> None:
        """Through the import page, principal_c's upload of the sheet is refused by the job."""
        self.client.force_login(self.user("principal_c"))
        data = self.sheet(self.FILLED).read_bytes()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("imports:import_list"),
                {
                    "kind": "gradebook",
                    "unit": self.lw.school_c.code,
                    "file": SimpleUploadedFile("so-diem.xlsx", data),
                },
            )
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("imports:import_detail", args=[job.pk]))
        self.assertEqual((job.status, job.message), ("failed", NOT_YOURS))
        self.assertEqual(self.marks(), {})

    def test_a_sheet_of_another_class_is_refused(self) -> None:
        """On 6A's page the sheet of 7A is refused before anything is queued; a 7A sheet
        carrying 6A's students refuses each of their rows."""
        with self.assertRaises(ReadError) as caught:
            gradebook_file_check(
                path=self.sheet(klass="7A"),
                name="so-diem.xlsx",
                school_class=self.lw.class_6a,
                subject=self.lw.toan_6,
                term=1,
            )
        self.assertEqual(
            str(caught.exception),
            "This sheet is the gradebook of another class, subject or term. Upload the sheet "
            "downloaded from the gradebook of 6A, Toán, Term I.",
        )
        gradebook_file_check(
            path=self.sheet(),
            name="x.xlsx",
            school_class=self.lw.class_6a,
            subject=self.lw.toan_6,
            term=1,
        )
        path = self.sheet({"B2": self.lw.s6a.code, "C2": "Sùng Thị Mỷ", "D2": 8}, klass="7A")
        job = self.run_file(path, kind="gradebook", by="teacher_d", dry_run=False)
        self.assertEqual(
            self.report(job),
            {2: f"No student with the code {self.lw.s6a.code} is enrolled in class 7A."},
        )
        self.assertFalse(Mark.objects.exists())

    def test_invalid_cells_are_reported_and_nothing_is_saved(self) -> None:
        """11, "tám" and 7,25 in one row, a repeated student and a name that is not the
        code's are each reported by row (and column); nothing is saved, even when asked to
        write the valid rows only."""
        path = self.sheet(
            {
                **self.FILLED,
                "D3": 11,
                "E3": "tám",
                "F3": 7.25,
                # Row 4: s6a again; row 5: s6b's code under s6a's name.
                "A4": 3,
                "B4": self.lw.s6a.code,
                "C4": "Sùng Thị Mỷ",
                "A5": 4,
                "B5": self.lw.s6b.code,
                "C5": "Sùng Thị Mỷ",
            }
        )
        expected = {
            3: "Toán, Reg. 1: a score must lie between 0 and 10, not 11.; Toán, Reg. 2: “tám” "
            "is not a number.; Toán, Reg. 3: a score has at most one decimal, not 7.25.",
            4: "Same record as line 2.",
            5: (
                f"The name in this row is not that of the student {self.lw.s6b.code} "
                "(Sùng Thị Pằng): check that no rows were moved or sorted apart from their codes."
            ),
        }
        job = self.run_file(path, kind="gradebook", by="teacher_d", dry_run=False)
        self.assertEqual((job.status, job.written, job.rejected), ("done", False, 3))
        self.assertEqual(self.report(job), expected)
        partial = self.run_file(path, kind="gradebook", by="teacher_d", dry_run=False, partial=True)
        self.assertEqual(
            self.report(partial),
            {
                2: "Not saved: a gradebook sheet is imported whole, and other rows were refused. "
                "Correct them and import the sheet again.",
                **expected,
            },
        )
        self.assertEqual(self.marks(), {})
        self.assertFalse(ResultChange.objects.exists())

    def test_a_locked_term_is_refused_with_the_correction_message(self) -> None:
        """Once the principal locked term I, the import (dry run too) fails with the grid's
        message: ask for a correction."""
        term_lock(
            school=self.lw.school_c,
            school_year=self.world.year,
            term=1,
            by=self.user("principal_c"),
        )
        for dry_run in (True, False):
            job = self.run_file(
                self.sheet(self.FILLED), kind="gradebook", by="teacher_d", dry_run=dry_run
            )
            self.assertEqual(
                (job.status, job.message),
                (
                    "failed",
                    "Term I is locked at this school: ask for a correction, which the "
                    "principal approves.",
                ),
            )
        self.assertEqual(self.marks(), {})

    def test_an_edited_header_is_refused(self) -> None:
        """A renamed column header or an edited information cell fails the job."""
        for edit in ({"D1": "Reg. 9"}, {"L1": "GRADEBOOK\nClass: 7A"}):
            job = self.run_file(self.sheet(edit), kind="gradebook", by="teacher_d", dry_run=True)
            self.assertEqual((job.status, job.message), ("failed", TAMPERED))

    def test_hostile_cells(self) -> None:
        """A formula typed as text in a score cell, a 30 000-character cell, TRUE and a date
        are refused by cell without echoing the long text; a real formula cell counts as the
        value it shows (none, as openpyxl stores no result), never as its formula; a comment
        that starts like a formula is stored as text."""
        huge = "9" * 30_000
        path = self.sheet(
            {
                "D2": '=HYPERLINK("http://x.example","9")',
                "E2": huge,
                "F2": True,
                "G2": dt.date(2021, 10, 1),
                "H2": "=9",
                "J3": '=HYPERLINK("http://x.example","bấm")',
            }
        )
        book = load_workbook(path)
        book.worksheets[0]["H3"] = '=HYPERLINK("http://x.example","9")'  # a formula cell
        book.save(path)
        job = self.run_file(path, kind="gradebook", by="teacher_d", dry_run=False, partial=True)
        reasons = self.report(job)
        self.assertEqual(
            reasons[2],
            "Toán, Reg. 1: the cell holds 34 characters, too many for a score or a result.; Toán, "
            "Reg. 2: the cell holds 30000 characters, too many for a score or a result.; Toán, "
            "Reg. 3: the cell holds a date, a time or TRUE/FALSE; type the value again.; Toán, "
            "Reg. 4: the cell holds a date, a time or TRUE/FALSE; type the value again.; Toán, "
            "Mid-term: “=9” is not a number.",
        )
        self.assertNotIn(huge, reasons[2])
        self.assertEqual(self.marks(), {})
        clean = self.sheet({"J3": '=HYPERLINK("http://x.example","bấm")'})
        book = load_workbook(clean)
        book.worksheets[0]["H3"] = '=HYPERLINK("http://x.example","9")'
        book.save(clean)
        job = self.run_file(clean, kind="gradebook", by="teacher_d", dry_run=False)
        self.assertEqual(job.written, True)
        mark = Mark.objects.get(student=self.lw.s6b, subject=self.lw.toan_6, term=1)
        self.assertEqual(
            (mark.comment, mark.midterm), ('=HYPERLINK("http://x.example","bấm")', None)
        )
        exported = load_workbook(
            io.BytesIO(
                gradebook_workbook(school_class=self.lw.class_6a, subject=self.lw.toan_6, term=1)
            )
        ).worksheets[0]["J3"]
        self.assertEqual((exported.data_type, exported.value[:2]), ("s", "'="))

    def test_a_sheet_longer_than_any_class_fails(self) -> None:
        """Rows beyond the cap fail the job: a gradebook has one row per student."""
        path = self.sheet()
        book = load_workbook(path)
        sheet = book.worksheets[0]
        for i in range(ROWS_MAX + 1):
            sheet.append([i, f"X{i}", "Ai Đó", 5])
        book.save(path)
        job = self.run_file(path, kind="gradebook", by="teacher_d", dry_run=True)
        self.assertEqual(
            (job.status, job.message),
            (
                "failed",
                f"The sheet has more than {ROWS_MAX} rows, and a class gradebook has one row per "
                "student. Upload the sheet downloaded from the gradebook.",
            ),
        )


class AssignmentImportTests(ImportCase):
    HEADERS: ClassVar[list[str]] = [c.header for c in FORMATS["assignments"].columns]

    def csv_file(self, rows: list[list[Any]]) -> Path:
        path = Path(tempfile.mkdtemp(dir=TMP)) / "phan-cong.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([self.HEADERS, *rows])
        return path

    def teacher_of(self, subject_code: str) -> int | None:
        found = TeachingAssignment.objects.filter(
            school_class=self.lw.class_6a, subject__code=subject_code
        ).first()
        return found.teacher_id if found else None

    def test_the_principal_assigns_teachers(self) -> None:
        """A new assignment (GDCD by name), a changed one (Toán → teacher_c) and an unchanged
        one (Ngữ văn) with the school left empty: created, updated, unchanged."""
        c, d = self.lw.teacher_c, self.lw.teacher_d
        path = self.csv_file(
            [
                ["", "6A", "6", "Giáo dục công dân", d.code],
                ["10082101", "6A", "", "toan", c.code],
                ["", "6A", "6", "ngu_van", c.code],
            ]
        )
        dry = self.run_file(path, kind="assignments", by="principal_c", dry_run=True)
        self.assertEqual((dry.created, dry.updated, dry.unchanged, dry.rejected), (1, 1, 1, 0))
        self.assertEqual(self.teacher_of("gdcd"), None)
        job = self.run_file(path, kind="assignments", by="principal_c", dry_run=False)
        self.assertEqual((job.status, job.written), ("done", True))
        self.assertEqual(
            (self.teacher_of("gdcd"), self.teacher_of("toan"), self.teacher_of("ngu_van")),
            (d.pk, c.pk, c.pk),
        )

    def test_each_error_is_reported(self) -> None:
        """Unknown class, unknown subject, a subject of another grade, unknown teacher, a
        teacher of another school, a wrong grade: one reason each, nothing written."""
        d = self.lw.teacher_d
        path = self.csv_file(
            [
                ["", "9Z", "", "toan", d.code],
                ["", "6A", "", "Thiên văn", d.code],
                ["", "6A", "", "Vật lí", d.code],
                ["", "6A", "", "toan", "CB9999999"],
                ["", "6A", "", "toan", self.world.teacher_a.code],
                ["", "6A", "7", "toan", d.code],
                ["", "6A", "", "gdcd", d.code],
            ]
        )
        job = self.run_file(path, kind="assignments", by="principal_c", dry_run=False)
        self.assertEqual(
            self.report(job),
            {
                2: "The school 10082101 has no class 9Z in 2021-2022.",
                3: "Unknown subject “Thiên văn”.",
                4: "“Vật lí” is not a subject of grade 6 under the regime of class 6A (TT22/2021 "
                "(grades 6–12)).",
                5: "No staff member has the code CB9999999.",
                6: (
                    f"The staff member {self.world.teacher_a.code} works at another school; "
                    "assign a teacher of the school 10082101."
                ),
                7: "Class 6A is a grade 6 class, not grade 7.",
            },
        )
        self.assertFalse(job.written)
        self.assertEqual(self.teacher_of("gdcd"), None)

    def test_only_the_principal_imports(self) -> None:
        """A teacher of the school and the principal of another school are refused."""
        path = self.csv_file([["10082101", "6A", "", "gdcd", self.lw.teacher_d.code]])
        teacher = self.run_file(path, kind="assignments", by="teacher_d", dry_run=False)
        self.assertEqual(
            self.report(teacher), {2: "No school with the code 10082101 in your area."}
        )
        other = self.run_file(path, kind="assignments", by="principal_a", dry_run=False)
        self.assertEqual(self.report(other), {2: "No school with the code 10082101 in your area."})
        self.assertEqual(self.teacher_of("gdcd"), None)

    def test_through_the_import_pages(self) -> None:
        """principal_c uploads the file on the import page (dry run), then commits it."""
        self.client.force_login(self.user("principal_c"))
        data = self.csv_file([["", "6A", "6", "gdcd", self.lw.teacher_d.code]]).read_bytes()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("imports:import_list"),
                {
                    "kind": "assignments",
                    "unit": self.lw.school_c.code,
                    "dry_run": "on",
                    "file": SimpleUploadedFile("phan-cong.csv", data),
                },
            )
        dry = ImportJob.objects.get()
        self.assertEqual((dry.status, dry.created, dry.written), ("done", 1, False))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("imports:import_commit", args=[dry.pk]))
        done = ImportJob.objects.exclude(pk=dry.pk).get()
        self.assertEqual((done.status, done.written), ("done", True))
        self.assertEqual(self.teacher_of("gdcd"), self.lw.teacher_d.pk)

    def test_export_round_trips(self) -> None:
        """The export of the school's assignments, imported again, changes nothing."""
        content = services.records_export(
            kind="assignments",
            scope_paths=tuple(self.lw.school_c.placements.values_list("path", flat=True)),
            by=self.user("principal_c"),
            csv_format=True,
        )
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertEqual(
            rows[1:],
            [
                ["10082101", "6A", "6", "toan", self.lw.teacher_d.code],
                ["10082101", "6A", "6", "ngu_van", self.lw.teacher_c.code],
                ["10082101", "7A", "7", "toan", self.lw.teacher_d.code],
            ],
        )
        job = self.run_file(
            self.csv_file(rows[1:]), kind="assignments", by="principal_c", dry_run=True
        )
        self.assertEqual((job.unchanged, job.rejected), (3, 0))
