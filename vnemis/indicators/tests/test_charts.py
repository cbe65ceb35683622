"""The operations centre's charts: their numbers, their cost, their page and their library."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.templatetags.static import static
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from vnemis.accounts.models import User
from vnemis.digital import services as digital
from vnemis.indicators import charts, services
from vnemis.indicators.models import Indicator
from vnemis.indicators.periods import parse_period
from vnemis.indicators.templatetags.indicator_charts import figure
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgUnit, TreeVersion
from vnemis.testing.personas import PersonaTestCase

H2_2021, H1_2022, H2_2022 = (parse_period(c) for c in ("2021H2", "2022H1", "2022H2"))
START = dt.date(2021, 9, 5)


def _school(code: str, name: str, parent: OrgUnit) -> OrgUnit:
    school = org_services.orgunit_create(
        kind="school", code=code, name=name, by=None, groups=[("level", "th")]
    )
    org_services.orgunit_place(
        unit=school, version=TreeVersion.objects.get(code="2022"), parent=parent, by=None
    )
    return school


class ChartWorld(PersonaTestCase):
    """The test world with a connection and a cashless story over two half-years:

    - school A (Bát Xát): wired; cashless payment from 1 March 2022;
    - school C (Bát Xát, added here): no connection, no cashless payment;
    - school B (Bảo Thắng): 3G/4G, no cashless payment;
    - site A (of school A): no connection; site B2 (of school B, added here): nothing recorded;
    - the Department's cashless target: 60 % for 2022H1, 80 % for 2022H2 (not computed).
    """

    school_c: ClassVar[OrgUnit]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.school_c = _school("10082002", "Trường Tiểu học Quang Kim", w.batxat)
        site_b2 = org_services.orgunit_create(
            kind="site", code="10086001-02", name="Điểm trường Phố Lu 2", school=w.school_b, by=None
        )
        org_services.orgunit_place(
            unit=site_b2, version=TreeVersion.objects.get(code="2022"), parent=w.school_b, by=None
        )
        record = digital.digital_profile_record
        record(unit=w.school_a, valid_from=START, by=None, internet="wired")
        record(unit=w.school_a, valid_from=dt.date(2022, 3, 1), by=None, cashless_payment=True)
        record(unit=cls.school_c, valid_from=START, by=None, internet="none")
        record(unit=w.school_b, valid_from=START, by=None, internet="mobile")
        record(unit=w.site_a, valid_from=START, by=None, internet="none")
        cashless = Indicator.objects.get(code="cashless_schools")
        for period, value in ((H1_2022, 60), (H2_2022, 80)):
            services.target_set(
                indicator=cashless, period=period, unit=w.province, value=Decimal(value), by=None
            )
        for period in (H2_2021, H1_2022):
            services.element_values_refresh(period=period)

    def dashboard(self, persona: str, query: str) -> charts.DashboardCharts:
        response = self.get_as(persona, reverse("indicators:dashboard") + query)
        self.assertEqual(response.status_code, 200)
        data: charts.DashboardCharts = response.context["charts"]
        return data


class ChartDataTests(ChartWorld):
    def test_trend_has_each_computed_period_and_the_next_target(self) -> None:
        """The trend shows the computed half-years up to the chosen one, then 2022H2, which has
        a target but no values; the province's value and the target nearest above per period."""
        data = self.dashboard(
            "province_officer", "?org=SGD10&period=2022H1&indicator=cashless_schools"
        )
        assert data.trend is not None
        self.assertEqual(
            [(p.period.code, p.value, p.target, p.computed) for p in data.trend.points],
            [
                ("2021H2", Decimal("0.0"), None, True),
                ("2022H1", Decimal("33.3"), Decimal("60"), True),
                ("2022H2", None, Decimal("80"), False),
            ],
        )
        as_json = data.trend.as_json()
        self.assertEqual(as_json["values"], [0, 33.3, None])
        self.assertEqual(as_json["targets"], [None, 60, 80])
        self.assertEqual(
            as_json["indicator"],
            {"code": "cashless_schools", "name": data.trend.indicator.name, "unit": "%"},
        )

    def test_cards_show_the_computed_periods_only(self) -> None:
        """A card's line of values stops at the computed periods: 0 then 33,3."""
        data = self.dashboard("province_officer", "?org=SGD10&period=2022H1")
        card = next(v for v in data.values if v.indicator.code == "cashless_schools")
        self.assertEqual(
            [(p.code, value) for p, value in data.card_trend(card)],
            [("2021H2", Decimal("0.0")), ("2022H1", Decimal("33.3"))],
        )

    def test_bars_rank_the_units_below_best_first(self) -> None:
        """Bát Xát (1 of 2 schools) before Bảo Thắng (0 of 1), each with its own figures."""
        data = self.dashboard(
            "province_officer", "?org=SGD10&period=2022H1&indicator=cashless_schools"
        )
        assert data.bars is not None
        self.assertEqual(
            [(u.code, v.numerator, v.denominator, v.value) for u, v in data.bars.rows],
            [
                ("PGD082", Decimal(1), Decimal(2), Decimal("50.0")),
                ("PGD086", Decimal(0), Decimal(1), Decimal("0.0")),
            ],
        )
        as_json = data.bars.as_json()
        self.assertEqual(as_json["values"], [50, 0])
        self.assertEqual(as_json["target"], 60)
        self.assertEqual(as_json["units"], ["Phòng GD&ĐT Bát Xát", "Phòng GD&ĐT Bảo Thắng"])

    def test_bars_of_a_district_list_only_its_schools(self) -> None:
        """Bát Xát's officer sees its two schools ranked, never Bảo Thắng's."""
        data = self.dashboard("batxat_officer", "?period=2022H1&indicator=cashless_schools")
        assert data.bars is not None
        self.assertEqual(
            [(u.code, v.value) for u, v in data.bars.rows],
            [("10082001", Decimal("100.0")), ("10082002", Decimal("0.0"))],
        )

    def test_connection_mix_of_schools_and_sites(self) -> None:
        """Schools: 1 wired, 1 on 3G/4G, 1 without; sites: 1 without, 1 with nothing recorded."""
        data = self.dashboard("province_officer", "?org=SGD10&period=2022H1")
        assert data.mix is not None
        self.assertEqual(
            [(r.wired, r.mobile, r.none, r.not_recorded, r.total) for r in data.mix.rows],
            [(1, 1, 1, 0, 3), (0, 0, 1, 1, 2)],
        )
        as_json = json.loads(json.dumps(data.mix.as_json()))  # as the page gives it
        self.assertEqual(as_json["categories"], ["Trường học", "Điểm trường"])
        self.assertEqual(
            [(s["key"], s["data"]) for s in as_json["series"]],
            [("wired", [1, 0]), ("mobile", [1, 0]), ("none", [1, 1]), ("not_recorded", [0, 1])],
        )

    def test_no_mix_for_a_period_not_computed(self) -> None:
        """A period without values has no connection mix to draw (not a chart of zeros)."""
        data = self.dashboard("province_officer", "?org=SGD10&period=2022H2")
        self.assertIsNone(data.mix)

    def test_school_trend(self) -> None:
        """School A's own trend: 0 % then 100 % cashless, under the Department's targets."""
        w = self.world
        data = charts.school_charts(
            user=w.users["principal_a"], school=w.school_a, indicator_code="cashless_schools"
        )
        assert data is not None
        self.assertEqual(
            [(p.period.code, p.value, p.target) for p in data.trend.points],
            [
                ("2021H2", Decimal("0.0"), None),
                ("2022H1", Decimal("100.0"), Decimal("60")),
                ("2022H2", None, Decimal("80")),
            ],
        )
        # The Department's reported figures have no value at a school: not offered.
        self.assertNotIn("procedures_online", [i.code for i in data.choices])
        self.assertIn("internet_schools", [i.code for i in data.choices])

    def test_school_trend_is_refused_outside_the_scope(self) -> None:
        """Principal A has no figures of school B; a teacher none of her own school."""
        w = self.world
        for persona, school in (("principal_a", w.school_b), ("teacher_a", w.school_a)):
            self.assertIsNone(
                charts.school_charts(user=w.users[persona], school=school, indicator_code=None)
            )


