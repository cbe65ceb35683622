"""Tokens for the API tests: issued through the service, as an administrator would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.test import Client
from django.utils import timezone

from vnemis.api import services
from vnemis.api.choices import TokenScope
from vnemis.api.models import ApiToken
from vnemis.organisations.models import OrgUnit
from vnemis.testing.world import World

READ_SCOPES = (
    TokenScope.READ_ORGS,
    TokenScope.READ_PEOPLE,
    TokenScope.READ_INDICATORS,
    TokenScope.READ_PLANS,
    TokenScope.READ_IMPORTS,
)
ALL_SCOPES = tuple(TokenScope)


def issue(
    world: World,
    unit: OrgUnit,
    *,
    scopes: Iterable[str] = READ_SCOPES,
    name: str = "Phần mềm quản lý trường học",
    days: int = 30,
    rate: int = 120,
) -> tuple[ApiToken, str]:
    """A token for ``unit`` issued by the Department's administrator."""
    return services.api_token_create(
        name=name,
        unit=unit,
        scopes=scopes,
        expires_at=timezone.now() + dt.timedelta(days=days),
        rate_per_minute=rate,
        by=world.users["department_admin"],
    )


def bearer(secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": "Bearer " + secret}


def get(client: Client, url: str, secret: str | None = None, **extra: Any) -> Any:
    return client.get(url, **(bearer(secret) if secret else {}), **extra)
