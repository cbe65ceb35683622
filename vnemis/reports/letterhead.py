"""How a unit heads and signs its reports, by default: derived from its kind, its name and the
unit above it in the tree (Nghị định 30/2020, Phụ lục I, and the 2025 organisation of communes).

The header's first line is the governing body (cơ quan chủ quản), the second the issuing
body; the number line carries the type code "BC" and the issuing body's abbreviation. A Sở
heads "UBND TỈNH LÀO CAI / SỞ GIÁO DỤC VÀ ĐÀO TẠO", a district Phòng "UBND HUYỆN BÁT XÁT /
PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"; since 1 July 2025 education in a commune is the task of the
commune's Phòng Văn hóa - Xã hội (Nghị định 150/2025), which heads "UBND XÃ … / PHÒNG VĂN HÓA -
XÃ HỘI"; a school heads with the body above it and its own name. These are Vietnamese texts of
official documents, not translatable UI text. Every value can be changed in the unit's settings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit

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
# A school symbol longer than this is no abbreviation any more: plain "BC" then.
_MAX_ABBREVIATION = 8


@dataclass(frozen=True)
class Letterhead:
    """The settings of a unit's reports, saved or derived."""

    parent_agency: str
    agency: str
    agency_in_text: str
    symbol: str
    place: str
    signer_authority: str
    signer_title: str
    signer_name: str
    archive_unit: str


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
    """The name without a trailing note in brackets: "… Lào Cai (từ 01/7/2025)" → "… Lào Cai"."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


def territory_of(unit: OrgUnit) -> Territory:
    """The territory a Sở, a Phòng or a commune stands for, read from its name."""
    name = _without_note(unit.name)
    lowered = name.lower()
    for prefix in _BODY_PREFIXES:
        if lowered.startswith(prefix):
            name = name[len(prefix) :].strip()
            break
    lowered = name.lower()
    for level in _LEVELS:
        if lowered.startswith(level + " "):
            return Territory(level, name[len(level) :].strip())
    return Territory(_DEFAULT_LEVEL.get(OrgUnitKind(unit.kind), ""), name)


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
# the territory), document symbol, signer's position.
_OFFICES: dict[OrgUnitKind, tuple[str, str, str, str]] = {
    OrgUnitKind.DEPARTMENT: (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "Sở Giáo dục và Đào tạo",
        "BC-SGDĐT",
        "GIÁM ĐỐC",
    ),
    OrgUnitKind.DISTRICT_OFFICE: (
        "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
        "Phòng Giáo dục và Đào tạo",
        "BC-PGDĐT",
        "TRƯỞNG PHÒNG",
    ),
    OrgUnitKind.COMMUNE: (
        "PHÒNG VĂN HÓA - XÃ HỘI",
        "Phòng Văn hóa - Xã hội",
        "BC-VHXH",
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
            symbol=symbol,
            place=territory.name,
            signer_authority="",
            signer_title=signer,
            signer_name="",
            archive_unit="",
        )
    school = unit.school if kind == OrgUnitKind.SITE and unit.school is not None else unit
    parent = _latest_parent(school)
    abbreviation = school_abbreviation(school.name)
    return Letterhead(
        parent_agency=_short_body(parent) if parent is not None else "",
        agency=_without_note(school.name).upper(),
        agency_in_text=_without_note(school.name),
        symbol=f"BC-{abbreviation}" if abbreviation else "BC",
        place=territory_of(parent).name if parent is not None else "",
        signer_authority="",
        signer_title="HIỆU TRƯỞNG",
        signer_name=school.principal_name,
        archive_unit="",
    )


def letterhead_for(unit: OrgUnit) -> Letterhead:
    """The unit's saved settings, else its defaults."""
    from vnemis.reports.models import ReportSettings

    saved = ReportSettings.objects.filter(unit=unit).first()
    if saved is None:
        return settings_defaults(unit)
    return Letterhead(**{name: getattr(saved, name) for name in FIELDS})
