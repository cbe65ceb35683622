"""Imports stay inside the importer's area (issue 8, holes 1 and 2).

A principal of school A (Bát Xát) imports rows carrying the personal ID number or a code of a
person of Bảo Thắng: each row is refused with one reason that names nothing about that person,
who stays as he was (no new role, no changed birth date or phone), and the error report holds
neither his name nor his school's. The Department, whose area holds both districts, imports the
same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from vnemis.imports import services
from vnemis.imports.formats import FORMATS
from vnemis.imports.formats.students import StudentFormat
from vnemis.imports.models import ImportJob
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgUnit
from vnemis.people import services as people_services
from vnemis.people.choices import EnrollmentStatus, ExitReason
from vnemis.people.models import Enrollment, Guardian, GuardianLink, Person, Staff, Student
from vnemis.people.selectors import person_ids_in_reach, persons_in_reach
from vnemis.testing.personas import PersonaTestCase

TMP = tempfile.mkdtemp(prefix="vnemis-import-scope-")
DAY = dt.date(2021, 10, 1)
OUTSIDE_ID = (
    "This personal ID number is already used for a person outside your unit's area; contact "
    "the education office or the Department."
)


def outside_code(label: str) -> str:
    return (
        f"This {label} is already used for a person outside your unit's area; contact the "
        "education office or the Department."
    )


# Bảo Thắng's people, as they were before any import: what no principal of Bát Xát may learn.
SCHOOL_B = "Trường Tiểu học Phố Lu"
PARENT_B = "Thào Văn Vư"  # father of student_b
PARENT_B_ID = "010082000777"
PARENT_B_BIRTH = dt.date(1982, 6, 15)
PARENT_B_PHONE = "0987000111"
TEACHER_B = "Lò Thị Lan"  # teacher_b, staff code CB0000003
TEACHER_B_ID = "010185000003"
STUDENT_B = "Giàng A Sử"  # student_b, code 1000000003
STUDENT_B_ID = "010213000003"
STUDENT_B_MOET = "MOET-B-0003"
LEFT_B = "Hầu A Chớ"  # left school B (dropped out): no tie to any area now
LEFT_B_ID = "010212000888"
LEFT_B_MOET = "MOET-B-0888"
SECRETS = (PARENT_B, TEACHER_B, STUDENT_B, LEFT_B, SCHOOL_B, "Bảo Thắng")


@override_settings(MEDIA_ROOT=TMP, VNEMIS_JOBS_DIR=Path(TMP) / "jobs")
class ScopeTestCase(PersonaTestCase):
    kind: ClassVar[str] = ""
    parent_b: ClassVar[Person]
    left_b: ClassVar[Student]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.parent_b = people_services.person_create(
            by=None,
            family_name="Thào",
            middle_name="Văn",
            given_name="Vư",
            sex="M",
            birth_date=PARENT_B_BIRTH,
            national_id=PARENT_B_ID,
            phone=PARENT_B_PHONE,
        )
        guardian = people_services.guardian_create(person=cls.parent_b, by=None)
        people_services.guardian_link_set(
            guardian=guardian, student=w.student_b, relation="father", is_primary=True, by=None
        )
        people_services.student_update(student=w.student_b, moet_code=STUDENT_B_MOET, by=None)
        person = people_services.person_create(
            by=None,
            family_name="Hầu",
            middle_name="A",
            given_name="Chớ",
            sex="M",
            birth_date=dt.date(2012, 3, 4),
            national_id=LEFT_B_ID,
            phone="",
        )
        cls.left_b = people_services.student_create(
            person=person, by=None, province_code="10", moet_code=LEFT_B_MOET
        )
        enrolment = people_services.enrollment_create(
            student=cls.left_b,
            school=w.school_b,
            school_year=w.year,
            grade=4,
            level="th",
            started_on=w.year.starts_on,
            by=None,
        )
        people_services.enrollment_end(
            enrollment=enrolment,
            on=dt.date(2021, 9, 20),
            status=EnrollmentStatus.DROPPED_OUT,
            reason=ExitReason.FAMILY,
            by=None,
        )

    def run_job(
        self, rows: list[list[Any]], *, persona: str = "principal_a", partial: bool = True
    ) -> ImportJob:
        """Import ``rows`` (under the template's headers) as ``persona`` over his area: the
        principal's school, or the Department's province."""
        scope: OrgUnit = {
            "principal_a": self.world.school_a,
            "department_admin": self.world.province,
            "province_officer": self.world.province,
        }[persona]
        path = Path(tempfile.mkdtemp()) / f"{self.kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([[c.header for c in FORMATS[self.kind].columns], *rows])
        user = self.world.users[persona]
        with translation.override("en"):
            source = services.import_file_store(path=path, name=path.name, by=user)
            job = services.import_job_create(
                source=source,
                kind=self.kind,
                by=user,
                dry_run=False,
                partial=partial,
                scope_unit=scope,
            )
            job = services.import_job_run(job=job, by=user, day=DAY)
        self.assertEqual(job.status, "done", job.message)
        return job

    def report(self, job: ImportJob) -> tuple[dict[int, str], str]:
        """The error report: reason by line, and all its text (cells and reasons)."""
        sheet = load_workbook(io.BytesIO(job.error_report.read())).active
        rows = list(sheet.iter_rows(min_row=1, values_only=True))
        reasons = {r[0]: r[-1] for r in rows[1:]}
        return reasons, "\n".join(" ".join(str(c) for c in r if c is not None) for r in rows)

    def assert_reveals_nothing(self, text: str) -> None:
        for secret in SECRETS:
            self.assertNotIn(secret, text)

    def assert_parent_b_unchanged(self) -> None:
        person = Person.objects.get(pk=self.parent_b.pk)
        self.assertEqual(
            (person.full_name, person.birth_date, person.phone, person.email),
            (PARENT_B, PARENT_B_BIRTH, PARENT_B_PHONE, ""),
        )
        self.assertFalse(Staff.objects.filter(person=person).exists())
        self.assertEqual(
            list(GuardianLink.objects.filter(guardian__person=person).values_list("student_id")),
            [(self.world.student_b.pk,)],
        )
        self.assertFalse(Student.objects.filter(person=person).exists())


def _staff_row(**cells: str) -> list[str]:
    row = {
        "code": "",
        "full_name": PARENT_B,
        "birth_date": "20/11/1982",
        "sex": "Nam",
        "ethnicity": "",
        "national_id": PARENT_B_ID,
        "org_unit": "10082001",
        "position": "Nhân viên",
        "job_title": "",
        "qualification": "",
        "subject": "",
        "started_on": "",
        "phone": "0911000222",
        "email": "vu@example.edu.vn",
        "status": "",
    } | cells
    return [row[c.key] for c in FORMATS["staff"].columns]


class StaffScopeTests(ScopeTestCase):
    kind = "staff"

    def test_a_parent_of_another_district_is_not_taken_on_as_staff(self) -> None:
        """The attack of hole 1: his ID, name and birth year make him staff of school A and
        overwrite his birth date and phone. Refused; he stays as he was."""
        staff = Staff.objects.count()
        job = self.run_job([_staff_row()])
        self.assertEqual((job.created, job.updated, job.rejected), (0, 0, 1))
        reasons, _text = self.report(job)
        self.assertEqual(reasons, {2: OUTSIDE_ID})
        self.assertEqual(Staff.objects.count(), staff)
        self.assert_parent_b_unchanged()

    def test_codes_and_ids_of_staff_elsewhere_reveal_nothing(self) -> None:
        """Staff code and personal ID of a teacher of school B, the personal ID of a parent
        there, under made-up names: one reason each, naming neither them nor their school."""
        rows = [
            _staff_row(code="CB0000003", full_name="Vàng Thị Tư", birth_date="01/03/1985",
                       sex="Nữ", national_id=""),
            _staff_row(full_name="Vàng Thị Tư", birth_date="01/03/1985", sex="Nữ",
                       national_id=TEACHER_B_ID),
            _staff_row(full_name="Vàng Văn Tư"),
        ]  # fmt: skip
        job = self.run_job(rows)
        reasons, text = self.report(job)
        self.assertEqual(reasons, {2: outside_code("Mã cán bộ"), 3: OUTSIDE_ID, 4: OUTSIDE_ID})
        self.assert_reveals_nothing(text)
        teacher_b = Staff.objects.select_related("person").get(code="CB0000003")
        self.assertEqual(
            (teacher_b.org_unit, teacher_b.person.full_name, teacher_b.person.phone),
            (self.world.school_b, TEACHER_B, "0912345678"),
        )
        self.assert_parent_b_unchanged()

    def test_the_department_takes_the_parent_on_as_staff(self) -> None:
        """The Department's area holds the parent's tie: the same row goes through."""
        job = self.run_job([_staff_row()], persona="department_admin")
        self.assertEqual((job.created, job.rejected), (1, 0))
        staff = Staff.objects.select_related("person").get(person=self.parent_b)
        self.assertEqual(
            (staff.org_unit, staff.person.birth_date, staff.person.phone),
            (self.world.school_a, dt.date(1982, 11, 20), "0911000222"),
        )


def _guardian_row(**cells: str) -> list[str]:
    row = {
        "student": "1000000001",  # student_a1 of school A
        "full_name": PARENT_B,
        "relation": "Bố",
        "birth_date": "1982",
        "national_id": PARENT_B_ID,
        "phone": "0911000222",
        "email": "",
        "occupation": "Làm ruộng",
        "is_primary": "Không",
    } | cells
    return [row[c.key] for c in FORMATS["guardians"].columns]


class GuardianScopeTests(ScopeTestCase):
    kind = "guardians"

    def test_a_parent_of_another_district_is_not_linked_to_a_pupil_here(self) -> None:
        """His ID and name do not make him a guardian of a pupil of school A, nor change his
        phone."""
        links = GuardianLink.objects.count()
        job = self.run_job([_guardian_row()])
        self.assertEqual((job.created, job.updated, job.rejected), (0, 0, 1))
        self.assertEqual(self.report(job)[0], {2: OUTSIDE_ID})
        self.assertEqual(GuardianLink.objects.count(), links)
        self.assertEqual(Guardian.objects.get(person=self.parent_b).occupation, "")
        self.assert_parent_b_unchanged()

    def test_the_id_of_a_teacher_elsewhere_reveals_nothing(self) -> None:
        job = self.run_job([_guardian_row(full_name="Vàng Văn Tư", national_id=TEACHER_B_ID,
                                          birth_date="1985", relation="Mẹ")])  # fmt: skip
        reasons, text = self.report(job)
        self.assertEqual(reasons, {2: OUTSIDE_ID})
        self.assert_reveals_nothing(text)
        self.assertFalse(Guardian.objects.filter(person__national_id=TEACHER_B_ID).exists())

    def test_the_department_links_the_parent(self) -> None:
        job = self.run_job([_guardian_row()], persona="department_admin")
        self.assertEqual((job.created, job.rejected), (1, 0))
        link = GuardianLink.objects.get(
            student=self.world.student_a1, guardian__person=self.parent_b
        )
        self.assertEqual((link.relation, link.guardian.person.phone), ("father", "0911000222"))


def _student_row(**cells: str) -> list[str]:
    row = {
        "code": "",
        "moet_code": "",
        "full_name": LEFT_B,
        "birth_date": "04/03/2012",
        "sex": "Nam",
        "ethnicity": "",
        "national_id": LEFT_B_ID,
        "school": "10082001",
        "grade": "3",
        "school_class": "3A",
    } | cells
    return [row[c.key] for c in FORMATS["students"].columns]


class StudentScopeTests(ScopeTestCase):
    kind = "students"

    def test_a_pupil_who_left_another_district_is_not_enrolled_here(self) -> None:
        """A pupil with no current tie, found by his ID, student code or MOET code, is neither
        enrolled at school A nor changed."""
        rows = [
            _student_row(birth_date="09/09/2012"),
            _student_row(code=self.left_b.code, national_id="", birth_date="09/09/2012"),
            _student_row(moet_code=LEFT_B_MOET, national_id="", birth_date="09/09/2012"),
        ]
        job = self.run_job(rows)
        self.assertEqual((job.created, job.updated, job.rejected), (0, 0, 3))
        self.assertEqual(
            self.report(job)[0],
            {
                2: OUTSIDE_ID,
                3: outside_code("Mã học sinh"),
                4: outside_code("Mã định danh Bộ GD&ĐT"),
            },
        )
        self.assertFalse(Enrollment.objects.filter(student=self.left_b, school=self.world.school_a))
        self.assertEqual(
            Person.objects.get(pk=self.left_b.person_id).birth_date, dt.date(2012, 3, 4)
        )

    def test_ids_and_codes_of_people_elsewhere_reveal_nothing(self) -> None:
        """A pupil of school B by ID, code or MOET code, and a parent's ID, under made-up
        names: neither their names nor school B are in the report."""
        made_up = {"full_name": "Vàng A Tư", "birth_date": "02/05/2013"}
        rows = [
            _student_row(**made_up, national_id=STUDENT_B_ID),
            _student_row(**made_up, code="1000000003", national_id=""),
            _student_row(**made_up, moet_code=STUDENT_B_MOET, national_id=""),
            _student_row(full_name="Vàng A Tư", birth_date="01/01/1982", national_id=PARENT_B_ID),
        ]
        job = self.run_job(rows)
        reasons, text = self.report(job)
        self.assertEqual(
            reasons,
            {
                2: OUTSIDE_ID,
                3: outside_code("Mã học sinh"),
                4: outside_code("Mã định danh Bộ GD&ĐT"),
                5: OUTSIDE_ID,
            },
        )
        self.assert_reveals_nothing(text)
        self.assertEqual(Enrollment.objects.filter(student=self.world.student_b).count(), 1)
        self.assert_parent_b_unchanged()

    def test_the_department_sees_and_updates_the_pupils_of_both_districts(self) -> None:
        """Inside the area, the reason names the school; a row for school B updates."""
        row = _student_row(full_name=STUDENT_B, birth_date="02/05/2013", national_id=STUDENT_B_ID)
        job = self.run_job([row], persona="department_admin")
        self.assertEqual(
            self.report(job)[0],
            {2: f"The student studies at {SCHOOL_B}; use a transfer to move them."},
        )
        row = _student_row(full_name=STUDENT_B, birth_date="12/05/2013", code="1000000003",
                           national_id="", school="10086001")  # fmt: skip
        job = self.run_job([row], persona="department_admin")
        self.assertEqual((job.updated, job.rejected), (1, 0))
        self.world.student_b.person.refresh_from_db()
        self.assertEqual(self.world.student_b.person.birth_date, dt.date(2013, 5, 12))

    def test_a_batch_is_judged_in_a_few_queries_whatever_its_size(self) -> None:
        """Scoping the bulk path costs queries per batch, not per row."""
        scope = tuple(self.world.school_a.placements.values_list("path", flat=True))

        def queries(rows: list[list[str]]) -> int:
            fmt = StudentFormat(by=None, scope_paths=scope, day=DAY)
            columns = [c.key for c in FORMATS["students"].columns]
            parsed = [fmt.parse(dict(zip(columns, row, strict=True))) for row in rows]
            with CaptureQueriesContext(connection) as seen:
                fmt.apply_batch(parsed, write=False)
            return len(seen.captured_queries)

        pupil = {"birth_date": "02/05/2013", "national_id": ""}
        # One row of each kind of identifier, found inside or outside the area ...
        few = [
            _student_row(**pupil | {"full_name": "Giàng A Páo", "national_id": "010213000001"}),
            _student_row(**pupil, full_name="Giàng A Chứ", code="1000000002"),
            _student_row(full_name=LEFT_B, moet_code=LEFT_B_MOET, national_id=""),
        ]
        # ... and several of each.
        many = [
            *few,
            _student_row(**pupil | {"full_name": STUDENT_B, "national_id": STUDENT_B_ID}),
            _student_row(**pupil | {"full_name": "Vàng A Tư", "national_id": PARENT_B_ID,
                                    "birth_date": "01/01/1982"}),
            _student_row(**pupil | {"full_name": "Vàng A Mỷ", "national_id": "010213000555"}),
            _student_row(**pupil, full_name=STUDENT_B, code="1000000003"),
            _student_row(**pupil, full_name=LEFT_B, code=self.left_b.code),
            _student_row(**pupil, full_name=STUDENT_B, moet_code=STUDENT_B_MOET),
        ]  # fmt: skip
        self.assertEqual(queries(many), queries(few))


class EnrolmentScopeTests(ScopeTestCase):
    kind = "enrolments"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        org_services.school_year_create(
            starts_on=dt.date(2020, 9, 5), ends_on=dt.date(2021, 5, 31), by=None
        )

    HISTORY = ["1000000003", "2020-2021", "10082001", "2", "2A", "Hoàn thành", "", "31/05/2021"]

    def test_a_pupil_of_another_district_gets_no_enrolment_here(self) -> None:
        """Last year's history at school A is not opened for a pupil of school B, and this
        year's row does not say where he studies."""
        before = Enrollment.objects.count()
        rows = [self.HISTORY, ["1000000003", "2021-2022", "10082001", "3", "3A", "", "", ""]]
        job = self.run_job(rows)
        reasons, text = self.report(job)
        self.assertEqual(reasons, {2: outside_code("Mã học sinh"), 3: outside_code("Mã học sinh")})
        self.assert_reveals_nothing(text)
        self.assertEqual(Enrollment.objects.count(), before)

    def test_the_department_loads_the_history(self) -> None:
        job = self.run_job([self.HISTORY], persona="department_admin")
        self.assertEqual((job.created, job.rejected), (1, 0))
        past = Enrollment.objects.get(student=self.world.student_b, school_year__code="2020-2021")
        self.assertEqual((past.school, past.status), (self.world.school_a, "completed"))


class ReachSelectorTests(PersonaTestCase):
    def test_the_batch_variant_keeps_the_one_rule(self) -> None:
        """person_ids_in_reach answers as persons_in_reach does, for every area and person."""
        w = self.world
        everyone = set(Person.objects.values_list("pk", flat=True))
        for unit in (w.school_a, w.school_b, w.batxat, w.baothang, w.commune_a, w.province, None):
            paths = tuple(unit.placements.values_list("path", flat=True)) if unit else None
            with self.subTest(unit=unit.code if unit else None):
                expected = set(persons_in_reach(paths=paths).values_list("pk", flat=True))
                self.assertEqual(person_ids_in_reach(paths=paths, person_ids=everyone), expected)
        school_a = tuple(w.school_a.placements.values_list("path", flat=True))
        self.assertEqual(
            person_ids_in_reach(paths=school_a, person_ids=everyone),
            {
                w.teacher_a.person_id,
                w.teacher_a2.person_id,
                w.student_a1.person_id,
                w.student_a2.person_id,
                Guardian.objects.get().person_id,
            },
        )
