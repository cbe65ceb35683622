"""The bulk student path, the streaming reader and exports in the template's layout."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from vnemis.core import bulk
from vnemis.core.models import AuditEntry
from vnemis.imports import services
from vnemis.imports.formats import FORMATS
from vnemis.imports.formats import students as student_format
from vnemis.imports.models import ImportJob
from vnemis.imports.readers import ReadError, open_table
from vnemis.imports.tests.test_imports import DAY, GOOD, HEADER, MEDIA, _file
from vnemis.people.models import Enrollment, Person, SchoolClass, Student
from vnemis.people.tests.test_access import _matrix
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.world import build_world, ensure_reference_data


@override_settings(MEDIA_ROOT=MEDIA)
class BulkStudentTests(PersonaTestCase):
    def run_job(self, path: Path, *, partial: bool = False, dry_run: bool = False) -> ImportJob:
        source = services.import_file_store(path=path, name=path.name, by=None)
        job = services.import_job_create(
            source=source,
            kind="students",
            by=None,
            dry_run=dry_run,
            partial=partial,
            scope_unit=self.world.batxat,
        )
        job = services.import_job_run(job=job, by=None, day=DAY)
        connection = connections["default"]
        if connection.vendor == "postgresql":
            # The test's own checks run in the transaction that just wrote 12,000 rows; with
            # the table statistics left by earlier tests, the planner can choose a nested loop
            # that takes hours (seen in the full suite). The import itself forces index probes
            # (core.bulk.index_lookups); the checks get fresh statistics instead.
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE people_person, people_student, people_enrollment, people_schoolclass"
                )
        return job

    def many(self, n: int, *, school: str = "10082001", start: int = 0) -> list[str]:
        # Valid personal IDs: Lào Cai (010), a boy born 2013 (digit 2, "13"), serial numbers.
        return [
            f"Giàng A Páo{i},02/05/2013,Nam,H'Mông,0102139{i:05d},{school},3,3D"
            for i in range(start, start + n)
        ]

    def test_batches_create_people_students_enrolments_and_one_class(self) -> None:
        before = Student.objects.count()
        rows = self.many(12_001)  # three batches of 5,000
        job = self.run_job(_file((HEADER + "\n".join(rows) + "\n").encode()))
        self.assertEqual((job.created, job.rejected, job.written), (12_001, 0, True))
        self.assertEqual(Student.objects.count(), before + 12_001)
        new = Student.objects.filter(person__national_id__startswith="0102139")
        self.assertEqual(new.count(), 12_001)
        self.assertEqual(
            Enrollment.objects.active().filter(student__in=new, school_class__name="3D").count(),
            12_001,
        )
        self.assertEqual(SchoolClass.objects.filter(name="3D").count(), 1)
        # Codes are issued in sequence without gaps, after the province's last one.
        codes = sorted(new.values_list("code", flat=True))
        self.assertEqual(int(codes[-1]) - int(codes[0]), 12_000)
        self.assertEqual(len(set(codes)), 12_001)
        person = Person.objects.get(national_id="010213900007")
        self.assertEqual(person.search_name, "giang a pao7")
        # One audit entry per table and batch, naming the new ids and the job.
        entries = AuditEntry.objects.filter(
            target_type="people.Student", verb="created", note__startswith="import job"
        )
        self.assertEqual(sum((e.after or {})["count"] for e in entries), 12_001)
        self.assertTrue(all(f"import job {job.pk}" in e.note for e in entries))
        again = self.run_job(_file((HEADER + "\n".join(rows) + "\n").encode()))
        self.assertEqual((again.unchanged, again.created, again.updated), (12_001, 0, 0))

    def test_rejections_inside_a_batch_write_nothing_or_only_the_good_rows(self) -> None:
        good = self.many(3)
        same_id = good[0].replace("Páo0", "Páo khác").replace(",3D", ",3E")
        pupil = self.world.student_a1.person
        renamed = f"Lò Văn Tủa,02/05/2013,Nam,Giáy,{pupil.national_id},10082001,3,3A"
        content = HEADER + "\n".join([*good, same_id, renamed]) + "\n"
        job = self.run_job(_file(content.encode()))
        self.assertEqual((job.created, job.updated, job.rejected), (3, 1, 1))
        self.assertFalse(job.written)
        self.assertFalse(Student.objects.filter(person__national_id__startswith="0102139").exists())
        report = load_workbook(io.BytesIO(job.error_report.read())).active
        reasons = {r[0]: r[-1] for r in report.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(list(reasons), [5])
        self.assertIn("2", reasons[5])  # the same record as line 2
        job = self.run_job(_file(content.encode()), partial=True)
        self.assertEqual((job.created, job.updated, job.rejected, job.written), (3, 1, 1, True))
        self.assertEqual(
            Student.objects.filter(person__national_id__startswith="0102139").count(), 3
        )
        pupil.refresh_from_db()
        self.assertEqual((pupil.full_name, pupil.ethnicity), ("Lò Văn Tủa", "25"))

    def test_a_personal_id_held_by_another_person_is_refused(self) -> None:
        a1, a2 = self.world.student_a1, self.world.student_a2
        person = a1.person
        row = (
            f"{a1.code},{person.full_name},{person.birth_date:%d/%m/%Y},"
            f"{'Nam' if person.sex == 'M' else 'Nữ'},,{a2.person.national_id},10082001,3,3A"
        )
        path = _file(("Mã học sinh," + HEADER + row + "\n").encode())
        job = self.run_job(path, dry_run=True)
        self.assertEqual(job.rejected, 1)
        report = load_workbook(io.BytesIO(job.error_report.read())).active
        self.assertEqual(report.cell(row=2, column=1).value, 2)

    def test_a_bad_byte_deep_in_the_file_fails_the_job_and_writes_nothing(self) -> None:
        rows = self.many(6000)
        content = (HEADER + "\n".join(rows) + "\n").encode()
        content = content[:-200] + b"\xff\xfe\xfd" + content[-200:]
        before = Student.objects.count()
        job = self.run_job(_file(content))
        self.assertEqual(job.status, "failed")
        self.assertIn("CSV UTF-8", job.message)
        self.assertEqual(Student.objects.count(), before)

    def test_the_reader_streams(self) -> None:
        path = _file((HEADER + "\n\n".join(self.many(3)) + "\n").encode())
        with open_table(path, name=path.name) as table:
            self.assertEqual(table.headers[0], "Họ và tên")
            self.assertNotIsInstance(table.rows, list)
            lines = [line for line, _cells in table.rows]
        self.assertEqual(lines, [2, 4, 6])  # blank lines skipped, numbering kept
        with self.assertRaises(ReadError), open_table(_file(HEADER.encode()), name="x.csv"):
            pass


@override_settings(MEDIA_ROOT=MEDIA)
class ExportTests(PersonaTestCase):
    def test_every_kind_exports_in_its_template_layout(self) -> None:
        self.client.force_login(self.world.users["department_admin"])
        for kind, fmt in FORMATS.items():
            with self.subTest(kind=kind):
                response = self.client.get(reverse("imports:import_export", args=[kind]))
                self.assertEqual(response.status_code, 200)
                sheet = load_workbook(io.BytesIO(response.content)).active
                self.assertEqual([c.value for c in sheet[1]], [c.header for c in fmt.columns])
        self.assertTrue(AuditEntry.objects.filter(verb="exported").exists())

    def test_access(self) -> None:
        url = reverse("imports:import_export", args=["students"])
        self.assert_matrix(url, _matrix({"department_admin", "principal_a"}))
        self.client.force_login(self.world.users["principal_a"])
        content = self.client.get(url + "?format=csv").content.decode("utf-8-sig")
        schools = {row["Mã trường"] for row in csv.DictReader(io.StringIO(content))}
        self.assertEqual(schools, {self.world.school_a.code})

    def test_students_round_trip_unchanged(self) -> None:
        self.client.force_login(self.world.users["department_admin"])
        content = self.client.get(
            reverse("imports:import_export", args=["students"]) + "?format=csv"
        ).content
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        self.assertGreater(len(rows), 3)
        path = Path(tempfile.mkdtemp()) / "xuat.csv"
        path.write_bytes(content)
        source = services.import_file_store(path=path, name=path.name, by=None)
        job = services.import_job_create(source=source, kind="students", by=None)
        job = services.import_job_run(job=job, by=None, day=DAY)
        self.assertEqual((job.unchanged, job.rejected), (len(rows) - 1, 0), job.message)

    def test_cli(self) -> None:
        folder = Path(tempfile.mkdtemp())
        call_command("export", "students", "--org", "PGD082", "--output", str(folder / "hs.xlsx"))
        sheet = load_workbook(folder / "hs.xlsx").active
        self.assertEqual(sheet["C1"].value, "Họ và tên")
        self.assertGreater(sheet.max_row, 1)
        # The student import's example row still reads as valid.
        self.assertTrue(GOOD)


@pytest.mark.postgres
@override_settings(MEDIA_ROOT=MEDIA)
class ReadConnectionTests(TransactionTestCase):
    """An import in its own transaction (as the worker runs it): lookups on a second
    connection while the COPY runs; what the import adds is tracked across batches."""

    def test_batches_across_the_second_connection(self) -> None:
        ensure_reference_data()
        world = build_world()
        header = "Mã định danh Bộ GD&ĐT," + HEADER
        rows = [
            f"M{i:09d},Giàng A Páo{i},02/05/2013,Nam,H'Mông,0102139{i:05d},10082001,3,3D"
            for i in range(12_001)
        ]
        rows.append("M000000005,Lò Văn Tủa,02/05/2013,Nam,Giáy,010213999999,10082001,3,3D")
        rows.append("M999999999,Lò Văn Chư,02/05/2013,Nam,Giáy,010213900000,10082001,3,3D")
        path = _file((header + "\n".join(rows) + "\n").encode())
        aliases: list[str] = []

        def spy() -> str:
            alias = bulk.lookup_alias()
            aliases.append(alias)
            return alias

        def run(partial: bool) -> ImportJob:
            source = services.import_file_store(path=path, name=path.name, by=None)
            job = services.import_job_create(
                source=source,
                kind="students",
                by=None,
                dry_run=False,
                partial=partial,
                scope_unit=world.batxat,
            )
            return services.import_job_run(job=job, by=None, day=DAY)

        student_format.lookup_alias = spy  # type: ignore[attr-defined]
        try:
            job = run(partial=False)
            self.assertEqual((job.created, job.rejected, job.written), (12_001, 2, False))
            job = run(partial=True)
        finally:
            student_format.lookup_alias = bulk.lookup_alias  # type: ignore[attr-defined]
        self.assertEqual(set(aliases), {bulk.READ_ALIAS})
        self.assertNotIn(bulk.READ_ALIAS, [c.alias for c in connections.all()])
        self.assertEqual((job.created, job.rejected, job.written), (12_001, 2, True))
        report = load_workbook(io.BytesIO(job.error_report.read())).active
        lines = [r[0] for r in report.iter_rows(min_row=2, values_only=True)]
        self.assertEqual(lines, [12_003, 12_004])
        new = Student.objects.filter(person__national_id__startswith="0102139")
        self.assertEqual(new.count(), 12_001)
        codes = sorted(int(c) for c in new.values_list("code", flat=True))
        self.assertEqual((codes[-1] - codes[0], len(codes)), (12_000, 12_001))
        self.assertEqual(SchoolClass.objects.filter(name="3D").count(), 1)
        entries = AuditEntry.objects.filter(
            target_type="people.Student", note__startswith=f"import job {job.pk}"
        )
        self.assertEqual(sum((e.after or {})["count"] for e in entries), 12_001)
        again = run(partial=True)
        self.assertEqual((again.unchanged, again.created, again.rejected), (12_001, 0, 2))
