"""Reading one cell of an import file: text, codes, dates, yes/no, names, sex, ethnicity,
phone numbers, e-mail addresses, grades. Every format reads its cells with these, so a date
or a personal ID typed the same way is read the same way in every kind of file."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.organisations.choices import LEVEL_GRADES
from vnemis.people.choices import Ethnicity

# A row as read: column key → the cell's value (str from CSV; str, float, date… from XLSX).
Cells = dict[str, Any]


class RowError(ValueError):
    """A row that cannot be imported; the message (Vietnamese) goes to the error report."""


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


def typed_as_number(value: Any) -> bool:
    """Whether Excel holds the cell as a number: it then dropped the leading zeros a code or
    a phone number was typed with."""
    return isinstance(value, int | float) and not isinstance(value, bool)


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


def date_text(day: dt.date | None) -> str:
    """A date as the files write it (dd/mm/yyyy), empty for none."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""


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
                label=label,
                value=date_text(day),
                earliest=date_text(earliest),
                latest=date_text(latest),
            )
        )
    return day


def birth_date_cell(value: Any, label: str, *, today: dt.date) -> dt.date:
    """A required date of birth."""
    day = date_cell(value, label, birth=True, today=today)
    assert day is not None  # required: an empty cell raised
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


# People ------------------------------------------------------------------------------------

SEX_LABELS = {"M": "Nam", "F": "Nữ"}
_SEX = {"nam": "M", "m": "M", "male": "M", "nu": "F", "nữ": "F", "f": "F", "female": "F"}
_ETHNICITY = {fold(label): code for code, label in Ethnicity.choices}
_ETHNICITY |= {"hmong": "08", "h mong": "08", "mong": "08", "kinh (viet)": "01"}
# The labels exactly as files usually write them, looked up before any folding.
_ETHNICITY_TEXT = {str(label): code for code, label in Ethnicity.choices}


def split_name(full: str) -> tuple[str, str, str]:
    """Family, middle and given name of a full name ("Vàng Seo Páo")."""
    parts = full.split()
    if len(parts) < 2:
        raise RowError(
            _("The full name '{name}' needs at least a family and a given name.").format(name=full)
        )
    return parts[0], " ".join(parts[1:-1]), parts[-1]


def name_cell(value: Any) -> tuple[str, str, str]:
    return split_name(" ".join(text(value).split()))


def sex_cell(value: Any) -> str:
    """ "M" or "F" from "Nam"/"Nữ" (any case, with or without accents) or M/F."""
    raw = text(value)
    sex = _SEX.get(raw.lower()) or _SEX.get(fold(raw))
    if sex is None:
        raise RowError(_("Sex must be 'Nam' or 'Nữ', not '{value}'.").format(value=raw))
    return sex


def ethnicity_cell(value: Any) -> str | None:
    """The ethnicity code of a label ("H'Mông", "Mông") or a number ("8"); None when empty."""
    raw = text(value)
    if not raw:
        return None
    ethnicity = _ETHNICITY_TEXT.get(raw)
    if ethnicity is None:
        ethnicity = _ETHNICITY.get(fold(raw)) or (raw.zfill(2) if raw.isdigit() else None)
        if ethnicity not in Ethnicity.values:
            raise RowError(_("Unknown ethnicity '{value}'.").format(value=raw))
    return ethnicity


def search_name(family: str, middle: str, given: str) -> str:
    """A name as ``Person.search_name`` keeps it."""
    return fold(" ".join(p for p in (family, middle, given) if p))


_MOBILE = re.compile(r"0[35789][0-9]{8}")


def phone_cell(value: Any, label: str) -> str:
    """A Vietnamese mobile number as 10 digits starting with 0 ("+84 912 345 678" accepted)."""
    raw = code_text(value, label)
    digits = re.sub(r"[\s.()-]", "", raw)
    if not digits:
        return ""
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif isinstance(value, int | float) and len(digits) == 9:
        digits = "0" + digits  # Excel dropped the leading zero of a number typed as a number
    if not _MOBILE.fullmatch(digits):
        raise RowError(
            _("{label} '{value}' is not a mobile number of 10 digits starting with 0.").format(
                label=label, value=raw
            )
        )
    return digits


def is_email(raw: str) -> bool:
    try:
        validate_email(raw)
    except ValidationError:
        return False
    return True


def email_cell(value: Any, label: str) -> str:
    raw = text(value)
    if raw and not is_email(raw):
        raise RowError(
            _("{label} '{value}' is not an e-mail address.").format(label=label, value=raw)
        )
    return raw


# Units and classes -------------------------------------------------------------------------


def admin_code_cell(value: Any, label: str) -> str:
    """A commune (xã/phường) code: digits only, the leading zeros Excel dropped put back."""
    raw = code_text(value, label)
    if typed_as_number(value):
        raw = raw.zfill(5)  # a commune code typed as a number lost its leading zeros
    if raw and (not raw.isdigit() or len(raw) > 10):
        raise RowError(
            _("The administrative-unit code '{value}' must be digits only, such as 02683.").format(
                value=raw
            )
        )
    return raw


def grade_cell(value: Any) -> int:
    raw = code_text(value, "Khối")
    try:
        grade = int(raw)
    except ValueError as exc:
        raise RowError(_("Grade must be a number from 0 to 12.")) from exc
    if not 0 <= grade <= 12:
        raise RowError(_("Grade must be a number from 0 to 12."))
    return grade


# The order in which a level is picked when a school teaches a grade at two levels.
_LEVEL_ORDER = ("gdtx", "mn", "th", "thcs", "thpt")


def level_of_grade(levels: set[str] | list[str], grade: int) -> str | None:
    """The level at which a school teaching ``levels`` teaches ``grade``; None if it does not."""
    return next((lv for lv in _LEVEL_ORDER if lv in levels and grade in LEVEL_GRADES[lv]), None)


def class_name_cell(value: Any) -> str:
    name = " ".join(code_text(value, "Lớp").split())
    if len(name) > 40:
        raise RowError(_("A class name has at most 40 characters."))
    return name
