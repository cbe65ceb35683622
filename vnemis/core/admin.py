from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vnemis.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The audit log is read-only, here as everywhere."""

    list_display = ["at", "actor_name", "verb", "target_type", "target_repr"]
    list_filter = ["verb", "target_type"]
    search_fields = ["actor_name", "target_repr", "target_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
