"""vnemis's middleware: the UI language, no caching of what a signed-in user sees, and the
session's idle timeout."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese first: the UI language is the one the user chose, else Vietnamese.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which on most
    officers' machines says English; the choice made with the language switch (a cookie) wins,
    and without one the site speaks Vietnamese.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreWhenSignedInMiddleware:
    """Nothing shown to a signed-in user is kept by a browser or proxy cache.

    Pages and downloads for a signed-in user may carry personal data (a class list, an Excel
    export); on a shared office computer a cached copy outlives the session. Every response to
    a signed-in user gets ``Cache-Control: no-store, private`` unless the view chose its own
    caching (the admin's never_cache); static files are public and keep theirs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/") if settings.STATIC_URL else ""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
            and not (self.static_prefix and request.path.startswith(self.static_prefix))
        ):
            response["Cache-Control"] = "no-store, private"
        return response


class IdleSessionMiddleware:
    """The session's idle timeout, renewed at most once a minute rather than on every request.

    The session lasts ``SESSION_COOKIE_AGE`` from the last request. Saving it on every request
    (``SESSION_SAVE_EVERY_REQUEST``) wrote one database row per page view, the only write of a
    page that only reads; marking the session modified when its last renewal is older than
    ``SESSION_RENEW_SECONDS`` keeps the timeout within a minute of the same rule.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            renewed = session.get(_RENEWED_KEY, 0)
            if not isinstance(renewed, int) or now - renewed >= settings.SESSION_RENEW_SECONDS:
                session[_RENEWED_KEY] = now  # saved, with a new expiry, by SessionMiddleware
        return response


_RENEWED_KEY = "_vnemis_renewed"
