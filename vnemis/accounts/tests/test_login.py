from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from vnemis.accounts import services
from vnemis.accounts.forms import login_failure_error
from vnemis.accounts.models import User
from vnemis.core.choices import AuditVerb
from vnemis.core.models import AuditEntry


@override_settings(VNEMIS_LOCKOUT_THRESHOLD=3, VNEMIS_LOCKOUT_MINUTES=15)
class LockoutTests(TestCase):
    user: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = services.user_create(username="canbo", password="Dung-mat-khau-1", by=None)

    def post(self, password: str) -> Any:
        return self.client.post(
            reverse("accounts:login"), {"username": "canbo", "password": password}
        )

    def test_good_login_redirects_home_and_is_audited(self) -> None:
        response = self.post("Dung-mat-khau-1")
        self.assertRedirects(response, reverse("portal:home"), fetch_redirect_response=False)
        self.assertTrue(AuditEntry.objects.filter(verb="logged_in").exists())

    def test_three_failures_lock_the_account_even_for_the_right_password(self) -> None:
        for _ in range(3):
            response = self.post("sai")
            self.assertEqual(response.status_code, 200)
        self.user.refresh_from_db()
        self.assertIsNotNone(self.user.locked_until)
        response = self.post("Dung-mat-khau-1")
        self.assertEqual(response.status_code, 200)
        # The refusal of any login, no word about this account being locked.
        self.assertEqual(
            response.context["form"].non_field_errors(), list(login_failure_error().messages)
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(AuditEntry.objects.filter(verb="locked_out").count(), 1)

    def test_success_resets_the_counter(self) -> None:
        self.post("sai")
        self.post("Dung-mat-khau-1")
        self.user.refresh_from_db()
        self.assertEqual(self.user.failed_logins, 0)

    def test_error_message_is_vietnamese(self) -> None:
        response = self.post("sai")
        self.assertContains(response, "Sai tên đăng nhập hoặc mật khẩu")


class PasswordPolicyTests(TestCase):
    def test_policy(self) -> None:
        user = User(username="x")
        for weak in ("short1", "onlyletterslong", "12345678901", "password123"):
            with self.assertRaises(ValidationError, msg=weak):
                validate_password(weak, user)
        validate_password("Lao-Cai-2022-ok", user)


class SessionSettingsTests(TestCase):
    def test_sessions_expire(self) -> None:
        from django.conf import settings

        self.assertTrue(settings.SESSION_EXPIRE_AT_BROWSER_CLOSE)
        self.assertLessEqual(settings.SESSION_COOKIE_AGE, 8 * 3600)


ALERT = re.compile(rb'<div class="error" role="alert">.*?</div>', re.DOTALL)


@override_settings(VNEMIS_LOCKOUT_THRESHOLD=3, VNEMIS_LOCKOUT_MINUTES=15)
class LoginAnswerTellsNothingTests(TestCase):
    """The login page's answers do not tell who has an account, nor whose account is locked."""

    user: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = services.user_create(username="canbo", password="Dung-mat-khau-1", by=None)

    def lock(self) -> None:
        User.objects.filter(pk=self.user.pk).update(
            locked_until=timezone.now() + dt.timedelta(minutes=10)
        )

    def alert(self, username: str, password: str) -> bytes:
        response = self.client.post(
            reverse("accounts:login"), {"username": username, "password": password}
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)
        found = ALERT.findall(response.content)
        self.assertEqual(len(found), 1)
        return bytes(found[0])

    def test_unknown_username_and_locked_account_get_byte_identical_answers(self) -> None:
        unknown = self.alert("khong-co-ai", "Dung-mat-khau-1")
        wrong_password = self.alert("canbo", "sai")
        self.lock()
        locked_right_password = self.alert("canbo", "Dung-mat-khau-1")
        locked_wrong_password = self.alert("canbo", "sai")
        self.assertEqual(locked_right_password, unknown)
        self.assertEqual(locked_wrong_password, unknown)
        self.assertEqual(wrong_password, unknown)

    def test_every_refusal_checks_the_password_so_none_answers_faster(self) -> None:
        self.lock()
        with mock.patch("vnemis.accounts.forms.authenticate", wraps=authenticate) as checked:
            self.alert("khong-co-ai", "Dung-mat-khau-1")
            self.alert("canbo", "Dung-mat-khau-1")
        self.assertEqual(
            [c.kwargs["username"] for c in checked.call_args_list], ["khong-co-ai", "canbo"]
        )

    def test_unknown_username_is_audited_without_the_typed_text_and_creates_no_user(
        self,
    ) -> None:
        self.alert("Mat-khau-go-nham-o-day", "x")
        entry = AuditEntry.objects.get(verb=AuditVerb.LOGIN_FAILED)
        self.assertEqual(
            (entry.target_type, entry.target_id, entry.target_repr, entry.note, entry.actor),
            ("accounts.User", "", "", "unknown username", None),
        )
        self.assertEqual(list(User.objects.values_list("username", flat=True)), ["canbo"])

    def test_attempts_on_a_locked_account_are_audited_but_do_not_extend_the_lock(self) -> None:
        self.lock()
        self.user.refresh_from_db()
        until = self.user.locked_until
        for _ in range(4):
            self.alert("canbo", "sai")
        self.user.refresh_from_db()
        self.assertEqual((self.user.locked_until, self.user.failed_logins), (until, 0))
        notes = list(
            AuditEntry.objects.filter(
                verb=AuditVerb.LOGIN_FAILED, target_id=str(self.user.pk)
            ).values_list("note", flat=True)
        )
        self.assertEqual(notes, ["account locked"] * 4)
        self.assertFalse(AuditEntry.objects.filter(verb=AuditVerb.LOCKED_OUT).exists())
