"""One door: the Django admin logs in through the main login, and its reads are audited."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.contrib import admin
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from vnemis.accounts import services
from vnemis.accounts.forms import login_failure_error
from vnemis.accounts.models import RoleAssignment, User
from vnemis.core.admin import AuditedAdminMixin, PersonalDataAdminMixin
from vnemis.core.choices import AuditVerb
from vnemis.core.models import AuditEntry
from vnemis.organisations.models import OrgUnit
from vnemis.people.models import (
    Enrollment,
    Guardian,
    GuardianLink,
    Person,
    Staff,
    Student,
)
from vnemis.testing.personas import PersonaTestCase

PASSWORD = "Quan-tri-2022-ok"


def make_admin(username: str = "quantri") -> User:
    user = services.user_create(username=username, password=PASSWORD, by=None)
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


@override_settings(VNEMIS_LOCKOUT_THRESHOLD=5, VNEMIS_LOCKOUT_MINUTES=15)
class AdminLoginTests(TestCase):
    admin_user: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin_user = make_admin()

    def post_admin_login(self, password: str, next_url: str = "/admin/") -> Any:
        return self.client.post(
            reverse("admin:login") + "?next=" + next_url,
            {"username": "quantri", "password": password, "next": next_url},
        )

    def assert_signed_out(self) -> None:
        self.assertNotIn("_auth_user_id", self.client.session)
        response = self.client.get(reverse("admin:index"))
        self.assertRedirects(
            response, reverse("admin:login") + "?next=/admin/", fetch_redirect_response=False
        )

    def test_locked_account_cannot_log_in_through_the_admin_nor_the_main_login(self) -> None:
        User.objects.filter(pk=self.admin_user.pk).update(
            locked_until=timezone.now() + dt.timedelta(minutes=10)
        )
        response = self.post_admin_login(PASSWORD)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].non_field_errors(), list(login_failure_error().messages)
        )
        self.assert_signed_out()
        response = self.client.post(
            reverse("accounts:login"), {"username": "quantri", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 200)
        self.assert_signed_out()

    def test_five_failed_admin_logins_lock_the_account_and_are_audited(self) -> None:
        for _ in range(5):
            self.assertEqual(self.post_admin_login("sai-mat-khau").status_code, 200)
        self.admin_user.refresh_from_db()
        self.assertIsNotNone(self.admin_user.locked_until)
        entries = AuditEntry.objects.filter(target_id=str(self.admin_user.pk))
        self.assertEqual(entries.filter(verb=AuditVerb.LOGIN_FAILED).count(), 5)
        self.assertEqual(entries.filter(verb=AuditVerb.LOCKED_OUT).count(), 1)
        # Locked now: the right password does not open the admin either.
        self.post_admin_login(PASSWORD)
        self.assert_signed_out()

    def test_admin_login_page_is_the_main_login_form(self) -> None:
        response = self.client.get(reverse("admin:login") + "?next=/admin/people/person/")
        self.assertTemplateUsed(response, "accounts/login.html")
        self.assertEqual(response.context["next"], "/admin/people/person/")
        self.assertIn("no-store", response["Cache-Control"])

    def test_good_admin_login_goes_to_next_and_is_audited(self) -> None:
        response = self.post_admin_login(PASSWORD, next_url="/admin/people/person/")
        self.assertRedirects(response, "/admin/people/person/", fetch_redirect_response=False)
        self.assertEqual(
            AuditEntry.objects.filter(
                verb=AuditVerb.LOGGED_IN, target_id=str(self.admin_user.pk)
            ).count(),
            1,
        )

    def test_next_to_another_site_falls_back_to_the_admin_index(self) -> None:
        response = self.post_admin_login(PASSWORD, next_url="https://evil.example/")
        self.assertRedirects(response, reverse("admin:index"), fetch_redirect_response=False)

    def test_signed_in_admin_is_sent_on_from_the_login_page(self) -> None:
        self.client.force_login(self.admin_user)
        response = self.client.get(reverse("admin:login") + "?next=/admin/people/")
        self.assertRedirects(response, "/admin/people/", fetch_redirect_response=False)

    def test_account_without_admin_rights_is_told_and_not_let_in(self) -> None:
        services.user_create(username="giaovien", password=PASSWORD, by=None)
        response = self.client.post(
            reverse("admin:login") + "?next=/admin/",
            {"username": "giaovien", "password": PASSWORD, "next": "/admin/"},
            follow=True,
        )
        self.assertEqual(response.redirect_chain[-1][0], reverse("admin:login") + "?next=/admin/")
        self.assertTrue(response.context["admin_denied"])
        self.assertFalse(response.context["form"].is_bound)

    def test_admin_header_says_vnemis(self) -> None:
        self.client.force_login(self.admin_user)
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(
            (response.context["site_header"], response.context["site_title"]),
            ("vnemis", "vnemis"),
        )
        self.assertNotContains(response, "Django")


class AdminReadAuditTests(PersonaTestCase):
    admin_user: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.admin_user = make_admin()

    def setUp(self) -> None:
        self.client.force_login(self.admin_user)
        AuditEntry.objects.all().delete()

    def entries(self) -> list[tuple[str, str, str, str]]:
        return list(
            AuditEntry.objects.order_by("id").values_list(
                "verb", "target_type", "target_id", "note"
            )
        )

    def test_change_view_of_a_student_writes_a_viewed_entry(self) -> None:
        student = self.world.student_a1
        response = self.client.get(reverse("admin:people_student_change", args=[student.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.entries(), [(AuditVerb.VIEWED, "people.Student", str(student.pk), "admin")]
        )
        self.assertEqual(AuditEntry.objects.get().actor, self.admin_user)

    def test_change_view_of_a_person_writes_a_viewed_entry(self) -> None:
        person = self.world.student_a1.person
        response = self.client.get(reverse("admin:people_person_change", args=[person.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.entries(), [(AuditVerb.VIEWED, "people.Person", str(person.pk), "admin")]
        )

    def test_history_of_a_staff_record_writes_a_viewed_entry(self) -> None:
        staff = self.world.teacher_a
        response = self.client.get(reverse("admin:people_staff_history", args=[staff.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.entries(), [(AuditVerb.VIEWED, "people.Staff", str(staff.pk), "admin")]
        )

    def test_a_list_page_writes_one_entry_naming_the_records_shown(self) -> None:
        response = self.client.get(reverse("admin:people_person_changelist") + "?o=3")
        self.assertEqual(response.status_code, 200)
        shown = [str(p.pk) for p in response.context["cl"].result_list]
        self.assertGreater(len(shown), 1)
        entry = AuditEntry.objects.get()
        self.assertEqual(
            (entry.verb, entry.target_type, entry.after, entry.note),
            (AuditVerb.LISTED, "people.Person", {"shown": shown}, "admin ?o=3"),
        )

    def test_a_missing_record_writes_nothing(self) -> None:
        response = self.client.get(reverse("admin:people_person_change", args=[99999999]))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.entries(), [])

    def test_a_deletion_in_the_admin_is_audited_with_the_values_it_removed(self) -> None:
        link = GuardianLink.objects.get(student=self.world.student_a1)
        url = reverse("admin:people_guardianlink_delete", args=[link.pk])
        response = self.client.post(url, {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(GuardianLink.objects.filter(pk=link.pk).exists())
        entry = AuditEntry.objects.get()
        self.assertEqual(
            (entry.verb, entry.target_type, entry.target_id, entry.note),
            (AuditVerb.DELETED, "people.GuardianLink", str(link.pk), "admin"),
        )
        self.assertEqual(entry.before and entry.before["student_id"], self.world.student_a1.pk)

    def test_every_admin_audits_writes_and_personal_records_audit_reads(self) -> None:
        personal = {
            Person,
            Student,
            Staff,
            Guardian,
            GuardianLink,
            Enrollment,
            User,
            RoleAssignment,
            OrgUnit,
            AuditEntry,
        }
        registry = admin.site._registry
        self.assertLessEqual(personal, set(registry))
        for model, model_admin in registry.items():
            self.assertIsInstance(model_admin, AuditedAdminMixin, model._meta.label)
            if model in personal:
                self.assertIsInstance(model_admin, PersonalDataAdminMixin, model._meta.label)
