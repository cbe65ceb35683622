"""Administrative units: the post-2025 units from ``vietnam-provinces``, the pre-2025 Lào Cai
districts from the project's own data, and the crosswalk between the two.

Codes are joined on, never names or codenames: the package's legacy and new codenames differ.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class AdminUnit:
    code: str  # zero-padded: "082" for a district, "02683" for a commune
    name: str
    division_type: str


def laocai_districts_2022() -> list[AdminUnit]:
    """The nine district-level units of Lào Cai (province code 10) before 1 July 2025."""
    with (_DATA / "laocai_districts_2022.csv").open(encoding="utf-8") as fh:
        return [AdminUnit(r["code"], r["name"], r["division_type"]) for r in csv.DictReader(fh)]


def legacy_communes(district_code: str) -> list[AdminUnit]:
    """Communes of a pre-2025 district, from the legacy data of ``vietnam-provinces``."""
    from vietnam_provinces import legacy

    return [
        AdminUnit(f"{int(w.code):05d}", w.name, str(w.division_type.value))
        for w in legacy.Ward.iter_by_district(legacy.DistrictCode(int(district_code)))
    ]


def communes_2025(province_code: int) -> list[AdminUnit]:
    """Communes and wards of a province of the 34-province era (from 1 July 2025)."""
    from vietnam_provinces import ProvinceCode, Ward

    return [
        AdminUnit(f"{int(w.code):05d}", w.name, str(w.division_type.value))
        for w in Ward.iter_by_province(ProvinceCode(province_code))
    ]


@cache
def commune_successors(province_code: int) -> dict[str, str]:
    """Map each pre-2025 commune code to the code of the post-2025 commune it became part of."""
    from vietnam_provinces import ProvinceCode, Ward

    successor: dict[str, str] = {}
    for ward in Ward.iter_by_province(ProvinceCode(province_code)):
        for source in ward.get_legacy_sources():
            successor[f"{int(source.code):05d}"] = f"{int(ward.code):05d}"
    return successor
