"""OneRoster imports reach only the importer's scope: other systems' and other installations'
sourcedIds never name this database's records, enrolments take the bundle's school year and
grades, people out of reach are refused without being revealed, and a unit of either tree
version can be imported under."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from vnemis.core.installation import installation_code
from vnemis.imports.formats.base import outside_id
from vnemis.imports.models import ExternalRef
from vnemis.imports.oneroster import ids as names
from vnemis.imports.oneroster.bundle import HEADERS, BundleError, read_bundle
from vnemis.imports.oneroster.exporter import oneroster_export
from vnemis.imports.oneroster.importer import (
    RosterResult,
    grade_level,
    identifier_outside,
    identity_conflict,
    oneroster_import,
    session_end_year,
)
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear
from vnemis.people.models import Enrollment, GuardianLink, Person, SchoolClass
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


class ForeignNamesTests(RosterTestCase):
    def test_third_party_cls_id_of_a_school_b_class_lands_in_a_new_class_of_school_a(
        self,
    ) -> None:
        """A platform's class "cls-<n>", where n is a class of school B, is not that class:
        imported under school A, its students land in a new class of school A, in the bundle's
        school year and at the bundle's grade."""
        # The org is named by school A's code, as old vnemis exports named units.
        tables = lms_tables(
            class_sid=f"cls-{self.world.class_b1.pk}", org_sid=self.world.school_a.code
        )
        self.assert_lands_in_school_a(self.run_import(tables, self.world.school_a))

    def test_another_installations_names_are_not_this_databases_records(self) -> None:
        """A bundle of another vnemis installation names its own records: its org, class and
        user ids with school B's and student B's primary keys name nothing here."""
        other = "zzzzother"  # never an installation code: 'o' is not in their alphabet
        w = self.world
        tables = lms_tables(
            org_sid=f"vnemis-{other}-org-{w.school_b.pk}",
            class_sid=f"vnemis-{other}-cls-{w.class_b1.pk}",
            identifier=w.school_a.code,
            users=[
                user(f"vnemis-{other}-usr-{w.student_b.person.pk}", "student", "Mỷ"),
                user(f"vnemis-{other}-usr-{w.teacher_a.person.pk}", "student", "Chơ"),
            ],
        )
        persons = Person.objects.count()
        result = self.run_import(tables, w.school_a, system=f"vnemis-{other}")
        self.assert_lands_in_school_a(result)
        self.assertEqual(Person.objects.count(), persons + 2)
        student_b = Person.objects.get(pk=w.student_b.person.pk)
        self.assertEqual((student_b.given_name, student_b.family_name), ("Sử", "Giàng"))

    def test_own_name_of_an_in_scope_class_of_another_year_is_not_reused(self) -> None:
        """This installation's name for class 3A of school A, in a bundle of 2022-2023 at
        grade 4, makes a new class of that year: a class of another year is never reused."""
        tables = lms_tables(
            class_sid=names.sourced_id(
                installation=installation_code(), kind=names.CLASS, pk=self.world.class_a1.pk
            ),
            identifier=self.world.school_a.code,
        )
        result = self.run_import(tables, self.world.school_a)
        self.assert_lands_in_school_a(result)
        a1 = SchoolClass.objects.get(pk=self.world.class_a1.pk)
        self.assertEqual((a1.school_year, a1.grade), (self.world.year, 3))

    def test_remembered_ids_of_another_school_are_not_followed(self) -> None:
        """Two schools fed by one platform whose ids overlap: what school B's import
        remembered does not lead school A's import to school B's records, and school A's
        second import finds its own records again."""
        w = self.world
        first = self.run_import(lms_tables(org_sid=w.school_b.code), w.school_b)
        assert not first.refused, first.problems
        b_class = SchoolClass.objects.get(school=w.school_b, name="Lớp 4A (LMS)")
        b_students = set(b_class.enrollments.values_list("student_id", flat=True))
        self.assertEqual(len(b_students), 2)
        tables = lms_tables(
            org_sid=w.school_a.code,
            users=[user("U-1", "student", "Lử"), user("U-2", "student", "Pó")],
        )
        second = self.run_import(tables, w.school_a)
        assert not second.refused, second.problems
        self.assertEqual(second.counts["users"], {"created": 2})
        a_class = SchoolClass.objects.get(school=w.school_a, name="Lớp 4A (LMS)")
        self.assertNotEqual(a_class, b_class)
        self.assertEqual(
            set(
                Person.objects.filter(student__enrollments__school_class=b_class).values_list(
                    "given_name", flat=True
                )
            ),
            {"Mỷ", "Chơ"},
        )
        self.assertEqual(
            set(
                Person.objects.filter(student__enrollments__school_class=a_class).values_list(
                    "given_name", flat=True
                )
            ),
            {"Lử", "Pó"},
        )
        again = self.run_import(tables, w.school_a)
        self.assertEqual(again.counts["users"], {"unchanged": 2})
        self.assertEqual(again.counts["classes"], {"unchanged": 1})
        self.assertEqual(again.counts["enrollments"], {"unchanged": 2})

    def test_class_without_grade_is_skipped_not_guessed(self) -> None:
        """A class whose grades vnemis cannot read ("UG", ungraded), with students of no
        stated grade, is skipped with a warning: no class, no enrolment at a guessed level."""
        result = self.run_import(
            lms_tables(grades="UG", identifier=self.world.school_a.code), self.world.school_a
        )
        assert not result.refused, result.problems
        self.assertEqual(result.counts["classes"], {"skipped": 1})
        self.assertFalse(SchoolClass.objects.filter(name="Lớp 4A (LMS)").exists())
        self.assertFalse(Enrollment.objects.filter(student__person__given_name="Mỷ").exists())
        self.assertTrue(any(p.column == "grades" and not p.error for p in result.problems))


