"""The round exchange format: a round in and a result out as JSON (docs/modules/admissions.md).

The smallest round the engine reads::

    {"schools": [{"code": "S1", "quota": 40}],
     "candidates": [{"id": "C1", "score": 27.25, "wishes": ["S1", "S2"]}]}

With only these fields ties are broken by candidate id ascending (as strings). The optional
fields (``rules``; school ``name``, ``zone``, ``stage``, ``sat_share``/``sat_seats``;
candidate ``subjects``, ``priority_group``, ``bonus``, ``zone``, ``direct``, ``chuyen``,
``keys``) are described in the module documentation. Every problem of a file is reported at
once, each naming the school or candidate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from vnemis.admissions.engine.data import (
    NO_SCORE,
    STAGE_CHUYEN,
    STAGE_REGULAR,
    Candidates,
    Round,
    RoundInvalid,
    Schools,
)
from vnemis.admissions.engine.policies import (
    STAGE_CHUYEN as PLACED_CHUYEN,
)
from vnemis.admissions.engine.policies import (
    STAGE_DIRECT,
    STAGE_ROUND1,
    STAGE_ROUND2,
    Allocation,
)
from vnemis.admissions.engine.rules import MAX_WISHES, RoundRules, RulesInvalid, rules_from_dict
from vnemis.admissions.engine.scoring import admission_score, chuyen_score, subjects_total

FORMAT = "vnemis-admissions/1"
MAX_MESSAGES = 100
MAX_SCORE = 1000
STAGE_NAMES = {
    STAGE_DIRECT: "direct",
    PLACED_CHUYEN: "chuyen",
    STAGE_ROUND1: "round1",
    STAGE_ROUND2: "round2",
}


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.count:
            messages = list(self.messages)
            if self.count > len(messages):
                messages.append(_("… and {n} more problems.").format(n=self.count - len(messages)))
            raise RoundInvalid(messages)


def _units(value: Any, scale: int) -> int | None:
    """A JSON number in engine units, or None when it is not a number on the round's grid."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str):
        try:
            number = float(Decimal(value))
        except ArithmeticError:
            return None
    else:
        number = float(value)
    if not math.isfinite(number) or number < 0 or number > MAX_SCORE:
        return None
    units = round(number * scale)
    return units if abs(number * scale - units) < 1e-6 else None


def _decimal(units: int, rules: RoundRules) -> Decimal:
    return Decimal(units).scaleb(-rules.score_decimals)


def _schools(raw: Any, problems: _Problems) -> tuple[Schools, list[str]]:
    codes: list[str] = []
    names: list[str] = []
    quota: list[int] = []
    zones: list[str] = []
    chuyen: list[bool] = []
    sat: list[int] = []
    if not isinstance(raw, list) or not raw:
        problems.add(_('"schools" must be a non-empty list.'))
        raw = []
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping) or not str(item.get("code", "")).strip():
            problems.add(_("School {n} needs a code.").format(n=index))
            continue
        code = str(item["code"]).strip()
        if code in seen:
            problems.add(_("School {code} is listed twice.").format(code=code))
            continue
        seen.add(code)
        seats = item.get("quota")
        if isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
            problems.add(
                _("The quota of school {code} must be a whole number ≥ 0.").format(code=code)
            )
            seats = 0
        stage = item.get("stage", STAGE_REGULAR)
        if stage not in (STAGE_REGULAR, STAGE_CHUYEN):
            problems.add(
                _('The stage of school {code} must be "regular" or "chuyen".').format(code=code)
            )
        kept = -1
        if item.get("sat_seats") is not None:
            value = item["sat_seats"]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= seats:
                problems.add(
                    _("The seats kept at school {code} must be 0 to its quota.").format(code=code)
                )
            else:
                kept = value
        elif item.get("sat_share") is not None:
            share = item["sat_share"]
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
                problems.add(
                    _("The share kept at school {code} must be between 0 and 1.").format(code=code)
                )
            else:
                # ⚠ The share of a quota that is not a whole number of seats is rounded half up.
                kept = int(
                    (Decimal(seats) * Decimal(str(share))).quantize(Decimal(1), ROUND_HALF_UP)
                )
        codes.append(code)
        names.append(str(item.get("name") or code))
        quota.append(seats)
        zones.append(str(item.get("zone") or ""))
        chuyen.append(stage == STAGE_CHUYEN)
        sat.append(kept)
    zone_names = sorted({z for z in zones if z})
    zone_index = {z: i for i, z in enumerate(zone_names)}
    schools = Schools(
        codes=codes,
        names=names,
        quota=np.array(quota, dtype=np.int64),
        zone=np.array([zone_index.get(z, -1) for z in zones], dtype=np.int64),
        chuyen=np.array(chuyen, dtype=bool),
        sat_seats=np.array(sat, dtype=np.int64),
    )
    return schools, zone_names


