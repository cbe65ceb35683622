"""The dashboard page costs the same queries whatever the number of units below the one shown
(the tree is indexed once per version; one unit's targets are read along its own path)."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vnemis.digital import services as digital
from vnemis.indicators import services
from vnemis.indicators.tests.test_charts import H1_2022, H2_2021, START, ChartWorld, _school

# Measured on 2026-12-03 (a change that adds a query per request should say why here).
DASHBOARD_QUERIES = 36


class DashboardQueryTests(ChartWorld):
    def count(self) -> int:
        """The queries of a second visit (the first one renews the session and builds the
        tree index); the figure periods and data-quality alerts, cached per process, are
        read again."""
        self.client.force_login(self.world.users["province_officer"])
        url = reverse("indicators:dashboard") + "?org=SGD10&period=2022H1"
        self.client.get(url)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_pinned_and_flat_in_the_number_of_units(self) -> None:
        before = self.count()
        for i in range(20):
            school = _school(f"1008610{i:02d}", f"Trường {i}", self.world.baothang)
            digital.digital_profile_record(
                unit=school, valid_from=START, by=None, internet="wired", cashless_payment=True
            )
        for period in (H2_2021, H1_2022):
            services.element_values_refresh(period=period)
        self.assertEqual(self.count(), before)
        self.assertEqual(before, DASHBOARD_QUERIES)
