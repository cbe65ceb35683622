from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vnemis.accounts.http import AuthedRequest
from vnemis.core import uploads
from vnemis.core.audit import audit_event
from vnemis.core.choices import AuditVerb
from vnemis.core.downloads import stored_file_response
from vnemis.core.http import (
    BadParameter,
    guard_parameters,
    paginate,
    parse_text_param,
    query_without_page,
)
from vnemis.core.xlsx import xlsx_response
from vnemis.digital import access, selectors, selfassessment, services
from vnemis.digital.choices import SelfAssessmentStatus
from vnemis.digital.forms import (
    CriterionScoreForm,
    DigitalProfileForm,
    ExternalAssessmentForm,
    SelfAssessmentStepForm,
)
from vnemis.digital.models import CriterionScore, SelfAssessment
from vnemis.digital.services import EDITABLE, FACT_FIELDS
from vnemis.organisations import access as org_access
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.organisations.scope import user_scope


@login_required
@guard_parameters
def profile_history(request: AuthedRequest, code: str) -> HttpResponse:
    """A school's or site's digital-transformation facts over time, and the entry form."""
    unit = access.profile_unit_get_for_user(user=request.user, code=code)
    can_write = (
        access.profile_units_for_user(user=request.user, write=True).filter(pk=unit.pk).exists()
    )
    latest = unit.digital_profiles.order_by("-valid_from", "-id").first()
    initial = {f: getattr(latest, f) for f in FACT_FIELDS} if latest else {}
    form = DigitalProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        access.profile_unit_get_for_user(user=request.user, code=code, write=True)
        if form.is_valid():
            data = form.cleaned_data
            services.digital_profile_record(
                unit=unit,
                valid_from=data["valid_from"],
                by=request.user,
                note=data["note"],
                **{f: data[f] for f in FACT_FIELDS},
            )
            messages.success(request, _("The facts were recorded; the history is kept."))
            return redirect("digital:profile_history", code=code)
    history = unit.digital_profiles.select_related("recorded_by").order_by("-valid_from", "-id")
    return render(
        request,
        "digital/profile_history.html",
        {
            "unit": unit,
            "form": form,
            "can_write": can_write,
            "page": paginate(request, history, per_page=20),
        },
    )


def _year(request: AuthedRequest) -> SchoolYear:
    """The school year of ``?year=`` (e.g. 2021-2022), else the current one."""
    code = parse_text_param(request.GET, "year", max_length=9)
    if code:
        return get_object_or_404(SchoolYear, code=code)
    year = SchoolYear.current()
    if year is None:
        raise Http404
    return year


def _page_url(school: OrgUnit, year: SchoolYear) -> str:
    url = reverse("digital:self_assessment", args=[school.code])
    return url + "?" + urlencode({"year": year.code})


def _group_title(code: str) -> str:
    return (
        _("Group I: teaching, learning, assessment")
        if code == "I"
        else _("Group II: administration")
    )


def _render_page(
    request: AuthedRequest,
    school: OrgUnit,
    year: SchoolYear,
    *,
    bound: dict[str, list[CriterionScoreForm]] | None = None,
    step_form: SelfAssessmentStepForm | None = None,
    external_form: ExternalAssessmentForm | None = None,
    error: str = "",
) -> HttpResponse:
    user = request.user
    can_write = access.assessment_schools_for_user(user=user, write=True).filter(pk=school.pk)
    can_review = access.review_schools_for_user(user=user).filter(pk=school.pk).exists()
    assessment = (
        SelfAssessment.objects.filter(school=school, school_year=year)
        .prefetch_related("events")
        .first()
    )
    writable = can_write.exists()
    editable = writable and assessment is not None and assessment.status in EDITABLE
    groups = []
    result = None
    if assessment is not None:
        result = selfassessment.result(assessment)
        scores = list(assessment.scores.select_related("criterion").order_by("criterion__order"))
        for group in result.groups:
            forms = (bound or {}).get(group.code) or [
                CriterionScoreForm(score=s) for s in scores if s.criterion.group == group.code
            ]
            groups.append({"result": group, "title": _group_title(group.code), "forms": forms})
    status_value = assessment.status if assessment else ""
    return render(
        request,
        "digital/self_assessment.html",
        {
            "school": school,
            "year": year,
            "years": SchoolYear.objects.order_by("-starts_on"),
            "assessment": assessment,
            "groups": groups,
            "result": result,
            "can_write": writable,
            "editable": editable,
            "can_submit": editable,
            "can_approve": can_review and status_value == SelfAssessmentStatus.SUBMITTED,
            "can_return": can_review
            and status_value in (SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.APPROVED),
            "can_assess": can_review
            and status_value in (SelfAssessmentStatus.SUBMITTED, SelfAssessmentStatus.APPROVED),
            "can_publish": can_review and status_value == SelfAssessmentStatus.APPROVED,
            "step_form": step_form or SelfAssessmentStepForm(),
            "external_form": external_form
            or ExternalAssessmentForm(
                initial={
                    "group_i": assessment.external_group_i if assessment else None,
                    "group_ii": assessment.external_group_ii if assessment else None,
                }
            ),
            "deadlines": selfassessment.deadlines_for(year),
            "events": list(assessment.events.all()) if assessment else [],
            "error": error,
            "evidence_limit": uploads.size_text(uploads.upload_cap(uploads.UploadKind.EVIDENCE)),
        },
    )


