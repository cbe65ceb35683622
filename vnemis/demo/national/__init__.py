"""The whole country as import files: ``vnemis demo national``.

Writes one file per import kind (schools, sites, staff, classes, students) with exactly the
headers of ``vnemis.imports.formats``, for import tests and benchmarks; the database is not
touched. Everything is drawn from the seed, so the same seed and scale give the same bytes.

- ``plan``: which schools each of the 34 provinces has and how many children, pupils and
  staff each holds (the figures and their sources are in its docstring);
- ``rows``: each school's sites, staff, classes and students as rows of the import formats;
- ``writer``: the CSV and XLSX files, their README, and ``national_write``, the entry point.
"""

from __future__ import annotations

from vnemis.demo.national.plan import CATEGORIES, LEVEL_STUDENTS, NationalPlan, national_plan
from vnemis.demo.national.writer import FILE_FORMATS, KINDS, national_write

__all__ = [
    "CATEGORIES",
    "FILE_FORMATS",
    "KINDS",
    "LEVEL_STUDENTS",
    "NationalPlan",
    "national_plan",
    "national_write",
]
