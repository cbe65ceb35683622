from __future__ import annotations

from django.contrib import admin

from vnemis.core.admin import AuditedAdminMixin, PersonalDataAdminMixin
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
class OrgUnitAdmin(PersonalDataAdminMixin):
    # principal_name names a person; the rest of a unit is public.
    list_display = ["code", "name", "kind", "ownership", "valid_from", "valid_to"]
    list_filter = ["kind", "ownership", "groups"]
    search_fields = ["code", "name", "moet_code"]
    raw_id_fields = ["school"]
    filter_horizontal = ["groups"]


@admin.register(OrgPlacement)
class OrgPlacementAdmin(AuditedAdminMixin):
    list_display = ["path", "version", "unit", "parent", "depth"]
    list_filter = ["version"]
    search_fields = ["path", "unit__name"]
    raw_id_fields = ["unit", "parent"]


# These hold no personal data: their writes are audited, their reads not.
for model in (TreeVersion, OrgUnitLink, OrgUnitGroupSet, OrgUnitGroup, SchoolYear):
    admin.site.register(model, AuditedAdminMixin)