@uploads.upload_kind(uploads.UploadKind.EVIDENCE)
@login_required
@guard_parameters
def self_assessment(request: AuthedRequest, code: str) -> HttpResponse:
    """A school's QĐ 4725 self-assessment of a year: observed criteria filled in, the rest
    scored here one group at a time, and the yearly cycle's steps and history."""
    school = get_object_or_404(access.assessment_schools_for_user(user=request.user), code=code)
    year = _year(request)
    if request.method != "POST":
        return _render_page(request, school, year)
    get_object_or_404(
        access.assessment_schools_for_user(user=request.user, write=True), pk=school.pk
    )
    assessment = SelfAssessment.objects.filter(school=school, school_year=year).first()
    if "prepare" in request.POST or assessment is None:
        try:
            services.self_assessment_prepare(
                school=school,
                school_year=year,
                day=min(timezone.localdate(), year.ends_on),
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(_page_url(school, year))
    group = request.POST.get("group", "")
    if group not in selfassessment.GROUPS:
        raise BadParameter(_("Choose group I or group II to save."))
    try:
        services.self_assessment_editable_check(assessment)
    except ValidationError as exc:
        return _render_page(request, school, year, error=" ".join(exc.messages))
    scores = assessment.scores.select_related("criterion").filter(criterion__group=group)
    forms = [
        CriterionScoreForm(request.POST, request.FILES, score=s)
        for s in scores.order_by("criterion__order")
    ]
    # A file refused for its size never reached the form: its reason is put on its line, and
    # nothing of the group is saved, so that the school does not believe its evidence is kept.
    refusals = uploads.upload_refusals(request)
    valid = all([f.is_valid() for f in forms])
    for form in forms:
        message = refusals.get(form.add_prefix("evidence"))
        if message:
            form.add_error("evidence" if "evidence" in form.fields else None, message)
            valid = False
    if valid:
        try:
            changed = services.self_assessment_group_save(
                assessment=assessment,
                group=group,
                entries=[f.entry() for f in forms],
                by=request.user,
            )
        except ValidationError as exc:
            by_code = {f.score.criterion.code: f for f in forms}
            if hasattr(exc, "error_dict"):
                for code_, errors in exc.message_dict.items():
                    target = by_code.get(code_)
                    if target is not None:
                        target.add_error(None, errors)
            else:
                messages.error(request, " ".join(exc.messages))
                return redirect(_page_url(school, year))
        else:
            messages.success(
                request,
                _("{group} saved: {n} criteria changed.").format(
                    group=_group_title(group), n=len(changed)
                ),
            )
            return redirect(_page_url(school, year))
    codes = ", ".join(f.score.criterion.code for f in forms if f.errors)
    return _render_page(
        request,
        school,
        year,
        bound={group: forms},
        error=_("Nothing was saved: correct the criteria marked below ({codes}).").format(
            codes=codes
        ),
    )


# The office's steps need a reviewer of the school; the school's own step needs its writer.
OFFICE_STEPS = {"return", "approve", "assess", "publish"}


@login_required
@require_POST
@guard_parameters
def self_assessment_step(request: AuthedRequest, code: str) -> HttpResponse:
    """One step of the yearly cycle: the school submits; the office returns, approves,
    records its external assessment or publishes."""
    year = _year(request)
    action = request.POST.get("action", "")
    if action == "submit":
        assessment = access.self_assessment_get_for_user(
            user=request.user, code=code, year=year, write=True
        )
    elif action in OFFICE_STEPS:
        assessment = access.self_assessment_get_for_user(
            user=request.user, code=code, year=year, review=True
        )
    else:
        raise BadParameter(_("Choose a step: submit, return, approve, assess or publish."))
    school = assessment.school
    step_form = SelfAssessmentStepForm(request.POST)
    external_form = None
    try:
        if not step_form.is_valid():
            raise ValidationError(_("Correct the comments below."))
        comment = step_form.cleaned_data["comment"]
        if action == "submit":
            services.self_assessment_submit(assessment=assessment, by=request.user)
            done = _("The self-assessment was submitted to the office.")
        elif action == "return":
            services.self_assessment_return(assessment=assessment, comment=comment, by=request.user)
            done = _("The self-assessment was returned to the school with your comments.")
        elif action == "approve":
            services.self_assessment_approve(
                assessment=assessment, comment=comment, by=request.user
            )
            done = _("The self-assessment was approved.")
        elif action == "assess":
            external_form = ExternalAssessmentForm(request.POST)
            if not external_form.is_valid():
                raise ValidationError(_("Correct the external assessment below."))
            services.self_assessment_assess(
                assessment=assessment,
                group_i=external_form.cleaned_data["group_i"],
                group_ii=external_form.cleaned_data["group_ii"],
                comment=external_form.cleaned_data["comment"],
                by=request.user,
            )
            done = _("The external assessment was recorded.")
        else:
            services.self_assessment_publish(assessment=assessment, by=request.user)
            done = _("The level was published.")
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "comment" in exc.error_dict:
            step_form.add_error("comment", exc.error_dict["comment"])
        return _render_page(
            request,
            school,
            year,
            step_form=step_form,
            external_form=external_form,
            error=" ".join(exc.messages),
        )
    messages.success(request, done)
    return redirect(_page_url(school, year))


STATUS_FILTERS = (
    (selectors.NOT_STARTED, "not_started"),
    *((s.value, s.value) for s in SelfAssessmentStatus),
    (selectors.LATE, "late"),
)


def _status_label(status: str) -> str:
    if status == selectors.NOT_STARTED:
        return _("Not started")
    if status == selectors.LATE:
        return _("Submitted late")
    return str(SelfAssessmentStatus(status).label)


@login_required
@guard_parameters
def self_assessment_status(request: AuthedRequest) -> HttpResponse:
    """Each school of the officer's scope (or of one unit of it) with where its QĐ 4725
    self-assessment of the chosen year stands, its results, and an Excel export."""
    if not user_scope(request.user).is_officer:
        raise Http404
    year = _year(request)
    schools = access.assessment_schools_for_user(user=request.user)
    org_code = parse_text_param(request.GET, "org", max_length=32)
    unit = None
    if org_code:
        # Out of scope is the same 404 as unknown: codes outside are not revealed.
        unit = org_access.orgunit_get_for_user(user=request.user, code=org_code)
        paths = tuple(unit.placements.values_list("path", flat=True))
        schools = schools.filter(pk__in=OrgUnit.objects.under_paths(paths).values("id"))
    status = parse_text_param(request.GET, "status", max_length=16)
    if status and status not in {value for value, _key in STATUS_FILTERS}:
        raise BadParameter(_("Choose a status from the list."))
    q = parse_text_param(request.GET, "q", max_length=100)
    every = selectors.self_assessment_status_rows(schools=schools, year=year, q=q)
    rows = selectors.rows_with_status(every, status)
    if request.GET.get("export") == "xlsx":
        audit_event(
            actor=request.user,
            verb=AuditVerb.EXPORTED,
            target_type="digital.SelfAssessment",
            target_repr=f"{year.code} {org_code or 'scope'}",
            after={"rows": len(rows), "status": status, "q": q},
            note="self-assessment status",
        )
        return xlsx_response(
            filename=f"tu-danh-gia-cds-{year.code}.xlsx",
            sheet=_("Self-assessments"),
            headers=[
                _("School code"),
                _("School"),
                _("Status"),
                _("Submitted late"),
                _("Group I points"),
                _("Group II points"),
                _("Total points"),
                _("Level"),
                _("Provisional level"),
                _("External level"),
            ],
            rows=(
                [
                    r.code,
                    r.name,
                    _status_label(r.status),
                    _("Yes") if r.late else _("No"),
                    r.group_i,
                    r.group_ii,
                    r.total,
                    selfassessment.level_name(r.level) if r.level else None,
                    _("Yes") if r.provisional else _("No"),
                    selfassessment.level_name(r.external_level) if r.external_level else None,
                ]
                for r in rows
            ),
        )
    counts = selectors.status_counts(every)
    units = org_access.orgunits_for_user(user=request.user).filter(
        kind__in=[OrgUnitKind.DEPARTMENT, OrgUnitKind.DISTRICT_OFFICE, OrgUnitKind.COMMUNE]
    )
    return render(
        request,
        "digital/self_assessment_status.html",
        {
            "year": year,
            "years": SchoolYear.objects.order_by("-starts_on"),
            "unit": unit,
            "units": units.order_by("kind", "name"),
            "org": org_code,
            "status": status,
            "statuses": [(value, _status_label(value)) for value, _key in STATUS_FILTERS],
            "counts": [
                (value, _status_label(value), counts.get(value, 0))
                for value, _k in STATUS_FILTERS
                if value != selectors.LATE
            ],
            "late_count": sum(1 for r in every if r.late),
            "q": q,
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "deadlines": selfassessment.deadlines_for(year),
        },
    )


@login_required
@guard_parameters
def criterion_evidence(request: AuthedRequest, code: str, criterion: str) -> FileResponse:
    """An evidence file of a self-assessment, for those who may see the school."""
    school = access.profile_unit_get_for_user(user=request.user, code=code)
    score = get_object_or_404(
        CriterionScore.objects.select_related("assessment"),
        assessment__school=school,
        criterion__code=criterion,
    )
    return stored_file_response(
        field_file=score.evidence,
        by=request.user,
        target=score,
        note="evidence file",
        filename=Path(score.evidence.name or "minh-chung").name,
        after={"school": school.code},
    )
