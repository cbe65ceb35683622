"""Every URL pattern of the project, and how to fill it with an object of school A or B.

The role × URL matrix and the parameter fuzz (``vnemis/testing/tests/``) walk
``project_routes()``, so a new page is found without anyone listing it. A page whose path (or
query) names an object is requested twice: with an object of school A (Bát Xát) and one of
school B (Bảo Thắng). How each parameter is filled is declared in ``FILL`` (by URL name or
namespace) and ``PARAM_OBJECTS`` (by parameter name); values are templates such as
``"{student}"``, filled with the objects of one side (``build_matrix_world``).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from vnemis.accounts import services as account_services
from vnemis.accounts.choices import Role
from vnemis.accounts.models import User
from vnemis.api import services as api_services
from vnemis.api.choices import TokenScope
from vnemis.digital import services as digital_services
from vnemis.exports import services as export_services
from vnemis.imports import services as import_services
from vnemis.indicators import services as indicator_services
from vnemis.indicators.models import DataElement
from vnemis.indicators.periods import parse_period
from vnemis.learning.models import Subject, YearResult
from vnemis.learning.services import catalogue as learning_catalogue
from vnemis.learning.services import credentials as learning_credentials
from vnemis.learning.services import locks as learning_locks
from vnemis.learning.services import transcripts as transcript_services
from vnemis.organisations import services as org_services
from vnemis.organisations.models import TreeVersion
from vnemis.people.models import Person, Staff
from vnemis.plans import services as plan_services
from vnemis.plans.choices import TaskStatus
from vnemis.reports import services as report_services
from vnemis.testing.world import PASSWORD, World

# The world's personas, and principal_b, added here: school B's principal must never see
# school A, as principal_a must never see school B.
PERSONAS: tuple[str | None, ...] = (
    None,  # the anonymous visitor
    "department_admin",
    "province_officer",
    "batxat_officer",
    "baothang_officer",
    "commune_officer",
    "principal_a",
    "principal_b",
    "teacher_a",
    "teacher_a2",
    "parent_a",
    "student_a",
    "nobody",
)
SIDES = ("a", "b")
_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern, with the routes of the includes above it joined in front."""

    key: str  # "people:student_detail"; an unnamed pattern: "admin:<its route>"
    route: str  # "students/<str:code>/"
    params: tuple[tuple[str, str], ...]  # (name, converter): ("code", "str"), ("pk", "int")
    namespace: str

    def path(self, values: Mapping[str, str]) -> str:
        """The URL path with each parameter replaced by ``values[name]`` (quoted)."""

        def fill(match: re.Match[str]) -> str:
            converter = match.groupdict().get("converter") or "str"
            return quote(str(values[match["name"]]), safe="/" if converter == "path" else "")

        # Regex groups first: "(?P<url>.*)" would otherwise read as the route parameter <url>.
        path = _REGEX_GROUP.sub(fill, self.route)
        path = _ROUTE_PARAM.sub(fill, path)
        return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, route, inner)
            continue
        assert isinstance(entry, URLPattern)
        if isinstance(entry.pattern, RoutePattern):
            params = tuple(
                (m["name"], m["converter"] or "str") for m in _ROUTE_PARAM.finditer(route)
            )
        else:
            params = tuple((m["name"], "regex") for m in _REGEX_GROUP.finditer(route))
        name = entry.name or route
        yield Route(
            key=f"{namespace}:{name}" if namespace else name,
            route=route,
            params=params,
            namespace=namespace,
        )


def project_routes() -> list[Route]:
    """Every URL pattern of ``ROOT_URLCONF``, includes followed."""
    return list(_walk(get_resolver(), "", ""))


@dataclass(frozen=True)
class Fill:
    """How a page is given its object: path parameters, query and POST body as templates."""

    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, str] = field(default_factory=dict)


