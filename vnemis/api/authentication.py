"""How a request to the API proves who it is: an API token, or the browser's session."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from vnemis.accounts.models import User
from vnemis.api import access, services
from vnemis.api.models import ApiToken


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer vnm_…``: the request acts as the token's issuer, with the
    token's unit as its whole scope (``access.token_principal``)."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None  # no token: the session may still authenticate
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as 'Authorization: Bearer <token>'.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = services.api_token_find(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This API token is unknown, expired or revoked.")
            )
        user = access.token_principal(token=token)
        if user is None:
            raise exceptions.AuthenticationFailed(
                _("The administrator who issued this API token can no longer issue it.")
            )
        services.api_token_touch(token=token)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes a missing or refused credential a 401 (with this header), not a 403.
        return 'Bearer realm="vnemis"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the schema describes the token: an HTTP bearer scheme."""

    target_class = "vnemis.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "vnm_<prefix>_<secret>"}


def request_token(request: Request) -> ApiToken | None:
    """The token a request came with, or None for a session."""
    return request.auth if isinstance(request.auth, ApiToken) else None
