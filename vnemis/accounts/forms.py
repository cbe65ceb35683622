from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vnemis.accounts import services
from vnemis.accounts.models import User


class LoginForm(forms.Form):
    """Username and password, with lockout after repeated failures."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username = data.get("username", "")
        password = data.get("password", "")
        if not username or not password:
            return data
        # authenticate() runs on every path: it hashes the password even for an unknown
        # username, so an unknown or locked account answers no faster than a wrong password.
        user = authenticate(self.request, username=username, password=password)
        if not isinstance(user, User) or services.user_is_locked(user=user):
            services.login_failure_record(username=username)
            raise login_failure_error()
        if not user.is_active:
            raise forms.ValidationError(_("This account is disabled."), code="inactive")
        self.user = user
        return data


def login_failure_error() -> forms.ValidationError:
    """The one answer to every refused login: a wrong password, an unknown username, a lock.

    The same words for all three, so the login page does not tell who has an account here
    (a lock is only announced as the rule that applies to every account).
    """
    return forms.ValidationError(
        [
            forms.ValidationError(_("Wrong username or password."), code="invalid_login"),
            forms.ValidationError(
                _(
                    "After {count} failed logins in a row the account is locked for {minutes} "
                    "minutes. If you are sure of your password, wait that long and try again."
                ).format(
                    count=settings.VNEMIS_LOCKOUT_THRESHOLD,
                    minutes=settings.VNEMIS_LOCKOUT_MINUTES,
                ),
                code="lockout_rule",
            ),
        ]
    )
