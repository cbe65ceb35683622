from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vnemis.core.text import search_words, words_match
from vnemis.organisations.choices import SchoolLevel
from vnemis.people.choices import StaffPosition
from vnemis.people.models import Enrollment, Staff


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


class EnrollmentFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    """Filters of the student list (one row per active enrolment of the current year)."""

    q = django_filters.CharFilter(label=_("Name or student code"), method="search")
    school = django_filters.CharFilter(field_name="school__code", label=_("School code"))
    level = django_filters.ChoiceFilter(choices=SchoolLevel.choices, label=_("Level"))
    grade = django_filters.NumberFilter(label=pgettext_lazy("grade level", "Grade"))
    school_class = django_filters.NumberFilter(label=_("Class"))

    class Meta:
        model = Enrollment
        fields = ["q", "school", "level", "grade", "school_class"]

    def search(self, queryset: QuerySet[Enrollment], name: str, value: str) -> Any:
        return _search_people(queryset, "student__person__", "student__code", value)


class StaffFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    q = django_filters.CharFilter(label=_("Name or staff code"), method="search")
    unit = django_filters.CharFilter(field_name="org_unit__code", label=_("Unit code"))
    position = django_filters.ChoiceFilter(choices=StaffPosition.choices, label=_("Position"))

    class Meta:
        model = Staff
        fields = ["q", "unit", "position"]

    def search(self, queryset: QuerySet[Staff], name: str, value: str) -> Any:
        return _search_people(queryset, "person__", "code", value)
