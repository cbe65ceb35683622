"""The endpoints of /api/v1/: thin views over the same access functions, FilterSets and
services as the pages. A record outside the caller's scope answers 404, never 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vnemis.accounts.models import User
from vnemis.api import dhis2
from vnemis.api import serializers as api_serializers
from vnemis.api.authentication import request_token
from vnemis.api.choices import TokenScope
from vnemis.core import uploads
from vnemis.core.audit import audit_record
from vnemis.core.choices import AuditVerb
from vnemis.digital import access as digital_access
from vnemis.digital import services as digital_services
from vnemis.digital.models import DigitalProfile
from vnemis.imports import access as import_access
from vnemis.imports import services as import_services
from vnemis.imports.filtersets import ImportJobFilterSet
from vnemis.imports.models import ImportJob
from vnemis.indicators import access as indicator_access
from vnemis.indicators import selectors as indicator_selectors
from vnemis.indicators import services as indicator_services
from vnemis.indicators.choices import ElementKind
from vnemis.indicators.filtersets import IndicatorValueFilterSet
from vnemis.indicators.forms import PeriodField
from vnemis.indicators.models import DataElement, ElementValue, Indicator
from vnemis.indicators.periods import Period
from vnemis.learning import access as learning_access
from vnemis.learning import selectors as learning_selectors
from vnemis.learning.codes import code_normalise
from vnemis.learning.filtersets import TranscriptFilterSet, YearResultFilterSet
from vnemis.learning.models import Transcript, YearResult
from vnemis.organisations import access as org_access
from vnemis.organisations.filtersets import OrgUnitFilterSet, SchoolFilterSet, SiteFilterSet
from vnemis.organisations.models import OrgPlacement, OrgUnit, SchoolYear
from vnemis.organisations.scope import user_scope
from vnemis.people import access as people_access
from vnemis.people.filtersets import (
    EnrollmentFilterSet,
    SchoolClassFilterSet,
    StaffFilterSet,
    StudentFilterSet,
)
from vnemis.people.models import Enrollment, SchoolClass, Staff, Student
from vnemis.plans import access as plan_access
from vnemis.plans.filtersets import PlanTaskFilterSet
from vnemis.plans.models import PlanTask

LANGUAGES = ("vi", "en")


def api_language(request: HttpRequest) -> str:
    """The language of the API's messages: the language chosen on the site (its cookie),
    else the first of Accept-Language that vnemis speaks, else Vietnamese. Programs have no
    cookie and say what they read in Accept-Language."""
    chosen = request.COOKIES.get("django_language", "")
    if chosen in LANGUAGES:
        return chosen
    header = request.headers.get("Accept-Language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "vi"


def actor(request: Request) -> User:
    """The user a request acts as (the issuer of its token, or the signed-in person)."""
    user = request.user
    assert isinstance(user, User)  # HasTokenScope let only signed-in callers through
    return user


def token_note(request: Request) -> str:
    """The audit note of a request: which token made it (empty for a person's session)."""
    token = request_token(request)
    return f"API token {token.name} ({token.prefix})" if token else ""


class ApiMixin:
    """Messages in the caller's language (``api_language``) for everything the view answers,
    errors included."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with translation.override(api_language(request)):
            response: HttpResponseBase = super().dispatch(  # type: ignore[misc]
                request, *args, **kwargs
            )
            response["Content-Language"] = translation.get_language() or "vi"
            return response


class ReadViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet[Any]):
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = "[^/]+"


def _placements() -> Prefetch[Any]:
    return Prefetch("placements", queryset=OrgPlacement.objects.select_related("version", "parent"))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Org units in the caller's scope")),
    retrieve=extend_schema(
        summary=gettext_lazy("An org unit with its placement in each tree version")
    ),
)
class OrgUnitViewSet(ReadViewSet):
    queryset = OrgUnit.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_ORGS
    serializer_class = api_serializers.OrgUnitSerializer
    filterset_class = OrgUnitFilterSet
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[OrgUnit]:
        units = org_access.orgunits_for_user(user=self.request.user)
        return units.select_related("school").prefetch_related(_placements())


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Schools")),
    retrieve=extend_schema(summary=gettext_lazy("A school")),
)
class SchoolViewSet(OrgUnitViewSet):
    filterset_class = SchoolFilterSet

    def get_queryset(self) -> QuerySet[OrgUnit]:
        schools = org_access.schools_for_user(user=self.request.user)
        return schools.select_related("school").prefetch_related(_placements())


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("School sites")),
    retrieve=extend_schema(summary=gettext_lazy("A site")),
)
class SiteViewSet(OrgUnitViewSet):
    filterset_class = SiteFilterSet

    def get_queryset(self) -> QuerySet[OrgUnit]:
        sites = org_access.orgunits_for_user(user=self.request.user).sites()
        return sites.select_related("school").prefetch_related(_placements())


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Classes")),
    retrieve=extend_schema(summary=gettext_lazy("A class")),
)
class SchoolClassViewSet(ReadViewSet):
    queryset = SchoolClass.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_ORGS
    serializer_class = api_serializers.SchoolClassSerializer
    filterset_class = SchoolClassFilterSet

    def get_queryset(self) -> QuerySet[SchoolClass]:
        classes = people_access.classes_for_user(user=self.request.user)
        return classes.select_related("school", "site", "school_year", "homeroom_teacher")


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Students (the list page's columns)")),
    retrieve=extend_schema(
        summary=gettext_lazy("A student's full record, masked as on the page; the read is audited"),
        responses=api_serializers.StudentDetailSerializer,
    ),
)
class StudentViewSet(ReadViewSet):
    queryset = Student.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_PEOPLE
    serializer_class = api_serializers.StudentSerializer
    filterset_class = StudentFilterSet
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Student]:
        return people_access.students_for_user(user=self.request.user).select_related("person")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = actor(request)
        student = people_access.student_get_for_user(user=user, code=kwargs["code"])
        record = people_access.student_record_for_user(user=user, student=student)
        if user_scope(user).is_officer:
            # As on the page: an officer's read of a full personal record is logged.
            audit_record(
                actor=user, verb=AuditVerb.VIEWED, target=student, note=token_note(request)
            )
        # A token never sees personal data in full, whoever issued it.
        unmasked = record.unmasked and request_token(request) is None
        person = student.person
        guardians = []
        if record.contacts:
            links = student.guardian_links.select_related("guardian__person")
            guardians = [
                {
                    "relation": link.relation,
                    "full_name": link.guardian.person.full_name,
                    "is_primary": link.is_primary,
                    "personal": api_serializers.masked_person(
                        link.guardian.person, visible=unmasked
                    ),
                }
                for link in links
            ]
        enrollments = record.enrollments.select_related("student", "school", "school_year")
        data = {
            "code": student.code,
            "moet_code": student.moet_code,
            "full_name": person.full_name,
            "birth_date": person.birth_date,
            "sex": person.sex,
            "ethnicity": person.ethnicity,
            "personal": api_serializers.masked_person(
                person, visible=unmasked, contacts=record.contacts
            ),
            "unmasked": unmasked,
            "former": record.former,
            "enrollments": list(enrollments.order_by("-started_on", "-id")),
            "guardians": guardians,
        }
        return Response(api_serializers.StudentDetailSerializer(data).data)


def _token_units(request: Request, user: Any) -> QuerySet[OrgUnit] | None:
    """For a token, the units of its scope, to keep out what the issuer sees as himself (his
    own staff record, his own import jobs); None for a person's session."""
    if request_token(request) is None:
        return None
    return org_access.orgunits_for_user(user=user)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Staff (the list page's columns)")),
    retrieve=extend_schema(
        summary=gettext_lazy(
            "A staff member's full record, masked as on the page; the read is audited"
        ),
        responses=api_serializers.StaffDetailSerializer,
    ),
)
class StaffViewSet(ReadViewSet):
    queryset = Staff.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_PEOPLE
    serializer_class = api_serializers.StaffSerializer
    filterset_class = StaffFilterSet
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Staff]:
        user = self.request.user
        staff = people_access.staff_for_user(user=user).select_related("person", "org_unit")
        units = _token_units(self.request, user)
        return staff if units is None else staff.filter(org_unit__in=units.values("pk"))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = actor(request)
        staff = get_object_or_404(self.get_queryset(), code=kwargs["code"])
        visible = people_access.personal_data_visible(user=user, staff=staff)
        if user_scope(user).is_officer:
            audit_record(actor=user, verb=AuditVerb.VIEWED, target=staff, note=token_note(request))
        unmasked = visible and request_token(request) is None
        person = staff.person
        data = {
            "code": staff.code,
            "full_name": person.full_name,
            "birth_date": person.birth_date,
            "sex": person.sex,
            "ethnicity": person.ethnicity,
            "unit": staff.org_unit.code,
            "position": staff.position,
            "job_title": staff.job_title,
            "qualification": staff.qualification,
            "subject": staff.subject,
            "started_on": staff.started_on,
            "is_active": staff.is_active,
            "personal": api_serializers.masked_person(person, visible=unmasked),
            "unmasked": unmasked,
        }
        return Response(api_serializers.StaffDetailSerializer(data).data)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Enrolments")),
    retrieve=extend_schema(summary=gettext_lazy("An enrolment")),
)
class EnrollmentViewSet(ReadViewSet):
    queryset = Enrollment.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_PEOPLE
    serializer_class = api_serializers.EnrollmentSerializer
    filterset_class = EnrollmentFilterSet

    def get_queryset(self) -> QuerySet[Enrollment]:
        enrollments = people_access.enrollments_for_user(user=self.request.user)
        return enrollments.select_related("student", "school", "school_year")


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Figures of the analytics table, by unit, period and element")
    ),
    retrieve=extend_schema(summary=gettext_lazy("One figure")),
)
class ElementValueViewSet(ReadViewSet):
    queryset = ElementValue.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_INDICATORS
    serializer_class = api_serializers.ElementValueSerializer
    filterset_class = IndicatorValueFilterSet

    def get_queryset(self) -> QuerySet[ElementValue]:
        values = indicator_access.element_values_for_user(user=self.request.user)
        return values.select_related("unit", "element")


