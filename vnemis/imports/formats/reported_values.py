"""Figures reported by units (the facts vnemis cannot count from records).

One row is one figure: a unit in the importer's area, a *reported* data element (its name,
with or without diacritics, or its code) and a period as officials write it ("6 tháng đầu năm
2022", "Quý III/2022", "Năm 2022", "Năm học 2021-2022") or as a code (2022H1, 2022Q3, 2022,
2021-2022). Elements counted from records are refused. The export writes names and periods
in words, and reads back the same. A left-out "Ghi chú" column keeps the stored note; an
empty cell clears it.

How a value is read. A number cell is taken as it is (rounded to the 4 decimals stored). A
text cell is read the Vietnamese way, spaces ignored:

- "," is always the decimal separator: "12,5" is twelve and a half, "1,234" is 1.234;
- "." groups thousands when it must: "1.234.567", "1.234,5";
- a single "." that cannot group thousands is a decimal point: "12.5", "0.125", "1234.5";
- a single "." followed by exactly three digits ("1.234") could be either, so it is rejected
  with a message asking for "1234" or "1,234".

Values are non-negative, with at most 4 decimals, written with the digits 0-9 (Arabic-Indic
or full-width digits, which Python would read as numbers, are refused), finite (no NaN or
Infinity). An export writes values with a decimal
comma and no thousands separator ("1234,5"), which reads back as the same number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.utils import translation
from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RunState
from vnemis.imports.formats.cells import Cells, RowError, code_text, text
from vnemis.indicators import services as indicator_services
from vnemis.indicators.choices import ElementKind
from vnemis.indicators.models import DataElement, ReportedValue
from vnemis.indicators.periods import Period, PeriodError, parse_period, parse_period_text
from vnemis.organisations.models import OrgUnit

# [0-9], not \d: \d matches every script's digits, and Decimal() reads them ("٩٧" as 97).
_PLAIN = re.compile(r"^[0-9]+$")
_DECIMAL_COMMA = re.compile(r"^[0-9]+,[0-9]+$")
_DECIMAL_POINT = re.compile(r"^[0-9]+\.[0-9]+$")
_GROUPED = re.compile(r"^[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]+)?$")
_PLACES = Decimal("0.0001")  # ReportedValue.value keeps 4 decimals
_LIMIT = Decimal(10) ** 16  # and 20 digits in all
_NOTE_LENGTH = 255


def _not_a_number(raw: str) -> RowError:
    return RowError(
        _(
            "The value '{value}' is not a number: write it like 1234 or 12,5 (decimal comma)."
        ).format(value=raw)
    )


def number(value: Any) -> Decimal:
    """A non-negative figure from a number cell or Vietnamese text (see the module notes)."""
    if isinstance(value, bool):
        raise _not_a_number(text(value))
    if isinstance(value, int):
        figure = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _not_a_number(text(value))
        if abs(value) >= _LIMIT:  # before quantize, which cannot hold so many digits
            raise RowError(_("The value {value} is too large.").format(value=f"{value:g}"))
        # A number cell is a binary float: its noise beyond the stored decimals is dropped.
        figure = Decimal(repr(value)).quantize(_PLACES, rounding=ROUND_HALF_UP)
    else:
        raw = "".join(code_text(value, "Giá trị").split())  # also drops non-breaking spaces
        if not raw:
            raise RowError(_("The value is empty."))
        body = raw.removeprefix("-")
        if _PLAIN.match(body):
            figure = Decimal(body)
        elif _DECIMAL_COMMA.match(body):
            figure = Decimal(body.replace(",", "."))
        elif _DECIMAL_POINT.match(body):
            whole, fraction = body.split(".")
            if len(fraction) == 3 and _GROUPED.match(body):
                raise RowError(
                    _(
                        "The value '{value}' is ambiguous: the dot may group thousands or mark "
                        "decimals. Write {whole} for the whole number or {decimal} for the "
                        "decimal."
                    ).format(value=raw, whole=whole + fraction, decimal=f"{whole},{fraction}")
                )
            figure = Decimal(body)
        elif _GROUPED.match(body):
            figure = Decimal(body.replace(".", "").replace(",", "."))
        else:
            raise _not_a_number(raw)
        if raw.startswith("-") and figure:
            figure = -figure
    if figure < 0:
        raise RowError(_("The value must not be negative."))
    exponent = figure.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise RowError(
            _("The value {value} has more than 4 decimal places.").format(value=text(value))
        )
    if figure >= _LIMIT:
        raise RowError(_("The value {value} is too large.").format(value=text(value)))
    return figure


def number_text(value: Decimal) -> str:
    """A figure as ``number`` reads it back: decimal comma, no thousands separator."""
    return format(value.normalize(), "f").replace(".", ",")


@dataclass(frozen=True, slots=True)
class ReportedValueRow:
    unit: OrgUnit  # in the area
    element: DataElement  # a reported one
    period: Period
    value: Decimal
    note: str | None  # None: the column is not in the file; the stored note is kept


@dataclass
class ReportedValueRun(RunState):
    # A file holds many figures of few units and elements: each is looked up once.
    units: dict[str, OrgUnit | None] = field(default_factory=dict)
    elements: dict[str, DataElement] | None = None  # by code, all of them once asked
    element_names: dict[str, list[DataElement]] = field(default_factory=dict)  # folded


class ReportedValueFormat(ImportFormat[ReportedValueRow, ReportedValueRun]):
    kind: ClassVar[str] = "reported_values"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("unit", "Mã đơn vị", ("Mã trường", "unit"), required=True),
        Column("element", "Chỉ tiêu", ("Mã chỉ tiêu", "Mã số liệu", "element"), required=True),
        Column("period", "Kỳ báo cáo", ("Kỳ", "period"), required=True),
        Column("value", "Giá trị", ("Số liệu", "value"), required=True),
        Column("note", "Ghi chú", ("note",)),
    )
    example: ClassVar[tuple[Any, ...]] = (
        "SGD10",
        "Tỷ lệ hồ sơ TTHC được xử lý hoàn toàn trực tuyến",
        "6 tháng đầu năm 2021",
        "85,5",
        "Theo báo cáo của Văn phòng Sở",
    )

    def start(self) -> ReportedValueRun:
        return ReportedValueRun()

    def _unit(self, code: str) -> OrgUnit:
        if not code:
            raise RowError(_("The unit code is empty."))
        units = self.state.units
        if code not in units:
            units[code] = self.units().filter(code=code).first()
        unit = units[code]
        if unit is None:
            raise RowError(_("No unit with the code {code} in your area.").format(code=code))
        return unit

    def _element(self, code: str) -> DataElement:
        state = self.state
        if state.elements is None:
            state.elements = {e.code: e for e in DataElement.objects.all()}
            for e in state.elements.values():
                state.element_names.setdefault(fold(e.name), []).append(e)
        element = state.elements.get(code)
        if element is None:
            named = state.element_names.get(fold(code), [])
            if len(named) != 1:
                raise RowError(
                    _("No data element has the name or code '{code}'.").format(code=code)
                )
            element = named[0]
        if element.kind != ElementKind.REPORTED:
            raise RowError(
                _("The data element {code} is counted from records; it cannot be imported.").format(
                    code=code
                )
            )
        return element

    def parse(self, cells: Cells) -> ReportedValueRow:
        unit = self._unit(self.code_cell(cells, "unit"))
        element = self._element(text(cells.get("element")))
        raw_period = self.code_cell(cells, "period")
        try:
            period = parse_period_text(raw_period)
        except PeriodError as exc:
            raise RowError(
                _(
                    "Unknown period '{value}': write it like 6 tháng đầu năm 2022, Quý III/2022, "
                    "Năm 2022 or Năm học 2021-2022."
                ).format(value=raw_period)
            ) from exc
        note = text(cells["note"]) if "note" in cells else None
        if note is not None and len(note) > _NOTE_LENGTH:
            raise RowError(
                _("The note is longer than {limit} characters.").format(limit=_NOTE_LENGTH)
            )
        return ReportedValueRow(
            unit=unit, element=element, period=period, value=number(cells.get("value")), note=note
        )

    def key(self, row: ReportedValueRow) -> str:
        return f"{row.unit.code}|{row.element.code}|{row.period.code}"

    def apply(self, row: ReportedValueRow, *, write: bool) -> RowOutcome:
        existing = ReportedValue.objects.filter(
            element=row.element, period=row.period.code, unit=row.unit
        ).first()
        note = row.note if row.note is not None else (existing.note if existing else "")
        if existing is not None and existing.value == row.value and existing.note == note:
            return RowOutcome.UNCHANGED
        if write:
            indicator_services.reported_value_set(
                element=row.element,
                period=row.period,
                unit=row.unit,
                value=row.value,
                note=note,
                by=self.by,
            )
        return RowOutcome.CREATE if existing is None else RowOutcome.UPDATE

    def export_rows(self) -> Iterator[list[Any]]:
        values = (
            ReportedValue.objects.filter(unit__in=self.units())
            .select_related("element", "unit")
            .order_by("period", "element__code", "unit__code")
        )
        with translation.override("vi"):
            for row in values:
                period = parse_period(row.period).label
                yield [row.unit.code, row.element.name, period, number_text(row.value), row.note]
