"""Careless input in import cells, and the plausibility of a file as a whole (issue 8, holes 9
and 10): dates outside a plausible range, digits other than 0-9, NaN and Infinity are refused;
an export imported again gives back the stored text (the formula guard's apostrophe is taken
off); a dry run warns when a file would change a school's enrolment out of all proportion or
fill a class beyond the charter's size."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase, override_settings
from django.utils import translation

from vnemis.core.xlsx import safe_cell
from vnemis.imports import services
from vnemis.imports.formats import FORMATS
from vnemis.imports.formats.cells import (
    RowError,
    code_text,
    date_cell,
    grade_cell,
    phone_cell,
    text,
)
from vnemis.imports.formats.reported_values import number
from vnemis.imports.models import ImportJob
from vnemis.indicators.models import ReportedValue
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgUnit
from vnemis.people import services as people_services
from vnemis.people.models import Enrollment, Student
from vnemis.testing.personas import PersonaTestCase

TMP = tempfile.mkdtemp(prefix="vnemis-import-plausibility-")
DAY = dt.date(2021, 10, 1)
SCHOOL_A = "Trường Tiểu học Bát Xát (10082001)"


def foreign(label: str, value: str) -> str:
    return (
        f"{label} '{value}' contains digits other than 0-9 (such as Arabic or full-width "
        "digits); type it again with the digits 0-9."
    )


def out_of_range(label: str, value: str, earliest: str, latest: str) -> str:
    return f"{label} '{value}' is outside the plausible range ({earliest} to {latest})."


class CellTests(SimpleTestCase):
    """The cell parsers alone (no database)."""

    def setUp(self) -> None:
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def refused(self, message: str, parse: Any, *args: Any, **kwargs: Any) -> None:
        with self.assertRaises(RowError) as caught:
            parse(*args, **kwargs)
        self.assertEqual(str(caught.exception), message)

    def test_dates_outside_the_plausible_range_are_refused(self) -> None:
        """Year 1 or 9999, a birth before 1900 or after today, another date before 1950 or
        more than two years ahead."""
        day = dt.date(2021, 10, 1)
        birth = ("01/01/1900", "01/10/2021")
        event = ("01/01/1950", "01/10/2023")
        for raw, shown in (("01/01/0001", "01/01/0001"), ("9999-12-31", "31/12/9999")):
            self.refused(out_of_range("Ngày cấp", shown, *event), date_cell, raw, "Ngày cấp",
                         today=day)  # fmt: skip
        self.refused(
            out_of_range("Ngày sinh", "31/12/1899", *birth),
            date_cell, "31/12/1899", "Ngày sinh", birth=True, today=day,
        )  # fmt: skip
        self.refused(
            "The date of birth is in the future.",
            date_cell, "02/10/2021", "Ngày sinh", birth=True, today=day,
        )  # fmt: skip
        self.refused(
            out_of_range("Ngày vào ngành", "31/12/1949", *event),
            date_cell, "31/12/1949", "Ngày vào ngành", today=day,
        )  # fmt: skip
        self.refused(
            out_of_range("Ngày vào ngành", "02/10/2023", *event),
            # An Excel date cell, read as a naive datetime.
            date_cell, dt.datetime(2023, 10, 2), "Ngày vào ngành", today=day,  # noqa: DTZ001
        )  # fmt: skip
        self.assertEqual(
            date_cell("01/01/1900", "Ngày sinh", birth=True, today=day), dt.date(1900, 1, 1)
        )
        self.assertEqual(date_cell("01/10/2023", "Ngày", today=day), dt.date(2023, 10, 1))
        self.assertEqual(date_cell("01/01/1950", "Ngày", today=day), dt.date(1950, 1, 1))

    def test_digits_other_than_0_to_9_are_refused(self) -> None:
        """Arabic-Indic, full-width and superscript digits, which int() and Decimal() read as
        numbers, in number, code, phone, date and grade cells."""
        self.refused(foreign("Giá trị", "٩٧"), number, "٩٧")
        self.refused(foreign("Giá trị", "９７"), number, "９７")
        self.refused(foreign("Giá trị", "9²"), number, "9²")
        self.refused(foreign("Khối", "٣"), grade_cell, "٣")
        self.refused(foreign("Mã học sinh", "١٠٠٠"), code_text, "١٠٠٠", "Mã học sinh")
        self.refused(foreign("Điện thoại", "٠٩١٢٣٤٥٦٧٨"), phone_cell, "٠٩١٢٣٤٥٦٧٨", "Điện thoại")
        self.refused(foreign("Ngày sinh", "٠٢/٠٥/٢٠١٣"), date_cell, "٠٢/٠٥/٢٠١٣", "Ngày sinh")
        self.refused(foreign("Ngày sinh", "０２/０５/２０１３"), date_cell, "０２/０５/２０１３",
                     "Ngày sinh")  # fmt: skip
        self.assertEqual(number("97"), Decimal(97))
        self.assertEqual(code_text("Vàng Seo Páo 3A", "Lớp"), "Vàng Seo Páo 3A")

    def test_nan_and_infinity_are_refused(self) -> None:
        for value in ("NaN", "nan", "Infinity", "-inf", float("nan"), float("inf")):
            with self.subTest(value=value), self.assertRaises(RowError):
                number(value)
        # A float beyond what is stored is refused, not an unexpected error of the job.
        self.refused("The value 1e+300 is too large.", number, 1e300)

    def test_the_formula_guard_comes_off_once(self) -> None:
        """What an export guards is read back as stored; an apostrophe before anything else
        is the cell's own."""
        for stored in ("=SUM(A1:A9)", "+84 912 345 678", "-5", "@user", "'quoted", "plain"):
            with self.subTest(stored=stored):
                self.assertEqual(text(safe_cell(stored)), stored)
                self.assertEqual(safe_cell(text(safe_cell(stored))), safe_cell(stored))
        self.assertEqual(text("'0912345678"), "'0912345678")


