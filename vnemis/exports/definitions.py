"""What each exportable list holds: its columns, and its rows as plain tuples.

One definition per list serves both ways out: a short list answered in the request and a long
one written by the worker (``services``). A definition starts from the list's own scoped
queryset (``access``) and its own FilterSet, so the file holds exactly the rows the list
shows its user. It reads ``values_list`` tuples rather than model objects (a province's
280.000 students would otherwise build over a million objects) and maps each tuple to the
cells: choice codes become their labels, dates stay dates.

The worker builds the definition again from the stored filters and the user's scope as it is
when the job runs: a user who lost access since receives fewer rows, or none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vnemis.accounts.models import User
from vnemis.core.sorting import natural_order
from vnemis.exports.choices import ExportKind
from vnemis.indicators import access as indicator_access
from vnemis.indicators import drill
from vnemis.indicators.models import Indicator
from vnemis.indicators.periods import parse_period
from vnemis.organisations import access as org_access
from vnemis.organisations.choices import GroupSetCode, Ownership
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people import access as people_access
from vnemis.people.choices import Ethnicity, Qualification, Sex, StaffPosition
from vnemis.people.filtersets import EnrollmentFilterSet, StaffFilterSet

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


def _full_name(family: str, middle: str, given: str) -> str:
    return " ".join(p for p in (family, middle, given) if p)


def _labels(choices: Any) -> dict[str, str]:
    """Code → label in the active language, resolved once per export rather than per row."""
    return {str(code): str(label) for code, label in choices}


def _filter_params(filterset_class: type[django_filters.FilterSet], query: QueryDict) -> Params:
    """The filters the list applies: those its form accepts, as text (the list ignores an
    invalid one, and so does the export)."""
    form = filterset_class(query, queryset=filterset_class._meta.model.objects.none()).form
    form.is_valid()
    return {k: str(v) for k, v in form.cleaned_data.items() if v is not None and v != ""}


def _filters(filterset_class: type[django_filters.FilterSet], params: Params) -> QueryDict:
    query = QueryDict(mutable=True)
    for name in filterset_class.base_filters:
        if params.get(name) not in (None, ""):
            query[name] = str(params[name])
    return query


# Students: one row per active enrolment of the school year, as on the student list.


def _student_params(query: QueryDict) -> Params:
    year = SchoolYear.current()
    return {**_filter_params(EnrollmentFilterSet, query), "year": year.pk if year else None}


def _students(*, user: User, params: Params) -> ExportSpec:
    enrollments = (
        people_access.enrollments_for_user(user=user)
        .active()
        .filter(school_year_id=params.get("year"))
        .order_by(
            "school__code",
            "grade",
            *natural_order("school_class__name"),
            "student__person__given_name",
            "student__person__family_name",
            "student__code",
        )
    )
    rows = EnrollmentFilterSet(
        _filters(EnrollmentFilterSet, params), queryset=enrollments
    ).qs.values_list(
        "student__code",
        "student__person__family_name",
        "student__person__middle_name",
        "student__person__given_name",
        "student__person__birth_date",
        "student__person__sex",
        "student__person__ethnicity",
        "school__code",
        "school__name",
        "grade",
        "school_class__name",
    )
    sexes, ethnicities = _labels(Sex.choices), _labels(Ethnicity.choices)

    def cells(row: Row) -> Row:
        code, family, middle, given, birth, sex, ethnicity, school_code, school, grade, klass = row
        return (
            code,
            family,
            middle,
            given,
            birth,
            sexes.get(sex, ""),
            ethnicities.get(ethnicity, ""),
            school_code,
            school,
            grade,
            klass or "",
        )

    return ExportSpec(
        stem="hoc-sinh",
        sheet=_("Students"),
        headers=(
            _("Student code"),
            _("Family name"),
            _("Middle name"),
            _("Given name"),
            _("Date of birth"),
            _("Sex"),
            _("Ethnicity"),
            _("School code"),
            _("School"),
            pgettext("grade level", "Grade"),
            _("Class"),
        ),
        rows=rows,
        cells=cells,
    )


# Staff: active staff members, as on the staff list.


def _staff_params(query: QueryDict) -> Params:
    return _filter_params(StaffFilterSet, query)


def _staff(*, user: User, params: Params) -> ExportSpec:
    staff = (
        people_access.staff_for_user(user=user)
        .filter(is_active=True)
        .order_by("org_unit__code", "code")
    )
    rows = StaffFilterSet(_filters(StaffFilterSet, params), queryset=staff).qs.values_list(
        "code",
        "person__family_name",
        "person__middle_name",
        "person__given_name",
        "person__birth_date",
        "person__sex",
        "position",
        "job_title",
        "qualification",
        "subject",
        "org_unit__code",
        "org_unit__name",
    )
    sexes, positions = _labels(Sex.choices), _labels(StaffPosition.choices)
    qualifications = _labels(Qualification.choices)

    def cells(row: Row) -> Row:
        code, family, middle, given, birth, sex, position, title, qual, subject, ucode, unit = row
        return (
            code,
            _full_name(family, middle, given),
            birth,
            sexes.get(sex, ""),
            positions.get(position, ""),
            title,
            qualifications.get(qual, ""),
            subject,
            ucode,
            unit,
        )

    return ExportSpec(
        stem="can-bo",
        sheet=_("Staff"),
        headers=(
            _("Staff code"),
            _("Full name"),
            _("Date of birth"),
            _("Sex"),
            _("Position"),
            _("Job title"),
            _("Qualification"),
            _("Main subject"),
            _("Unit code"),
            _("Unit"),
        ),
        rows=rows,
        cells=cells,
    )


# Schools: the school list's search and level filter.


def _school_params(query: QueryDict) -> Params:
    # The list reads the same two values (parse_text_param: stripped, at most 200 and 8).
    q, level = (query.get("q") or "").strip()[:200], (query.get("level") or "").strip()[:8]
    return {k: v for k, v in (("q", q), ("level", level)) if v}


def _schools(*, user: User, params: Params) -> ExportSpec:
    schools = org_access.schools_for_user(user=user).search(str(params.get("q", "")))
    if params.get("level"):
        schools = schools.in_group(GroupSetCode.LEVEL.value, str(params["level"]))
    schools = schools.order_by("code")
    rows = schools.values_list("pk", "code", "name", "ownership", "address")
    ownerships = _labels(Ownership.choices)
    levels: dict[int, list[str]] = {}
    loaded = False

    def cells(row: Row) -> Row:
        nonlocal loaded
        if not loaded:  # one query for every school's levels, on the first row
            pairs = OrgUnit.groups.through.objects.filter(
                orgunit_id__in=schools.values("pk"),
                orgunitgroup__group_set__code=GroupSetCode.LEVEL.value,
            ).values_list("orgunit_id", "orgunitgroup__code")
            for unit_id, code in pairs:
                levels.setdefault(unit_id, []).append(code)
            loaded = True
        pk, code, name, ownership, address = row
        return (
            code,
            name,
            ", ".join(sorted(levels.get(pk, []))),
            ownerships.get(ownership, ""),
            address,
        )

    return ExportSpec(
        stem="truong-hoc",
        sheet=_("Schools"),
        headers=(_("School code"), _("Name"), _("Levels"), _("Ownership"), _("Address")),
        rows=rows,
        cells=cells,
    )


# Records behind a figure (indicator drill-through).


def _record_params(query: QueryDict) -> Params:
    return {
        "org": (query.get("org") or "").strip()[:32],
        "indicator": (query.get("indicator") or "").strip()[:64],
        "period": (query.get("period") or "").strip()[:16],
        "complement": query.get("complement") == "1",
    }


def _records(*, user: User, params: Params) -> ExportSpec:
    indicator = (
        Indicator.objects.select_related("numerator", "denominator")
        .filter(code=params.get("indicator", ""))
        .first()
    )
    if indicator is None:
        raise ExportError(_("This figure no longer exists."))
    try:
        period = parse_period(str(params.get("period", "")))
    except ValueError as exc:
        raise ExportError(_("The period of this export cannot be read.")) from exc
    # The unit is looked for within the user's scope: one that left it gives no rows.
    unit = (
        indicator_access.indicator_units_for_user(user=user)
        .filter(code=params.get("org", ""))
        .first()
    )
    complement = bool(params.get("complement")) and indicator.denominator_id is not None
    stem = f"{indicator.code}-{params.get('org', '')}-{period.code}"
    sheet = period.label
    if unit is None:
        return ExportSpec(
            stem=stem,
            sheet=sheet,
            headers=(_("Code"), _("Name"), _("Address")),
            rows=OrgUnit.objects.none().values_list("code", "name", "address"),
            cells=tuple,
        )
    try:
        listing = drill.records(
            element_code=indicator.numerator.code,
            unit=unit,
            period=period,
            category=indicator.numerator_category,
            complement_of=indicator.denominator.code
            if complement and indicator.denominator
            else None,
        )
    except drill.NotDrillable as exc:
        raise ExportError(_("This figure has no list of records behind it.")) from exc
    if listing.kind in {"schools", "sites"}:
        return ExportSpec(
            stem=stem,
            sheet=sheet,
            headers=(_("Code"), _("Name"), _("Address")),
            rows=listing.rows.values_list("code", "name", "address"),
            cells=tuple,
        )
    if listing.kind == "students":
        return ExportSpec(
            stem=stem,
            sheet=sheet,
            headers=(
                _("Student code"),
                _("Full name"),
                _("School code"),
                _("School"),
                _("Class"),
            ),
            rows=listing.rows.values_list(
                "student__code",
                "student__person__family_name",
                "student__person__middle_name",
                "student__person__given_name",
                "school__code",
                "school__name",
                "school_class__name",
            ),
            cells=lambda r: (r[0], _full_name(r[1], r[2], r[3]), r[4], r[5], r[6] or ""),
        )
    positions = _labels(StaffPosition.choices)
    return ExportSpec(
        stem=stem,
        sheet=sheet,
        headers=(_("Staff code"), _("Full name"), _("Position"), _("Unit")),
        rows=listing.rows.values_list(
            "code",
            "person__family_name",
            "person__middle_name",
            "person__given_name",
            "position",
            "org_unit__name",
        ),
        cells=lambda r: (r[0], _full_name(r[1], r[2], r[3]), positions.get(r[4], ""), r[5]),
    )


DEFINITIONS: Mapping[str, Definition] = {
    ExportKind.STUDENTS: Definition(params=_student_params, build=_students),
    ExportKind.STAFF: Definition(params=_staff_params, build=_staff),
    ExportKind.SCHOOLS: Definition(params=_school_params, build=_schools),
    ExportKind.RECORDS: Definition(params=_record_params, build=_records),
}


def export_spec(kind: str, *, user: User, params: Params) -> ExportSpec:
    """The rows of list ``kind`` that ``user`` may see now, filtered by ``params``."""
    definition = DEFINITIONS.get(kind)
    if definition is None:
        raise ExportError(_("This list cannot be exported."))
    return definition.build(user=user, params=params)
