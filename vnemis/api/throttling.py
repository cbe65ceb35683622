"""Rate limits: per token (its own rate) and per signed-in user (the session's rate).

The counts live in Django's cache. The default cache (local memory) is per process: with
several web processes (gunicorn's workers) each counts on its own, so the limit is per process.
A cache shared by the processes (``CACHES``: Django's database or Redis cache) makes it one
limit for the whole site.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from vnemis.api.authentication import request_token

WINDOW_SECONDS = 60


class ApiRateThrottle(BaseThrottle):
    """A sliding window of one minute: at most ``rate`` requests in any 60 seconds."""

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def _rate_and_key(self, request: Request) -> tuple[int, str] | None:
        token = request_token(request)
        if token is not None:
            return token.rate_per_minute, f"vnemis-api:token:{token.pk}"
        user = request.user
        if user is not None and user.is_authenticated:
            rate = int(getattr(settings, "VNEMIS_API_SESSION_RATE_PER_MINUTE", 300))
            return rate, f"vnemis-api:user:{user.pk}"
        return None  # refused by the permission check before throttling

    def allow_request(self, request: Request, view: Any) -> bool:
        found = self._rate_and_key(request)
        if found is None:
            return True
        rate, key = found
        now = time.time()
        history: list[float] = [t for t in cache.get(key, []) if t > now - WINDOW_SECONDS]
        if len(history) >= rate:
            self.wait_seconds = history[0] + WINDOW_SECONDS - now
            return False
        history.append(now)
        cache.set(key, history, WINDOW_SECONDS)
        return True

    def wait(self) -> float | None:
        return self.wait_seconds
