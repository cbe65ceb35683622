from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from vnemis.accounts.http import AuthedRequest
from vnemis.core.audit import audit_record
from vnemis.core.choices import AuditVerb
from vnemis.core.filtersets import export_redirect, export_requested
from vnemis.core.http import (
    guard_parameters,
    paginate,
    query_without_page,
)
from vnemis.core.masking import mask_address, mask_phone, mask_tail
from vnemis.core.sorting import natural_order
from vnemis.core.xlsx import xlsx_response
from vnemis.organisations import access as org_access
from vnemis.organisations.models import SchoolYear
from vnemis.organisations.scope import user_scope
from vnemis.people import access, quality, selectors, services
from vnemis.people.filtersets import EnrollmentFilterSet, StaffFilterSet
from vnemis.people.forms import EnrollmentTransferForm
from vnemis.people.models import Person


def _masked(person: Person, *, visible: bool) -> dict[str, str]:
    if visible:
        return {
            "national_id": person.national_id or "",
            "phone": person.phone,
            "address": person.address,
        }
    return {
        "national_id": mask_tail(person.national_id or ""),
        "phone": mask_phone(person.phone),
        "address": mask_address(person.address),
    }


@login_required
@guard_parameters
def student_list(request: AuthedRequest) -> HttpResponse:
    year = SchoolYear.current()
    enrollments = (
        access.enrollments_for_user(user=request.user)
        .active()
        .filter(school_year=year)
        .select_related("student__person", "school", "school_class")
        .order_by(
            "school__code",
            "grade",
            *natural_order("school_class__name"),
            "student__person__given_name",
            "student__person__family_name",
            "student__code",
        )
    )
    filterset = EnrollmentFilterSet(request.GET, queryset=enrollments)
    rows = filterset.qs  # a refused value ("٣", 99999999999999999999) answers 400 here
    if export_requested(request):
        return export_redirect(request, kind="students")
    page = paginate(request, rows, capped=True)
    context = {
        "filterset": filterset,
        "page": page,
        "year": year,
        "query": query_without_page(request),
    }
    template = "people/student_list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"  # a filter change swaps only the results block
    return render(request, template, context)


@login_required
@guard_parameters
def student_detail(request: AuthedRequest, code: str) -> HttpResponse:
    student = access.student_get_for_user(user=request.user, code=code)
    person = student.person
    record = access.student_record_for_user(user=request.user, student=student)
    if user_scope(request.user).is_officer:
        # Officers' reads of a full personal record are logged (personal-data protection).
        audit_record(actor=request.user, verb=AuditVerb.VIEWED, target=student)
    personal = _masked(person, visible=record.unmasked)
    guardians = []
    if record.contacts:
        links = student.guardian_links.select_related("guardian__person")
        guardians = [(g, _masked(g.guardian.person, visible=record.unmasked)) for g in links]
    else:
        # A school the student has left does not learn where he lives now.
        personal["address"] = personal["phone"] = ""
    enrollments = record.enrollments.select_related("school", "school_year", "school_class")
    return render(
        request,
        "people/student_detail.html",
        {
            "student": student,
            "person": person,
            "personal": personal,
            "unmasked": record.unmasked,
            "former": record.former,
            "can_transfer": access.enrollments_for_user(user=request.user, write=True)
            .active()
            .filter(student=student)
            .exists(),
            "enrollments": enrollments.order_by("-started_on"),
            "guardians": guardians,
        },
    )


@login_required
@guard_parameters
def staff_list(request: AuthedRequest) -> HttpResponse:
    staff = (
        access.staff_for_user(user=request.user)
        .filter(is_active=True)
        .select_related("person", "org_unit")
        .order_by("org_unit__code", "code")
    )
    filterset = StaffFilterSet(request.GET, queryset=staff)
    rows = filterset.qs
    if export_requested(request):
        return export_redirect(request, kind="staff")
    page = paginate(request, rows, capped=True)
    template = "people/staff_list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    return render(
        request,
        template,
        {"filterset": filterset, "page": page, "query": query_without_page(request)},
    )


@login_required
@guard_parameters
def staff_detail(request: AuthedRequest, code: str) -> HttpResponse:
    staff = access.staff_get_for_user(user=request.user, code=code)
    visible = access.personal_data_visible(user=request.user, staff=staff)
    if user_scope(request.user).is_officer:
        audit_record(actor=request.user, verb=AuditVerb.VIEWED, target=staff)
    classes = staff.homeroom_classes.select_related("school_year", "school")
    return render(
        request,
        "people/staff_detail.html",
        {
            "staff": staff,
            "person": staff.person,
            "personal": _masked(staff.person, visible=visible),
            "unmasked": visible,
            "classes": classes,
        },
    )