class OwnExportTests(RosterTestCase):
    def export(self, scope: OrgUnit, year: SchoolYear | None = None) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="export-"))
        self.addCleanup(shutil.rmtree, folder)
        path = folder / "vnemis.zip"
        path.write_bytes(oneroster_export(scope=scope, school_year=year or self.world.year))
        return path

    def test_every_exported_id_carries_the_installation_code(self) -> None:
        """Orgs, sessions, classes, courses, users, roles, demographics and enrolments of an
        export are all named vnemis-<this installation>-<kind>-<id>, and the manifest names
        the installation."""
        bundle = read_bundle(self.export(self.world.batxat))
        own = re.compile(rf"vnemis-{installation_code()}-[a-z]+-[0-9]+")
        for name, rows in bundle.tables.items():
            for row in rows:
                self.assertRegex(row["sourcedId"], own, name)
        self.assertEqual(bundle.system, f"vnemis-{installation_code()}")
        classes = {r["sourcedId"]: r["title"] for r in bundle.tables["classes"]}
        self.assertEqual(
            classes,
            {
                f"vnemis-{installation_code()}-cls-{self.world.class_a1.pk}": "3A",
                f"vnemis-{installation_code()}-cls-{self.world.class_a2.pk}": "3B",
            },
        )

    def test_export_of_school_b_imported_under_school_a_is_refused_for_its_people(self) -> None:
        """This installation's export of school B, imported under school A: its people are
        refused without a word about them, and nothing at all is written."""
        w = self.world
        path = self.export(w.school_b)
        persons, enrolments = Person.objects.count(), Enrollment.objects.count()
        units = OrgUnit.objects.count()
        result = oneroster_import(path=path, scope=w.school_a, by=None, day=DAY)
        self.assertTrue(result.refused)
        self.assertFalse(result.written)
        refusals = [p for p in result.problems if p.error]
        self.assertEqual({p.file for p in refusals}, {"users.csv"})
        self.assertEqual({p.message for p in refusals}, {identifier_outside()})
        self.assertEqual(len(refusals), 2)  # student B and his teacher
        for problem in refusals:
            for secret in ("Sử", "Lan", "Phố Lu", w.student_b.code, "Bảo Thắng"):
                self.assertNotIn(secret, str(problem))
        self.assertEqual(
            (Person.objects.count(), Enrollment.objects.count(), OrgUnit.objects.count()),
            (persons, enrolments, units),
        )
        self.assertEqual(
            list(Enrollment.objects.filter(student=w.student_b).values_list("school_class_id")),
            [(w.class_b1.pk,)],
        )

    def test_export_with_another_systems_ids_reimports_unchanged(self) -> None:
        """Records that came from a platform are exported under the platform's ids, and the
        export imported again under the same unit finds every record."""
        w = self.world
        first = self.run_import(lms_tables(identifier=w.school_a.code), w.school_a)
        assert not first.refused, first.problems
        path = self.export(w.batxat, SchoolYear.objects.get(code="2022-2023"))
        bundle = read_bundle(path)
        self.assertIn("CLS-4A", {r["sourcedId"] for r in bundle.tables["classes"]})
        self.assertTrue({"U-1", "U-2"} <= {r["sourcedId"] for r in bundle.tables["users"]})
        persons, enrolments = Person.objects.count(), Enrollment.objects.count()
        again = oneroster_import(path=path, scope=w.batxat, by=None, day=DAY)
        assert not again.refused, again.problems
        for table in ("orgs", "classes", "users", "enrollments"):
            self.assertEqual(set(again.counts[table]), {"unchanged"}, table)
        self.assertEqual(
            (Person.objects.count(), Enrollment.objects.count()), (persons, enrolments)
        )


