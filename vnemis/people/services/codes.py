"""Student and staff codes, issued from their sequences (``vnemis.core.sequences``).

A student code is the province's two-digit code and an 8-digit number counted per province
("1000000042"); a staff code is "CB" and a 7-digit number counted over the whole database.
"""

from __future__ import annotations

import re

from django.db.models import Max

from vnemis.core.sequences import sequence_raise_to, sequence_take
from vnemis.people.models import Staff, Student

STUDENT_CODES = "student"
STAFF_CODES = "staff"

_STAFF_CODE = re.compile(r"CB(\d{7})")


def _student_number_in_use(province_code: str) -> int:
    # Walks the unique index on code downwards from the top of the province's range, so the
    # cost does not grow with the number of students; codes of another shape are skipped.
    pattern = re.compile(rf"{re.escape(province_code)}(\d{{8}})")
    candidates = (
        Student.objects.filter(
            code__gte=f"{province_code}00000000", code__lte=f"{province_code}99999999"
        )
        .order_by("-code")
        .values_list("code", flat=True)
    )
    for code in candidates.iterator(chunk_size=20):
        match = pattern.fullmatch(code)
        if match:
            return int(match[1])
    return 0


def _staff_number_in_use() -> int:
    last = Staff.objects.filter(code__regex=r"^CB\d{7}$").aggregate(m=Max("code"))["m"]
    return int(last[2:]) if last else 0


def student_codes_reserve(*, province_code: str, count: int) -> list[str]:
    """``count`` new student codes of the province, for records inserted in this transaction."""
    first = sequence_take(
        family=STUDENT_CODES,
        scope=province_code,
        count=count,
        last_in_use=lambda: _student_number_in_use(province_code),
    )
    return [f"{province_code}{n:08d}" for n in range(first, first + count)]


def staff_codes_reserve(*, count: int) -> list[str]:
    """``count`` new staff codes, for records inserted in this transaction."""
    first = sequence_take(family=STAFF_CODES, count=count, last_in_use=_staff_number_in_use)
    return [f"CB{n:07d}" for n in range(first, first + count)]


def staff_code_claim(*, code: str) -> None:
    """A staff code chosen by hand (an import file's) is kept out of the issued series."""
    match = _STAFF_CODE.fullmatch(code)
    if match:
        sequence_raise_to(family=STAFF_CODES, value=int(match[1]), last_in_use=_staff_number_in_use)
