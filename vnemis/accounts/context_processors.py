from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vnemis.accounts.access import user_scope


def scope(request: HttpRequest) -> dict[str, Any]:
    """Whether the user is an officer, for menus (the pages check access themselves)."""
    user = getattr(request, "user", None)
    return {"is_officer": user_scope(user).is_officer if user is not None else False}
