"""Staff (cán bộ quản lý, giáo viên, nhân viên) of schools and education offices.

A staff member is found by staff code, else by personal ID number, else by the same name and
birth date at the same unit; a row that finds nobody creates one (with a new code when the
row has none). An optional cell left empty keeps what is stored. A code or personal ID number
of someone outside the importer's area is refused without saying whose it is (see
``ImportFormat.reachable``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import (
    Column,
    ImportFormat,
    RunState,
    outside_code,
    outside_id,
)
from vnemis.imports.formats.cells import (
    SEX_LABELS,
    Cells,
    RowError,
    birth_date_cell,
    date_cell,
    date_text,
    email_cell,
    ethnicity_cell,
    name_cell,
    phone_cell,
    search_name,
    sex_cell,
    text,
)
from vnemis.imports.formats.persons import person_check, same_name
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit
from vnemis.people import access as people_access
from vnemis.people import services as people_services
from vnemis.people.choices import Ethnicity, Qualification, StaffPosition
from vnemis.people.identity import national_id_problems
from vnemis.people.models import Person, Staff

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


@dataclass(frozen=True, slots=True)
class StaffRow:
    """One staff member as the file gives him. An optional field left None (its cell empty)
    keeps what is stored."""

    code: str  # empty: found otherwise, or given a new code
    family_name: str
    middle_name: str
    given_name: str
    birth_date: dt.date
    sex: str
    org_unit: OrgUnit  # in the area
    position: StaffPosition
    is_active: bool
    ethnicity: str | None = None
    national_id: str | None = None
    phone: str | None = None
    email: str | None = None
    qualification: Qualification | None = None
    job_title: str | None = None
    subject: str | None = None
    started_on: dt.date | None = None

    def names(self) -> tuple[str, str, str]:
        return self.family_name, self.middle_name, self.given_name

    def person_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "family_name": self.family_name,
            "middle_name": self.middle_name,
            "given_name": self.given_name,
            "birth_date": self.birth_date,
            "sex": self.sex,
        }
        optional = {
            "ethnicity": self.ethnicity,
            "national_id": self.national_id,
            "phone": self.phone,
            "email": self.email,
        }
        return fields | {name: value for name, value in optional.items() if value is not None}

    def staff_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "org_unit": self.org_unit,
            "position": self.position,
            "is_active": self.is_active,
        }
        optional = {
            "qualification": self.qualification,
            "job_title": self.job_title,
            "subject": self.subject,
            "started_on": self.started_on,
        }
        return fields | {name: value for name, value in optional.items() if value is not None}


@dataclass
class StaffRun(RunState):
    # Unit code → the school or office of that code in the area (None: none there).
    units: dict[str, OrgUnit | None] = field(default_factory=dict)


class StaffFormat(ImportFormat[StaffRow, StaffRun]):
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

    def start(self) -> StaffRun:
        return StaffRun()

    def _unit(self, code: str) -> OrgUnit:
        if not code:
            raise RowError(_("The unit code is empty."))
        units = self.state.units
        if code not in units:
            units[code] = self.units().filter(code=code, kind__in=_STAFF_UNIT_KINDS).first()
        unit = units[code]
        if unit is None:
            raise RowError(
                _("No school or education office with the code {code} in your area.").format(
                    code=code
                )
            )
        return unit

    def parse(self, cells: Cells) -> StaffRow:
        code = self.code_cell(cells, "code")
        if len(code) > 32:
            raise RowError(_("A staff code has at most 32 characters."))
        family, middle, given = name_cell(cells.get("full_name"))
        birth = birth_date_cell(cells.get("birth_date"), "Ngày sinh", today=self.day)
        sex = sex_cell(cells.get("sex"))
        ethnicity = ethnicity_cell(cells.get("ethnicity"))
        national_id = self.code_cell(cells, "national_id")
        if national_id:
            problems = national_id_problems(national_id, birth_date=birth, sex=sex)
            if problems:
                raise RowError(" ".join(problems))
        phone = phone_cell(cells.get("phone"), "Điện thoại")
        email = email_cell(cells.get("email"), "Email")

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
        qualification = None
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
        limited: dict[str, str | None] = {}
        for key, limit in (("job_title", 120), ("subject", 80)):
            value = " ".join(text(cells.get(key)).split())
            if len(value) > limit:
                raise RowError(
                    _("{label} has at most {n} characters.").format(label=self.header(key), n=limit)
                )
            limited[key] = value or None
        return StaffRow(
            code=code,
            family_name=family,
            middle_name=middle,
            given_name=given,
            birth_date=birth,
            sex=sex,
            ethnicity=ethnicity,
            national_id=national_id or None,
            phone=phone or None,
            email=email or None,
            org_unit=unit,
            position=position,
            is_active=in_service,
            qualification=qualification,
            job_title=limited["job_title"],
            subject=limited["subject"],
            started_on=date_cell(
                cells.get("started_on"), "Ngày vào ngành", required=False, today=self.day
            ),
        )

    def key(self, row: StaffRow) -> str:
        if row.code:
            return f"code:{row.code}"
        if row.national_id:
            return f"id:{row.national_id}"
        full = " ".join(row.names())
        return f"name:{fold(full)}|{row.birth_date}|{row.org_unit.code}"

    def _find(self, row: StaffRow) -> tuple[Staff | None, Person | None]:
        """The staff member the row is about, or else a person (not yet staff) to employ.

        Whoever the row's code or personal ID number finds must be in reach: staff of a unit
        in the area, or a person with another tie to it (a parent of a pupil there becomes
        staff of his child's school). Anyone else is refused before his name or workplace is
        compared or named.
        """
        staff = Staff.objects.select_related("person", "org_unit")
        national_id = row.national_id
        parts = row.names()
        if row.code:
            found = staff.filter(code=row.code).first()
            if found is not None:
                if not self.in_area(found.org_unit_id):
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
            found = next((s for s in records if self.in_area(s.org_unit_id)), None)
            if found is None and records:
                # In reach through another tie, but employed outside the area.
                raise outside_id()
            if found is not None:
                if row.code:
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
        if row.code:
            return None, None
        found = staff.filter(
            person__search_name=search_name(*parts),
            person__birth_date=row.birth_date,
            org_unit=row.org_unit,
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

    def apply(self, row: StaffRow, *, write: bool) -> RowOutcome:
        staff, person = self._find(row)
        person_data, staff_data = row.person_fields(), row.staff_fields()
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
                    person=person, code=row.code or None, by=self.by, **staff_data
                )
            return RowOutcome.CREATE
        if not self.in_area(staff.org_unit_id):  # _find refuses these already
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
        staff = self.within(
            self.granted(people_access.staff_for_user, Staff.objects.all()), "org_unit_id"
        )
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
