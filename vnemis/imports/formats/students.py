"""Students with their enrolment of the current school year (school, grade, class).

Headers follow the schools' software and the CSDL ngành export ("Họ tên", "Ngày sinh",
"Giới tính", "Dân tộc", "Số định danh cá nhân", "Mã trường", "Khối", "Lớp"). A student is
found by vnemis's student code, else by the personal ID number, else by the MOET code. Whoever
these find must be in the importer's reach (see ``ImportFormat.reachable``); anyone else is
refused without saying who he is or where he studies, and is neither changed nor enrolled.

Rows are judged here a batch at a time; ``students_write`` writes a judged batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from vnemis.core.bulk import index_lookups, lookup_alias
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import (
    Column,
    ImportFormat,
    RunState,
    enrolled_outside,
    outside_code,
    outside_id,
)
from vnemis.imports.formats.cells import (
    SEX_LABELS,
    Cells,
    RowError,
    birth_date_cell,
    ethnicity_cell,
    level_of_grade,
    name_cell,
    search_name,
    sex_cell,
)
from vnemis.imports.formats.plausibility import EnrolmentTally
from vnemis.imports.formats.student_rows import Enrolled, StudentRow
from vnemis.imports.formats.students_write import students_batch_write
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people import access as people_access
from vnemis.people import selectors as people_selectors
from vnemis.people.choices import EnrollmentStatus, Ethnicity
from vnemis.people.identity import national_id_problems
from vnemis.people.models import Enrollment, Person, SchoolClass, Student


@dataclass
class StudentRun(RunState):
    year: SchoolYear | None = None  # the current school year, the enrolments' year
    # The schools of the area by code, with their level groups, loaded at the first row
    # (files hold many rows per school), and their ids.
    area_schools: dict[str, OrgUnit] | None = None
    area_school_ids: set[int] = field(default_factory=set)
    levels: dict[tuple[int, int], str | None] = field(default_factory=dict)  # (school, grade)
    # The classes of the year seen so far, by (school id, name); new ones are added as written.
    classes: dict[tuple[int, str], SchoolClass] = field(default_factory=dict)
    # Who each personal ID number and MOET code of the file stands for (a person id, or the
    # key of a new student's row), and the row key that first named each existing student.
    ids_in_file: dict[str, int | str] = field(default_factory=dict)
    moets_in_file: dict[str, int | str] = field(default_factory=dict)
    students_in_file: dict[int, str] = field(default_factory=dict)
    # The next free student number of each province, as the bulk writes advance it.
    code_counters: dict[str, int] = field(default_factory=dict)
    tally: EnrolmentTally = field(default_factory=EnrolmentTally)


class StudentFormat(ImportFormat[StudentRow, StudentRun]):
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
    example: ClassVar[tuple[Any, ...]] = (
        "",
        "",
        "Vàng Seo Páo",
        "02/05/2013",
        "Nam",
        "H'Mông",
        "010213000101",
        "10082001",
        3,
        "3A",
    )
    choices: ClassVar[dict[str, str]] = {"sex": '"Nam,Nữ"'}

    batch_size: ClassVar[int] = 5000

    def start(self) -> StudentRun:
        return StudentRun(year=SchoolYear.current(today=self.day))

    def _school(self, code: str) -> OrgUnit:
        state = self.state
        if state.area_schools is None:
            found = self.schools().prefetch_related("groups__group_set")
            state.area_schools = {unit.code: unit for unit in found}
            state.area_school_ids = {unit.pk for unit in state.area_schools.values()}
        school = state.area_schools.get(code)
        if school is None:
            raise RowError(_("No school with the code {code} in your area.").format(code=code))
        return school

    def in_area(self, unit_id: int) -> bool:
        # The schools were loaded with the batch's first row: no query more.
        return unit_id in self.state.area_school_ids

    def _level(self, school: OrgUnit, grade: int) -> str | None:
        levels = self.state.levels
        key = (school.pk, grade)
        if key not in levels:
            levels[key] = level_of_grade(school.level_codes(), grade)
        return levels[key]

    def parse(self, cells: Cells) -> StudentRow:
        family, middle, given = name_cell(cells.get("full_name"))
        if max(len(family), len(middle), len(given)) > 60:
            raise RowError(_("A part of the name is longer than 60 characters."))
        birth = birth_date_cell(cells.get("birth_date"), "Ngày sinh", today=self.day)
        sex = sex_cell(cells.get("sex"))
        ethnicity = ethnicity_cell(cells.get("ethnicity"))
        national_id = self.code_cell(cells, "national_id") or None
        if national_id:
            problems = national_id_problems(national_id, birth_date=birth, sex=sex)
            if problems:
                raise RowError(" ".join(problems))
        school = self._school(self.code_cell(cells, "school"))
        grade_text = self.code_cell(cells, "grade")
        try:
            grade = int(grade_text)
        except ValueError as exc:
            raise RowError(_("Grade must be a number from 0 to 12.")) from exc
        level = self._level(school, grade)
        if level is None:
            raise RowError(_("The school does not teach grade {grade}.").format(grade=grade))
        class_name = self.code_cell(cells, "school_class")
        if len(class_name) > 40:
            raise RowError(_("The class name is longer than 40 characters."))
        code = self.code_cell(cells, "code")
        moet_code = self.code_cell(cells, "moet_code")[:32]
        if code:
            key = f"code:{code}"
        elif national_id:
            key = f"id:{national_id}"
        elif moet_code:
            key = f"moet:{moet_code}"
        else:
            key = f"name:{search_name(family, middle, given)}|{birth}|{school.code}"
        return StudentRow(
            code=code,
            moet_code=moet_code,
            family_name=family,
            middle_name=middle,
            given_name=given,
            birth_date=birth,
            sex=sex,
            ethnicity=ethnicity or Ethnicity.KINH,
            national_id=national_id,
            school=school,
            grade=grade,
            level=level,
            class_name=class_name,
            key=key,
        )

    def key(self, row: StudentRow) -> str:
        return row.key

    def apply_batch(self, rows: list[StudentRow], *, write: bool) -> list[RowOutcome | RowError]:
        year = self.state.year
        if year is None:
            return [RowError(_("No school year is set up.")) for _row in rows]
        using = lookup_alias()
        with index_lookups(using=using):
            # Everyone holding one of the batch's personal ID numbers, found or not by it.
            holders = people_selectors.persons_by_national_id(
                (d.national_id for d in rows if d.national_id), using=using
            )
            found = self._find_all(rows, year, holders, using)
            ids = [s.id for s in found if isinstance(s, Student)]
            # Plain tuples: a re-import compares every row with its enrolment, and building
            # model objects for them would cost more than the comparison.
            enrolled = (
                {
                    row[0]: Enrolled(*row)
                    for row in Enrollment.objects.active()
                    .filter(student_id__in=ids, school_year=year)
                    .values_list(
                        "student_id",
                        "id",
                        "school_id",
                        "school__name",
                        "grade",
                        "school_class_id",
                        "school_class__name",
                    )
                }
                if ids
                else {}
            )
            taken = {number: person.pk for number, person in holders.items() if number}
            classes = self._classes(rows, year, using)
        results: list[RowOutcome | RowError] = []
        new: list[StudentRow] = []
        changes: list[tuple[StudentRow, Student]] = []
        for data, student in zip(rows, found, strict=True):
            try:
                if isinstance(student, RowError):
                    raise student
                school_class = self._class_for(data, classes)
                outcome = self._compare(data, student, enrolled, taken, school_class, year)
            except RowError as exc:
                results.append(exc)
                continue
            results.append(outcome)
            if student is None:
                new.append(data)
            elif outcome != RowOutcome.UNCHANGED:
                changes.append((data, student))
        self._count(new, changes, enrolled, year, using)
        if write:
            students_batch_write(
                new=new,
                changes=changes,
                enrolled=enrolled,
                year=year,
                classes=self.state.classes,
                code_counters=self.state.code_counters,
                started_on=max(year.starts_on, min(self.day, year.ends_on)),
                by=self.by,
                note=self._note(),
            )
        return results

    def _find_all(
        self,
        rows: list[StudentRow],
        year: SchoolYear,
        holders: dict[str, Person],
        using: str,
    ) -> list[Student | None | RowError]:
        """The existing student of each row (None: a new one), in a few queries. Keys are
        probed on ``using``; only the students found are loaded, on the default connection."""

        def load(field: str, values: set[str]) -> dict[str, Student]:
            if not values:
                return {}
            pks = list(
                Student.objects.using(using)
                .filter(**{f"{field}__in": values})
                .values_list("pk", flat=True)
            )
            if not pks:
                return {}
            return {
                getattr(s, field): s
                for s in Student.objects.filter(pk__in=pks).select_related("person")
            }

        by_code = load("code", {d.code for d in rows if d.code})
        person_by_id = holders
        # Only rows not found by their personal ID are looked up by MOET code.
        by_moet = load(
            "moet_code",
            {
                d.moet_code
                for d in rows
                if not d.code and d.moet_code and d.national_id not in holders
            },
        )
        # Everyone the batch's identifiers found, judged in one go (found by name, a student
        # is enrolled at the row's school, in the area: in reach by that).
        reach = self.reachable(
            {p.pk for p in holders.values()}
            | {s.person_id for s in by_code.values()}
            | {s.person_id for s in by_moet.values()},
            using=using,
        )
        names = {d.search_name() for d in rows if not (d.code or d.national_id or d.moet_code)}
        by_name: dict[tuple[str, dt.date | None, int], Student] = {}
        if names:
            for e in (
                Enrollment.objects.active()
                .filter(school_year=year, student__person__search_name__in=names)
                .select_related("student__person")
            ):
                person = e.student.person
                by_name.setdefault((person.search_name, person.birth_date, e.school_id), e.student)
        found: list[Student | None | RowError] = []
        for d in rows:
            if d.code:
                student = by_code.get(d.code)
                if student is None:
                    found.append(
                        RowError(
                            _(
                                "No student has the code {code}; leave it empty for a new student."
                            ).format(code=d.code)
                        )
                    )
                elif student.person_id not in reach:
                    found.append(outside_code(self.header("code")))
                else:
                    found.append(student)
                continue
            if d.national_id and d.national_id in person_by_id:
                person = person_by_id[d.national_id]
                student = getattr(person, "student", None)
                if person.pk not in reach:
                    found.append(outside_id())
                elif student is None:
                    found.append(
                        RowError(
                            _("The personal ID number belongs to someone who is not a student.")
                        )
                    )
                else:
                    found.append(student)
                continue
            if d.moet_code and d.moet_code in by_moet:
                student = by_moet[d.moet_code]
                found.append(
                    student
                    if student.person_id in reach
                    else outside_code(self.header("moet_code"))
                )
                continue
            if d.national_id or d.moet_code:
                found.append(None)
                continue
            key = (d.search_name(), d.birth_date, d.school.pk)
            found.append(by_name.get(key))
        return found

    def _classes(
        self, rows: list[StudentRow], year: SchoolYear, using: str
    ) -> dict[tuple[int, str], SchoolClass]:
        cache = self.state.classes
        wanted = {(d.school.pk, d.class_name) for d in rows if d.class_name} - set(cache)
        if wanted:
            for school_class in SchoolClass.objects.using(using).filter(
                school_year=year,
                school_id__in={pk for pk, _name in wanted},
                name__in={name for _pk, name in wanted},
            ):
                # Read on the lookup connection, used (as a foreign key) on the default one.
                school_class._state.db = DEFAULT_DB_ALIAS
                cache[(school_class.school_id, school_class.name)] = school_class
        return cache

    def _class_for(
        self, data: StudentRow, classes: dict[tuple[int, str], SchoolClass]
    ) -> SchoolClass | None:
        if not data.class_name:
            return None
        existing = classes.get((data.school.pk, data.class_name))
        if existing is not None and existing.grade != data.grade:
            raise RowError(
                _("Class {name} is a grade {grade} class.").format(
                    name=existing.name, grade=existing.grade
                )
            )
        return existing  # None: the class will be created with the row

    def _compare(
        self,
        data: StudentRow,
        student: Student | None,
        enrolled: dict[int, Enrolled],
        taken: dict[str, int],
        school_class: SchoolClass | None,
        year: SchoolYear,
    ) -> RowOutcome:
        nid = data.national_id
        # The same personal ID number twice in the file, under different student codes.
        holders = self.state.ids_in_file
        owner = student.person_id if student is not None else None
        if nid:
            holder = taken.get(nid)
            if holder is not None and holder != owner:
                if not self.in_reach(holder):
                    raise outside_id()
                raise RowError(_("The personal ID number belongs to another person."))
            marker = owner if owner is not None else self.key(data)
            if holders.setdefault(nid, marker) != marker:
                raise RowError(_("The personal ID number appears twice in the file."))
        moet = data.moet_code
        if moet:
            moets = self.state.moets_in_file
            marker = owner if owner is not None else self.key(data)
            if moets.setdefault(moet, marker) != marker:
                raise RowError(_("The MOET code appears twice in the file."))
        if student is None:
            return RowOutcome.CREATE
        # Two rows with different identifiers may name the same student (one by personal ID,
        # one by MOET code): the second is a duplicate, not a correction of the first.
        students_in_file = self.state.students_in_file
        key = self.key(data)
        if students_in_file.setdefault(student.pk, key) != key:
            raise RowError(_("This row names the same student as an earlier row of the file."))
        person = student.person
        changed = any(
            getattr(person, f) != v and not (f == "national_id" and not v)
            for f, v in data.person_fields().items()
        )
        changed = changed or bool(data.moet_code and data.moet_code != student.moet_code)
        current = enrolled.get(student.pk)
        if current is not None and current.school_id != data.school.pk:
            if not self.in_area(current.school_id):
                # In reach through another tie; where he studies is not the importer's to see.
                raise enrolled_outside(year.code)
            raise RowError(
                _("The student studies at {school}; use a transfer to move them.").format(
                    school=current.school_name
                )
            )
        same_place = (
            current is not None
            and current.grade == data.grade
            and current.school_class_id == (school_class.pk if school_class else None)
            and bool(data.class_name) == (school_class is not None)
        )
        return RowOutcome.UPDATE if changed or not same_place else RowOutcome.UNCHANGED

    def _count(
        self,
        new: list[StudentRow],
        changes: list[tuple[StudentRow, Student]],
        enrolled: dict[int, Enrolled],
        year: SchoolYear,
        using: str,
    ) -> None:
        """Add the batch's accepted rows to the enrolment counts ``warnings`` judges."""
        tally = self.state.tally
        moves: list[tuple[StudentRow, Enrolled | None]] = [(d, None) for d in new]
        moves += [(d, enrolled.get(student.pk)) for d, student in changes]
        if not moves:
            return
        tally.see(
            schools={(d.school, year) for d, _current in moves},
            classes={
                *((d.school, year, d.class_name) for d, _current in moves),
                *(
                    (d.school, year, current.school_class_name or "")
                    for d, current in moves
                    if current is not None
                ),
            },
            using=using,
        )
        for data, current in moves:
            school, name, level = data.school, data.class_name, data.level
            if current is None:  # a new student, or one not enrolled this year
                tally.school(school, year, 1)
                tally.klass(school, year, name, 1, level=level)
            elif (current.school_class_name or "") != name:
                tally.klass(school, year, current.school_class_name or "", -1)
                tally.klass(school, year, name, 1, level=level)

    def warnings(self) -> list[str]:
        return self.state.tally.warnings()

    def export_rows(self) -> Iterator[list[Any]]:
        """The active enrolments of the current school year in scope, one row per student."""
        year = self.state.year
        if year is None:
            return
        enrolments = self.within(
            self.granted(people_access.enrollments_for_user, Enrollment.objects.all()), "school_id"
        ).filter(status=EnrollmentStatus.ACTIVE, school_year=year)
        labels = dict(Ethnicity.choices)
        for e in (
            enrolments.select_related("student__person", "school", "school_class")
            .order_by("school__code", "grade", "school_class__name", "student__code")
            .iterator(chunk_size=2000)
        ):
            person = e.student.person
            yield [
                e.student.code,
                e.student.moet_code,
                person.full_name,
                person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
                SEX_LABELS.get(person.sex, ""),
                str(labels.get(person.ethnicity, "")),
                person.national_id or "",
                e.school.code,
                e.grade,
                e.school_class.name if e.school_class else "",
            ]

    def _note(self) -> str:
        job = self.job
        if job is None:
            return "import"
        return f"import job {job.pk} ({job.source.original_name}, sha256 {job.source.sha256[:12]})"