class PeopleOutOfReachTests(RosterTestCase):
    def test_national_id_of_a_school_b_student_is_refused_without_revealing(self) -> None:
        """Under school A, a user carrying the personal ID number of a student of school B
        (in userIds, identifier or a metadata column) is refused with a reason that names
        nobody; nothing is written, and school B's student is unchanged."""
        w = self.world
        before = Person.objects.get(pk=w.student_b.person.pk)
        carriers = [
            ("userIds", {"userIds": f"{{CCCD:{NID_STUDENT_B}}}"}),
            ("identifier", {"identifier": NID_STUDENT_B}),
            ("metadata.soDinhDanh", {"metadata.soDinhDanh": NID_STUDENT_B}),
        ]
        for column, fields in carriers:
            with self.subTest(column=column):
                persons = Person.objects.count()
                tables = lms_tables(
                    identifier=w.school_a.code,
                    users=[
                        user("U-1", "student", "Mỷ"),
                        user("U-2", "student", "Chơ", phone="0999999999", **fields),
                    ],
                )
                result = self.run_import(tables, w.school_a)
                self.assertTrue(result.refused)
                self.assertFalse(result.written)
                refusals = [p for p in result.problems if p.error]
                self.assertEqual(
                    [(p.file, p.line, p.column, p.message) for p in refusals],
                    [("users.csv", 3, column, str(outside_id()))],
                )
                for secret in ("Sử", "Giàng", "Phố Lu", w.school_b.code, w.student_b.code):
                    self.assertNotIn(secret, str(refusals[0]))
                self.assertEqual(Person.objects.count(), persons)
                after = Person.objects.get(pk=w.student_b.person.pk)
                self.assertEqual(
                    (after.given_name, after.phone, after.updated_at),
                    (before.given_name, before.phone, before.updated_at),
                )

    def test_partial_import_writes_the_other_rows_and_never_the_refused_one(self) -> None:
        """With ``partial``, the other users are imported; the refused one is neither
        created, nor linked to school B's student, nor enrolled."""
        w = self.world
        tables = lms_tables(
            identifier=w.school_a.code,
            users=[
                user("U-1", "student", "Mỷ"),
                user("U-2", "student", "Chơ", identifier=NID_STUDENT_B),
            ],
        )
        result = self.run_import(tables, w.school_a, partial=True)
        self.assertTrue(result.written)
        self.assertEqual(result.counts["users"], {"created": 1, "refused": 1})
        self.assertEqual(result.counts["enrollments"]["skipped (user refused)"], 1)
        self.assertEqual(self.enrolment_of("Mỷ").school, w.school_a)
        self.assertFalse(Person.objects.filter(given_name="Chơ").exists())
        self.assertEqual(
            list(Enrollment.objects.filter(student=w.student_b).values_list("school_class_id")),
            [(w.class_b1.pk,)],
        )
        self.assertFalse(ExternalRef.objects.filter(external_id="U-2").exists())

    def test_staff_national_id_and_student_code_of_school_b_are_refused(self) -> None:
        """The rule holds for a teacher's personal ID number and for a student code."""
        w = self.world
        tables = lms_tables(
            identifier=w.school_a.code,
            users=[
                user("T-1", "teacher", "Lan", userIds=f"{{CCCD:{NID_TEACHER_B}}}"),
                user("U-1", "student", "Mỷ", username=w.student_b.code),
            ],
        )
        result = self.run_import(tables, w.school_a, partial=True)
        refusals = [(p.line, p.column, p.message) for p in result.problems if p.error]
        self.assertEqual(
            refusals, [(2, "userIds", str(outside_id())), (3, "username", identifier_outside())]
        )
        self.assertEqual(w.teacher_a.person.staff.org_unit, w.school_a)
        self.assertFalse(
            Person.objects.filter(given_name__in=["Lan", "Mỷ"])
            .exclude(pk__in=[w.student_b.person.pk])
            .filter(family_name="Vàng")
            .exists()
        )

    def test_guardian_of_another_school_is_refused_and_not_linked(self) -> None:
        """Under school B, a parent row carrying the personal ID number of a parent of school
        A is refused; he is neither changed nor linked to the bundle's child."""
        w = self.world
        parent = Person.objects.get(national_id=NID_PARENT_A)
        links = GuardianLink.objects.count()
        tables = lms_tables(
            identifier=w.school_b.code,
            users=[
                user("U-1", "student", "Mỷ"),
                user(
                    "P-1",
                    "parent",
                    "Dình",
                    agentSourcedIds="U-1",
                    phone="0988888888",
                    **{"metadata.cccd": NID_PARENT_A},
                ),
            ],
        )
        result = self.run_import(tables, w.school_b, partial=True)
        self.assertEqual(
            [(p.line, p.column, p.message) for p in result.problems if p.error],
            [(3, "metadata.cccd", str(outside_id()))],
        )
        self.assertEqual(GuardianLink.objects.count(), links)
        after = Person.objects.get(pk=parent.pk)
        self.assertEqual((after.phone, after.updated_at), (parent.phone, parent.updated_at))
        self.assertEqual(self.enrolment_of("Mỷ").school, w.school_b)

    def test_national_id_inside_scope_finds_the_person(self) -> None:
        """Under school A, the personal ID number of school A's own student finds him: no
        second person is made."""
        w = self.world
        persons = Person.objects.count()
        tables = lms_tables(
            identifier=w.school_a.code,
            users=[
                user(
                    "U-9",
                    "student",
                    "Páo",
                    familyName="Giàng",
                    middleName="A",
                    identifier=NID_STUDENT_A1,
                )
            ],
        )
        result = self.run_import(tables, w.school_a)
        assert not result.refused, result.problems
        self.assertEqual(Person.objects.count(), persons)
        ref = ExternalRef.objects.get(system="LMS-X", record_type="user", external_id="U-9")
        self.assertEqual(ref.target_id, w.student_a1.person.pk)

    def test_identifiers_of_two_persons_refuse_the_row(self) -> None:
        """A user named as school A's student A1 but carrying student A2's personal ID number
        is refused: an import never decides which of two persons a row is."""
        w = self.world
        own = names.sourced_id(
            installation=installation_code(), kind=names.USER, pk=w.student_a1.person.pk
        )
        tables = lms_tables(
            org_sid=w.school_a.code,
            users=[user(own, "student", "Pao", identifier="010213000002")],
        )
        result = self.run_import(tables, w.school_a)
        self.assertEqual(
            [(p.line, p.column, p.message) for p in result.problems if p.error],
            [(2, "", identity_conflict())],
        )
        self.assertFalse(result.written)
        self.assertEqual(Person.objects.get(pk=w.student_a1.person.pk).given_name, "Páo")

    def test_new_person_keeps_a_valid_personal_id_number(self) -> None:
        """A new person's personal ID number from the bundle is stored when it is valid for
        his birth date and sex, so later imports find him by it."""
        tables = lms_tables(
            identifier=self.world.school_a.code,
            users=[user("U-1", "student", "Mỷ", identifier="010214000077")],
        )
        tables["demographics"] = [
            {"sourcedId": "U-1", "status": "active", "birthDate": "2014-02-03", "sex": "male"}
        ]
        result = self.run_import(tables, self.world.school_a)
        assert not result.refused, result.problems
        self.assertEqual(Person.objects.get(given_name="Mỷ").national_id, "010214000077")


