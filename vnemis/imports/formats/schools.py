"""Schools: identity, levels, ownership, type, area and the unit that manages them.

A school is found by its code (Mã trường). A new school is created and placed under its
managing unit (the Sở, a Phòng or a commune, in the importer's area) in the tree version
valid on the import day. An existing school keeps its place: a different managing unit is
rejected, because moving a school between units is a reorganisation, not an import.

A column left out of the file keeps what is stored; an empty cell clears the value, except
the MOET code, which an empty cell leaves as it is. "Cấp học" and "Loại trường" hold one or
more values separated by ",", ";", "+" or "&" ("TH, THCS"; "Tiểu học + Trung học cơ sở").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RunState
from vnemis.imports.formats.cells import (
    Cells,
    RowError,
    admin_code_cell,
    code_text,
    is_email,
    text,
    typed_as_number,
)
from vnemis.organisations import services as org_services
from vnemis.organisations.choices import GroupSetCode, OrgUnitKind, Ownership
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion

# Group codes of each group set (migration 0002 of organisations), in the order they are
# written out, with the short label an export uses.
_LEVEL_LABELS = {"mn": "MN", "th": "TH", "thcs": "THCS", "thpt": "THPT", "gdtx": "GDTX"}
_TYPE_LABELS = {"ptdtnt": "PTDTNT", "ptdtbt": "PTDTBT", "gdtx": "GDTX", "chuyen": "Chuyên"}
_AREA_LABELS = {"kv1": "Khu vực I", "kv2": "Khu vực II", "kv3": "Khu vực III"}
_OWNERSHIP_LABELS = {
    Ownership.PUBLIC.value: "Công lập",
    Ownership.COMMUNITY.value: "Dân lập",
    Ownership.PRIVATE.value: "Tư thục",
    Ownership.PRIVATE_NONPROFIT.value: "Tư thục không vì lợi nhuận",
}

# Accepted spellings, accent-folded, of each code.
_LEVELS = {fold(label): code for code, label in _LEVEL_LABELS.items()} | {
    "mam non": "mn",
    "nha tre": "mn",
    "mau giao": "mn",
    "tieu hoc": "th",
    "trung hoc co so": "thcs",
    "trung hoc pho thong": "thpt",
    "giao duc thuong xuyen": "gdtx",
}
_TYPES = {fold(label): code for code, label in _TYPE_LABELS.items()} | {
    "pho thong dan toc noi tru": "ptdtnt",
    "dan toc noi tru": "ptdtnt",
    "pho thong dan toc ban tru": "ptdtbt",
    "dan toc ban tru": "ptdtbt",
    "giao duc thuong xuyen": "gdtx",
    "gdnn-gdtx": "gdtx",
    "truong chuyen": "chuyen",
}
_AREAS = {fold(label): code for code, label in _AREA_LABELS.items()} | {
    **{f"kv{n}": f"kv{n}" for n in (1, 2, 3)},
    **{f"kv {n}": f"kv{n}" for n in (1, 2, 3)},
    **{f"khu vuc {n}": f"kv{n}" for n in (1, 2, 3)},
    **{f"kv {roman}": f"kv{n}" for n, roman in ((1, "i"), (2, "ii"), (3, "iii"))},
    **{f"kv{roman}": f"kv{n}" for n, roman in ((1, "i"), (2, "ii"), (3, "iii"))},
}
_OWNERSHIPS = {fold(label): code for code, label in _OWNERSHIP_LABELS.items()} | {
    code: code for code in Ownership.values
}
_OWNERSHIPS["tu thuc khong loi nhuan"] = Ownership.PRIVATE_NONPROFIT.value

_SEPARATORS = re.compile(r"[,;+&]")
_PHONE = re.compile(r"^\+?[0-9 .()-]+$")
_PARENT_KINDS = (OrgUnitKind.DEPARTMENT, OrgUnitKind.DISTRICT_OFFICE, OrgUnitKind.COMMUNE)


def _codes(value: Any, table: dict[str, str], label: str) -> list[str]:
    """The codes of a list cell such as "TH, THCS", each spelling looked up in ``table``."""
    codes: list[str] = []
    for part in _SEPARATORS.split(text(value)):
        if not part.strip():
            continue
        code = table.get(fold(part))
        if code is None:
            raise RowError(
                _("{label}: unknown value '{value}'.").format(label=label, value=part.strip())
            )
        if code not in codes:
            codes.append(code)
    return codes


def _labels(codes: set[str] | None, names: dict[str, str]) -> str:
    """The labels of ``codes`` in their usual order, as a list cell ("TH, THCS")."""
    return ", ".join(label for code, label in names.items() if code in (codes or set()))


def _phone(value: Any) -> str:
    """An office phone: landlines too, so 8 to 15 digits rather than a mobile number."""
    raw = code_text(value, "Điện thoại")
    if typed_as_number(value):
        raw = "0" + raw  # Excel keeps a phone typed as a number without its leading zero
    digits = sum(c.isdigit() for c in raw)
    if raw and (not _PHONE.match(raw) or not 8 <= digits <= 15):
        raise RowError(
            _(
                "The phone number '{value}' must have 8 to 15 digits (spaces, dots and "
                "dashes are allowed)."
            ).format(value=raw)
        )
    return raw


def _email(value: Any) -> str:
    raw = text(value)
    if raw and not is_email(raw):
        raise RowError(_("The email address '{value}' is not valid.").format(value=raw))
    return raw


def _website(value: Any) -> str:
    raw = text(value)
    if raw and not raw.lower().startswith(("http://", "https://")):
        raw = "https://" + raw
    if raw:
        try:
            URLValidator()(raw)
        except ValidationError as exc:
            raise RowError(
                _("The website '{value}' is not a valid address.").format(value=raw)
            ) from exc
    return raw


@dataclass(frozen=True, slots=True)
class SchoolRow:
    """One school as the file gives it. A field left None is kept as stored: its column is
    not in the file (or, for the MOET code, its cell is empty)."""

    code: str
    name: str
    parent: OrgUnit  # the managing unit, in the area and in the current tree
    levels: tuple[str, ...]
    moet_code: str | None = None
    ownership: str | None = None
    admin_code: str | None = None
    address: str | None = None
    principal_name: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    school_types: tuple[str, ...] | None = None
    areas: tuple[str, ...] | None = None

    def fields(self) -> dict[str, str]:
        """The unit's fields that the row sets."""
        given = {
            "name": self.name,
            "moet_code": self.moet_code,
            "ownership": self.ownership,
            "admin_code": self.admin_code,
            "address": self.address,
            "principal_name": self.principal_name,
            "phone": self.phone,
            "email": self.email,
            "website": self.website,
        }
        return {name: value for name, value in given.items() if value is not None}

    def groups(self) -> dict[str, list[str]]:
        """Group set code → the row's group codes, for the sets the row gives."""
        groups = {GroupSetCode.LEVEL.value: list(self.levels)}
        if self.school_types is not None:
            groups[GroupSetCode.SCHOOL_TYPE.value] = list(self.school_types)
        if self.areas is not None:
            groups[GroupSetCode.AREA.value] = list(self.areas)
        return groups


