"""Học bạ số: a class's transcripts, one transcript's steps and copies, downloads, school
batches and the national store package, the public verification page."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vnemis.accounts.http import AuthedRequest
from vnemis.core.http import (
    BadParameter,
    guard_parameters,
    parse_text_param,
)
from vnemis.learning import access
from vnemis.learning import tasks as learning_tasks
from vnemis.learning.choices import (
    CopyKind,
    TranscriptStatus,
)
from vnemis.learning.codes import ALPHABET, LENGTH, code_normalise
from vnemis.learning.models import (
    Transcript,
    YearResult,
)
from vnemis.learning.services import transcripts as transcript_services
from vnemis.learning.views.common import (
    NAME_ORDER,
    year_param,
)
from vnemis.people.access import classes_for_user
from vnemis.people.models import Student

# --- Học bạ số (transcripts) -------------------------------------------------------------

TS = TranscriptStatus
# A transcript is ~90 KiB; anything much larger is not one of ours.
VERIFY_UPLOAD_MAX = 2 * 2**20
VERIFY_WINDOW_SECONDS = 3600


def _verify_rate() -> int:
    """Verification requests (codes looked up and files checked) per client address and
    hour: enough for a school's admissions office, too few to guess codes."""
    return int(getattr(settings, "VNEMIS_TRANSCRIPT_VERIFY_RATE_PER_HOUR", 30))


def _verify_allowed(request: HttpRequest) -> bool:
    """Count one verification for the client's address (a sliding window in the cache, as
    the API's rate limit; per process with the default local-memory cache). Behind a reverse
    proxy ``REMOTE_ADDR`` is the proxy's unless the proxy rewrites it."""
    address = request.META.get("REMOTE_ADDR") or "unknown"
    key = "vnemis-transcript-verify:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    now = time.time()
    history: list[float] = [t for t in cache.get(key, []) if t > now - VERIFY_WINDOW_SECONDS]
    if len(history) >= _verify_rate():
        return False
    history.append(now)
    cache.set(key, history, VERIFY_WINDOW_SECONDS)
    return True


def _initials(full_name: str) -> str:
    """ "Sùng Thị Mỷ" → "S. T. M.": enough to see that a code belongs to the paper in hand."""
    return " ".join(part[0].upper() + "." for part in full_name.split() if part)


def _latest_per_student(student_ids: list[int], school_year_id: int) -> dict[int, Transcript]:
    latest: dict[int, Transcript] = {}
    for transcript in Transcript.objects.filter(
        student_id__in=student_ids, school_year_id=school_year_id
    ).order_by("student_id", "version"):
        latest[transcript.student_id] = transcript
    return latest


@login_required
@guard_parameters
def transcripts_class(request: AuthedRequest, pk: int) -> HttpResponse:
    """The transcripts of a class: each student with a year result and where his transcript
    stands, a batch to take every step the user may take, and its progress while it runs."""
    school_class = get_object_or_404(
        classes_for_user(user=request.user).select_related(
            "school", "school_year", "homeroom_teacher__person"
        ),
        pk=pk,
    )
    results = YearResult.objects.filter(
        school_class=school_class, school_year_id=school_class.school_year_id
    )
    student_ids = list(results.values_list("student_id", flat=True))
    students = list(
        Student.objects.filter(pk__in=student_ids).select_related("person").order_by(*NAME_ORDER)
    )
    latest = _latest_per_student(student_ids, school_class.school_year_id)
    counts = Counter(t.status for t in latest.values())
    running = learning_tasks.transcripts_batch_running(school_class=school_class)
    total = len(students)
    issued = counts.get(TS.ISSUED, 0)
    context = {
        "school_class": school_class,
        "rows": [(s, latest.get(s.pk)) for s in students],
        "counts": [(label, counts.get(value, 0)) for value, label in TS.choices],
        "total": total,
        "issued": issued,
        "percent": int(100 * issued / total) if total else 0,
        "live": running,
        "can_batch": access.transcript_may_prepare(user=request.user, school_class=school_class),
        "can_export": access.school_manageable(user=request.user, school=school_class.school),
    }
    template = "learning/transcript_class.html"
    if request.htmx:  # type: ignore[attr-defined]
        if not running:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # finished: reload the page with the statuses
            return response
        template += "#status"
    return render(request, template, context)


