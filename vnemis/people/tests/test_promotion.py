"""The year-end promotion of a school is one audited service, which the page calls."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.urls import reverse

from vnemis.core.models import AuditEntry
from vnemis.organisations import services as org_services
from vnemis.organisations.models import SchoolYear
from vnemis.people import services
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import Enrollment
from vnemis.testing.personas import PersonaTestCase


class SchoolPromotionApplyTests(PersonaTestCase):
    def test_promotion_makes_the_next_year_promotes_and_is_audited_once(self) -> None:
        w = self.world
        principal = w.users["principal_a"]
        result = services.school_promotion_apply(school=w.school_a, from_year=w.year, by=principal)
        self.assertEqual(
            (result.to_year.code, result.promoted, result.finished), ("2022-2023", 2, 0)
        )
        self.assertEqual(
            (result.to_year.starts_on, result.to_year.ends_on),
            (dt.date(2022, 9, 5), dt.date(2023, 5, 31)),
        )
        self.assertEqual(
            sorted(
                Enrollment.objects.active()
                .filter(school=w.school_a)
                .values_list("school_year__code", "grade", "school_class__name")
            ),
            [("2022-2023", 4, "4A"), ("2022-2023", 4, "4B")],
        )
        entry = AuditEntry.objects.get(verb="enrollment_promoted")
        self.assertEqual(
            (entry.actor, entry.target_id, entry.before, entry.after),
            (
                principal,
                str(w.school_a.pk),
                {"school_year": "2021-2022"},
                {"school_year": "2022-2023", "promoted": 2, "finished": 0},
            ),
        )

    def test_an_existing_next_year_is_used(self) -> None:
        w = self.world
        later = org_services.school_year_create(
            starts_on=dt.date(2022, 9, 1), ends_on=dt.date(2023, 5, 25), by=None
        )
        result = services.school_promotion_apply(school=w.school_a, from_year=w.year, by=None)
        self.assertEqual(result.to_year, later)
        self.assertEqual(SchoolYear.objects.count(), 2)

    def test_a_second_confirmation_promotes_nobody(self) -> None:
        """A double click: the second run finds the enrolments closed and changes nothing."""
        w = self.world
        services.school_promotion_apply(school=w.school_a, from_year=w.year, by=None)
        count = Enrollment.objects.count()
        again = services.school_promotion_apply(school=w.school_a, from_year=w.year, by=None)
        self.assertEqual((again.promoted, again.finished), (0, 0))
        self.assertEqual(Enrollment.objects.count(), count)


class PromotionPageTests(PersonaTestCase):
    def url(self) -> str:
        return reverse("people:school_promotion", args=[self.world.school_a.code])

    def test_a_refused_promotion_is_explained_on_the_page_and_changes_nothing(self) -> None:
        """A pupil already enrolled for the next year elsewhere made the page fail with a 500;
        now the whole promotion is refused with the reason, in Vietnamese."""
        w = self.world
        next_year = org_services.school_year_create(
            starts_on=dt.date(2022, 9, 5), ends_on=dt.date(2023, 5, 31), by=None
        )
        services.enrollment_create(
            student=w.student_a1,
            school=w.school_b,
            school_year=next_year,
            grade=4,
            level="th",
            started_on=dt.date(2022, 9, 5),
            by=None,
        )
        before = sorted(Enrollment.objects.values_list("pk", "status"))
        self.client.force_login(w.users["principal_a"])
        # The page promotes from the current year, which the new year would otherwise become.
        with mock.patch.object(SchoolYear, "current", return_value=w.year):
            response = self.client.post(self.url(), {"confirm": "1"}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "Học sinh đã có hồ sơ nhập học đang hiệu lực trong năm học này."
        )
        self.assertEqual(sorted(Enrollment.objects.values_list("pk", "status")), before)
        self.assertFalse(AuditEntry.objects.filter(verb="enrollment_promoted").exists())

    def test_confirmed_promotion_reports_what_it_did(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        response = self.client.post(self.url(), {"confirm": "1"}, follow=True)
        self.assertRedirects(
            response, reverse("people:school_detail", args=[self.world.school_a.code])
        )
        self.assertEqual(
            Enrollment.objects.filter(
                school=self.world.school_a, status=EnrollmentStatus.COMPLETED
            ).count(),
            2,
        )
