from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse


def health(request: HttpRequest) -> HttpResponse:
    """ "ok" when the database answers; nothing more, to anyone.

    Monitoring needs only the status; the database engine or versions would tell an anonymous
    caller what to attack. A database that does not answer raises, and the answer is a 500.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
