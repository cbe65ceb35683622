"""A round as the engine holds it: columns of numbers, one row per school and per candidate.

A million candidates as Python objects would cost seconds and gigabytes before the first seat
is given; as arrays they cost a few dozen megabytes. Scores are integers in units of the
round's decimals (`RoundRules.scale`); school and zone references are indexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vnemis.admissions.engine.rules import RoundRules

Int = NDArray[np.int64]
Bool = NDArray[np.bool_]
Float = NDArray[np.float64]

NO_SCORE = -1
STAGE_REGULAR = "regular"
STAGE_CHUYEN = "chuyen"


class RoundInvalid(ValueError):
    """Raised with every problem found in a round's schools and candidates."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages[:20]))
        self.messages = messages


@dataclass(frozen=True, slots=True)
class Schools:
    """The programmes seats are given in: a school, or one chuyên class track of a school."""

    codes: list[str]
    names: list[str]
    quota: Int
    zone: Int  # index into Round.zones, -1 when the school has no zone
    chuyen: Bool
    # Seats kept for the candidates who sat at the school (Lào Cai THPT số 2, số 4); -1: none.
    sat_seats: Int

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, slots=True)
class Candidates:
    ids: list[str]
    score: Int  # ĐXT in units; NO_SCORE for a direct admission without exam
    wishes: Int  # (N, K) regular school indexes in order, -1 after the last
    zone: Int
    priority: Int  # priority points in units
    bonus: Int
    subjects_total: Int  # Σ coefficient × score in units, NO_SCORE when unknown
    subjects: dict[str, Int]  # per exam subject, units; NO_SCORE when unknown
    keys: dict[str, Float]  # extra tie-break keys ("key:<name>"), NaN when absent
    direct: Int  # school index of a direct admission (tuyển thẳng), -1: none
    chuyen_wishes: Int  # (N, C) chuyên programme indexes, -1 after the last
    chuyen_scores: Int  # (N, C) chuyên ĐXT per chuyên wish, units
    excluded: Bool  # a zero in an exam subject (when the rules exclude it)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class Round:
    rules: RoundRules
    schools: Schools
    candidates: Candidates
    zones: list[str] = field(default_factory=list)
    name: str = ""
    # The id order is ascending already (the exchange writer and the simulator sort ids), which
    # spares sorting a million strings.
    ids_sorted: bool = False

    def school_index(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.schools.codes)}