# A path parameter not declared for its URL in FILL is filled by its name here.
PARAM_OBJECTS: dict[str, str] = {
    "code": "{school}",
    "kind": "students",
    "fmt": "docx",
    "criterion": "1.4",
    "object_id": "{person}",
    "content_type_id": "{person_type}",
    "id": "{user}",
    "app_label": "people",
    "url": "no-such-page/",
}

# Keyed by URL name, or by namespace ("reports:") for every URL of an app.
FILL: dict[str, Fill] = {
    "reports:": Fill(path={"pk": "{report}"}),
    "reports:report_start": Fill(data={"org": "{school}", "period": "2022H1"}),
    "imports:": Fill(path={"pk": "{job}"}),
    "people:student_detail": Fill(path={"code": "{student}"}),
    "people:student_transfer": Fill(path={"code": "{student}"}),
    "people:staff_detail": Fill(path={"code": "{staff}"}),
    "indicators:dashboard": Fill(query={"org": "{school}", "period": "2022H1"}),
    "indicators:records": Fill(
        query={"org": "{school}", "period": "2022H1", "indicator": "schools_in_database"}
    ),
    "indicators:reported": Fill(query={"org": "{school}", "period": "2022H1"}),
    "organisations:orgunit_tree": Fill(query={"unit": "{school}"}),
    "digital:self_assessment_step": Fill(data={"action": "approve"}),
    "exports:": Fill(path={"pk": "{export}"}),
    "plans:programme_detail": Fill(path={"pk": "{programme}"}),
    "plans:task_detail": Fill(path={"pk": "{plan_task}"}),
    "plans:task_update_evidence": Fill(path={"pk": "{task_update}"}),
    # The REST API: its objects by code or id, its figures by unit and period.
    "api:token_revoke": Fill(path={"pk": "{api_token}"}),
    "api:site-detail": Fill(path={"code": "{site}"}),
    "api:class-detail": Fill(path={"pk": "{class}"}),
    "api:student-detail": Fill(path={"code": "{student}"}),
    "api:staff-detail": Fill(path={"code": "{staff}"}),
    "api:enrollment-detail": Fill(path={"pk": "{enrollment}"}),
    "api:elementvalue-detail": Fill(path={"pk": "{element_value}"}),
    "api:digitalprofile-detail": Fill(path={"pk": "{profile}"}),
    "api:plantask-detail": Fill(path={"pk": "{plan_task}"}),
    "api:importjob-detail": Fill(path={"pk": "{job}"}),
    "api:indicator_values": Fill(query={"unit": "{school}", "period": "2022H1"}),
    "api:dhis2_data_value_sets": Fill(query={"orgUnit": "{school}", "period": "2022S1"}),
    "api:dhis2_adx": Fill(query={"orgUnit": "{school}", "period": "2022S1"}),
    # Learning results: a class of the side, Toán of its grade, term I.
    "learning:": Fill(path={"pk": "{class}", "subject_pk": "{subject}", "term": "1"}),
    "learning:term_lock": Fill(data={"term": "1"}),
    "learning:term_unlock": Fill(data={"term": "1", "reason": "Mở lại để nhập bù"}),
    "learning:release_set": Fill(data={"term": "1", "column": "summary", "now": "1"}),
    "learning:correction_decide": Fill(
        path={"pk": "{correction}"}, data={"approve": "0", "note": "Không có căn cứ"}
    ),
    "learning:student_results": Fill(path={"code": "{student}"}),
    # Học bạ số: the issued transcript of the side's pupil (signed on first download).
    "learning:transcript_detail": Fill(path={"pk": "{transcript}"}),
    "learning:transcript_advance": Fill(path={"pk": "{transcript}"}, data={"to": "issued"}),
    "learning:transcript_revoke": Fill(path={"pk": "{transcript}"}),
    "learning:transcript_download": Fill(path={"pk": "{transcript}"}),
    "learning:transcript_copy": Fill(path={"pk": "{transcript}"}),
    "learning:transcript_verify_code": Fill(path={"code": "{transcript_code}"}),
    "api:student_results": Fill(path={"code": "{student}"}),
    "api:transcript-detail": Fill(path={"code": "{transcript_code}"}),
    "imports:gradebook_import": Fill(
        path={"pk": "{class}", "subject_pk": "{subject}", "term": "1"}
    ),
}


