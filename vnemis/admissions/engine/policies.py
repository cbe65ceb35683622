"""The allocation of a round: direct admissions, the chuyên stage, then the regular policy.

Order of stages (domain-vn §5.4): tuyển thẳng takes seats off the quota first; the chuyên
programmes are decided next and their rejects go on to the regular stage with their general
scores; the regular stage follows the round's policy:

- ``da``: student-proposing deferred acceptance, every school ranking by the tie-break chain
  (stable, strategy-proof; the oracle tests compare it with the ``matching`` package);
- ``hanoi``: a candidate goes to the best wish w with ĐXT ≥ cut-off(w) + penalty(rank of w),
  computed as deferred acceptance in which school s ranks applicants by ĐXT − penalty(rank of
  s in their list) (⚠ derived in §5.4), an NV1 applicant before a later-wish one at equal
  effective score, then the chain; a candidate admitted to NV1 is never moved;
- ``laocai``: round 1 admits at each school its NV1 applicants (the school where they sat) by
  rank up to the seats of round 1 — for a school with a split quota only the share kept for
  those who sat there; round 2 offers every seat left, the other share included, to the
  candidates not yet admitted by their later wishes in their zone, by rank. Two rounds, not
  deferred acceptance: an NV1 admission is final even if a better candidate is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from vnemis.admissions.engine.data import NO_SCORE, Round
from vnemis.admissions.engine.matching import deferred_acceptance

Int = NDArray[np.int64]
Bool = NDArray[np.bool_]

STAGE_NONE = 0
STAGE_DIRECT = 1
STAGE_CHUYEN = 2
STAGE_ROUND1 = 3  # the regular stage (the only regular round of ``da`` and ``hanoi``)
STAGE_ROUND2 = 4


class AllocationRefused(ValueError):
    """The round's rules and data ask for something the chosen policy does not do."""


@dataclass(frozen=True, slots=True)
class Allocation:
    """Where every candidate ended up and why, in arrays parallel to the round's."""

    policy: str
    school: Int  # index, -1: not placed
    rank: Int  # 0-based rank of the wish that placed the candidate (chuyên or regular), -1
    stage: Int  # STAGE_*
    chain_rank: Int  # 0 = first by the tie-break chain
    tie_group: Int  # equal chain keys (the id aside) share a group
    zone_refused: Bool  # (N, K): wishes not considered because of the zone rules
    cutoff: Int  # per school: the published cut-off in units (NV1 / round 1), NO_SCORE: none
    round2_cutoff: Int  # per school (Lào Cai round 2), NO_SCORE: none
    last: Int  # per school: the candidate admitted last in the stage the cut-off belongs to
    round2_last: Int
    boundary_ties: Int  # per school: candidates admitted or refused together at the boundary
    boundary_group: Int  # per school: the tie group concerned, -1: none

    def admitted_counts(self, schools: int) -> Int:
        placed = self.school[self.school >= 0]
        return np.bincount(placed, minlength=schools).astype(np.int64)


def _id_order(round_: Round) -> Int:
    count = len(round_.candidates)
    if round_.ids_sorted:
        return np.arange(count, dtype=np.int64)
    ids = round_.candidates.ids
    order = np.array(sorted(range(count), key=ids.__getitem__), dtype=np.int64)
    position = np.empty(count, dtype=np.int64)
    position[order] = np.arange(count, dtype=np.int64)
    return position


def _chain_columns(round_: Round) -> list[NDArray[np.float64] | Int]:
    """The chain's keys as sort columns, most significant first, larger = earlier."""
    c = round_.candidates
    columns: list[NDArray[np.float64] | Int] = []
    for key in round_.rules.tie_break:
        if key.key == "score":
            column: NDArray[np.float64] | Int = c.score
        elif key.key == "priority":
            column = c.priority
        elif key.key == "bonus":
            column = c.bonus
        elif key.key == "subjects_total":
            column = c.subjects_total
        elif key.key.startswith("subject:"):
            column = c.subjects[key.key[8:]]
        else:
            # An absent extra key ranks last whatever the direction.
            raw = c.keys.get(key.key[4:], np.full(len(c), np.nan))
            filled = np.where(np.isnan(raw), -np.inf if key.descending else np.inf, raw)
            column = filled
        columns.append(column if key.descending else -column)
    return columns


