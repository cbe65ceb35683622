"""Security headers: the Content-Security-Policy, no caching of personal data, HTTPS, /health/."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import TestCase, override_settings
from django.urls import reverse

from config.settings import HttpsSettings, https_settings
from vnemis.accounts import services as account_services
from vnemis.accounts.models import User
from vnemis.testing.personas import PersonaTestCase
from vnemis.testing.world import PASSWORD, build_world

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_superuser(username: str = "quantri") -> User:
    user = account_services.user_create(username=username, password=PASSWORD, by=None)
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


class HeaderTests(PersonaTestCase):
    def test_pages_carry_the_exact_policy_and_the_other_security_headers(self) -> None:
        anonymous = self.client.get(reverse("accounts:login"))
        self.client.force_login(self.world.users["principal_a"])
        signed_in = self.client.get(reverse("people:student_list"))
        for response in (anonymous, signed_in):
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Content-Security-Policy"], POLICY)
            self.assertEqual(response["X-Content-Type-Options"], "nosniff")
            self.assertEqual(response["Referrer-Policy"], "same-origin")
            self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_signed_in_page_and_excel_export_are_not_stored(self) -> None:
        self.client.force_login(self.world.users["principal_a"])
        page = self.client.get(reverse("portal:home"))
        export = self.client.get(reverse("exports:list_file", args=["students"]) + "?export=xlsx")
        self.assertEqual(export["Content-Type"], XLSX)
        self.assertEqual(
            (page["Cache-Control"], export["Cache-Control"]),
            ("no-store, private", "no-store, private"),
        )

    def test_a_view_that_chose_its_own_caching_keeps_it(self) -> None:
        self.client.force_login(make_superuser())
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(
            response["Cache-Control"], "max-age=0, no-cache, no-store, must-revalidate, private"
        )

    def test_admin_change_page_works_under_the_policy(self) -> None:
        self.client.force_login(make_superuser())
        student = self.world.student_a1
        response = self.client.get(reverse("admin:people_student_change", args=[student.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Security-Policy"], POLICY)
        # Django's admin keeps its scripts in files; nothing inline would be blocked.
        self.assertEqual(INLINE_SCRIPT.findall(response.content.decode()), [])

    def test_health_tells_an_anonymous_caller_only_ok(self) -> None:
        response = self.client.get(reverse("core:health"))
        self.assertEqual((response.status_code, response.content), (200, b"ok"))


# A <script> element without src, an on…= event handler attribute, a style attribute.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_handlers_or_styles() -> None:
    """The policy blocks all three; each would silently stop working in the browser."""
    found = []
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, re.compile(r"<style")):
            found += [f"{template.name}: {m}" for m in pattern.findall(text)]
    assert found == []


class HttpsTests(TestCase):
    def test_https_settings_follow_vnemis_https(self) -> None:
        self.assertEqual(
            https_settings(https=False, secure_cookies=False, proxy_ssl_header=""),
            HttpsSettings(False, 0, False, False, None),
        )
        self.assertEqual(
            https_settings(https=True, secure_cookies=False, proxy_ssl_header=""),
            HttpsSettings(True, 31536000, True, True, None),
        )

    def test_secure_cookies_alone_are_kept_as_the_older_switch(self) -> None:
        self.assertEqual(
            https_settings(https=False, secure_cookies=True, proxy_ssl_header=""),
            HttpsSettings(False, 0, False, True, None),
        )

    def test_proxy_header_is_read_as_a_header_name_and_optional_value(self) -> None:
        def header(value: str) -> tuple[str, str] | None:
            return https_settings(
                https=True, secure_cookies=False, proxy_ssl_header=value
            ).proxy_ssl_header

        self.assertEqual(header("X-Forwarded-Proto"), ("HTTP_X_FORWARDED_PROTO", "https"))
        self.assertEqual(header(" X-Forwarded-Ssl=on "), ("HTTP_X_FORWARDED_SSL", "on"))
        self.assertEqual(header("HTTP_X_FORWARDED_PROTO"), ("HTTP_X_FORWARDED_PROTO", "https"))

    def test_the_settings_module_reads_the_environment(self) -> None:
        code = (
            "import json, config.settings as s; print(json.dumps([s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER]))"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("VNEMIS_")}
        env["VNEMIS_VAR_DIR"] = str(settings.VAR_DIR)
        plain = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        env |= {"VNEMIS_HTTPS": "1", "VNEMIS_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
        https = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        self.assertEqual(json.loads(plain.stdout), [False, 0, False, False, False, None])
        self.assertEqual(
            json.loads(https.stdout),
            [True, 31536000, True, True, True, ["HTTP_X_FORWARDED_PROTO", "https"]],
        )

    def test_without_https_there_is_no_redirect_hsts_or_secure_cookie(self) -> None:
        account_services.user_create(username="canbo", password=PASSWORD, by=None)
        response = self.client.get(reverse("accounts:login"), secure=True)
        self.assertNotIn("Strict-Transport-Security", response)
        self.assertEqual(self.client.get(reverse("accounts:login")).status_code, 200)
        response = self.client.post(
            reverse("accounts:login"), {"username": "canbo", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(response.cookies[settings.SESSION_COOKIE_NAME]["secure"])

    def test_with_https_http_is_redirected_and_cookies_are_secure(self) -> None:
        on = https_settings(https=True, secure_cookies=False, proxy_ssl_header="X-Forwarded-Proto")
        with override_settings(
            SECURE_SSL_REDIRECT=on.ssl_redirect,
            SECURE_HSTS_SECONDS=on.hsts_seconds,
            SECURE_HSTS_INCLUDE_SUBDOMAINS=on.hsts_include_subdomains,
            SECURE_PROXY_SSL_HEADER=on.proxy_ssl_header,
            SESSION_COOKIE_SECURE=on.secure_cookies,
            CSRF_COOKIE_SECURE=on.secure_cookies,
        ):
            account_services.user_create(username="canbo", password=PASSWORD, by=None)
            response = self.client.get(reverse("accounts:login"))
            self.assertRedirects(
                response,
                "https://testserver/accounts/login/",
                status_code=301,
                fetch_redirect_response=False,
            )
            # A health probe on the host speaks plain HTTP and is not redirected.
            self.assertEqual(self.client.get(reverse("core:health")).status_code, 200)
            # The reverse proxy ended TLS and says so in its header.
            response = self.client.get(
                reverse("accounts:login"), headers={"X-Forwarded-Proto": "https"}
            )
            self.assertEqual(response.status_code, 200)
            self.assertEqual(
                response["Strict-Transport-Security"], "max-age=31536000; includeSubDomains"
            )
            self.assertTrue(response.cookies[settings.CSRF_COOKIE_NAME]["secure"])
            response = self.client.post(
                reverse("accounts:login"),
                {"username": "canbo", "password": PASSWORD},
                secure=True,
            )
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response.cookies[settings.SESSION_COOKIE_NAME]["secure"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_and_the_admin_report_no_policy_violation(
    live_server: Any, browser: Any
) -> None:
    """htmx, the page script and Django's admin all run under the policy in Chromium."""
    from vnemis.digital import services as digital
    from vnemis.indicators import services as indicators
    from vnemis.indicators.periods import parse_period

    w = build_world()
    for school, cashless in ((w.school_a, True), (w.school_b, False)):
        digital.digital_profile_record(
            unit=school,
            valid_from=dt.date(2021, 9, 5),
            by=None,
            internet="wired",
            cashless_payment=cashless,
        )
    indicators.element_values_refresh(period=parse_period("2022H1"))
    make_superuser()
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    reports: list[str] = []
    page.on("console", lambda message: reports.append(message.text))
    page.on("pageerror", lambda error: reports.append(str(error)))
    base = live_server.url

    def visit(path: str) -> None:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert response.headers["content-security-policy"] == POLICY, path

    def log_in(login_path: str, username: str) -> None:
        page.goto(base + login_path)
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")

    log_in("/accounts/login/", "batxat_officer")
    page.wait_for_url(f"{base}/")
    visit("/dashboard/?indicator=cashless_schools")
    # The bar's width comes from vnemis.js, not from a style attribute.
    bar = page.locator("table.bars [data-bar]").first
    assert bar.evaluate("element => element.style.width") == "100%"
    visit("/students/")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as swap:
        page.fill("input[type=search]", "Mai")
    assert swap.value.status == 200
    page.wait_for_url("**/students/?*q=Mai*")
    # No copy of the list (personal data) is kept in the browser for the back button; going
    # back loads the whole page again from the server.
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None
    with page.expect_response(
        lambda r: r.url == f"{base}/students/" and "hx-request" not in r.request.headers
    ):
        page.go_back()
    page.locator("header.topbar").wait_for()
    page.locator("table.table tbody tr").first.wait_for()
    page.context.clear_cookies()
    log_in("/accounts/login/", "principal_a")
    page.wait_for_url(f"{base}/")
    visit("/imports/")
    visit(f"/units/{w.school_a.code}/self-assessment/")
    # The language switch submits on change (a data attribute, no onchange handler).
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    page.context.clear_cookies()
    # One door: the admin's login page is the main form; the admin's scripts run.
    log_in("/admin/login/?next=/admin/", "quantri")
    page.wait_for_url(f"{base}/admin/")
    visit(f"/admin/people/student/{w.student_a1.pk}/change/")
    visit("/admin/people/person/")
    context.close()
    assert [r for r in reports if "Content Security Policy" in r or "Refused" in r] == []
    assert [r for r in reports if "htmx" in r.lower() and "error" in r.lower()] == []