class TreeVersionTests(RosterTestCase):
    def import_sample(self, scope: OrgUnit, day: dt.date) -> RosterResult:
        return oneroster_import(
            path=SAMPLES / "Test_full_data_set.zip", scope=scope, by=None, day=day
        )

    def placements(self, code: str) -> dict[str, str]:
        return dict(
            OrgPlacement.objects.filter(unit__code=code).values_list("version__code", "path")
        )

    def test_under_a_2022_tree_unit_after_2025(self) -> None:
        """Under Phòng Bát Xát, which exists only in the 2022 tree, a bundle imported in 2026
        works: its school is placed under the Phòng in the 2022 tree."""
        result = self.import_sample(self.world.batxat, dt.date(2026, 1, 10))
        assert not result.refused, result.problems
        self.assertEqual(
            self.placements("org-sch-222-456"), {"2022": "2022:SGD10.PGD082.org-sch-222-456."}
        )
        physics = SchoolClass.objects.get(name="Introduction to Physics")
        self.assertEqual(
            (physics.school.code, physics.school_year.code, physics.grade, physics.level),
            ("org-sch-222-456", "2022-2023", 9, "thcs"),
        )

    def test_under_a_2025_tree_unit_before_2025(self) -> None:
        """Under Xã Bát Xát, which exists only in the 2025 tree, a bundle imported with a 2022
        date works: its school is placed under the commune in the 2025 tree."""
        result = self.import_sample(self.world.commune_a, DAY)
        assert not result.refused, result.problems
        self.assertEqual(
            self.placements("org-sch-222-456"), {"2025": "2025:SGD15.XA02683.org-sch-222-456."}
        )

    def test_under_a_unit_of_both_trees(self) -> None:
        """Under school A, placed in both trees, a new unit is placed under it in both."""
        result = self.import_sample(self.world.school_a, DAY)
        assert not result.refused, result.problems
        self.assertEqual(
            self.placements("org-sch-222-456"),
            {
                "2022": "2022:SGD10.PGD082.10082001.org-sch-222-456.",
                "2025": "2025:SGD15.XA02683.10082001.org-sch-222-456.",
            },
        )

    def test_under_an_unplaced_unit_refused_with_a_message(self) -> None:
        """A unit placed in no tree version cannot hold a bundle: refused with a message,
        nothing written."""
        loose = org_services.orgunit_create(
            kind="school", code="10099001", name="Trường chưa xếp", by=None
        )
        units = OrgUnit.objects.count()
        result = self.import_sample(loose, DAY)
        self.assertTrue(result.refused)
        self.assertFalse(result.written)
        self.assertIn("Trường chưa xếp", str(result.problems[-1]))
        self.assertEqual(OrgUnit.objects.count(), units)


