from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from vnemis.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["org_unit"]


@admin.register(User)
class VnemisUserAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "is_active", "locked_until"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Lockout", {"fields": ("failed_logins", "locked_until")}),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "role", "org_unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    raw_id_fields = ["user", "org_unit"]
    search_fields = ["user__username", "org_unit__code", "org_unit__name"]
