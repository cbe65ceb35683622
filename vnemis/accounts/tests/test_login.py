from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse

from vnemis.accounts import services
from vnemis.accounts.models import User
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
        self.assertRedirects(response, reverse("people:home"), fetch_redirect_response=False)
        self.assertTrue(AuditEntry.objects.filter(verb="logged_in").exists())

    def test_three_failures_lock_the_account_even_for_the_right_password(self) -> None:
        for _ in range(3):
            response = self.post("sai")
            self.assertEqual(response.status_code, 200)
        self.user.refresh_from_db()
        self.assertIsNotNone(self.user.locked_until)
        response = self.post("Dung-mat-khau-1")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "bị khóa")
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
