"""Vietnamese first: the UI language is the one the user chose, else Vietnamese.

Django's LocaleMiddleware would follow the browser's Accept-Language, which on most
officers' machines says English; the choice made with the language switch (a cookie) wins,
and without one the site speaks Vietnamese.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
