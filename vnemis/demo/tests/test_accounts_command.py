"""`vnemis demo accounts` prints the demo accounts with the address the site is served on."""

from __future__ import annotations

from io import StringIO

from django.conf import settings
from django.core.management import CommandError, call_command

from vnemis.accounts import services as account_services
from vnemis.accounts.choices import Role
from vnemis.accounts.models import User
from vnemis.testing.personas import PersonaTestCase


class DemoAccountsCommandTests(PersonaTestCase):
    def test_without_the_demo_it_says_how_to_load_it(self) -> None:
        with self.assertRaisesMessage(CommandError, "vnemis demo laocai-2022"):
            call_command("demo", "accounts")

    def test_prints_each_account_the_password_and_the_address(self) -> None:
        user = User.objects.create_user(username="so.quantri", password="x")
        account_services.role_assign(
            user=user, role=Role.DEPARTMENT_ADMIN, org_unit=self.world.province, by=None
        )
        out = StringIO()
        call_command("demo", "accounts", "--host", "::1", "--port", "8123", stdout=out)
        printed = out.getvalue()
        self.assertIn("http://[::1]:8123/", printed)
        self.assertIn(settings.VNEMIS_DEMO_PASSWORD, printed)
        line = next(x for x in printed.splitlines() if "so.quantri" in x)
        self.assertEqual(
            line.split()[:3], ["so.quantri", Role.DEPARTMENT_ADMIN.value, self.world.province.code]
        )
        self.assertNotIn("hieutruong", printed)
