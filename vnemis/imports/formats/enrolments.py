"""Enrolments of existing students, for any school year: school, grade, class and status.

One row per student and school year. An active enrolment at the row's school is corrected
(grade, class, start date) or ended (a status other than "Đang học", with "Ngày kết thúc");
an ended one is kept as it ended, or its status and dates corrected, but never reopened. A
student enrolled at another school that year is moved with a transfer, not by an import. A
row with no enrolment opens one (from the year's start unless "Ngày vào học" says otherwise),
ending it at once when its status says so, which is how past years are loaded. Only a student
in the importer's reach (see ``ImportFormat.reachable``) gets a new enrolment: a student of
another area is refused without saying where he studies. A school's own enrolments stay its
own to correct after the student has left.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import (
    Column,
    ImportFormat,
    RunState,
    enrolled_outside,
    outside_code,
)
from vnemis.imports.formats.cells import (
    Cells,
    RowError,
    class_name_cell,
    date_cell,
    date_text,
    grade_cell,
    text,
)
from vnemis.imports.formats.classes import level_for_grade
from vnemis.imports.formats.plausibility import EnrolmentTally
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people import access as people_access
from vnemis.people import services as people_services
from vnemis.people.choices import EnrollmentStatus, ExitReason
from vnemis.people.models import Enrollment, SchoolClass, Student

_STATUS_LABELS = {
    EnrollmentStatus.ACTIVE: "Đang học",
    EnrollmentStatus.TRANSFERRED_OUT: "Chuyển đi",
    EnrollmentStatus.DROPPED_OUT: "Thôi học",
    EnrollmentStatus.COMPLETED: "Hoàn thành",
    EnrollmentStatus.GRADUATED: "Tốt nghiệp",
}
_STATUSES: dict[str, EnrollmentStatus] = {fold(label): s for s, label in _STATUS_LABELS.items()}
_STATUSES |= {s.value: s for s in EnrollmentStatus} | {"": EnrollmentStatus.ACTIVE}
# The file gives how an enrolment ended, not why; the reason follows from the status.
_EXIT_REASONS = {
    EnrollmentStatus.TRANSFERRED_OUT: ExitReason.TRANSFER,
    EnrollmentStatus.DROPPED_OUT: ExitReason.OTHER,
    EnrollmentStatus.COMPLETED: ExitReason.YEAR_END,
    EnrollmentStatus.GRADUATED: ExitReason.YEAR_END,
}
_YEAR = re.compile(r"([0-9]{4})\s*[-–/]\s*([0-9]{4})")


@dataclass(frozen=True, slots=True)
class EnrolmentRow:
    student: Student
    # Judged when the file first names the student, before its rows change his ties.
    in_reach: bool
    year: SchoolYear
    school: OrgUnit  # in the area
    grade: int
    level: str
    class_name: str  # empty: no class
    status: EnrollmentStatus
    started_on: dt.date | None  # None: the year's start, or as stored
    ended_on: dt.date | None

    def ended(self) -> dt.date:
        """The end date of a row whose status ends the enrolment (``parse`` requires one)."""
        assert self.ended_on is not None
        return self.ended_on


@dataclass
class EnrolmentRun(RunState):
    years: dict[str, SchoolYear | None] = field(default_factory=dict)  # by code
    tally: EnrolmentTally = field(default_factory=EnrolmentTally)


class EnrolmentFormat(ImportFormat[EnrolmentRow, EnrolmentRun]):
    kind: ClassVar[str] = "enrolments"
    columns: ClassVar[tuple[Column, ...]] = (
        Column("student", "Mã học sinh", ("Mã HS", "student_code"), required=True),
        Column("school_year", "Năm học", ("school_year",), required=True),
        Column("school", "Mã trường", ("school_code",), required=True),
        Column("grade", "Khối", ("Khối lớp", "grade"), required=True),
        Column("school_class", "Lớp", ("Tên lớp", "class")),
        Column("status", "Trạng thái HS", ("Trạng thái", "status")),
        Column("started_on", "Ngày vào học", ("Ngày nhập học", "started_on")),
        Column("ended_on", "Ngày kết thúc", ("Ngày rời trường", "ended_on")),
    )
    example: ClassVar[tuple[Any, ...]] = (
        "1000000001",
        "2021-2022",
        "10082001",
        3,
        "3A",
        "Đang học",
        "05/09/2021",
        "",
    )
    choices: ClassVar[dict[str, str]] = {
        "status": '"Đang học,Chuyển đi,Thôi học,Hoàn thành,Tốt nghiệp"',
    }

    def start(self) -> EnrolmentRun:
        return EnrolmentRun()

    def _year(self, value: Any) -> SchoolYear:
        raw = text(value)
        match = _YEAR.fullmatch(raw)
        code = f"{match[1]}-{match[2]}" if match else raw
        years = self.state.years
        if code not in years:
            years[code] = SchoolYear.objects.filter(code=code).first()
        year = years[code]
        if year is None:
            raise RowError(_("No school year {code}.").format(code=raw))
        return year

    def parse(self, cells: Cells) -> EnrolmentRow:
        code = self.code_cell(cells, "student")
        student = Student.objects.filter(code=code).first() if code else None
        if student is None:
            raise RowError(_("No student has the code {code}.").format(code=code))
        year = self._year(self.code_cell(cells, "school_year"))
        school = self.school(self.code_cell(cells, "school"))
        grade = grade_cell(cells.get("grade"))
        status_text = text(cells.get("status"))
        status = _STATUSES.get(fold(status_text))
        if status is None:
            raise RowError(
                _(
                    "Student status must be 'Đang học', 'Chuyển đi', 'Thôi học', 'Hoàn thành' "
                    "or 'Tốt nghiệp', not '{value}'."
                ).format(value=status_text)
            )
        started_on = date_cell(
            cells.get("started_on"), "Ngày vào học", required=False, today=self.day
        )
        if started_on is not None and not year.starts_on <= started_on <= year.ends_on:
            raise RowError(
                _("Ngày vào học must fall within the school year {year}.").format(year=year.code)
            )
        ended_on = date_cell(cells.get("ended_on"), "Ngày kết thúc", required=False, today=self.day)
        if status == EnrollmentStatus.ACTIVE and ended_on is not None:
            raise RowError(_("A student still studying (Đang học) has no Ngày kết thúc."))
        if status != EnrollmentStatus.ACTIVE and ended_on is None:
            raise RowError(
                _("Ngày kết thúc is needed: the enrolment ended ({status}).").format(
                    status=status_text
                )
            )
        return EnrolmentRow(
            student=student,
            in_reach=self.in_reach(student.person_id),
            year=year,
            school=school,
            grade=grade,
            level=level_for_grade(school, grade),
            class_name=class_name_cell(self.code_cell(cells, "school_class")),
            status=status,
            started_on=started_on,
            ended_on=ended_on,
        )

    def key(self, row: EnrolmentRow) -> str:
        return f"{row.student.code}|{row.year.code}"

    def _check_end(self, data: EnrolmentRow, started_on: dt.date) -> None:
        if data.ended_on is not None and data.ended_on < started_on:
            raise RowError(
                _("Ngày kết thúc {end} is before the start of the enrolment ({start}).").format(
                    end=date_text(data.ended_on), start=date_text(started_on)
                )
            )

    def _class(self, data: EnrolmentRow, *, write: bool) -> SchoolClass | None:
        """The row's class, created (when writing) if the school has none of that name."""
        if not data.class_name:
            return None
        found = SchoolClass.objects.filter(
            school=data.school, school_year=data.year, name=data.class_name
        ).first()
        if found is not None and found.grade != data.grade:
            raise RowError(
                _("Class {name} is a grade {grade} class.").format(
                    name=found.name, grade=found.grade
                )
            )
        if found is None and write:
            found = people_services.school_class_create(
                school=data.school,
                school_year=data.year,
                level=data.level,
                grade=data.grade,
                name=data.class_name,
                by=self.by,
            )
        return found

    def apply(self, data: EnrolmentRow, *, write: bool) -> RowOutcome:
        school: OrgUnit = data.school
        status: EnrollmentStatus = data.status
        enrolments = list(
            Enrollment.objects.filter(student=data.student, school_year=data.year)
            .select_related("school", "school_class")
            .order_by("-started_on", "-pk")
        )
        active = next((e for e in enrolments if e.status == EnrollmentStatus.ACTIVE), None)
        here = [e for e in enrolments if e.school_id == school.pk]
        current = active if active is not None and active.school_id == school.pk else None
        if current is None and here:
            current = here[0]
        if current is None and not data.in_reach:
            raise outside_code(self.header("student"))
        if (
            active is not None
            and active.school_id != school.pk
            and (current is None or status == EnrollmentStatus.ACTIVE)
        ):
            if not self.in_area(active.school_id):
                raise enrolled_outside(data.year.code)
            raise RowError(
                _("In {year} the student studies at {school}; use a transfer to move them.").format(
                    year=data.year.code, school=active.school.name
                )
            )
        # Counted before the row's writes, for ``warnings``.
        year = data.year
        before = current.school_class.name if current and current.school_class else ""
        self.state.tally.see(
            schools=[(school, year)],
            classes=[(school, year, data.class_name), (school, year, before)],
        )
        if current is None:
            outcome = self._create(data, write=write)
            if status == EnrollmentStatus.ACTIVE:
                self.state.tally.school(school, year, 1)
                self.state.tally.klass(school, year, data.class_name, 1, level=data.level)
            return outcome
        if current.status == EnrollmentStatus.ACTIVE:
            outcome = self._update_active(current, data, write=write)
            if status != EnrollmentStatus.ACTIVE:
                self.state.tally.school(school, year, -1)
                self.state.tally.klass(school, year, before, -1)
            elif before != data.class_name:
                self.state.tally.klass(school, year, before, -1)
                self.state.tally.klass(school, year, data.class_name, 1, level=data.level)
            return outcome
        return self._update_closed(current, data, write=write)

    def warnings(self) -> list[str]:
        return self.state.tally.warnings()

    def _create(self, data: EnrolmentRow, *, write: bool) -> RowOutcome:
        started_on = data.started_on or data.year.starts_on
        self._check_end(data, started_on)
        school_class = self._class(data, write=write)
        if write:
            enrolment = people_services.enrollment_create(
                student=data.student,
                school=data.school,
                school_year=data.year,
                grade=data.grade,
                level=data.level,
                started_on=started_on,
                school_class=school_class,
                by=self.by,
            )
            if data.status != EnrollmentStatus.ACTIVE:
                people_services.enrollment_end(
                    enrollment=enrolment,
                    on=data.ended(),
                    status=data.status,
                    reason=_EXIT_REASONS[data.status],
                    by=self.by,
                )
        return RowOutcome.CREATE

    def _update_active(
        self, enrolment: Enrollment, data: EnrolmentRow, *, write: bool
    ) -> RowOutcome:
        started_on = data.started_on or enrolment.started_on
        self._check_end(data, started_on)
        class_name = enrolment.school_class.name if enrolment.school_class else ""
        replace = enrolment.grade != data.grade or class_name != data.class_name
        new_start = started_on != enrolment.started_on
        ending = data.status != EnrollmentStatus.ACTIVE
        if not (replace or new_start or ending):
            return RowOutcome.UNCHANGED
        school_class = self._class(data, write=write) if replace else None
        if write:
            if replace:
                people_services.enrollment_place(
                    enrollment=enrolment,
                    grade=data.grade,
                    # The same grade keeps its level (a school may teach grade 10 at two).
                    level=enrolment.level if enrolment.grade == data.grade else data.level,
                    school_class=school_class,
                    by=self.by,
                )
            if new_start:
                people_services.enrollment_update(
                    enrollment=enrolment, started_on=started_on, by=self.by
                )
            if ending:
                people_services.enrollment_end(
                    enrollment=enrolment,
                    on=data.ended(),
                    status=data.status,
                    reason=_EXIT_REASONS[data.status],
                    by=self.by,
                )
        return RowOutcome.UPDATE

    def _update_closed(
        self, enrolment: Enrollment, data: EnrolmentRow, *, write: bool
    ) -> RowOutcome:
        if data.status == EnrollmentStatus.ACTIVE:
            raise RowError(
                _(
                    "The enrolment at {school} in {year} has ended; an import does not reopen it."
                ).format(school=enrolment.school.name, year=data.year.code)
            )
        class_name = enrolment.school_class.name if enrolment.school_class else ""
        if enrolment.grade != data.grade or class_name != data.class_name:
            raise RowError(
                _("The enrolment has ended; its grade and class are not changed by an import.")
            )
        started_on = data.started_on or enrolment.started_on
        self._check_end(data, started_on)
        changes: dict[str, Any] = {}
        if started_on != enrolment.started_on:
            changes["started_on"] = started_on
        if data.ended_on != enrolment.ended_on:
            changes["ended_on"] = data.ended_on
        if data.status != enrolment.status:
            changes["status"] = data.status
            changes["exit_reason"] = _EXIT_REASONS[data.status]
        if not changes:
            return RowOutcome.UNCHANGED
        if write:
            people_services.enrollment_update(enrollment=enrolment, by=self.by, **changes)
        return RowOutcome.UPDATE

    def export_rows(self) -> Iterator[list[Any]]:
        enrolments = self.within(
            self.granted(people_access.enrollments_for_user, Enrollment.objects.all()), "school_id"
        )
        # One row per student and year, as the import reads them: the active enrolment, else
        # the latest one.
        active_first = Case(
            When(status=EnrollmentStatus.ACTIVE, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        enrolments = enrolments.select_related(
            "student", "school_year", "school", "school_class"
        ).order_by("student__code", "school_year__starts_on", active_first, "-started_on", "-pk")
        for _key, group in itertools.groupby(
            enrolments, key=lambda e: (e.student_id, e.school_year_id)
        ):
            e = next(group)
            yield [
                e.student.code,
                e.school_year.code,
                e.school.code,
                e.grade,
                e.school_class.name if e.school_class else "",
                _STATUS_LABELS[EnrollmentStatus(e.status)],
                date_text(e.started_on),
                date_text(e.ended_on),
            ]
