"""Downloadable Excel templates: the expected headers, an example row and instructions."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from vnemis.imports.formats import FORMATS


def _readable(aliases: tuple[str, ...]) -> list[str]:
    return [a for a in aliases if not (a.isascii() and a.isidentifier() and a == a.lower())]


def template_bytes(kind: str) -> bytes:
    fmt = FORMATS[kind]
    book = Workbook()
    sheet = book.active
    sheet.title = "Dữ liệu"
    sheet.append([c.header for c in fmt.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(list(fmt.example))
    for i, column in enumerate(fmt.columns):
        letter = sheet.cell(row=1, column=i + 1).column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.header) + 2)
        if column.key in fmt.choices:
            rule = DataValidation(type="list", formula1=fmt.choices[column.key], allow_blank=True)
            rule.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(rule)
    notes = book.create_sheet("Hướng dẫn")
    # The machine names (student_code) stay accepted for files of other systems; a person
    # filling the template needs only the Vietnamese ones.
    notes.append(["Cột", "Bắt buộc", "Ghi chú"])
    for column in fmt.columns:
        notes.append(
            [
                column.header,
                "Có" if column.required else "",
                "Tên khác được chấp nhận: " + ", ".join(_readable(column.aliases))
                if _readable(column.aliases)
                else "",
            ]
        )
    notes.append([])
    notes.append(
        [
            "Ngày ghi theo dạng dd/mm/yyyy. Dòng 2 của trang 'Dữ liệu' là ví dụ: xóa "
            "trước khi nhập. Cột được nhận theo tên, không theo vị trí."
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
