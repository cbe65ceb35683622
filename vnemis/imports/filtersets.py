"""Filters of the import jobs list, shared by the page and the API. They filter a queryset
already scoped by ``access.jobs_for_user``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from vnemis.core.filtersets import FilterSet, TextFilter
from vnemis.imports.choices import ImportKind, JobStatus
from vnemis.imports.models import ImportJob


class ImportJobFilterSet(FilterSet):
    """Import jobs: by kind, status, and the file's name or the unit imported into."""

    kind = django_filters.ChoiceFilter(
        choices=ImportKind.choices, label=_("Kind"), empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        choices=JobStatus.choices, label=_("Status"), empty_label=_("All")
    )
    q = TextFilter(label=_("File name or unit code"), method="search")

    class Meta:
        model = ImportJob
        fields = ["kind", "status", "q"]

    def search(self, queryset: QuerySet[ImportJob], name: str, value: str) -> Any:
        match = Q(source__original_name__icontains=value)
        return queryset.filter(match | Q(scope_unit__code=value))
