"""What a user may see: the scope computed from their role assignments.

A scope is a set of subtrees given as materialised placement paths. A role on a unit covers
the unit's subtree in every tree version the unit is placed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from vnemis.accounts.choices import OFFICER_ROLES, UNMASKED_ROLES, WRITE_ROLES, Role
from vnemis.organisations.choices import LinkKind, OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnitLink


@dataclass(frozen=True)
class Scope:
    """The parts of the tree a user may see, by kind of visibility.

    ``paths``: subtrees where every record is visible (officers, principals).
    ``teacher_paths``: schools where the user teaches; inside them she sees her own classes.
    ``unmasked_paths`` / ``write_paths``: subtrees where personal data is shown in full, and
    where records may be changed.
    """

    paths: tuple[str, ...] = ()
    teacher_paths: tuple[str, ...] = ()
    unmasked_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)
    is_superuser: bool = False

    @staticmethod
    def _match(paths: tuple[str, ...], path_field: str) -> Q:
        # An empty scope matches nothing, not everything.
        match = Q(pk__in=[])
        for path in paths:
            match |= Q(**{f"{path_field}__startswith": path})
        return match

    def q(self, path_field: str = "path") -> Q:
        return self._match(self.paths, path_field)

    @property
    def is_officer(self) -> bool:
        return bool(self.paths)

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def covers(self, paths: list[str], *, which: str = "paths") -> bool:
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


def user_scope(user: Any) -> Scope:
    """The scope of ``user``, computed once per user object (i.e. once per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    cached: Scope | None = getattr(user, "_vnemis_scope", None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    assignments = list(
        user.role_assignments.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
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

    if user.is_superuser:
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
    user._vnemis_scope = scope
    return scope