@override_settings(MEDIA_ROOT=TMP, VNEMIS_JOBS_DIR=Path(TMP) / "jobs")
class FileTestCase(PersonaTestCase):
    def run_file(
        self, path: Path, kind: str, *, scope: OrgUnit | None, dry_run: bool = False
    ) -> ImportJob:
        with translation.override("en"):
            source = services.import_file_store(path=path, name=path.name, by=None)
            job = services.import_job_create(
                source=source, kind=kind, by=None, dry_run=dry_run, scope_unit=scope
            )
            job = services.import_job_run(job=job, by=None, day=DAY)
        self.assertEqual(job.status, "done", job.message)
        return job

    def run_rows(
        self, kind: str, rows: list[list[Any]], *, scope: OrgUnit | None, dry_run: bool = False
    ) -> ImportJob:
        path = Path(tempfile.mkdtemp()) / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([[c.header for c in FORMATS[kind].columns], *rows])
        return self.run_file(path, kind, scope=scope, dry_run=dry_run)

    def counts(self, job: ImportJob) -> tuple[int, int, int, int]:
        return job.created, job.updated, job.unchanged, job.rejected


class CarelessFileTests(FileTestCase):
    def test_arabic_digits_are_not_stored_as_a_figure(self) -> None:
        """ "٩٧" was stored as 97 %."""
        row = ["10082001", "dossiers_online_pct", "2021", "٩٧", ""]
        job = self.run_rows("reported_values", [row], scope=self.world.batxat)
        self.assertEqual(self.counts(job), (0, 0, 0, 1))
        self.assertFalse(ReportedValue.objects.exists())

    def test_a_pupil_born_in_year_one_is_refused(self) -> None:
        rows = [
            ["", "", "Vàng Seo Páo", "02/05/0001", "Nam", "", "", "10082001", "3", "3A"],
            ["", "", "Vàng Seo Chứ", "02/05/2013", "Nam", "", "", "10082001", "٣", "3A"],
        ]
        students = Student.objects.count()
        job = self.run_rows("students", rows, scope=self.world.batxat)
        self.assertEqual(self.counts(job), (0, 0, 0, 2))
        self.assertEqual(Student.objects.count(), students)


