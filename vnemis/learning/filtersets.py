"""Filters of the lists of year results and transcripts (the API's, and any page or export
that lists them later): one FilterSet per list, so a parameter means the same everywhere.

Codes, not ids, name schools, school years and students, as on the other lists; a class is
named by its id, as in the class and enrolment lists.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vnemis.core.filtersets import FilterSet, IntegerFilter, TextFilter
from vnemis.learning.choices import Regime, TranscriptStatus
from vnemis.learning.models import Transcript, YearResult


class YearResultFilterSet(FilterSet):
    """Year results: by school year, school, class, grade, student, regime and the headline
    codes the regime decided (``learning``, ``promotion``)."""

    year = TextFilter(field_name="school_year__code", label=_("School year"), max_length=9)
    school = TextFilter(field_name="school__code", label=_("School code"), max_length=32)
    school_class = IntegerFilter(label=_("Class"))
    grade = IntegerFilter(label=pgettext_lazy("grade level", "Grade"), min_value=1, max_value=12)
    student = TextFilter(field_name="student__code", label=_("Student code"), max_length=32)
    regime = django_filters.ChoiceFilter(choices=Regime.choices, label=_("Assessment regime"))
    # Free codes rather than a fixed list: each regime has its own (tot, kha…; htt, ht…).
    learning = TextFilter(label=_("Learning result (code)"), max_length=16)
    promotion = TextFilter(label=_("Promotion (code)"), max_length=16)

    class Meta:
        model = YearResult
        fields = [
            "year",
            "school",
            "school_class",
            "grade",
            "student",
            "regime",
            "learning",
            "promotion",
        ]


class TranscriptFilterSet(FilterSet):
    """Transcripts: by school year, school, class, grade, student, regime and status."""

    year = TextFilter(field_name="school_year__code", label=_("School year"), max_length=9)
    school = TextFilter(field_name="school__code", label=_("School code"), max_length=32)
    school_class = IntegerFilter(label=_("Class"))
    grade = IntegerFilter(label=pgettext_lazy("grade level", "Grade"), min_value=1, max_value=12)
    student = TextFilter(field_name="student__code", label=_("Student code"), max_length=32)
    regime = django_filters.ChoiceFilter(choices=Regime.choices, label=_("Assessment regime"))
    status = django_filters.ChoiceFilter(choices=TranscriptStatus.choices, label=_("Status"))

    class Meta:
        model = Transcript
        fields = ["year", "school", "school_class", "grade", "student", "regime", "status"]
