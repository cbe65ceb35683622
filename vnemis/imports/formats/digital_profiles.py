"""Digital-transformation facts of schools and sites, as the Department collects them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.digital import services as digital_services
from vnemis.digital.choices import FactSource, InternetConnection
from vnemis.digital.models import DigitalProfile
from vnemis.digital.services import FACT_FIELDS
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RunState
from vnemis.imports.formats.cells import Cells, RowError, date_cell, text, yes_no
from vnemis.organisations.models import OrgUnit

_INTERNET = {
    "co day": InternetConnection.WIRED,
    "mang co day": InternetConnection.WIRED,
    "wired": InternetConnection.WIRED,
    "cap quang": InternetConnection.WIRED,
    "3g/4g": InternetConnection.MOBILE,
    "3g, 4g": InternetConnection.MOBILE,
    "3g": InternetConnection.MOBILE,
    "4g": InternetConnection.MOBILE,
    "mobile": InternetConnection.MOBILE,
    "khong": InternetConnection.NONE,
    "khong co mang": InternetConnection.NONE,
    "none": InternetConnection.NONE,
    "": InternetConnection.NONE,
}


@dataclass(frozen=True, slots=True)
class DigitalProfileRow:
    unit: OrgUnit  # a school or site in the area
    valid_from: dt.date
    internet: InternetConnection
    has_website: bool
    website: str
    cashless_payment: bool
    contact_book: bool
    it_in_management: bool
    basic_ict: bool


class DigitalProfileFormat(ImportFormat[DigitalProfileRow, RunState]):
    kind: ClassVar[str] = "digital_profiles"
    columns: ClassVar[tuple[Column, ...]] = (
        Column(
            "unit",
            "Mã trường/điểm trường",
            ("Mã trường", "Mã điểm trường", "Mã đơn vị"),
            required=True,
        ),
        Column("valid_from", "Áp dụng từ ngày", ("Từ ngày", "Ngày áp dụng"), required=True),
        Column("internet", "Kết nối Internet", ("Internet",), required=True),
        Column("website", "Website", ("Địa chỉ website",)),
        Column(
            "cashless_payment", "Thanh toán không dùng tiền mặt", ("Thanh toán không tiền mặt",)
        ),
        Column("contact_book", "Sổ liên lạc điện tử"),
        Column("it_in_management", "Ứng dụng CNTT trong quản lý"),
        Column("basic_ict", "Hạ tầng CNTT cơ bản"),
    )
    example: ClassVar[tuple[Any, ...]] = (
        "10082001",
        "05/09/2021",
        "Có dây",
        "https://10082001.edu.vn",
        "Có",
        "Không",
        "Có",
        "Có",
    )
    choices: ClassVar[dict[str, str]] = {
        "internet": '"Có dây,3G/4G,Không"',
        "cashless_payment": '"Có,Không"',
        "contact_book": '"Có,Không"',
        "it_in_management": '"Có,Không"',
        "basic_ict": '"Có,Không"',
    }

    def start(self) -> RunState:
        return RunState()

    def parse(self, cells: Cells) -> DigitalProfileRow:
        code = self.code_cell(cells, "unit")
        if not code:
            raise RowError(_("The unit code is empty."))
        unit = self.units().filter(code=code, kind__in=["school", "site"]).first()
        if unit is None:
            raise RowError(
                _("No school or site with the code {code} in your area.").format(code=code)
            )
        internet = _INTERNET.get(fold(text(cells.get("internet"))))
        if internet is None:
            raise RowError(
                _(
                    "Internet connection must be 'Có dây', '3G/4G' or 'Không', not '{value}'."
                ).format(value=text(cells.get("internet")))
            )
        website = text(cells.get("website"))
        if website and not website.startswith(("http://", "https://")):
            website = "https://" + website
        valid_from = date_cell(cells.get("valid_from"), "Áp dụng từ ngày", today=self.day)
        assert valid_from is not None  # required: an empty cell raised
        return DigitalProfileRow(
            unit=unit,
            valid_from=valid_from,
            internet=internet,
            has_website=bool(website),
            website=website,
            cashless_payment=yes_no(cells.get("cashless_payment"), self.header("cashless_payment")),
            contact_book=yes_no(cells.get("contact_book"), self.header("contact_book")),
            it_in_management=yes_no(cells.get("it_in_management"), self.header("it_in_management")),
            basic_ict=yes_no(cells.get("basic_ict"), self.header("basic_ict")),
        )

    def key(self, row: DigitalProfileRow) -> str:
        return f"{row.unit.code}@{row.valid_from.isoformat()}"

    def export_rows(self) -> Iterator[list[Any]]:
        """The profile in force today of every school and site in scope."""
        profiles = DigitalProfile.objects.as_of(self.day).filter(unit__in=self.units())
        internet = {
            InternetConnection.WIRED: "Có dây",
            InternetConnection.MOBILE: "3G/4G",
            InternetConnection.NONE: "Không",
        }

        def yes(value: bool) -> str:
            return "Có" if value else "Không"

        for profile in profiles.select_related("unit").order_by("unit__code"):
            yield [
                profile.unit.code,
                profile.valid_from.strftime("%d/%m/%Y"),
                internet[InternetConnection(profile.internet)],
                profile.website,
                yes(profile.cashless_payment),
                yes(profile.contact_book),
                yes(profile.it_in_management),
                yes(profile.basic_ict),
            ]

    def apply(self, row: DigitalProfileRow, *, write: bool) -> RowOutcome:
        facts = {f: getattr(row, f) for f in FACT_FIELDS}
        current = DigitalProfile.objects.as_of(row.valid_from).filter(unit=row.unit).first()
        if current is not None and all(getattr(current, f) == v for f, v in facts.items()):
            return RowOutcome.UNCHANGED
        same_day = current is not None and current.valid_from == row.valid_from
        if write:
            digital_services.digital_profile_record(
                unit=row.unit,
                valid_from=row.valid_from,
                by=self.by,
                source=FactSource.IMPORT,
                internet=row.internet,
                has_website=row.has_website,
                website=row.website,
                cashless_payment=row.cashless_payment,
                contact_book=row.contact_book,
                it_in_management=row.it_in_management,
                basic_ict=row.basic_ict,
            )
        return RowOutcome.UPDATE if same_day else RowOutcome.CREATE
