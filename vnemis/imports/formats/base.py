"""What every import format shares: columns matched by header text, and cell parsers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.readers import ReadError


class RowError(ValueError):
    """A row that cannot be imported; the message (Vietnamese) goes to the error report."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header, Vietnamese
    aliases: tuple[str, ...] = ()
    required: bool = False


class ImportFormat:
    """Parse a row into data, give its natural key, and write it (or say what would happen)."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    # For the downloadable template: one example row (in ``columns`` order) and the
    # dropdowns, column key → Excel list formula such as '"Nam,Nữ"'.
    example: ClassVar[tuple[Any, ...]] = ()
    choices: ClassVar[dict[str, str]] = {}
    # Formats that write in bulk take rows in groups of this size through ``apply_batch``;
    # 0: one row at a time through ``apply``.
    batch_size: ClassVar[int] = 0

    def __init__(
        self,
        *,
        by: Any,
        scope_paths: tuple[str, ...] | None,
        day: dt.date,
        job: Any = None,
    ) -> None:
        self.by = by
        self.scope_paths = scope_paths  # None: the whole database (system imports)
        self.day = day
        self.job = job  # the ImportJob being run, if any (named in bulk audit entries)

    @classmethod
    def match_headers(cls, headers: list[str]) -> dict[str, int]:
        """Column key → position, matching header text (accents and case ignored)."""
        wanted: dict[str, str] = {}
        for column in cls.columns:
            for name in (column.header, column.key, *column.aliases):
                wanted.setdefault(fold(name), column.key)
        found: dict[str, int] = {}
        for i, header in enumerate(headers):
            key = wanted.get(fold(header))
            if key is not None and key not in found:
                found[key] = i
        missing = [c.header for c in cls.columns if c.required and c.key not in found]
        if missing:
            raise ReadError(
                _(
                    "Missing columns: {columns}. Download the template to see the expected headers."
                ).format(columns=", ".join(missing))
            )
        return found

    def key(self, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def parse(self, cells: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def apply(self, data: dict[str, Any], *, write: bool) -> RowOutcome:
        raise NotImplementedError

    def apply_batch(
        self, rows: list[dict[str, Any]], *, write: bool
    ) -> list[RowOutcome | RowError]:
        """Outcome (or the reason for rejection) of each parsed row, in order; writes the
        accepted rows when ``write``. Must not leave a rejected row half-written."""
        raise NotImplementedError

    def export_rows(self) -> Iterator[list[Any]]:
        """The records in scope as rows in ``columns`` order: the template's layout, so an
        exported file, edited and imported again, round-trips (unchanged rows stay unchanged)."""
        raise NotImplementedError


def text(value: Any) -> str:
    if value.__class__ is str:  # CSV cells, the common case first
        return str(value).strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores codes typed as numbers as floats
    return str(value).strip()


def date_cell(value: Any, label: str, *, required: bool = True) -> dt.date | None:
    """A date as dd/mm/yyyy text or an Excel date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        if required:
            raise RowError(_("{label} is empty.").format(label=label))
        return None
    parts = raw.split("/")
    if len(parts) == 3 and len(parts[2]) == 4:
        # The common dd/mm/yyyy, without strptime's cost.
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            pass
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 a calendar date
        except ValueError:
            continue
    raise RowError(
        _("{label} '{value}' is not a date of the form dd/mm/yyyy.").format(label=label, value=raw)
    )


_YES = {"co", "x", "1", "yes", "true", "dung"}
_NO = {"khong", "0", "no", "false", "", "chua"}


def yes_no(value: Any, label: str) -> bool:
    raw = fold(text(value))
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise RowError(
        _("{label} must be 'Có' or 'Không', not '{value}'.").format(label=label, value=text(value))
    )
