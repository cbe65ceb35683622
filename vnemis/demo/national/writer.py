"""The files of ``vnemis demo national``: the plan's schools as import files, one per import
kind (schools, sites, staff, classes, students), with exactly the headers of
``vnemis.imports.formats``, as CSV and/or XLSX parts; the database is not touched.

Codes, so that a database holding a province's 2025 tree can import the files:

- A school's code has 8 characters: the 2-digit province code, the 3-digit rank of its
  commune in the province (by commune code) and a 3-digit sequence in the commune. (A commune
  with more than 999 schools, at scales above about 10, gets a 4-digit sequence: still unique.)
- "Đơn vị quản lý" is the managing unit of the 2025 tree, coded as the demo loader codes it:
  ``XA<5-digit commune code>`` for preschools, primary, lower secondary and TH&THCS schools,
  ``SGD<2-digit province code>`` (``SGD15``, ``SGD01``) for the rest. Those units must exist.
- Sites are ``<school>-01`` (the main site), ``-02`` ...; staff ``CB<school><4 digits>``; the
  homeroom teacher of a class is a teacher of its school in staff.csv.
- Students carry a MOET code (2-digit province and an 8-digit sequence) and, for about 97 %,
  a personal ID number of NĐ 137/2015 structure, unique over all files.
- Birth dates fit the school year starting in ``school_year_start`` (default 2025-2026).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook

from vnemis.demo.national.plan import SCHOOL_YEAR_START, NationalPlan, national_plan
from vnemis.demo.national.rows import RowGenerator
from vnemis.imports.formats import FORMATS

Progress = Callable[[str], None]

KINDS = ("schools", "sites", "staff", "classes", "students")
FILE_FORMATS = ("csv", "xlsx")
# An XLSX sheet holds 1,048,576 rows; parts stay well below with their header row.
XLSX_MAX_ROWS = 1_000_000
PROGRESS_EVERY = 1_000_000


# Output files ---------------------------------------------------------------------------


class _TableWriter:
    """One import kind's rows: a CSV file and/or XLSX parts of at most ``max_rows`` rows."""

    def __init__(self, *, folder: Path, kind: str, formats: frozenset[str], max_rows: int) -> None:
        self.folder = folder
        self.kind = kind
        self.max_rows = max_rows
        self.header = [column.header for column in FORMATS[kind].columns]
        self.rows = 0
        self._csv_file: IO[str] | None = None
        self._csv: Any = None
        if "csv" in formats:
            self._csv_file = (folder / f"{kind}.csv").open(
                "w", encoding="utf-8", newline="", buffering=1 << 20
            )
            self._csv = csv.writer(self._csv_file, lineterminator="\n")
            self._csv.writerow(self.header)
        self._xlsx = "xlsx" in formats
        self._book: Any = None
        self._sheet: Any = None
        self._part_rows = 0
        self._parts: list[int] = []  # rows of each finished XLSX part

    def write(self, rows: Sequence[Sequence[object]]) -> None:
        if self._csv is not None:
            self._csv.writerows(rows)
        if self._xlsx:
            start = 0
            while start < len(rows):
                if self._book is None or self._part_rows >= self.max_rows:
                    self._next_part()
                take = min(len(rows) - start, self.max_rows - self._part_rows)
                append = self._sheet.append
                for row in rows[start : start + take]:
                    append(row)
                self._part_rows += take
                start += take
        self.rows += len(rows)

    def _part_path(self, number: int) -> Path:
        return self.folder / f"{self.kind}-{number:03d}.xlsx"

    def _save_part(self) -> None:
        self._book.save(self._part_path(len(self._parts) + 1))
        self._parts.append(self._part_rows)
        self._book = self._sheet = None

    def _next_part(self) -> None:
        if self._book is not None:
            self._save_part()
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title=self.kind)
        self._sheet.append(self.header)
        self._part_rows = 0

    def close(self) -> dict[str, int]:
        """Finish the files; file name → data rows."""
        files: dict[str, int] = {}
        if self._csv_file is not None:
            self._csv_file.close()
            files[f"{self.kind}.csv"] = self.rows
        if self._xlsx:
            if self._book is None and not self._parts:
                self._next_part()  # no rows: a file with the header alone
            if self._book is not None:
                self._save_part()
            if len(self._parts) == 1:
                self._part_path(1).replace(self.folder / f"{self.kind}.xlsx")
                files[f"{self.kind}.xlsx"] = self._parts[0]
            else:
                for i, n in enumerate(self._parts, start=1):
                    files[self._part_path(i).name] = n
        return files


