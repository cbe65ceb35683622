"""COPY text built column-wise: escapes, NULLs, dates and booleans."""

from __future__ import annotations

import datetime as dt

from vnemis.core.bulk import copy_payload


def test_copy_payload_escapes_and_nulls() -> None:
    at = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    rows = [
        (1, "Nguyễn\tVăn\\An\n", None, True, dt.date(2013, 5, 2), at),
        (2, "Lò", "x", False, None, at),
    ]
    assert copy_payload(rows).decode() == (
        "1\tNguyễn\\tVăn\\\\An\\n\t\\N\tt\t2013-05-02\t2026-01-02T03:04:05+00:00\n"
        "2\tLò\tx\tf\t\\N\t2026-01-02T03:04:05+00:00\n"
    )
    assert copy_payload([(None, None)]) == b"\\N\t\\N\n"
