"""What a signed-in caller may call: a token needs the endpoint's scope; a person's role
decides the rest (through the access functions, as on the pages)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import permissions
from rest_framework.request import Request

from vnemis.api.authentication import request_token


def required_scope(request: Request, view: Any) -> str | None:
    """The token scope the view asks for this method: ``write_scope`` for writes, else
    ``read_scope``."""
    if request.method in permissions.SAFE_METHODS:
        return getattr(view, "read_scope", None)
    return getattr(view, "write_scope", None)


class HasTokenScope(permissions.IsAuthenticated):
    """Signed in; with a token, the token holds the scope this endpoint and method need."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        token = request_token(request)
        if token is None:
            return True
        if not hasattr(view, (request.method or "").lower()):
            return True  # a method the endpoint does not have: its 405 follows
        needed = required_scope(request, view)
        if needed is None or needed not in token.scopes:
            self.message = _("This API token does not hold the scope {scope}.").format(
                scope=needed or "-"
            )
            return False
        return True
