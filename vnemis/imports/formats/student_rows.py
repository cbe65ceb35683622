"""The rows of the student format, as ``students`` judges them and ``students_write`` writes
them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from vnemis.imports.formats.cells import search_name
from vnemis.organisations.models import OrgUnit


@dataclass(frozen=True, slots=True)
class StudentRow:
    """One pupil and his place this year, as the file gives them."""

    code: str  # vnemis's student code; empty for a new student
    moet_code: str
    family_name: str
    middle_name: str
    given_name: str
    birth_date: dt.date
    sex: str
    ethnicity: str
    national_id: str | None
    school: OrgUnit  # in the area
    grade: int
    level: str
    class_name: str  # empty: no class
    # The natural key, made once: the same string object then marks the row in every
    # in-file index (a million rows, three indexes: one copy of each key, not three).
    key: str = ""

    def person_fields(self) -> dict[str, Any]:
        """The person's fields as the row gives them."""
        return {
            "family_name": self.family_name,
            "middle_name": self.middle_name,
            "given_name": self.given_name,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "national_id": self.national_id,
        }

    def search_name(self) -> str:
        return search_name(self.family_name, self.middle_name, self.given_name)


class Enrolled(NamedTuple):
    """What a row is compared with: the student's active enrolment of the year."""

    student_id: int
    id: int
    school_id: int
    school_name: str
    grade: int
    school_class_id: int | None
    school_class_name: str | None