@login_required
@guard_parameters
def school_detail(request: AuthedRequest, code: str) -> HttpResponse:
    school = org_access.school_get_for_user(user=request.user, code=code)
    year = SchoolYear.current()
    classes = (
        access.classes_for_user(user=request.user)
        .filter(school=school, school_year=year)
        .select_related("homeroom_teacher__person", "site")
        .annotate(n_students=Count("enrollments", filter=Q(enrollments__status="active")))
        .order_by("grade", *natural_order("name"))
    )
    placements = school.placements.select_related("version", "parent").order_by("version")
    return render(
        request,
        "people/school_detail.html",
        {
            "school": school,
            "year": year,
            "classes": classes,
            "sites": school.sites.order_by("code"),
            "groups": school.groups.select_related("group_set").order_by("group_set__code", "code"),
            "placements": placements,
            "counts": selectors.school_profile_counts(school=school, year=year),
            "can_write": org_access.schools_for_user(user=request.user, write=True)
            .filter(pk=school.pk)
            .exists(),
        },
    )


@login_required
@guard_parameters
def student_transfer(request: AuthedRequest, code: str) -> HttpResponse:
    """Transfer a student to another school: a preview first, then the confirmed write."""
    enrollment = get_object_or_404(
        access.enrollments_for_user(user=request.user, write=True)
        .active()
        .select_related("student__person", "school", "school_year", "school_class"),
        student__code=code,
        school_year=SchoolYear.current(),
    )
    form = EnrollmentTransferForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        preview = services.enrollment_transfer_preview(
            enrollment=enrollment,
            to_school=form.cleaned_data["to_school"],
            on=form.cleaned_data["on"],
            to_class=form.cleaned_data["to_class_obj"],
        )
        if preview.ok and "confirm" in request.POST:
            services.enrollment_transfer(
                enrollment=enrollment,
                to_school=preview.to_school,
                on=preview.on,
                to_class=preview.to_class,
                by=request.user,
            )
            messages.success(
                request,
                _("{student} moved to {school}.").format(
                    student=enrollment.student.person.full_name, school=preview.to_school.name
                ),
            )
            return redirect("people:student_detail", code=code)
    return render(
        request,
        "people/student_transfer.html",
        {"enrollment": enrollment, "form": form, "preview": preview},
    )


@login_required
@guard_parameters
def school_promotion(request: AuthedRequest, code: str) -> HttpResponse:
    """Year-end promotion of a school: the list of moves, then the confirmed write."""
    school = org_access.school_get_for_user(user=request.user, code=code, write=True)
    year = SchoolYear.current()
    if year is None:
        raise Http404
    lines = services.promotion_preview(school=school, from_year=year)
    if request.method == "POST" and "confirm" in request.POST:
        try:
            result = services.school_promotion_apply(school=school, from_year=year, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("{promoted} students moved up to {year}; {finished} finished the school.").format(
                    promoted=result.promoted, finished=result.finished, year=result.to_year
                ),
            )
            return redirect("people:school_detail", code=code)
    page = paginate(request, lines, per_page=100)
    return render(
        request,
        "people/school_promotion.html",
        {
            "school": school,
            "year": year,
            "page": page,
            "total": len(lines),
            "finishing": sum(1 for line in lines if line.next_grade is None),
        },
    )


@login_required
@guard_parameters
def data_quality(request: AuthedRequest) -> HttpResponse:
    """Suspect records of the user's scope, each list exportable to Excel."""
    if not user_scope(request.user).is_officer:
        raise Http404
    year = SchoolYear.current()
    if year is None:
        raise Http404
    chosen = next((c for c in quality.CHECKS if c.code == request.GET.get("check")), None)
    if chosen is None:
        counts = [(c, c.rows(request.user, year).count()) for c in quality.CHECKS]
        return render(request, "people/data_quality.html", {"counts": counts, "year": year})
    rows = chosen.rows(request.user, year)
    if request.GET.get("export") == "xlsx":
        audit_record(
            actor=request.user,
            verb=AuditVerb.EXPORTED,
            target=request.user,
            note=f"quality {chosen.code}",
        )
        return xlsx_response(
            filename=f"chat-luong-du-lieu-{chosen.code}.xlsx",
            sheet=str(chosen.title)[:31],
            **_quality_export(chosen.kind, rows),
        )
    return render(
        request,
        "people/data_quality.html",
        {
            "check": chosen,
            "year": year,
            "page": paginate(request, rows),
            "query": query_without_page(request),
        },
    )


def _quality_export(kind: str, rows: Any) -> dict[str, Any]:
    if kind == "staff":
        return {
            "headers": [_("Staff code"), _("Full name"), _("Unit")],
            "rows": ((s.code, s.person.full_name, s.org_unit.name) for s in rows),
        }
    if kind == "students":
        return {
            "headers": [_("Student code"), _("Full name"), _("Date of birth")],
            "rows": ((s.code, s.person.full_name, s.person.birth_date) for s in rows),
        }
    return {
        "headers": [_("Student code"), _("Full name"), _("Date of birth"), _("School"), _("Class")],
        "rows": (
            (
                e.student.code,
                e.student.person.full_name,
                e.student.person.birth_date,
                e.school.name,
                e.school_class.name if e.school_class else "",
            )
            for e in rows
        ),
    }