def fill_for(route: Route) -> Fill:
    """The declared filling of ``route``: its own, else its namespace's, else none."""
    own = FILL.get(route.key)
    shared = FILL.get(route.namespace + ":") if route.namespace else None
    if own is None and shared is None:
        return Fill()
    return Fill(
        path={**(shared.path if shared else {}), **(own.path if own else {})},
        query={**(shared.query if shared else {}), **(own.query if own else {})},
        data={**(shared.data if shared else {}), **(own.data if own else {})},
    )


@dataclass(frozen=True)
class Probe:
    """A request to make: the path and query, and the body when posting."""

    url: str
    data: Mapping[str, str]
    per_side: bool  # the URL names an object, so it differs between school A and B
    path_values: Mapping[str, str] = field(default_factory=dict)


class UnfillableRoute(LookupError):
    """A path parameter that neither FILL nor PARAM_OBJECTS says how to fill."""


def probe_for(route: Route, values: Mapping[str, str]) -> Probe:
    """The request for ``route`` with the objects of one side (``build_matrix_world``)."""
    fill = fill_for(route)
    path_values: dict[str, str] = {}
    per_side = False
    for name, _converter in route.params:
        template = fill.path.get(name, PARAM_OBJECTS.get(name))
        if template is None:
            raise UnfillableRoute(
                f"{route.key}: say how to fill <{name}> in FILL or PARAM_OBJECTS "
                "(vnemis/testing/urlmatrix.py)"
            )
        per_side |= "{" in template
        path_values[name] = template.format(**values)
    query = {}
    for name, template in fill.query.items():
        per_side |= "{" in template
        query[name] = template.format(**values)
    data = {name: template.format(**values) for name, template in fill.data.items()}
    per_side |= any("{" in template for template in fill.data.values())
    url = route.path(path_values) + ("?" + urlencode(query) if query else "")
    return Probe(url=url, data=data, per_side=per_side, path_values=path_values)


@dataclass(frozen=True)
class PageForm:
    """A form found in a page: its method, action and fields with their initial values."""

    method: str
    action: str
    fields: Mapping[str, str]


_FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.DOTALL | re.IGNORECASE)
_FIELD = re.compile(r"<(?P<tag>input|select|textarea|button)\b(?P<attrs>[^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""(?P<name>[\w-]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""")


def _attrs(text: str) -> dict[str, str]:
    return {
        m["name"].lower(): html.unescape(m["dq"] if m["dq"] is not None else m["sq"] or "")
        for m in _ATTR.finditer(text)
    }


def page_forms(page: str) -> list[PageForm]:
    """The forms of an HTML page, each field with its value as sent unchanged (a select's
    first option; a textarea's value is left empty)."""
    forms = []
    for form in _FORM.finditer(page):
        attrs = _attrs(form["attrs"])
        fields: dict[str, str] = {}
        for match in _FIELD.finditer(form["body"]):
            field_attrs = _attrs(match["attrs"])
            name = field_attrs.get("name")
            if not name or name in fields:
                continue
            value = field_attrs.get("value", "")
            if match["tag"].lower() == "select":
                rest = form["body"][match.end() :]
                option = re.search(r"<option\b([^>]*)>", rest, re.IGNORECASE)
                value = _attrs(option[1]).get("value", "") if option else ""
            fields[name] = value
        forms.append(
            PageForm(
                method=attrs.get("method", "get").lower(),
                action=urlsplit(attrs.get("action", "")).path,
                fields=fields,
            )
        )
    return forms


