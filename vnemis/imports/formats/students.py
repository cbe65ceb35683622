"""Students with their enrolment of the current school year (school, grade, class).

Headers follow the schools' software and the CSDL ngành export ("Họ tên", "Ngày sinh",
"Giới tính", "Dân tộc", "Số định danh cá nhân", "Mã trường", "Khối", "Lớp"). A student is
found by vnemis's student code, else by the personal ID number, else by the MOET code. Whoever
these find must be in the importer's reach (see ``ImportFormat.reachable``); anyone else is
refused without saying who he is or where he studies, and is neither changed nor enrolled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, ClassVar, NamedTuple

from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from vnemis.core.bulk import index_lookups, lookup_alias
from vnemis.core.text import fold
from vnemis.imports.choices import RowOutcome
from vnemis.imports.formats.base import (
    Column,
    ImportFormat,
    RowError,
    date_cell,
    enrolled_outside,
    outside_code,
    outside_id,
    text,
)
from vnemis.imports.formats.plausibility import EnrolmentTally
from vnemis.organisations.choices import LEVEL_GRADES
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people import selectors as people_selectors
from vnemis.people import services as people_services
from vnemis.people.choices import Ethnicity
from vnemis.people.identity import national_id_problems
from vnemis.people.models import Enrollment, Person, SchoolClass, Student

_SEX = {"nam": "M", "m": "M", "male": "M", "nu": "F", "nữ": "F", "f": "F", "female": "F"}
_ETHNICITY = {fold(label): code for code, label in Ethnicity.choices}
_ETHNICITY |= {"hmong": "08", "h mong": "08", "mong": "08", "kinh (viet)": "01"}
# The labels exactly as files usually write them, looked up before any folding.
_ETHNICITY_TEXT = {str(label): code for code, label in Ethnicity.choices} | {"": "01"}
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tally = EnrolmentTally()

    def _school(self, code: str) -> OrgUnit:
        # Files hold many rows per school: the schools in scope are loaded once, with their
        # level groups, at the first row.
        schools: dict[str, OrgUnit] | None = self.__dict__.get("_cached_schools")
        if schools is None:
            found = OrgUnit.objects.filter(kind="school").prefetch_related("groups__group_set")
            if self.scope_paths is not None:
                found = found & OrgUnit.objects.under_paths(self.scope_paths)
            schools = self.__dict__["_cached_schools"] = {unit.code: unit for unit in found}
        school = schools.get(code)
        if school is None:
            raise RowError(_("No school with the code {code} in your area.").format(code=code))
        return school

    def _school_in_scope(self, school_id: int) -> bool:
        schools: dict[str, OrgUnit] = self.__dict__["_cached_schools"]
        ids: set[int] = self.__dict__.setdefault(
            "_cached_school_ids", {unit.pk for unit in schools.values()}
        )
        return school_id in ids

    def _level(self, school: OrgUnit, grade: int) -> str | None:
        cache: dict[tuple[int, int], str | None] = self.__dict__.setdefault("_cached_levels", {})
        key = (school.pk, grade)
        if key not in cache:
            levels = school.level_codes()
            cache[key] = next(
                (
                    lv
                    for lv in ("gdtx", "mn", "th", "thcs", "thpt")
                    if lv in levels and grade in LEVEL_GRADES[lv]
                ),
                None,
            )
        return cache[key]

    def _year(self) -> SchoolYear | None:
        if "_cached_year" not in self.__dict__:
            self.__dict__["_cached_year"] = SchoolYear.current(today=self.day)
        year: SchoolYear | None = self.__dict__["_cached_year"]
        return year

    def parse(self, cells: dict[str, Any]) -> dict[str, Any]:
        family, middle, given = _split_name(" ".join(text(cells.get("full_name")).split()))
        if max(len(family), len(middle), len(given)) > 60:
            raise RowError(_("A part of the name is longer than 60 characters."))
        birth = date_cell(cells.get("birth_date"), "Ngày sinh", birth=True, today=self.day)
        assert birth is not None
        sex_text = text(cells.get("sex"))
        sex = _SEX.get(sex_text.lower()) or _SEX.get(fold(sex_text))
        if sex is None:
            raise RowError(_("Sex must be 'Nam' or 'Nữ', not '{value}'.").format(value=sex_text))
        ethnicity_text = text(cells.get("ethnicity"))
        ethnicity = _ETHNICITY_TEXT.get(ethnicity_text)
        if ethnicity is None:
            ethnicity = _ETHNICITY.get(fold(ethnicity_text)) or (
                ethnicity_text.zfill(2) if ethnicity_text.isdigit() else None
            )
            if ethnicity_text and ethnicity not in Ethnicity.values:
                raise RowError(_("Unknown ethnicity '{value}'.").format(value=ethnicity_text))
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
        return {
            "code": self.code_cell(cells, "code"),
            "moet_code": self.code_cell(cells, "moet_code")[:32],
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
            "class_name": class_name,
        }

    def key(self, data: dict[str, Any]) -> str:
        # Kept on the row: the same string object then marks the row in every in-file index
        # (a million rows, three indexes: one copy of each key, not three).
        key: str | None = data.get("_key")
        if key is None:
            if data["code"]:
                key = f"code:{data['code']}"
            elif data["national_id"]:
                key = f"id:{data['national_id']}"
            elif data["moet_code"]:
                key = f"moet:{data['moet_code']}"
            else:
                key = f"name:{_search_name(data)}|{data['birth_date']}|{data['school'].code}"
            data["_key"] = key
        return key

    def apply_batch(
        self, rows: list[dict[str, Any]], *, write: bool
    ) -> list[RowOutcome | RowError]:
        year = self._year()
        if year is None:
            return [RowError(_("No school year is set up.")) for _row in rows]
        using = lookup_alias()
        with index_lookups(using=using):
            # Everyone holding one of the batch's personal ID numbers, found or not by it.
            holders = people_selectors.persons_by_national_id(
                (d["national_id"] for d in rows), using=using
            )
            found = self._find_all(rows, year, holders, using)
            ids = [s.id for s in found if isinstance(s, Student)]
            # Plain tuples: a re-import compares every row with its enrolment, and building
            # model objects for them would cost more than the comparison.
            enrolled = (
                {
                    row[0]: _Enrolled(*row)
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
        new: list[dict[str, Any]] = []
        changes: list[tuple[dict[str, Any], Student]] = []
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
            self._write(new, changes, enrolled, year)
        return results

    def _find_all(
        self,
        rows: list[dict[str, Any]],
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

        by_code = load("code", {d["code"] for d in rows if d["code"]})
        person_by_id = holders
        # Only rows not found by their personal ID are looked up by MOET code.
        by_moet = load(
            "moet_code",
            {
                d["moet_code"]
                for d in rows
                if not d["code"] and d["moet_code"] and d["national_id"] not in holders
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
        names = {
            _search_name(d) for d in rows if not (d["code"] or d["national_id"] or d["moet_code"])
        }
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
            if d["code"]:
                student = by_code.get(d["code"])
                if student is None:
                    found.append(
                        RowError(
                            _(
                                "No student has the code {code}; leave it empty for a new student."
                            ).format(code=d["code"])
                        )
                    )
                elif student.person_id not in reach:
                    found.append(outside_code(self.header("code")))
                else:
                    found.append(student)
                continue
            if d["national_id"] and d["national_id"] in person_by_id:
                person = person_by_id[d["national_id"]]
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
            if d["moet_code"] and d["moet_code"] in by_moet:
                student = by_moet[d["moet_code"]]
                found.append(
                    student
                    if student.person_id in reach
                    else outside_code(self.header("moet_code"))
                )
                continue
            if d["national_id"] or d["moet_code"]:
                found.append(None)
                continue
            key = (_search_name(d), d["birth_date"], d["school"].pk)
            found.append(by_name.get(key))
        return found

    def _classes(
        self, rows: list[dict[str, Any]], year: SchoolYear, using: str
    ) -> dict[tuple[int, str], SchoolClass]:
        cache: dict[tuple[int, str], SchoolClass] = self.__dict__.setdefault("_cached_classes", {})
        wanted = {(d["school"].pk, d["class_name"]) for d in rows if d["class_name"]} - set(cache)
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
        self, data: dict[str, Any], classes: dict[tuple[int, str], SchoolClass]
    ) -> SchoolClass | None:
        if not data["class_name"]:
            return None
        existing = classes.get((data["school"].pk, data["class_name"]))
        if existing is not None and existing.grade != data["grade"]:
            raise RowError(
                _("Class {name} is a grade {grade} class.").format(
                    name=existing.name, grade=existing.grade
                )
            )
        return existing  # None: the class will be created with the row

    def _compare(
        self,
        data: dict[str, Any],
        student: Student | None,
        enrolled: dict[int, _Enrolled],
        taken: dict[str, int],
        school_class: SchoolClass | None,
        year: SchoolYear,
    ) -> RowOutcome:
        nid = data["national_id"]
        # The same personal ID number twice in the file, under different student codes.
        holders: dict[str, Any] = self.__dict__.setdefault("_ids_in_file", {})
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
        moet = data["moet_code"]
        if moet:
            moets: dict[str, Any] = self.__dict__.setdefault("_moets_in_file", {})
            marker = owner if owner is not None else self.key(data)
            if moets.setdefault(moet, marker) != marker:
                raise RowError(_("The MOET code appears twice in the file."))
        if student is None:
            return RowOutcome.CREATE
        # Two rows with different identifiers may name the same student (one by personal ID,
        # one by MOET code): the second is a duplicate, not a correction of the first.
        students_in_file: dict[int, str] = self.__dict__.setdefault("_students_in_file", {})
        key = self.key(data)
        if students_in_file.setdefault(student.pk, key) != key:
            raise RowError(_("This row names the same student as an earlier row of the file."))
        person = student.person
        changed = any(
            getattr(person, f) != data[f] and not (f == "national_id" and not data[f])
            for f in _PERSON
        )
        changed = changed or bool(data["moet_code"] and data["moet_code"] != student.moet_code)
        current = enrolled.get(student.pk)
        if current is not None and current.school_id != data["school"].pk:
            if not self._school_in_scope(current.school_id):
                # In reach through another tie; where he studies is not the importer's to see.
                raise enrolled_outside(year.code)
            raise RowError(
                _("The student studies at {school}; use a transfer to move them.").format(
                    school=current.school_name
                )
            )
        same_place = (
            current is not None
            and current.grade == data["grade"]
            and current.school_class_id == (school_class.pk if school_class else None)
            and bool(data["class_name"]) == (school_class is not None)
        )
        return RowOutcome.UPDATE if changed or not same_place else RowOutcome.UNCHANGED

    def _count(
        self,
        new: list[dict[str, Any]],
        changes: list[tuple[dict[str, Any], Student]],
        enrolled: dict[int, _Enrolled],
        year: SchoolYear,
        using: str,
    ) -> None:
        """Add the batch's accepted rows to the enrolment counts ``warnings`` judges."""
        tally = self._tally
        moves: list[tuple[dict[str, Any], _Enrolled | None]] = [(d, None) for d in new]
        moves += [(d, enrolled.get(student.pk)) for d, student in changes]
        if not moves:
            return
        tally.see(
            schools={(d["school"], year) for d, _current in moves},
            classes={
                *((d["school"], year, d["class_name"]) for d, _current in moves),
                *(
                    (d["school"], year, current.school_class_name or "")
                    for d, current in moves
                    if current is not None
                ),
            },
            using=using,
        )
        for data, current in moves:
            school, name, level = data["school"], data["class_name"], data["level"]
            if current is None:  # a new student, or one not enrolled this year
                tally.school(school, year, 1)
                tally.klass(school, year, name, 1, level=level)
            elif (current.school_class_name or "") != name:
                tally.klass(school, year, current.school_class_name or "", -1)
                tally.klass(school, year, name, 1, level=level)

    def warnings(self) -> list[str]:
        return self._tally.warnings()

    def _write(
        self,
        new: list[dict[str, Any]],
        changes: list[tuple[dict[str, Any], Student]],
        enrolled: dict[int, _Enrolled],
        year: SchoolYear,
    ) -> None:
        started_on = max(year.starts_on, min(self.day, year.ends_on))
        classes: dict[tuple[int, str], SchoolClass] = self.__dict__["_cached_classes"]

        # The batch's new classes first, all at once.
        wanted: dict[tuple[int, str], people_services.NewClass] = {}
        for data in [*new, *(data for data, _student in changes)]:
            key = (data["school"].pk, data["class_name"])
            if data["class_name"] and key not in classes:
                wanted.setdefault(
                    key,
                    people_services.NewClass(
                        school=data["school"],
                        level=data["level"],
                        grade=data["grade"],
                        name=data["class_name"],
                    ),
                )
        if wanted:
            for created in people_services.school_classes_bulk_create(
                rows=list(wanted.values()), school_year=year, by=self.by, note=self._note()
            ):
                classes[(created.school_id, created.name)] = created

        def class_of(data: dict[str, Any]) -> SchoolClass | None:
            return classes[(data["school"].pk, data["class_name"])] if data["class_name"] else None

        people_services.students_bulk_create(
            rows=[
                people_services.NewStudent(
                    **{f: data[f] for f in _PERSON},
                    moet_code=data["moet_code"],
                    school=data["school"],
                    grade=data["grade"],
                    level=data["level"],
                    school_class=class_of(data),
                )
                for data in new
            ],
            school_year=year,
            started_on=started_on,
            by=self.by,
            note=self._note(),
            code_counters=self.__dict__.setdefault("_code_counters", {}),
        )
        # Changes to existing students are few: each goes through the ordinary services,
        # audited field by field.
        for data, student in changes:
            person_fields = {f: data[f] for f in _PERSON}
            changed = {
                f: v
                for f, v in person_fields.items()
                if getattr(student.person, f) != v and not (f == "national_id" and not v)
            }
            if changed:
                people_services.person_update(person=student.person, by=self.by, **changed)
            if data["moet_code"] and data["moet_code"] != student.moet_code:
                people_services.student_update(
                    student=student, by=self.by, moet_code=data["moet_code"]
                )
            known = enrolled.get(student.pk)
            current = (
                Enrollment.objects.select_related("school_class").get(pk=known.id)
                if known is not None
                else None
            )
            school_class = class_of(data)
            if current is None:
                people_services.enrollment_create(
                    student=student,
                    school=data["school"],
                    school_year=year,
                    grade=data["grade"],
                    level=data["level"],
                    started_on=started_on,
                    school_class=school_class,
                    by=self.by,
                )
            elif current.grade != data["grade"] or current.school_class != school_class:
                people_services.enrollment_place(
                    enrollment=current,
                    grade=data["grade"],
                    level=data["level"],
                    school_class=school_class,
                    by=self.by,
                )

    def export_rows(self) -> Iterator[list[Any]]:
        """The active enrolments of the current school year in scope, one row per student."""
        year = self._year()
        if year is None:
            return
        enrolments = Enrollment.objects.active().filter(school_year=year)
        if self.scope_paths is not None:
            enrolments = enrolments.filter(school__in=OrgUnit.objects.under_paths(self.scope_paths))
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
                {"M": "Nam", "F": "Nữ"}.get(person.sex, ""),
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


class _Enrolled(NamedTuple):
    """What a row is compared with: the student's active enrolment of the year."""

    student_id: int
    id: int
    school_id: int
    school_name: str
    grade: int
    school_class_id: int | None
    school_class_name: str | None


def _search_name(data: dict[str, Any]) -> str:
    return fold(
        " ".join(p for p in (data["family_name"], data["middle_name"], data["given_name"]) if p)
    )
