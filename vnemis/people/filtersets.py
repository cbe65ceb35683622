from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vnemis.core.filtersets import FilterSet, IntegerFilter, TextFilter
from vnemis.core.text import search_words, words_match
from vnemis.organisations.choices import SchoolLevel
from vnemis.people.choices import EnrollmentStatus, StaffPosition
from vnemis.people.models import Enrollment, SchoolClass, Staff, Student


def _search_people(queryset: QuerySet[Any], prefix: str, code_field: str, value: str) -> Any:
    """Rows whose person's name holds every word of ``value`` (in any order, ignoring case and
    diacritics) and whose code starts with each code-like word: "nguyen van", "VĂN Nguyễn",
    "1000000123", "CB0000042", "pao 10".

    A word with a digit, or one starting with "cb" (no Vietnamese syllable does), is a code:
    names hold no digits. The name words are served by the trigram index of
    ``Person.search_name`` on PostgreSQL; codes by the unique b-tree index on the code.
    """
    words = search_words(value)
    names = [w for w in words if not _looks_like_code(w)]
    match = words_match(f"{prefix}search_name", names)
    for word in words:
        if _looks_like_code(word):
            match &= Q(**{f"{code_field}__startswith": word.upper()})
    return queryset.filter(match) if words else queryset


def _looks_like_code(word: str) -> bool:
    return word.startswith("cb") or any(c.isdigit() for c in word)


class EnrollmentFilterSet(FilterSet):
    """Filters of the student list (one row per active enrolment of the current year)."""

    q = TextFilter(label=_("Name or student code"), method="search")
    school = TextFilter(field_name="school__code", label=_("School code"), max_length=32)
    level = django_filters.ChoiceFilter(choices=SchoolLevel.choices, label=_("Level"))
    # Grade 0 is the preschool age groups.
    grade = IntegerFilter(label=pgettext_lazy("grade level", "Grade"), min_value=0, max_value=12)
    school_class = IntegerFilter(label=_("Class"))

    class Meta:
        model = Enrollment
        fields = ["q", "school", "level", "grade", "school_class"]

    def search(self, queryset: QuerySet[Enrollment], name: str, value: str) -> Any:
        return _search_people(queryset, "student__person__", "student__code", value)


class StaffFilterSet(FilterSet):
    """Filters of the staff list (active staff members)."""

    q = TextFilter(label=_("Name or staff code"), method="search")
    unit = TextFilter(field_name="org_unit__code", label=_("Unit code"), max_length=32)
    position = django_filters.ChoiceFilter(choices=StaffPosition.choices, label=_("Position"))

    class Meta:
        model = Staff
        fields = ["q", "unit", "position"]

    def search(self, queryset: QuerySet[Staff], name: str, value: str) -> Any:
        return _search_people(queryset, "person__", "code", value)


class StudentFilterSet(FilterSet):
    """Students (one row per student, whatever their enrolments): by name or code, and by
    the school of an active enrolment."""

    q = TextFilter(label=_("Name or student code"), method="search")
    school = TextFilter(label=_("School code"), method="at_school", max_length=32)

    class Meta:
        model = Student
        fields = ["q", "school"]

    def search(self, queryset: QuerySet[Student], name: str, value: str) -> Any:
        return _search_people(queryset, "person__", "code", value)

    def at_school(self, queryset: QuerySet[Student], name: str, value: str) -> Any:
        enrolled = Enrollment.objects.filter(school__code=value, status=EnrollmentStatus.ACTIVE)
        return queryset.filter(pk__in=enrolled.values("student_id"))


class SchoolClassFilterSet(FilterSet):
    """Classes: by school, school year, level, grade and name ("6A" finds 6A1 and 6A2)."""

    q = TextFilter(label=_("Class name"), field_name="name", lookup_expr="icontains", max_length=40)
    school = TextFilter(field_name="school__code", label=_("School code"), max_length=32)
    year = TextFilter(field_name="school_year__code", label=_("School year"), max_length=9)
    level = django_filters.ChoiceFilter(choices=SchoolLevel.choices, label=_("Level"))
    grade = IntegerFilter(label=pgettext_lazy("grade level", "Grade"), min_value=0, max_value=12)

    class Meta:
        model = SchoolClass
        fields = ["q", "school", "year", "level", "grade"]