def _period(value: str | None, *, field: str = "period") -> Period:
    """A period from the query or body, or a 400 naming the field."""
    try:
        period = PeriodField(required=True).clean(value or "")
    except DjangoValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    assert isinstance(period, Period)
    return period


class IndicatorValuesView(ApiMixin, APIView):
    read_scope = TokenScope.READ_INDICATORS

    @extend_schema(
        summary=gettext_lazy("Indicator values of a unit in a period (all, or one indicator)"),
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.STR, required=True),
            OpenApiParameter("period", OpenApiTypes.STR, required=True),
            OpenApiParameter("indicator", OpenApiTypes.STR),
        ],
        responses=api_serializers.IndicatorValueSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        period = _period(request.query_params.get("period"))
        code = request.query_params.get("unit") or ""
        if not code:
            raise ValidationError({"unit": [_("Give the code of a unit.")]})
        unit = indicator_access.indicator_unit_get_for_user(user=request.user, code=code[:32])
        chosen = None
        wanted = request.query_params.get("indicator")
        if wanted:
            indicator = Indicator.objects.select_related("numerator", "denominator").filter(
                code=wanted[:64]
            )
            chosen = list(indicator)
            if not chosen:
                raise ValidationError({"indicator": [_("No indicator has this code.")]})
        values = indicator_selectors.indicator_values(unit=unit, period=period, indicators=chosen)
        rows = [
            {
                "unit": unit.code,
                "period": period.code,
                "indicator": v.indicator.code,
                "name": v.indicator.name,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "value": v.value,
                "measure": v.indicator.unit,
                "target": v.target,
            }
            for v in values
        ]
        return Response(api_serializers.IndicatorValueSerializer(rows, many=True).data)


