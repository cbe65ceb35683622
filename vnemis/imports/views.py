from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from vnemis.accounts.http import AuthedRequest
from vnemis.core import uploads
from vnemis.core.downloads import stored_file_response
from vnemis.core.filtersets import export_redirect, export_requested
from vnemis.core.http import (
    bad_parameter_response,
    guard_parameters,
    paginate,
    query_without_page,
)
from vnemis.core.xlsx import XLSX_TYPE
from vnemis.imports import access, services
from vnemis.imports.choices import ImportKind
from vnemis.imports.filtersets import ImportJobFilterSet
from vnemis.imports.formats import FORMATS
from vnemis.imports.formats.gradebook import gradebook_file_check
from vnemis.imports.readers import ReadError
from vnemis.imports.templates_xlsx import template_bytes
from vnemis.learning import access as learning_access
from vnemis.learning.choices import Term
from vnemis.organisations.scope import user_scope


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of data"), choices=ImportKind.choices)
    unit = forms.ChoiceField(label=_("Into"))
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.txt"}),
    )
    dry_run = forms.BooleanField(label=_("Dry run (check only)"), required=False, initial=True)
    partial = forms.BooleanField(
        label=_("Write the valid rows even if some are rejected"), required=False
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cap = uploads.upload_cap(uploads.UploadKind.IMPORT)
        self.fields["file"].help_text = _("At most {limit}.").format(limit=uploads.size_text(cap))
        uploads.explain_refusals(self, request)

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        uploads.import_upload_check(upload)
        return upload


@uploads.upload_kind(uploads.UploadKind.IMPORT)
@login_required
def import_list(request: AuthedRequest) -> HttpResponse:
    units = list(access.import_units_for_user(user=request.user))
    if not units and not access.jobs_for_user(user=request.user).exists():
        raise Http404
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES or None, request=request)
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ChoiceField)
    unit_field.choices = [(u.code, u.name) for u in units]
    if posted and form.is_valid():
        unit = next(u for u in units if u.code == form.cleaned_data["unit"])
        upload = form.cleaned_data["file"]
        with uploads.upload_path(upload) as path:
            job = services.import_upload(
                path=path,
                name=upload.name,
                kind=form.cleaned_data["kind"],
                into=unit,
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
                partial=form.cleaned_data["partial"],
            )
        return redirect("imports:import_detail", pk=job.pk)
    jobs = access.jobs_for_user(user=request.user).select_related("source", "scope_unit")
    filterset = ImportJobFilterSet(request.GET, queryset=jobs)
    if not filterset.is_valid():  # no guard_parameters here: it would read the upload
        return bad_parameter_response(request, filterset.error_message())
    if export_requested(request):
        return export_redirect(request, kind="import_jobs")
    return render(
        request,
        "imports/import_list.html",
        {
            "form": form,
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "query": query_without_page(request),
            "kinds": ImportKind.choices,
        },
    )


@login_required
@guard_parameters
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = access.job_get_for_user(user=request.user, pk=pk)
    progress = services.JobProgress(job.pk).read()
    done = progress.get("processed", 0)
    total = progress.get("total") or job.total
    context = {
        "job": job,
        "progress": progress,
        "percent": int(100 * done / total) if total else 0,
        "live": job.status in {"queued", "running"},
    }
    template = "imports/import_detail.html"
    if request.htmx:  # type: ignore[attr-defined]
        if not context["live"]:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # finished: reload the page with the final counts
            return response
        template += "#status"  # the polling refreshes only the status block
    return render(request, template, context)


@login_required
@require_POST
@guard_parameters
def import_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    job = access.job_get_for_user(user=request.user, pk=pk)
    services.import_job_cancel(job=job, by=request.user)
    return redirect("imports:import_detail", pk=pk)


