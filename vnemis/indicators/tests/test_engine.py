"""Engine semantics on a hand-built world: division last, tree versions, dates, targets,
incremental refresh equal to a full one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import SimpleTestCase

from vnemis.digital import services as digital
from vnemis.indicators import selectors, services
from vnemis.indicators.consistency import FigureFormatError, check_legacy_figure
from vnemis.indicators.models import ElementValue, Indicator
from vnemis.indicators.periods import PeriodError, parse_period
from vnemis.organisations.models import OrgUnit
from vnemis.testing.personas import PersonaTestCase

H1 = parse_period("2022H1")


def _value(code: str, unit: OrgUnit, period: str = "2022H1") -> dict[str, object]:
    values = selectors.indicator_values(unit=unit, period=parse_period(period))
    return next(v.as_dict() for v in values if v.indicator.code == code)


class PeriodTests(SimpleTestCase):
    def test_periods(self) -> None:
        p = parse_period("2022H1")
        self.assertEqual((p.start, p.end), (dt.date(2022, 1, 1), dt.date(2022, 6, 30)))
        self.assertEqual(parse_period("2022h2").end, dt.date(2022, 12, 31))
        self.assertEqual(parse_period("2022Q1").end, dt.date(2022, 3, 31))
        self.assertEqual(parse_period("2021-2022").start, dt.date(2021, 9, 1))
        self.assertEqual(parse_period("2022H1").previous().code, "2021H2")
        self.assertEqual(parse_period("2022H2").next().code, "2023H1")
        for bad in ("2022H3", "2021-2023", "H1", ""):
            with self.assertRaises(PeriodError):
                parse_period(bad)

    def test_impossible_years_and_foreign_digits_are_period_errors(self) -> None:
        """Year 0 cannot make a date and "٢٠٢٢" is not 2022: both are refused as periods,
        never a ValueError escaping to a page."""
        for bad in ("0000H1", "0000", "9999Q4", "1899-1900", "٢٠٢٢H1", "２０２２"):
            with self.subTest(bad=bad), self.assertRaises(PeriodError):
                parse_period(bad)
        self.assertEqual(parse_period("2999H2").end, dt.date(2999, 12, 31))

    def test_legacy_figure_check(self) -> None:
        seed = check_legacy_figure("168/612 trường (đạt 24,4%)")
        self.assertFalse(seed.consistent)
        self.assertEqual(seed.computed, Decimal("27.5"))
        self.assertTrue(check_legacy_figure("168652/228322 học sinh, đạt 73,9%").consistent)
        self.assertTrue(check_legacy_figure("168.652/228.322 (73,9%)").consistent)
        with self.assertRaises(FigureFormatError):
            check_legacy_figure("ba mươi phần trăm")


class EngineTests(PersonaTestCase):
    def setUp(self) -> None:
        w = self.world
        start = dt.date(2021, 9, 5)
        digital.digital_profile_record(
            unit=w.school_a, valid_from=start, by=None, internet="wired", cashless_payment=True
        )
        digital.digital_profile_record(
            unit=w.school_b, valid_from=start, by=None, internet="mobile"
        )
        digital.digital_profile_record(
            unit=w.school_b, valid_from=dt.date(2022, 3, 1), by=None, cashless_payment=True
        )
        # School A: one of two pupils has a transcript; school B: its only pupil has one.
        for student in (w.student_a1, w.student_b):
            digital.student_record_set(
                student=student,
                school_year=w.year,
                by=None,
                transcript_issued_on=dt.date(2022, 2, 1),
            )

    def test_history_is_kept_and_counted_as_of_the_period_end(self) -> None:
        services.element_values_refresh(period=parse_period("2021H2"))
        services.element_values_refresh(period=H1)
        w = self.world
        self.assertEqual(_value("cashless_schools", w.province, "2021H2")["value"], 50)
        self.assertEqual(_value("cashless_schools", w.province)["value"], 100)
        self.assertEqual(w.school_b.digital_profiles.count(), 2)
        # The second profile keeps the first one's connection.
        self.assertEqual(w.school_b.digital_profiles.order_by("-valid_from")[0].internet, "mobile")

    def test_numerator_and_denominator_are_summed_before_dividing(self) -> None:
        services.element_values_refresh(period=H1)
        w = self.world
        self.assertEqual(_value("e_transcript_students", w.batxat)["value"], 50)
        self.assertEqual(_value("e_transcript_students", w.baothang)["value"], 100)
        # 2/3, not the mean of 50 % and 100 %.
        province = _value("e_transcript_students", w.province)
        self.assertEqual(
            (province["numerator"], province["denominator"], province["value"]), (2, 3, 66.7)
        )

    def test_each_period_rolls_up_through_its_own_tree_version(self) -> None:
        services.element_values_refresh(period=parse_period("2025H2"))
        w = self.world
        self.assertEqual(_value("schools_in_database", w.commune_a, "2025H2")["value"], 1)
        self.assertEqual(_value("schools_in_database", w.batxat, "2025H2")["value"], 0)
        self.assertFalse(ElementValue.objects.filter(period="2025H2", unit=w.batxat).exists())
        services.element_values_refresh(period=H1)
        self.assertFalse(ElementValue.objects.filter(period="2022H1", unit=w.commune_a).exists())

    def test_targets_and_gaps_fall_back_to_the_unit_above(self) -> None:
        services.element_values_refresh(period=H1)
        indicator = Indicator.objects.get(code="e_transcript_students")
        services.target_set(
            indicator=indicator, period=H1, unit=self.world.province, value=Decimal("73.9"), by=None
        )
        at_district = next(
            v
            for v in selectors.indicator_values(unit=self.world.batxat, period=H1)
            if v.indicator == indicator
        )
        self.assertEqual(at_district.target, Decimal("73.90"))
        self.assertEqual(at_district.gap, Decimal("-23.90"))
        self.assertFalse(at_district.meets_target)

    def test_indicators_follow_their_effective_dates(self) -> None:
        services.element_values_refresh(period=H1)
        Indicator.objects.filter(code="cashless_schools").update(valid_from=dt.date(2023, 1, 1))
        codes = [
            v.indicator.code
            for v in selectors.indicator_values(unit=self.world.province, period=H1)
        ]
        self.assertNotIn("cashless_schools", codes)
        self.assertIn("contact_book_schools", codes)

    def test_incremental_refresh_equals_a_full_refresh(self) -> None:
        services.element_values_refresh(period=H1)
        w = self.world
        with self.captureOnCommitCallbacks(execute=True):
            digital.digital_profile_record(
                unit=w.school_b,
                valid_from=dt.date(2022, 4, 1),
                by=None,
                contact_book=True,
                has_website=True,
                website="https://10086001.laocai.edu.vn",
            )
            digital.student_record_set(
                student=w.student_a2,
                school_year=w.year,
                by=None,
                transcript_issued_on=dt.date(2022, 5, 1),
            )
        self.assertEqual(_value("contact_book_schools", w.province)["numerator"], 1)
        self.assertEqual(_value("e_transcript_students", w.province)["numerator"], 3)
        incremental = sorted(
            ElementValue.objects.filter(period="2022H1").values_list(
                "element__code", "unit_id", "category", "value", "own"
            )
        )
        services.element_values_refresh(period=H1)
        full = sorted(
            ElementValue.objects.filter(period="2022H1").values_list(
                "element__code", "unit_id", "category", "value", "own"
            )
        )
        self.assertEqual(incremental, full)

    def test_reported_values(self) -> None:
        from vnemis.indicators.models import DataElement

        element = DataElement.objects.get(code="work_records_online_pct")
        services.reported_value_set(
            element=element, period=H1, unit=self.world.province, value=Decimal(97), by=None
        )
        self.assertEqual(_value("work_records_online", self.world.province)["value"], 97)
        with self.assertRaises(ValueError):
            services.reported_value_set(
                element=DataElement.objects.get(code="schools"),
                period=H1,
                unit=self.world.province,
                value=Decimal(1),
                by=None,
            )


class StaleAfterPeopleChangesTests(PersonaTestCase):
    def test_a_transfer_moves_the_student_between_districts_in_the_figures(self) -> None:
        from vnemis.people import services as people
        from vnemis.people.models import Enrollment

        services.element_values_refresh(period=H1)
        w = self.world
        self.assertEqual(_value("e_transcript_students", w.batxat)["denominator"], 2)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            people.enrollment_transfer(
                enrollment=Enrollment.objects.get(student=w.student_a2),
                to_school=w.school_b,
                on=dt.date(2022, 1, 10),
                by=None,
            )
        self.assertGreaterEqual(len(callbacks), 1)
        self.assertEqual(_value("e_transcript_students", w.batxat)["denominator"], 1)
        self.assertEqual(_value("e_transcript_students", w.baothang)["denominator"], 2)
        self.assertEqual(_value("e_transcript_students", w.province)["denominator"], 3)
