"""OneRoster imports place their units under a unit of either tree version, and enrolments
take the bundle's school year and grades; bundles are read as the binding says."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.test import SimpleTestCase

from vnemis.imports.oneroster import ids as names
from vnemis.imports.oneroster.bundle import HEADERS, BundleError, read_bundle
from vnemis.imports.oneroster.importer import RosterResult, oneroster_import
from vnemis.imports.oneroster.structure import grade_level, session_end_year
from vnemis.imports.tests.roster_cases import (
    DAY,
    SAMPLES,
    RosterTestCase,
)
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgPlacement, OrgUnit
from vnemis.people.models import SchoolClass


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
