"""Pages of learning results: the teacher's and the school's gradebooks, term reports, locks,
corrections and publication, and a student's results for his family.

The grids save through small JSON endpoints (``gradebook_cells``, ``term_reports_rows``), so a
teacher's typing is saved cell by cell without reloading the page; every other write is a
plain form POST followed by a redirect.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vnemis.accounts.choices import Role
from vnemis.accounts.http import AuthedRequest
from vnemis.core.audit import audit_event
from vnemis.core.choices import AuditVerb
from vnemis.core.http import (
    BadParameter,
    guard_parameters,
    paginate,
    parse_int_param,
    parse_text_param,
    query_without_page,
)
from vnemis.core.text import search_words, words_match
from vnemis.core.xlsx import XLSX_TYPE, xlsx_response
from vnemis.learning import access, sheets
from vnemis.learning import tasks as learning_tasks
from vnemis.learning.choices import (
    CopyKind,
    CorrectionStatus,
    ReleaseColumn,
    Term,
    TranscriptStatus,
)
from vnemis.learning.codes import ALPHABET, LENGTH, code_normalise
from vnemis.learning.evaluation import trait_codes
from vnemis.learning.forms import DecisionForm, ReleaseForm, TermForm, UnlockForm
from vnemis.learning.labels import award_text, result_text
from vnemis.learning.models import (
    Correction,
    Mark,
    Release,
    Subject,
    TeachingAssignment,
    TermLock,
    TermReport,
    Transcript,
    YearResult,
)
from vnemis.learning.regimes import tt27_2020, tt30_2014
from vnemis.learning.selectors import class_distribution, student_year
from vnemis.learning.services import locks, releases
from vnemis.learning.services import transcripts as transcript_services
from vnemis.learning.services.catalogue import class_regime, class_subjects
from vnemis.learning.services.marks import (
    CellInput,
    CellsRefused,
    TermLocked,
    mark_values,
    marks_save,
    subject_columns,
    term_locked,
)
from vnemis.learning.services.reports import ReportInput, report_values, term_reports_save
from vnemis.learning.services.results import RESULT_STATUSES
from vnemis.learning.traits import CONDUCT_SHORT, TRAIT_SHORT
from vnemis.organisations.models import SchoolYear
from vnemis.organisations.scope import user_scope
from vnemis.people.access import classes_for_user, students_for_user
from vnemis.people.models import Enrollment, SchoolClass, Student

NAME_ORDER = ("person__given_name", "person__family_name", "person__middle_name", "pk")
# A class has at most a few dozen students; a save carries one cell, a pasted column or a row.
CELLS_MAX = 2000


def _year(request: AuthedRequest) -> SchoolYear:
    code = parse_text_param(request.GET, "year", max_length=9)
    if code:
        year = SchoolYear.objects.filter(code=code).first()
        if year is None:
            raise BadParameter(_("There is no school year {code}.").format(code=code))
        return year
    year = SchoolYear.current()
    if year is None:
        raise Http404
    return year


def _students(school_class: SchoolClass) -> list[Student]:
    ids = Enrollment.objects.filter(school_class=school_class, status__in=RESULT_STATUSES).values(
        "student_id"
    )
    return list(Student.objects.filter(pk__in=ids).select_related("person").order_by(*NAME_ORDER))


def _json_body(request: AuthedRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadParameter(_("The request is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise BadParameter(_("The request is not valid JSON."))
    return body


@login_required
@guard_parameters
def home(request: AuthedRequest) -> HttpResponse:
    """Where each role starts: a teacher's assignments and homeroom classes; the classes of a
    principal's or officer's subtree (searchable, exportable); a family's children."""
    scope = user_scope(request.user)
    if not scope.is_officer and not scope.teacher_paths:
        if access.children_for_user(user=request.user).exists():
            return redirect("learning:family")
        raise Http404
    year = _year(request)
    assignments = (
        access.assignments_for_user(user=request.user)
        .filter(school_class__school_year=year)
        .select_related("school_class__school", "subject")
        .order_by("school_class__grade", "school_class__name", "subject__position")
    )
    homeroom = SchoolClass.objects.filter(
        school_year=year, homeroom_teacher__person__user=request.user
    ).select_related("school")
    classes = SchoolClass.objects.none()
    if scope.is_officer:
        classes = (
            classes_for_user(user=request.user)
            .filter(school_year=year)
            .select_related("school", "homeroom_teacher__person")
        )
        school = parse_text_param(request.GET, "school", max_length=32)
        if school:
            classes = classes.filter(school__code=school)
        grade = parse_int_param(request.GET, "grade", min_value=1, max_value=12)
        if grade is not None:
            classes = classes.filter(grade=grade)
        for word in search_words(parse_text_param(request.GET, "q")):
            # Each word names the school or the class ("bat xat 6a").
            classes = classes.filter(
                words_match("school__search_key", [word]) | Q(name__icontains=word)
            )
        classes = classes.order_by("school__name", "grade", "name")
        if request.GET.get("export") == "xlsx":
            return xlsx_response(
                filename="lop-hoc-ket-qua.xlsx",
                sheet=_("Classes"),
                headers=[_("School"), _("Class"), _("Grade"), _("Homeroom teacher"), _("Regime")],
                rows=(
                    (
                        c.school.name,
                        c.name,
                        c.grade,
                        c.homeroom_teacher.person.full_name if c.homeroom_teacher else "",
                        class_regime(c),
                    )
                    for c in classes.iterator()
                ),
            )
    page = paginate(request, classes) if scope.is_officer else None
    return render(
        request,
        "learning/home.html",
        {
            "year": year,
            "years": SchoolYear.objects.order_by("-starts_on"),
            "assignments": assignments,
            "homeroom": homeroom,
            "page": page,
            "is_officer": scope.is_officer,
            "query": query_without_page(request),
            "managed": access.schools_managed_for_user(user=request.user).filter(kind="school")[
                :20
            ],
        },
    )