def chain_order(round_: Round) -> tuple[Int, Int]:
    """(rank, tie group) of every candidate under the tie-break chain, the id closing it."""
    count = len(round_.candidates)
    columns = _chain_columns(round_)
    id_position = _id_order(round_)
    # np.lexsort sorts by the last key first; negate so larger values come first.
    order = np.lexsort((id_position, *[-col for col in reversed(columns)]))
    rank = np.empty(count, dtype=np.int64)
    rank[order] = np.arange(count, dtype=np.int64)
    if count:
        changed = np.zeros(count, dtype=bool)
        changed[0] = True
        for col in columns:
            ordered = col[order]
            changed[1:] |= ordered[1:] != ordered[:-1]
        group_sorted = np.cumsum(changed) - 1
    else:
        group_sorted = np.empty(0, dtype=np.int64)
    group = np.empty(count, dtype=np.int64)
    group[order] = group_sorted
    return rank, group


def _zone_filter(round_: Round) -> tuple[Int, Bool]:
    """The regular wishes still considered, in order, and which were refused by zone."""
    c, s, rules = round_.candidates, round_.schools, round_.rules
    wishes = c.wishes
    count, width = wishes.shape
    refused = np.zeros((count, width), dtype=bool)
    if not width:
        return wishes, refused
    listed = (wishes >= 0).sum(axis=1)
    for rank in range(width):
        present = wishes[:, rank] >= 0
        home_rule = np.array([rules.zone_rule(rank, n) == "home" for n in range(width + 1)])
        needs_home = home_rule[listed] & present
        school_zone = s.zone[np.where(present, wishes[:, rank], 0)]
        refused[:, rank] = needs_home & (c.zone >= 0) & (school_zone != c.zone)
    kept = np.where(refused, -1, wishes)
    # Close the gaps a refused wish leaves, keeping the order (stable sort on "is empty").
    order = np.argsort(kept < 0, axis=1, kind="stable")
    return np.take_along_axis(kept, order, axis=1), refused


def _compact_rank(original: Int, compacted: Int, placed: Int) -> Int:
    """Map a rank in the compacted wish list back to the rank in the candidate's own list."""
    result = np.full(placed.shape[0], -1, dtype=np.int64)
    rows = np.flatnonzero(placed >= 0)
    school = compacted[rows, placed[rows]]
    result[rows] = np.argmax(original[rows] == school[:, None], axis=1)
    return result