@login_required
@require_POST
@guard_parameters
def import_commit(request: AuthedRequest, pk: int) -> HttpResponse:
    """After a dry run: run the same file again, this time writing."""
    job = access.job_get_for_user(user=request.user, pk=pk)
    # A teacher has no write scope, but commits the dry run of her own gradebook sheet: the
    # run checks her assignment again (the format never trusts the file), so this grants
    # nothing the format would not.
    own_gradebook = job.kind == ImportKind.GRADEBOOK and job.created_by_id == request.user.pk
    if not own_gradebook and job.scope_unit not in access.import_units_for_user(user=request.user):
        raise Http404
    again = services.import_job_commit(job=job, by=request.user, partial="partial" in request.POST)
    return redirect("imports:import_detail", pk=again.pk)


@login_required
@guard_parameters
def import_errors(request: AuthedRequest, pk: int) -> FileResponse:
    """The rejected rows of a job with their reasons. They repeat the file's personal IDs,
    names and birth dates: the download is audited and kept out of caches."""
    job = access.job_get_for_user(user=request.user, pk=pk)
    return stored_file_response(
        field_file=job.error_report,
        by=request.user,
        target=job,
        note="error report",
        filename=f"loi-nhap-du-lieu-{job.pk}.xlsx",
        content_type=XLSX_TYPE,
    )


@login_required
@guard_parameters
def import_template(request: AuthedRequest, kind: str) -> HttpResponse:
    if kind not in FORMATS:
        raise Http404
    response = HttpResponse(template_bytes(kind), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mau-{kind}.xlsx"'
    return response


@login_required
@guard_parameters
def import_export(request: AuthedRequest, kind: str) -> HttpResponse:
    """The records of ``kind`` in the importer's area, in the template's layout."""
    if kind not in FORMATS:
        raise Http404
    paths = user_scope(request.user).write_paths
    if not paths:
        raise Http404
    as_csv = request.GET.get("format") == "csv"
    content = services.records_export(
        kind=kind, scope_paths=tuple(paths), by=request.user, csv_format=as_csv
    )
    response = HttpResponse(content, content_type="text/csv" if as_csv else XLSX_TYPE)
    suffix = "csv" if as_csv else "xlsx"
    response["Content-Disposition"] = f'attachment; filename="du-lieu-{kind}.{suffix}"'
    patch_cache_control(response, no_store=True, private=True)  # people's records
    return response


class GradebookUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Gradebook sheet (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        uploads.explain_refusals(self, request)

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        uploads.import_upload_check(upload)
        return upload


@uploads.upload_kind(uploads.UploadKind.IMPORT)
@login_required
@require_POST
def gradebook_import(request: AuthedRequest, pk: int, subject_pk: int, term: int) -> HttpResponse:
    """The teacher's upload of her gradebook sheet, from the gradebook's page: refused unless
    it is this gradebook's sheet, then kept and dry-run; the job's page lists the changes and
    offers the commit. The job checks again who may enter the gradebook (the file is not
    trusted), and so does the commit's run."""
    if term not in Term.values:
        raise Http404
    book = learning_access.gradebook_get_for_user(
        user=request.user, class_pk=pk, subject_pk=subject_pk
    )
    if not book.can_enter:
        raise Http404
    back = redirect("learning:gradebook", pk=pk, subject_pk=subject_pk, term=term)
    form = GradebookUploadForm(request.POST, request.FILES, request=request)
    if not form.is_valid():
        for error in form.errors.get("file") or [_("Choose the gradebook sheet to upload.")]:
            messages.error(request, str(error))
        return back
    upload = form.cleaned_data["file"]
    with uploads.upload_path(upload) as path:
        try:
            gradebook_file_check(
                path=path,
                name=upload.name or "so-diem.xlsx",
                school_class=book.school_class,
                subject=book.subject,
                term=term,
            )
        except ReadError as exc:
            messages.error(request, str(exc))
            return back
        job = services.import_upload(
            path=path,
            name=upload.name or "so-diem.xlsx",
            kind=ImportKind.GRADEBOOK,
            into=book.school_class.school,
            by=request.user,
            dry_run=True,
        )
    return redirect("imports:import_detail", pk=job.pk)
