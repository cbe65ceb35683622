"""Stored files (evidence, error reports, exports) sent as audited downloads.

They may show people (photos, lists, personal IDs): every download is in the audit log with
its file, and is kept out of browser and proxy caches. A file removed from the server answers
404, as a record outside the user's scope would.
"""

from __future__ import annotations

from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

from vnemis.core.audit import Actor, audit_record
from vnemis.core.choices import AuditVerb


def stored_file_response(
    *,
    field_file: FieldFile,
    by: Actor,
    target: Any,
    note: str,
    filename: str,
    after: dict[str, Any] | None = None,
    content_type: str | None = None,
) -> FileResponse:
    """``field_file`` as an attachment named ``filename``, audited as downloaded by ``by``
    (``after`` adds to the file's name in the entry)."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:  # the file was removed from the server
        raise Http404 from exc
    audit_record(
        actor=by,
        verb=AuditVerb.DOWNLOADED,
        target=target,
        after={"file": field_file.name, **(after or {})},
        note=note,
    )
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    patch_cache_control(response, no_store=True, private=True)
    return response
