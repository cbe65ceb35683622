"""How a unit heads and signs its reports, by default: derived from its kind, its name and the
unit above it in the tree (Nghị định 30/2020, Phụ lục I, and the 2025 organisation of communes).

The header's first line is the governing body (cơ quan chủ quản), the second the issuing
body; the number line carries the document's type code ("BC", from the kind of report) and
the issuing body's symbol ("SGDĐT", or "SGD&ĐT" where the Sở writes it so). A Sở heads
"UBND TỈNH <province> / SỞ GIÁO DỤC VÀ ĐÀO TẠO", a district Phòng "UBND HUYỆN <district> /
PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"; since 1 July 2025 education in a commune is the task of the
commune's Phòng Văn hóa - Xã hội (Nghị định 150/2025), which heads "UBND XÃ … / PHÒNG VĂN HÓA -
XÃ HỘI"; a school heads with the body above it in the tree and its own name. The territory
(province, district or commune) is the unit's administrative unit when its code is known,
else read from the unit's name. These are Vietnamese texts of official documents, not
translatable UI text. Every value can be changed in the unit's settings.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode, legacy

from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit
from vnemis.reports.models import ReportSettings

# How names of education bodies begin, longest first; what follows is the territory.
_BODY_PREFIXES = (
    "sở giáo dục và đào tạo",
    "sở gd&đt",
    "sở gdđt",
    "sở gd-đt",
    "phòng giáo dục và đào tạo",
    "phòng gd&đt",
    "phòng gdđt",
    "phòng gd-đt",
)
# Levels of administrative units, as names write them in lower case, longest first.
_LEVELS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "huyện", "quận", "tỉnh", "xã")
# The level of a unit's territory when its name does not say it.
_DEFAULT_LEVEL = {
    OrgUnitKind.DEPARTMENT: "tỉnh",
    OrgUnitKind.DISTRICT_OFFICE: "huyện",
    OrgUnitKind.COMMUNE: "xã",
}
# A school symbol longer than this is no abbreviation any more: the unit's settings need one.
_MAX_ABBREVIATION = 8
# Provinces and communes were reorganised, and districts abolished, on this day: a unit that
# ended before it has a code of the old lists.
_REFORM_DAY = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class Letterhead:
    """The settings of a unit's reports, saved or derived."""

    parent_agency: str
    agency: str
    agency_in_text: str
    agency_symbol: str
    place: str
    signer_authority: str
    signer_title: str
    signer_name: str
    archive_unit: str
    archive_copies: int


FIELDS = tuple(Letterhead.__dataclass_fields__)


@dataclass(frozen=True)
class Territory:
    """The administrative unit a body stands for: level ("huyện") and name ("Bát Xát")."""

    level: str
    name: str

    @property
    def full(self) -> str:
        """ "huyện Bát Xát" """
        return f"{self.level} {self.name}".strip()


def _without_note(name: str) -> str:
    """The name without a trailing note in brackets: "… Hà Tĩnh (từ 01/7/2025)" → "… Hà Tĩnh"."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


def _split_level(name: str, kind: OrgUnitKind) -> Territory:
    """ "Huyện Bát Xát" → Territory("huyện", "Bát Xát"); no level written: the kind's."""
    lowered = name.lower()
    for level in _LEVELS:
        if lowered.startswith(level + " "):
            return Territory(level, name[len(level) :].strip())
    return Territory(_DEFAULT_LEVEL.get(kind, ""), name)


def admin_unit_name(unit: OrgUnit) -> str:
    """The official name of the administrative unit of a Sở, a Phòng or a commune ("Tỉnh Hà
    Tĩnh", "Huyện Bát Xát", "Xã Y Tý"), from its ``admin_code``; "" when the code is not one.

    A unit that ended before the 2025 reorganisation is looked up in the old lists (its
    province code may since name another province); district offices only exist there.
    """
    code = unit.admin_code.strip()
    if not code.isdigit():
        return ""
    old = unit.valid_to is not None and unit.valid_to < _REFORM_DAY
    number = int(code)
    try:
        if unit.kind == OrgUnitKind.DEPARTMENT:
            if old:
                return str(legacy.Province.from_code(legacy.ProvinceCode(number)).name)
            return str(Province.from_code(ProvinceCode(number)).name)
        if unit.kind == OrgUnitKind.DISTRICT_OFFICE:
            return str(legacy.District.from_code(legacy.DistrictCode(number)).name)
        if unit.kind == OrgUnitKind.COMMUNE:
            if old:
                return str(legacy.Ward.from_code(legacy.WardCode(number)).name)
            return str(Ward.from_code(WardCode(number)).name)
    except ValueError:  # not a code of the lists: the name says the territory
        return ""
    return ""


