"""Pages of learning results: the teacher's and the school's gradebooks, term reports, locks,
corrections and publication, and a student's results for his family.

The grids save through small JSON endpoints (``gradebook_cells``, ``term_reports_rows``), so a
teacher's typing is saved cell by cell without reloading the page; every other write is a
plain form POST followed by a redirect.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vnemis.accounts.choices import Role
from vnemis.accounts.http import AuthedRequest
from vnemis.core.http import (
    BadParameter,
    guard_parameters,
    paginate,
    parse_int_param,
    parse_text_param,
    query_without_page,
)
from vnemis.core.text import search_words, words_match
from vnemis.core.xlsx import xlsx_response
from vnemis.learning import access
from vnemis.learning.choices import CorrectionStatus, ReleaseColumn, Term
from vnemis.learning.forms import DecisionForm, ReleaseForm, TermForm, UnlockForm
from vnemis.learning.models import (
    Correction,
    Mark,
    Release,
    Subject,
    TeachingAssignment,
    TermLock,
    TermReport,
    YearResult,
)
from vnemis.learning.selectors import class_distribution, student_year
from vnemis.learning.services import locks, releases
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
    return JsonResponse(
        {"saved": [{"student": r.student_id, "values": report_values(r)} for r in changed]}
    )


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
        _("Term {term} is locked at {school}: changes now need the principal's approval.").format(
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
        },
    )
