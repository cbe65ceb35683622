"""Plausibility of a file as a whole: what it does to the open enrolments of schools and
classes, told to the importer as warnings (a dry run shows them before anything is written).

A school's count is judged per school year. A class is judged against the largest class the
school charters allow at its level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count
from django.utils.translation import gettext as _

from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.models import Enrollment

# Pupils per class at most, by level: Điều lệ trường tiểu học (TT 28/2020/TT-BGDĐT) 35;
# Điều lệ trường THCS, THPT (TT 32/2020/TT-BGDĐT) 45, which continuing-education classes
# follow too. Preschool groups range from 15 to 35 children by age (Điều lệ trường mầm non,
# TT 52/2020/TT-BGDĐT), and a class row does not say the age: only more than the largest
# group, 35, is certainly too many.
CLASS_LIMITS = {"mn": 35, "th": 35, "thcs": 45, "thpt": 45, "gdtx": 45}
# A school's open enrolments are worth a second look when a file changes them by more than
# half AND by more than 20 pupils. Half: a school's yearly intake or leavers are about a
# fifth to a quarter of it, so an ordinary file stays well under; 20 pupils, under one
# class: a small school (30 pupils, 12 of them new) does not warn for a normal intake. A
# file loaded into the wrong school or year, or repeated with new codes, doubles or
# multiplies the count and warns. A school with no open enrolment yet is being loaded for
# the first time: nothing to compare with, no warning.
CHANGE_SHARE = 0.5
CHANGE_PUPILS = 20
# At most this many warnings are listed; the rest are counted.
SHOWN = 20

_SchoolKey = tuple[int, int]  # school id, school year id
_ClassKey = tuple[int, int, str]  # school id, school year id, class name


@dataclass
class _Count:
    before: int
    change: int = 0
    level: str = ""


class EnrolmentTally:
    """Open (active) enrolments of the schools and classes a file touches: as they were
    before the file, and the change it makes (whether or not it is written)."""

    def __init__(self) -> None:
        self.schools: dict[_SchoolKey, _Count] = {}
        self.classes: dict[_ClassKey, _Count] = {}
        self.units: dict[int, OrgUnit] = {}
        self.years: dict[int, SchoolYear] = {}

    def see(
        self,
        *,
        schools: Iterable[tuple[OrgUnit, SchoolYear]] = (),
        classes: Iterable[tuple[OrgUnit, SchoolYear, str]] = (),
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        """Count the schools and classes not seen yet, before the file's rows about them are
        written: one query for the schools, one for the classes."""
        new_schools: set[_SchoolKey] = set()
        for school, year in schools:
            key = (school.pk, year.pk)
            if key not in self.schools:
                self.units[school.pk], self.years[year.pk] = school, year
                new_schools.add(key)
        new_classes: set[_ClassKey] = set()
        for school, year, name in classes:
            class_key = (school.pk, year.pk, name)
            if name and class_key not in self.classes:
                self.units[school.pk], self.years[year.pk] = school, year
                new_classes.add(class_key)
        open_ = Enrollment.objects.using(using).active()
        if new_schools:
            counts = dict.fromkeys(new_schools, 0)
            for school_id, year_id, n in (
                open_.filter(
                    school_id__in={k[0] for k in new_schools},
                    school_year_id__in={k[1] for k in new_schools},
                )
                .values_list("school_id", "school_year_id")
                .annotate(n=Count("id"))
                .order_by()
            ):
                if (school_id, year_id) in counts:
                    counts[(school_id, year_id)] = n
            self.schools.update((key, _Count(before=n)) for key, n in counts.items())
        if new_classes:
            class_counts = dict.fromkeys(new_classes, 0)
            for school_id, year_id, name, n in (
                open_.filter(
                    school_id__in={k[0] for k in new_classes},
                    school_year_id__in={k[1] for k in new_classes},
                    school_class__name__in={k[2] for k in new_classes},
                )
                .values_list("school_id", "school_year_id", "school_class__name")
                .annotate(n=Count("id"))
                .order_by()
            ):
                if (school_id, year_id, name) in class_counts:
                    class_counts[(school_id, year_id, name)] = n
            self.classes.update((key, _Count(before=n)) for key, n in class_counts.items())

    def school(self, school: OrgUnit, year: SchoolYear, change: int) -> None:
        self.schools[(school.pk, year.pk)].change += change

    def klass(
        self, school: OrgUnit, year: SchoolYear, name: str, change: int, *, level: str = ""
    ) -> None:
        if not name:
            return
        count = self.classes[(school.pk, year.pk, name)]
        count.change += change
        count.level = level or count.level

    def warnings(self) -> list[str]:
        lines: list[str] = []
        for (school_id, year_id), count in sorted(
            self.schools.items(), key=lambda item: (self.units[item[0][0]].code, item[0][1])
        ):
            change = abs(count.change)
            if count.before and change > CHANGE_PUPILS and change > count.before * CHANGE_SHARE:
                school = self.units[school_id]
                lines.append(
                    _(
                        "{school} ({code}), school year {year}: {before} pupils enrolled now, "
                        "{after} after this file. Check that the file is meant for this school "
                        "and this school year."
                    ).format(
                        school=school.name,
                        code=school.code,
                        year=self.years[year_id].code,
                        before=count.before,
                        after=count.before + count.change,
                    )
                )
        for (school_id, _year_id, name), count in sorted(
            self.classes.items(), key=lambda item: (self.units[item[0][0]].code, item[0][2])
        ):
            limit = CLASS_LIMITS.get(count.level)
            after = count.before + count.change
            if limit is not None and count.change > 0 and after > limit:
                school = self.units[school_id]
                lines.append(
                    _(
                        "Class {name} at {school} ({code}) would hold {count} pupils, more than "
                        "the {limit} per class the school charter allows."
                    ).format(
                        name=name, school=school.name, code=school.code, count=after, limit=limit
                    )
                )
        if len(lines) > SHOWN:
            more = len(lines) - SHOWN
            lines = [
                *lines[:SHOWN],
                _("… and {count} more warnings of the same kind.").format(count=more),
            ]
        return lines