def _clear(folder: Path) -> None:
    """Remove the files an earlier run left, so that no stale XLSX part survives."""
    for kind in KINDS:
        for path in (folder / f"{kind}.csv", folder / f"{kind}.xlsx"):
            path.unlink(missing_ok=True)
        for path in folder.glob(f"{kind}-[0-9][0-9][0-9]*.xlsx"):
            path.unlink()
    (folder / "README.txt").unlink(missing_ok=True)


# Entry point ----------------------------------------------------------------------------


def national_write(
    *,
    output: Path,
    seed: int = 2022,
    scale: float | None = None,
    students_target: int | None = None,
    formats: Collection[str] = FILE_FORMATS,
    progress: Progress | None = None,
    school_year_start: int = SCHOOL_YEAR_START,
    xlsx_max_rows: int = XLSX_MAX_ROWS,
) -> dict[str, int]:
    """Write the country's import files into ``output``; file name → data rows.

    ``scale`` 1 is the whole country; ``students_target`` fixes the number of students
    exactly (see ``national_plan``). Rows are written school by school and never kept, so
    memory does not grow with the number of students.
    """
    wanted = frozenset(formats)
    if not wanted or not wanted <= set(FILE_FORMATS):
        raise ValueError(f"formats must be among {', '.join(FILE_FORMATS)}")
    if xlsx_max_rows < 1:
        raise ValueError("xlsx_max_rows must be at least 1")
    say = progress or (lambda _message: None)
    started = time.monotonic()
    plan = national_plan(
        seed=seed,
        scale=scale,
        students_target=students_target,
        school_year_start=school_year_start,
    )
    say(
        f"Plan: {len(plan.schools):,} schools, {plan.students:,} students "
        f"(seed {seed}, scale {plan.scale:g})."
    )
    output.mkdir(parents=True, exist_ok=True)
    _clear(output)
    writers = {
        kind: _TableWriter(folder=output, kind=kind, formats=wanted, max_rows=xlsx_max_rows)
        for kind in KINDS
    }
    files: dict[str, int] = {}
    try:
        generator = RowGenerator(plan)
        writers["schools"].write([generator.school_row(s) for s in plan.schools])
        for s in plan.schools:
            writers["sites"].write(generator.site_rows(s))
        students = writers["students"]
        mark = PROGRESS_EVERY
        for s in plan.schools:
            rng = generator.rng(s)
            # The principal first, as in schools.csv, so that both files name the same person.
            principal = generator.principal(rng, s)
            classes = generator.classes(rng, s)
            staff_rows, homeroom = generator.staff(rng, s, classes, principal)
            writers["staff"].write(staff_rows)
            writers["classes"].write(
                [
                    (s.code, c.name, c.grade, c.site, teacher)
                    for c, teacher in zip(classes, homeroom, strict=True)
                ]
            )
            for c in classes:
                students.write(generator.students(rng, s, c))
            if students.rows >= mark:
                seconds = time.monotonic() - started
                say(
                    f"Students: {students.rows:,} of {plan.students:,} "
                    f"({students.rows / seconds:,.0f} rows/s)."
                )
                mark = (students.rows // PROGRESS_EVERY + 1) * PROGRESS_EVERY
    finally:
        for writer in writers.values():
            files |= writer.close()
    (output / "README.txt").write_text(_readme(plan, files), encoding="utf-8")
    say(f"Wrote {len(files)} files in {output} in {time.monotonic() - started:.1f} s.")
    return files


def _readme(plan: NationalPlan, files: dict[str, int]) -> str:
    departments = sorted({s.parent for s in plan.schools if s.category.under_department})
    communes = sorted({s.parent for s in plan.schools if not s.category.under_department})
    width = max(len(name) for name in files)
    lines = [
        "vnemis demo national: synthetic import files (not real people or schools).",
        "",
        f"seed {plan.seed}, scale {plan.scale:g}, school year "
        f"{plan.school_year_start}-{plan.school_year_start + 1}",
        "",
        "Data rows per file (plus one header row; CSV in UTF-8, dates dd/mm/yyyy):",
        *(f"  {name:<{width}}  {n:>12,}" for name, n in sorted(files.items())),
        "",
        "Import in this order: schools, sites, staff, classes, students.",
        "The 'Đơn vị quản lý' of schools.csv are units of the 2025 tree that must exist in the",
        "database before the import:",
        f"  departments (SGD + 2-digit province code): {len(departments):,}",
        f"  communes (XA + 5-digit commune code of vietnam-provinces): {len(communes):,}",
        "",
    ]
    return "\n".join(lines)
