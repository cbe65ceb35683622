from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render

from vnemis.accounts.http import AuthedRequest
from vnemis.core.filtersets import export_redirect, export_requested
from vnemis.core.http import (
    guard_parameters,
    paginate,
    parse_text_param,
    query_without_page,
)
from vnemis.organisations import access, selectors
from vnemis.organisations.filtersets import SchoolFilterSet
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion
from vnemis.organisations.scope import user_scope


@login_required
@guard_parameters
def orgunit_tree(request: AuthedRequest) -> HttpResponse:
    """Browse the tree one level at a time, in the version chosen (the current one by default)."""
    versions = list(TreeVersion.objects.all())
    version = next((v for v in versions if v.code == request.GET.get("version")), None)
    visible = access.orgunits_for_user(user=request.user)
    unit: OrgUnit | None = None
    code = parse_text_param(request.GET, "unit", max_length=32)
    if code:
        unit = access.orgunit_get_for_user(user=request.user, code=code)
    if version is None:
        # Default: the latest version the unit is placed in; at the top, the version of the
        # user's own unit (a 2022 Phòng officer starts in the 2022 tree).
        if unit is not None:
            placed = {p.version_id for p in unit.placements.all()}
            candidates = [v for v in versions if v.pk in placed]
        else:
            scope = user_scope(request.user)
            own = {p.split(":", 1)[0] for p in scope.paths + scope.teacher_paths}
            candidates = [v for v in versions if v.code in own] or versions
        version = candidates[-1] if candidates else None
    if version is None:
        return render(request, "organisations/orgunit_tree.html", {"versions": versions})
    placement = OrgPlacement.objects.filter(version=version, unit=unit).first() if unit else None
    if unit is not None:
        parent_for_children = unit
    else:
        # Start at the highest units the user may see in this version.
        tops = OrgPlacement.objects.filter(version=version, unit__in=visible.values("id"))
        depth = tops.order_by("depth").values_list("depth", flat=True).first()
        children = (
            tops.filter(depth=depth)
            .select_related("unit")
            .annotate(
                n_children=Count(
                    "unit__child_placements", filter=Q(unit__child_placements__version=version)
                )
            )
            .order_by("unit__code")
            if depth is not None
            else tops.none()
        )
        return render(
            request,
            "organisations/orgunit_tree.html",
            {
                "versions": versions,
                "version": version,
                "unit": None,
                "children": children,
                "ancestors": [],
            },
        )
    children = selectors.placement_children(
        version=version, parent=parent_for_children, visible=visible
    )
    ancestors = []
    if placement is not None:
        codes = placement.path.split(":", 1)[1].rstrip(".").split(".")[:-1]
        by_code = {u.code: u for u in visible.filter(code__in=codes)}
        ancestors = [by_code[c] for c in codes if c in by_code]
    return render(
        request,
        "organisations/orgunit_tree.html",
        {
            "versions": versions,
            "version": version,
            "unit": unit,
            "children": children,
            "ancestors": ancestors,
            "placement": placement,
        },
    )


@login_required
@guard_parameters
def school_list(request: AuthedRequest) -> HttpResponse:
    schools = access.schools_for_user(user=request.user).prefetch_related("groups__group_set")
    filterset = SchoolFilterSet(request.GET, queryset=schools)
    rows = filterset.qs.order_by("code")  # a refused value answers 400 here
    if export_requested(request):
        return export_redirect(request, kind="schools")
    return render(
        request,
        "organisations/school_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, rows, capped=True),
            "query": query_without_page(request),
        },
    )
