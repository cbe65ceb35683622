"""The admission score (điểm xét tuyển, ĐXT) of a candidate, exactly as the round's rules say.

ĐXT = Σ coefficient × subject score + priority points (the highest group only, TT 30/2024)
+ bonus points (capped), rounded half up at the round's decimals (domain-vn §5.4: ⚠ two
decimals until the Sở says otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from vnemis.admissions.engine.rules import RoundRules


def quantize(rules: RoundRules, value: Decimal) -> Decimal:
    """A score at the round's decimals, half up."""
    return value.quantize(Decimal(1).scaleb(-rules.score_decimals), rounding=ROUND_HALF_UP)


def subjects_total(rules: RoundRules, subjects: Mapping[str, Decimal | None]) -> Decimal | None:
    """Σ coefficient × score over the round's subjects; None while one is missing."""
    total = Decimal(0)
    for subject in rules.subjects:
        score = subjects.get(subject.code)
        if score is None:
            return None
        total += subject.coefficient * score
    return total


def has_zero_subject(rules: RoundRules, subjects: Mapping[str, Decimal | None]) -> bool:
    """Whether the zero-score exclusion applies to these scores."""
    return rules.exclude_zero_subject and any(subjects.get(s.code) == 0 for s in rules.subjects)


def bonus_points(rules: RoundRules, bonus: Decimal | None) -> Decimal:
    """Bonus points as counted: none when the round has no bonus, never above the cap."""
    return min(bonus or Decimal(0), rules.bonus_max)


def admission_score(
    rules: RoundRules,
    *,
    subjects: Mapping[str, Decimal | None],
    priority_group: int | None,
    bonus: Decimal | None = None,
) -> Decimal | None:
    """The ĐXT; None while a subject score is missing."""
    total = subjects_total(rules, subjects)
    if total is None:
        return None
    return quantize(rules, total + rules.priority_for(priority_group) + bonus_points(rules, bonus))


def chuyen_score(
    rules: RoundRules,
    *,
    subjects: Mapping[str, Decimal | None],
    specialised: Decimal | None,
) -> Decimal | None:
    """The chuyên ĐXT (Lào Cai: the general tests × 1 + the specialised test × 2)."""
    total = Decimal(0)
    for subject in rules.subjects:
        score = subjects.get(subject.code)
        if score is None:
            return None
        total += rules.chuyen_general_coefficient * score
    if specialised is None:
        return None
    return quantize(rules, total + rules.chuyen_specialised_coefficient * specialised)
