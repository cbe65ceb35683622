from __future__ import annotations

import datetime as dt

from django.urls import reverse

from vnemis.digital.models import DigitalProfile
from vnemis.people.tests.test_access import _matrix
from vnemis.testing.personas import PersonaTestCase


class ProfileViewTests(PersonaTestCase):
    def url(self) -> str:
        return reverse("digital:profile_history", args=[self.world.school_a.code])

    def test_matrix(self) -> None:
        self.assert_matrix(
            self.url(),
            _matrix(
                {
                    "department_admin",
                    "province_officer",
                    "batxat_officer",
                    "commune_officer",
                    "principal_a",
                }
            ),
        )

    def test_principal_records_a_change_and_history_is_kept(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        data = {
            "valid_from": "05/09/2021",
            "internet": "mobile",
            "it_in_management": "on",
            "note": "",
        }
        self.assertEqual(self.client.post(self.url(), data).status_code, 302)
        data |= {"valid_from": "01/03/2022", "internet": "wired", "cashless_payment": "on"}
        self.assertEqual(self.client.post(self.url(), data).status_code, 302)
        profiles = list(
            DigitalProfile.objects.filter(unit=self.world.school_a)
            .order_by("valid_from")
            .values_list("valid_from", "internet", "cashless_payment")
        )
        self.assertEqual(
            profiles, [(dt.date(2021, 9, 5), "mobile", False), (dt.date(2022, 3, 1), "wired", True)]
        )

    def test_bad_input_explained_and_nothing_written(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        response = self.client.post(
            self.url(), {"valid_from": "31/02/2022", "internet": "x", "has_website": "on"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["form"].errors), 3)
        self.assertFalse(DigitalProfile.objects.exists())

    def test_officer_without_write_cannot_record(self) -> None:
        self.client.force_login(self.world.users["batxat_officer"])
        response = self.client.post(self.url(), {"valid_from": "05/09/2021", "internet": "wired"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(DigitalProfile.objects.exists())
