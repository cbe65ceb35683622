from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from vnemis.accounts.http import AuthedRequest
from vnemis.core.downloads import stored_file_response
from vnemis.core.http import BadParameter, guard_parameters, paginate
from vnemis.core.pagination import CappedPaginator
from vnemis.exports import access, definitions, services
from vnemis.exports.choices import ExportFormat, ExportStatus
from vnemis.exports.writers import CONTENT_TYPES

LIVE = {ExportStatus.QUEUED, ExportStatus.RUNNING}


@login_required
@guard_parameters
def list_file(request: AuthedRequest, kind: str) -> HttpResponse:
    """The file of list ``kind`` (``?export=xlsx`` or ``?export=csv``) with the filters of the
    query, as the list's page reads them: the pages link here, and answer their own
    ``?export=`` with a redirect here (``core.filtersets.export_redirect``)."""
    if kind not in definitions.DEFINITIONS:
        raise Http404
    return list_export(request, kind=kind)


def list_export(
    request: AuthedRequest, *, kind: str, params: definitions.Params | None = None
) -> HttpResponse:
    """The list ``kind`` with the request's filters (or ``params``, when the caller resolved
    them itself), in the format of ``?export=``; a filter the list refuses answers 400.

    Up to ``VNEMIS_EXPORT_INLINE_ROWS`` rows the file is the answer; a longer list (counted
    only up to that limit, as the capped lists do) becomes an export job and the answer is
    its page. Both are built from the same definition.
    """
    fmt = request.GET.get("export", "")
    if fmt not in ExportFormat.values:
        raise BadParameter(_("Choose Excel or CSV as the file format."))
    if params is None:
        params = definitions.DEFINITIONS[kind].params(request.GET)
    try:
        spec = definitions.export_spec(kind, user=request.user, params=params)
    except definitions.ExportError as exc:
        raise BadParameter(str(exc)) from exc
    limit = services.inline_rows_limit()
    if CappedPaginator(spec.rows, 1, cap=limit).capped:
        try:
            job = services.export_job_create(kind=kind, params=params, fmt=fmt, by=request.user)
        except definitions.ExportError as exc:
            messages.error(request, str(exc))
            return redirect("exports:export_list")
        messages.info(
            request,
            _(
                "The list has more than {limit} rows, so its file is prepared in the "
                "background. You may leave this page: the file waits for you under "
                "“My exports”."
            ).format(limit=limit),
        )
        return redirect("exports:export_detail", pk=job.pk)
    made = services.export_inline(kind=kind, params=params, fmt=fmt, by=request.user)
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = content_disposition_header(True, made.filename)
    patch_cache_control(response, no_store=True, private=True)  # people's records
    return response


@login_required
def export_list(request: AuthedRequest) -> HttpResponse:
    """The user's own export jobs, newest first."""
    jobs = access.export_jobs_for_user(user=request.user)
    return render(
        request,
        "exports/export_list.html",
        {"page": paginate(request, jobs), "keep_days": services.KEEP_DAYS},
    )


@login_required
@guard_parameters
def export_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = access.export_job_get_for_user(user=request.user, pk=pk)
    live = job.status in LIVE
    progress = services.ExportProgress(job.pk).read() if live else {}
    done = progress.get("processed", 0)
    total = progress.get("total") or job.total
    context = {
        "job": job,
        "progress": progress,
        "percent": min(100, int(100 * done / total)) if total else 0,
        "live": live,
        "keep_days": services.KEEP_DAYS,
        "kept_until": job.finished_at + dt.timedelta(days=services.KEEP_DAYS)
        if job.finished_at
        else None,
    }
    template = "exports/export_detail.html"
    if request.htmx:  # type: ignore[attr-defined]
        if not live:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # finished: reload the page with the download
            return response
        template += "#status"  # the polling refreshes only the status block
    return render(request, template, context)


@login_required
@guard_parameters
def export_download(request: AuthedRequest, pk: int) -> FileResponse:
    """The job's file. It holds people's records: the download is audited and kept out of
    caches."""
    job = access.export_job_get_for_user(user=request.user, pk=pk)
    if job.status != ExportStatus.DONE:
        raise Http404
    return stored_file_response(
        field_file=job.file,
        by=request.user,
        target=job,
        note=f"export {job.kind}",
        filename=PurePosixPath(job.file.name or "").name,
        content_type=CONTENT_TYPES[ExportFormat(job.format)],
    )
