"""The API's answer to an address the site refuses before any view."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from vnemis.api.errors import error_body
from vnemis.api.views import api_language
from vnemis.core.http import address_has_control_characters

API_PREFIX = "/api/v1/"


class ApiAddressMiddleware:
    """A control character in an /api/v1/ address answers 400 in the API's JSON error shape.

    The site refuses such addresses before any view (``RefuseControlCharactersMiddleware``,
    which follows this one) with its HTML 400 page; a program expects the documented shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and address_has_control_characters(request):
            with translation.override(api_language(request)):
                message = _(
                    "The address holds an invisible control character: send the value without it."
                )
                fields = {"address": [message]}
                return JsonResponse(error_body(400, fields=fields), status=400)
        return self.get_response(request)
