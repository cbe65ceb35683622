"""Independent checkers and naive reference allocations, written from the rule texts.

They read the exchange documents (dicts), never the engine's arrays, and are deliberately
simple (plain loops, no numpy), so a mistake in the engine's vectorised code cannot hide
behind the same mistake here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

PRIORITY = {0: Decimal(0), 1: Decimal("2.0"), 2: Decimal("1.5"), 3: Decimal("1.0")}


def chain_key(candidate: Mapping[str, Any]) -> tuple[Any, ...]:
    """Sort key for the chain "score desc, priority desc", the id ascending closing it."""
    return (
        -Decimal(str(candidate["score"])),
        -PRIORITY[candidate.get("priority_group") or 0],
        str(candidate["id"]),
    )


def tie_tuple(candidate: Mapping[str, Any]) -> tuple[Any, ...]:
    return chain_key(candidate)[:-1]


def zone_ok(document: Mapping[str, Any], candidate: Mapping[str, Any], rank: int) -> bool:
    rules = document.get("rules") or {}
    zones = rules.get("wish_zones") or []
    listed = len(candidate["wishes"])
    rule = zones[rank] if rank < len(zones) else "any"
    if rules.get("last_wish_any_zone") and rank == listed - 1:
        rule = "any"
    if rule == "any" or not candidate.get("zone"):
        return True
    school_zone = {s["code"]: s.get("zone") for s in document["schools"]}
    return bool(school_zone[candidate["wishes"][rank]] == candidate["zone"])


def usable_wishes(document: Mapping[str, Any], candidate: Mapping[str, Any]) -> list[str]:
    return [w for r, w in enumerate(candidate["wishes"]) if zone_ok(document, candidate, r)]


def penalty(document: Mapping[str, Any], rank: int) -> Decimal:
    penalties = (document.get("rules") or {}).get("wish_penalties") or []
    return Decimal(str(penalties[rank])) if rank < len(penalties) else Decimal(0)


def naive_da(
    candidates: list[Mapping[str, Any]],
    wishes: dict[str, list[str]],
    quota: dict[str, int],
    priority: Any,
) -> dict[str, str | None]:
    """Sequential student-proposing DA: one proposal at a time from a queue.

    ``priority(candidate, school)`` returns a sort key, smaller is better.
    """
    by_id = {str(c["id"]): c for c in candidates}
    held: dict[str, list[str]] = {s: [] for s in quota}
    next_wish = dict.fromkeys(by_id, 0)
    queue = [cid for cid in by_id if wishes.get(cid)]
    while queue:
        cid = queue.pop()
        options = wishes[cid]
        if next_wish[cid] >= len(options):
            continue
        school = options[next_wish[cid]]
        next_wish[cid] += 1
        held[school].append(cid)
        held[school].sort(key=lambda other: priority(by_id[other], school))
        if len(held[school]) > quota[school]:
            out = held[school].pop()
            queue.append(out)
    result: dict[str, str | None] = dict.fromkeys(by_id)
    for school, ids in held.items():
        for cid in ids:
            result[cid] = school
    return result


def reference_da(document: Mapping[str, Any]) -> dict[str, str | None]:
    candidates = document["candidates"]
    quota = {s["code"]: s["quota"] for s in document["schools"]}
    wishes = {str(c["id"]): usable_wishes(document, c) for c in candidates}
    return naive_da(candidates, wishes, quota, lambda c, s: chain_key(c))


def reference_hanoi(document: Mapping[str, Any]) -> dict[str, str | None]:
    """DA where school s ranks by ĐXT − penalty(rank of s), an NV1 applicant first, then chain."""
    candidates = document["candidates"]
    quota = {s["code"]: s["quota"] for s in document["schools"]}
    wishes = {str(c["id"]): usable_wishes(document, c) for c in candidates}

    def priority(candidate: Mapping[str, Any], school: str) -> tuple[Any, ...]:
        rank = list(candidate["wishes"]).index(school)
        effective = Decimal(str(candidate["score"])) - penalty(document, rank)
        return (-effective, rank, *chain_key(candidate))

    return naive_da(candidates, wishes, quota, priority)


def reference_laocai(document: Mapping[str, Any]) -> dict[str, str | None]:
    """Lào Cai as the plan reads: NV1 at the school sat by rank (a split school keeps its share
    for those who sat there), then every seat left to the others by later wishes in the zone."""
    candidates = sorted(document["candidates"], key=chain_key)
    quota = {s["code"]: s["quota"] for s in document["schools"]}
    sat = {s["code"]: s["sat_seats"] for s in document["schools"] if s.get("sat_seats") is not None}
    result: dict[str, str | None] = {str(c["id"]): None for c in candidates}
    admitted = dict.fromkeys(quota, 0)
    for candidate in candidates:
        if not candidate["wishes"] or not zone_ok(document, candidate, 0):
            continue
        school = candidate["wishes"][0]
        seats = sat.get(school, quota[school])
        if admitted[school] < seats:
            admitted[school] += 1
            result[str(candidate["id"])] = school
    left = {s: quota[s] - admitted[s] for s in quota}
    rest = [c for c in candidates if result[str(c["id"])] is None]
    later = {
        str(c["id"]): [w for r, w in enumerate(c["wishes"]) if r > 0 and zone_ok(document, c, r)]
        for c in rest
    }
    second = naive_da(rest, later, left, lambda c, s: chain_key(c))
    for cid, school in second.items():
        if school is not None:
            result[cid] = school
    return result


def check_capacity(document: Mapping[str, Any], assignments: Mapping[str, str | None]) -> None:
    quota = {s["code"]: s["quota"] for s in document["schools"]}
    counts: dict[str, int] = {}
    for school in assignments.values():
        if school is not None:
            counts[school] = counts.get(school, 0) + 1
    for school, count in counts.items():
        assert count <= quota[school], (school, count, quota[school])


def check_listed(document: Mapping[str, Any], assignments: Mapping[str, str | None]) -> None:
    for candidate in document["candidates"]:
        school = assignments[str(candidate["id"])]
        if school is not None:
            assert school in usable_wishes(document, candidate), (candidate["id"], school)


def check_stable(
    document: Mapping[str, Any],
    assignments: Mapping[str, str | None],
    priority: Any,
) -> None:
    """No justified envy and no waste: nobody prefers a school that has a free seat or that
    admitted someone it ranks lower."""
    quota = {s["code"]: s["quota"] for s in document["schools"]}
    members: dict[str, list[Mapping[str, Any]]] = {s: [] for s in quota}
    by_id = {str(c["id"]): c for c in document["candidates"]}
    for cid, school in assignments.items():
        if school is not None:
            members[school].append(by_id[cid])
    for candidate in document["candidates"]:
        options = usable_wishes(document, candidate)
        mine = assignments[str(candidate["id"])]
        better = options[: options.index(mine)] if mine in options else options
        for school in better:
            assert len(members[school]) >= quota[school], ("waste", candidate["id"], school)
            worst = max(priority(m, school) for m in members[school]) if members[school] else None
            if worst is not None:
                assert priority(candidate, school) > worst, ("envy", candidate["id"], school)