def territory_of(unit: OrgUnit) -> Territory:
    """The territory a Sở, a Phòng or a commune stands for: its administrative unit when its
    code is known, else read from its name."""
    kind = OrgUnitKind(unit.kind)
    official = admin_unit_name(unit)
    if official:
        return _split_level(official, kind)
    name = _without_note(unit.name)
    lowered = name.lower()
    for prefix in _BODY_PREFIXES:
        if lowered.startswith(prefix):
            name = name[len(prefix) :].strip()
            break
    return _split_level(name, kind)


def _committee(territory: Territory) -> str:
    """ "UBND HUYỆN BÁT XÁT" """
    return f"UBND {territory.full}".upper()


def _plain_letter(char: str) -> str:
    """The letter without its tone and vowel marks; Đ stays Đ, as in "SGDĐT"."""
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def school_abbreviation(name: str) -> str:
    """ "Trường Tiểu học Bát Xát" → "THBX"; "Trường THCS Cốc Lếu" → "THCSCL"; "" if none fits.

    Words written in capitals (THCS, PTDTBT) are kept whole, numbers too; "Trường" and "số"
    are left out.
    """
    parts = []
    for word in re.split(r"[\s&,\-–]+", _without_note(name)):
        if not word or word.lower() in ("trường", "số"):
            continue
        if word.isdigit() or (word.isupper() and len(word) > 1):
            parts.append("".join(_plain_letter(c) for c in word if c.isalnum()))
        elif word[0].isalpha():
            parts.append(_plain_letter(word[0]))
    abbreviation = "".join(parts)
    return abbreviation if len(abbreviation) <= _MAX_ABBREVIATION else ""


def _latest_parent(unit: OrgUnit) -> OrgUnit | None:
    """The unit above ``unit`` in the newest tree version that places it."""
    placement = (
        OrgPlacement.objects.filter(unit=unit)
        .select_related("parent")
        .order_by("-version__valid_from")
        .first()
    )
    return placement.parent if placement is not None else None


def _short_body(unit: OrgUnit) -> str:
    """How a school's header names the body above it: "PHÒNG GD&ĐT BÁT XÁT", "UBND XÃ Y TÝ"."""
    territory = territory_of(unit)
    if unit.kind == OrgUnitKind.DEPARTMENT:
        return f"SỞ GD&ĐT {territory.name}".upper()
    if unit.kind == OrgUnitKind.DISTRICT_OFFICE:
        return f"PHÒNG GD&ĐT {territory.name}".upper()
    if unit.kind == OrgUnitKind.COMMUNE:
        return _committee(territory)
    return _without_note(unit.name).upper()


# The offices that head their own reports: agency line, its name in running text (before
# the territory), agency symbol of document numbers, signer's position.
_OFFICES: dict[OrgUnitKind, tuple[str, str, str, str]] = {
    OrgUnitKind.DEPARTMENT: (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "Sở Giáo dục và Đào tạo",
        "SGDĐT",
        "GIÁM ĐỐC",
    ),
    OrgUnitKind.DISTRICT_OFFICE: (
        "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
        "Phòng Giáo dục và Đào tạo",
        "PGDĐT",
        "TRƯỞNG PHÒNG",
    ),
    OrgUnitKind.COMMUNE: (
        "PHÒNG VĂN HÓA - XÃ HỘI",
        "Phòng Văn hóa - Xã hội",
        "VHXH",
        "TRƯỞNG PHÒNG",
    ),
}


def settings_defaults(unit: OrgUnit) -> Letterhead:
    """The settings a unit starts with, before a writer changes them."""
    kind = OrgUnitKind(unit.kind)
    office = _OFFICES.get(kind)
    if office is not None:
        agency, in_text, symbol, signer = office
        territory = territory_of(unit)
        return Letterhead(
            parent_agency=_committee(territory),
            agency=agency,
            agency_in_text=f"{in_text} {territory.full}",
            agency_symbol=symbol,
            place=territory.name,
            signer_authority="",
            signer_title=signer,
            signer_name="",
            archive_unit="",
            archive_copies=0,
        )
    school = unit.school if kind == OrgUnitKind.SITE and unit.school is not None else unit
    parent = _latest_parent(school)
    abbreviation = school_abbreviation(school.name)
    return Letterhead(
        parent_agency=_short_body(parent) if parent is not None else "",
        agency=_without_note(school.name).upper(),
        agency_in_text=_without_note(school.name),
        agency_symbol=abbreviation,
        place=territory_of(parent).name if parent is not None else "",
        signer_authority="",
        signer_title="HIỆU TRƯỞNG",
        signer_name=school.principal_name,
        archive_unit="",
        archive_copies=0,
    )


def letterhead_for(unit: OrgUnit) -> Letterhead:
    """The unit's saved settings, else its defaults."""
    saved = ReportSettings.objects.filter(unit=unit).first()
    if saved is None:
        return settings_defaults(unit)
    return Letterhead(**{name: getattr(saved, name) for name in FIELDS})
