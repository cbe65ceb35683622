"""The Django admin: its name, and the audit of what is read and written through it.

The admin edits models directly, past the services that write the audit log, and shows
personal records past the pages that log officers' reads. Every app's admin therefore uses
``AuditedAdminMixin`` (writes are logged) or ``PersonalDataAdminMixin`` (reads too).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from vnemis.core.audit import audit_event, audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.core.models import AuditEntry

admin.site.site_header = _("vnemis")
admin.site.site_title = _("vnemis")
admin.site.index_title = _("Administration")

# Marks the entries written by the admin, as a bulk import's entries name their job.
ADMIN_NOTE = "admin"


class AuditedAdminMixin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Adds, changes and deletions made in the admin go to the audit log, like a service's.

    Django's own admin history (LogEntry) is kept as well; it has no record of the values.
    """

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        audit_record(
            actor=request.user,
            verb=AuditVerb.CREATED,
            target=obj,
            after=snapshot(obj),
            note=ADMIN_NOTE,
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        audit_record(
            actor=request.user,
            verb=AuditVerb.UPDATED,
            target=obj,
            after=snapshot(obj),
            note=ADMIN_NOTE,
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Called before the deletion, so the records' values can still be read. ``queryset``
        # is a QuerySet (the "delete selected" action) or a list (the delete page); iterating
        # a QuerySet caches its rows for Django's own log below.
        for obj in queryset:
            audit_record(
                actor=request.user,
                verb=AuditVerb.DELETED,
                target=obj,
                before=snapshot(obj),
                note=ADMIN_NOTE,
            )
        return super().log_deletions(request, queryset)


class PersonalDataAdminMixin(AuditedAdminMixin):
    """An admin of records holding personal data: reads are audited too.

    A record's change (or read-only) page, history and delete confirmation each log a
    ``viewed`` entry, as an officer's read of a full record on the pages does; each list page
    logs one ``listed`` entry with its query.
    """

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        self._audit_read(request, response, "original")
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        self._audit_read(request, response, "object")
        return response

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().delete_view(request, object_id, extra_context)
        self._audit_read(request, response, "object")
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        # Only a rendered list shows records; a redirect (after an action) shows none.
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        if isinstance(response, TemplateResponse) and changelist is not None:
            opts = self.model._meta
            audit_event(
                actor=request.user,
                verb=AuditVerb.LISTED,
                target_type=opts.label,
                target_repr=f"{len(changelist.result_list)} × {opts.verbose_name_plural}",
                after={"shown": [str(obj.pk) for obj in changelist.result_list]},
                note=f"{ADMIN_NOTE} ?{request.GET.urlencode()}",
            )
        return response

    def _audit_read(self, request: HttpRequest, response: HttpResponse, key: str) -> None:
        # A redirect (saved, deleted, not found) shows no record; a rendered page does.
        context = getattr(response, "context_data", None) or {}
        obj = context.get(key)
        if isinstance(response, TemplateResponse) and isinstance(obj, models.Model):
            audit_record(actor=request.user, verb=AuditVerb.VIEWED, target=obj, note=ADMIN_NOTE)


@admin.register(AuditEntry)
class AuditEntryAdmin(PersonalDataAdminMixin):
    """The audit log is read-only, here as everywhere.

    Its before/after values hold personal data (personal IDs, phones), so reading it is
    audited like reading the records themselves.
    """

    list_display = ["at", "actor_name", "verb", "target_type", "target_repr"]
    list_filter = ["verb", "target_type"]
    search_fields = ["actor_name", "target_repr", "target_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
