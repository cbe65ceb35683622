"""A class gradebook as an Excel workbook, and how an uploaded copy proves what it is.

The first sheet holds one row per student under one header row: number, student code, full
name, then the entry columns of the subject from ``columns.columns_for`` (the same definition
the grid and ``marks_save`` validate with), so a cell the sheet offers is a cell the import
accepts. Beside the header, a merged cell shows the school, class, subject, term, school year
and regime; after it, in a hidden column, a signed token names the class, subject and term by
id, lists the column codes and fingerprints the header row as exported. The import reads the
header row only through that token: a sheet of another gradebook, or one whose header was
edited (a column inserted, deleted, renamed or the information cell changed), is refused.

The header row is the sheet's first row because the import pipeline takes the first non-empty
row of the first sheet as its header; the information cell spans the rows below it without
holding values there, so those rows stay student rows.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from vnemis.core.spreadsheet import safe_text, sheet_title
from vnemis.learning.choices import Regime, Term
from vnemis.learning.columns import LEVEL_SHORT, PRIMARY, RESULT_SHORT, Column
from vnemis.learning.models import Mark, Subject
from vnemis.learning.services.marks import class_student_ids, mark_values, subject_columns
from vnemis.people.models import SchoolClass, Student

__all__ = [
    "FIXED_COLUMNS",
    "SheetIdentity",
    "SheetRefused",
    "gradebook_identity_read",
    "gradebook_workbook",
    "value_shown",
]

TOKEN_PREFIX = "vnemis:gradebook:v1:"
_SALT = "vnemis.learning.sheets.gradebook"
# Number, student code and full name come before the subject's columns.
FIXED_COLUMNS = 3
# Rows the information cell spans (its lines), below which student rows carry on alone.
_PANEL_ROWS = 8
NAME_ORDER = ("person__given_name", "person__family_name", "person__middle_name", "pk")


class SheetRefused(ValueError):
    """The header row is not that of a gradebook sheet vnemis made, or it was changed; the
    message (Vietnamese in the UI) says what to do."""


@dataclass(frozen=True)
class SheetIdentity:
    """What the signed token of a sheet says: which gradebook, with which columns."""

    class_id: int
    subject_id: int
    term: int
    school_year_id: int
    regime: str
    columns: tuple[str, ...]
    # Where the subject's columns end in the header row (the first is column 0).
    width: int


def students_of(school_class: SchoolClass) -> list[Student]:
    """The students whose rows the sheet holds: those ``marks_save`` writes for (enrolled in
    the class now), in the grid's order."""
    ids = class_student_ids(school_class)
    return list(Student.objects.filter(pk__in=ids).select_related("person").order_by(*NAME_ORDER))


def fixed_headers() -> list[str]:
    return [_("No."), _("Student code"), _("Full name")]


def panel_text(*, school_class: SchoolClass, subject: Subject, term: int) -> str:
    """The information cell beside the header row, one fact per line."""
    lines = [
        _("GRADEBOOK"),
        _("School: {name}").format(name=school_class.school.name),
        _("Class: {name}").format(name=school_class.name),
        _("Subject: {name}").format(name=subject.name),
        str(Term(term).label),  # "Học kỳ I": the label names itself
        _("School year: {year}").format(year=school_class.school_year.code),
        _("Regime: {regime}").format(regime=Regime(subject.regime).label),
    ]
    return "\n".join(lines)


def _fingerprint(headers: Sequence[Any]) -> str:
    """The header row's texts as a short digest: any edit of a header or of the information
    cell, an inserted or a deleted column changes it."""
    texts = ["" if h is None else str(h).strip() for h in headers]
    return hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()[:32]


def _token(*, identity: SheetIdentity, headers: Sequence[str]) -> str:
    payload = {
        "c": identity.class_id,
        "s": identity.subject_id,
        "t": identity.term,
        "y": identity.school_year_id,
        "r": identity.regime,
        "k": list(identity.columns),
        "w": identity.width,
        "h": _fingerprint(headers),
    }
    # A plain signer: the token has no timestamp, so a sheet's header is the same whenever it
    # is made (the filled export and the blank template of one gradebook match).
    return TOKEN_PREFIX + signing.Signer(salt=_SALT).sign_object(payload, compress=True)


