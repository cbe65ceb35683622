"""Reported figures: a form checks them, one service saves them together."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from vnemis.core.models import AuditEntry
from vnemis.indicators import services
from vnemis.indicators.forms import ReportedValuesForm
from vnemis.indicators.models import DataElement, ReportedValue
from vnemis.indicators.periods import parse_period
from vnemis.testing.personas import PersonaTestCase

H1 = parse_period("2022H1")


class ReportedValuesFormTests(PersonaTestCase):
    def test_accepted_keeps_the_good_figures_and_leaves_out_blanks_and_refusals(self) -> None:
        elements = list(DataElement.objects.filter(kind="reported").order_by("code"))
        codes = [e.code for e in elements]
        self.assertIn("work_records_online_pct", codes)
        self.assertIn("dossiers_online_pct", codes)
        form = ReportedValuesForm(
            {"work_records_online_pct": "97,5", "dossiers_online_pct": "NaN"}, elements=elements
        )
        self.assertFalse(form.is_valid())
        self.assertEqual(
            {e.code: v for e, v in form.accepted().items()},
            {"work_records_online_pct": Decimal("97.5")},
        )
        self.assertEqual(list(form.errors), ["dossiers_online_pct"])


class ReportedValuesSetTests(PersonaTestCase):
    def test_the_figures_are_saved_together_or_not_at_all(self) -> None:
        """A figure the service refuses (a derived element) keeps the others out too."""
        reported = DataElement.objects.get(code="work_records_online_pct")
        derived = DataElement.objects.get(code="schools")
        with self.assertRaises(ValueError):
            services.reported_values_set(
                unit=self.world.province,
                period=H1,
                values={reported: Decimal(90), derived: Decimal(1)},
                by=None,
            )
        self.assertFalse(ReportedValue.objects.exists())

    def test_each_figure_is_saved_with_who_entered_it(self) -> None:
        admin = self.world.users["department_admin"]
        rows = services.reported_values_set(
            unit=self.world.province,
            period=H1,
            values={
                DataElement.objects.get(code="work_records_online_pct"): Decimal("97.5"),
                DataElement.objects.get(code="dossiers_online_pct"): Decimal(60),
            },
            by=admin,
        )
        self.assertEqual(
            sorted((r.element.code, r.value, r.entered_by) for r in rows),
            [
                ("dossiers_online_pct", Decimal(60), admin),
                ("work_records_online_pct", Decimal("97.5"), admin),
            ],
        )
        self.assertEqual(
            AuditEntry.objects.filter(target_type="indicators.ReportedValue", actor=admin).count(),
            2,
        )


class ReportedValuesPageTests(PersonaTestCase):
    @property
    def url(self) -> str:
        return reverse("indicators:reported") + "?org=SGD10&period=2022H1"

    def test_good_figures_are_saved_and_the_page_returns_to_itself(self) -> None:
        self.client.force_login(self.world.users["department_admin"])
        response = self.client.post(
            self.url, {"work_records_online_pct": "97,5", "dossiers_online_pct": ""}
        )
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.assertEqual(
            list(ReportedValue.objects.values_list("element__code", "value")),
            [("work_records_online_pct", Decimal("97.5"))],
        )

    def test_a_refused_figure_is_explained_and_the_others_are_kept(self) -> None:
        self.client.force_login(self.world.users["department_admin"])
        response = self.client.post(
            self.url, {"work_records_online_pct": "97,5", "dossiers_online_pct": "٩٧"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            list(ReportedValue.objects.values_list("element__code", "value")),
            [("work_records_online_pct", Decimal("97.5"))],
        )
