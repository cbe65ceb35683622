"""Staff (cán bộ quản lý, giáo viên, nhân viên) of schools and education offices.

A staff member is found by staff code, else by personal ID number, else by the same name and
birth date at the same unit; a row that finds nobody creates one (with a new code when the
row has none). An optional cell left empty keeps what is stored. A code or personal ID number
of someone outside the importer's area is refused without saying whose it is (see
``ImportFormat.reachable``). Also home to the phone, e-mail and person checks shared with the
guardian format.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import (
    Column,
    ImportFormat,
    RowError,
    code_text,
    date_cell,
    outside_code,
    outside_id,
    text,
)
from vnemis.imports.formats.students import _ETHNICITY, _SEX, _split_name
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit
from vnemis.people import services as people_services
from vnemis.people.choices import Ethnicity, Qualification, StaffPosition
from vnemis.people.identity import national_id_problems
from vnemis.people.models import Person, Staff

SEX_LABELS = {"M": "Nam", "F": "Nữ"}
_POSITION_LABELS = {
    StaffPosition.MANAGER: "CBQL",
    StaffPosition.TEACHER: "Giáo viên",
    StaffPosition.EMPLOYEE: "Nhân viên",
}
_POSITIONS: dict[str, StaffPosition] = {fold(label): p for p, label in _POSITION_LABELS.items()}
_POSITIONS |= {p.value: p for p in StaffPosition}
_POSITIONS |= {
    "can bo quan ly": StaffPosition.MANAGER,
    "quan ly": StaffPosition.MANAGER,
    "gv": StaffPosition.TEACHER,
    "nv": StaffPosition.EMPLOYEE,
}
_QUALIFICATION_LABELS = {
    Qualification.INTERMEDIATE: "Trung cấp",
    Qualification.COLLEGE: "Cao đẳng",
    Qualification.BACHELOR: "Đại học",
    Qualification.MASTER: "Thạc sĩ",
    Qualification.DOCTOR: "Tiến sĩ",
    Qualification.OTHER: "Khác",
}
_QUALIFICATIONS: dict[str, Qualification] = {
    fold(label): q for q, label in _QUALIFICATION_LABELS.items()
}
_QUALIFICATIONS |= {q.value: q for q in Qualification}
# Trạng thái CB of the CSDL staff export; vnemis keeps only "in service" or not.
_IN_SERVICE = {"": True, "dang lam viec": True, "dang cong tac": True}
_IN_SERVICE |= {"nghi huu": False, "chuyen cong tac": False, "nghi viec": False}
_STAFF_UNIT_KINDS = (
    OrgUnitKind.SCHOOL,
    OrgUnitKind.DISTRICT_OFFICE,
    OrgUnitKind.DEPARTMENT,
)
_MOBILE = re.compile(r"0[35789][0-9]{8}")


def date_text(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def phone_cell(value: Any, label: str) -> str:
    """A Vietnamese mobile number as 10 digits starting with 0 ("+84 912 345 678" accepted)."""
    raw = code_text(value, label)
    digits = re.sub(r"[\s.()-]", "", raw)
    if not digits:
        return ""
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif isinstance(value, int | float) and len(digits) == 9:
        digits = "0" + digits  # Excel dropped the leading zero of a number typed as a number
    if not _MOBILE.fullmatch(digits):
        raise RowError(
            _("{label} '{value}' is not a mobile number of 10 digits starting with 0.").format(
                label=label, value=raw
            )
        )
    return digits


def email_cell(value: Any, label: str) -> str:
    raw = text(value)
    if raw:
        try:
            validate_email(raw)
        except ValidationError as exc:
            raise RowError(
                _("{label} '{value}' is not an e-mail address.").format(label=label, value=raw)
            ) from exc
    return raw


def person_check(person: Person | None, fields: dict[str, Any]) -> None:
    """Validate a new person, or ``person`` with ``fields`` changed, as the write would (the
    personal ID number being someone else's among it), so that a dry run finds it too."""
    probe = copy.copy(person) if person is not None else Person()
    for name, value in fields.items():
        setattr(probe, name, value)
    if probe.national_id == "":
        probe.national_id = None
    probe.full_clean()


def name_parts(cells: dict[str, Any]) -> tuple[str, str, str]:
    return _split_name(" ".join(text(cells.get("full_name")).split()))


def same_name(person: Person, parts: tuple[str, str, str]) -> bool:
    return person.search_name == fold(" ".join(p for p in parts if p))


class StaffFormat(ImportFormat):
    kind: ClassVar[str] = "staff"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("code", "Mã cán bộ", ("Mã CB", "Mã giáo viên", "staff_code")),
        Column("full_name", "Họ và tên", ("Họ tên", "full_name"), required=True),
        Column("birth_date", "Ngày sinh", ("birth_date",), required=True),
        Column("sex", "Giới tính", ("sex",), required=True),
        Column("ethnicity", "Dân tộc", ("ethnicity",)),
        Column("national_id", "Số định danh cá nhân", ("CCCD", "Số CCCD", "national_id")),
        Column("org_unit", "Mã đơn vị", ("Mã trường", "org_unit"), required=True),
        Column("position", "Vị trí việc làm", ("Nhóm chức vụ", "position"), required=True),
        Column("job_title", "Chức vụ", ("job_title",)),
        Column("qualification", "Trình độ đào tạo", ("Trình độ chuyên môn", "qualification")),
        Column("subject", "Môn dạy", ("subject",)),
        Column("started_on", "Ngày vào ngành", ("Ngày tuyển dụng", "started_on")),
        Column("phone", "Điện thoại", ("phone",)),
        Column("email", "Email", ()),
        Column("status", "Trạng thái CB", ("Trạng thái", "status")),
    )
    example: ClassVar[tuple[Any, ...]] = (
        "",
        "Lý Thị Dung",
        "14/08/1990",
        "Nữ",
        "Giáy",
        "010190000104",
        "10082001",
        "Giáo viên",
        "Tổ trưởng chuyên môn",
        "Đại học",
        "Tiếng Việt",
        "01/09/2012",
        "0912345679",
        "dunglt@example.edu.vn",
        "Đang làm việc",
    )
    choices: ClassVar[dict[str, str]] = {
        "sex": '"Nam,Nữ"',
        "position": '"CBQL,Giáo viên,Nhân viên"',
        "qualification": '"Trung cấp,Cao đẳng,Đại học,Thạc sĩ,Tiến sĩ,Khác"',
        "status": '"Đang làm việc,Nghỉ hưu,Chuyển công tác,Nghỉ việc"',
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._units: dict[str, OrgUnit | None] = {}
        self._unit_in_scope: dict[int, bool] = {}

    def _unit(self, code: str) -> OrgUnit:
        if not code:
            raise RowError(_("The unit code is empty."))
        if code not in self._units:
            units = OrgUnit.objects.filter(code=code, kind__in=_STAFF_UNIT_KINDS)
            if self.scope_paths is not None:
                units = units & OrgUnit.objects.under_paths(self.scope_paths)
            self._units[code] = units.first()
        unit = self._units[code]
        if unit is None:
            raise RowError(
                _("No school or education office with the code {code} in your area.").format(
                    code=code
                )
            )
        return unit

    def _in_scope(self, unit_id: int) -> bool:
        if self.scope_paths is None:
            return True
        if unit_id not in self._unit_in_scope:
            units = OrgUnit.objects.under_paths(self.scope_paths)
            self._unit_in_scope[unit_id] = units.filter(pk=unit_id).exists()
        return self._unit_in_scope[unit_id]

    def parse(self, cells: dict[str, Any]) -> dict[str, Any]:
        code = self.code_cell(cells, "code")
        if len(code) > 32:
            raise RowError(_("A staff code has at most 32 characters."))
        family, middle, given = name_parts(cells)
        birth = date_cell(cells.get("birth_date"), "Ngày sinh", birth=True, today=self.day)
        sex = _SEX.get(fold(text(cells.get("sex"))))
        if sex is None:
            raise RowError(
                _("Sex must be 'Nam' or 'Nữ', not '{value}'.").format(value=text(cells.get("sex")))
            )
        person: dict[str, Any] = {
            "family_name": family,
            "middle_name": middle,
            "given_name": given,
            "birth_date": birth,
            "sex": sex,
        }
        ethnicity_text = text(cells.get("ethnicity"))
        if ethnicity_text:
            ethnicity = _ETHNICITY.get(fold(ethnicity_text)) or (
                ethnicity_text.zfill(2) if ethnicity_text.isdigit() else None
            )
            if ethnicity not in Ethnicity.values:
                raise RowError(_("Unknown ethnicity '{value}'.").format(value=ethnicity_text))
            person["ethnicity"] = ethnicity
        national_id = self.code_cell(cells, "national_id")
        if national_id:
            problems = national_id_problems(national_id, birth_date=birth, sex=sex)
            if problems:
                raise RowError(" ".join(problems))
            person["national_id"] = national_id
        phone = phone_cell(cells.get("phone"), "Điện thoại")
        if phone:
            person["phone"] = phone
        email = email_cell(cells.get("email"), "Email")
        if email:
            person["email"] = email

        unit = self._unit(self.code_cell(cells, "org_unit"))
        position_text = text(cells.get("position"))
        position = _POSITIONS.get(fold(position_text))
        if position is None:
            raise RowError(
                _("Position must be 'CBQL', 'Giáo viên' or 'Nhân viên', not '{value}'.").format(
                    value=position_text
                )
            )
        if position == StaffPosition.TEACHER and unit.kind != OrgUnitKind.SCHOOL:
            raise RowError(
                _("A teacher works at a school; {code} is not a school.").format(code=unit.code)
            )
        status_text = text(cells.get("status"))
        in_service = _IN_SERVICE.get(fold(status_text))
        if in_service is None:
            raise RowError(
                _(
                    "Staff status must be 'Đang làm việc', 'Nghỉ hưu', 'Chuyển công tác' or "
                    "'Nghỉ việc', not '{value}'."
                ).format(value=status_text)
            )
        staff: dict[str, Any] = {
            "org_unit": unit,
            "position": position,
            "is_active": in_service,
        }
        qualification_text = text(cells.get("qualification"))
        if qualification_text:
            qualification = _QUALIFICATIONS.get(fold(qualification_text))
            if qualification is None:
                raise RowError(
                    _(
                        "Qualification must be one of Trung cấp, Cao đẳng, Đại học, Thạc sĩ, "
                        "Tiến sĩ, Khác; not '{value}'."
                    ).format(value=qualification_text)
                )
            staff["qualification"] = qualification
        for key, limit in (("job_title", 120), ("subject", 80)):
            value = " ".join(text(cells.get(key)).split())
            if len(value) > limit:
                raise RowError(
                    _("{label} has at most {n} characters.").format(label=self.header(key), n=limit)
                )
            if value:
                staff[key] = value
        started_on = date_cell(
            cells.get("started_on"), "Ngày vào ngành", required=False, today=self.day
        )
        if started_on is not None:
            staff["started_on"] = started_on
        return {"code": code, "person": person, "staff": staff}

    def key(self, data: dict[str, Any]) -> str:
        person = data["person"]
        if data["code"]:
            return f"code:{data['code']}"
        if person.get("national_id"):
            return f"id:{person['national_id']}"
        full = " ".join(person[f] for f in ("family_name", "middle_name", "given_name"))
        return f"name:{fold(full)}|{person['birth_date']}|{data['staff']['org_unit'].code}"

    def _find(self, data: dict[str, Any]) -> tuple[Staff | None, Person | None]:
        """The staff member the row is about, or else a person (not yet staff) to employ.

        Whoever the row's code or personal ID number finds must be in reach: staff of a unit
        in the area, or a person with another tie to it (a parent of a pupil there becomes
        staff of his child's school). Anyone else is refused before his name or workplace is
        compared or named.
        """
        staff = Staff.objects.select_related("person", "org_unit")
        person_data = data["person"]
        national_id = person_data.get("national_id")
        parts = (person_data["family_name"], person_data["middle_name"], person_data["given_name"])
        if data["code"]:
            found = staff.filter(code=data["code"]).first()
            if found is not None:
                if not self._in_scope(found.org_unit_id):
                    raise outside_code(self.header("code"))
                if national_id and found.person.national_id != national_id:
                    self._check_holder(national_id, found.person_id)
                return found, None
        if national_id:
            person = Person.objects.filter(national_id=national_id).first()
            if person is None:
                return None, None
            if not self.in_reach(person.pk):
                raise outside_id()
            records = list(staff.filter(person=person))
            found = next((s for s in records if self._in_scope(s.org_unit_id)), None)
            if found is None and records:
                # In reach through another tie, but employed outside the area.
                raise outside_id()
            if found is not None:
                if data["code"]:
                    raise RowError(
                        _("The personal ID number belongs to the staff member {code}.").format(
                            code=found.code
                        )
                    )
                return found, None
            if not same_name(person, parts):
                raise RowError(
                    _("The personal ID number {number} belongs to {name}.").format(
                        number=national_id, name=person.full_name
                    )
                )
            return None, person
        if data["code"]:
            return None, None
        found = staff.filter(
            person__search_name=fold(" ".join(p for p in parts if p)),
            person__birth_date=person_data["birth_date"],
            org_unit=data["staff"]["org_unit"],
        ).first()
        return found, None

    def _check_holder(self, national_id: str, owner_id: int) -> None:
        """A personal ID number given to a found staff member must not be someone else's;
        the holder is named only when he is in reach."""
        holder = Person.objects.filter(national_id=national_id).exclude(pk=owner_id).first()
        if holder is None:
            return
        if not self.in_reach(holder.pk):
            raise outside_id()
        raise RowError(
            _("The personal ID number {number} belongs to {name}.").format(
                number=national_id, name=holder.full_name
            )
        )

    def apply(self, data: dict[str, Any], *, write: bool) -> RowOutcome:
        staff, person = self._find(data)
        person_data, staff_data = data["person"], data["staff"]
        if staff is None:
            person_changes = (
                person_data
                if person is None
                else {f: v for f, v in person_data.items() if getattr(person, f) != v}
            )
            person_check(person, person_changes)
            if write:
                if person is None:
                    person = people_services.person_create(by=self.by, **person_data)
                elif person_changes:
                    people_services.person_update(person=person, by=self.by, **person_changes)
                people_services.staff_create(
                    person=person, code=data["code"] or None, by=self.by, **staff_data
                )
            return RowOutcome.CREATE
        if not self._in_scope(staff.org_unit_id):  # _find refuses these already
            raise outside_code(self.header("code"))
        person_changes = {f: v for f, v in person_data.items() if getattr(staff.person, f) != v}
        staff_changes = {f: v for f, v in staff_data.items() if getattr(staff, f) != v}
        if not person_changes and not staff_changes:
            return RowOutcome.UNCHANGED
        if person_changes:
            person_check(staff.person, person_changes)
        if write:
            if person_changes:
                people_services.person_update(person=staff.person, by=self.by, **person_changes)
            if staff_changes:
                people_services.staff_update(staff=staff, by=self.by, **staff_changes)
        return RowOutcome.UPDATE

    def export_rows(self) -> Iterator[list[Any]]:
        staff = Staff.objects.all()
        if self.scope_paths is not None:
            staff = staff.filter(org_unit__in=OrgUnit.objects.under_paths(self.scope_paths))
        staff = staff.select_related("person", "org_unit").order_by("org_unit__code", "code")
        for s in staff:
            p = s.person
            yield [
                s.code,
                p.full_name,
                date_text(p.birth_date),
                SEX_LABELS.get(p.sex, ""),
                Ethnicity(p.ethnicity).label if p.ethnicity else "",
                p.national_id or "",
                s.org_unit.code,
                _POSITION_LABELS[StaffPosition(s.position)],
                s.job_title,
                _QUALIFICATION_LABELS[Qualification(s.qualification)] if s.qualification else "",
                s.subject,
                date_text(s.started_on),
                p.phone,
                p.email,
                "Đang làm việc" if s.is_active else "Nghỉ việc",
            ]
