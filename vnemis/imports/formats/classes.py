"""Classes of the current school year with their site and homeroom teacher.

A class is found by school, current school year and class name. The homeroom teacher is
given by staff code and must be a teacher of the same school.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RunState
from vnemis.imports.formats.cells import (
    Cells,
    RowError,
    class_name_cell,
    grade_cell,
    level_of_grade,
)
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people import access as people_access
from vnemis.people import services as people_services
from vnemis.people.choices import EnrollmentStatus, StaffPosition
from vnemis.people.models import SchoolClass, Staff


@dataclass(frozen=True, slots=True)
class ClassRow:
    school: OrgUnit  # in the area
    name: str
    grade: int
    level: str
    site: OrgUnit | None  # None: the class's site is kept
    teacher: Staff | None  # None: the homeroom teacher is kept


@dataclass
class ClassRun(RunState):
    year: SchoolYear | None = None  # the current school year, the classes' year


def level_for_grade(school: OrgUnit, grade: int) -> str:
    """The level at which ``school`` teaches ``grade`` (its level groups decide)."""
    level = level_of_grade(school.level_codes(), grade)
    if level is None:
        raise RowError(_("The school does not teach grade {grade}.").format(grade=grade))
    return level


class ClassFormat(ImportFormat[ClassRow, ClassRun]):
    kind: ClassVar[str] = "classes"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("school", "Mã trường", ("school_code",), required=True),
        Column("name", "Tên lớp", ("Lớp", "Mã lớp", "class"), required=True),
        Column("grade", "Khối", ("Khối lớp", "grade"), required=True),
        Column("site", "Mã điểm trường", ("Điểm trường", "site_code")),
        Column("homeroom_teacher", "Mã GVCN", ("Mã giáo viên chủ nhiệm", "homeroom_teacher")),
    )
    example: ClassVar[tuple[Any, ...]] = ("10082001", "3C", 3, "10082001-01", "CB0000002")

    def start(self) -> ClassRun:
        return ClassRun(year=SchoolYear.current(today=self.day))

    def parse(self, cells: Cells) -> ClassRow:
        school = self.school(self.code_cell(cells, "school"))
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
        return ClassRow(
            school=school, name=name, grade=grade, level=level, site=site, teacher=teacher
        )

    def key(self, row: ClassRow) -> str:
        return f"{row.school.code}|{row.name}"

    def apply(self, row: ClassRow, *, write: bool) -> RowOutcome:
        year = self.state.year
        if year is None:
            raise RowError(_("No school year is set up."))
        teacher = row.teacher
        existing = SchoolClass.objects.filter(
            school=row.school, school_year=year, name=row.name
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
                    school=row.school,
                    school_year=year,
                    level=row.level,
                    grade=row.grade,
                    name=row.name,
                    homeroom_teacher=teacher,
                    site=row.site,
                    by=self.by,
                )
            return RowOutcome.CREATE
        changes: dict[str, Any] = {}
        if existing.grade != row.grade:
            if existing.enrollments.filter(status=EnrollmentStatus.ACTIVE).exists():
                raise RowError(
                    _(
                        "Class {name} is a grade {grade} class with students enrolled; "
                        "its grade cannot change."
                    ).format(name=existing.name, grade=existing.grade)
                )
            changes["grade"], changes["level"] = row.grade, row.level
        # An empty site or teacher cell leaves the class's site or teacher as it is.
        if row.site is not None and existing.site_id != row.site.pk:
            changes["site"] = row.site
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
        if self.state.year is None:
            return
        classes = self.granted(people_access.classes_for_user, SchoolClass.objects.all())
        classes = self.within(classes.filter(school_year=self.state.year), "school_id")
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
