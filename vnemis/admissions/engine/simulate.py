"""Random rounds for trials, tests and benchmarks, reproducible from a seed.

A simulated round looks like a province's: schools grouped in zones, most wishes in the
candidate's zone, some schools far more wanted than others, exam scores on the 0,25 grid
around a mean of 6, and about four seats for every five candidates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vnemis.admissions.engine.data import Candidates, Round, Schools
from vnemis.admissions.engine.rules import PRESETS, RoundRules, rules_to_dict

SUBJECTS = ("toan", "van", "ngoai_ngu")


def simulate_round(
    *,
    candidates: int,
    schools: int,
    wishes: int,
    seed: int,
    policy: str = "da",
    seats_per_candidate: float = 0.8,
) -> Round:
    """A random round as arrays (what the benchmark allocates without any JSON)."""
    if candidates < 0 or schools < 1 or not 1 <= wishes <= min(schools, 5):
        raise ValueError("need candidates ≥ 0, schools ≥ 1 and 1 ≤ wishes ≤ min(schools, 5)")
    rng = np.random.default_rng(seed)
    preset = {"laocai": "laocai-2025", "hanoi": "hanoi-2025"}.get(policy, "da")
    rules: RoundRules = PRESETS[preset]
    zones = max(1, round(schools**0.5))
    zone_of_school = np.sort(rng.integers(0, zones, schools)).astype(np.int64)
    popularity = rng.pareto(2.0, schools) + 1.0
    weights = popularity / popularity.sum()
    total_seats = max(schools, round(candidates * seats_per_candidate))
    quota = np.maximum(1, np.floor(weights * total_seats * 0.5 + total_seats * 0.5 / schools))
    quota = quota.astype(np.int64)

    first = rng.choice(schools, size=candidates, p=weights).astype(np.int64)
    zone = zone_of_school[first].copy()
    # Later wishes: mostly another school of the candidate's zone, sometimes any school.
    zone_start = np.searchsorted(zone_of_school, np.arange(zones)).astype(np.int64)
    zone_size = np.bincount(zone_of_school, minlength=zones).astype(np.int64)
    chosen = np.full((candidates, wishes), -1, dtype=np.int64)
    chosen[:, 0] = first
    for rank in range(1, wishes):
        local = rng.random(candidates) < 0.9
        pick = np.where(
            local,
            zone_start[zone] + rng.integers(0, 1 << 30, candidates) % zone_size[zone],
            rng.integers(0, schools, candidates),
        )
        # Redraw a few times where the draw repeats an earlier wish, then give the wish up.
        for _attempt in range(8):
            clash = (pick[:, None] == chosen[:, :rank]).any(axis=1)
            if not clash.any():
                break
            pick[clash] = rng.integers(0, schools, int(clash.sum()))
        clash = (pick[:, None] == chosen[:, :rank]).any(axis=1)
        chosen[:, rank] = np.where(clash, -1, pick)
    listed = rng.integers(1, wishes + 1, candidates) if wishes > 1 else np.ones(candidates)
    chosen = np.where(np.arange(wishes)[None, :] < listed[:, None], chosen, -1)
    order = np.argsort(chosen < 0, axis=1, kind="stable")
    chosen = np.take_along_axis(chosen, order, axis=1)

    marks = {
        code: (np.clip(np.round(rng.normal(6.0, 1.8, candidates) * 4), 0, 40) * 25).astype(np.int64)
        for code in SUBJECTS
    }
    total = sum(marks.values(), np.zeros(candidates, dtype=np.int64))
    group = rng.choice(4, size=candidates, p=(0.7, 0.02, 0.03, 0.25))
    priority = np.array([0, 200, 150, 100], dtype=np.int64)[group]
    score = total + priority
    excluded = np.zeros(candidates, dtype=bool)
    if rules.exclude_zero_subject:
        excluded = np.logical_or.reduce([m == 0 for m in marks.values()])
    width = len(str(max(candidates, 1)))
    ids = ["C{}".format(str(i + 1).rjust(width, "0")) for i in range(candidates)]
    school_width = len(str(schools))
    return Round(
        rules=rules,
        schools=Schools(
            codes=["S{}".format(str(i + 1).rjust(school_width, "0")) for i in range(schools)],
            names=[f"Trường {i + 1}" for i in range(schools)],
            quota=quota,
            zone=zone_of_school,
            chuyen=np.zeros(schools, dtype=bool),
            sat_seats=np.full(schools, -1, dtype=np.int64),
        ),
        candidates=Candidates(
            ids=ids,
            score=score,
            wishes=chosen,
            zone=zone,
            priority=priority,
            bonus=np.zeros(candidates, dtype=np.int64),
            subjects_total=total,
            subjects=marks,
            keys={},
            direct=np.full(candidates, -1, dtype=np.int64),
            chuyen_wishes=np.full((candidates, 0), -1, dtype=np.int64),
            chuyen_scores=np.zeros((candidates, 0), dtype=np.int64),
            excluded=excluded,
        ),
        zones=[f"Z{z + 1}" for z in range(zones)],
        name="simulated",
        ids_sorted=True,
    )


def round_to_dict(round_: Round) -> dict[str, Any]:
    """The exchange form of a round (`exchange.read_round` reads it back to the same round)."""
    rules, s, c = round_.rules, round_.schools, round_.candidates
    scale = rules.scale

    def number(units: int) -> float | int:
        return units // scale if units % scale == 0 else units / scale

    zones = round_.zones
    schools = []
    for index, code in enumerate(s.codes):
        school: dict[str, Any] = {"code": code, "quota": int(s.quota[index])}
        if s.names[index] != code:
            school["name"] = s.names[index]
        if s.zone[index] >= 0:
            school["zone"] = zones[int(s.zone[index])]
        if s.chuyen[index]:
            school["stage"] = "chuyen"
        if s.sat_seats[index] >= 0:
            school["sat_seats"] = int(s.sat_seats[index])
        schools.append(school)
    codes = s.codes
    wishes = c.wishes.tolist()
    zone_list = c.zone.tolist()
    marks = {code: column.tolist() for code, column in c.subjects.items()}
    priority = c.priority.tolist()
    groups = {rules.to_units(points): group for group, points in rules.priority_points}
    candidates = []
    for row, cid in enumerate(c.ids):
        item: dict[str, Any] = {
            "id": cid,
            "wishes": [codes[w] for w in wishes[row] if w >= 0],
        }
        if marks and all(column[row] >= 0 for column in marks.values()):
            item["subjects"] = {code: number(column[row]) for code, column in marks.items()}
        if priority[row]:
            item["priority_group"] = groups[priority[row]]
        item["score"] = number(int(c.score[row]))
        if zone_list[row] >= 0 and zone_list[row] < len(zones):
            item["zone"] = zones[zone_list[row]]
        if c.bonus[row]:
            item["bonus"] = number(int(c.bonus[row]))
        if c.direct[row] >= 0:
            item["direct"] = codes[int(c.direct[row])]
        chuyen = [
            {"school": codes[int(w)], "score": number(int(points))}
            for w, points in zip(c.chuyen_wishes[row], c.chuyen_scores[row], strict=True)
            if w >= 0
        ]
        if chuyen:
            item["chuyen"] = chuyen
        extra = {name: float(col[row]) for name, col in c.keys.items() if not np.isnan(col[row])}
        if extra:
            item["keys"] = extra
        candidates.append(item)
    return {
        "format": "vnemis-admissions/1",
        "name": round_.name,
        "rules": rules_to_dict(rules),
        "schools": schools,
        "candidates": candidates,
    }
