"""``vnemis api_token create|revoke|list``: API tokens from the command line.

The issuer (``--by``) must be an administrator who may issue tokens for the unit, as on the
page; the secret is printed once.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vnemis.accounts.models import User
from vnemis.api import access, services
from vnemis.api.choices import TokenScope
from vnemis.api.models import ApiToken


class Command(BaseCommand):
    help = "Issue, revoke or list API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token and print its secret once")
        create.add_argument("--name", required=True)
        create.add_argument("--unit", required=True, help="the code of the unit")
        create.add_argument(
            "--scope", action="append", required=True, choices=TokenScope.values, dest="scopes"
        )
        create.add_argument("--days", type=int, default=365, help="valid for this many days")
        create.add_argument("--rate", type=int, default=120, help="requests per minute")
        create.add_argument("--by", required=True, help="username of the issuing administrator")
        revoke = sub.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--by", help="username of the administrator revoking it")
        listing = sub.add_parser("list", help="list the tokens (never their secrets)")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "revoke":
            self._revoke(options)
        else:
            self._list(options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is named {username!r}.")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        by = self._user(options["by"])
        unit = access.token_units_for_user(user=by).filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(
                "{} may not issue tokens for a unit coded {!r}.".format(by, options["unit"])
            )
        if not 1 <= options["days"] <= 3 * 365:
            raise CommandError("--days must lie between 1 and 1095.")
        token, secret = services.api_token_create(
            name=options["name"],
            unit=unit,
            scopes=options["scopes"],
            expires_at=timezone.now() + dt.timedelta(days=options["days"]),
            rate_per_minute=options["rate"],
            by=by,
        )
        self.stdout.write(secret)
        until = timezone.localtime(token.expires_at).date()
        self.stderr.write(
            f"Token {token.prefix} issued for {unit.code} until {until}; "
            "the secret above is not shown again."
        )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError("No token has the prefix {!r}.".format(options["prefix"]))
        by = self._user(options["by"]) if options.get("by") else None
        services.api_token_revoke(token=token, by=by)
        self.stdout.write(f"Token {token.prefix} revoked.")

    def _list(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "prefix": t.prefix,
                "name": t.name,
                "unit": t.unit.code,
                "scopes": t.scopes,
                "issued_by": t.created_by.username,
                "expires_at": t.expires_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "active": t.is_active,
            }
            for t in ApiToken.objects.select_related("unit", "created_by")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            state = "active" if row["active"] else "inactive"
            self.stdout.write(
                "{prefix}  {unit:<12} {name}  [{scopes}]  {state}".format(
                    state=state, **{**row, "scopes": ", ".join(row["scopes"])}
                )
            )
