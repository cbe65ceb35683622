from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vnemis.organisations.scope import user_scope
from vnemis.portal.nav import menu_for


def scope(request: HttpRequest) -> dict[str, Any]:
    """The menu of the user's roles, and whether the user is an officer (the pages check
    access themselves)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_officer": False, "menu": []}
    return {
        "is_officer": user_scope(user).is_officer,
        "menu": menu_for(user, current_path=request.path),
    }