@login_required
@require_POST
def transcripts_class_batch(request: AuthedRequest, pk: int) -> HttpResponse:
    """Start the batch of a class: every step the user may take, for every student with a
    year result (the homeroom teacher prepares, completes and signs; the principal verifies,
    confirms and signs for the school)."""
    school_class = get_object_or_404(
        classes_for_user(user=request.user).select_related("school", "school_year"), pk=pk
    )
    if not access.transcript_may_prepare(user=request.user, school_class=school_class):
        raise Http404
    try:
        learning_tasks.transcripts_batch_start(
            school_year=school_class.school_year, school_class=school_class, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "The transcripts of the class are being processed. This page shows the progress; "
                "you may leave it."
            ),
        )
    return redirect("learning:transcripts_class", pk=pk)


@login_required
@guard_parameters
def transcript_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A transcript: its workflow steps, the copies given out, the next step for whoever takes
    it, and the signed file."""
    transcript, family = access.transcript_get_for_user(user=request.user, pk=pk)
    next_step = transcript_services.NEXT.get(transcript.status)
    may_step = next_step is not None and access.transcript_step_allowed(
        user=request.user, transcript=transcript, to=next_step
    )
    return render(
        request,
        "learning/transcript_detail.html",
        {
            "transcript": transcript,
            "family": family,
            "steps": [] if family else transcript.steps.select_related("by"),
            "copies": [] if family else transcript.copies.select_related("by"),
            "next_step": next_step,
            "may_step": may_step and not family,
            "may_revoke": not family
            and transcript.status != TS.REVOKED
            and access.transcript_may_revoke(user=request.user, transcript=transcript),
            "may_copy": not family
            and transcript.status == TS.ISSUED
            and access.school_manageable(user=request.user, school=transcript.school),
            "copy_kinds": [
                (k, label) for k, label in CopyKind.choices if k != CopyKind.NATIONAL_STORE
            ],
            "verify_url": transcript_services.transcript_verify_url(transcript.code),
        },
    )


@login_required
@require_POST
def transcript_advance(request: AuthedRequest, pk: int) -> HttpResponse:
    """Take the next step (``to``); refusals come back as a message on the page."""
    transcript, family = access.transcript_get_for_user(user=request.user, pk=pk)
    if family:
        raise Http404
    to = request.POST.get("to", "")
    if to not in TS.values:
        raise BadParameter(_("Choose the next step of the transcript."))
    try:
        transcript_services.transcript_advance(
            transcript=transcript,
            to=TS(to),
            by=request.user,
            note=parse_text_param(request.POST, "note", max_length=255),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Done: the transcript is now “{status}”.").format(status=TS(to).label)
        )
    return redirect("learning:transcript_detail", pk=pk)


@login_required
@require_POST
def transcript_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    transcript, family = access.transcript_get_for_user(user=request.user, pk=pk)
    if family or not access.transcript_may_revoke(user=request.user, transcript=transcript):
        raise Http404
    try:
        transcript_services.transcript_revoke(
            transcript=transcript,
            reason=parse_text_param(request.POST, "reason", max_length=255),
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The transcript is revoked: the verification page now says so.")
        )
    return redirect("learning:transcript_detail", pk=pk)


def _pdf_response(transcript: Transcript, pdf: bytes) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="hoc-ba-{transcript.code}.pdf"'
    patch_cache_control(response, no_store=True, private=True)
    return response


def _given_file(
    request: AuthedRequest, transcript: Transcript, *, kind: str, issued_to: str, purpose: str
) -> HttpResponse:
    try:
        copy = transcript_services.transcript_copy_issue(
            transcript=transcript,
            kind=kind,
            issued_to=issued_to,
            purpose=purpose,
            by=request.user,
        )
        pdf = transcript_services.transcript_pdf_bytes(transcript=copy.transcript)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learning:transcript_detail", pk=transcript.pk)
    return _pdf_response(transcript, pdf)


@login_required
@guard_parameters
def transcript_download(request: AuthedRequest, pk: int) -> HttpResponse:
    """The signed file of an issued transcript. Every download is a copy in the log: the
    family's is the original given to the student, the staff's a copy."""
    transcript, family = access.transcript_get_for_user(user=request.user, pk=pk)
    if transcript.status != TS.ISSUED:
        raise Http404
    person = getattr(request.user, "person", None)
    return _given_file(
        request,
        transcript,
        kind=CopyKind.ORIGINAL if family else CopyKind.COPY,
        issued_to=person.full_name if person is not None else request.user.get_username(),
        purpose=_("Downloaded from vnemis"),
    )


@login_required
@require_POST
def transcript_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    """The school gives a copy or an extract to someone (a school the student moves to, an
    employer): logged with the recipient and the purpose, then downloaded."""
    transcript, family = access.transcript_get_for_user(user=request.user, pk=pk)
    if family or not access.school_manageable(user=request.user, school=transcript.school):
        raise Http404
    kind = request.POST.get("kind", "")
    issued_to = parse_text_param(request.POST, "issued_to", max_length=255)
    purpose = parse_text_param(request.POST, "purpose", max_length=255)
    if kind not in (CopyKind.ORIGINAL, CopyKind.COPY, CopyKind.EXTRACT) or not issued_to:
        raise BadParameter(_("Choose the kind of copy and say to whom it is given."))
    return _given_file(request, transcript, kind=kind, issued_to=issued_to, purpose=purpose)


@login_required
@require_POST
def transcripts_school_export(request: AuthedRequest, code: str) -> HttpResponse:
    """The school's issued transcripts of a year as a package for the national transcript
    store (an adapter until the Ministry publishes its format); each is logged as sent."""
    school = get_object_or_404(
        access.schools_managed_for_user(user=request.user).filter(kind="school"), code=code
    )
    year = year_param(request)
    issued = Transcript.objects.filter(school=school, school_year=year, status=TS.ISSUED)
    try:
        package = transcript_services.national_store_export(
            transcripts=issued.order_by("pk"), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learning:home")
    response = HttpResponse(package, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="kho-hoc-ba-{school.code}-{year.code}.zip"'
    )
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
@require_POST
def transcripts_school_batch(request: AuthedRequest, code: str) -> HttpResponse:
    """Start the batch of a whole school (its principal): verification, confirmation and the
    school's signature of every transcript the homeroom teachers have brought that far."""
    school = get_object_or_404(
        access.schools_managed_for_user(user=request.user).filter(kind="school"), code=code
    )
    year = year_param(request)
    try:
        learning_tasks.transcripts_batch_start(school_year=year, school=school, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The transcripts of {school} are being processed.").format(school=school.name),
        )
    return redirect("learning:home")


