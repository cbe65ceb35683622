"""A table read from an import file (a header and numbered rows), the caps every reader
keeps, and ``ReadError``, the refusal of a file that cannot be read as a table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

# Caps that no real list reaches. The import templates have fewer than 40 columns.
MAX_COLUMNS = 500
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell

CHUNK = 1 << 16


class ReadError(ValueError):
    """The file cannot be read as a table; the message tells the user why and what to do."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (line number in the file, cells)


def max_bytes() -> int:
    """The largest file an import reads (``VNEMIS_IMPORT_MAX_BYTES``)."""
    return int(getattr(settings, "VNEMIS_IMPORT_MAX_BYTES", 100 * 1024 * 1024))


@dataclass
class TableStream:
    """A table read lazily: the header now, the rows as they are iterated."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    size_hint: int  # about how many data rows (lines in a CSV), for progress bars
    # What the user should know about how the file was read (shown as warnings on the job).
    notes: list[str] = field(default_factory=list)
