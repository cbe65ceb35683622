"""The administrators' page of API tokens, and the API's documentation page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.generators import SchemaGenerator

from vnemis.accounts.http import AuthedRequest
from vnemis.api import access, services
from vnemis.api.forms import ApiTokenCreateForm
from vnemis.core.http import guard_parameters, paginate


@login_required
@guard_parameters
def token_list(request: AuthedRequest) -> HttpResponse:
    """The tokens of the administrator's units, and the form that issues one. The new secret
    is shown on the answer to the form, once, and never again."""
    units = list(access.token_units_for_user(user=request.user).order_by("code"))
    if not units:
        raise Http404
    form = ApiTokenCreateForm(request.POST or None, units=units)
    secret = ""
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if u.code == form.cleaned_data["unit"])
        end = form.cleaned_data["expires_on"] + dt.timedelta(days=1)
        expires_at = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
        _token, secret = services.api_token_create(
            name=form.cleaned_data["name"],
            unit=unit,
            scopes=form.cleaned_data["scopes"],
            expires_at=expires_at,
            rate_per_minute=form.cleaned_data["rate_per_minute"],
            by=request.user,
        )
        form = ApiTokenCreateForm(units=units)
    tokens = access.tokens_for_user(user=request.user).select_related("unit", "created_by")
    return render(
        request,
        "api/token_list.html",
        {"form": form, "secret": secret, "page": paginate(request, tokens), "now": timezone.now()},
    )


@require_POST
@login_required
@guard_parameters
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = access.token_get_for_user(user=request.user, pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token {name} is revoked.").format(name=token.name))
    return redirect("api:token_list")


_METHODS = ("get", "post", "put", "patch", "delete")


def _with_code(text: str) -> SafeString:
    """``text`` escaped, with its `backquoted` parts (parameter names, enumeration values, as
    the schema writes them in Markdown) shown as code."""
    return mark_safe(
        re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))
    )  # the text is escaped first


def documentation(request: HttpRequest) -> HttpResponse:
    """The API's reference, drawn from its OpenAPI schema on the server: no script and no
    third-party files, so the site's content security policy holds."""
    generator = SchemaGenerator()  # type: ignore[no-untyped-call]  # untyped package
    schema: dict[str, Any] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": _with_code(op.get("summary", "")),
                    "description": _with_code(op.get("description", "")),
                    "parameters": [
                        {
                            "name": p.get("name", ""),
                            "where": p.get("in", ""),
                            "required": p.get("required", False),
                            "description": _with_code(p.get("description", "")),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "security": sorted({k for s in op.get("security", []) for k in s}),
                    "responses": sorted(op.get("responses", {})),
                }
            )
    return render(
        request,
        "api/documentation.html",
        {"info": schema.get("info", {}), "operations": operations},
    )
