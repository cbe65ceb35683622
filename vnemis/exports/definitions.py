"""What each exportable list holds: its columns, and its rows as plain tuples.

One definition per list serves both ways out: a short list answered in the request and a long
one written by the worker (``services``). A definition starts from the list's own scoped
queryset (``access``) and its own FilterSet, so the file holds exactly the rows the list
shows its user. It reads ``values_list`` tuples rather than model objects (a province's
280.000 students would otherwise build over a million objects) and maps each tuple to the
cells: choice codes become their labels, dates stay dates.

The worker builds the definition again from the stored filters and the user's scope as it is
when the job runs: a user who lost access since receives fewer rows, or none.

The listed models are declared as ``ListExport``s (columns, masked columns, FilterSet, scoped
queryset): their page, file, job and API endpoint read the same declaration. The student list
(tied to the current school year), the school list (levels gathered per school) and the
records behind a figure are written as functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from vnemis.accounts.models import User
from vnemis.core.masking import mask_phone
from vnemis.core.sorting import natural_order
from vnemis.exports.choices import ExportKind
from vnemis.exports.spec import (
    Column,
    Definition,
    ExportError,
    ExportSpec,
    ListExport,
    Params,
    Row,
    filtered,
    full_name,
    labels,
    strict_params,
)
from vnemis.imports import access as import_access
from vnemis.imports.choices import ImportKind, JobStatus
from vnemis.imports.filtersets import ImportJobFilterSet
from vnemis.indicators import access as indicator_access
from vnemis.indicators import drill
from vnemis.indicators.filtersets import IndicatorValueFilterSet
from vnemis.indicators.models import Indicator
from vnemis.indicators.periods import parse_period
from vnemis.organisations import access as org_access
from vnemis.organisations.choices import GroupSetCode, OrgUnitKind, Ownership, SchoolLevel
from vnemis.organisations.filtersets import OrgUnitFilterSet, SchoolFilterSet, SiteFilterSet
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people import access as people_access
from vnemis.people.choices import Ethnicity, Qualification, Sex, StaffPosition
from vnemis.people.filtersets import EnrollmentFilterSet, SchoolClassFilterSet, StaffFilterSet
from vnemis.plans import access as plan_access
from vnemis.plans.choices import TaskStatus
from vnemis.plans.filtersets import STATUS_NOW, PlanTaskFilterSet, task_status_on
from vnemis.plans.models import TaskUpdate

_NAME_FIELDS = ("person__family_name", "person__middle_name", "person__given_name")


# Students: one row per active enrolment of the school year, as on the student list.


def _student_params(query: QueryDict) -> Params:
    year = SchoolYear.current()
    return {**strict_params(EnrollmentFilterSet, query), "year": year.pk if year else None}


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
    rows = filtered(EnrollmentFilterSet, params, enrollments).values_list(
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
    sexes, ethnicities = labels(Sex.choices), labels(Ethnicity.choices)

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


# Schools: the school list, with each school's levels.


def _schools(*, user: User, params: Params) -> ExportSpec:
    schools = filtered(SchoolFilterSet, params, org_access.schools_for_user(user=user))
    schools = schools.order_by("code")
    rows = schools.values_list("pk", "code", "name", "ownership", "address")
    ownerships = labels(Ownership.choices)
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


# The lists declared once (ListExport): the file, the job and the API read the same columns.


def _plan_task_stem(params: Params) -> str:
    programme = str(params.get("programme", ""))
    return f"nhiem-vu-{programme}" if programme else "nhiem-vu"


def _overdue_today(deadline: dt.date | None, status: str) -> str:
    # As on the task list: past its deadline and not done; on the deadline it is still due.
    overdue = deadline is not None and deadline < timezone.localdate()
    return _("Overdue") if overdue and status != TaskStatus.DONE else ""


def _plan_tasks(user: User) -> QuerySet[Any]:
    """Tasks with their status today and their latest update on or before today."""
    today = timezone.localdate()
    latest = TaskUpdate.objects.filter(task=OuterRef("pk"), on__lte=today).order_by("-on", "-id")
    tasks = task_status_on(plan_access.tasks_for_user(user=user), today)
    return tasks.annotate(
        last_on=Subquery(latest.values("on")[:1]), last_note=Subquery(latest.values("note")[:1])
    ).order_by("programme__issued_on", "programme__code", "number")


def _homeroom_teacher(family: str | None, middle: str | None, given: str | None) -> str:
    return full_name(family or "", middle or "", given or "")


STAFF = ListExport(
    stem="can-bo",
    sheet=gettext_lazy("Staff"),
    filterset=StaffFilterSet,
    queryset=lambda user: (
        people_access.staff_for_user(user=user)
        .filter(is_active=True)
        .order_by("org_unit__code", "code")
    ),
    columns=(
        Column(gettext_lazy("Staff code"), ("code",)),
        Column(gettext_lazy("Full name"), _NAME_FIELDS, show=full_name),
        Column(gettext_lazy("Date of birth"), ("person__birth_date",)),
        Column(gettext_lazy("Sex"), ("person__sex",), choices=Sex.choices),
        Column(gettext_lazy("Position"), ("position",), choices=StaffPosition.choices),
        Column(gettext_lazy("Job title"), ("job_title",)),
        Column(gettext_lazy("Qualification"), ("qualification",), choices=Qualification.choices),
        Column(gettext_lazy("Main subject"), ("subject",)),
        Column(gettext_lazy("Unit code"), ("org_unit__code",)),
        Column(gettext_lazy("Unit"), ("org_unit__name",)),
        # Masked as on the staff member's page, outside the subtrees of the administrators
        # and principals (``personal_data_visible``).
        Column(gettext_lazy("Phone"), ("person__phone",), mask=mask_phone),
    ),
    unit_field="org_unit_id",
)

ORG_UNITS = ListExport(
    stem="don-vi",
    sheet=gettext_lazy("Organisation units"),
    filterset=OrgUnitFilterSet,
    queryset=lambda user: org_access.orgunits_for_user(user=user).order_by("kind", "code"),
    columns=(
        Column(gettext_lazy("Code"), ("code",)),
        Column(gettext_lazy("Name"), ("name",)),
        Column(gettext_lazy("Kind"), ("kind",), choices=OrgUnitKind.choices),
        Column(gettext_lazy("MOET code"), ("moet_code",)),
        Column(gettext_lazy("Ownership"), ("ownership",), choices=Ownership.choices),
        Column(gettext_lazy("Address"), ("address",)),
    ),
)

SITES = ListExport(
    stem="diem-truong",
    sheet=gettext_lazy("School sites"),
    filterset=SiteFilterSet,
    queryset=lambda user: org_access.sites_for_user(user=user).order_by("school__code", "code"),
    columns=(
        Column(gettext_lazy("Code"), ("code",)),
        Column(gettext_lazy("Name"), ("name",)),
        Column(gettext_lazy("School code"), ("school__code",)),
        Column(gettext_lazy("School"), ("school__name",)),
        Column(gettext_lazy("Address"), ("address",)),
    ),
)

CLASSES = ListExport(
    stem="lop-hoc",
    sheet=gettext_lazy("Classes"),
    filterset=SchoolClassFilterSet,
    queryset=lambda user: people_access.classes_for_user(user=user).order_by(
        "school__code", "-school_year__starts_on", "grade", *natural_order("name")
    ),
    columns=(
        Column(gettext_lazy("School code"), ("school__code",)),
        Column(gettext_lazy("School"), ("school__name",)),
        Column(gettext_lazy("School year"), ("school_year__code",)),
        Column(gettext_lazy("Level"), ("level",), choices=SchoolLevel.choices),
        Column(pgettext_lazy("grade level", "Grade"), ("grade",)),
        Column(gettext_lazy("Class"), ("name",)),
        Column(
            gettext_lazy("Homeroom teacher"),
            tuple(f"homeroom_teacher__{name}" for name in _NAME_FIELDS),
            show=_homeroom_teacher,
        ),
    ),
)

INDICATOR_VALUES = ListExport(
    stem="gia-tri-chi-so",
    sheet=gettext_lazy("Indicator values"),
    filterset=IndicatorValueFilterSet,
    # The analytics table's rows of the units whose figures the user may see.
    queryset=lambda user: indicator_access.element_values_for_user(user=user).order_by(
        "unit__code", "period", "element__code", "category"
    ),
    columns=(
        Column(gettext_lazy("Unit code"), ("unit__code",)),
        Column(gettext_lazy("Unit"), ("unit__name",)),
        Column(gettext_lazy("Period"), ("period",)),
        Column(gettext_lazy("Data element code"), ("element__code",)),
        Column(gettext_lazy("Data element"), ("element__name",)),
        Column(gettext_lazy("Category"), ("category",)),
        Column(gettext_lazy("Value"), ("value",)),
        Column(gettext_lazy("Own records"), ("own",)),
    ),
)

PLAN_TASKS = ListExport(
    stem=_plan_task_stem,
    sheet=gettext_lazy("Plan tasks"),
    filterset=PlanTaskFilterSet,
    queryset=_plan_tasks,
    columns=(
        Column(gettext_lazy("No."), ("number",)),
        Column(gettext_lazy("Task"), ("title",)),
        Column(gettext_lazy("Owner unit"), ("owner__name",)),
        Column(gettext_lazy("Deadline"), ("deadline",)),
        Column(gettext_lazy("Status"), (STATUS_NOW,), choices=TaskStatus.choices),
        Column(gettext_lazy("Latest update"), ("last_on",)),
        Column(gettext_lazy("Progress note"), ("last_note",), show=lambda note: note or ""),
        Column(gettext_lazy("Overdue"), ("deadline", STATUS_NOW), show=_overdue_today),
    ),
)

IMPORT_JOBS = ListExport(
    stem="nhap-du-lieu",
    sheet=gettext_lazy("Import jobs"),
    filterset=ImportJobFilterSet,
    queryset=lambda user: import_access.jobs_for_user(user=user).order_by("-created_at", "-id"),
    columns=(
        Column(gettext_lazy("No."), ("pk",)),
        Column(gettext_lazy("Kind"), ("kind",), choices=ImportKind.choices),
        Column(gettext_lazy("File"), ("source__original_name",)),
        Column(gettext_lazy("Unit"), ("scope_unit__name",), show=lambda name: name or ""),
        Column(gettext_lazy("Dry run"), ("dry_run",), show=lambda dry: _("Yes") if dry else ""),
        Column(gettext_lazy("Status"), ("status",), choices=JobStatus.choices),
        Column(gettext_lazy("Rows"), ("total",)),
        Column(gettext_lazy("Created"), ("created",)),
        Column(gettext_lazy("Updated"), ("updated",)),
        Column(gettext_lazy("Unchanged"), ("unchanged",)),
        Column(gettext_lazy("Rejected"), ("rejected",)),
        Column(gettext_lazy("Started at"), ("started_at",)),
        Column(gettext_lazy("Finished at"), ("finished_at",)),
    ),
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
            cells=lambda r: (r[0], full_name(r[1], r[2], r[3]), r[4], r[5], r[6] or ""),
        )
    positions = labels(StaffPosition.choices)
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
        cells=lambda r: (r[0], full_name(r[1], r[2], r[3]), positions.get(r[4], ""), r[5]),
    )


__all__ = ["DEFINITIONS", "ExportError", "ExportSpec", "Params", "Row", "export_spec"]

DEFINITIONS: Mapping[str, Definition | ListExport] = {
    ExportKind.STUDENTS: Definition(params=_student_params, build=_students),
    ExportKind.STAFF: STAFF,
    ExportKind.SCHOOLS: Definition(
        params=lambda query: strict_params(SchoolFilterSet, query), build=_schools
    ),
    ExportKind.RECORDS: Definition(params=_record_params, build=_records),
    ExportKind.ORG_UNITS: ORG_UNITS,
    ExportKind.SITES: SITES,
    ExportKind.CLASSES: CLASSES,
    ExportKind.INDICATOR_VALUES: INDICATOR_VALUES,
    ExportKind.PLAN_TASKS: PLAN_TASKS,
    ExportKind.IMPORT_JOBS: IMPORT_JOBS,
}


def export_spec(kind: str, *, user: User, params: Params) -> ExportSpec:
    """The rows of list ``kind`` that ``user`` may see now, filtered by ``params``."""
    definition = DEFINITIONS.get(kind)
    if definition is None:
        raise ExportError(_("This list cannot be exported."))
    return definition.build(user=user, params=params)
