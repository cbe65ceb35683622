"""What a user may see: the scope computed from their role assignments.

A scope is a set of subtrees given as materialised placement paths. A role on a unit covers
the unit's subtree in every tree version the unit is placed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Q
from django.utils import timezone

from vnemis.accounts.choices import OFFICER_ROLES, UNMASKED_ROLES, WRITE_ROLES, Role
from vnemis.accounts.models import User, Viewer, signed_in
from vnemis.organisations.choices import LinkKind, OrgUnitKind
from vnemis.organisations.models import (
    OrgPlacement,
    OrgUnit,
    OrgUnitLink,
    OrgUnitQuerySet,
    paths_q,
)

# Which of a scope's subtrees a question is about.
Reach = Literal["paths", "teacher_paths", "unmasked_paths", "write_paths"]


@dataclass(frozen=True)
class Scope:
    """The parts of the tree a user may see, by kind of visibility.

    ``paths``: subtrees where every record is visible (officers, principals).
    ``teacher_paths``: schools where the user teaches; inside them she sees her own classes.
    ``unmasked_paths`` / ``write_paths``: subtrees where personal data is shown in full, and
    where records may be changed.

    This is the one place that turns a scope into query conditions (``units_q``, ``units``,
    ``q``); every access module, export, import and API view asks it.
    """

    paths: tuple[str, ...] = ()
    teacher_paths: tuple[str, ...] = ()
    unmasked_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)
    is_superuser: bool = False
    # Unit ids per reach, read once per scope (a scope lives as long as its request).
    _unit_ids: dict[tuple[Reach, ...], list[int] | None] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )
    _root_paths: list[frozenset[str]] = field(
        default_factory=list, compare=False, repr=False, hash=False
    )

    def q(self, path_field: str = "path", *, which: Reach = "paths") -> Q:
        """Placement paths ``path_field`` lying inside the scope's ``which`` subtrees."""
        return paths_q(getattr(self, which), path_field)

    def reach(self, *which: Reach) -> tuple[str, ...]:
        """The paths of the given reaches together (``paths`` when none is given)."""
        found: set[str] = set()
        for name in which or ("paths",):
            found.update(getattr(self, name))
        return tuple(sorted(found))

    def unit_ids(self, *which: Reach) -> list[int] | None:
        """The ids of the units placed under the reaches, or None when they hold every tree's
        root (the Department's officers hold every unit: no condition is needed)."""
        key = which or ("paths",)
        if key not in self._unit_ids:
            paths = self.reach(*key)
            roots = self._roots()
            if paths and roots and roots <= set(paths):
                self._unit_ids[key] = None
            else:
                self._unit_ids[key] = sorted(
                    set(
                        OrgPlacement.objects.filter(paths_q(paths)).values_list(
                            "unit_id", flat=True
                        )
                    )
                )
        return self._unit_ids[key]

    def _roots(self) -> frozenset[str]:
        """The root paths of every tree version, read once per scope."""
        if not self._root_paths:
            roots = OrgPlacement.objects.filter(depth=0).values_list("path", flat=True)
            self._root_paths.append(frozenset(roots))
        return self._root_paths[0]

    def units_q(self, unit_field: str = "pk", *which: Reach) -> Q:
        """``unit_field`` (a unit id, e.g. ``school_id``) lies in the reaches' subtrees.

        A list of ids rather than a subquery: given the ids, PostgreSQL starts from the scope's
        schools (a district's 280 units). With a subquery it misjudged how many rows the scope
        keeps and walked the province's enrolments in school-code order (120 ms for a district's
        student list). A scope holding every root gives no condition, so the planner reads the
        rows in the list's order instead of testing each against two thousand ids.
        """
        ids = self.unit_ids(*which)
        if ids is None:
            return Q(pk__isnull=False)  # always true, and read as no condition
        return Q(**{f"{unit_field}__in": ids})

    def units(self, *which: Reach) -> OrgUnitQuerySet:
        """The units of the reaches' subtrees."""
        return OrgUnit.objects.filter(self.units_q("pk", *which))

    def top_units(self, *which: Reach) -> OrgUnitQuerySet:
        """The units the reaches start from (a role's own units), not those below them."""
        return OrgUnit.objects.filter(
            pk__in=OrgPlacement.objects.filter(path__in=self.reach(*which)).values("unit_id")
        )

    def units_below(self, *which: Reach) -> OrgUnitQuerySet:
        """The units strictly below the reaches' own units (an office's schools, not itself)."""
        below = OrgPlacement.objects.filter(paths_q(self.reach(*which), strictly=True))
        return OrgUnit.objects.filter(pk__in=below.values("unit_id"))

    def holds_a_root(self) -> bool:
        """Whether the scope holds a whole tree (the Department's officers)."""
        return (
            bool(self.paths) and OrgPlacement.objects.filter(depth=0, path__in=self.paths).exists()
        )

    @property
    def is_officer(self) -> bool:
        return bool(self.paths)

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def covers(self, paths: list[str], *, which: Reach = "paths") -> bool:
        """Whether any of ``paths`` (a unit's placements) lies inside this scope's ``which``."""
        prefixes: tuple[str, ...] = getattr(self, which)
        return any(p.startswith(prefix) for p in paths for prefix in prefixes)


