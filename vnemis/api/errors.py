"""Every error of the API in one JSON shape, in the caller's language.

    {"error": {"code": "not_found", "message": "…", "fields": {"period": ["…"]}}}

``code`` is stable and English, for programs; ``message`` is for people (Vietnamese unless
the caller asked for English); ``fields`` names the inputs at fault, for a 400, else is {}.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

# HTTP status → (code, message) used when the exception carries no message of its own.
_DEFAULTS: dict[int, str] = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}


def _messages(status_code: int) -> str:
    return {
        400: _("The request is not valid: correct the fields named in the error."),
        401: _("Sign in, or send a valid API token in the Authorization header."),
        403: _("You may not do this."),
        404: _("Not found, or not in your scope."),
        405: _("This method is not allowed here."),
        406: _("This answer format is not available."),
        413: _("The request is too large."),
        415: _("This content type is not accepted here."),
        429: _("Too many requests: wait the number of seconds in Retry-After and try again."),
        500: _("An internal error occurred; it has been logged. Try again later."),
    }.get(status_code, _("The request failed."))


def error_body(
    status_code: int, *, message: str = "", fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": _DEFAULTS.get(status_code, "error"),
            "message": message or _messages(status_code),
            "fields": fields or {},
        }
    }


def _plain(detail: Any) -> Any:
    """DRF's error details as plain strings and lists (lazy translations forced now)."""
    if isinstance(detail, dict):
        return {str(k): _plain(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_plain(v) for v in detail]
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's ``EXCEPTION_HANDLER``: an error of any kind answers in the documented shape."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        # Unexpected: logged with its traceback, answered without it.
        logger.exception("API error", exc_info=exc)
        set_rollback()
        return Response(error_body(500), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(max(1, int(wait + 0.999)))
    code = exc.status_code
    if isinstance(exc, exceptions.ValidationError):
        detail = _plain(exc.detail)
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        body = error_body(code, fields=fields)
    elif isinstance(exc, exceptions.Throttled | exceptions.NotAuthenticated):
        body = error_body(code)  # the general message says what to do
    else:
        default = str(type(exc).default_detail)
        given = str(exc.detail) if not isinstance(exc.detail, list | dict) else ""
        body = error_body(code, message="" if given == default else given)
    set_rollback()
    return Response(body, status=code, headers=headers)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """An address under /api/v1/ that names no endpoint: the same shape as any 404."""
    return JsonResponse(error_body(404), status=404)
