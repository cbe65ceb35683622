"""Students with their enrolment of the current school year (school, grade, class).

Headers follow the schools' software and the CSDL ngành export ("Họ tên", "Ngày sinh",
"Giới tính", "Dân tộc", "Số định danh cá nhân", "Mã trường", "Khối", "Lớp"). A student is
found by vnemis's student code, else by the personal ID number, else by the MOET code.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RowError, date_cell, text
from vnemis.organisations.choices import LEVEL_GRADES
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people import services as people_services
from vnemis.people.choices import Ethnicity
from vnemis.people.identity import national_id_problems
from vnemis.people.models import Enrollment, Person, SchoolClass, Student

_SEX = {"nam": "M", "m": "M", "male": "M", "nu": "F", "f": "F", "female": "F"}
_ETHNICITY = {fold(label): code for code, label in Ethnicity.choices}
_ETHNICITY |= {"hmong": "08", "h mong": "08", "mong": "08", "kinh (viet)": "01"}
_PERSON = (
    "family_name",
    "middle_name",
    "given_name",
    "birth_date",
    "sex",
    "ethnicity",
    "national_id",
)


def _split_name(full: str) -> tuple[str, str, str]:
    parts = full.split()
    if len(parts) < 2:
        raise RowError(
            _("The full name '{name}' needs at least a family and a given name.").format(name=full)
        )
    return parts[0], " ".join(parts[1:-1]), parts[-1]


class StudentFormat(ImportFormat):
    kind: ClassVar[str] = "students"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("code", "Mã học sinh", ("Mã HS", "student_code")),
        Column("moet_code", "Mã định danh Bộ GD&ĐT", ("Mã HS CSDL ngành", "moet_code")),
        Column("full_name", "Họ và tên", ("Họ tên", "Họ tên học sinh", "full_name"), required=True),
        Column("birth_date", "Ngày sinh", ("birth_date",), required=True),
        Column("sex", "Giới tính", ("sex",), required=True),
        Column("ethnicity", "Dân tộc", ("ethnicity",)),
        Column("national_id", "Số định danh cá nhân", ("CCCD", "Mã định danh cá nhân")),
        Column("school", "Mã trường", ("school_code",), required=True),
        Column("grade", "Khối", ("Khối lớp", "grade"), required=True),
        Column("school_class", "Lớp", ("Tên lớp", "Mã lớp", "class")),
    )

    def _school(self, code: str) -> OrgUnit:
        # Files hold many rows per school: each school is looked up (and scope-checked) once.
        cache: dict[str, OrgUnit | None] = self.__dict__.setdefault("_cached_schools", {})
        if code not in cache:
            schools = OrgUnit.objects.filter(code=code, kind="school").prefetch_related(
                "groups__group_set"
            )
            if self.scope_paths is not None:
                schools = schools & OrgUnit.objects.under_paths(self.scope_paths)
            cache[code] = schools.first()
        school = cache[code]
        if school is None:
            raise RowError(_("No school with the code {code} in your area.").format(code=code))
        return school

    def _year(self) -> SchoolYear | None:
        if "_cached_year" not in self.__dict__:
            self.__dict__["_cached_year"] = SchoolYear.current(today=self.day)
        year: SchoolYear | None = self.__dict__["_cached_year"]
        return year

    def parse(self, cells: dict[str, Any]) -> dict[str, Any]:
        family, middle, given = _split_name(" ".join(text(cells.get("full_name")).split()))
        birth = date_cell(cells.get("birth_date"), "Ngày sinh")
        sex = _SEX.get(fold(text(cells.get("sex"))))
        if sex is None:
            raise RowError(
                _("Sex must be 'Nam' or 'Nữ', not '{value}'.").format(value=text(cells.get("sex")))
            )
        ethnicity_text = text(cells.get("ethnicity"))
        ethnicity = _ETHNICITY.get(fold(ethnicity_text)) or (
            ethnicity_text.zfill(2) if ethnicity_text.isdigit() else None
        )
        if ethnicity_text and ethnicity not in Ethnicity.values:
            raise RowError(_("Unknown ethnicity '{value}'.").format(value=ethnicity_text))
        national_id = text(cells.get("national_id")) or None
        if national_id:
            problems = national_id_problems(national_id, birth_date=birth, sex=sex)
            if problems:
                raise RowError(" ".join(problems))
        school = self._school(text(cells.get("school")))
        try:
            grade = int(text(cells.get("grade")))
        except ValueError as exc:
            raise RowError(_("Grade must be a number from 0 to 12.")) from exc
        levels = school.level_codes()
        level = next(
            (
                lv
                for lv in ("gdtx", "mn", "th", "thcs", "thpt")
                if lv in levels and grade in LEVEL_GRADES[lv]
            ),
            None,
        )
        if level is None:
            raise RowError(_("The school does not teach grade {grade}.").format(grade=grade))
        return {
            "code": text(cells.get("code")),
            "moet_code": text(cells.get("moet_code")),
            "family_name": family,
            "middle_name": middle,
            "given_name": given,
            "birth_date": birth,
            "sex": sex,
            "ethnicity": ethnicity or "01",
            "national_id": national_id,
            "school": school,
            "grade": grade,
            "level": level,
            "class_name": text(cells.get("school_class")),
        }

    def key(self, data: dict[str, Any]) -> str:
        if data["code"]:
            return f"code:{data['code']}"
        if data["national_id"]:
            return f"id:{data['national_id']}"
        if data["moet_code"]:
            return f"moet:{data['moet_code']}"
        return (
            f"name:{fold(data['family_name'] + data['middle_name'] + data['given_name'])}"
            f"|{data['birth_date']}|{data['school'].code}"
        )

    def _find(self, data: dict[str, Any]) -> Student | None:
        students = Student.objects.select_related("person")
        if data["code"]:
            found = students.filter(code=data["code"]).first()
            if found is None:
                raise RowError(
                    _("No student has the code {code}; leave it empty for a new student.").format(
                        code=data["code"]
                    )
                )
            return found
        if data["national_id"]:
            found = students.filter(person__national_id=data["national_id"]).first()
            if found is not None:
                return found
            if Person.objects.filter(national_id=data["national_id"]).exists():
                raise RowError(_("The personal ID number belongs to someone who is not a student."))
        if data["moet_code"]:
            found = students.filter(moet_code=data["moet_code"]).first()
            if found is not None:
                return found
        # No identifier: the same name and birth date enrolled at the same school this year.
        year = self._year()
        full = " ".join(
            p for p in (data["family_name"], data["middle_name"], data["given_name"]) if p
        )
        return students.filter(
            person__search_name=fold(full),
            person__birth_date=data["birth_date"],
            enrollments__school=data["school"],
            enrollments__school_year=year,
            enrollments__status="active",
        ).first()

    def apply(self, data: dict[str, Any], *, write: bool) -> RowOutcome:
        year = self._year()
        if year is None:
            raise RowError(_("No school year is set up."))
        student = self._find(data)
        person_fields = {f: data[f] for f in _PERSON}
        outcome = RowOutcome.UNCHANGED
        if student is None:
            outcome = RowOutcome.CREATE
            if write:
                person = people_services.person_create(by=self.by, **person_fields)
                student = people_services.student_create(
                    person=person,
                    by=self.by,
                    province_code=data["school"].code[:2],
                    moet_code=data["moet_code"],
                )
        else:
            changed = {
                f: v
                for f, v in person_fields.items()
                if getattr(student.person, f) != v and not (f == "national_id" and not v)
            }
            if changed or (data["moet_code"] and data["moet_code"] != student.moet_code):
                outcome = RowOutcome.UPDATE
                if write:
                    people_services.person_update(person=student.person, by=self.by, **changed)
                    if data["moet_code"] and data["moet_code"] != student.moet_code:
                        people_services.student_update(
                            student=student, by=self.by, moet_code=data["moet_code"]
                        )
        enrolled = (
            Enrollment.objects.active()
            .filter(student=student, school_year=year)
            .select_related("school", "school_class")
            .first()
            if student
            else None
        )
        if enrolled is not None and enrolled.school_id != data["school"].pk:
            raise RowError(
                _("The student studies at {school}; use a transfer to move them.").format(
                    school=enrolled.school.name
                )
            )
        same_place = (
            enrolled is not None
            and enrolled.grade == data["grade"]
            and (
                (enrolled.school_class.name if enrolled.school_class else "") == data["class_name"]
            )
        )
        if same_place:
            return outcome
        if outcome == RowOutcome.UNCHANGED:
            outcome = RowOutcome.UPDATE
        if write and student is not None:
            school_class = self._class(data, year) if data["class_name"] else None
            if enrolled is None:
                people_services.enrollment_create(
                    student=student,
                    school=data["school"],
                    school_year=year,
                    grade=data["grade"],
                    level=data["level"],
                    started_on=max(year.starts_on, min(self.day, year.ends_on)),
                    school_class=school_class,
                    by=self.by,
                )
            else:
                people_services.enrollment_place(
                    enrollment=enrolled,
                    grade=data["grade"],
                    level=data["level"],
                    school_class=school_class,
                    by=self.by,
                )
        return outcome

    def _class(self, data: dict[str, Any], year: SchoolYear) -> SchoolClass:
        existing = SchoolClass.objects.filter(
            school=data["school"], school_year=year, name=data["class_name"]
        ).first()
        if existing is not None:
            if existing.grade != data["grade"]:
                raise RowError(
                    _("Class {name} is a grade {grade} class.").format(
                        name=existing.name, grade=existing.grade
                    )
                )
            return existing
        return people_services.school_class_create(
            school=data["school"],
            school_year=year,
            level=data["level"],
            grade=data["grade"],
            name=data["class_name"],
            by=self.by,
        )