def _bare_rules(data: Mapping[str, Any], policy: Any) -> dict[str, Any]:
    """The rules of a file that states none: as many wishes as its longest list, the
    policy's own wish rule (Hà Nội: NV2 needs the NV1 cut-off + 1,0, NV3 + 2,0), and the
    score alone before the id in the tie-break chain."""
    raw = data.get("candidates")
    longest = (
        max(
            (
                len(c["wishes"])
                for c in raw
                if isinstance(c, Mapping) and isinstance(c.get("wishes"), list)
            ),
            default=1,
        )
        if isinstance(raw, list)
        else 1
    )
    count = min(max(longest, 1), MAX_WISHES)
    bare: dict[str, Any] = {"wish_count": count, "tie_break": ["score desc"]}
    if policy == "hanoi":
        bare["wish_penalties"] = [0, 1.0, 2.0, 3.0, 4.0][:count]
    return bare


def read_round(data: Any, *, policy: str | None = None) -> Round:
    """A round from its exchange form; `RoundInvalid` or `RulesInvalid` list every problem."""
    if not isinstance(data, Mapping):
        raise RoundInvalid([_("The round must be a JSON object.")])
    raw_rules = dict(data.get("rules") or {})
    if policy is not None:
        raw_rules["policy"] = policy
    if not data.get("rules"):
        raw_rules.update(_bare_rules(data, raw_rules.get("policy", "da")))
    rules = rules_from_dict(raw_rules)
    problems = _Problems()
    schools, zone_names = _schools(data.get("schools"), problems)
    code_index = {code: i for i, code in enumerate(schools.codes)}
    zone_index = {z: i for i, z in enumerate(zone_names)}
    raw = data.get("candidates")
    if not isinstance(raw, list):
        problems.add(_('"candidates" must be a list.'))
        raw = []
    count = len(raw)
    scale = rules.scale
    width = rules.wish_count
    subject_codes = [s.code for s in rules.subjects]

    ids: list[str] = []
    score = np.full(count, NO_SCORE, dtype=np.int64)
    wishes = np.full((count, width), -1, dtype=np.int64)
    zone = np.full(count, -1, dtype=np.int64)
    priority = np.zeros(count, dtype=np.int64)
    bonus = np.zeros(count, dtype=np.int64)
    total = np.full(count, NO_SCORE, dtype=np.int64)
    subjects = {code: np.full(count, NO_SCORE, dtype=np.int64) for code in subject_codes}
    keys: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}
    direct = np.full(count, -1, dtype=np.int64)
    chuyen_width = max(
        (len(c.get("chuyen") or []) for c in raw if isinstance(c, Mapping)), default=0
    )
    chuyen_wishes = np.full((count, chuyen_width), -1, dtype=np.int64)
    chuyen_scores = np.zeros((count, chuyen_width), dtype=np.int64)
    excluded = np.zeros(count, dtype=bool)
    seen: set[str] = set()

    for row, item in enumerate(raw):
        if not isinstance(item, Mapping) or item.get("id") in (None, ""):
            problems.add(_("Candidate {n} needs an id.").format(n=row + 1))
            ids.append(f"#{row + 1}")
            continue
        cid = str(item["id"])
        ids.append(cid)
        if cid in seen:
            problems.add(_("Candidate {id} is listed twice.").format(id=cid))
        seen.add(cid)

        listed = item.get("wishes") or []
        if not isinstance(listed, list):
            problems.add(_("The wishes of candidate {id} must be a list.").format(id=cid))
            listed = []
        if len(listed) > width:
            problems.add(
                _("Candidate {id} lists {n} wishes; the round allows {max}.").format(
                    id=cid, n=len(listed), max=width
                )
            )
            listed = listed[:width]
        chosen: list[int] = []
        for code in listed:
            index = code_index.get(str(code))
            if index is None:
                problems.add(
                    _("Candidate {id} wishes for an unknown school {code}.").format(
                        id=cid, code=code
                    )
                )
            elif schools.chuyen[index]:
                problems.add(
                    _("Candidate {id} lists the chuyên programme {code} as a regular wish.").format(
                        id=cid, code=code
                    )
                )
            elif index in chosen:
                problems.add(
                    _("Candidate {id} lists school {code} twice.").format(id=cid, code=code)
                )
            else:
                chosen.append(index)
        if chosen:
            wishes[row, : len(chosen)] = chosen
        if item.get("zone"):
            zone[row] = zone_index.get(str(item["zone"]), len(zone_names) + row)

        group = item.get("priority_group")
        if group not in (None, 0):
            if isinstance(group, bool) or not isinstance(group, int) or not 0 < group < 10:
                problems.add(
                    _("The priority group of candidate {id} must be 1 to 9.").format(id=cid)
                )
            else:
                priority[row] = rules.to_units(rules.priority_for(group))
        if item.get("bonus") not in (None, 0):
            units = _units(item["bonus"], scale)
            if units is None:
                problems.add(_("The bonus of candidate {id} is not a valid score.").format(id=cid))
            else:
                bonus[row] = min(units, rules.to_units(rules.bonus_max))

        marks = item.get("subjects")
        decimals: dict[str, Decimal | None] = {}
        if marks is not None:
            if not isinstance(marks, Mapping):
                problems.add(_("The subjects of candidate {id} must be an object.").format(id=cid))
                marks = {}
            for code in subject_codes:
                if marks.get(code) is None:
                    decimals[code] = None
                    continue
                units = _units(marks[code], scale)
                if units is None or units > 10 * scale:
                    problems.add(
                        _(
                            "Candidate {id}: the {subject} score is not a score from 0 to 10."
                        ).format(id=cid, subject=code)
                    )
                    decimals[code] = None
                    continue
                subjects[code][row] = units
                decimals[code] = _decimal(units, rules)
            computed = admission_score(
                rules,
                subjects=decimals,
                priority_group=group if isinstance(group, int) else None,
                bonus=_decimal(int(bonus[row]), rules),
            )
            partial = subjects_total(rules, decimals)
            if partial is not None:
                total[row] = rules.to_units(partial)
            if rules.exclude_zero_subject and any(v == 0 for v in decimals.values()):
                excluded[row] = True
        else:
            computed = None
        if item.get("score") is not None:
            units = _units(item["score"], scale)
            if units is None:
                problems.add(
                    _(
                        "The score of candidate {id} is not a number with at most {d} decimals."
                    ).format(id=cid, d=rules.score_decimals)
                )
            else:
                score[row] = units
                if computed is not None and rules.to_units(computed) != units:
                    problems.add(
                        _(
                            "Candidate {id}: the score {given} differs from the score of the "
                            "subjects, {computed}."
                        ).format(id=cid, given=item["score"], computed=computed)
                    )
        elif computed is not None:
            score[row] = rules.to_units(computed)

        if item.get("direct"):
            index = code_index.get(str(item["direct"]))
            if index is None:
                problems.add(
                    _("Candidate {id} is directly admitted to an unknown school {code}.").format(
                        id=cid, code=item["direct"]
                    )
                )
            else:
                direct[row] = index
        elif score[row] == NO_SCORE and (listed or item.get("chuyen")):
            problems.add(_("Candidate {id} has wishes but no score.").format(id=cid))

        for rank, wish in enumerate(item.get("chuyen") or []):
            code = wish.get("school") if isinstance(wish, Mapping) else None
            index = code_index.get(str(code))
            if index is None or not schools.chuyen[index]:
                problems.add(
                    _("Candidate {id} wishes for an unknown chuyên programme {code}.").format(
                        id=cid, code=code
                    )
                )
                continue
            if wish.get("score") is not None:
                units = _units(wish["score"], scale)
            elif wish.get("specialised") is not None and decimals:
                special = _units(wish["specialised"], scale)
                value = (
                    chuyen_score(rules, subjects=decimals, specialised=_decimal(special, rules))
                    if special is not None
                    else None
                )
                units = rules.to_units(value) if value is not None else None
            else:
                units = None
            if units is None:
                problems.add(
                    _("Candidate {id} has no valid chuyên score for {code}.").format(
                        id=cid, code=code
                    )
                )
                continue
            chuyen_wishes[row, rank] = index
            chuyen_scores[row, rank] = units

        extra = item.get("keys")
        if extra is not None:
            if not isinstance(extra, Mapping):
                problems.add(_("The keys of candidate {id} must be an object.").format(id=cid))
            else:
                for name, value in extra.items():
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        problems.add(
                            _("Candidate {id}: key {name} must be a number.").format(
                                id=cid, name=name
                            )
                        )
                        continue
                    column = keys.setdefault(str(name), np.full(count, np.nan))
                    column[row] = float(value)

    for key in rules.tie_break:
        if key.key.startswith("key:") and key.key[4:] not in keys:
            keys[key.key[4:]] = np.full(count, np.nan)
    problems.raise_if_any()
    candidates = Candidates(
        ids=ids,
        score=score,
        wishes=wishes,
        zone=zone,
        priority=priority,
        bonus=bonus,
        subjects_total=total,
        subjects=subjects,
        keys=keys,
        direct=direct,
        chuyen_wishes=chuyen_wishes,
        chuyen_scores=chuyen_scores,
        excluded=excluded,
    )
    return Round(
        rules=rules,
        schools=schools,
        candidates=candidates,
        zones=zone_names,
        name=str(data.get("name") or ""),
        ids_sorted=all(a < b for a, b in zip(ids, ids[1:], strict=False)),
    )