class GradeAndYearTests(SimpleTestCase):
    def test_grade_codes(self) -> None:
        """OneRoster grade codes map to vnemis grades and levels; codes vnemis has no grade
        for, and non-ASCII digits, map to nothing."""
        cases = {
            "KG": (0, "mn"),
            "PK": (0, "mn"),
            "IT": (0, "mn"),
            "00": (0, "mn"),
            "01": (1, "th"),
            "5": (5, "th"),
            "06": (6, "thcs"),
            "09,10,11": (9, "thcs"),
            "12": (12, "thpt"),
            "UG,04": (4, "th"),
            "13": None,
            "PS": None,
            "UG": None,
            "Other": None,
            "": None,
            "٠٩": None,
        }
        for code, expected in cases.items():
            with self.subTest(code=code):
                self.assertEqual(grade_level(code), expected)
        self.assertEqual(grade_level("10", school_levels=["gdtx"]), (10, "gdtx"))
        self.assertEqual(grade_level("10", school_levels=["gdtx", "thpt"]), (10, "thpt"))

    def test_session_school_year(self) -> None:
        """A session's school year is its schoolYear, else read from its dates; implausible
        years are none."""
        today = dt.date(2026, 1, 10)
        cases = [
            ({"schoolYear": "2023"}, 2023),
            ({"schoolYear": "", "endDate": "2022-12-24"}, 2023),
            ({"schoolYear": "", "endDate": "2023-05-31"}, 2023),
            ({"schoolYear": "", "startDate": "2022-09-05"}, 2023),
            ({"schoolYear": "", "startDate": "2023-01-09"}, 2023),
            ({"schoolYear": "0001"}, None),
            ({"schoolYear": "9999"}, None),
            ({"schoolYear": "", "endDate": "not a date"}, None),
        ]
        for row, expected in cases:
            with self.subTest(row=row):
                self.assertEqual(session_end_year(row, today=today), expected)

    def test_own_names(self) -> None:
        """Only this installation's names of the asked kind give a primary key."""
        name = names.sourced_id(installation="abc234", kind=names.CLASS, pk=42)
        self.assertEqual(name, "vnemis-abc234-cls-42")
        self.assertEqual(names.own_pk(name, installation="abc234", kind=names.CLASS), 42)
        for value, installation, kind in [
            (name, "xyz789", names.CLASS),
            (name, "abc234", names.USER),
            ("cls-42", "abc234", names.CLASS),
            ("vnemis-abc234-cls-042", "abc234", names.CLASS),
            ("vnemis-abc234-cls-42 ", "abc234", names.CLASS),
        ]:
            with self.subTest(value=value, installation=installation, kind=kind):
                self.assertIsNone(names.own_pk(value, installation=installation, kind=kind))


