"""The request type of views behind ``login_required``."""

from __future__ import annotations

from django.http import HttpRequest

from vnemis.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind ``login_required``: ``user`` is a real user."""

    user: User