class ChartQueryTests(ChartWorld):
    def count_queries(self) -> int:
        w = self.world
        # A fresh user each time: the scope is cached on the user object after its first read.
        user = User.objects.get(username="province_officer")
        with CaptureQueriesContext(connection) as queries:
            charts.dashboard_charts(
                user=user,
                unit=w.province,
                period=H1_2022,
                computed=services.computed_periods(),
                indicator_code="cashless_schools",
            )
        return len(queries)

    def test_queries_do_not_grow_with_the_units(self) -> None:
        """Each period is read once: 20 more schools under Bảo Thắng cost no query more, and
        the charts of three periods stay within 30 queries (at most 8 per period for its
        values and targets, 6 for the periods, the units below and the user's scope)."""
        before = self.count_queries()
        self.assertLessEqual(before, 8 * 3 + 6)
        for i in range(20):
            school = _school(f"1008610{i:02d}", f"Trường {i}", self.world.baothang)
            digital.digital_profile_record(
                unit=school, valid_from=START, by=None, internet="wired", cashless_payment=True
            )
        for period in (H2_2021, H1_2022):
            services.element_values_refresh(period=period)
        self.assertEqual(self.count_queries(), before)
        # The new schools do count: 21 of 23 schools are cashless now.
        data = self.dashboard(
            "province_officer", "?org=SGD10&period=2022H1&indicator=cashless_schools"
        )
        assert data.chosen is not None
        self.assertEqual((data.chosen.numerator, data.chosen.denominator), (21, 23))


