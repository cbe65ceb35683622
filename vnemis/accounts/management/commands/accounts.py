from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.accounts.models import User


class Command(BaseCommand):
    help = "List user accounts; --demo prints the demo accounts with their password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="only the demo accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo"]:
            from vnemis.demo.accounts import demo_accounts_list

            accounts = demo_accounts_list()
            if not accounts:
                raise CommandError("No demo accounts: run 'vnemis demo laocai-2022' first.")
            self.stdout.write("")
            self.stdout.write("Demo accounts (tài khoản dùng thử) — http://127.0.0.1:8000/")
            self.stdout.write(f"  password / mật khẩu: {settings.VNEMIS_DEMO_PASSWORD}")
            for a in accounts:
                self.stdout.write(
                    f"  {a.username:<22} {a.role.value:<20} {a.unit_code:<10} {a.sees}"
                )
            self.stdout.write("")
            return
        for user in User.objects.order_by("username").prefetch_related("role_assignments"):
            roles = ", ".join(r.role for r in user.role_assignments.all())
            self.stdout.write(f"{user.username:<24} {roles}")
