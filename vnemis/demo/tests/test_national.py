"""The national generator: headers of the import formats, proportional and exact counts,
valid and unique personal IDs, codes that refer to each other, byte-identical reruns, XLSX
parts, the command's arguments, and an import of the files it writes."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, TestCase, override_settings
from openpyxl import load_workbook

from vnemis.demo.national import (
    CATEGORIES,
    KINDS,
    LEVEL_STUDENTS,
    national_plan,
    national_write,
)
from vnemis.imports import services as import_services
from vnemis.imports.formats import FORMATS
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgUnit, TreeVersion
from vnemis.people.identity import national_id_problems
from vnemis.people.models import Enrollment, SchoolClass, Staff

SCALE = 0.0005  # 11,750 students in 27 schools


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _records(folder: Path, kind: str) -> list[dict[str, str]]:
    header, *rows = _rows(folder / f"{kind}.csv")
    keys = [c.key for c in FORMATS[kind].columns]
    assert len(header) == len(keys)
    return [dict(zip(keys, row, strict=True)) for row in rows]


_FOLDERS: list[Path] = []


def _tmp() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="vnemis-national-"))
    _FOLDERS.append(folder)
    return folder


def tearDownModule() -> None:
    for folder in _FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)


class NationalFilesTests(SimpleTestCase):
    """One small country written once (CSV and XLSX); SimpleTestCase: no database at all."""

    folder: Path
    files: dict[str, int]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.folder = _tmp()
        cls.files = national_write(output=cls.folder, seed=7, scale=SCALE, formats={"csv", "xlsx"})

    def test_headers_are_those_of_the_import_formats(self) -> None:
        for kind in KINDS:
            header = [c.header for c in FORMATS[kind].columns]
            self.assertEqual(_rows(self.folder / f"{kind}.csv")[0], header, kind)
            sheet = load_workbook(self.folder / f"{kind}.xlsx", read_only=True).worksheets[0]
            first = next(sheet.iter_rows(max_row=1, values_only=True))
            self.assertEqual(list(first), header, kind)
        raw = (self.folder / "students.csv").read_bytes()
        self.assertTrue(raw.startswith("Mã học sinh,".encode()))  # UTF-8, no BOM

    def test_counts_follow_the_scale(self) -> None:
        plan = national_plan(seed=7, scale=SCALE)
        by_kind = collections.Counter(s.category.key for s in plan.schools)
        # Every kind of school at least once, otherwise its national count times the scale.
        self.assertEqual(dict(by_kind), {c.key: max(1, round(c.count * SCALE)) for c in CATEGORIES})
        self.assertEqual(
            plan.level_students, {"mn": 2650, "th": 4450, "thcs": 3250, "thpt": 1310, "gdtx": 90}
        )
        students = _records(self.folder, "students")
        self.assertEqual(len(students), 11_750)
        by_grade = collections.Counter(int(r["grade"]) for r in students)
        self.assertEqual(by_grade[0], 2650)
        self.assertEqual(sum(by_grade[g] for g in range(1, 6)), 4450)
        self.assertEqual(sum(by_grade[g] for g in range(6, 10)), 3250)
        self.assertEqual(sum(by_grade[g] for g in range(10, 13)), 1310 + 90)
        self.assertEqual(
            {k: self.files[f"{k}.csv"] for k in KINDS},
            {k: len(_records(self.folder, k)) for k in KINDS},
        )
        self.assertEqual(self.files["schools.csv"], len(plan.schools))
        # Twice the scale, twice the students and (past the one-per-kind floor) the schools.
        single, double = national_plan(seed=7, scale=0.0004), national_plan(seed=7, scale=0.0008)
        self.assertEqual((single.students, double.students), (9_400, 18_800))
        for key in ("mn", "th"):  # 15,000 each: 6 and 12
            self.assertEqual(
                sum(1 for s in double.schools if s.category.key == key),
                2 * sum(1 for s in single.schools if s.category.key == key),
            )
        self.assertEqual(national_plan(seed=7, scale=1.0).students, sum(LEVEL_STUDENTS.values()))

    def test_personal_ids_are_valid_and_unique(self) -> None:
        people = _records(self.folder, "students") + _records(self.folder, "staff")
        seen: set[str] = set()
        without = 0
        for r in people:
            number = r["national_id"]
            if not number:
                without += 1
                continue
            birth = dt.datetime.strptime(r["birth_date"], "%d/%m/%Y").date()  # noqa: DTZ007
            sex = {"Nam": "M", "Nữ": "F"}[r["sex"]]
            self.assertEqual(national_id_problems(number, birth_date=birth, sex=sex), [], r)
            self.assertNotIn(number, seen)
            seen.add(number)
        # About 97 % of students and 99 % of staff have a number.
        self.assertLess(without, 0.04 * len(people))
        self.assertGreater(without, 0)
        moet = [r["moet_code"] for r in _records(self.folder, "students")]
        self.assertEqual(len(set(moet)), len(moet))

    def test_birth_dates_fit_the_grade(self) -> None:
        for r in _records(self.folder, "students"):
            grade = int(r["grade"])
            age = 2025 - int(r["birth_date"][-4:])  # on 31 December 2025
            if grade == 0:
                self.assertIn(age, {1, 2, 3, 4, 5}, r)
            else:
                self.assertIn(age - (grade + 5), {0, 1, 2}, r)

    def test_codes_refer_to_each_other(self) -> None:
        schools = {r["code"]: r for r in _records(self.folder, "schools")}
        self.assertTrue(all(len(code) == 8 and code.isdigit() for code in schools))
        for code, r in schools.items():
            province = code[:2]
            if {"THPT", "GDTX"} & set(r["levels"].split(", ")):
                self.assertEqual(r["parent"], f"SGD{province}")
            else:
                self.assertEqual(r["parent"], f"XA{r['admin_code']}")
        sites = {r["code"]: r["school"] for r in _records(self.folder, "sites")}
        self.assertTrue(set(sites.values()) <= set(schools))
        staff = {r["code"]: r for r in _records(self.folder, "staff")}
        self.assertEqual(len(staff), self.files["staff.csv"])
        self.assertTrue({r["org_unit"] for r in staff.values()} <= set(schools))
        self.assertEqual(
            {r["position"] for r in staff.values()}, {"CBQL", "Giáo viên", "Nhân viên"}
        )
        principals = {
            r["org_unit"]: r["full_name"]
            for r in staff.values()
            if r["job_title"] in {"Hiệu trưởng", "Giám đốc"}
        }
        self.assertEqual(principals, {c: r["principal_name"] for c, r in schools.items()})
        classes = {}
        for r in _records(self.folder, "classes"):
            teacher = staff[r["homeroom_teacher"]]
            self.assertEqual((teacher["org_unit"], teacher["position"]), (r["school"], "Giáo viên"))
            if r["site"]:
                self.assertEqual(sites[r["site"]], r["school"])
            classes[(r["school"], r["name"])] = r["grade"]
        self.assertEqual(len(classes), self.files["classes.csv"])  # names unique per school
        sizes = collections.Counter(
            (r["school"], r["school_class"]) for r in _records(self.folder, "students")
        )
        self.assertEqual(set(sizes), set(classes))
        for r in _records(self.folder, "students")[::97]:
            self.assertEqual(classes[(r["school"], r["school_class"])], r["grade"])
        self.assertLessEqual(max(sizes.values()), 45)

    def test_xlsx_holds_the_csv_content(self) -> None:
        csv_rows = _rows(self.folder / "students.csv")[1:]
        sheet = load_workbook(self.folder / "students.xlsx", read_only=True).worksheets[0]
        xlsx_rows = [
            ["" if v is None else str(v) for v in row]
            for row in sheet.iter_rows(min_row=2, values_only=True)
        ]
        self.assertEqual(xlsx_rows, csv_rows)
        self.assertEqual(self.files["students.xlsx"], len(csv_rows))


class NationalWriteTests(SimpleTestCase):
    def test_same_seed_same_bytes(self) -> None:
        a, b, c = _tmp(), _tmp(), _tmp()
        national_write(output=a, seed=3, scale=0.0002, formats={"csv"})
        national_write(output=b, seed=3, scale=0.0002, formats={"csv"})
        national_write(output=c, seed=4, scale=0.0002, formats={"csv"})
        names = sorted(p.name for p in a.iterdir())
        self.assertEqual(names, sorted(["README.txt", *(f"{k}.csv" for k in KINDS)]))
        for name in names:
            self.assertEqual((a / name).read_bytes(), (b / name).read_bytes(), name)
        self.assertNotEqual((a / "students.csv").read_bytes(), (c / "students.csv").read_bytes())

    def test_exact_number_of_students(self) -> None:
        folder = _tmp()
        files = national_write(output=folder, seed=1, students_target=1234, formats={"csv"})
        self.assertEqual(files["students.csv"], 1234)
        self.assertEqual(len(_rows(folder / "students.csv")), 1235)
        # With a scale too: the schools follow the scale, the students the target.
        plan = national_plan(seed=1, scale=0.001, students_target=5000)
        self.assertEqual((plan.students, len(plan.schools)), (5000, 47))

    def test_xlsx_is_split_into_parts(self) -> None:
        folder = _tmp()
        (folder / "students-009.xlsx").write_bytes(b"left by an earlier run")
        files = national_write(
            output=folder, seed=5, students_target=2500, formats={"xlsx"}, xlsx_max_rows=1000
        )
        parts = {name: n for name, n in files.items() if name.startswith("students")}
        self.assertEqual(
            parts, {"students-001.xlsx": 1000, "students-002.xlsx": 1000, "students-003.xlsx": 500}
        )
        self.assertFalse((folder / "students-009.xlsx").exists())
        self.assertFalse((folder / "students.csv").exists())
        header = [c.header for c in FORMATS["students"].columns]
        for name, n in parts.items():
            rows = list(load_workbook(folder / name, read_only=True).worksheets[0].values)
            self.assertEqual((list(rows[0]), len(rows) - 1), (header, n))
        # Files with fewer rows than a part keep their plain name.
        self.assertIn("schools.xlsx", files)

    def test_bad_arguments_are_refused(self) -> None:
        with self.assertRaises(ValueError):
            national_write(output=_tmp(), seed=1, scale=0)
        with self.assertRaises(ValueError):
            national_write(output=_tmp(), seed=1)
        with self.assertRaises(ValueError):
            national_write(output=_tmp(), seed=1, scale=0.001, formats={"pdf"})


class NationalCommandTests(SimpleTestCase):
    def test_writes_files_without_the_database(self) -> None:
        folder = _tmp() / "out"
        call_command(
            "demo",
            "national",
            "--students",
            "300",
            "--output",
            str(folder),
            "--format",
            "csv",
            "--quiet",
        )
        self.assertEqual(len(_rows(folder / "students.csv")), 301)
        self.assertFalse((folder / "students.xlsx").exists())

    def test_bad_arguments(self) -> None:
        cases = [
            (["national", "--scale", "0", "--output", str(_tmp())], "--scale must be greater"),
            (["national", "--scale", "-1", "--output", str(_tmp())], "--scale must be greater"),
            (["national", "--scale", "0.001"], "give --output DIR"),
            (["national", "--output", str(_tmp()), "--format", "pdf"], "--format must be"),
            (["national", "--output", str(_tmp()), "--students", "0"], "--students must be"),
            (["laocai-2022", "--output", str(_tmp())], "only for the national data set"),
            (["laocai-2022", "--scale", "2"], "at most 1"),
        ]
        for args, message in cases:
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message):
                call_command("demo", *args, "--quiet")

    def test_the_console_script_exits_non_zero(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "vnemis.cli", "demo", "national", "--scale", "0.001"],
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("give --output DIR", done.stderr)


@override_settings(MEDIA_ROOT=str(_tmp()))
class NationalImportTests(TestCase):
    """The files import without a rejected row into a database holding the 2025 tree."""

    def test_every_file_imports(self) -> None:
        folder = _tmp()
        national_write(output=folder, seed=11, students_target=400, formats={"csv"})
        version = TreeVersion.objects.get(code="2025")
        org_services.school_year_create(
            starts_on=dt.date(2025, 9, 5), ends_on=dt.date(2026, 5, 31), by=None
        )
        departments: dict[str, OrgUnit] = {}
        for r in _records(folder, "schools"):
            code = f"SGD{r['code'][:2]}"
            if code not in departments:
                departments[code] = org_services.orgunit_create(
                    kind="department", code=code, name=f"Sở {code}", by=None
                )
                org_services.orgunit_place(
                    unit=departments[code], version=version, parent=None, by=None
                )
            if (
                r["parent"].startswith("XA")
                and not OrgUnit.objects.filter(code=r["parent"]).exists()
            ):
                commune = org_services.orgunit_create(
                    kind="commune", code=r["parent"], name=r["parent"], by=None
                )
                org_services.orgunit_place(
                    unit=commune, version=version, parent=departments[code], by=None
                )
        for kind in KINDS:
            path = folder / f"{kind}.csv"
            source = import_services.import_file_store(path=path, name=path.name, by=None)
            job = import_services.import_job_create(
                source=source, kind=kind, by=None, dry_run=False
            )
            job = import_services.import_job_run(job=job, by=None, day=dt.date(2025, 10, 1))
            report = ""
            if job.rejected:
                book = load_workbook(job.error_report.path, read_only=True)
                report = str(list(book.worksheets[0].values)[:5])
            self.assertEqual(
                (job.rejected, job.created, job.written),
                (0, len(_records(folder, kind)), True),
                f"{kind}: {job.message} {report}",
            )
        self.assertEqual(Enrollment.objects.count(), 400)
        self.assertEqual(
            SchoolClass.objects.exclude(homeroom_teacher=None).count(),
            len(_records(folder, "classes")),
        )
        self.assertEqual(Staff.objects.count(), len(_records(folder, "staff")))
