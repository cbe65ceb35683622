"""What the OneRoster import tests share: a world with the personas, bundles written from
tables of rows, and the personal ID numbers of people on either side of a scope."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from vnemis.imports.oneroster.bundle import HEADERS
from vnemis.imports.oneroster.importer import RosterResult, oneroster_import
from vnemis.organisations.models import OrgUnit
from vnemis.people.models import Enrollment, SchoolClass
from vnemis.testing.personas import PersonaTestCase

SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "data" / "oneroster"
DAY = dt.date(2022, 10, 1)
NID_STUDENT_B = "010213000003"  # Giàng A Sử, Trường Tiểu học Phố Lu (Bảo Thắng)
NID_TEACHER_B = "010185000003"  # Lò Thị Lan, Trường Tiểu học Phố Lu
NID_STUDENT_A1 = "010213000001"  # Giàng A Páo, school A
NID_PARENT_A = "010080000001"  # Giàng A Dình, father of student A1


def user(sid: str, role: str, given: str, **fields: str) -> dict[str, str]:
    return {
        "sourcedId": sid,
        "status": "active",
        "enabledUser": "true",
        "orgSourcedIds": "SCH-1",
        "role": role,
        "username": sid.lower(),
        "givenName": given,
        "familyName": "Vàng",
        **fields,
    }


def lms_tables(
    *,
    class_sid: str = "CLS-4A",
    org_sid: str = "SCH-1",
    identifier: str = "",
    grades: str = "04",
    school_year: str = "2023",
    users: list[dict[str, str]] | None = None,
) -> dict[str, list[dict[str, str]]]:
    """A school's roster as a learning platform exports it: one school, one school year, one
    class, its students enrolled in it."""
    users = users or [user("U-1", "student", "Mỷ"), user("U-2", "student", "Chơ")]
    for row in users:
        row["orgSourcedIds"] = org_sid
    return {
        "orgs": [
            {
                "sourcedId": org_sid,
                "status": "active",
                "name": "Trường TH (LMS)",
                "type": "school",
                "identifier": identifier,
            }
        ],
        "academicSessions": [
            {
                "sourcedId": "TERM-1",
                "status": "active",
                "title": "Học kỳ I",
                "type": "term",
                "startDate": "2022-09-05",
                "endDate": "2023-01-15",
                "schoolYear": school_year,
            }
        ],
        "classes": [
            {
                "sourcedId": class_sid,
                "status": "active",
                "title": "Lớp 4A (LMS)",
                "grades": grades,
                "classType": "homeroom",
                "schoolSourcedId": org_sid,
                "termSourcedIds": "TERM-1",
            }
        ],
        "users": users,
        "enrollments": [
            {
                "sourcedId": f"E-{row['sourcedId']}",
                "status": "active",
                "classSourcedId": class_sid,
                "schoolSourcedId": org_sid,
                "userSourcedId": row["sourcedId"],
                "role": row["role"] if row["role"] in {"student", "teacher"} else "student",
            }
            for row in users
            if row["role"] in {"student", "teacher"}
        ],
    }


class RosterTestCase(PersonaTestCase):
    def write_bundle(
        self, tables: dict[str, list[dict[str, str]]], *, system: str = "LMS-X"
    ) -> Path:
        """The tables as a OneRoster 1.1 bundle folder, with any "metadata." columns the rows
        carry appended to the header."""
        folder = Path(tempfile.mkdtemp(prefix="roster-"))
        self.addCleanup(shutil.rmtree, folder)
        manifest = [
            ["propertyName", "value"],
            ["manifest.version", "1.0"],
            ["oneroster.version", "1.1"],
            *[[f"file.{name}", "bulk"] for name in tables],
            ["source.systemName", system],
            ["source.systemCode", system],
        ]
        with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(manifest)
        for name, rows in tables.items():
            extra = sorted({k for row in rows for k in row if k.startswith("metadata.")})
            header = HEADERS["1.1"][name] + extra
            with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, fieldnames=header)
                writer.writeheader()
                writer.writerows({k: row.get(k, "") for k in header} for row in rows)
        return folder

    def run_import(
        self,
        tables: dict[str, list[dict[str, str]]],
        scope: OrgUnit,
        *,
        system: str = "LMS-X",
        partial: bool = False,
        day: dt.date = DAY,
    ) -> RosterResult:
        path = self.write_bundle(tables, system=system)
        return oneroster_import(path=path, scope=scope, by=None, day=day, partial=partial)

    def enrolment_of(self, given_name: str) -> Enrollment:
        return Enrollment.objects.select_related("school_class", "school_year").get(
            student__person__given_name=given_name
        )

    def assert_lands_in_school_a(self, result: RosterResult) -> None:
        """Both students of the bundle are enrolled in one new class of school A, in the
        bundle's school year 2022-2023 and grade 4, and school B's class is untouched."""
        assert not result.refused, result.problems
        self.assertTrue(result.written)
        first, second = self.enrolment_of("Mỷ"), self.enrolment_of("Chơ")
        klass = first.school_class
        assert klass is not None
        self.assertEqual(second.school_class, klass)
        self.assertNotIn(
            klass.pk, {self.world.class_a1.pk, self.world.class_a2.pk, self.world.class_b1.pk}
        )
        self.assertEqual(
            (klass.school, klass.school_year.code, klass.grade, klass.level),
            (self.world.school_a, "2022-2023", 4, "th"),
        )
        for enrolment in (first, second):
            self.assertEqual(
                (enrolment.school, enrolment.school_year.code, enrolment.grade, enrolment.level),
                (self.world.school_a, "2022-2023", 4, "th"),
            )
        b1 = SchoolClass.objects.get(pk=self.world.class_b1.pk)
        self.assertEqual(
            (b1.school, b1.school_year, b1.grade, b1.name),
            (self.world.school_b, self.world.year, 3, "3A"),
        )
        self.assertEqual(
            list(b1.enrollments.values_list("student_id", flat=True)), [self.world.student_b.pk]
        )
