"""A class gradebook sheet (``learning.sheets``) imported back: one class, subject and term.

The header row decides everything before a row is read: its signed token names the gradebook
and its columns (``learning.sheets.gradebook_identity_read``), the importer must be the teacher
assigned to that class and subject (``learning.access.assignments_for_user``, never the file's
word), the class must lie in the unit the import goes into, the subject's columns must be
those the sheet was made with, and the term must be open. Any refusal fails the job with a
message; no row is read.

Each row is a student of the class found by code, with the name as a check that rows did not
shift. Its cells are read with the columns of ``learning.columns`` (the grid's own parsing),
and only the cells that differ from what is stored become ``CellInput``s. The dry run lists
every change, before → after, as the job's warnings. The write is one ``marks_save`` call for
the whole sheet (``via="import"``): the grid's validation, lock and change rows, and all rows
or none, even when the importer asked to write the valid rows only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RunState
from vnemis.imports.formats.cells import Cells, RowError, code_text, text
from vnemis.imports.readers import ReadError, open_table
from vnemis.learning import access as learning_access
from vnemis.learning.choices import Term
from vnemis.learning.columns import LEVEL_SHORT, RESULT_SHORT
from vnemis.learning.columns import Column as EntryColumn
from vnemis.learning.models import Mark, Subject
from vnemis.learning.regimes.base import RegimeInputError
from vnemis.learning.services.catalogue import class_subjects
from vnemis.learning.services.marks import (
    CellInput,
    CellsRefused,
    TermLocked,
    mark_values,
    marks_save,
    subject_columns,
    term_locked,
)
from vnemis.learning.sheets import (
    FIXED_COLUMNS,
    SheetIdentity,
    SheetRefused,
    gradebook_identity_read,
    students_of,
)
from vnemis.people.models import SchoolClass

# More rows than any class has students: a longer sheet is not a class gradebook.
ROWS_MAX = 200
# A score or a result is a few characters; a longer cell is not echoed into messages.
VALUE_CHARS_MAX = 20
# Changes listed on the job's page; the rest are counted.
CHANGES_SHOWN = 300


@dataclass(frozen=True, slots=True)
class GradebookRow:
    student_id: int
    label: str  # student code and name, for the list of changes
    new: bool  # no mark stored yet for this student, subject and term
    cells: tuple[CellInput, ...]  # the cells that differ from what is stored
    changes: tuple[str, ...]  # "column: before → after", one per cell


@dataclass(frozen=True)
class Target:
    """The gradebook a sheet's header names, checked: the class, subject and term, the
    subject's columns, the students enrolled (code → id and full name) and their marks."""

    school_class: SchoolClass
    subject: Subject
    term: int
    columns: tuple[EntryColumn, ...]
    students: dict[str, tuple[int, str]]
    stored: dict[int, dict[str, Any]]


@dataclass
class GradebookRun(RunState):
    target: Target | None = None
    rows: int = 0
    refused: bool = False  # a row was refused: nothing of the sheet is written
    changes: list[str] = field(default_factory=list)


def not_yours() -> ReadError:
    # Names nothing about the gradebook: the file's ids are not evidence of access.
    return ReadError(
        _(
            "You cannot import this gradebook: only the teacher assigned to its class and "
            "subject imports it, into the school of the class."
        )
    )


def locked_message(term: int) -> str:
    # The message of marks_save's refusal, word for word: the grid says the same.
    return _(
        "{term} is locked at this school: ask for a correction, which the principal approves."
    ).format(term=Term(term).label)


def shown(column: EntryColumn, value: Any) -> str:
    """A value in the list of changes: as the sheet shows it, "(empty)" for none."""
    if value is None or value == "":
        return _("(empty)")
    if column.kind == "score":
        return str(value).replace(".", ",")
    if column.kind == "result":
        return RESULT_SHORT.get(str(value), str(value))
    if column.kind == "level":
        return LEVEL_SHORT.get(str(value), str(value))
    raw = str(value)
    return raw if len(raw) <= 40 else raw[:40] + "…"


def _same(column: EntryColumn, value: Decimal | str | None, stored: Any) -> bool:
    if column.kind == "score":
        before = None if stored in (None, "") else Decimal(str(stored))
        return value == before
    return (value or "") == (stored or "")


