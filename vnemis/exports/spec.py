"""The shape of an export: the rows of a list as plain tuples, and how a list declares them.

A definition (``Definition``, or the declarative ``ListExport`` of a FilterSet-backed list)
turns a user and the list's stored filters into an ``ExportSpec``: file name stem, sheet
title, header, and a ``values_list`` queryset with the function that maps each tuple to the
file's cells. The writers (``writers``) neutralise formulas in every cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django_stubs_ext import StrOrPromise

from vnemis.accounts.models import User
from vnemis.core.filtersets import FilterSet
from vnemis.core.http import BadParameter
from vnemis.organisations.scope import user_scope

Params = dict[str, Any]
Row = tuple[Any, ...]
# Rows fetched per database round trip while a file is written.
CHUNK_SIZE = 2000


class ExportError(ValueError):
    """The export cannot be made as asked (a figure without records, an unknown list); the
    message says so to the user."""


@dataclass(frozen=True)
class ExportSpec:
    """A list ready to write: file name stem, sheet title, header row, and its rows."""

    stem: str
    sheet: str
    headers: tuple[str, ...]
    rows: QuerySet[Any, Any]  # values_list(...) tuples, in the list's order
    cells: Callable[[Row], Row]  # one plain row → the cells of the file

    def lines(self, *, chunk_size: int = CHUNK_SIZE) -> Iterator[Row]:
        cells = self.cells
        for row in self.rows.iterator(chunk_size=chunk_size):
            yield cells(row)


@dataclass(frozen=True)
class Definition:
    """``params`` reads the list's filters from its query string (cleaned, JSON-ready);
    ``build(user=, params=)`` makes the rows of that user's scope."""

    params: Callable[[QueryDict], Params]
    build: Callable[..., ExportSpec]


@dataclass(frozen=True)
class Column:
    """One column of a list's file: its header, the ``values_list`` fields it is made of and
    how they become the cell (by default the one field's value as it is).

    ``choices``: the field holds a choice code and the cell shows its label. ``mask``: the
    column is personal data, masked as the pages mask it for a row outside the user's
    unmasked reach."""

    header: StrOrPromise
    fields: tuple[str, ...]
    show: Callable[..., Any] | None = None
    choices: Any = None
    mask: Callable[[str], str] | None = None


@dataclass(frozen=True)
class ListExport:
    """The file of a list served by a FilterSet, declared once for its page, its file, its
    job and its API endpoint.

    ``queryset(user)`` is the list's rows as ``access`` scopes them, in the list's order;
    ``filterset`` narrows them with the query's filters. Masked columns are shown in full for
    the rows whose ``unit_field`` lies in the user's unmasked reach, as on the pages. Formulas
    are neutralised by the writers, for every column of every list.
    """

    stem: str | Callable[[Params], str]
    sheet: StrOrPromise
    filterset: type[FilterSet]
    queryset: Callable[[User], QuerySet[Any]]
    columns: tuple[Column, ...]
    unit_field: str = ""

    def params(self, query: QueryDict) -> Params:
        """The filters of ``query`` as the list reads them; a value the list refuses raises
        ``BadParameter`` (the list answers 400 to it, and so does its file)."""
        return strict_params(self.filterset, query)

    def build(self, *, user: User, params: Params) -> ExportSpec:
        rows = filtered(self.filterset, params, self.queryset(user))
        fields = [name for column in self.columns for name in column.fields]
        full_ids: set[int] | None = None  # None: every row in full
        if any(column.mask for column in self.columns):
            ids = user_scope(user).unit_ids("unmasked_paths")
            full_ids = None if ids is None else set(ids)
            fields.append(self.unit_field)
        # Resolved once per file, in the language of the request or of the job.
        plan = [
            (column, len(column.fields), labels(column.choices) if column.choices else None)
            for column in self.columns
        ]

        def cells(row: Row) -> Row:
            full = full_ids is None or row[-1] in full_ids
            out: list[Any] = []
            start = 0
            for column, width, labels in plan:
                values = row[start : start + width]
                start += width
                value = column.show(*values) if column.show else values[0]
                if labels is not None:
                    value = labels.get(value, "")
                if column.mask and not full:
                    value = column.mask(value or "")
                out.append(value)
            return tuple(out)

        return ExportSpec(
            stem=self.stem(params) if callable(self.stem) else self.stem,
            sheet=str(self.sheet),
            headers=tuple(str(column.header) for column in self.columns),
            rows=rows.values_list(*fields),
            cells=cells,
        )


def full_name(family: str, middle: str, given: str) -> str:
    return " ".join(p for p in (family, middle, given) if p)


def labels(choices: Any) -> dict[str, str]:
    """Code → label in the active language, resolved once per export rather than per row."""
    return {str(code): str(label) for code, label in choices}


def strict_params(filterset_class: type[FilterSet], query: QueryDict) -> Params:
    """The filters the list applies, as written in ``query``; a value the list refuses raises
    ``BadParameter``, as the list does."""
    filterset = filterset_class(query, queryset=filterset_class._meta.model.objects.none())
    if not filterset.is_valid():
        raise BadParameter(filterset.error_message())
    return dict(filterset.params())


def filtered(
    filterset_class: type[FilterSet], params: Params, queryset: QuerySet[Any]
) -> QuerySet[Any]:
    """``queryset`` narrowed by the stored ``params``; filters stored before a rule changed and
    now refused fail the export with the list's message."""
    filterset = filterset_class.from_params(params, queryset=queryset)
    if not filterset.is_valid():
        raise ExportError(filterset.error_message())
    return filterset.qs
