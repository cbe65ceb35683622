"""School sites (điểm trường) of a school.

A site is found by its code. A new site is created for its school and, as the demo loader
does, placed under the school in every tree version in which the school is placed. A site of
another school is rejected: sites are not moved between schools by import. A column left out
of the file keeps what is stored; an empty cell clears the value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RunState
from vnemis.imports.formats.cells import Cells, RowError, admin_code_cell, text
from vnemis.organisations import services as org_services
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit


@dataclass(frozen=True, slots=True)
class SiteRow:
    """One site as the file gives it; None: the column is not in the file, the stored value
    is kept."""

    code: str
    name: str
    school: OrgUnit  # in the area
    address: str | None = None
    admin_code: str | None = None

    def fields(self) -> dict[str, str]:
        given = {"name": self.name, "address": self.address, "admin_code": self.admin_code}
        return {name: value for name, value in given.items() if value is not None}


class SiteFormat(ImportFormat[SiteRow, RunState]):
    kind: ClassVar[str] = "sites"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("code", "Mã điểm trường", ("site_code",), required=True),
        Column("name", "Tên điểm trường", ("name",), required=True),
        Column("school", "Mã trường", ("school_code",), required=True),
        Column("address", "Địa chỉ", ("address",)),
        Column("admin_code", "Mã xã/phường", ("Mã xã", "admin_code")),
    )
    example: ClassVar[tuple[Any, ...]] = (
        "10082001-02",
        "Điểm trường Nậm Chạc",
        "10082001",
        "Thôn Nậm Chạc, xã A Mú Sung, huyện Bát Xát",
        "02683",
    )

    def start(self) -> RunState:
        return RunState()

    def parse(self, cells: Cells) -> SiteRow:
        code = self.code_cell(cells, "code")
        if not code:
            raise RowError(_("The site code is empty."))
        if len(code) > 32 or not all(c.isalnum() or c in "-_" for c in code):
            raise RowError(
                _(
                    "The site code '{code}' may contain only letters, digits, '-' and '_' "
                    "(at most 32 characters)."
                ).format(code=code)
            )
        name = text(cells.get("name"))
        if not name:
            raise RowError(_("The site name is empty."))
        return SiteRow(
            code=code,
            name=name,
            address=text(cells["address"]) if "address" in cells else None,
            admin_code=(
                admin_code_cell(cells["admin_code"], self.header("admin_code"))
                if "admin_code" in cells
                else None
            ),
            # Files hold many sites per school: each school is looked up (and scope-checked)
            # once.
            school=self.school(self.code_cell(cells, "school")),
        )

    def key(self, row: SiteRow) -> str:
        return row.code

    def apply(self, row: SiteRow, *, write: bool) -> RowOutcome:
        school = row.school
        fields = row.fields()
        # The site goes wherever its school is, in every tree version.
        school_places = list(OrgPlacement.objects.filter(unit=school).select_related("version"))
        site = OrgUnit.objects.filter(code=row.code).select_related("school").first()
        if site is None:
            if write:
                site = org_services.orgunit_create(
                    kind=OrgUnitKind.SITE,
                    code=row.code,
                    name=row.name,
                    address=row.address or "",
                    admin_code=row.admin_code or "",
                    school=school,
                    by=self.by,
                )
                for place in school_places:
                    org_services.orgunit_place(
                        unit=site, version=place.version, parent=school, by=self.by
                    )
            else:
                # Nothing is written in a dry run, but the row must pass the same checks.
                OrgUnit(kind=OrgUnitKind.SITE, code=row.code, school=school, **fields).full_clean(
                    validate_unique=False, validate_constraints=False
                )
            return RowOutcome.CREATE
        if site.kind != OrgUnitKind.SITE:
            raise RowError(
                _("The code {code} belongs to a unit that is not a school site.").format(
                    code=site.code
                )
            )
        if site.school_id != school.pk:
            raise RowError(
                _(
                    "The site {code} belongs to the school {school}; an import does not move "
                    "sites between schools."
                ).format(code=site.code, school=site.school.code if site.school else "-")
            )
        placed = set(OrgPlacement.objects.filter(unit=site).values_list("version_id", flat=True))
        missing = [p for p in school_places if p.version_id not in placed]
        changed = {f: v for f, v in fields.items() if getattr(site, f) != v}
        if not changed and not missing:
            return RowOutcome.UNCHANGED
        if write:
            if changed:
                org_services.orgunit_update(
                    unit=site,
                    by=self.by,
                    name=changed.get("name"),
                    address=changed.get("address"),
                    admin_code=changed.get("admin_code"),
                )
            for place in missing:
                org_services.orgunit_place(
                    unit=site, version=place.version, parent=school, by=self.by
                )
        elif changed:
            for name, value in changed.items():
                setattr(site, name, value)  # this row's own copy: nothing is saved
            site.full_clean(validate_unique=False, validate_constraints=False)
        return RowOutcome.UPDATE

    def export_rows(self) -> Iterator[list[Any]]:
        sites = self.units().sites().select_related("school").order_by("code")
        for site in sites:
            yield [
                site.code,
                site.name,
                site.school.code if site.school else "",
                site.address,
                site.admin_code,
            ]
