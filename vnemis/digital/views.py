from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from vnemis.core import uploads
from vnemis.core.audit import audit_record
from vnemis.core.choices import AuditVerb
from vnemis.core.http import AuthedRequest, guard_parameters, paginate, parse_int_param
from vnemis.digital import access, selfassessment, services
from vnemis.digital.forms import DigitalProfileForm
from vnemis.digital.models import CriterionScore, SelfAssessment
from vnemis.digital.services import FACT_FIELDS
from vnemis.organisations.models import SchoolYear


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


@uploads.upload_kind(uploads.UploadKind.EVIDENCE)
@login_required
@guard_parameters
def self_assessment(request: AuthedRequest, code: str) -> HttpResponse:
    """A school's QĐ 4725 self-assessment: observed criteria filled in, the rest scored here."""
    school = access.profile_unit_get_for_user(user=request.user, code=code)
    if school.kind != "school":
        raise Http404
    year = SchoolYear.current()
    if year is None:
        raise Http404
    can_write = (
        access.profile_units_for_user(user=request.user, write=True).filter(pk=school.pk).exists()
    )
    assessment = SelfAssessment.objects.filter(school=school, school_year=year).first()
    error = ""
    if request.method == "POST":
        access.profile_unit_get_for_user(user=request.user, code=code, write=True)
        if "prepare" in request.POST or assessment is None:
            assessment = services.self_assessment_prepare(
                school=school,
                school_year=year,
                day=min(timezone.localdate(), year.ends_on),
                by=request.user,
            )
            return redirect("digital:self_assessment", code=code)
        score = get_object_or_404(
            assessment.scores.select_related("criterion"),
            criterion__code=request.POST.get("criterion", ""),
        )
        # A file refused for its size was not kept: nothing of the row is saved either, so that
        # the school does not believe its evidence is in place.
        error = uploads.upload_refusals(request).get("evidence", "")
        if not error:
            try:
                points = parse_int_param(request.POST, "points", min_value=0, max_value=100) or 0
                services.criterion_score_set(
                    score=score,
                    by=request.user,
                    points=points,
                    met="met" in request.POST,
                    note=request.POST.get("note", ""),
                    evidence=request.FILES.get("evidence"),
                )
                return redirect("digital:self_assessment", code=code)
            except (ValueError, ValidationError) as exc:
                error = " ".join(getattr(exc, "messages", [_("Points must be a whole number.")]))
    scores = (
        assessment.scores.select_related("criterion").order_by("criterion__order")
        if assessment
        else []
    )
    return render(
        request,
        "digital/self_assessment.html",
        {
            "school": school,
            "year": year,
            "assessment": assessment,
            "scores": scores,
            "result": selfassessment.result(assessment) if assessment else None,
            "can_write": can_write,
            "error": error,
            "evidence_limit": uploads.size_text(uploads.upload_cap(uploads.UploadKind.EVIDENCE)),
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
    if not score.evidence:
        raise Http404
    try:
        handle = score.evidence.open("rb")
    except FileNotFoundError as exc:  # the file was removed from the server
        raise Http404 from exc
    # Evidence may show pupils or staff (photos, lists): the download is audited and kept out
    # of caches.
    audit_record(
        actor=request.user,
        verb=AuditVerb.DOWNLOADED,
        target=score,
        after={"file": score.evidence.name, "school": school.code},
        note="evidence file",
    )
    response = FileResponse(
        handle, as_attachment=True, filename=Path(score.evidence.name or "minh-chung").name
    )
    patch_cache_control(response, no_store=True, private=True)
    return response
