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
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RowError, code_text, text
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
    raw = code_text(value, "Điện thoại")
    if isinstance(value, int | float) and not isinstance(value, bool):
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
    if raw:
        try:
            EmailValidator()(raw)
        except ValidationError as exc:
            raise RowError(
                _("The email address '{value}' is not valid.").format(value=raw)
            ) from exc
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


def _admin_code(value: Any) -> str:
    raw = code_text(value, "Mã xã/phường")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raw = raw.zfill(5)  # a commune code typed as a number lost its leading zeros
    if raw and (not raw.isdigit() or len(raw) > 10):
        raise RowError(
            _("The administrative-unit code '{value}' must be digits only, such as 02683.").format(
                value=raw
            )
        )
    return raw


class SchoolFormat(ImportFormat):
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Files hold many schools of few managing units: each is looked up once.
        self._parents: dict[str, OrgUnit | str] = {}
        self._version_found: TreeVersion | None = None

    def _version(self) -> TreeVersion:
        if self._version_found is None:
            try:
                self._version_found = TreeVersion.for_date(self.day)
            except TreeVersion.DoesNotExist as exc:
                raise RowError(
                    _("No organisation tree is valid on {day}.").format(
                        day=self.day.strftime("%d/%m/%Y")
                    )
                ) from exc
        return self._version_found

    def _parent(self, code: str) -> OrgUnit:
        """The managing unit: in the importer's area and placed in the current tree."""
        if not code:
            raise RowError(_("{label} is empty.").format(label="Đơn vị quản lý"))
        if code not in self._parents:
            units = OrgUnit.objects.filter(code=code, kind__in=_PARENT_KINDS)
            if self.scope_paths is not None:
                units = units.under_paths(self.scope_paths)
            unit = units.first()
            if unit is None:
                self._parents[code] = _(
                    "No department, district office or commune with the code {code} in your area."
                ).format(code=code)
            elif not OrgPlacement.objects.filter(version=self._version(), unit=unit).exists():
                self._parents[code] = _(
                    "The unit {code} is not in the current organisation tree ({version})."
                ).format(code=code, version=self._version().name)
            else:
                self._parents[code] = unit
        found = self._parents[code]
        if isinstance(found, str):
            raise RowError(found)
        return found

    def parse(self, cells: dict[str, Any]) -> dict[str, Any]:
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
        fields: dict[str, Any] = {"name": name}
        if self.code_cell(cells, "moet_code"):
            fields["moet_code"] = self.code_cell(cells, "moet_code")
        if "ownership" in cells:
            raw = text(cells["ownership"])
            ownership = _OWNERSHIPS.get(fold(raw))
            if raw and ownership is None:
                raise RowError(
                    _("{label} must be one of {values}, not '{value}'.").format(
                        label="Loại hình", values=", ".join(_OWNERSHIP_LABELS.values()), value=raw
                    )
                )
            if ownership == Ownership.COMMUNITY and set(levels) != {"mn"}:
                raise RowError(_("Only a preschool (MN) can be 'Dân lập'."))
            fields["ownership"] = ownership or ""
        if "admin_code" in cells:
            fields["admin_code"] = _admin_code(cells["admin_code"])
        for key in ("address", "principal_name"):
            if key in cells:
                fields[key] = text(cells[key])
        if "phone" in cells:
            fields["phone"] = _phone(cells["phone"])
        if "email" in cells:
            fields["email"] = _email(cells["email"])
        if "website" in cells:
            fields["website"] = _website(cells["website"])
        groups: dict[str, list[str]] = {GroupSetCode.LEVEL.value: levels}
        if "school_type" in cells:
            groups[GroupSetCode.SCHOOL_TYPE.value] = _codes(
                cells["school_type"], _TYPES, "Loại trường"
            )
        if "area" in cells:
            areas = _codes(cells["area"], _AREAS, "Khu vực")
            if len(areas) > 1:
                raise RowError(
                    _("{label}: a school lies in one area, not several.").format(label="Khu vực")
                )
            groups[GroupSetCode.AREA.value] = areas
        return {
            "code": code,
            "fields": fields,
            "groups": groups,
            "parent": self._parent(self.code_cell(cells, "parent")),
        }

    def key(self, data: dict[str, Any]) -> str:
        return str(data["code"])

    def apply(self, data: dict[str, Any], *, write: bool) -> RowOutcome:
        version = self._version()
        fields: dict[str, Any] = data["fields"]
        groups: dict[str, list[str]] = data["groups"]
        parent: OrgUnit = data["parent"]
        school = (
            OrgUnit.objects.filter(code=data["code"]).prefetch_related("groups__group_set").first()
        )
        if school is None:
            if write:
                unit = org_services.orgunit_create(
                    kind=OrgUnitKind.SCHOOL,
                    code=data["code"],
                    by=self.by,
                    groups=[(s, g) for s, codes in groups.items() for g in codes],
                    **fields,
                )
                org_services.orgunit_place(unit=unit, version=version, parent=parent, by=self.by)
            else:
                # Nothing is written in a dry run, but the row must pass the same checks.
                OrgUnit(kind=OrgUnitKind.SCHOOL, code=data["code"], **fields).full_clean(
                    validate_unique=False, validate_constraints=False
                )
            return RowOutcome.CREATE
        if school.kind != OrgUnitKind.SCHOOL:
            raise RowError(
                _("The code {code} belongs to a unit that is not a school.").format(
                    code=school.code
                )
            )
        if (
            self.scope_paths is not None
            and not OrgUnit.objects.under_paths(self.scope_paths).filter(pk=school.pk).exists()
        ):
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
                org_services.orgunit_update(unit=school, by=self.by, **changed)
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
        schools = OrgUnit.objects.schools().prefetch_related("groups__group_set").order_by("code")
        if self.scope_paths is not None:
            schools = schools.under_paths(self.scope_paths)
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
