from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from vnemis.accounts import views
from vnemis.accounts.models import RoleAssignment, User
from vnemis.core.admin import AuditedAdminMixin, PersonalDataAdminMixin

# One door: the admin's own login form would skip the lockout and the audit of the main
# login, so the admin site's login page is the main login view. The admin builds its URLs from
# ``self.login`` when config/urls.py includes ``admin.site.urls``, after this module is loaded.
admin.site.login = views.admin_login  # type: ignore[method-assign]


class RoleAssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["org_unit"]


@admin.register(User)
class VnemisUserAdmin(PersonalDataAdminMixin, UserAdmin):  # type: ignore[type-arg]
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "is_active", "locked_until"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Lockout"), {"fields": ("failed_logins", "locked_until")}),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(PersonalDataAdminMixin):
    list_display = ["user", "role", "org_unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    raw_id_fields = ["user", "org_unit"]
    search_fields = ["user__username", "org_unit__code", "org_unit__name"]


# Django registers its permission groups itself; a change to one is a change of rights.
admin.site.unregister(Group)


@admin.register(Group)
class VnemisGroupAdmin(AuditedAdminMixin, GroupAdmin):
    pass
