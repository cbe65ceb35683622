"""API tokens: stored hashed, shown once, expiring, revocable, noting their last use, issued
only by the Department's administrators, and acting with the reach of their unit."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import ClassVar

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from vnemis.api import access, services
from vnemis.api.choices import TokenScope
from vnemis.api.models import ApiToken
from vnemis.api.tests.helpers import bearer, issue
from vnemis.core.models import AuditEntry
from vnemis.organisations.models import OrgPlacement
from vnemis.testing.personas import PersonaTestCase

STUDENTS = "/api/v1/students/"


class TokenServiceTests(PersonaTestCase):
    token: ClassVar[ApiToken]
    secret: ClassVar[str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.token, cls.secret = issue(cls.world, cls.world.baothang)

    def test_the_secret_is_stored_only_as_its_sha256(self) -> None:
        """The row holds the SHA-256 of the secret and its public prefix, never the secret;
        the audit entry of the issue holds neither."""
        row = ApiToken.objects.get(pk=self.token.pk)
        self.assertEqual(row.secret_hash, hashlib.sha256(self.secret.encode()).hexdigest())
        self.assertTrue(self.secret.startswith("vnm_" + row.prefix + "_"))
        self.assertGreaterEqual(len(self.secret), 4 + 12 + 1 + 43)
        stored = [str(v) for v in ApiToken.objects.filter(pk=row.pk).values().get().values()]
        self.assertNotIn(self.secret, stored)
        entry = AuditEntry.objects.get(target_type="api.ApiToken", target_id=str(row.pk))
        self.assertEqual(entry.verb, "created")
        self.assertEqual(entry.actor, self.world.users["department_admin"])
        self.assertNotIn("secret_hash", entry.after or {})
        self.assertNotIn(self.secret, str(entry.after))

    def test_a_valid_token_reads_and_notes_its_last_use_at_most_once_a_minute(self) -> None:
        """The first request stores the time of use; a second within the minute leaves it."""
        self.assertIsNone(ApiToken.objects.get(pk=self.token.pk).last_used_at)
        self.assertEqual(self.client.get(STUDENTS, **bearer(self.secret)).status_code, 200)
        first = ApiToken.objects.get(pk=self.token.pk).last_used_at
        self.assertIsNotNone(first)
        self.assertEqual(self.client.get(STUDENTS, **bearer(self.secret)).status_code, 200)
        self.assertEqual(ApiToken.objects.get(pk=self.token.pk).last_used_at, first)
        assert first is not None
        ApiToken.objects.filter(pk=self.token.pk).update(
            last_used_at=first - dt.timedelta(minutes=2)
        )
        self.client.get(STUDENTS, **bearer(self.secret))
        later = ApiToken.objects.get(pk=self.token.pk).last_used_at
        assert later is not None
        self.assertGreater(later, first - dt.timedelta(minutes=1))

    def test_a_wrong_secret_with_a_real_prefix_is_refused(self) -> None:
        """Knowing the public prefix is not enough: the rest of the secret must match."""
        forged = "vnm_{}_{}".format(self.token.prefix, "A" * 43)
        response = self.client.get(STUDENTS, **bearer(forged))
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="vnemis"')
        self.assertEqual(response.json()["error"]["code"], "not_authenticated")
        self.assertIsNone(ApiToken.objects.get(pk=self.token.pk).last_used_at)

    def test_an_expired_token_is_refused(self) -> None:
        ApiToken.objects.filter(pk=self.token.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        self.assertEqual(self.client.get(STUDENTS, **bearer(self.secret)).status_code, 401)

    def test_a_revoked_token_is_refused_and_the_revocation_audited(self) -> None:
        admin = self.world.users["department_admin"]
        services.api_token_revoke(token=self.token, by=admin)
        self.assertEqual(self.client.get(STUDENTS, **bearer(self.secret)).status_code, 401)
        entry = AuditEntry.objects.get(
            target_type="api.ApiToken", target_id=str(self.token.pk), note="revoked"
        )
        self.assertEqual(entry.actor, admin)
        self.assertIsNone(entry.before["revoked_at"])  # type: ignore[index]
        self.assertIsNotNone(entry.after["revoked_at"])  # type: ignore[index]

    def test_a_token_stops_when_its_issuer_is_disabled(self) -> None:
        """A token never outlives its issuer's right to issue it."""
        admin = self.world.users["department_admin"]
        admin.is_active = False
        admin.save(update_fields=["is_active"])
        response = self.client.get(STUDENTS, **bearer(self.secret))
        self.assertEqual(response.status_code, 401)

    def test_only_the_departments_administrators_may_issue_tokens(self) -> None:
        """A principal may change his school's records but not hand that right to a program."""
        users = self.world.users
        self.assertIn(
            self.world.school_b, access.token_units_for_user(user=users["department_admin"])
        )
        for persona in ("principal_a", "province_officer", "batxat_officer", "nobody"):
            self.assertEqual(list(access.token_units_for_user(user=users[persona])), [], persona)

    def test_a_token_acts_with_its_units_subtree_masked_and_read_only(self) -> None:
        """Its scope is the unit's placements (officer-like), nothing unmasked, no writes
        without a write scope."""
        scope = access.token_scope(token=self.token)
        placements = OrgPlacement.objects.filter(unit=self.world.baothang)
        self.assertEqual(scope.paths, tuple(sorted(placements.values_list("path", flat=True))))
        self.assertEqual(len(scope.paths), 1)
        self.assertEqual(scope.unmasked_paths, ())
        self.assertEqual(scope.write_paths, ())
        writer, _ = issue(self.world, self.world.baothang, scopes=[TokenScope.WRITE_DIGITAL])
        self.assertEqual(access.token_scope(token=writer).write_paths, scope.paths)