def _verify_page(
    request: HttpRequest,
    *,
    code: str = "",
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    return render(
        request,
        "learning/transcript_verify.html",
        {"code": code, "max_mb": VERIFY_UPLOAD_MAX // 2**20, **context},
        status=status,
    )


def _code_lookup(request: HttpRequest, raw: str) -> HttpResponse:
    if not _verify_allowed(request):
        return _verify_page(request, code=raw[:32], limited=True, status=429)
    code = code_normalise(raw)
    found = None
    if len(code) == LENGTH and all(c in ALPHABET for c in code):
        found = (
            Transcript.objects.select_related("school", "school_year", "student__person")
            .filter(code=code, status__in=[TS.ISSUED, TS.REVOKED])
            .first()
        )
    if found is None:
        # Nothing about why: an unknown code, a mistyped one and a draft look the same.
        return _verify_page(request, code=raw[:32], not_found=True, status=404)
    return _verify_page(
        request,
        code=found.code,
        found=found,
        initials=_initials(found.student.person.full_name),
        revoked=found.status == TS.REVOKED,
    )


@guard_parameters
def transcript_verify(request: HttpRequest) -> HttpResponse:
    """Public: is a transcript authentic? By its code (typed, or ``?code=`` from the QR
    code), or by uploading the PDF, which is checked signature by signature and against the
    issuance log. Shows only the school, the year, the grade and the student's initials."""
    if request.method == "POST":
        if not _verify_allowed(request):
            return _verify_page(request, limited=True, status=429)
        upload = request.FILES.get("file")
        if upload is None or upload.size is None:
            return _verify_page(request, upload_error=_("Choose the PDF file of the transcript."))
        if upload.size > VERIFY_UPLOAD_MAX:
            return _verify_page(
                request,
                upload_error=_(
                    "The file is larger than {mb} MB: a transcript is much smaller. Upload the "
                    "PDF file the school issued."
                ).format(mb=VERIFY_UPLOAD_MAX // 2**20),
                status=413,
            )
        data = upload.read(VERIFY_UPLOAD_MAX + 1)
        if not data.startswith(b"%PDF-"):
            return _verify_page(
                request,
                upload_error=_(
                    "The file is not a PDF document. Upload the PDF file of the transcript."
                ),
            )
        check = transcript_services.transcript_verify_file(data)
        found = check.transcript if check.transcript is not None and check.ok else None
        return _verify_page(
            request,
            check=check,
            found=found,
            initials=_initials(found.student.person.full_name) if found else "",
        )
    raw = parse_text_param(request.GET, "code", max_length=64)
    if raw:
        return _code_lookup(request, raw)
    return _verify_page(request)


@guard_parameters
def transcript_verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """The address of a transcript's QR code: the same answer as typing its code."""
    return _code_lookup(request, code[:64])