def _school_class(request: AuthedRequest, pk: int) -> SchoolClass:
    return get_object_or_404(
        access.gradebook_classes_for_user(user=request.user).select_related(
            "school", "school_year", "homeroom_teacher__person"
        ),
        pk=pk,
    )


@login_required
@guard_parameters
def class_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A class's subjects with their teachers and how far entry has gone in each term, the
    term locks, the publication rules, and the year results so far."""
    school_class = _school_class(request, pk)
    whole_class = classes_for_user(user=request.user).filter(pk=pk).exists()
    taught = set(
        access.assignments_for_user(user=request.user)
        .filter(school_class=school_class)
        .values_list("subject_id", flat=True)
    )
    subjects = [s for s in class_subjects(school_class) if whole_class or s.pk in taught]
    teachers = {
        a.subject_id: a.teacher
        for a in TeachingAssignment.objects.filter(school_class=school_class).select_related(
            "teacher__person"
        )
    }
    students = _students(school_class)
    ids = [s.pk for s in students]
    done = Counter(
        (subject_id, term)
        for subject_id, term in Mark.objects.filter(
            student_id__in=ids, school_year_id=school_class.school_year_id
        )
        .filter(Q(average__isnull=False) | ~Q(result=""))
        .values_list("subject_id", "term")
    )
    rows = [
        {
            "subject": s,
            "teacher": teachers.get(s.pk),
            "done": [done[(s.pk, 1)], done[(s.pk, 2)]],
            "enters": s.pk in taught,
        }
        for s in subjects
    ]
    results = YearResult.objects.filter(
        student_id__in=ids, school_year_id=school_class.school_year_id
    )
    learning_counts = Counter(results.values_list("learning", flat=True))
    locked = set(
        TermLock.objects.filter(
            school_id=school_class.school_id, school_year_id=school_class.school_year_id
        ).values_list("term", flat=True)
    )
    rules = Release.objects.filter(school_class=school_class).select_related("subject")
    return render(
        request,
        "learning/class_detail.html",
        {
            "school_class": school_class,
            "regime": class_regime(school_class),
            "rows": rows,
            "n_students": len(students),
            "terms": Term.choices,
            "locked": locked,
            "rules": rules,
            "learning_counts": sorted(learning_counts.items()),
            "n_results": sum(learning_counts.values()),
            "whole_class": whole_class,
            "can_manage": access.school_manageable(user=request.user, school=school_class.school),
            "can_report": access.term_reports_editable(
                user=request.user, school_class=school_class
            ),
            "release_form": ReleaseForm(),
            "columns": ReleaseColumn.choices,
        },
    )


@login_required
@guard_parameters
def gradebook(request: AuthedRequest, pk: int, subject_pk: int, term: int) -> HttpResponse:
    """The entry grid of one class, subject and term (read-only unless the user teaches it)."""
    if term not in Term.values:
        raise Http404
    book = access.gradebook_get_for_user(user=request.user, class_pk=pk, subject_pk=subject_pk)
    school_class, subject = book.school_class, book.subject
    if subject not in class_subjects(school_class):
        raise Http404
    students = _students(school_class)
    marks = {
        m.student_id: mark_values(m)
        for m in Mark.objects.filter(
            student_id__in=[s.pk for s in students],
            school_year_id=school_class.school_year_id,
            subject=subject,
            term=term,
        )
    }
    locked = term_locked(
        school_id=school_class.school_id, school_year_id=school_class.school_year_id, term=term
    )
    rules = {
        r.column: r
        for r in Release.objects.filter(school_class=school_class, subject=subject, term=term)
    }
    return render(
        request,
        "learning/gradebook.html",
        {
            "school_class": school_class,
            "subject": subject,
            "term": term,
            "term_label": Term(term).label,
            "other_term": 2 if term == 1 else 1,
            "columns": subject_columns(school_class=school_class, subject=subject),
            "rows": [(s, marks.get(s.pk, {})) for s in students],
            "can_enter": book.can_enter and not locked,
            "can_request": book.can_enter and locked,
            "locked": locked,
            "distribution": class_distribution(
                school_class=school_class, subject=subject, term=term
            ),
            "rules": [
                (column, label, rules.get(column))
                for column, label in ReleaseColumn.choices
                if column != ReleaseColumn.SUMMARY
            ],
            "release_form": ReleaseForm(),
            "can_release": _may_release(request, school_class, subject),
        },
    )


@login_required
@require_POST
def gradebook_cells(request: AuthedRequest, pk: int, subject_pk: int, term: int) -> HttpResponse:
    """Save typed cells: ``{"cells": [{"student": id, "column": "r1", "value": "8,5"}]}``.

    Answers 200 with each changed student's stored values (term average included), 422 with
    an error per refused cell (nothing saved), 409 when the term is locked, 404 for a user
    who may not enter this gradebook.
    """
    if term not in Term.values:
        raise Http404
    book = access.gradebook_get_for_user(user=request.user, class_pk=pk, subject_pk=subject_pk)
    if not book.can_enter:
        raise Http404
    body = _json_body(request)
    raw = body.get("cells")
    if not isinstance(raw, list) or not raw or len(raw) > CELLS_MAX:
        raise BadParameter(_("Send between 1 and {n} cells.").format(n=CELLS_MAX))
    cells: list[CellInput] = []
    for item in raw:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("student"), int)
            and isinstance(item.get("column"), str)
            and isinstance(item.get("value"), str)
        ):
            raise BadParameter(_("Each cell needs a student id, a column and a text value."))
        cells.append(CellInput(item["student"], item["column"], item["value"]))
    try:
        changed = marks_save(
            school_class=book.school_class,
            subject=book.subject,
            term=term,
            cells=cells,
            by=request.user,
        )
    except TermLocked as exc:
        return JsonResponse({"locked": True, "message": " ".join(exc.messages)}, status=409)
    except CellsRefused as exc:
        return JsonResponse(
            {
                "errors": [
                    {"student": e.student_id, "column": e.column, "message": e.message}
                    for e in exc.cell_errors
                ]
            },
            status=422,
        )
    return JsonResponse(
        {"saved": [{"student": m.student_id, "values": mark_values(m)} for m in changed]}
    )


def _trait_columns(regime: str, grade: int) -> list[tuple[str, str]]:
    """The qualities and competencies a primary homeroom teacher assesses: (code, name)."""
    names = {
        "tt27": {**tt27_2020.QUALITIES, **tt27_2020.COMPETENCIES},
        "tt30": {**tt30_2014.QUALITIES, **tt30_2014.COMPETENCIES},
    }.get(regime, {})
    return [(code, names.get(code, code)) for code in trait_codes(regime, grade)]


@login_required
@guard_parameters
def gradebook_sheet(request: AuthedRequest, pk: int, subject_pk: int, term: int) -> HttpResponse:
    """The gradebook as an Excel sheet in the import's layout, for whoever may read it;
    ``?blank=1``: the same layout with the entry cells empty, as a template. Audited and kept
    out of caches: it carries the students' results."""
    if term not in Term.values:
        raise Http404
    book = access.gradebook_get_for_user(user=request.user, class_pk=pk, subject_pk=subject_pk)
    school_class, subject = book.school_class, book.subject
    if subject not in class_subjects(school_class):
        raise Http404
    blank = request.GET.get("blank") == "1"
    content = sheets.gradebook_workbook(
        school_class=school_class, subject=subject, term=term, blank=blank
    )
    audit_event(
        actor=request.user,
        verb=AuditVerb.EXPORTED,
        target_type="learning.gradebook",
        target_repr=f"{school_class.name} {subject.code} {term}",
        after={"class": school_class.pk, "subject": subject.pk, "term": term, "blank": blank},
    )
    name = "so-diem-{klass}-{subject}-hk{term}{blank}.xlsx".format(
        klass=slugify(school_class.name),
        subject=subject.code,
        term=term,
        blank="-mau" if blank else "",
    )
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    patch_cache_control(response, no_store=True, private=True)  # students' results
    return response