def _score_json(units: int, rules: RoundRules) -> float | None:
    return None if units == NO_SCORE else round(units / rules.scale, rules.score_decimals)


def result_to_dict(
    round_: Round, allocation: Allocation, *, explanations: dict[str, str] | None = None
) -> dict[str, Any]:
    """The result document: assignments and cut-offs, and more for the policies that have it."""
    rules, schools, candidates = round_.rules, round_.schools, round_.candidates
    codes = schools.codes
    placed = allocation.school.tolist()
    assignments = {
        cid: (codes[index] if index >= 0 else None)
        for cid, index in zip(candidates.ids, placed, strict=True)
    }
    cutoffs = {
        code: _score_json(int(units), rules)
        for code, units in zip(codes, allocation.cutoff.tolist(), strict=True)
    }
    counts = allocation.admitted_counts(len(schools)).tolist()
    result: dict[str, Any] = {
        "format": FORMAT,
        "policy": allocation.policy,
        "assignments": assignments,
        "cutoffs": cutoffs,
        "admitted": dict(zip(codes, counts, strict=True)),
        "unplaced": int((allocation.school < 0).sum()),
    }
    if allocation.policy == "hanoi":
        result["wish_cutoffs"] = {
            code: None
            if units == NO_SCORE
            else [
                _score_json(int(units) + rules.to_units(rules.penalty(rank)), rules)
                for rank in range(rules.wish_count)
            ]
            for code, units in zip(codes, allocation.cutoff.tolist(), strict=True)
        }
    if allocation.policy == "laocai":
        result["round2_cutoffs"] = {
            code: _score_json(int(units), rules)
            for code, units in zip(codes, allocation.round2_cutoff.tolist(), strict=True)
        }
    if explanations is not None:
        result["stages"] = {
            cid: STAGE_NAMES.get(int(stage))
            for cid, stage in zip(candidates.ids, allocation.stage.tolist(), strict=True)
        }
        result["explanations"] = explanations
    return result


__all__ = ["FORMAT", "RoundInvalid", "RulesInvalid", "read_round", "result_to_dict"]