# A file of one bad row: its dry run leaves an error report to download.
_BAD_STUDENTS = (
    "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số định danh cá nhân,Mã trường,Khối,Lớp\n"
    "Sùng A Dính,31/02/2013,Nam,H'Mông,,{school},3,3A\n"
)
# The smallest well-formed PDF: evidence files may be checked by content.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def add_principal_b(world: World) -> User:
    """School B's principal, as a persona of ``world`` (``world.users["principal_b"]``)."""
    user = account_services.user_create(
        username="principal_b", password=PASSWORD, by=None, check_password=False
    )
    account_services.role_assign(user=user, role=Role.PRINCIPAL, org_unit=world.school_b, by=None)
    world.users["principal_b"] = user
    return user


def build_matrix_world(world: World) -> dict[str, dict[str, str]]:
    """Add principal_b and, for each school, the objects its pages show (a report, an import
    job with an error report, a self-assessment with evidence); return each side's values.

    Files go to the current MEDIA_ROOT: call it under ``override_settings(MEDIA_ROOT=...)``.
    """
    add_principal_b(world)
    person_type = ContentType.objects.get_for_model(Person)
    day = dt.date(2021, 10, 1)
    values: dict[str, dict[str, str]] = {}
    sides = {
        "a": (world.school_a, world.batxat, world.student_a1, world.teacher_a, "principal_a"),
        "b": (
            world.school_b,
            world.baothang,
            world.student_b,
            Staff.objects.get(org_unit=world.school_b),
            "principal_b",
        ),
    }
    # School B gets a site too, so that each side has one for the API's site pages.
    site_b = org_services.orgunit_create(
        kind="site",
        code=world.school_b.code + "-01",
        name="Điểm trường Phố Lu",
        school=world.school_b,
        by=None,
    )
    org_services.orgunit_place(
        unit=site_b, version=TreeVersion.objects.get(code="2022"), parent=world.school_b, by=None
    )
    sites = {"a": world.site_a, "b": site_b}
    classes = {"a": world.class_a1, "b": world.class_b1}
    learning_catalogue.catalogue_sync(by=None)
    reported = DataElement.objects.filter(kind="reported").order_by("code").first()
    assert reported is not None  # shipped by the indicators' data migration
    for side, (school, office, student, staff, principal) in sides.items():
        report = report_services.report_draft_get_or_create(
            unit=school, period_code="2022H1", by=None
        )
        folder = Path(tempfile.mkdtemp(prefix="vnemis-matrix-"))
        upload = folder / "hoc-sinh.csv"
        upload.write_text(_BAD_STUDENTS.format(school=school.code), encoding="utf-8")
        source = import_services.import_file_store(path=upload, name=upload.name, by=None)
        job = import_services.import_job_create(
            source=source, kind="students", by=None, dry_run=True, scope_unit=school
        )
        job = import_services.import_job_run(job=job, by=None, day=day)
        assessment = digital_services.self_assessment_prepare(
            school=school, school_year=world.year, day=day, by=None
        )
        digital_services.criterion_score_set(
            score=assessment.scores.get(criterion__code=PARAM_OBJECTS["criterion"]),
            by=None,
            points=5,
            evidence=SimpleUploadedFile("ke-hoach.pdf", _PDF, content_type="application/pdf"),
        )
        # A programme whose only task is this school's, with an update carrying evidence.
        programme = plan_services.programme_create(
            code=f"kh-matrix-{side}",
            document_number=f"{side}/KH-UBND",
            issued_on=dt.date(2022, 1, 30),
            issued_by="UBND tỉnh Lào Cai",
            title="Kế hoạch chuyển đổi số năm 2022",
            by=None,
        )
        plan_task = plan_services.plan_task_create(
            programme=programme,
            title="Kết nối Internet cho trường học",
            owner=school,
            deadline=dt.date(2022, 12, 31),
            by=None,
        )
        task_update = plan_services.task_update_record(
            task=plan_task,
            on=day,
            status=TaskStatus.IN_PROGRESS,
            by=None,
            note="Đang lắp đặt",
            evidence=SimpleUploadedFile("bien-ban.pdf", _PDF, content_type="application/pdf"),
        )
        # An export of the school's students by its principal, run to its file.
        export_job = export_services.export_job_run(
            job=export_services.export_job_create(
                kind="students",
                params={"year": world.year.pk},
                fmt="csv",
                by=world.users[principal],
            )
        )
        figure = indicator_services.reported_value_set(
            element=reported, period=parse_period("2022H1"), unit=school, value=Decimal(80), by=None
        )
        element_value = figure.element.values.get(unit=school, period="2022H1", category="")
        profile = digital_services.digital_profile_record(
            unit=school, valid_from=day, by=None, internet="wired"
        )
        api_token, _secret = api_services.api_token_create(
            name="matrix " + side,
            unit=office,
            scopes=[TokenScope.READ_ORGS],
            expires_at=timezone.now() + dt.timedelta(days=30),
            by=world.users["department_admin"],
        )
        # Learning: teacher_a teaches Toán to 3A (school B's Toán goes to its teacher, who
        # has no account); term II is locked with a correction request waiting.
        toan = Subject.objects.get(regime="tt30", grade=3, code="toan")
        learning_catalogue.assignment_set(
            school_class=classes[side], subject=toan, teacher=staff, by=None
        )
        learning_locks.term_lock(school=school, school_year=world.year, term=2, by=None)
        correction = learning_locks.correction_request_mark(
            school_class=classes[side],
            subject_id=toan.pk,
            term=2,
            student_id=student.pk,
            cells={"final": "9"},
            reason="Nhầm điểm",
            by=None,
        )
        # Học bạ số: the pupil's year result and his transcript recorded as issued, signed
        # on first use with the demo CA (the matrix test sets TRANSCRIPT_CA_DIR).
        learning_credentials.demo_ca_ensure()
        YearResult.objects.create(
            student=student,
            school_year=world.year,
            school=school,
            school_class=classes[side],
            grade=3,
            regime="tt30",
            learning="ht",
            promotion="len_lop",
            outcome={},
            recorded_on=dt.date(2022, 5, 25),
        )
        transcript = transcript_services.transcript_record_issued(
            student=student, school_year=world.year, issued_on=dt.date(2022, 5, 25), by=None
        )
        values[side] = {
            "transcript": str(transcript.pk),
            "transcript_code": transcript.code,
            "subject": str(toan.pk),
            "correction": str(correction.pk),
            "api_token": str(api_token.pk),
            "site": sites[side].code,
            "class": str(classes[side].pk),
            "enrollment": str(student.enrollments.get().pk),
            "element_value": str(element_value.pk),
            "profile": str(profile.pk),
            "export": str(export_job.pk),
            "programme": str(programme.pk),
            "plan_task": str(plan_task.pk),
            "task_update": str(task_update.pk),
            "school": school.code,
            "office": office.code,
            "student": student.code,
            "staff": staff.code,
            "report": str(report.pk),
            "job": str(job.pk),
            "person": str(student.person.pk),
            "person_type": str(person_type.pk),
            "user": str(world.users[principal].pk),
        }
    return values


def personal_data(world: World) -> dict[str, tuple[str, ...]]:
    """Strings that identify people: names and personal ID numbers, of everyone of school A
    ("a"), of school B ("b"), and of each pupil of school A ("student_a1", "student_a2"). A
    persona who may not see them must find none of them in any page."""
    b_staff = Staff.objects.select_related("person").get(org_unit=world.school_b)
    guardians = world.student_a1.guardian_links.select_related("guardian__person")

    def strings(*people: Any) -> tuple[str, ...]:
        found: list[str] = []
        for person in people:
            found.append(person.full_name)
            if person.national_id:
                found.append(person.national_id)
        return tuple(found)

    return {
        "a": strings(
            world.student_a1.person,
            world.student_a2.person,
            world.teacher_a.person,
            world.teacher_a2.person,
            *(g.guardian.person for g in guardians),
        ),
        "b": strings(world.student_b.person, b_staff.person),
        "student_a1": strings(world.student_a1.person),
        "student_a2": strings(world.student_a2.person),
    }
