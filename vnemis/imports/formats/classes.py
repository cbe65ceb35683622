"""Classes of the current school year with their site and homeroom teacher.

A class is found by school, current school year and class name. The homeroom teacher is
given by staff code and must be a teacher of the same school. Also home to the school
lookup and the grade → level rule shared with the enrolment format.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RowError, code_text
from vnemis.organisations.choices import LEVEL_GRADES, OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people import services as people_services
from vnemis.people.choices import EnrollmentStatus, StaffPosition
from vnemis.people.models import SchoolClass, Staff

# The order in which students.py picks a level when a school teaches a grade at two levels.
_LEVEL_ORDER = ("gdtx", "mn", "th", "thcs", "thpt")


def school_in_scope(
    code: str, *, scope_paths: tuple[str, ...] | None, cache: dict[str, OrgUnit | None]
) -> OrgUnit:
    """The school with ``code`` if it is in the importer's area, looked up once per file."""
    if not code:
        raise RowError(_("The school code is empty."))
    if code not in cache:
        schools = OrgUnit.objects.filter(code=code, kind=OrgUnitKind.SCHOOL).prefetch_related(
            "groups__group_set"
        )
        if scope_paths is not None:
            schools = schools & OrgUnit.objects.under_paths(scope_paths)
        cache[code] = schools.first()
    school = cache[code]
    if school is None:
        raise RowError(_("No school with the code {code} in your area.").format(code=code))
    return school


def grade_cell(value: Any) -> int:
    raw = code_text(value, "Khối")
    try:
        grade = int(raw)
    except ValueError as exc:
        raise RowError(_("Grade must be a number from 0 to 12.")) from exc
    if not 0 <= grade <= 12:
        raise RowError(_("Grade must be a number from 0 to 12."))
    return grade


def level_for_grade(school: OrgUnit, grade: int) -> str:
    """The level at which ``school`` teaches ``grade`` (its level groups decide)."""
    levels = school.level_codes()
    for level in _LEVEL_ORDER:
        if level in levels and grade in LEVEL_GRADES[level]:
            return level
    raise RowError(_("The school does not teach grade {grade}.").format(grade=grade))


def class_name_cell(value: Any) -> str:
    name = " ".join(code_text(value, "Lớp").split())
    if len(name) > 40:
        raise RowError(_("A class name has at most 40 characters."))
    return name


class ClassFormat(ImportFormat):
    kind: ClassVar[str] = "classes"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("school", "Mã trường", ("school_code",), required=True),
        Column("name", "Tên lớp", ("Lớp", "Mã lớp", "class"), required=True),
        Column("grade", "Khối", ("Khối lớp", "grade"), required=True),
        Column("site", "Mã điểm trường", ("Điểm trường", "site_code")),
        Column("homeroom_teacher", "Mã GVCN", ("Mã giáo viên chủ nhiệm", "homeroom_teacher")),
    )
    example: ClassVar[tuple[Any, ...]] = ("10082001", "3C", 3, "10082001-01", "CB0000002")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._schools: dict[str, OrgUnit | None] = {}
        self._year: SchoolYear | None = SchoolYear.current(today=self.day)

    def parse(self, cells: dict[str, Any]) -> dict[str, Any]:
        school = school_in_scope(
            self.code_cell(cells, "school"), scope_paths=self.scope_paths, cache=self._schools
        )
        name = class_name_cell(cells.get("name"))
        if not name:
            raise RowError(_("The class name is empty."))
        grade = grade_cell(cells.get("grade"))
        level = level_for_grade(school, grade)
        site = None
        site_code = self.code_cell(cells, "site")
        if site_code:
            site = OrgUnit.objects.filter(
                code=site_code, kind=OrgUnitKind.SITE, school=school
            ).first()
            if site is None:
                raise RowError(
                    _("The school {school} has no site with the code {code}.").format(
                        school=school.code, code=site_code
                    )
                )
        teacher = None
        teacher_code = self.code_cell(cells, "homeroom_teacher")
        if teacher_code:
            teacher = Staff.objects.filter(
                code=teacher_code, org_unit=school, position=StaffPosition.TEACHER
            ).first()
            if teacher is None:
                raise RowError(
                    _("No teacher with the code {code} works at the school {school}.").format(
                        code=teacher_code, school=school.code
                    )
                )
        return {
            "school": school,
            "name": name,
            "grade": grade,
            "level": level,
            "site": site,
            "teacher": teacher,
        }

    def key(self, data: dict[str, Any]) -> str:
        return f"{data['school'].code}|{data['name']}"

    def apply(self, data: dict[str, Any], *, write: bool) -> RowOutcome:
        year = self._year
        if year is None:
            raise RowError(_("No school year is set up."))
        teacher: Staff | None = data["teacher"]
        existing = SchoolClass.objects.filter(
            school=data["school"], school_year=year, name=data["name"]
        ).first()
        if (
            teacher is not None
            and not teacher.is_active
            and (existing is None or existing.homeroom_teacher_id != teacher.pk)
        ):
            raise RowError(
                _("The teacher {code} is no longer in service.").format(code=teacher.code)
            )
        if existing is None:
            if write:
                people_services.school_class_create(
                    school=data["school"],
                    school_year=year,
                    level=data["level"],
                    grade=data["grade"],
                    name=data["name"],
                    homeroom_teacher=teacher,
                    site=data["site"],
                    by=self.by,
                )
            return RowOutcome.CREATE
        changes: dict[str, Any] = {}
        if existing.grade != data["grade"]:
            if existing.enrollments.filter(status=EnrollmentStatus.ACTIVE).exists():
                raise RowError(
                    _(
                        "Class {name} is a grade {grade} class with students enrolled; "
                        "its grade cannot change."
                    ).format(name=existing.name, grade=existing.grade)
                )
            changes["grade"], changes["level"] = data["grade"], data["level"]
        # An empty site or teacher cell leaves the class's site or teacher as it is.
        if data["site"] is not None and existing.site_id != data["site"].pk:
            changes["site"] = data["site"]
        if teacher is not None and existing.homeroom_teacher_id == teacher.pk:
            teacher = None  # already the homeroom teacher
        if not changes and teacher is None:
            return RowOutcome.UNCHANGED
        if write:
            if changes:
                people_services.school_class_update(school_class=existing, by=self.by, **changes)
            if teacher is not None:
                people_services.school_class_set_homeroom(
                    school_class=existing, teacher=teacher, by=self.by
                )
        return RowOutcome.UPDATE

    def export_rows(self) -> Iterator[list[Any]]:
        if self._year is None:
            return
        classes = SchoolClass.objects.filter(school_year=self._year)
        if self.scope_paths is not None:
            classes = classes.filter(school__in=OrgUnit.objects.under_paths(self.scope_paths))
        classes = classes.select_related("school", "site", "homeroom_teacher").order_by(
            "school__code", "grade", "name"
        )
        for c in classes:
            yield [
                c.school.code,
                c.name,
                c.grade,
                c.site.code if c.site else "",
                c.homeroom_teacher.code if c.homeroom_teacher else "",
            ]
