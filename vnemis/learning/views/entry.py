"""The gradebooks: where each role starts, a class's page, the entry grids of scores and term
reports with their JSON endpoints, the gradebook as Excel."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
from vnemis.learning.choices import (
    ReleaseColumn,
    Term,
)
from vnemis.learning.evaluation import trait_codes
from vnemis.learning.forms import ReleaseForm
from vnemis.learning.labels import award_text, result_text
from vnemis.learning.models import (
    Mark,
    Release,
    TeachingAssignment,
    TermLock,
    TermReport,
    YearResult,
)
from vnemis.learning.regimes import tt27_2020, tt30_2014
from vnemis.learning.selectors import class_distribution
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
from vnemis.learning.traits import CONDUCT_SHORT, TRAIT_SHORT
from vnemis.learning.views.common import (
    CELLS_MAX,
    class_students,
    json_body,
    may_release,
    school_class_get,
    year_param,
)
from vnemis.organisations.models import SchoolYear
from vnemis.organisations.scope import user_scope
from vnemis.people.access import classes_for_user
from vnemis.people.models import SchoolClass


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
    year = year_param(request)
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


@login_required
@guard_parameters
def class_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A class's subjects with their teachers and how far entry has gone in each term, the
    term locks, the publication rules, and the year results so far."""
    school_class = school_class_get(request, pk)
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
    students = class_students(school_class)
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
    students = class_students(school_class)
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
            "can_release": may_release(request, school_class, subject),
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
    body = json_body(request)
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
    students = class_students(school_class)
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
    raw = json_body(request).get("rows")
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
