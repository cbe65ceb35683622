from __future__ import annotations

from django.contrib import admin

from vnemis.organisations.models import (
    OrgPlacement,
    OrgUnit,
    OrgUnitGroup,
    OrgUnitGroupSet,
    OrgUnitLink,
    SchoolYear,
    TreeVersion,
)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "kind", "ownership", "valid_from", "valid_to"]
    list_filter = ["kind", "ownership", "groups"]
    search_fields = ["code", "name", "moet_code"]
    raw_id_fields = ["school"]
    filter_horizontal = ["groups"]


@admin.register(OrgPlacement)
class OrgPlacementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["path", "version", "unit", "parent", "depth"]
    list_filter = ["version"]
    search_fields = ["path", "unit__name"]
    raw_id_fields = ["unit", "parent"]


admin.site.register(TreeVersion)
admin.site.register(OrgUnitLink)
admin.site.register(OrgUnitGroupSet)
admin.site.register(OrgUnitGroup)
admin.site.register(SchoolYear)
