"""What every import format shares: columns matched by header text, cell parsers, and the
refusals that keep an import inside its importer's area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.readers import ReadError
from vnemis.people.selectors import person_ids_in_reach


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
        # Person id → in reach, as first seen by this file (see ``reachable``).
        self._reach: dict[int, bool] = {}

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

    @classmethod
    def header(cls, key: str) -> str:
        """The template's header of the column ``key``: how error messages name a cell."""
        return next(c.header for c in cls.columns if c.key == key)

    def code_cell(self, cells: dict[str, Any], key: str) -> str:
        """The text of a code, number or ID cell, refused if it holds digits other than 0-9."""
        return code_text(cells.get(key), self.header(key))

    def reachable(self, person_ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS) -> set[int]:
        """Which of ``person_ids`` this import may update or link into a new role: the people
        of ``people.selectors.persons_in_reach``.

        Each person is judged once, when the file first names him, so rows further down are
        judged as the first one was, whatever the rows in between wrote: a dry run and the
        write then agree.
        """
        ids = set(person_ids)
        unknown = ids - self._reach.keys()
        if unknown:
            found = person_ids_in_reach(paths=self.scope_paths, person_ids=unknown, using=using)
            self._reach.update((pk, pk in found) for pk in unknown)
        return {pk for pk in ids if self._reach[pk]}

    def in_reach(self, person_id: int) -> bool:
        return person_id in self.reachable([person_id])

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

    def warnings(self) -> list[str]:
        """After the rows: what looks implausible about the file as a whole (a school's
        enrolment multiplied, a class over the charter's size), for the importer to check
        before writing. Nothing is refused for it."""
        return []


# The refusals for an identifier that names someone outside the importer's area. They name
# nothing about that person (not his name, school or other codes), so an error report cannot
# be used to learn who holds a personal ID number or code.
def outside_id() -> RowError:
    return RowError(
        _(
            "This personal ID number is already used for a person outside your unit's area; "
            "contact the education office or the Department."
        )
    )


def outside_code(label: str) -> RowError:
    """``label``: the column's header ("Mã học sinh", "Mã cán bộ", "Mã định danh Bộ GD&ĐT")."""
    return RowError(
        _(
            "This {label} is already used for a person outside your unit's area; contact the "
            "education office or the Department."
        ).format(label=label)
    )


def enrolled_outside(year_code: str) -> RowError:
    """A student within reach whose enrolment of the year is at a school outside the area."""
    return RowError(
        _(
            "In {year} the student is enrolled at a school outside your unit's area; contact "
            "the education office or the Department."
        ).format(year=year_code)
    )


# What an export puts before a text a spreadsheet would run as a formula (core/xlsx.py).
_GUARD = "'"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text(value: Any) -> str:
    """A cell as trimmed text. The apostrophe an export put before a text that starts like a
    formula ("'=…", "'-…", see ``core.xlsx.safe_cell``) is taken off, so a file exported and
    imported again gives back the stored text; the next export puts it on again."""
    if value.__class__ is str:  # CSV cells, the common case first
        raw = str(value).strip()
        if raw[:1] == _GUARD and raw[1:2] and raw[1] in _FORMULA_STARTS:
            return raw[1:].strip()
        return raw
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores codes typed as numbers as floats
    return str(value).strip()


def foreign_digits(raw: str) -> bool:
    """Whether ``raw`` holds digits other than 0-9 (Arabic-Indic, full-width, superscript…),
    which Python's int() and Decimal() would read as numbers."""
    return not raw.isascii() and any(c.isnumeric() and not "0" <= c <= "9" for c in raw)


def code_text(value: Any, label: str) -> str:
    """The text of a code, number, ID or date cell; digits must be the plain 0-9."""
    raw = text(value)
    if foreign_digits(raw):
        raise RowError(
            _(
                "{label} '{value}' contains digits other than 0-9 (such as Arabic or full-width "
                "digits); type it again with the digits 0-9."
            ).format(label=label, value=raw)
        )
    return raw


# Plausible dates. A birth date lies from 1900 on (no staff member or guardian alive was born
# earlier; the personal ID number's century digit starts there) up to today. Every other date
# in these files (entering service, an enrolment's start and end, a fact valid from) lies from
# 1950 on (the province's schools keep no older records) and at most two years ahead: nothing
# is planned further than the next school year. Year 1 or 9999 is a typing slip.
EARLIEST_BIRTH = dt.date(1900, 1, 1)
EARLIEST_DATE = dt.date(1950, 1, 1)
YEARS_AHEAD = 2


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _dmy(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def date_cell(
    value: Any,
    label: str,
    *,
    required: bool = True,
    birth: bool = False,
    today: dt.date | None = None,
) -> dt.date | None:
    """A date as dd/mm/yyyy text or an Excel date, within the plausible range (a birth date
    when ``birth``; ``today``: the import's day)."""
    day = _date(value, label, required=required)
    if day is None:
        return None
    today = today or timezone.localdate()
    if birth and day > today:
        raise RowError(_("The date of birth is in the future."))
    if birth:
        earliest, latest = EARLIEST_BIRTH, today
    else:
        earliest = EARLIEST_DATE
        latest = _years_after(today, YEARS_AHEAD)
    if not earliest <= day <= latest:
        raise RowError(
            _("{label} '{value}' is outside the plausible range ({earliest} to {latest}).").format(
                label=label, value=_dmy(day), earliest=_dmy(earliest), latest=_dmy(latest)
            )
        )
    return day


def _date(value: Any, label: str, *, required: bool) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = code_text(value, label)
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
