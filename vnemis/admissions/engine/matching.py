"""Student-proposing deferred acceptance on arrays (Gale & Shapley 1962; Abdulkadiroğlu &
Sönmez 2003), the one placement primitive every policy of the engine is built from.

The proposals of one round are resolved together: every candidate not held anywhere proposes
to the next school on the list, every school keeps the best applicants up to its capacity
among those it held and the new ones, and rejects the rest. With strict priorities this gives
the student-optimal stable matching, the same matching the sequential version gives
(the order of proposals does not change the outcome; Gale & Shapley 1962, Dubins & Freedman
1981). Each round sorts only the applicants of the schools that received proposals.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Int = NDArray[np.int64]

# Keys and candidate numbers are packed into one int64 sort key: school (bits 43–62), the
# inverted priority (bits 0–42). Priorities must therefore stay below 2 ** 43.
_KEY_BITS = 43
MAX_KEY = (1 << _KEY_BITS) - 1
MAX_SCHOOLS = 1 << (62 - _KEY_BITS)


def deferred_acceptance(wishes: Int, keys: Int, capacity: Int) -> tuple[Int, Int]:
    """Place candidates by their wish lists.

    ``wishes`` is (N, K): school indexes in order of preference, -1 after the last wish.
    ``keys`` is (N, K): the candidate's priority at that wish's school, larger is better, all
    distinct within a school (break ties before calling), 0 ≤ key ≤ MAX_KEY.
    ``capacity`` is (S,): seats per school, ≥ 0.

    Returns (school, rank) per candidate: the school index and the 0-based rank of the wish
    that holds the seat, or -1 and -1 for a candidate placed nowhere.
    """
    count, width = wishes.shape
    schools = capacity.shape[0]
    if schools >= MAX_SCHOOLS:
        raise ValueError("too many schools for one allocation")
    if count and (keys.min() < 0 or keys.max() > MAX_KEY):
        raise ValueError("priority keys out of range")
    rank = np.zeros(count, dtype=np.int64)
    # Seats currently held: candidate, school, key.
    held_c = np.empty(0, dtype=np.int64)
    held_s = np.empty(0, dtype=np.int64)
    held_k = np.empty(0, dtype=np.int64)
    active = np.flatnonzero(wishes[:, 0] >= 0) if width else np.empty(0, dtype=np.int64)
    touched = np.zeros(schools, dtype=bool)
    while active.size:
        new_s = wishes[active, rank[active]].astype(np.int64)
        new_k = keys[active, rank[active]]
        touched[:] = False
        touched[new_s] = True
        # Only the schools that received proposals may change what they hold.
        moving = touched[held_s]
        pool_c = np.concatenate((held_c[moving], active))
        pool_s = np.concatenate((held_s[moving], new_s))
        pool_k = np.concatenate((held_k[moving], new_k))
        order = np.argsort((pool_s << _KEY_BITS) | (MAX_KEY - pool_k), kind="stable")
        sorted_s = pool_s[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_s[1:] != sorted_s[:-1])))
        lengths = np.diff(np.concatenate((starts, [sorted_s.size])))
        place = np.arange(sorted_s.size) - np.repeat(starts, lengths)
        keep = place < capacity[sorted_s]
        kept = order[keep]
        rejected = pool_c[order[~keep]]
        stay = ~moving
        held_c = np.concatenate((held_c[stay], pool_c[kept]))
        held_s = np.concatenate((held_s[stay], pool_s[kept]))
        held_k = np.concatenate((held_k[stay], pool_k[kept]))
        rank[rejected] += 1
        rejected = rejected[rank[rejected] < width]
        active = rejected[wishes[rejected, rank[rejected]] >= 0]
    school = np.full(count, -1, dtype=np.int64)
    school[held_c] = held_s
    placed_rank = np.full(count, -1, dtype=np.int64)
    placed_rank[held_c] = rank[held_c]
    return school, placed_rank
