"""The OneRoster sample bundles of shared/data: the valid ones import, the flawed one is
refused with precise messages, and importing twice changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from vnemis.core.installation import installation_code
from vnemis.imports.oneroster.importer import RosterResult, oneroster_import
from vnemis.people.models import Enrollment, Person, SchoolClass, Staff, Student
from vnemis.testing.personas import PersonaTestCase

SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "data" / "oneroster"
DAY = dt.date(2022, 10, 1)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/data/oneroster is not beside the project")
class OneRosterSampleTests(PersonaTestCase):
    def run_import(self, name: str, dry_run: bool = False) -> RosterResult:
        return oneroster_import(
            path=SAMPLES / name, scope=self.world.batxat, by=None, dry_run=dry_run, day=DAY
        )

    def test_full_v11_bundle_imports_and_reimports_unchanged(self) -> None:
        result = self.run_import("Test_full_data_set.zip")
        assert not result.refused, result.problems
        self.assertEqual(result.counts["users"]["created"], 6)
        self.assertEqual(result.counts["classes"]["created"], 1)  # the other is tobedeleted
        self.assertEqual(result.counts["orgs"]["created"], 1)
        # A warning names the dangling parent org.
        self.assertTrue(any("org-sch-222-3456" in str(p) for p in result.problems))
        physics = SchoolClass.objects.get(name="Introduction to Physics")
        self.assertEqual((physics.grade, physics.level), (9, "thcs"))
        self.assertEqual(Enrollment.objects.filter(school_class=physics).count(), 2)
        self.assertEqual(Staff.objects.filter(person__email="john.doe@myschool.com").count(), 1)
        self.assertEqual(physics.homeroom_teacher.person.given_name, "John")  # type: ignore[union-attr]
        persons, students = Person.objects.count(), Student.objects.count()
        again = self.run_import("Test_full_data_set.zip")
        self.assertEqual(again.counts["users"], {"unchanged": 6})
        self.assertEqual((Person.objects.count(), Student.objects.count()), (persons, students))

    def test_minimal_v11_and_v12_delta_bundles_import(self) -> None:
        minimal = self.run_import("Test_minimal_data_set.zip")
        assert not minimal.refused, minimal.problems
        self.assertEqual(minimal.counts["users"]["created"], 6)
        delta = self.run_import("oneroster_test_data.zip")
        assert not delta.refused, delta.problems
        bruce = Person.objects.get(given_name="Bruce")
        self.assertEqual(bruce.birth_date, dt.date(2010, 4, 17))
        self.assertTrue(Student.objects.filter(person=bruce).exists())

    def test_flawed_v12_bundle_is_refused_with_precise_messages(self) -> None:
        before = Person.objects.count()
        result = self.run_import("v1p2_full_dataset.zip")
        self.assertTrue(result.refused)
        messages = [str(p) for p in result.problems if p.error]
        self.assertIn(
            "users.csv, dòng 1, cột 18: tên cột 'prefferedGivenName' không đúng, "
            "phải là 'preferredGivenName'",
            messages,
        )
        self.assertIn(
            "roles.csv, dòng 1, cột 3: tên cột 'dataLastModified' không đúng, "
            "phải là 'dateLastModified'",
            messages,
        )
        self.assertTrue(any(m.startswith("manifest.csv, cột file.userProfiles") for m in messages))
        self.assertEqual(Person.objects.count(), before)

    def test_dry_run_writes_nothing(self) -> None:
        before = Person.objects.count()
        result = self.run_import("Test_full_data_set.zip", dry_run=True)
        self.assertEqual(result.counts["users"]["created"], 6)
        self.assertEqual(Person.objects.count(), before)


class OneRosterExportTests(PersonaTestCase):
    def test_export_reimports_unchanged(self) -> None:
        import tempfile
        import zipfile

        from vnemis.imports.oneroster.bundle import read_bundle
        from vnemis.imports.oneroster.exporter import oneroster_export

        content = oneroster_export(scope=self.world.batxat, school_year=self.world.year)
        path = Path(tempfile.mkdtemp()) / "vnemis.zip"
        path.write_bytes(content)
        bundle = read_bundle(path)
        self.assertEqual(bundle.errors, [])
        self.assertEqual(bundle.version, "1.2")
        with zipfile.ZipFile(path) as archive:
            self.assertIn("users.csv", archive.namelist())
        # Users are named with this installation's code; their student code is the identifier.
        users = {r["sourcedId"]: r["identifier"] for r in bundle.tables["users"]}
        code = installation_code()
        a1, b = self.world.student_a1, self.world.student_b
        self.assertEqual(users[f"vnemis-{code}-usr-{a1.person.pk}"], a1.code)
        self.assertNotIn(b.code, users.values())  # Bảo Thắng is outside the scope
        self.assertNotIn(f"vnemis-{code}-usr-{b.person.pk}", users)
        persons, enrollments = Person.objects.count(), Enrollment.objects.count()
        result = oneroster_import(
            path=path, scope=self.world.batxat, by=None, day=dt.date(2021, 10, 1)
        )
        assert not result.refused, result.problems
        self.assertEqual(set(result.counts["users"]), {"unchanged"})
        self.assertEqual(set(result.counts["classes"]), {"unchanged"})
        self.assertEqual(set(result.counts["orgs"]), {"unchanged"})
        self.assertEqual(set(result.counts["enrollments"]), {"unchanged"})
        self.assertEqual(
            (Person.objects.count(), Enrollment.objects.count()), (persons, enrollments)
        )