class FormulaGuardRoundTripTests(FileTestCase):
    NOTE = "+ Theo báo cáo của Phòng"

    def test_an_export_imported_again_and_again_keeps_the_text(self) -> None:
        """Export → import → export → import: the note stays as typed, the export guards it
        with one apostrophe each time, and the re-imports change nothing."""
        scope = self.world.batxat
        row = ["10082001", "dossiers_online_pct", "2021", "97", self.NOTE]
        self.assertEqual(self.counts(self.run_rows("reported_values", [row], scope=scope)),
                         (1, 0, 0, 0))  # fmt: skip
        paths = tuple(scope.placements.values_list("path", flat=True))
        for csv_format in (False, True):
            for _round in range(2):
                with self.subTest(csv=csv_format, round=_round):
                    content = services.records_export(
                        kind="reported_values", scope_paths=paths, by=None, csv_format=csv_format
                    )
                    name = "du-lieu.csv" if csv_format else "du-lieu.xlsx"
                    path = Path(tempfile.mkdtemp()) / name
                    path.write_bytes(content)
                    job = self.run_file(path, "reported_values", scope=scope)
                    self.assertEqual(self.counts(job), (0, 0, 1, 0))
                    self.assertEqual(ReportedValue.objects.get().note, self.NOTE)
        content = services.records_export(
            kind="reported_values", scope_paths=paths, by=None, csv_format=True
        )
        self.assertIn(",'+ Theo báo cáo của Phòng", content.decode("utf-8-sig"))


def _pupil(i: int, class_name: str, *, school: str = "10082001", grade: int = 3) -> list[Any]:
    return ["", "", f"Giàng A Páo{i}", "02/05/2013", "Nam", "", "", school, grade, class_name]


def school_warning(before: int, after: int, year: str = "2021-2022") -> str:
    return (
        f"{SCHOOL_A}, school year {year}: {before} pupils enrolled now, {after} after this "
        "file. Check that the file is meant for this school and this school year."
    )


def class_warning(name: str, count: int, limit: int) -> str:
    return (
        f"Class {name} at {SCHOOL_A} would hold {count} pupils, more than the {limit} per "
        "class the school charter allows."
    )


class EnrolmentWarningTests(FileTestCase):
    """School A has two pupils this year (3A and 3B)."""

    def dry_run(self, rows: list[list[Any]], kind: str = "students") -> ImportJob:
        enrolments = Enrollment.objects.count()
        job = self.run_rows(kind, rows, scope=self.world.school_a, dry_run=True)
        self.assertEqual((job.rejected, job.written), (0, False))
        self.assertEqual(Enrollment.objects.count(), enrolments)
        return job

    def test_a_file_that_multiplies_a_schools_enrolment_warns(self) -> None:
        """100 new pupils for a school of 2 (fifty-one-fold), 25 per class."""
        rows = [_pupil(i, f"3{'CDEF'[i // 25]}") for i in range(100)]
        job = self.dry_run(rows)
        self.assertEqual(job.created, 100)
        self.assertEqual(job.warnings, [school_warning(2, 102)])

    def test_an_ordinary_intake_does_not_warn(self) -> None:
        """Twenty new pupils for a school of 2: a change of more than 20 pupils warns, 20 not."""
        job = self.dry_run([_pupil(i, "3C") for i in range(20)])
        self.assertEqual(job.warnings, [])

    def test_a_class_beyond_the_charter_warns(self) -> None:
        """Primary classes hold at most 35 (TT 28/2020): 3A has one pupil."""
        job = self.dry_run([_pupil(i, "3A") for i in range(34)])
        self.assertEqual(job.warnings, [school_warning(2, 36)])
        job = self.dry_run([_pupil(i, "3A") for i in range(35)])
        self.assertEqual(job.warnings, [school_warning(2, 37), class_warning("3A", 36, 35)])

    def test_the_enrolments_format_warns_per_school_year(self) -> None:
        """Last year's history of 25 pupils loaded into a year that holds one enrolment."""
        w = self.world
        last = org_services.school_year_create(
            starts_on=dt.date(2020, 9, 5), ends_on=dt.date(2021, 5, 31), by=None
        )
        people_services.enrollment_create(
            student=w.student_a1, school=w.school_a, school_year=last, grade=2, level="th",
            started_on=last.starts_on, by=None,
        )  # fmt: skip
        codes = []
        for i in range(25):
            person = people_services.person_create(
                by=None, family_name="Giàng", middle_name="A", given_name=f"Lử{i}", sex="M",
                birth_date=dt.date(2013, 5, 2),
            )  # fmt: skip
            student = people_services.student_create(person=person, by=None, province_code="10")
            people_services.enrollment_create(
                student=student, school=w.school_a, school_year=w.year, grade=3, level="th",
                started_on=w.year.starts_on, by=None,
            )  # fmt: skip
            codes.append(student.code)
        rows = [[code, "2020-2021", "10082001", 2, "2A", "Đang học", "", ""] for code in codes]
        job = self.dry_run(rows, kind="enrolments")
        self.assertEqual(job.created, 25)
        self.assertEqual(job.warnings, [school_warning(1, 26, year="2020-2021")])
