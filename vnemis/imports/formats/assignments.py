"""Teaching assignments of a school's classes for the current school year: who teaches which
subject to which class, written through ``learning.services.catalogue.assignment_set``.

A row names the class as the school does (its name, such as 6A1, with the grade as a check),
the subject by its code (toan) or its name (Toán), and the teacher by staff code. Only the
school's principal (or an administrator above it: ``learning.access.school_manageable``)
imports them; the school column may be left empty when the import goes into one school.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import Column, ImportFormat, RunState
from vnemis.imports.formats.cells import Cells, RowError, class_name_cell, grade_cell, text
from vnemis.learning import access as learning_access
from vnemis.learning.choices import Regime
from vnemis.learning.models import Subject, TeachingAssignment
from vnemis.learning.services.catalogue import assignment_set, class_regime
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.choices import StaffPosition
from vnemis.people.models import SchoolClass, Staff

# Who may be given a class to teach: teachers, and managers (a principal teaches a few
# periods); support staff may not.
TEACHING_POSITIONS = (StaffPosition.TEACHER, StaffPosition.MANAGER)


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    school_class: SchoolClass  # of a school the importer manages, in the current year
    subject: Subject  # of the class's regime and grade
    teacher: Staff  # in service at the class's school


@dataclass
class AssignmentRun(RunState):
    year: SchoolYear | None = None  # the current school year, the classes' year
    # School id → whether the importer manages it (asked once per school).
    manages: dict[int, bool] = field(default_factory=dict)
    # The schools of the area, up to two: the school of a row without a school code is the
    # area's only school (None: not yet looked up).
    area_schools: list[OrgUnit] | None = None


class AssignmentFormat(ImportFormat[AssignmentRow, AssignmentRun]):
    kind: ClassVar[str] = "assignments"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("school", "Mã trường", ("school_code",)),
        Column("class", "Lớp", ("Tên lớp", "class"), required=True),
        Column("grade", "Khối", ("Khối lớp", "grade")),
        Column("subject", "Môn học", ("Mã môn", "Môn", "subject"), required=True),
        Column("teacher", "Mã cán bộ", ("Mã giáo viên", "teacher", "staff_code"), required=True),
    )
    example: ClassVar[tuple[Any, ...]] = ("10082101", "6A", 6, "toan", "CB0000002")

    def start(self) -> AssignmentRun:
        return AssignmentRun(year=SchoolYear.current(today=self.day))

    def school_of(self, cells: Cells) -> OrgUnit:
        """The school of the row: by its code, or the only school of the area."""
        code = self.code_cell(cells, "school")
        if code:
            return self.school(code)
        state = self.state
        if state.area_schools is None:
            state.area_schools = list(self.schools().order_by("pk")[:2])
        if not state.area_schools:
            raise RowError(
                _("You may not import teaching assignments: a school's principal imports them.")
            )
        if len(state.area_schools) > 1:
            raise RowError(_("Type the school code: the import goes into several schools."))
        return state.area_schools[0]

    def manages(self, school: OrgUnit) -> bool:
        """Whether the importer manages ``school`` (its principal, or an administrator above);
        an import without an actor (the command line) is the system's."""
        if self.by is None:
            return True
        known = self.state.manages
        if school.pk not in known:
            known[school.pk] = learning_access.school_manageable(user=self.by, school=school)
        return known[school.pk]

    def parse(self, cells: Cells) -> AssignmentRow:
        year = self.state.year
        if year is None:
            raise RowError(_("No school year is set up."))
        school = self.school_of(cells)
        if not self.manages(school):
            raise RowError(
                _(
                    "Only the principal of the school {code} imports its teaching assignments."
                ).format(code=school.code)
            )
        name = class_name_cell(cells.get("class"))
        if not name:
            raise RowError(_("The class name is empty."))
        school_class = (
            SchoolClass.objects.select_related("school_year")
            .filter(school=school, school_year=year, name=name)
            .first()
        )
        if school_class is None:
            raise RowError(
                _("The school {code} has no class {name} in {year}.").format(
                    code=school.code, name=name, year=year.code
                )
            )
        if self.code_cell(cells, "grade"):
            grade = grade_cell(cells.get("grade"))
            if grade != school_class.grade:
                raise RowError(
                    _("Class {name} is a grade {grade} class, not grade {typed}.").format(
                        name=name, grade=school_class.grade, typed=grade
                    )
                )
        subject = self.subject_of(text(cells.get("subject")), school_class)
        teacher = self.teacher_of(self.code_cell(cells, "teacher"), school)
        return AssignmentRow(school_class=school_class, subject=subject, teacher=teacher)

    def subject_of(self, raw: str, school_class: SchoolClass) -> Subject:
        """The subject named by code or name among those of the class's regime and grade."""
        if not raw:
            raise RowError(_("The subject is empty."))
        if len(raw) > 80:
            raise RowError(_("A subject's code or name has at most 80 characters."))
        wanted = fold(raw)
        regime = class_regime(school_class)
        candidates = Subject.objects.filter(regime=regime, grade=school_class.grade)
        for subject in candidates:
            if wanted in {fold(subject.code), fold(subject.name)}:
                return subject
        known = any(
            wanted in {fold(code), fold(name)}
            for code, name in Subject.objects.values_list("code", "name").distinct()
        )
        if known:
            raise RowError(
                _(
                    "“{subject}” is not a subject of grade {grade} under the regime of class "
                    "{name} ({regime})."
                ).format(
                    subject=raw,
                    grade=school_class.grade,
                    name=school_class.name,
                    regime=Regime(regime).label,
                )
            )
        raise RowError(_("Unknown subject “{subject}”.").format(subject=raw))

    def teacher_of(self, code: str, school: OrgUnit) -> Staff:
        if not code:
            raise RowError(_("The staff code is empty."))
        teacher = Staff.objects.select_related("person").filter(code=code).first()
        if teacher is None:
            raise RowError(_("No staff member has the code {code}.").format(code=code[:32]))
        if teacher.org_unit_id != school.pk:
            # Names nothing of the other school or of the person.
            raise RowError(
                _(
                    "The staff member {code} works at another school; assign a teacher of the "
                    "school {school}."
                ).format(code=code, school=school.code)
            )
        if not teacher.is_active:
            raise RowError(_("The teacher {code} is no longer in service.").format(code=code))
        if teacher.position not in TEACHING_POSITIONS:
            raise RowError(
                _("The staff member {code} is not a teacher or a manager.").format(code=code)
            )
        return teacher

    def key(self, row: AssignmentRow) -> str:
        return f"{row.school_class.pk}|{row.subject.pk}"

    def apply(self, row: AssignmentRow, *, write: bool) -> RowOutcome:
        existing = TeachingAssignment.objects.filter(
            school_class=row.school_class, subject=row.subject
        ).first()
        if existing is not None and existing.teacher_id == row.teacher.pk:
            return RowOutcome.UNCHANGED
        if write:
            assignment_set(
                school_class=row.school_class, subject=row.subject, teacher=row.teacher, by=self.by
            )
        return RowOutcome.CREATE if existing is None else RowOutcome.UPDATE

    def export_rows(self) -> Iterator[list[Any]]:
        """The assignments with a teacher of the current year's classes in the area."""
        if self.state.year is None:
            return
        schools = self.schools()
        assignments = (
            TeachingAssignment.objects.filter(
                school_class__school__in=schools,
                school_class__school_year=self.state.year,
                teacher__isnull=False,
            )
            .select_related("school_class__school", "subject", "teacher")
            .order_by(
                "school_class__school__code",
                "school_class__grade",
                "school_class__name",
                "subject__position",
            )
        )
        for a in assignments:
            assert a.teacher is not None  # filtered above
            yield [
                a.school_class.school.code,
                a.school_class.name,
                a.school_class.grade,
                a.subject.code,
                a.teacher.code,
            ]