def _stage_cutoff(
    schools: int, school: Int, score: Int, chain_rank: Int, mask: Bool
) -> tuple[Int, Int]:
    """Per school: the lowest admitted score in a stage and who was admitted last."""
    cutoff = np.full(schools, NO_SCORE, dtype=np.int64)
    last = np.full(schools, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    if rows.size:
        # The last admitted is the worst by the chain among the school's admitted.
        order = rows[np.lexsort((chain_rank[rows], school[rows]))]
        ends = np.flatnonzero(np.concatenate((school[order][1:] != school[order][:-1], [True])))
        worst = order[ends]
        last[school[worst]] = worst
        cutoff[school[worst]] = score[worst]
    return cutoff, last


def allocate(round_: Round) -> Allocation:
    """Place every candidate of the round; deterministic for the same round."""
    rules, c, s = round_.rules, round_.candidates, round_.schools
    count, schools = len(c), len(s)
    if rules.policy not in ("da", "hanoi", "laocai"):
        raise AllocationRefused(_("Unknown policy {name}.").format(name=rules.policy))
    if rules.policy != "laocai" and bool((s.sat_seats >= 0).any()):
        raise AllocationRefused(
            _(
                "Split quotas (seats kept for the candidates who sat at a school) apply only "
                "under the Lào Cai policy."
            )
        )
    chain_rank, tie_group = chain_order(round_)
    # Priority by the chain as a key: larger is better, distinct per candidate.
    chain_key = (count - chain_rank).astype(np.int64)

    school = np.full(count, -1, dtype=np.int64)
    rank = np.full(count, -1, dtype=np.int64)
    stage = np.zeros(count, dtype=np.int64)
    remaining = s.quota.copy()
    sat_left = s.sat_seats.copy()

    # Tuyển thẳng: off the quota (and off the share of those who sat there) first.
    direct = np.flatnonzero(c.direct >= 0)
    school[direct] = c.direct[direct]
    stage[direct] = STAGE_DIRECT
    taken = np.bincount(c.direct[direct], minlength=schools).astype(np.int64)
    remaining = np.maximum(remaining - taken, 0)
    sat_left = np.where(sat_left >= 0, np.maximum(sat_left - taken, 0), -1)

    eligible = (school < 0) & ~c.excluded

    # The chuyên stage: its own scores per wish, then the chain.
    if c.chuyen_wishes.shape[1]:
        wishes = np.where(eligible[:, None], c.chuyen_wishes, -1)
        keys = np.where(
            wishes >= 0, (np.maximum(c.chuyen_scores, 0) + 1) * (count + 1) + chain_key[:, None], 0
        )
        placed, placed_rank = deferred_acceptance(wishes, keys, np.where(s.chuyen, remaining, 0))
        won = placed >= 0
        school[won], rank[won], stage[won] = placed[won], placed_rank[won], STAGE_CHUYEN
        remaining -= np.bincount(placed[won], minlength=schools)
        eligible &= ~won

    regular, zone_refused = _zone_filter(round_)
    regular = np.where(eligible[:, None], regular, -1)
    regular = np.where((regular >= 0) & ~s.chuyen[np.maximum(regular, 0)], regular, -1)
    width = regular.shape[1]
    round2_cutoff = np.full(schools, NO_SCORE, dtype=np.int64)
    round2_last = np.full(schools, -1, dtype=np.int64)
    boundary = np.zeros(schools, dtype=np.int64)
    boundary_group = np.full(schools, -1, dtype=np.int64)
    capacity = np.where(s.chuyen, 0, remaining)

    if rules.policy == "da":
        keys = np.repeat(chain_key[:, None], width, axis=1)
        placed, placed_rank = deferred_acceptance(regular, keys, capacity)
        won = placed >= 0
        school[won], stage[won] = placed[won], STAGE_ROUND1
        rank[won] = _compact_rank(c.wishes, regular, placed_rank)[won]
        cutoff, last = _stage_cutoff(schools, school, c.score, chain_rank, stage == STAGE_ROUND1)
    elif rules.policy == "hanoi":
        original_rank = np.argmax(
            c.wishes[:, :, None] == regular[:, None, :], axis=1
        )  # (N, K): the rank in the candidate's own list of each compacted wish
        penalty = np.array(
            [rules.to_units(rules.penalty(r)) for r in range(max(width, 1))], dtype=np.int64
        )
        offset = int(penalty.max()) if width else 0
        effective = c.score[:, None] - penalty[original_rank] + offset
        keys = (
            (np.maximum(effective, 0) * (width + 1) + (width - original_rank)) * (count + 1)
        ) + (chain_key[:, None])
        keys = np.where(regular >= 0, keys, 0)
        placed, placed_rank = deferred_acceptance(regular, keys, capacity)
        won = placed >= 0
        school[won], stage[won] = placed[won], STAGE_ROUND1
        rank[won] = _compact_rank(c.wishes, regular, placed_rank)[won]
        # The NV1 cut-off: the lowest effective score admitted, i.e. ĐXT − penalty of its wish.
        effective_placed = np.full(count, NO_SCORE, dtype=np.int64)
        rows = np.flatnonzero(won)
        effective_placed[rows] = c.score[rows] - penalty[rank[rows]]
        order_key = np.full(count, 0, dtype=np.int64)
        order_key[rows] = -keys[rows, placed_rank[rows]]
        cutoff, last = _stage_cutoff(schools, school, effective_placed, order_key, won)
    else:
        cutoff, last, round2_cutoff, round2_last, boundary, boundary_group = _laocai(
            round_,
            regular,
            chain_key,
            chain_rank,
            tie_group,
            capacity,
            sat_left,
            school,
            rank,
            stage,
        )

    if c.chuyen_wishes.shape[1]:
        chuyen_rows = np.flatnonzero(stage == STAGE_CHUYEN)
        chuyen_placed = np.full(count, NO_SCORE, dtype=np.int64)
        chuyen_placed[chuyen_rows] = c.chuyen_scores[chuyen_rows, rank[chuyen_rows]]
        order_key = np.zeros(count, dtype=np.int64)
        order_key[chuyen_rows] = -(
            chuyen_placed[chuyen_rows] * (count + 1) + chain_key[chuyen_rows]
        )
        chuyen_cutoff, chuyen_last = _stage_cutoff(
            schools, school, chuyen_placed, order_key, stage == STAGE_CHUYEN
        )
        cutoff = np.where(s.chuyen, chuyen_cutoff, cutoff)
        last = np.where(s.chuyen, chuyen_last, last)

    return Allocation(
        policy=rules.policy,
        school=school,
        rank=rank,
        stage=stage,
        chain_rank=chain_rank,
        tie_group=tie_group,
        zone_refused=zone_refused,
        cutoff=cutoff,
        round2_cutoff=round2_cutoff,
        last=last,
        round2_last=round2_last,
        boundary_ties=boundary,
        boundary_group=boundary_group,
    )


def _laocai(
    round_: Round,
    regular: Int,
    chain_key: Int,
    chain_rank: Int,
    tie_group: Int,
    capacity: Int,
    sat_left: Int,
    school: Int,
    rank: Int,
    stage: Int,
) -> tuple[Int, Int, Int, Int, Int, Int]:
    """Round 1 at the school sat (NV1), then round 2 for the seats left; fills the arrays."""
    rules, c = round_.rules, round_.candidates
    count, schools = len(c), len(round_.schools)
    first = c.wishes[:, 0] if c.wishes.shape[1] else np.full(count, -1, dtype=np.int64)
    # NV1 is the school sat; it counts only if the filters above kept it as the first wish.
    if regular.shape[1]:
        nv1 = np.where((regular[:, 0] >= 0) & (regular[:, 0] == first), first, -1)
    else:
        nv1 = np.full(count, -1, dtype=np.int64)
    seats1 = np.where(sat_left >= 0, np.minimum(sat_left, capacity), capacity)
    placed, _rank = deferred_acceptance(nv1[:, None], chain_key[:, None], seats1)
    won = placed >= 0
    boundary = np.zeros(schools, dtype=np.int64)
    boundary_group = np.full(schools, -1, dtype=np.int64)
    if rules.boundary != "chain":
        won, boundary, boundary_group = _boundary(
            nv1, won, chain_rank, tie_group, rules.boundary, schools
        )
    school[won], rank[won], stage[won] = nv1[won], 0, STAGE_ROUND1
    cutoff, last = _stage_cutoff(schools, school, c.score, chain_rank, stage == STAGE_ROUND1)

    round2_cutoff = np.full(schools, NO_SCORE, dtype=np.int64)
    round2_last = np.full(schools, -1, dtype=np.int64)
    if rules.second_round and regular.shape[1] > 1:
        admitted = np.bincount(school[won], minlength=schools).astype(np.int64)
        seats2 = np.maximum(capacity - admitted, 0)
        later = np.where((school < 0)[:, None], regular, -1)
        # The wishes after NV1: drop the first column where it is the candidate's NV1.
        later = np.where(
            (np.arange(later.shape[1])[None, :] == 0) & (later[:, :1] == first[:, None]),
            -1,
            later,
        )
        order = np.argsort(later < 0, axis=1, kind="stable")
        later = np.take_along_axis(later, order, axis=1)
        keys = np.repeat(chain_key[:, None], later.shape[1], axis=1)
        placed2, placed_rank2 = deferred_acceptance(later, keys, seats2)
        won2 = placed2 >= 0
        school[won2], stage[won2] = placed2[won2], STAGE_ROUND2
        rank[won2] = _compact_rank(c.wishes, later, placed_rank2)[won2]
        round2_cutoff, round2_last = _stage_cutoff(
            schools, school, c.score, chain_rank, stage == STAGE_ROUND2
        )
    return cutoff, last, round2_cutoff, round2_last, boundary, boundary_group


def _boundary(
    nv1: Int, won: Bool, chain_rank: Int, tie_group: Int, rule: str, schools: int
) -> tuple[Bool, Int, Int]:
    """Admit all or none of the candidates tied with the last admitted at a full school."""
    won = won.copy()
    changed = np.zeros(schools, dtype=np.int64)
    groups = np.full(schools, -1, dtype=np.int64)
    applicants = np.flatnonzero(nv1 >= 0)
    if not applicants.size:
        return won, changed, groups
    order = applicants[np.lexsort((chain_rank[applicants], nv1[applicants]))]
    by_school = nv1[order]
    starts = np.flatnonzero(np.concatenate(([True], by_school[1:] != by_school[:-1])))
    ends = np.concatenate((starts[1:], [order.size]))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        rows = order[start:end]
        inside = rows[won[rows]]
        outside = rows[~won[rows]]
        if not inside.size or not outside.size:
            continue
        group = tie_group[inside[-1]]
        if tie_group[outside[0]] != group:
            continue
        tied = rows[tie_group[rows] == group]
        won[tied] = rule == "admit_all"
        changed[by_school[start]] = tied.size
        groups[by_school[start]] = group
    return won, changed, groups
