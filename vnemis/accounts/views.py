from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from vnemis.accounts import services
from vnemis.accounts.forms import LoginForm


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    )
    return next_url if allowed else ""


def _login_page(request: HttpRequest, *, home: str, for_admin: bool = False) -> HttpResponse:
    """The one login form: lockout, audit and the same answer to every refused login."""
    form = LoginForm(request, data=request.POST or None)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        login(request, form.user)
        services.login_success_record(user=form.user)
        return redirect(next_url or home)
    context = {
        "form": form,
        "next": next_url,
        # Signed in, sent back here by the admin: this account may not open the admin.
        "admin_denied": for_admin and request.user.is_authenticated,
    }
    return render(request, "accounts/login.html", context)


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    return _login_page(request, home=reverse("portal:home"))


@never_cache
@sensitive_post_parameters("password")
def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The Django admin's login page (``admin.site.login``): the main login, one door.

    Django's own admin login authenticates without the lockout and the audit of the main
    form, so a locked account could get in there; this view replaces it. ``extra_context`` is
    the admin site's calling convention and unused.
    """
    home = reverse("admin:index")
    if request.method == "GET" and admin.site.has_permission(request):
        return redirect(_safe_next(request) or home)
    return _login_page(request, home=home, for_admin=True)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")
