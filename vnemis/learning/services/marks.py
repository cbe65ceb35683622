"""The gradebook's write path: cells typed in the grid, rows of an imported file and approved
corrections all arrive here, are validated by the subject's columns, and leave a change row
with before and after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.learning.choices import Term
from vnemis.learning.columns import Column, columns_for
from vnemis.learning.evaluation import mark_average
from vnemis.learning.models import Correction, Mark, ResultChange, Subject, TermLock
from vnemis.learning.regimes.base import RegimeInputError
from vnemis.learning.services.results import year_results_refresh
from vnemis.people.choices import EnrollmentStatus
from vnemis.people.models import Enrollment, SchoolClass


@dataclass(frozen=True)
class CellInput:
    """One typed cell: a student of the class, a column code and the text typed."""

    student_id: int
    column: str
    value: str


@dataclass(frozen=True)
class CellError:
    student_id: int
    column: str
    message: str


class CellsRefused(ValidationError):
    """Some cells are invalid: nothing was saved. ``errors`` says which and why."""

    def __init__(self, errors: list[CellError]) -> None:
        super().__init__([e.message for e in errors])
        self.cell_errors = errors


class TermLocked(ValidationError):
    """The term is locked at the class's school: a change needs a correction request."""


def subject_columns(*, school_class: SchoolClass, subject: Subject) -> tuple[Column, ...]:
    return columns_for(
        regime=subject.regime,
        mode=subject.mode,
        periods_per_year=subject.periods_per_year,
        tested=subject.tested,
        mid_tested=subject.mid_tested,
    )


def term_locked(*, school_id: int, school_year_id: int, term: int) -> bool:
    return TermLock.objects.filter(
        school_id=school_id, school_year_id=school_year_id, term=term
    ).exists()


def class_student_ids(school_class: SchoolClass) -> set[int]:
    """The students whose marks the class's gradebook holds: those enrolled in it now."""
    return set(
        Enrollment.objects.filter(
            school_class=school_class, status=EnrollmentStatus.ACTIVE
        ).values_list("student_id", flat=True)
    )


def mark_values(mark: Mark | None) -> dict[str, Any]:
    """A mark's entered values and result, JSON-ready (for change rows and corrections)."""
    if mark is None:
        return {}
    values: dict[str, Any] = {}
    for name in ("r1", "r2", "r3", "r4", "midterm", "final", "average"):
        value = getattr(mark, name)
        if value is not None:
            values[name] = str(value)
    for index, result in enumerate(mark.regular_results, start=1):
        if result:
            values[f"rr{index}"] = result
    for name in ("mid_result", "final_result", "result", "comment"):
        if getattr(mark, name):
            values[name] = getattr(mark, name)
    return values


def _assign(mark: Mark, column: str, value: Decimal | str | None) -> None:
    if column.startswith("rr"):
        index = int(column[2:]) - 1
        results = list(mark.regular_results)
        results += [""] * (index + 1 - len(results))
        results[index] = value or ""
        while results and not results[-1]:
            results.pop()
        mark.regular_results = results
    else:
        setattr(mark, column, value)


def cells_parse(
    *, school_class: SchoolClass, subject: Subject, cells: Sequence[CellInput]
) -> list[tuple[CellInput, Decimal | str | None]]:
    """The stored value of every cell, or ``CellsRefused`` naming each invalid one."""
    columns = {c.code: c for c in subject_columns(school_class=school_class, subject=subject)}
    enrolled = class_student_ids(school_class)
    parsed: list[tuple[CellInput, Decimal | str | None]] = []
    errors: list[CellError] = []
    for cell in cells:
        column = columns.get(cell.column)
        if column is None:
            errors.append(
                CellError(
                    cell.student_id,
                    cell.column,
                    _("{subject} has no column “{column}” in this regime.").format(
                        subject=subject.name, column=cell.column
                    ),
                )
            )
            continue
        if cell.student_id not in enrolled:
            errors.append(
                CellError(
                    cell.student_id,
                    cell.column,
                    _("This student is not enrolled in class {klass}.").format(
                        klass=school_class.name
                    ),
                )
            )
            continue
        where = f"{subject.name}, {column.header}"
        try:
            parsed.append((cell, column.parse(cell.value, regime=subject.regime, where=where)))
        except RegimeInputError as exc:
            errors.append(CellError(cell.student_id, cell.column, str(exc)))
    if errors:
        raise CellsRefused(errors)
    return parsed


@transaction.atomic
def marks_save(
    *,
    school_class: SchoolClass,
    subject: Subject,
    term: int,
    cells: Sequence[CellInput],
    by: User | None,
    via: str = "entry",
    correction: Correction | None = None,
) -> list[Mark]:
    """Save typed cells of one class, subject and term; return the marks that changed.

    All cells or none: an invalid cell refuses the lot (``CellsRefused``). A locked term
    refuses every change (``TermLocked``) except the approved correction passed as
    ``correction``. Each changed mark gets its term result recomputed by the regime and a
    change row with before and after; the students' year results follow.
    """
    if term not in Term.values:
        raise ValidationError(_("A school year has terms I and II only."))
    if correction is None and term_locked(
        school_id=school_class.school_id, school_year_id=school_class.school_year_id, term=term
    ):
        raise TermLocked(
            _(
                "{term} is locked at this school: ask for a correction, which the "
                "principal approves."
            ).format(term=Term(term).label)
        )
    parsed = cells_parse(school_class=school_class, subject=subject, cells=cells)
    student_ids = sorted({cell.student_id for cell, _value in parsed})
    # Rows in student order, locked: two teachers' saves of one cell serialise here.
    existing = {
        mark.student_id: mark
        for mark in Mark.objects.select_for_update()
        .filter(
            student_id__in=student_ids,
            school_year_id=school_class.school_year_id,
            subject=subject,
            term=term,
        )
        .order_by("student_id")
    }
    before = {pk: mark_values(mark) for pk, mark in existing.items()}
    touched: dict[int, Mark] = {}
    for cell, value in parsed:
        mark = existing.get(cell.student_id) or touched.get(cell.student_id)
        if mark is None:
            mark = Mark(
                student_id=cell.student_id,
                school_year_id=school_class.school_year_id,
                subject=subject,
                term=term,
            )
        _assign(mark, cell.column, value)
        touched[cell.student_id] = mark
    changed: list[Mark] = []
    changes: list[ResultChange] = []
    for student_id, mark in touched.items():
        mark.average = mark_average(subject=subject, mark=mark)
        after = mark_values(mark)
        if after == before.get(student_id, {}):
            continue
        mark.updated_by = by
        mark.full_clean(validate_unique=False, validate_constraints=False)
        mark.save()
        changed.append(mark)
        changes.append(
            ResultChange(
                mark=mark,
                by=by,
                via=via,
                before=before.get(student_id, {}),
                after=after,
                correction=correction,
            )
        )
    ResultChange.objects.bulk_create(changes)
    if changed:
        year_results_refresh(
            student_ids=[m.student_id for m in changed],
            school_year_id=school_class.school_year_id,
        )
    return changed
