from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from vnemis.organisations import services
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear, TreeVersion
from vnemis.organisations.scope import user_scope
from vnemis.testing.personas import PersonaTestCase


class TreeTests(PersonaTestCase):
    def test_versions_by_date(self) -> None:
        self.assertEqual(TreeVersion.for_date(dt.date(2022, 6, 30)).code, "2022")
        self.assertEqual(TreeVersion.for_date(dt.date(2025, 6, 30)).code, "2022")
        self.assertEqual(TreeVersion.for_date(dt.date(2025, 7, 1)).code, "2025")

    def test_school_has_a_path_in_each_version(self) -> None:
        paths = sorted(
            OrgPlacement.objects.filter(unit=self.world.school_a).values_list("path", flat=True)
        )
        self.assertEqual(paths, ["2022:SGD10.PGD082.10082001.", "2025:SGD15.XA02683.10082001."])

    def test_subtree_query_uses_the_trailing_dot(self) -> None:
        services.orgunit_create(kind="district_office", code="PGD08", name="Decoy", by=None)
        decoy = OrgUnit.objects.get(code="PGD08")
        services.orgunit_place(
            unit=decoy,
            version=TreeVersion.objects.get(code="2022"),
            parent=self.world.province,
            by=None,
        )
        under = OrgUnit.objects.under_paths(("2022:SGD10.PGD08.",))
        self.assertEqual(list(under.values_list("code", flat=True)), ["PGD08"])

    def test_scope_of_district_officer(self) -> None:
        scope = user_scope(self.world.users["batxat_officer"])
        self.assertEqual(scope.paths, ("2022:SGD10.PGD082.",))
        scope = user_scope(self.world.users["principal_a"])
        self.assertEqual(
            scope.paths, ("2022:SGD10.PGD082.10082001.", "2025:SGD15.XA02683.10082001.")
        )
        self.assertEqual(user_scope(self.world.users["nobody"]).paths, ())

    def test_department_role_follows_the_merger_but_district_roles_do_not(self) -> None:
        self.assertEqual(
            user_scope(self.world.users["province_officer"]).paths, ("2022:SGD10.", "2025:SGD15.")
        )
        self.assertEqual(
            user_scope(self.world.users["batxat_officer"]).paths, ("2022:SGD10.PGD082.",)
        )

    def test_placing_twice_or_under_an_unplaced_parent_is_refused(self) -> None:
        v22 = TreeVersion.objects.get(code="2022")
        with self.assertRaises(ValidationError):
            services.orgunit_place(
                unit=self.world.school_a, version=v22, parent=self.world.batxat, by=None
            )
        with self.assertRaises(ValidationError):
            services.orgunit_place(
                unit=self.world.province,
                version=TreeVersion.objects.get(code="2025"),
                parent=self.world.batxat,
                by=None,
            )

    def test_site_must_belong_to_a_school(self) -> None:
        with self.assertRaises(ValidationError):
            services.orgunit_create(kind="site", code="X-01", name="Điểm lẻ", by=None)

    def test_school_year_code_matches_dates(self) -> None:
        year = SchoolYear(
            code="2030-2031", starts_on=dt.date(2029, 9, 5), ends_on=dt.date(2030, 5, 31)
        )
        with self.assertRaises(ValidationError):
            year.full_clean()


class AdminUnitDataTests(PersonaTestCase):
    def test_project_districts_match_the_package_legacy_data(self) -> None:
        from vietnam_provinces import legacy

        from vnemis.organisations.admin_units import laocai_districts_2022

        package = {
            f"{int(d.code):03d}": d.name
            for d in legacy.District.iter_by_province(legacy.ProvinceCode(10))
        }
        ours = {d.code: d.name for d in laocai_districts_2022()}
        self.assertEqual(ours, package)

    def test_every_old_laocai_commune_has_a_successor(self) -> None:
        from vnemis.organisations.admin_units import (
            commune_successors,
            laocai_districts_2022,
            legacy_communes,
        )

        successors = commune_successors(15)
        old = [c.code for d in laocai_districts_2022() for c in legacy_communes(d.code)]
        self.assertTrue(old)
        self.assertEqual([c for c in old if c not in successors], [])