@login_required
@guard_parameters
def term_reports(request: AuthedRequest, pk: int, term: int) -> HttpResponse:
    """Conduct (or qualities and competencies), absences and remarks of a class in a term,
    entered by its homeroom teacher; with each student's live results."""
    if term not in Term.values:
        raise Http404
    school_class = get_object_or_404(
        classes_for_user(user=request.user).select_related("school", "school_year"), pk=pk
    )
    regime = class_regime(school_class)
    students = _students(school_class)
    ids = [s.pk for s in students]
    reports = {
        r.student_id: report_values(r)
        for r in TermReport.objects.filter(
            student_id__in=ids, school_year_id=school_class.school_year_id, term=term
        )
    }
    results = {
        r.student_id: r
        for r in YearResult.objects.filter(
            student_id__in=ids, school_year_id=school_class.school_year_id
        )
    }
    locked = term_locked(
        school_id=school_class.school_id, school_year_id=school_class.school_year_id, term=term
    )
    editable = access.term_reports_editable(user=request.user, school_class=school_class)
    return render(
        request,
        "learning/term_reports.html",
        {
            "school_class": school_class,
            "term": term,
            "term_label": Term(term).label,
            "regime": regime,
            "primary": regime in ("tt27", "tt30"),
            "conduct_levels": CONDUCT_SHORT.get(regime, {}),
            "trait_levels": TRAIT_SHORT,
            "traits": _trait_columns(regime, school_class.grade),
            "rows": [(s, reports.get(s.pk, {}), results.get(s.pk)) for s in students],
            "can_enter": editable and not locked,
            "locked": locked,
        },
    )