class GradebookFormat(ImportFormat[GradebookRow, GradebookRun]):
    kind: ClassVar[str] = "gradebook"
    # The fixed columns; the subject's follow them, as the sheet's signed header names them.
    columns: ClassVar[tuple[Column, ...]] = (
        Column("code", "Mã học sinh", ("student_code",), required=True),
        Column("name", "Họ và tên", ("full_name",), required=True),
    )
    # The whole sheet in one batch (it has at most ROWS_MAX rows): one marks_save call.
    batch_size: ClassVar[int] = 10_000

    def start(self) -> GradebookRun:
        return GradebookRun()

    # The header -----------------------------------------------------------------------------

    def match_headers(self, headers: list[str]) -> dict[str, int]:  # type: ignore[override]
        """The positions of the sheet's columns, once the header row proved which gradebook
        the sheet is and that the importer enters it (``ReadError`` otherwise)."""
        try:
            identity = gradebook_identity_read(headers)
        except SheetRefused as exc:
            raise ReadError(str(exc)) from None
        target = self.target(identity)
        self.state.target = target
        found = {"code": 1, "name": 2}
        for offset, column in enumerate(target.columns):
            found[f"col:{column.code}"] = FIXED_COLUMNS + offset
        return found

    def target(self, identity: SheetIdentity) -> Target:
        school_class = (
            SchoolClass.objects.select_related("school", "school_year")
            .filter(pk=identity.class_id, school_year_id=identity.school_year_id)
            .first()
        )
        subject = Subject.objects.filter(pk=identity.subject_id).first()
        if school_class is None or subject is None or identity.term not in Term.values:
            raise ReadError(
                _("The gradebook of this sheet no longer exists; download the sheet again.")
            )
        if not self.may_enter(school_class, subject):
            raise not_yours()
        columns = subject_columns(school_class=school_class, subject=subject)
        if (
            subject not in class_subjects(school_class)
            or identity.regime != subject.regime
            or identity.columns != tuple(c.code for c in columns)
            or identity.width != FIXED_COLUMNS + len(columns)
        ):
            raise ReadError(
                _(
                    "The columns of {subject} changed since this sheet was downloaded (the "
                    "number of regular scores follows the periods per year). Download the sheet "
                    "again and copy the values into it."
                ).format(subject=subject.name)
            )
        if term_locked(
            school_id=school_class.school_id,
            school_year_id=school_class.school_year_id,
            term=identity.term,
        ):
            raise ReadError(locked_message(identity.term))
        students = students_of(school_class)
        stored = {
            m.student_id: mark_values(m)
            for m in Mark.objects.filter(
                student_id__in=[s.pk for s in students],
                school_year_id=school_class.school_year_id,
                subject=subject,
                term=identity.term,
            )
        }
        return Target(
            school_class=school_class,
            subject=subject,
            term=identity.term,
            columns=columns,
            students={s.code: (s.pk, s.person.full_name) for s in students},
            stored=stored,
        )

    def may_enter(self, school_class: SchoolClass, subject: Subject) -> bool:
        """Whether the importer enters this gradebook, judged by the access rules and not by
        the file: the assigned teacher, into a unit holding the class. An import without an
        actor (the command line) is the system's."""
        inside = self.within(SchoolClass.objects.filter(pk=school_class.pk), "school_id")
        if not inside.exists():
            return False
        if self.by is None:
            return True
        return (
            learning_access.assignments_for_user(user=self.by)
            .filter(school_class=school_class, subject=subject)
            .exists()
        )

    # Rows -----------------------------------------------------------------------------------

    def parse(self, cells: Cells) -> GradebookRow:
        state = self.state
        target = state.target
        assert target is not None  # match_headers ran first
        state.rows += 1
        if state.rows > ROWS_MAX:
            raise ReadError(
                _(
                    "The sheet has more than {n} rows, and a class gradebook has one row per "
                    "student. Upload the sheet downloaded from the gradebook."
                ).format(n=ROWS_MAX)
            )
        try:
            return self.row(cells, target)
        except RowError:
            state.refused = True
            raise

    def row(self, cells: Cells, target: Target) -> GradebookRow:
        code = code_text(cells.get("code"), self.header("code"))
        if not code:
            raise RowError(_("The student code is empty."))
        student = target.students.get(code)
        if student is None:
            raise RowError(
                _("No student with the code {code} is enrolled in class {klass}.").format(
                    code=code[:VALUE_CHARS_MAX], klass=target.school_class.name
                )
            )
        student_id, full_name = student
        name = " ".join(text(cells.get("name")).split())
        if fold(name) != fold(full_name):
            raise RowError(
                _(
                    "The name in this row is not that of the student {code} ({name}): check "
                    "that no rows were moved or sorted apart from their codes."
                ).format(code=code, name=full_name)
            )
        stored = target.stored.get(student_id, {})
        regime = target.subject.regime
        errors: list[str] = []
        inputs: list[CellInput] = []
        changes: list[str] = []
        for column in target.columns:
            where = f"{target.subject.name}, {column.header}"
            try:
                raw = self.raw(cells.get(f"col:{column.code}"), column, where=where)
                value = column.parse(raw, regime=regime, where=where)
            except RegimeInputError as exc:
                errors.append(str(exc))
                continue
            before = stored.get(column.code)
            if not _same(column, value, before):
                inputs.append(CellInput(student_id, column.code, raw))
                changes.append(
                    _("{column}: {before} → {after}").format(
                        column=column.header,
                        before=shown(column, before),
                        after=shown(column, value),
                    )
                )
        if errors:
            raise RowError("; ".join(errors))
        return GradebookRow(
            student_id=student_id,
            label=f"{code} {full_name}",
            new=not stored,
            cells=tuple(inputs),
            changes=tuple(changes),
        )

    @staticmethod
    def raw(value: Any, column: EntryColumn, *, where: str) -> str:
        """A cell as the text the grid would have sent; a number typed in Excel is read as
        typed (8 → "8", 7.5 → "7.5"). Cells of other types are refused by name, as are overlong
        cells of a score or result column, without echoing them."""
        if value is None:
            return ""
        if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
            raise RegimeInputError(
                _(
                    "{where}: the cell holds a date, a time or TRUE/FALSE; type the value again."
                ).format(where=where)
            )
        if isinstance(value, float):
            # repr is the shortest text giving the same float back: 6.7, not 6.7000000000000002.
            raw = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        else:
            raw = text(value)
        if column.kind != "text" and len(raw) > VALUE_CHARS_MAX:
            raise RegimeInputError(
                _(
                    "{where}: the cell holds {n} characters, too many for a score or a result."
                ).format(where=where, n=len(raw))
            )
        return raw

    def key(self, row: GradebookRow) -> str:
        return str(row.student_id)

    def apply_batch(self, rows: list[GradebookRow], *, write: bool) -> list[RowOutcome | RowError]:
        target = self.state.target
        assert target is not None
        if self.state.refused and write:
            # Only with "write the valid rows only": a gradebook is still saved whole.
            return [
                RowError(
                    _(
                        "Not saved: a gradebook sheet is imported whole, and other rows were "
                        "refused. Correct them and import the sheet again."
                    )
                )
                for _row in rows
            ]
        outcomes: list[RowOutcome | RowError] = []
        for row in rows:
            if not row.cells:
                outcomes.append(RowOutcome.UNCHANGED)
                continue
            outcomes.append(RowOutcome.CREATE if row.new else RowOutcome.UPDATE)
            self.state.changes.extend(f"{row.label} — {change}" for change in row.changes)
        cells = [cell for row in rows for cell in row.cells]
        if not write or not cells:
            return outcomes
        try:
            marks_save(
                school_class=target.school_class,
                subject=target.subject,
                term=target.term,
                cells=cells,
                by=self.by,
                via="import",
            )
        except TermLocked:
            # Locked after the header was read (between the dry run's check and this write).
            return [RowError(locked_message(target.term)) for _row in rows]
        except CellsRefused as exc:
            # The rows' checks passed but marks_save refused: the enrolment changed meanwhile.
            by_student: dict[int, list[str]] = {}
            for error in exc.cell_errors:
                by_student.setdefault(error.student_id, []).append(error.message)
            fallback = _("Not saved: other rows of the sheet were refused.")
            return [RowError("; ".join(by_student.get(r.student_id, [fallback]))) for r in rows]
        return outcomes

    def warnings(self) -> list[str]:
        """The changes, one per cell, so that a dry run shows what the import would do."""
        changes = self.state.changes
        listed = changes[:CHANGES_SHOWN]
        if len(changes) > CHANGES_SHOWN:
            listed.append(_("… and {n} more changes.").format(n=len(changes) - CHANGES_SHOWN))
        return listed

    def export_rows(self) -> Iterator[list[Any]]:
        """Nothing: a gradebook is exported one class, subject and term at a time, with its
        signed header, by ``learning.sheets.gradebook_workbook``."""
        return iter(())


def gradebook_file_identity(*, path: Path, name: str) -> SheetIdentity:
    """Which gradebook an uploaded sheet claims to be, read with the import's reader (which
    refuses unsafe files): a page that takes the sheet of one gradebook refuses another's
    before queuing the import. Raises ``ReadError``."""
    with open_table(path, name=name) as table:
        try:
            return gradebook_identity_read(table.headers)
        except SheetRefused as exc:
            raise ReadError(str(exc)) from None


def gradebook_file_check(
    *, path: Path, name: str, school_class: SchoolClass, subject: Subject, term: int
) -> None:
    """Refuse (``ReadError``) a sheet that is not the gradebook of this class, subject and
    term."""
    identity = gradebook_file_identity(path=path, name=name)
    if (identity.class_id, identity.subject_id, identity.term) != (
        school_class.pk,
        subject.pk,
        term,
    ):
        raise ReadError(
            _(
                "This sheet is the gradebook of another class, subject or term. Upload the "
                "sheet downloaded from the gradebook of {klass}, {subject}, {term}."
            ).format(klass=school_class.name, subject=subject.name, term=Term(term).label)
        )
