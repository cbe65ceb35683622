from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vnemis.accounts.models import User


class Command(BaseCommand):
    help = "List user accounts with their roles (the demo accounts: 'vnemis demo accounts')."

    def handle(self, *args: Any, **options: Any) -> None:
        for user in User.objects.order_by("username").prefetch_related("role_assignments"):
            roles = ", ".join(r.role for r in user.role_assignments.all())
            self.stdout.write(f"{user.username:<24} {roles}")