@login_required
@require_POST
def term_reports_rows(request: AuthedRequest, pk: int, term: int) -> HttpResponse:
    """Save term-report fields: ``{"rows": [{"student": id, "conduct": "T", ...}]}``; the
    answers follow ``gradebook_cells``."""
    if term not in Term.values:
        raise Http404
    school_class = get_object_or_404(classes_for_user(user=request.user), pk=pk)
    if not access.term_reports_editable(user=request.user, school_class=school_class):
        raise Http404
    raw = _json_body(request).get("rows")
    if not isinstance(raw, list) or not raw or len(raw) > CELLS_MAX:
        raise BadParameter(_("Send between 1 and {n} rows.").format(n=CELLS_MAX))
    rows: list[ReportInput] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("student"), int):
            raise BadParameter(_("Each row needs a student id."))
        texts = {
            name: item[name]
            for name in ("conduct", "absences_excused", "absences_unexcused", "remark")
            if isinstance(item.get(name), str)
        }
        traits = item.get("traits") or {}
        if not isinstance(traits, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in traits.items()
        ):
            raise BadParameter(_("Qualities and competencies must be code → level."))
        rows.append(ReportInput(student_id=item["student"], traits=traits, **texts))
    try:
        changed = term_reports_save(
            school_class=school_class, term=term, rows=rows, by=request.user
        )
    except TermLocked as exc:
        return JsonResponse({"locked": True, "message": " ".join(exc.messages)}, status=409)
    except CellsRefused as exc:
        return JsonResponse(
            {
                "errors": [
                    {"student": e.student_id, "column": e.column, "message": e.message}
                    for e in exc.cell_errors
                ]
            },
            status=422,
        )
    years = {
        y.student_id: y
        for y in YearResult.objects.filter(
            student_id__in=[r.student_id for r in changed],
            school_year_id=school_class.school_year_id,
        )
    }
    return JsonResponse(
        {
            "saved": [
                {
                    "student": r.student_id,
                    "values": report_values(r),
                    "year": _year_codes(years.get(r.student_id)),
                }
                for r in changed
            ]
        }
    )