@dataclass
class SchoolRun(RunState):
    # Files hold many schools of few managing units: each is looked up once (a text: why
    # the code is refused).
    parents: dict[str, OrgUnit | str] = field(default_factory=dict)
    version: TreeVersion | None = None


class SchoolFormat(ImportFormat[SchoolRow, SchoolRun]):
    kind: ClassVar[str] = "schools"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("code", "Mã trường", ("Mã đơn vị", "school_code"), required=True),
        Column("moet_code", "Mã trường CSDL ngành", ("Mã trường Bộ GD&ĐT", "moet_code")),
        Column("name", "Tên trường", ("Tên đơn vị", "name"), required=True),
        Column("levels", "Cấp học", ("Cấp", "levels"), required=True),
        Column("ownership", "Loại hình", ("Loại hình trường", "ownership")),
        Column("school_type", "Loại trường", ("school_type",)),
        Column("area", "Khu vực", ("area",)),
        Column(
            "parent",
            "Đơn vị quản lý",
            ("Mã đơn vị quản lý", "Mã Phòng GD&ĐT", "parent"),
            required=True,
        ),
        Column("admin_code", "Mã xã/phường", ("Mã xã", "admin_code")),
        Column("address", "Địa chỉ", ("address",)),
        Column("phone", "Điện thoại", ("Số điện thoại", "phone")),
        Column("email", "Email", ("Thư điện tử",)),
        Column("website", "Website", ("Địa chỉ website",)),
        Column("principal_name", "Hiệu trưởng", ("Họ tên hiệu trưởng", "principal")),
    )
    example: ClassVar[tuple[Any, ...]] = (
        "10082002",
        "",
        "Trường PTDTBT THCS A Mú Sung",
        "THCS",
        "Công lập",
        "PTDTBT",
        "Khu vực III",
        "PGD082",
        "02683",
        "Xã A Mú Sung, huyện Bát Xát",
        "0214 3883 456",
        "thcsamusung@laocai.edu.vn",
        "https://thcsamusung.laocai.edu.vn",
        "Nguyễn Văn An",
    )
    choices: ClassVar[dict[str, str]] = {
        "ownership": '"' + ",".join(_OWNERSHIP_LABELS.values()) + '"',
        "school_type": '"' + ",".join(_TYPE_LABELS.values()) + '"',
        "area": '"' + ",".join(_AREA_LABELS.values()) + '"',
    }

    def start(self) -> SchoolRun:
        return SchoolRun()

    def _version(self) -> TreeVersion:
        if self.state.version is None:
            try:
                self.state.version = TreeVersion.for_date(self.day)
            except TreeVersion.DoesNotExist as exc:
                raise RowError(
                    _("No organisation tree is valid on {day}.").format(
                        day=self.day.strftime("%d/%m/%Y")
                    )
                ) from exc
        return self.state.version

    def _parent(self, code: str) -> OrgUnit:
        """The managing unit: in the importer's area and placed in the current tree."""
        if not code:
            raise RowError(_("{label} is empty.").format(label="Đơn vị quản lý"))
        parents = self.state.parents
        if code not in parents:
            unit = self.units().filter(code=code, kind__in=_PARENT_KINDS).first()
            if unit is None:
                parents[code] = _(
                    "No department, district office or commune with the code {code} in your area."
                ).format(code=code)
            elif not OrgPlacement.objects.filter(version=self._version(), unit=unit).exists():
                parents[code] = _(
                    "The unit {code} is not in the current organisation tree ({version})."
                ).format(code=code, version=self._version().name)
            else:
                parents[code] = unit
        found = parents[code]
        if isinstance(found, str):
            raise RowError(found)
        return found

    def parse(self, cells: Cells) -> SchoolRow:
        code = self.code_cell(cells, "code")
        if not code:
            raise RowError(_("The school code is empty."))
        if len(code) > 32 or not all(c.isalnum() or c in "-_" for c in code):
            raise RowError(
                _(
                    "The school code '{code}' may contain only letters, digits, '-' and '_' "
                    "(at most 32 characters)."
                ).format(code=code)
            )
        name = text(cells.get("name"))
        if not name:
            raise RowError(_("The school name is empty."))
        levels = _codes(cells.get("levels"), _LEVELS, "Cấp học")
        if not levels:
            raise RowError(
                _("{label} is empty: give at least one level, such as TH or THCS.").format(
                    label="Cấp học"
                )
            )
        ownership: str | None = None
        if "ownership" in cells:
            raw = text(cells["ownership"])
            found = _OWNERSHIPS.get(fold(raw))
            if raw and found is None:
                raise RowError(
                    _("{label} must be one of {values}, not '{value}'.").format(
                        label="Loại hình", values=", ".join(_OWNERSHIP_LABELS.values()), value=raw
                    )
                )
            if found == Ownership.COMMUNITY and set(levels) != {"mn"}:
                raise RowError(_("Only a preschool (MN) can be 'Dân lập'."))
            ownership = found or ""
        areas: list[str] | None = None
        if "area" in cells:
            areas = _codes(cells["area"], _AREAS, "Khu vực")
            if len(areas) > 1:
                raise RowError(
                    _("{label}: a school lies in one area, not several.").format(label="Khu vực")
                )

        def given(key: str) -> str | None:
            return text(cells[key]) if key in cells else None

        return SchoolRow(
            code=code,
            name=name,
            levels=tuple(levels),
            moet_code=self.code_cell(cells, "moet_code") or None,
            ownership=ownership,
            admin_code=(
                admin_code_cell(cells["admin_code"], "Mã xã/phường")
                if "admin_code" in cells
                else None
            ),
            address=given("address"),
            principal_name=given("principal_name"),
            phone=_phone(cells["phone"]) if "phone" in cells else None,
            email=_email(cells["email"]) if "email" in cells else None,
            website=_website(cells["website"]) if "website" in cells else None,
            school_types=(
                tuple(_codes(cells["school_type"], _TYPES, "Loại trường"))
                if "school_type" in cells
                else None
            ),
            areas=tuple(areas) if areas is not None else None,
            parent=self._parent(self.code_cell(cells, "parent")),
        )

    def key(self, row: SchoolRow) -> str:
        return row.code

    def apply(self, row: SchoolRow, *, write: bool) -> RowOutcome:
        version = self._version()
        fields = row.fields()
        groups = row.groups()
        parent = row.parent
        school = OrgUnit.objects.filter(code=row.code).prefetch_related("groups__group_set").first()
        if school is None:
            if write:
                unit = org_services.orgunit_create(
                    kind=OrgUnitKind.SCHOOL,
                    code=row.code,
                    name=row.name,
                    moet_code=row.moet_code or "",
                    ownership=row.ownership or "",
                    admin_code=row.admin_code or "",
                    address=row.address or "",
                    principal_name=row.principal_name or "",
                    phone=row.phone or "",
                    email=row.email or "",
                    website=row.website or "",
                    by=self.by,
                    groups=[(s, g) for s, codes in groups.items() for g in codes],
                )
                org_services.orgunit_place(unit=unit, version=version, parent=parent, by=self.by)
            else:
                # Nothing is written in a dry run, but the row must pass the same checks.
                OrgUnit(kind=OrgUnitKind.SCHOOL, code=row.code, **fields).full_clean(
                    validate_unique=False, validate_constraints=False
                )
            return RowOutcome.CREATE
        if school.kind != OrgUnitKind.SCHOOL:
            raise RowError(
                _("The code {code} belongs to a unit that is not a school.").format(
                    code=school.code
                )
            )
        if not self.in_area(school.pk):
            raise RowError(
                _("The school {code} exists outside your area.").format(code=school.code)
            )
        placement = (
            OrgPlacement.objects.filter(version=version, unit=school)
            .select_related("parent")
            .first()
        )
        if placement is not None and placement.parent_id != parent.pk:
            above = placement.parent
            raise RowError(
                _(
                    "The school is managed by {code} in the current tree, not by {given}; an "
                    "import does not move schools between units."
                ).format(code=above.code if above else "-", given=parent.code)
            )
        changed = {f: v for f, v in fields.items() if getattr(school, f) != v}
        stored: dict[str, list[str]] = {s: [] for s in groups}
        for group in school.groups.all():
            stored.setdefault(group.group_set.code, []).append(group.code)
        changed_groups = {s: c for s, c in groups.items() if sorted(c) != sorted(stored[s])}
        if not changed and not changed_groups and placement is not None:
            return RowOutcome.UNCHANGED
        if write:
            if changed:
                org_services.orgunit_update(
                    unit=school,
                    by=self.by,
                    name=changed.get("name"),
                    moet_code=changed.get("moet_code"),
                    ownership=changed.get("ownership"),
                    admin_code=changed.get("admin_code"),
                    address=changed.get("address"),
                    principal_name=changed.get("principal_name"),
                    phone=changed.get("phone"),
                    email=changed.get("email"),
                    website=changed.get("website"),
                )
            for group_set, codes in changed_groups.items():
                org_services.orgunit_groups_set(
                    unit=school, group_set=group_set, groups=codes, by=self.by
                )
            if placement is None:
                org_services.orgunit_place(unit=school, version=version, parent=parent, by=self.by)
        elif changed:
            for name, value in changed.items():
                setattr(school, name, value)  # this row's own copy: nothing is saved
            school.full_clean(validate_unique=False, validate_constraints=False)
        return RowOutcome.UPDATE

    def export_rows(self) -> Iterator[list[Any]]:
        schools = self.schools().prefetch_related("groups__group_set").order_by("code")
        version = self._version()
        parents = dict(
            OrgPlacement.objects.filter(version=version, unit__in=schools).values_list(
                "unit_id", "parent__code"
            )
        )
        for school in schools:
            codes: dict[str, set[str]] = {}
            for group in school.groups.all():
                codes.setdefault(group.group_set.code, set()).add(group.code)
            yield [
                school.code,
                school.moet_code,
                school.name,
                _labels(codes.get(GroupSetCode.LEVEL.value), _LEVEL_LABELS),
                _OWNERSHIP_LABELS.get(school.ownership, ""),
                _labels(codes.get(GroupSetCode.SCHOOL_TYPE.value), _TYPE_LABELS),
                _labels(codes.get(GroupSetCode.AREA.value), _AREA_LABELS),
                parents.get(school.pk) or "",
                school.admin_code,
                school.address,
                school.phone,
                school.email,
                school.website,
                school.principal_name,
            ]
