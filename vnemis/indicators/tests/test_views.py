"""Dashboard and drill-through: scoped by role, and lists that match the figures."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from vnemis.digital import services as digital
from vnemis.indicators import services
from vnemis.indicators.periods import parse_period
from vnemis.people.tests.test_access import _matrix
from vnemis.testing.personas import PersonaTestCase


class DashboardTests(PersonaTestCase):
    def setUp(self) -> None:
        w = self.world
        digital.digital_profile_record(
            unit=w.school_a,
            valid_from=dt.date(2021, 9, 5),
            by=None,
            internet="wired",
            cashless_payment=True,
        )
        digital.digital_profile_record(
            unit=w.school_b, valid_from=dt.date(2021, 9, 5), by=None, internet="wired"
        )
        digital.student_record_set(
            student=w.student_a1,
            school_year=w.year,
            by=None,
            transcript_issued_on=dt.date(2022, 2, 1),
        )
        services.element_values_refresh(period=parse_period("2022H1"))

    def url(self, org: str = "SGD10") -> str:
        return reverse("indicators:dashboard") + f"?org={org}&period=2022H1"

    def test_matrix(self) -> None:
        self.assert_matrix(self.url(), _matrix({"department_admin", "province_officer"}))
        self.assert_matrix(
            self.url("PGD082"), _matrix({"department_admin", "province_officer", "batxat_officer"})
        )

    def test_district_officer_sees_only_the_district(self) -> None:
        response = self.get_as(
            "batxat_officer",
            reverse("indicators:dashboard") + "?period=2022H1&indicator=cashless_schools",
        )
        self.assertEqual(response.context["unit"], self.world.batxat)
        self.assertEqual([u.code for u, _v in response.context["children"]], ["10082001"])

    def test_dashboard_shows_where_the_schools_stand_in_the_qd_4725_cycle(self) -> None:
        """The schools under the unit, counted by the status of this year's self-assessment:
        Bát Xát's one school has a draft; the province's other school has not started."""
        w = self.world
        digital.self_assessment_prepare(
            school=w.school_a, school_year=w.year, day=dt.date(2022, 5, 1), by=None
        )
        district = dict(
            (s, n)
            for s, _label, n in self.get_as("batxat_officer", self.url("PGD082")).context[
                "assessments"
            ]
        )
        self.assertEqual((district["draft"], district["not_started"]), (1, 0))
        province = self.get_as("province_officer", self.url())
        counts = {s: n for s, _label, n in province.context["assessments"]}
        self.assertEqual((counts["draft"], counts["not_started"], counts["submitted"]), (1, 1, 0))
        self.assertContains(province, "status=not_started")

    def test_province_chart_lists_both_districts(self) -> None:
        response = self.get_as("province_officer", self.url() + "&indicator=cashless_schools")
        rows = [(u.code, v.numerator, v.denominator) for u, v in response.context["children"]]
        self.assertEqual(rows, [("PGD082", 1, 1), ("PGD086", 0, 1)])

    def test_drill_through_matches_the_figures(self) -> None:
        base = reverse("indicators:records") + "?org=SGD10&period=2022H1&indicator="
        response = self.get_as("province_officer", base + "cashless_schools")
        self.assertEqual([u.code for u in response.context["page"]], ["10082001"])
        response = self.get_as("province_officer", base + "e_transcript_students&complement=1")
        self.assertEqual(
            sorted(e.student.code for e in response.context["page"]),
            sorted([self.world.student_a2.code, self.world.student_b.code]),
        )
        # The page's ?export= leads to the exports app's file of the same records.
        export = self.client.get(base + "e_transcript_students&export=xlsx", follow=True)
        sheet = load_workbook(io.BytesIO(export.content)).active
        self.assertEqual(
            [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)],
            [self.world.student_a1.code],
        )

    def test_drill_through_pages_take_their_count_from_the_figure(self) -> None:
        """The list behind a figure is not counted again: its length is the figure."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        base = reverse("indicators:records") + "?org=SGD10&period=2022H1&indicator="
        self.client.force_login(self.world.users["province_officer"])
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(base + "e_transcript_students&complement=1")
        self.assertEqual(response.context["page"].paginator.count, 2)
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        self.assertEqual(counts, [])

    def test_sites_of_lower_secondary_schools_are_not_counted(self) -> None:
        """The seed counts the sites of preschools and primary schools: a lower-secondary
        school's site is in neither the figure nor the list behind it."""
        from vnemis.organisations import services as org_services
        from vnemis.organisations.models import TreeVersion

        w = self.world
        thcs = org_services.orgunit_create(
            kind="school",
            code="10082099",
            name="Trường THCS Thử",
            by=None,
            groups=[("level", "thcs")],
            ownership="cong_lap",
        )
        site = org_services.orgunit_create(
            kind="site", code="10082099-01", name="Điểm trường lẻ", school=thcs, by=None
        )
        v22 = TreeVersion.objects.get(code="2022")
        org_services.orgunit_place(unit=thcs, version=v22, parent=w.batxat, by=None)
        org_services.orgunit_place(unit=site, version=v22, parent=thcs, by=None)
        for unit in (w.site_a, site):
            digital.digital_profile_record(
                unit=unit, valid_from=dt.date(2021, 9, 5), by=None, internet="mobile"
            )
        services.element_values_refresh(period=parse_period("2022H1"))
        response = self.get_as("province_officer", self.url("PGD082"))
        mobile = next(
            v for v, _t in response.context["cards"] if v.indicator.code == "sites_mobile"
        )
        self.assertEqual((mobile.numerator, mobile.denominator), (1, 1))
        listed = self.get_as(
            "province_officer",
            reverse("indicators:records") + "?org=PGD082&period=2022H1&indicator=sites_mobile",
        )
        self.assertEqual([u.code for u in listed.context["page"]], [w.site_a.code])

    def test_drill_through_is_scoped(self) -> None:
        url = (
            reverse("indicators:records")
            + "?org=PGD086&period=2022H1&indicator=schools_in_database"
        )
        self.assertEqual(self.get_as("batxat_officer", url).status_code, 404)
        self.assertEqual(self.get_as("baothang_officer", url).status_code, 200)

    def test_reported_figures_form(self) -> None:
        url = reverse("indicators:reported") + "?org=SGD10&period=2022H1"
        self.assertEqual(self.get_as("province_officer", url).status_code, 404)
        self.client.force_login(self.world.users["department_admin"])
        response = self.client.post(
            url, {"work_records_online_pct": "97,5", "dossiers_online_pct": "120"}
        )
        self.assertEqual(response.status_code, 200)  # 120 is refused, the page says why
        self.assertContains(response, "0 đến 100")
        response = self.client.get(self.url())
        card = next(
            v for v, _t in response.context["cards"] if v.indicator.code == "work_records_online"
        )
        self.assertEqual(str(card.value), "98")  # 97,5 % shown with 0 decimals, rounded half up

    def test_legacy_figure_check_page(self) -> None:
        response = self.get_as(
            "province_officer", reverse("indicators:check") + "?figure=168/612+(24,4%25)"
        )
        self.assertFalse(response.context["result"].consistent)
        self.assertEqual(self.get_as("parent_a", reverse("indicators:check")).status_code, 404)
