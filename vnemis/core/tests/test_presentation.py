"""Numbers, dates and class names as Vietnamese officials write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils import formats, translation

from vnemis.core.sorting import natural_key


class NumberFormatTests(SimpleTestCase):
    def render(self, source: str, **context: object) -> str:
        return Template("{% load humanize %}" + source).render(Context(context))

    def test_vietnamese_groups_thousands_with_dots_and_decimals_with_commas(self) -> None:
        """228322 reads 228.322 and 12.5 reads 12,5 in the Vietnamese UI (Django's own
        Vietnamese formats set no grouping)."""
        with translation.override("vi"):
            self.assertEqual(self.render("{{ n }}", n=228322), "228.322")
            self.assertEqual(self.render("{{ n }}", n=Decimal("1234567.5")), "1.234.567,5")
            self.assertEqual(self.render('{{ n|floatformat:"1g" }}', n=32.5), "32,5")
            self.assertEqual(self.render("{{ n|intcomma }}", n=17559), "17.559")

    def test_english_uses_english_separators(self) -> None:
        with translation.override("en"):
            self.assertEqual(self.render("{{ n }}", n=228322), "228,322")
            self.assertEqual(self.render("{{ n }}", n=Decimal("12.5")), "12.5")

    def test_dates_are_day_first_in_both_languages(self) -> None:
        day = dt.date(2022, 6, 30)
        for language in ("vi", "en"):
            with translation.override(language):
                self.assertEqual(formats.date_format(day, "SHORT_DATE_FORMAT"), "30/06/2022")
                self.assertEqual(self.render("{{ d }}", d=day), "30/06/2022")


class NaturalKeyTests(SimpleTestCase):
    def test_numbers_in_class_names_sort_by_value(self) -> None:
        names = ["10A10", "10A2", "10A1", "6B", "6A1", "6A", "10A11"]
        self.assertEqual(
            sorted(names, key=natural_key), ["6A", "6A1", "6B", "10A1", "10A2", "10A10", "10A11"]
        )
