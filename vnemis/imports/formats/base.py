"""What every import format shares: columns matched by header text, the area an import may
write (one decision, from the access functions), what a run has seen, and the refusals that
keep an import inside its importer's area. Reading single cells is ``cells``'s job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.cells import Cells, RowError, code_text
from vnemis.imports.models import ImportJob
from vnemis.imports.readers import ReadError
from vnemis.organisations import access as org_access
from vnemis.organisations.models import OrgUnit, OrgUnitQuerySet
from vnemis.organisations.scope import user_scope
from vnemis.people.selectors import person_ids_in_reach

__all__ = [
    "Column",
    "ImportFormat",
    "RowError",
    "RunState",
    "enrolled_outside",
    "outside_code",
    "outside_id",
]


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header, Vietnamese
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass
class RunState:
    """What one run of a format has learnt so far. Formats with more to remember extend it.

    Lookups are kept so that a file of many rows about few units asks the database once per
    unit; judgements are kept so that a row further down is judged as the first one was,
    whatever the rows in between wrote: a dry run and the write then agree.
    """

    # Person id → in reach, as first seen by this file (see ``ImportFormat.reachable``).
    reach: dict[int, bool] = field(default_factory=dict)
    # School code → the school of that code in the area (None: none there).
    schools: dict[str, OrgUnit | None] = field(default_factory=dict)
    # The ids of the units in the area, loaded when first asked (None: not yet).
    unit_ids: set[int] | None = None


class ImportFormat[RowT, StateT: RunState]:
    """Parse a row into a frozen ``RowT``, give its natural key, and write it (or say what
    would happen); ``state`` (a ``StateT``) holds what the run has seen."""

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
        by: User | None,
        day: dt.date,
        scope_paths: tuple[str, ...] | None = None,
        job: ImportJob | None = None,
    ) -> None:
        """``by``: who imports (None: the system, a command-line import). ``scope_paths``: the
        placements of the unit the import goes into (None: no such unit); rows outside it are
        refused even where ``by`` may write."""
        self.by = by
        self.scope_paths = scope_paths
        self.day = day
        self.job = job  # the ImportJob being run, if any (named in bulk audit entries)
        self.state = self.start()

    def start(self) -> StateT:
        """A new run's state."""
        raise NotImplementedError

    # The area ------------------------------------------------------------------------------
    # Everything a format may read or write is found from here: the access functions with
    # ``write=True`` for the actor, narrowed to the unit the import goes into.

    def granted[M: Model](
        self, for_user: Callable[..., QuerySet[M]], everything: QuerySet[M]
    ) -> QuerySet[M]:
        """The records of a model the actor may change, through its access function
        (``for_user(user=…, write=True)``). The one place that decides what an import without
        an actor reaches: a system import from the command line reaches the whole database."""
        if self.by is None:
            return everything
        return for_user(user=self.by, write=True)

    def within[M: Model](self, records: QuerySet[M], unit_field: str) -> QuerySet[M]:
        """``records`` whose unit (``unit_field``, a unit id) lies in the unit the import goes
        into, when it goes into one."""
        if self.scope_paths is None:
            return records
        inside = OrgUnit.objects.under_paths(self.scope_paths)
        return records.filter(**{f"{unit_field}__in": inside})

    def units(self) -> OrgUnitQuerySet:
        """The units this import may write into."""
        units = self.within(self.granted(org_access.orgunits_for_user, OrgUnit.objects.all()), "pk")
        assert isinstance(units, OrgUnitQuerySet)
        return units

    def schools(self) -> OrgUnitQuerySet:
        """The schools this import may write into."""
        schools = self.within(
            self.granted(org_access.schools_for_user, OrgUnit.objects.schools()), "pk"
        )
        assert isinstance(schools, OrgUnitQuerySet)
        return schools

    def everywhere(self) -> bool:
        """Whether the area is the whole database (a system import into no particular unit)."""
        return self.by is None and self.scope_paths is None

    def in_area(self, unit_id: int) -> bool:
        """Whether the unit ``unit_id`` lies in the area (the ids are read once per run)."""
        if self.everywhere():
            return True
        if self.state.unit_ids is None:
            self.state.unit_ids = set(self.units().values_list("pk", flat=True))
        return unit_id in self.state.unit_ids

    def reach_paths(self) -> tuple[str, ...] | None:
        """The subtrees whose people this import may update or link (None: everyone)."""
        if self.scope_paths is not None:
            return self.scope_paths
        if self.by is None:
            return None
        return user_scope(self.by).write_paths

    def school(self, code: str) -> OrgUnit:
        """The school with ``code`` if it is in the area, looked up once per file."""
        if not code:
            raise RowError(_("The school code is empty."))
        schools = self.state.schools
        if code not in schools:
            found = self.schools().filter(code=code).prefetch_related("groups__group_set")
            schools[code] = found.first()
        school = schools[code]
        if school is None:
            raise RowError(_("No school with the code {code} in your area.").format(code=code))
        return school

    # Rows ----------------------------------------------------------------------------------

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

    def code_cell(self, cells: Cells, key: str) -> str:
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
        reach = self.state.reach
        unknown = ids - reach.keys()
        if unknown:
            found = person_ids_in_reach(paths=self.reach_paths(), person_ids=unknown, using=using)
            reach.update((pk, pk in found) for pk in unknown)
        return {pk for pk in ids if reach[pk]}

    def in_reach(self, person_id: int) -> bool:
        return person_id in self.reachable([person_id])

    def key(self, row: RowT) -> str:
        raise NotImplementedError

    def parse(self, cells: Cells) -> RowT:
        raise NotImplementedError

    def apply(self, row: RowT, *, write: bool) -> RowOutcome:
        raise NotImplementedError

    def apply_batch(self, rows: list[RowT], *, write: bool) -> list[RowOutcome | RowError]:
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
