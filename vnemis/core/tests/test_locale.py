from __future__ import annotations

from django.test import TestCase
from django.urls import reverse


class LanguageTests(TestCase):
    def test_vietnamese_even_when_the_browser_asks_for_english(self) -> None:
        response = self.client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en")
        self.assertContains(response, "<h1>Đăng nhập</h1>", html=True)

    def test_english_when_chosen(self) -> None:
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        response = self.client.get(reverse("accounts:login"))
        self.assertContains(response, "<h1>Log in</h1>", html=True)

    def test_health(self) -> None:
        self.assertEqual(self.client.get(reverse("core:health")).content, b"ok")