class ReportedValueView(ApiMixin, APIView):
    write_scope = TokenScope.WRITE_INDICATORS

    @extend_schema(
        summary=gettext_lazy("Enter a reported value for a unit and period"),
        request=api_serializers.ReportedValueEntrySerializer,
        responses={201: api_serializers.ReportedValueSerializer},
    )
    def post(self, request: Request) -> Response:
        entry = api_serializers.ReportedValueEntrySerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        period = _period(data["period"])
        unit = indicator_access.indicator_unit_get_for_user(
            user=request.user, code=data["unit"], write=True
        )
        element = DataElement.objects.filter(code=data["element"]).first()
        if element is None or element.kind != ElementKind.REPORTED:
            raise ValidationError(
                {"element": [_("No data element entered by hand has this code.")]}
            )
        user = actor(request)
        row = indicator_services.reported_value_set(
            element=element,
            period=period,
            unit=unit,
            value=data["value"],
            by=user,
            note=data.get("note", ""),
        )
        _audit_token_write(request, row)
        out = {
            "element": element.code,
            "period": period.code,
            "unit": unit.code,
            "value": row.value,
            "note": row.note,
        }
        body = api_serializers.ReportedValueSerializer(out).data
        return Response(body, status=status.HTTP_201_CREATED)


def _audit_token_write(request: Request, target: Any) -> None:
    """A write made with a token is logged once more, naming the token, next to the
    service's own entry (which names the issuer)."""
    note = token_note(request)
    if note:
        audit_record(actor=request.user, verb=AuditVerb.UPDATED, target=target, note=note)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Digital-transformation profiles of schools and sites")
    ),
    retrieve=extend_schema(summary=gettext_lazy("A profile")),
    create=extend_schema(
        summary=gettext_lazy("Record a school's or site's facts from a date on"),
        request=api_serializers.DigitalProfileEntrySerializer,
        responses={201: api_serializers.DigitalProfileSerializer},
    ),
)
class DigitalProfileViewSet(ApiMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Any]):
    queryset = DigitalProfile.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_ORGS
    write_scope = TokenScope.WRITE_DIGITAL
    serializer_class = api_serializers.DigitalProfileSerializer

    def get_queryset(self) -> QuerySet[Any]:
        profiles = digital_access.profiles_for_user(user=self.request.user)
        return profiles.select_related("unit")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = api_serializers.DigitalProfileEntrySerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        facts = dict(entry.validated_data)
        unit = digital_access.profile_unit_get_for_user(
            user=request.user, code=facts.pop("unit"), write=True
        )
        profile = digital_services.digital_profile_record(
            unit=unit,
            valid_from=facts.pop("valid_from"),
            by=actor(request),
            note=facts.pop("note", ""),
            **facts,
        )
        _audit_token_write(request, profile)
        body = api_serializers.DigitalProfileSerializer(profile).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Plan tasks")),
    retrieve=extend_schema(summary=gettext_lazy("A plan task")),
)
class PlanTaskViewSet(ReadViewSet):
    queryset = PlanTask.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_PLANS
    serializer_class = api_serializers.PlanTaskSerializer
    filterset_class = PlanTaskFilterSet

    def get_queryset(self) -> QuerySet[PlanTask]:
        tasks = plan_access.tasks_for_user(user=self.request.user)
        return tasks.select_related("programme", "owner")


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Import jobs")),
    retrieve=extend_schema(summary=gettext_lazy("An import job and its counts")),
    create=extend_schema(
        summary=gettext_lazy("Upload a file to import (a dry run unless `dry_run` is false)"),
        request={"multipart/form-data": api_serializers.ImportUploadSerializer},
        responses={201: api_serializers.ImportJobSerializer},
    ),
)
class ImportJobViewSet(ApiMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Any]):
    queryset = ImportJob.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_IMPORTS
    write_scope = TokenScope.WRITE_IMPORTS
    serializer_class = api_serializers.ImportJobSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ImportJobFilterSet

    def get_queryset(self) -> QuerySet[Any]:
        user = self.request.user
        jobs = import_access.jobs_for_user(user=user).select_related("source", "scope_unit")
        units = _token_units(self.request, user)
        return jobs if units is None else jobs.filter(scope_unit__in=units.values("pk"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        refused = uploads.upload_refusals(request._request)
        if refused:
            raise ValidationError({name: [message] for name, message in refused.items()})
        entry = api_serializers.ImportUploadSerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        user = actor(request)
        units = import_access.import_units_for_user(user=user)
        unit = units.filter(code=data["unit"]).first()
        if unit is None:
            raise Http404
        upload = data["file"]
        uploads.import_upload_check(upload)
        with uploads.upload_path(upload) as path, transaction.atomic():
            job = import_services.import_upload(
                path=path,
                name=upload.name,
                kind=data["kind"],
                into=unit,
                by=user,
                dry_run=data["dry_run"],
                partial=data["partial"],
            )
            _audit_token_write(request, job)
        job.refresh_from_db()
        body = api_serializers.ImportJobSerializer(job).data
        return Response(body, status=status.HTTP_201_CREATED)


class Dhis2Mixin(ApiMixin):
    read_scope = TokenScope.READ_INDICATORS

    def export(self, request: Request) -> dhis2.Export:
        params = request.query_params
        code = params.get("orgUnit") or ""
        if not code:
            raise ValidationError({"orgUnit": [_("Give the code of a unit.")]})
        try:
            period = dhis2.period_from_dhis2(params.get("period") or "")
        except ValueError as exc:
            raise ValidationError({"period": [str(exc)]}) from None
        _period(period.code)  # the same range of years as the pages
        unit = indicator_access.indicator_unit_get_for_user(user=request.user, code=code[:32])
        units = indicator_access.indicator_units_for_user(user=request.user)
        return dhis2.export_build(unit=unit, period=period, visible=units)


_DHIS2_PARAMETERS = [
    OpenApiParameter(
        "orgUnit",
        OpenApiTypes.STR,
        required=True,
        description=gettext_lazy("The code of the top unit."),
    ),
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        required=True,
        description=gettext_lazy(
            "DHIS2 period: `2022S1`, `2022Q3`, `2022` or `2021Sep` (a school year)."
        ),
    ),
]


class Dhis2DataValueSetView(Dhis2Mixin, APIView):
    @extend_schema(
        summary=gettext_lazy("DHIS2 dataValueSets (JSON) of a unit's subtree in a period"),
        parameters=_DHIS2_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        return Response(dhis2.data_value_set(self.export(request)))


class Dhis2AdxView(Dhis2Mixin, APIView):
    @extend_schema(
        summary=gettext_lazy("ADX (XML) of a unit's subtree in a period"),
        parameters=_DHIS2_PARAMETERS,
        responses={(200, "application/adx+xml"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> HttpResponse:
        body = dhis2.adx_xml(self.export(request))
        return HttpResponse(body, content_type="application/adx+xml; charset=utf-8")


# Learning results and transcripts: the same reads as the learning pages. A student's results
# go through ``learning.selectors.student_year``, the one place the publication rule is
# applied; the lists are scoped like the class pages (subtree, homeroom classes).


def _school_year(value: str | None) -> SchoolYear:
    """The school year named by ``?year=`` (its code, such as 2021-2022), or the current one
    when none is given; a 400 naming ``year`` for a code that names no year."""
    code = (value or "").strip()
    if not code:
        current = SchoolYear.current()
        if current is None:
            raise Http404
        return current
    year = SchoolYear.objects.filter(code=code).first() if len(code) <= 9 else None
    if year is None:
        raise ValidationError(
            {"year": [_("There is no school year {code}.").format(code=code[:9])]}
        )
    return year


class StudentResultsView(ApiMixin, APIView):
    read_scope = TokenScope.READ_LEARNING

    @extend_schema(
        summary=gettext_lazy(
            "A student's results of a school year: everything for the school's staff and the "
            "offices above it, only what has been released for his parents and himself"
        ),
        parameters=[
            OpenApiParameter(
                "year",
                OpenApiTypes.STR,
                description=gettext_lazy(
                    "The school year, such as 2021-2022; the current one when not given."
                ),
            )
        ],
        responses=api_serializers.StudentYearSerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        user = actor(request)
        # As on the student's results page: found among the students the caller may find,
        # then the caller's view of his results (404 for anyone else).
        student = people_access.student_get_for_user(user=user, code=code)
        view = learning_access.result_view_for_user(user=user, student=student)
        year = _school_year(request.query_params.get("year"))
        results = learning_selectors.student_year(
            student=student,
            school_year_id=year.pk,
            released_only=view.released_only,
            now=timezone.now(),
        )
        data = _student_year_data(student=student, year=year, view=view, results=results)
        return Response(api_serializers.StudentYearSerializer(data).data)


def _student_year_data(
    *,
    student: Student,
    year: SchoolYear,
    view: learning_access.ResultView,
    results: learning_selectors.StudentYear | None,
) -> dict[str, Any]:
    """The answer of ``students/{code}/results/``: what ``student_year`` gave, nothing more."""
    data: dict[str, Any] = {
        "student": student.code,
        "school_year": year.code,
        "school": None,
        "school_class": None,
        "class_name": None,
        "grade": None,
        "regime": None,
        "released_only": view.released_only,
        "hidden": 0,
        "subjects": [],
        "terms": [],
        "year_result": None,
    }
    if results is None:
        return data
    school_class = results.school_class
    if school_class is not None:
        data["school"] = school_class.school.code
        data["school_class"] = school_class.pk
        data["class_name"] = school_class.name
        data["grade"] = school_class.grade
    data["regime"] = results.regime
    data["hidden"] = results.hidden
    data["subjects"] = [
        {
            "subject": line.subject.code,
            "name": line.subject.name,
            "mode": line.subject.mode,
            "terms": [{"term": term, **values} for term, values in sorted(line.terms.items())],
            "year": line.year,
        }
        for line in results.lines
    ]
    data["terms"] = [{"term": term, **values} for term, values in sorted(results.reports.items())]
    data["year_result"] = results.year
    return data


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy(
            "Year results of the caller's schools and homeroom classes (learning, conduct, "
            "award, promotion)"
        )
    ),
)
class YearResultViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Any]):
    queryset = YearResult.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_LEARNING
    serializer_class = api_serializers.YearResultSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = YearResultFilterSet

    def get_queryset(self) -> QuerySet[YearResult]:
        results = learning_access.year_results_for_user(user=self.request.user)
        return results.select_related("student", "school_year", "school", "school_class")


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy(
            "Transcripts (records only): those of the caller's schools and homeroom classes; "
            "a family's issued transcripts"
        )
    ),
    retrieve=extend_schema(summary=gettext_lazy("A transcript's record, by its verification code")),
)
class TranscriptViewSet(ReadViewSet):
    queryset = Transcript.objects.none()  # the model, for the schema; rows: get_queryset
    read_scope = TokenScope.READ_LEARNING
    serializer_class = api_serializers.TranscriptSerializer
    filterset_class = TranscriptFilterSet
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Transcript]:
        transcripts = learning_access.transcripts_for_user(user=self.request.user)
        return transcripts.select_related("student", "school_year", "school")

    def get_object(self) -> Transcript:
        # A code as typed from paper (dashes, O for 0) finds the transcript, as on the
        # public verification page.
        code = code_normalise(str(self.kwargs["code"]))[:16]
        transcript: Transcript = get_object_or_404(self.get_queryset(), code=code)
        return transcript