class TokenPageTests(PersonaTestCase):
    def test_the_administrator_issues_a_token_and_sees_its_secret_once(self) -> None:
        self.client.force_login(self.world.users["department_admin"])
        url = reverse("api:token_list")
        expires = timezone.localdate() + dt.timedelta(days=90)
        response = self.client.post(
            url,
            {
                "name": "Phần mềm SMAS",
                "unit": self.world.baothang.code,
                "scopes": [TokenScope.READ_PEOPLE, TokenScope.READ_ORGS],
                "expires_on": expires.isoformat(),
                "rate_per_minute": "60",
            },
        )
        self.assertEqual(response.status_code, 200)
        token = ApiToken.objects.get(name="Phần mềm SMAS")
        secret = response.content.decode().split("<code>vnm_", 1)[1].split("</code>", 1)[0]
        self.assertEqual(token.secret_hash, services.secret_hash("vnm_" + secret))
        self.assertEqual(token.scopes, ["read:orgs", "read:people"])
        self.assertEqual(token.rate_per_minute, 60)
        self.assertEqual(
            timezone.localtime(token.expires_at).date(), expires + dt.timedelta(days=1)
        )
        again = self.client.get(url)
        self.assertContains(again, token.prefix)
        self.assertNotContains(again, secret)

    def test_revoking_from_the_page(self) -> None:
        token, _secret = issue(self.world, self.world.baothang)
        self.client.force_login(self.world.users["department_admin"])
        response = self.client.post(reverse("api:token_revoke", args=[token.pk]))
        self.assertRedirects(response, reverse("api:token_list"))
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
        self.assertEqual(token.revoked_by, self.world.users["department_admin"])

    def test_the_page_is_for_administrators_only(self) -> None:
        token, _secret = issue(self.world, self.world.baothang)
        for persona in ("principal_a", "province_officer", "nobody"):
            self.client.force_login(self.world.users[persona])
            self.assertEqual(self.client.get(reverse("api:token_list")).status_code, 404)
            revoke = self.client.post(reverse("api:token_revoke", args=[token.pk]))
            self.assertEqual(revoke.status_code, 404)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)


class TokenCommandTests(PersonaTestCase):
    def test_create_list_and_revoke_from_the_command_line(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        call_command(
            "api_token",
            "create",
            "--name=Vendor",
            "--unit=" + self.world.baothang.code,
            "--scope=read:people",
            "--by=department_admin",
            stdout=out,
            stderr=err,
        )
        secret = out.getvalue().strip()
        token = ApiToken.objects.get(name="Vendor")
        self.assertEqual(token.secret_hash, services.secret_hash(secret))
        listing = io.StringIO()
        call_command("api_token", "list", "--json", stdout=listing)
        self.assertIn(token.prefix, listing.getvalue())
        self.assertNotIn(secret, listing.getvalue())
        call_command("api_token", "revoke", token.prefix, stdout=io.StringIO())
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
