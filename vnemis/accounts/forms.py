from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import formats, timezone
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
        existing = User.objects.filter(username=username).first()
        if existing is not None and services.user_is_locked(user=existing):
            assert existing.locked_until is not None
            until = formats.time_format(timezone.localtime(existing.locked_until), "H:i")
            raise forms.ValidationError(
                _(
                    "This account is locked after too many failed logins. Try again after {time}."
                ).format(time=until),
                code="locked",
            )
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            services.login_failure_record(username=username)
            raise forms.ValidationError(_("Wrong username or password."), code="invalid_login")
        if not user.is_active:
            raise forms.ValidationError(_("This account is disabled."), code="inactive")
        assert isinstance(user, User)
        self.user = user
        return data