EMPTY_SCOPE = Scope()


def _with_successor_departments(assignments: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A role on a department also covers the department that succeeded it.

    On 1 July 2025 the Sở of old Lào Cai merged into the Sở of the new province; its officers
    keep their role there. Roles on abolished district offices do not pass to the communes.
    """
    links = OrgUnitLink.objects.filter(
        source_id__in=[u for _, u in assignments],
        source__kind=OrgUnitKind.DEPARTMENT,
        kind__in=[LinkKind.MERGED_INTO, LinkKind.SUCCEEDED_BY],
    ).values_list("source_id", "target_id")
    successors: dict[int, list[int]] = {}
    for source, target in links:
        successors.setdefault(source, []).append(target)
    extra = [(role, t) for role, u in assignments for t in successors.get(u, [])]
    return assignments + extra


# The attribute of a user object that keeps its scope for the rest of the request.
_CACHED_SCOPE = "_vnemis_scope"


def scope_assume(*, user: User, scope: Scope) -> None:
    """Have every access function answer for ``scope`` instead of ``user``'s roles, for the
    rest of the request (the user object's life): an API token acts as its issuer, narrowed to
    the token's unit. Give a fresh user object, never ``request.user`` of a page."""
    setattr(user, _CACHED_SCOPE, scope)


def user_scope(user: Viewer | None) -> Scope:
    """The scope of ``user``, computed once per user object (i.e. once per request)."""
    me = signed_in(user)
    if me is None:
        return EMPTY_SCOPE
    cached: Scope | None = getattr(me, _CACHED_SCOPE, None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    assignments = list(
        me.role_assignments.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values_list("role", "org_unit_id")
    )
    assignments = _with_successor_departments(assignments)
    unit_ids = {unit_id for _, unit_id in assignments}
    paths_by_unit: dict[int, list[str]] = {}
    for unit_id, path in OrgPlacement.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "path"
    ):
        paths_by_unit.setdefault(unit_id, []).append(path)

    def paths_for(roles: frozenset[Role]) -> tuple[str, ...]:
        found = {p for role, u in assignments if role in roles for p in paths_by_unit.get(u, [])}
        return tuple(sorted(found))

    if me.is_superuser:
        every = tuple(
            sorted(set(OrgPlacement.objects.filter(depth=0).values_list("path", flat=True)))
        )
        scope = Scope(
            paths=every,
            unmasked_paths=every,
            write_paths=every,
            roles=frozenset(Role.values),
            is_superuser=True,
        )
    else:
        scope = Scope(
            paths=paths_for(OFFICER_ROLES),
            teacher_paths=paths_for(frozenset({Role.TEACHER})),
            unmasked_paths=paths_for(UNMASKED_ROLES),
            write_paths=paths_for(WRITE_ROLES),
            roles=frozenset(role for role, _ in assignments),
        )
    setattr(me, _CACHED_SCOPE, scope)
    return scope
