"""The allocation engine: pure functions over arrays, no database (docs/modules/admissions.md).

``read_round`` (exchange JSON → `Round`), ``allocate`` (`Round` → `Allocation`),
``result_to_dict`` and ``explain_all`` (→ the result document), ``simulate_round`` and
``round_to_dict`` (random rounds and their exchange form).
"""

from __future__ import annotations

from vnemis.admissions.engine.data import Round, RoundInvalid
from vnemis.admissions.engine.exchange import FORMAT, read_round, result_to_dict
from vnemis.admissions.engine.explain import explain, explain_all
from vnemis.admissions.engine.policies import Allocation, AllocationRefused, allocate
from vnemis.admissions.engine.rules import PRESETS, RoundRules, RulesInvalid, rules_from_dict
from vnemis.admissions.engine.simulate import round_to_dict, simulate_round

__all__ = [
    "FORMAT",
    "PRESETS",
    "Allocation",
    "AllocationRefused",
    "Round",
    "RoundInvalid",
    "RoundRules",
    "RulesInvalid",
    "allocate",
    "explain",
    "explain_all",
    "read_round",
    "result_to_dict",
    "round_to_dict",
    "rules_from_dict",
    "simulate_round",
]
