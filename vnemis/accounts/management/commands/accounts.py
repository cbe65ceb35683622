from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.accounts.models import User


class Command(BaseCommand):
    help = "List user accounts; --demo prints the demo accounts with their password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="only the demo accounts")
        parser.add_argument(
            "--host", default="127.0.0.1", help="the address the site is served on (for --demo)"
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="the port the site is served on (for --demo)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo"]:
            from vnemis.demo.accounts import demo_accounts_list

            accounts = demo_accounts_list()
            if not accounts:
                raise CommandError("No demo accounts: run 'vnemis demo laocai-2022' first.")
            self.stdout.write("")
            host = options["host"]
            host = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
            self.stdout.write(
                f"Demo accounts (tài khoản dùng thử) — http://{host}:{options['port']}/"
            )
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