class BundleReadingTests(SimpleTestCase):
    def folder(self, users_header: list[str]) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="roster-"))
        self.addCleanup(shutil.rmtree, folder)
        (folder / "manifest.csv").write_text(
            "propertyName,value\noneroster.version,1.1\nfile.users,bulk\n", encoding="utf-8"
        )
        row = ["U-1", "active"] + [""] * (len(users_header) - 2)
        (folder / "users.csv").write_text(
            ",".join(users_header) + "\n" + ",".join(row) + "\n", encoding="utf-8"
        )
        return folder

    def test_metadata_extension_columns_are_read(self) -> None:
        """Trailing "metadata.<name>" columns, which the binding allows, are read; any other
        extra column is still an error."""
        spec = HEADERS["1.1"]["users"]
        bundle = read_bundle(self.folder([*spec, "metadata.cccd"]))
        self.assertEqual(bundle.errors, [])
        self.assertEqual(bundle.tables["users"][0]["metadata.cccd"], "")
        bundle = read_bundle(self.folder([*spec, "cccd"]))
        self.assertEqual(
            [(p.file, p.column, p.message) for p in bundle.errors],
            [("users.csv", str(len(spec) + 1), "cột thừa 'cccd'")],
        )

    def test_zip_bomb_is_refused_before_unpacking(self) -> None:
        """A bundle whose members compress a thousandfold is refused from its directory,
        without decompressing anything."""
        folder = Path(tempfile.mkdtemp(prefix="bomb-"))
        self.addCleanup(shutil.rmtree, folder)
        path = folder / "bomb.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.csv", "propertyName,value\noneroster.version,1.2\n")
            archive.writestr("users.csv", b"\0" * (8 << 20))
        with self.assertRaises(BundleError) as caught:
            read_bundle(path)
        self.assertEqual(len(caught.exception.problems), 1)
        self.assertEqual(caught.exception.problems[0].file, "bomb.zip")
        self.assertIn("100", caught.exception.problems[0].message)
