"""OneRoster imports reach only the importer's scope: other systems' and other installations'
sourcedIds never name this database's records, and people out of reach are refused without
being revealed."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from vnemis.core.installation import installation_code
from vnemis.imports.formats.base import outside_id
from vnemis.imports.models import ExternalRef
from vnemis.imports.oneroster import ids as names
from vnemis.imports.oneroster.bundle import read_bundle
from vnemis.imports.oneroster.exporter import oneroster_export
from vnemis.imports.oneroster.importer import oneroster_import
from vnemis.imports.oneroster.users import identifier_outside, identity_conflict
from vnemis.imports.tests.roster_cases import (
    DAY,
    NID_PARENT_A,
    NID_STUDENT_A1,
    NID_STUDENT_B,
    NID_TEACHER_B,
    RosterTestCase,
    lms_tables,
    user,
)
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.models import Enrollment, GuardianLink, Person, SchoolClass


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