class _Scripts(HTMLParser):
    """Every <script> of a page, with its attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def _scripts(html: str) -> list[tuple[dict[str, str | None], str]]:
    parser = _Scripts()
    parser.feed(html)
    return parser.scripts


class ChartPageTests(ChartWorld):
    def test_dashboard_gives_chart_data_and_no_inline_script(self) -> None:
        """The three charts' numbers are json_script data; every other script has a src."""
        response = self.get_as(
            "province_officer",
            reverse("indicators:dashboard") + "?org=SGD10&period=2022H1&indicator=cashless_schools",
        )
        scripts = _scripts(response.content.decode())
        data = {
            attrs["id"]: json.loads(text)
            for attrs, text in scripts
            if attrs.get("type") == "application/json"
        }
        self.assertEqual(set(data), {"chart-trend-data", "chart-bars-data", "chart-mix-data"})
        self.assertEqual(data["chart-trend-data"]["values"], [0, 33.3, None])
        self.assertEqual(data["chart-bars-data"]["values"], [50, 0])
        self.assertEqual(data["chart-mix-data"]["series"][0]["data"], [1, 0])
        sources = [a["src"] for a, _t in scripts if a.get("type") != "application/json"]
        self.assertTrue(all(sources), "a script without src would need 'unsafe-inline'")
        self.assertIn(static("vendor/echarts/echarts.min.js"), sources)
        self.assertIn(static("js/charts.js"), sources)
        self.assertNotIn("style=", response.content.decode())
        # Each chart has its table view and its PNG button.
        self.assertEqual(len(re.findall(r'<details class="chart-table"', response.text)), 3)
        self.assertContains(response, "data-chart-png=", count=3)

    def test_table_view_in_vietnamese_and_english(self) -> None:
        """The table beside the chart writes 33,3% in Vietnamese and 33.3% in English."""
        url = (
            reverse("indicators:dashboard") + "?org=SGD10&period=2022H1&indicator=cashless_schools"
        )
        self.assertContains(self.get_as("province_officer", url), '<td class="num">33,3%</td>')
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.assertContains(self.client.get(url), '<td class="num">33.3%</td>')

    def test_school_page_has_the_trend_for_the_principal_only(self) -> None:
        """Principal A's school page has school A's trend; teacher A's has no chart at all."""
        url = reverse("people:school_detail", args=[self.world.school_a.code])
        response = self.get_as("principal_a", url + "?indicator=cashless_schools")
        data = {
            a["id"]: json.loads(t)
            for a, t in _scripts(response.content.decode())
            if a.get("type") == "application/json"
        }
        self.assertEqual(data["chart-trend-data"]["values"], [0, 100, None])
        self.assertContains(response, 'data-chart-png="chart-trend"')
        response = self.get_as("teacher_a", url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "chart-trend")
        self.assertNotContains(response, "echarts")


class EchartsAssetTests(TestCase):
    ASSET = "vendor/echarts/echarts.min.js"

    def pinned_version(self) -> str:
        lock = json.loads((Path(settings.BASE_DIR) / "package-lock.json").read_text())
        version: str = lock["packages"]["node_modules/echarts"]["version"]
        return version

    def test_the_finders_find_the_pinned_build(self) -> None:
        """`make setup` puts the locked ECharts build where the static finders look."""
        found = finders.find(self.ASSET)
        self.assertIsNotNone(found, "run `make setup` (npm ci) to install ECharts")
        head = Path(str(found)).read_text(encoding="utf-8")
        self.assertEqual(re.findall(r'version="([0-9.]+)"', head), [self.pinned_version()])

    def test_whitenoise_serves_it_after_collectstatic(self) -> None:
        """As `vnemis serve` runs it: collected, then served by WhiteNoise from our origin."""
        with tempfile.TemporaryDirectory() as root, override_settings(STATIC_ROOT=root):
            call_command("collectstatic", interactive=False, verbosity=0)
            response = self.client.get(static(self.ASSET), HTTP_ACCEPT_ENCODING="gzip")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Content-Type"], 'text/javascript; charset="utf-8"')
            self.assertEqual(response["Content-Encoding"], "gzip")
            response.close()


class FigureFilterTests(SimpleTestCase):
    def test_figures_in_vietnamese_and_english(self) -> None:
        """Grouped thousands, at most two decimals, no trailing zeros, a dash when missing."""
        cases = [
            (Decimal("228322"), "228.322", "228,322"),
            (Decimal("87.25"), "87,25", "87.25"),
            (Decimal("33.30"), "33,3", "33.3"),
            (Decimal("80.00"), "80", "80"),
            (Decimal("1234.567"), "1.234,57", "1,234.57"),
            (None, "—", "—"),
        ]
        for value, vi, en in cases:
            with translation.override("vi"):
                self.assertEqual(figure(value), vi)
            with translation.override("en"):
                self.assertEqual(figure(value), en)