def _year_codes(result: YearResult | None) -> dict[str, str] | None:
    """A student's year result in words, for the term-report grid to show without reloading."""
    if result is None:
        return None
    return {
        "learning": result_text(result.learning),
        "conduct": result_text(result.conduct),
        "award": award_text(result.award),
        "promotion": result_text(result.promotion),
    }


@login_required
@require_POST
def term_lock(request: AuthedRequest, pk: int) -> HttpResponse:
    """Lock a term at the class's school (its principal)."""
    school_class = _school_class(request, pk)
    if not access.school_manageable(user=request.user, school=school_class.school):
        raise Http404
    form = TermForm(request.POST)
    if not form.is_valid():
        raise BadParameter(_("Choose term I or II."))
    locks.term_lock(
        school=school_class.school,
        school_year=school_class.school_year,
        term=form.cleaned_data["term"],
        by=request.user,
    )
    messages.success(
        request,
        _("{term} is locked at {school}: changes now need the principal's approval.").format(
            term=Term(form.cleaned_data["term"]).label, school=school_class.school.name
        ),
    )
    return redirect("learning:class_detail", pk=pk)


@login_required
@require_POST
def term_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    school_class = _school_class(request, pk)
    if not access.school_manageable(user=request.user, school=school_class.school):
        raise Http404
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the term is reopened."))
        return redirect("learning:class_detail", pk=pk)
    lock = TermLock.objects.filter(
        school=school_class.school,
        school_year=school_class.school_year,
        term=form.cleaned_data["term"],
    ).first()
    if lock is not None:
        locks.term_unlock(lock=lock, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The term is open again."))
    return redirect("learning:class_detail", pk=pk)


def _may_release(
    request: AuthedRequest, school_class: SchoolClass, subject: Subject | None
) -> bool:
    """A subject's teacher releases its columns, the homeroom teacher the class summary, the
    principal anything of his school."""
    if access.school_manageable(user=request.user, school=school_class.school):
        return True
    if subject is None:
        return access.term_reports_editable(user=request.user, school_class=school_class)
    return (
        access.assignments_for_user(user=request.user)
        .filter(school_class=school_class, subject=subject)
        .exists()
    )


@login_required
@require_POST
def release_set(request: AuthedRequest, pk: int) -> HttpResponse:
    """Release a column of the class to its families, now or from a date."""
    school_class = _school_class(request, pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        raise BadParameter(" ".join(str(e) for errors in form.errors.values() for e in errors))
    subject = None
    if form.cleaned_data["subject"]:
        subject = get_object_or_404(
            Subject, pk=form.cleaned_data["subject"], grade=school_class.grade
        )
    if not _may_release(request, school_class, subject):
        raise Http404
    try:
        releases.release_set(
            school_class=school_class,
            subject=subject,
            term=form.cleaned_data["term"],
            column=form.cleaned_data["column"],
            release_on=form.cleaned_data["release_on"],
            now=form.cleaned_data["now"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The publication rule is saved."))
    if subject is not None:
        return redirect(
            "learning:gradebook", pk=pk, subject_pk=subject.pk, term=form.cleaned_data["term"]
        )
    return redirect("learning:class_detail", pk=pk)


@login_required
@require_POST
def correction_request(request: AuthedRequest, pk: int, subject_pk: int, term: int) -> HttpResponse:
    """Ask for a change of a locked mark: ``{"student": id, "cells": {"final": "9"},
    "reason": "…"}``. 201 with the request's id; 422 with the reason of a refusal."""
    if term not in Term.values:
        raise Http404
    book = access.gradebook_get_for_user(user=request.user, class_pk=pk, subject_pk=subject_pk)
    if not book.can_enter:
        raise Http404
    body = _json_body(request)
    student, cells, reason = body.get("student"), body.get("cells"), body.get("reason")
    if not (
        isinstance(student, int)
        and isinstance(cells, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in cells.items())
        and isinstance(reason, str)
    ):
        raise BadParameter(_("A correction needs a student id, the cells and a reason."))
    try:
        correction = locks.correction_request_mark(
            school_class=book.school_class,
            subject_id=book.subject.pk,
            term=term,
            student_id=student,
            cells=cells,
            reason=reason,
            by=request.user,
        )
    except CellsRefused as exc:
        return JsonResponse(
            {"errors": [{"column": e.column, "message": e.message} for e in exc.cell_errors]},
            status=422,
        )
    except ValidationError as exc:
        return JsonResponse(
            {"errors": [{"column": "", "message": m} for m in exc.messages]}, status=422
        )
    return JsonResponse({"correction": correction.pk}, status=201)


@login_required
@guard_parameters
def corrections(request: AuthedRequest) -> HttpResponse:
    """Correction requests: those of the schools in the user's subtree (decided by their
    principals, followed by the offices above), and a teacher's own."""
    managed = access.schools_managed_for_user(user=request.user)
    scope = user_scope(request.user)
    if not scope.teacher_paths and not scope.is_officer:
        raise Http404
    status = parse_text_param(request.GET, "status", max_length=12) or CorrectionStatus.PENDING
    if status not in CorrectionStatus.values:
        raise BadParameter(_("Unknown status."))
    visible = Correction.objects.filter(
        scope.units_q("school_id") | Q(requested_by=request.user)
    ).filter(status=status)
    items = visible.select_related(
        "school_class",
        "mark__subject",
        "mark__student__person",
        "term_report__student__person",
        "requested_by",
    ).order_by("-created_at")
    page = paginate(request, items)
    return render(
        request,
        "learning/corrections.html",
        {
            "page": page,
            "status": status,
            "statuses": CorrectionStatus.choices,
            "decidable": set(managed.values_list("pk", flat=True)),
            "query": query_without_page(request),
        },
    )


@login_required
@require_POST
def correction_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    correction = get_object_or_404(
        Correction.objects.filter(
            school_id__in=access.schools_managed_for_user(user=request.user).values("pk")
        ),
        pk=pk,
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise BadParameter(_("Approve or reject the request."))
    try:
        locks.correction_decide(
            correction=correction,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect("learning:corrections")


@login_required
@guard_parameters
def family(request: AuthedRequest) -> HttpResponse:
    """A guardian's children (and a student himself), each with a link to his results."""
    children = access.children_for_user(user=request.user).select_related("person")
    if not user_scope(request.user).has_role(Role.PARENT, Role.STUDENT):
        raise Http404
    return render(request, "learning/family.html", {"children": children})


@login_required
@guard_parameters
def student_results(request: AuthedRequest, code: str) -> HttpResponse:
    """A student's results of a year: everything for his school's staff; for his family only
    what the school has released, with the class's spread of each released result."""
    student = get_object_or_404(
        students_for_user(user=request.user).select_related("person"), code=code
    )
    view = access.result_view_for_user(user=request.user, student=student)
    year = _year(request)
    now = timezone.now()
    results = student_year(
        student=student,
        school_year_id=year.pk,
        released_only=view.released_only,
        now=now,
    )
    spreads: dict[int, dict[str, int]] = {}
    if results is not None and results.school_class is not None:
        for line in results.lines:
            if (
                not view.released_only
                or "average" in line.terms.get(2, {})
                or "result" in line.terms.get(2, {})
            ):
                spreads[line.subject.pk] = class_distribution(
                    school_class=results.school_class, subject=line.subject, term=2
                )
    transcript = None
    if results is not None:
        newest = (
            Transcript.objects.filter(student=student, school_year=year)
            .order_by("-version")
            .first()
        )
        if newest is not None and (newest.status == TS.ISSUED or not view.released_only):
            transcript = newest
    return render(
        request,
        "learning/student_results.html",
        {
            "student": student,
            "year": year,
            "years": SchoolYear.objects.order_by("-starts_on"),
            "results": results,
            "released_only": view.released_only,
            "spreads": spreads,
            "transcript": transcript,
        },
    )


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
    year = _year(request)
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
    year = _year(request)
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
