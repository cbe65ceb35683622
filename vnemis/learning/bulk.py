"""Year outcomes from plain rows, for the bulk year-end run (``services.yearend``).

The year-end run reads marks and term reports as tuples, not model instances. The rows are
wrapped in light records with the attribute names of ``Mark``, ``TermReport`` and
``Subject`` and handed to ``evaluation.year_evaluate``: the same builders of the regime
modules' input dataclasses and the same ``evaluate`` functions as the gradebook's
``year_results_refresh``, so the two paths cannot drift apart.

A regime module is pure, so two students whose rows are identical get identical outcomes:
``OutcomeMemo`` evaluates each distinct student-year once per run (bounded, so a province of
distinct students does not fill the memory).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Context, Decimal
from typing import Any, NamedTuple, cast

from vnemis.learning.evaluation import Headline, headline, stored_outcome
from vnemis.learning.models import Mark, Subject, TermReport

TENTH = Decimal("0.1")
# Django reads SQLite's REAL values with 15 significant digits before quantising.
FIFTEEN_DIGITS = Context(prec=15)


class SubjectRow(NamedTuple):
    """What ``year_evaluate`` reads of a ``Subject``."""

    pk: int
    regime: str
    code: str
    mode: str
    periods_per_year: int | None
    position: int


class MarkRow(NamedTuple):
    """What ``year_evaluate`` reads of a ``Mark`` (scores as ``Decimal`` with one decimal)."""

    subject_id: int
    term: int
    r1: Decimal | None
    r2: Decimal | None
    r3: Decimal | None
    r4: Decimal | None
    midterm: Decimal | None
    final: Decimal | None
    mid_result: str
    result: str


class ReportRow(NamedTuple):
    """What ``year_evaluate`` reads of a ``TermReport`` (traits already decoded)."""

    term: int
    conduct: str
    traits: dict[str, str]
    traits_mid: dict[str, str]
    year_conduct: str
    recommended: bool
    decision: str
    absences_excused: int
    absences_unexcused: int


# The columns read from the database, in the order of the records above (``student_id``
# first). JSON columns arrive as text on both engines (Django loads PostgreSQL's jsonb as
# text and decodes it in the field).
MARK_COLUMNS = (
    "student_id",
    "subject_id",
    "term",
    "r1",
    "r2",
    "r3",
    "r4",
    "midterm",
    "final",
    "mid_result",
    "result",
)
REPORT_COLUMNS = (
    "student_id",
    "term",
    "conduct",
    "traits",
    "traits_mid",
    "year_conduct",
    "recommended",
    "decision",
    "absences_excused",
    "absences_unexcused",
)


class ScoreReader:
    """Raw score values as the ORM would give them: ``Decimal`` with one decimal place.

    SQLite stores a decimal column as a REAL or an INTEGER; Django's converter reads it with
    15 significant digits and quantises it to the field's places. The same is done here, once
    per distinct raw value (a 10-point scale with one decimal has 101 of them). PostgreSQL's
    numeric arrives as ``Decimal`` already.
    """

    def __init__(self) -> None:
        self.cache: dict[Any, Decimal] = {}

    def __call__(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        # The type is part of the key: 8 and 8.0 compare equal but are cached apart.
        key = (type(value), value)
        found = self.cache.get(key)
        if found is None:
            if isinstance(value, Decimal):
                found = value
            elif isinstance(value, int | str):
                found = Decimal(value).quantize(TENTH)
            else:
                found = FIFTEEN_DIGITS.create_decimal_from_float(float(value)).quantize(TENTH)
            self.cache[key] = found
        return found


def marks_read(raw: Sequence[Sequence[Any]], score: ScoreReader) -> tuple[MarkRow, ...]:
    """Raw mark rows (``MARK_COLUMNS`` without the student id) as records, scores converted."""
    return tuple(
        MarkRow(
            row[0],
            row[1],
            score(row[2]),
            score(row[3]),
            score(row[4]),
            score(row[5]),
            score(row[6]),
            score(row[7]),
            row[8],
            row[9],
        )
        for row in raw
    )


def _json(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return cast(dict[str, str], json.loads(value))
    return cast(dict[str, str], value or {})


def reports_read(raw: Sequence[Sequence[Any]]) -> tuple[ReportRow, ...]:
    """Raw term-report rows (``REPORT_COLUMNS`` without the student id) as records."""
    return tuple(
        ReportRow(
            row[0],
            row[1],
            _json(row[2]),
            _json(row[3]),
            row[4],
            bool(row[5]),
            row[6],
            row[7],
            row[8],
        )
        for row in raw
    )


class Evaluated(NamedTuple):
    """A student-year's outcome: the JSON stored in ``YearResult.outcome``, as text, and its
    headline codes."""

    text: str
    head: Headline


def outcome_evaluate(
    *,
    regime: str,
    grade: int,
    subjects: Sequence[SubjectRow],
    marks: Sequence[MarkRow],
    reports: Sequence[ReportRow],
) -> Evaluated:
    """The outcome of one student-year, as ``year_results_refresh`` stores it."""
    outcome = stored_outcome(
        regime=regime,
        grade=grade,
        # The records carry every attribute the builders read (see the classes above).
        subjects=cast(Sequence[Subject], subjects),
        marks=cast(Sequence[Mark], marks),
        reports=cast(Sequence[TermReport], reports),
    )
    return Evaluated(json.dumps(outcome, ensure_ascii=False), headline(outcome))


# A student-year's exact inputs: the class's regime, grade and subjects, and the raw mark and
# report rows without the student id, as the database returned them. Equal raw values give
# equal converted values, so equal keys are equal inputs (a value stored as 8 in one row and
# 8.0 in another only costs a second evaluation).
MemoKey = tuple[Any, ...]


class OutcomeMemo:
    """Outcomes by their exact inputs, for one run; at most ``limit`` of them are kept."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self.found: dict[MemoKey, Evaluated] = {}
        self.evaluated = 0

    def add(self, found: dict[MemoKey, Evaluated]) -> None:
        """Keep newly evaluated outcomes while there is room."""
        self.evaluated += len(found)
        for key, value in found.items():
            if len(self.found) >= self.limit:
                return
            self.found[key] = value
