"""The index of one tree version: which unit sits at which path, for walking up the tree.

Building it reads every placement of the version (about 2.000 rows for a province), so it is
built once per version and kept in the process; each use checks, in one small aggregate
query, that the version's placements are still those it was built from (placements are
created and deleted, never moved: a new hierarchy is a new version). Questions about one unit
(the units above it) do not need the index: ``unit_chain`` reads them along its own path.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Max

from vnemis.organisations.models import PATH_SEPARATOR, OrgPlacement, TreeVersion


def ancestor_paths(path: str) -> list[str]:
    """The paths from the root down to ``path`` itself: "2022:A.B." → ["2022:A.", "2022:A.B."]."""
    head, _, rest = path.partition(":")
    parts = rest.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)
    return [
        f"{head}:{PATH_SEPARATOR.join(parts[: i + 1])}{PATH_SEPARATOR}" for i in range(len(parts))
    ]


@dataclass(frozen=True)
class TreeIndex:
    """The placements of one tree version, for walking from a unit up to the root."""

    version_id: int
    path_of: Mapping[int, str]
    unit_at: Mapping[str, int]

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.path_of

    def ancestors_and_self(self, unit_id: int) -> list[int]:
        """The unit and every unit above it, root first, or [] when it is not in this version."""
        path = self.path_of.get(unit_id)
        if path is None:
            return []
        return [u for p in ancestor_paths(path) if (u := self.unit_at.get(p)) is not None]


_Stamp = tuple[int, int | None, object]
_BUILT: dict[int, tuple[_Stamp, TreeIndex]] = {}
_LOCK = threading.Lock()


def _stamp(version_id: int) -> _Stamp:
    found = OrgPlacement.objects.filter(version_id=version_id).aggregate(
        n=Count("id"), last_id=Max("id"), last_change=Max("updated_at")
    )
    return (found["n"], found["last_id"], found["last_change"])


def tree_index(version: TreeVersion) -> TreeIndex:
    """The index of ``version``, built once and rebuilt when its placements change."""
    stamp = _stamp(version.pk)
    with _LOCK:
        cached = _BUILT.get(version.pk)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    path_of: dict[int, str] = {}
    unit_at: dict[str, int] = {}
    for unit_id, path in OrgPlacement.objects.filter(version_id=version.pk).values_list(
        "unit_id", "path"
    ):
        path_of[unit_id] = path
        unit_at[path] = unit_id
    index = TreeIndex(version_id=version.pk, path_of=path_of, unit_at=unit_at)
    with _LOCK:
        _BUILT[version.pk] = (stamp, index)
    return index


def unit_chain(*, unit_id: int, version: TreeVersion) -> list[int]:
    """``unit_id`` and the units above it in ``version``, root first ([] when it is not placed
    there), read along the unit's own path: two small queries, whatever the tree's size."""
    path = (
        OrgPlacement.objects.filter(version=version, unit_id=unit_id)
        .values_list("path", flat=True)
        .first()
    )
    if path is None:
        return []
    wanted = ancestor_paths(path)
    at = dict(
        OrgPlacement.objects.filter(path__in=wanted).values_list("path", "unit_id").order_by()
    )
    return [at[p] for p in wanted if p in at]