def gradebook_identity_read(headers: Sequence[Any]) -> SheetIdentity:
    """The identity a header row carries, checked against its signature and fingerprint.

    Raises ``SheetRefused`` when the row has no token (not a vnemis gradebook sheet), the
    token's signature fails (edited), or the header texts differ from those exported.
    """
    position = next(
        (
            i
            for i, cell in enumerate(headers)
            if isinstance(cell, str) and cell.strip().startswith(TOKEN_PREFIX)
        ),
        None,
    )
    if position is None:
        raise SheetRefused(
            _(
                "This is not a gradebook sheet made by vnemis. Download the gradebook as Excel "
                "from its page, fill it in and upload that file."
            )
        )
    raw = str(headers[position]).strip()[len(TOKEN_PREFIX) :]
    try:
        payload = signing.Signer(salt=_SALT).unsign_object(raw)
        identity = SheetIdentity(
            class_id=int(payload["c"]),
            subject_id=int(payload["s"]),
            term=int(payload["t"]),
            school_year_id=int(payload["y"]),
            regime=str(payload["r"]),
            columns=tuple(str(code) for code in payload["k"]),
            width=int(payload["w"]),
        )
        fingerprint = str(payload["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise SheetRefused(_tampered()) from None
    if _fingerprint(headers[:position]) != fingerprint:
        raise SheetRefused(_tampered())
    return identity


def _tampered() -> str:
    return _(
        "The header of this gradebook sheet was changed (a column added, deleted, moved or "
        "renamed, or the information cell edited). Download the sheet again from the gradebook "
        "and copy the values into it, without changing its first row."
    )


def value_shown(column: Column, stored: Any) -> Any:
    """A stored value as the sheet shows it: scores as numbers, results and levels by their
    short letters (Đ, CĐ; T, H, C), comments as text that no spreadsheet runs as a formula."""
    if stored is None or stored == "":
        return None
    if column.kind == "score":
        return float(Decimal(str(stored)))  # a number cell, shown with the sheet's format
    if column.kind == "result":
        return RESULT_SHORT.get(str(stored), str(stored))
    if column.kind == "level":
        return LEVEL_SHORT.get(str(stored), str(stored))
    return safe_text(str(stored))


def gradebook_workbook(
    *, school_class: SchoolClass, subject: Subject, term: int, blank: bool = False
) -> bytes:
    """The gradebook of a class, subject and term as an XLSX file: the current values, or
    (``blank``) the same layout with the entry cells empty, as a template."""
    columns = subject_columns(school_class=school_class, subject=subject)
    students = students_of(school_class)
    marks: dict[int, dict[str, Any]] = {}
    if not blank:
        marks = {
            m.student_id: mark_values(m)
            for m in Mark.objects.filter(
                student_id__in=[s.pk for s in students],
                school_year_id=school_class.school_year_id,
                subject=subject,
                term=term,
            )
        }
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title(" ".join([school_class.name, subject.name, str(Term(term).label)]))
    width = FIXED_COLUMNS + len(columns)
    panel_column = width + 2  # one empty column between the table and the information
    token_column = panel_column + 2
    headers: list[str] = [*fixed_headers(), *(c.header for c in columns)]
    headers += ["", panel_text(school_class=school_class, subject=subject, term=term)]
    identity = SheetIdentity(
        class_id=school_class.pk,
        subject_id=subject.pk,
        term=term,
        school_year_id=school_class.school_year_id,
        regime=subject.regime,
        columns=tuple(c.code for c in columns),
        width=width,
    )
    headers.append("")  # the gap before the token column: the fingerprint covers it too
    headers.append(_token(identity=identity, headers=headers))
    for index, header in enumerate(headers, start=1):
        if header:
            sheet.cell(row=1, column=index).value = header
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index in range(1, width + 1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    # The information cell spans rows it leaves empty: the import reads them as student rows.
    panel = sheet.cell(row=1, column=panel_column)
    panel.alignment = Alignment(wrap_text=True, vertical="top")
    panel.font = bold
    sheet.merge_cells(
        start_row=1, start_column=panel_column, end_row=_PANEL_ROWS, end_column=panel_column
    )
    sheet.column_dimensions[get_column_letter(panel_column)].width = 48
    sheet.column_dimensions[get_column_letter(token_column)].hidden = True
    ref = f"'{sheet.title}'!${get_column_letter(token_column)}$1"
    book.defined_names["vnemis_gradebook"] = DefinedName("vnemis_gradebook", attr_text=ref)
    primary = subject.regime in PRIMARY
    for row, student in enumerate(students, start=2):
        values = marks.get(student.pk, {})
        sheet.cell(row=row, column=1).value = row - 1
        code = sheet.cell(row=row, column=2)
        code.value = safe_text(student.code)
        code.number_format = "@"  # a code stays text, leading zeros kept
        sheet.cell(row=row, column=3).value = safe_text(student.person.full_name)
        for offset, column in enumerate(columns):
            cell = sheet.cell(row=row, column=FIXED_COLUMNS + 1 + offset)
            cell.value = value_shown(column, values.get(column.code))
            if column.kind == "score":
                cell.number_format = "0" if primary else "0.0"
            elif column.kind == "text":
                cell.number_format = "@"
                cell.alignment = Alignment(wrap_text=True)
    last = max(len(students) + 1, 2)
    for offset, column in enumerate(columns):
        letter = get_column_letter(FIXED_COLUMNS + 1 + offset)
        sheet.column_dimensions[letter].width = 40 if column.kind == "text" else 9
        rule = _validation(column, primary=primary)
        if rule is not None:
            rule.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(rule)
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 26
    sheet.freeze_panes = "D2"
    _instructions(book, columns=columns, primary=primary)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _validation(column: Column, *, primary: bool) -> DataValidation | None:
    """Excel's own check of a cell as it is typed (the import checks again)."""
    if column.kind == "result":
        choices = ",".join(RESULT_SHORT.values())
    elif column.kind == "level":
        choices = ",".join(LEVEL_SHORT.values())
    elif column.kind == "score":
        rule = DataValidation(
            type="whole" if primary else "decimal",
            operator="between",
            formula1="0",
            formula2="10",
            allow_blank=True,
            showErrorMessage=True,
        )
        rule.error = _("A score from 0 to 10.")
        return rule
    else:
        return None
    rule = DataValidation(
        type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True
    )
    rule.error = _("Pick one of {choices}.").format(choices=choices)
    return rule


def _instructions(book: Workbook, *, columns: Sequence[Column], primary: bool) -> None:
    notes = book.create_sheet(sheet_title(_("Instructions")))
    lines = [
        _("How to fill in this gradebook sheet"),
        _(
            "1. Type the values in the columns of the subject only. Do not insert, delete, "
            "move or rename columns, and do not edit the first row or the information cell: "
            "the import refuses a sheet whose first row was changed."
        ),
        _(
            "2. One row per student, found by the student code; the full name must stay that "
            "of the student. Rows may be left out; a student may appear only once."
        ),
        _("3. An empty cell clears the value stored for it."),
        (
            _("4. Scores are whole numbers from 1 to 10 (0 allowed under TT27/2020).")
            if primary
            else _("4. Scores lie from 0 to 10 with at most one decimal (7,5 or 7.5).")
        ),
        _("5. Results: Đ (passed) or CĐ (not passed). Levels: T, H or C."),
        _(
            "6. Upload the file on the gradebook's page. First a dry run lists every change "
            "(before → after) and every refused cell; nothing is saved until you confirm, and "
            "then all rows are saved or none."
        ),
        _(
            "7. A locked term is not imported: ask for a correction on the gradebook page, "
            "which the principal approves."
        ),
        "",
        _("Columns of the subject"),
    ]
    for line in lines:
        notes.append([line])
    for column in columns:
        notes.append([column.header, _kind_label(column)])
    notes.column_dimensions["A"].width = 100
    notes["A1"].font = Font(bold=True)


def _kind_label(column: Column) -> str:
    return {
        "score": _("score"),
        "result": "Đ / CĐ",
        "level": "T / H / C",
        "text": _("text, at most 1000 characters"),
    }[column.kind]
