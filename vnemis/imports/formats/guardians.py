"""Parents and guardians, each row linking one guardian to one student.

The guardian is found by personal ID number, else by the same name among the student's
guardians; a row that finds nobody creates the person and the guardian. Names identify and
are not changed here. "Năm sinh" takes a year (stored as 1 January of that year, and a stored
date in that year is kept) or a full date. An optional cell left empty keeps what is stored.
A personal ID number of someone outside the importer's area is refused without saying whose
it is: he is neither linked to the student nor changed (see ``ImportFormat.reachable``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RunState, outside_id
from vnemis.imports.formats.cells import (
    Cells,
    RowError,
    code_text,
    date_cell,
    date_text,
    email_cell,
    name_cell,
    phone_cell,
    search_name,
    text,
    yes_no,
)
from vnemis.imports.formats.persons import person_check, same_name
from vnemis.people import access as people_access
from vnemis.people import services as people_services
from vnemis.people.choices import EnrollmentStatus, GuardianRelation
from vnemis.people.identity import national_id_problems
from vnemis.people.models import Enrollment, Guardian, GuardianLink, Person, Student

_F, _M = GuardianRelation.FATHER, GuardianRelation.MOTHER
_G, _O = GuardianRelation.GRANDPARENT, GuardianRelation.OTHER
# Lower-case relation → (relation, the sex it implies). Matched with accents first: "Ba"
# (father, in the South) and "Bà" (grandmother) differ only by them.
_RELATIONS: dict[str, tuple[GuardianRelation, str]] = {
    "bố": (_F, "M"),
    "cha": (_F, "M"),
    "ba": (_F, "M"),
    "mẹ": (_M, "F"),
    "má": (_M, "F"),
    "ông": (_G, "M"),
    "ông nội": (_G, "M"),
    "ông ngoại": (_G, "M"),
    "bà": (_G, "F"),
    "bà nội": (_G, "F"),
    "bà ngoại": (_G, "F"),
    "ông/bà": (_G, ""),
    "ông bà": (_G, ""),
    "người giám hộ": (_O, ""),
}
_RELATIONS_FOLDED = {fold(k): v for k, v in _RELATIONS.items() if fold(k) != "ba"}
_RELATION_LABELS = {_F: "Bố", _M: "Mẹ", _O: "Người giám hộ"}
_GRANDPARENT_LABELS = {"M": "Ông", "F": "Bà", "": "Ông/Bà"}


def relation_cell(value: Any) -> tuple[GuardianRelation, str]:
    raw = " ".join(unicodedata.normalize("NFC", text(value)).lower().split())
    if not raw:
        raise RowError(_("The relation to the student is empty."))
    found = _RELATIONS.get(raw) or _RELATIONS_FOLDED.get(fold(raw))
    # Any other relation (uncle, elder sister, ...) is a guardian of the "other" kind.
    return found or (_O, "")


def relation_label(relation: str, sex: str) -> str:
    if relation == _G:
        return _GRANDPARENT_LABELS.get(sex, "Ông/Bà")
    return _RELATION_LABELS[GuardianRelation(relation)]


def birth_text(day: dt.date | None) -> str:
    """A 1 January birth date is written as its year, the way "Năm sinh" is usually given."""
    if day is not None and (day.month, day.day) == (1, 1):
        return str(day.year)
    return date_text(day)


@dataclass(frozen=True, slots=True)
class GuardianRow:
    student: Student  # studying in the area
    parts: tuple[str, str, str]  # family, middle and given name
    relation: GuardianRelation
    sex: str  # implied by the relation; empty when it implies none
    birth_date: dt.date | None
    year_only: bool  # only the year of birth was given
    national_id: str  # empty cells are empty texts: they keep what is stored
    phone: str
    email: str
    occupation: str
    is_primary: bool | None  # None: the column is not in the file; the link keeps its flag


@dataclass
class GuardianRun(RunState):
    # The ids of the schools in the area (None: every school, a system import).
    school_ids: set[int] | None = None


class GuardianFormat(ImportFormat[GuardianRow, GuardianRun]):
    kind: ClassVar[str] = "guardians"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("student", "Mã học sinh", ("Mã HS", "student_code"), required=True),
        Column(
            "full_name",
            "Họ tên phụ huynh",
            ("Họ và tên phụ huynh", "Họ tên cha/mẹ", "full_name"),
            required=True,
        ),
        Column("relation", "Quan hệ", ("Quan hệ với học sinh", "relation"), required=True),
        Column("birth_date", "Năm sinh", ("Ngày sinh phụ huynh", "birth_date")),
        Column("national_id", "Số định danh cá nhân", ("CCCD", "national_id")),
        Column("phone", "Điện thoại", ("Số điện thoại", "phone")),
        Column("email", "Email", ()),
        Column("occupation", "Nghề nghiệp", ("occupation",)),
        Column("is_primary", "Liên hệ chính", ("is_primary",)),
    )
    example: ClassVar[tuple[Any, ...]] = (
        "1000000002",
        "Giàng Thị Mỷ",
        "Mẹ",
        "1986",
        "010186000105",
        "0987654321",
        "",
        "Làm ruộng",
        "Có",
    )
    choices: ClassVar[dict[str, str]] = {
        "relation": '"Bố,Mẹ,Ông,Bà,Người giám hộ"',
        "is_primary": '"Có,Không"',
    }

    def start(self) -> GuardianRun:
        run = GuardianRun()
        if not self.everywhere():
            run.school_ids = set(self.schools().values_list("pk", flat=True))
        return run

    def _student(self, code: str) -> Student:
        if not code:
            raise RowError(_("The student code is empty."))
        student = Student.objects.filter(code=code).select_related("person").first()
        if student is None:
            raise RowError(_("No student has the code {code}.").format(code=code))
        school_ids = self.state.school_ids
        if school_ids is not None:
            schools = Enrollment.objects.active().filter(student=student)
            if not set(schools.values_list("school_id", flat=True)) & school_ids:
                raise RowError(
                    _("The student {code} does not study at a school in your area.").format(
                        code=code
                    )
                )
        return student

    def _birth(self, value: Any) -> tuple[dt.date | None, bool]:
        """The date of birth, and whether only the year was given."""
        raw = code_text(value, "Năm sinh")
        if re.fullmatch(r"[0-9]{4}", raw):
            year = int(raw)
            if not 1900 <= year <= self.day.year:
                raise RowError(_("The year of birth {year} is not plausible.").format(year=year))
            return dt.date(year, 1, 1), True
        born = date_cell(value, "Năm sinh", required=False, birth=True, today=self.day)
        return born, False

    def parse(self, cells: Cells) -> GuardianRow:
        student = self._student(self.code_cell(cells, "student"))
        parts = name_cell(cells.get("full_name"))
        relation, sex = relation_cell(cells.get("relation"))
        birth, year_only = self._birth(cells.get("birth_date"))
        national_id = self.code_cell(cells, "national_id")
        if national_id:
            problems = national_id_problems(national_id, birth_date=birth, sex=sex or None)
            if problems:
                raise RowError(" ".join(problems))
        occupation = " ".join(text(cells.get("occupation")).split())
        if len(occupation) > 120:
            raise RowError(_("An occupation has at most 120 characters."))
        return GuardianRow(
            student=student,
            parts=parts,
            relation=relation,
            sex=sex,
            birth_date=birth,
            year_only=year_only,
            national_id=national_id,
            phone=phone_cell(cells.get("phone"), "Điện thoại"),
            email=email_cell(cells.get("email"), "Email"),
            occupation=occupation,
            # A file without the column keeps the flag; an empty cell means "Không".
            is_primary=(
                yes_no(cells.get("is_primary"), "Liên hệ chính") if "is_primary" in cells else None
            ),
        )

    def key(self, row: GuardianRow) -> str:
        who = row.national_id or search_name(*row.parts)
        return f"{row.student.code}|{who}"

    def _find(self, data: GuardianRow) -> tuple[Guardian | None, Person | None]:
        """The guardian the row is about, or else a person (not yet a guardian) to make one."""
        national_id = data.national_id
        if national_id:
            person = Person.objects.filter(national_id=national_id).first()
            if person is not None:
                if not self.in_reach(person.pk):
                    raise outside_id()
                if not same_name(person, data.parts):
                    raise RowError(
                        _("The personal ID number {number} belongs to {name}.").format(
                            number=national_id, name=person.full_name
                        )
                    )
                return Guardian.objects.filter(person=person).first(), person
        full = search_name(*data.parts)
        link = (
            GuardianLink.objects.filter(student=data.student, guardian__person__search_name=full)
            .select_related("guardian__person")
            .first()
        )
        if link is None:
            return None, None
        person = link.guardian.person
        if national_id and person.national_id and person.national_id != national_id:
            raise RowError(
                _("The student's guardian {name} has another personal ID number.").format(
                    name=person.full_name
                )
            )
        return link.guardian, person

    def _person_changes(self, data: GuardianRow, person: Person | None) -> dict[str, Any]:
        if person is None:
            family, middle, given = data.parts
            fields: dict[str, Any] = {
                "family_name": family,
                "middle_name": middle,
                "given_name": given,
                "sex": data.sex,
            }
        else:
            fields = {}
        optional = {
            "national_id": data.national_id,
            "phone": data.phone,
            "email": data.email,
            "birth_date": data.birth_date,
        }
        fields |= {name: value for name, value in optional.items() if value}
        if person is None:
            return fields
        known = person.birth_date
        if data.year_only and known and data.birth_date and known.year == data.birth_date.year:
            fields.pop("birth_date")  # a known full date in that year is kept
        return {f: v for f, v in fields.items() if getattr(person, f) != v}

    def apply(self, data: GuardianRow, *, write: bool) -> RowOutcome:
        student: Student = data.student
        guardian, person = self._find(data)
        person_changes = self._person_changes(data, person)
        if person_changes:
            person_check(person, person_changes)
        link = (
            GuardianLink.objects.filter(guardian=guardian, student=student).first()
            if guardian is not None
            else None
        )
        is_primary = data.is_primary
        if is_primary is None:
            is_primary = link.is_primary if link is not None else False
        link_changed = link is None or (link.relation, link.is_primary) != (
            data.relation,
            is_primary,
        )
        occupation_changed = bool(
            guardian is not None and data.occupation and guardian.occupation != data.occupation
        )
        if not (person_changes or link_changed or occupation_changed):
            return RowOutcome.UNCHANGED
        if write:
            if person is None:
                person = people_services.person_create(by=self.by, **person_changes)
            elif person_changes:
                people_services.person_update(person=person, by=self.by, **person_changes)
            if guardian is None:
                guardian = people_services.guardian_create(
                    person=person, occupation=data.occupation, by=self.by
                )
            elif occupation_changed:
                people_services.guardian_update(
                    guardian=guardian, occupation=data.occupation, by=self.by
                )
            if link_changed:
                people_services.guardian_link_set(
                    guardian=guardian,
                    student=student,
                    relation=data.relation,
                    is_primary=is_primary,
                    by=self.by,
                )
        return RowOutcome.CREATE if link is None else RowOutcome.UPDATE

    def export_rows(self) -> Iterator[list[Any]]:
        links = GuardianLink.objects.all()
        if not self.everywhere():
            enrolled = self.within(
                self.granted(people_access.enrollments_for_user, Enrollment.objects.all()),
                "school_id",
            )
            in_area = enrolled.filter(status=EnrollmentStatus.ACTIVE).values("student_id")
            links = links.filter(student__in=in_area)
        links = links.select_related("guardian__person", "student").order_by(
            "student__code", "-is_primary", "guardian_id"
        )
        for link in links:
            person = link.guardian.person
            yield [
                link.student.code,
                person.full_name,
                relation_label(link.relation, person.sex),
                birth_text(person.birth_date),
                person.national_id or "",
                person.phone,
                person.email,
                link.guardian.occupation,
                "Có" if link.is_primary else "Không",
            ]
