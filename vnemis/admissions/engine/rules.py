"""The rules of one admissions round, as data (domain-vn §5.4): nothing province-specific is code.

A round's rules are stored as JSON on the round and in every exchange file; `rules_from_dict`
is the only way in, so a rule set the engine cannot apply is refused with messages an officer
can act on, before any candidate is placed.

Scores are exact decimals. Inside the engine they are integers in units of
``10 ** -score_decimals`` (hundredths by default), so no float ever decides a seat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

POLICIES = ("laocai", "hanoi", "da")
METHODS = ("exam", "review", "combined")
ZONE_RULES = ("any", "home")
BOUNDARIES = ("chain", "admit_all", "admit_none")
# Tie-break keys a chain may name; "subject:<code>" and "key:<name>" are open families.
FIXED_TIE_KEYS = ("score", "priority", "bonus", "subjects_total")
MAX_WISHES = 5
MAX_DECIMALS = 3


class RulesInvalid(ValueError):
    """Raised with every problem found in a rule set, each a sentence for the officer."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True, slots=True)
class SubjectRule:
    """An exam subject of the round and its coefficient in the admission score."""

    code: str
    name: str
    coefficient: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class TieKey:
    """One key of the tie-break chain; the candidate id ascending always closes the chain."""

    key: str
    descending: bool = True

    def __str__(self) -> str:
        return "{} {}".format(self.key, "desc" if self.descending else "asc")


@dataclass(frozen=True, slots=True)
class RoundRules:
    """Everything a province decides about a round (TT 30/2024 leaves these to the Sở)."""

    policy: str = "da"
    method: str = "exam"
    subjects: tuple[SubjectRule, ...] = ()
    # Priority points by group (TT 30/2024: 2,0 / 1,5 / 1,0); only the highest applies.
    priority_points: tuple[tuple[int, Decimal], ...] = (
        (1, Decimal("2.0")),
        (2, Decimal("1.5")),
        (3, Decimal("1.0")),
    )
    # Bonus points (KK) cap; zero turns bonus points off.
    bonus_max: Decimal = Decimal(0)
    wish_count: int = 3
    # Zone rule per wish rank ("home": in the candidate's zone; "any"); missing ranks: "any".
    wish_zones: tuple[str, ...] = ()
    # Hà Nội: the last wish a candidate lists may be in any zone (3 wishes: NV3; 1 wish: NV1).
    last_wish_any_zone: bool = False
    # Score over the NV1 cut-off a wish of each rank needs (Hà Nội: 0 / 1,0 / 2,0).
    wish_penalties: tuple[Decimal, ...] = ()
    tie_break: tuple[TieKey, ...] = (TieKey("score"),)
    # What happens to candidates tied with the last admitted one on every chain key
    # (the id aside): the chain decides, all are admitted, or none is.
    boundary: str = "chain"
    score_decimals: int = 2
    # ⚠ A zero in any exam subject excludes the candidate (the rule of the provinces' plans;
    # TT 30/2024 leaves it to the Sở): kept configurable.
    exclude_zero_subject: bool = True
    chuyen_general_coefficient: Decimal = Decimal(1)
    chuyen_specialised_coefficient: Decimal = Decimal(2)
    # Lào Cai: places left after NV1 go to the candidates not yet admitted, by later wishes.
    second_round: bool = True
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def scale(self) -> int:
        """Engine units per score point (100 with two decimals)."""
        return int(10**self.score_decimals)

    def priority_for(self, group: int | None) -> Decimal:
        """The priority points of a group; none for group 0 or no group."""
        return dict(self.priority_points).get(group or 0, Decimal(0))

    def zone_rule(self, rank: int, listed: int) -> str:
        """The zone rule of the wish at 0-based ``rank`` of a list of ``listed`` wishes."""
        if self.last_wish_any_zone and rank == listed - 1:
            return "any"
        return self.wish_zones[rank] if rank < len(self.wish_zones) else "any"

    def penalty(self, rank: int) -> Decimal:
        return self.wish_penalties[rank] if rank < len(self.wish_penalties) else Decimal(0)

    def to_units(self, value: Decimal) -> int:
        """A score in engine units, rounded half up at the round's decimals."""
        return int((value * self.scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _decimal(value: Any, label: str, errors: list[str]) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        errors.append(_("{label} must be a number.").format(label=label))
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(_("{label} must be a number.").format(label=label))
        return None
    if not number.is_finite() or number < 0 or number > 1000:
        errors.append(_("{label} must be between 0 and 1000.").format(label=label))
        return None
    return number


def _choice(value: Any, allowed: tuple[str, ...], label: str, errors: list[str]) -> str | None:
    if value not in allowed:
        errors.append(
            _("{label} must be one of: {allowed}.").format(label=label, allowed=", ".join(allowed))
        )
        return None
    return str(value)


def _tie_key(text: Any, subjects: set[str], errors: list[str]) -> TieKey | None:
    parts = str(text).split() if isinstance(text, str) else []
    if len(parts) not in (1, 2) or (len(parts) == 2 and parts[1] not in ("asc", "desc")):
        errors.append(
            _('Tie-break key "{key}" must read "<key> desc" or "<key> asc".').format(key=text)
        )
        return None
    key = parts[0]
    if key.startswith("subject:"):
        if key[8:] not in subjects:
            errors.append(
                _('Tie-break key "{key}" names a subject the round does not have.').format(key=key)
            )
            return None
    elif not (key.startswith("key:") and len(key) > 4) and key not in FIXED_TIE_KEYS:
        errors.append(
            _(
                'Unknown tie-break key "{key}": use score, priority, bonus, subjects_total, '
                "subject:<code> or key:<name>."
            ).format(key=key)
        )
        return None
    return TieKey(key, descending=len(parts) == 1 or parts[1] == "desc")


def rules_from_dict(data: Mapping[str, Any]) -> RoundRules:
    """Validate a JSON rule set; raise `RulesInvalid` listing every problem at once."""
    if not isinstance(data, Mapping):
        raise RulesInvalid([_("The rules must be a JSON object.")])
    errors: list[str] = []
    known = {
        "policy", "method", "subjects", "priority_points", "bonus_max", "wish_count",
        "wish_zones", "last_wish_any_zone", "wish_penalties", "tie_break", "boundary",
        "score_decimals", "exclude_zero_subject", "chuyen_coefficients", "second_round",
        "preset", "extra",
    }  # fmt: skip
    for name in sorted(set(data) - known):
        errors.append(_('Unknown rule "{name}".').format(name=name))
    base = PRESETS.get(str(data["preset"])) if "preset" in data else None
    if "preset" in data and base is None:
        errors.append(
            _("Unknown preset; use one of: {names}.").format(names=", ".join(sorted(PRESETS)))
        )
    defaults = base or RoundRules()
    values: dict[str, Any] = {}

    if "policy" in data:
        values["policy"] = _choice(data["policy"], POLICIES, _("Policy"), errors)
    if "method" in data:
        values["method"] = _choice(data["method"], METHODS, _("Method"), errors)
    if "boundary" in data:
        values["boundary"] = _choice(data["boundary"], BOUNDARIES, _("Boundary rule"), errors)
    for flag in ("last_wish_any_zone", "exclude_zero_subject", "second_round"):
        if flag in data:
            if not isinstance(data[flag], bool):
                errors.append(_('"{name}" must be true or false.').format(name=flag))
            else:
                values[flag] = data[flag]

    if "score_decimals" in data:
        decimals = data["score_decimals"]
        if isinstance(decimals, bool) or not isinstance(decimals, int):
            errors.append(_("Score decimals must be a whole number."))
        elif not 0 <= decimals <= MAX_DECIMALS:
            errors.append(_("Score decimals must be between 0 and {n}.").format(n=MAX_DECIMALS))
        else:
            values["score_decimals"] = decimals

    subjects = defaults.subjects
    if "subjects" in data:
        raw = data["subjects"]
        parsed: list[SubjectRule] = []
        if not isinstance(raw, list):
            errors.append(_("Subjects must be a list."))
        else:
            for index, item in enumerate(raw, start=1):
                if not isinstance(item, Mapping) or not str(item.get("code", "")).strip():
                    errors.append(_("Subject {n} needs a code.").format(n=index))
                    continue
                code = str(item["code"]).strip()
                coefficient = _decimal(
                    item.get("coefficient", 1),
                    _("The coefficient of {code}").format(code=code),
                    errors,
                )
                if coefficient is not None:
                    parsed.append(
                        SubjectRule(code, str(item.get("name", code)).strip() or code, coefficient)
                    )
            codes = [s.code for s in parsed]
            for code in sorted({c for c in codes if codes.count(c) > 1}):
                errors.append(_("Subject {code} is listed twice.").format(code=code))
        subjects = tuple(parsed)
        values["subjects"] = subjects

    if "priority_points" in data:
        raw = data["priority_points"]
        points: list[tuple[int, Decimal]] = []
        if not isinstance(raw, Mapping):
            errors.append(_("Priority points must map a group number to points."))
        else:
            for group, value in raw.items():
                if not str(group).isdigit() or not 1 <= int(group) <= 9:
                    errors.append(_("Priority group {g} must be 1 to 9.").format(g=group))
                    continue
                number = _decimal(
                    value, _("The points of priority group {g}").format(g=group), errors
                )
                if number is not None:
                    points.append((int(group), number))
        values["priority_points"] = tuple(sorted(points))

    if "bonus_max" in data:
        number = _decimal(data["bonus_max"], _("The bonus cap"), errors)
        if number is not None:
            values["bonus_max"] = number

    wish_count = defaults.wish_count
    if "wish_count" in data:
        raw = data["wish_count"]
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_WISHES:
            errors.append(_("The number of wishes must be 1 to {n}.").format(n=MAX_WISHES))
        else:
            wish_count = raw
            values["wish_count"] = raw

    if "wish_zones" in data:
        raw = data["wish_zones"]
        if not isinstance(raw, list) or any(z not in ZONE_RULES for z in raw):
            errors.append(_('Wish zones must be a list of "home" or "any", one per wish.'))
        else:
            values["wish_zones"] = tuple(raw)
    if "wish_penalties" in data:
        raw = data["wish_penalties"]
        if not isinstance(raw, list):
            errors.append(_("Wish penalties must be a list of points, one per wish."))
        else:
            penalties = [
                _decimal(v, _("The penalty of wish {n}").format(n=i), errors)
                for i, v in enumerate(raw, start=1)
            ]
            if all(p is not None for p in penalties):
                values["wish_penalties"] = tuple(p for p in penalties if p is not None)
    for name in ("wish_zones", "wish_penalties"):
        if len(values.get(name, ())) > wish_count:
            errors.append(_("{name} lists more entries than there are wishes.").format(name=name))

    if "tie_break" in data:
        raw = data["tie_break"]
        subject_codes = {s.code for s in subjects}
        if not isinstance(raw, list) or not raw:
            errors.append(_("The tie-break chain must be a non-empty list of keys."))
        else:
            keys = [_tie_key(text, subject_codes, errors) for text in raw]
            chain = tuple(k for k in keys if k is not None)
            names = [k.key for k in chain]
            for name in sorted({n for n in names if names.count(n) > 1}):
                errors.append(_('Tie-break key "{key}" is listed twice.').format(key=name))
            values["tie_break"] = chain

    if "chuyen_coefficients" in data:
        raw = data["chuyen_coefficients"]
        if not isinstance(raw, Mapping) or set(raw) - {"general", "specialised"}:
            errors.append(_('Chuyên coefficients must read {"general": 1, "specialised": 2}.'))
        else:
            if "general" in raw:
                general = _decimal(raw["general"], _("The chuyên general coefficient"), errors)
                if general is not None:
                    values["chuyen_general_coefficient"] = general
            if "specialised" in raw:
                special = _decimal(
                    raw["specialised"], _("The chuyên specialised coefficient"), errors
                )
                if special is not None:
                    values["chuyen_specialised_coefficient"] = special
    if "extra" in data:
        if isinstance(data["extra"], Mapping):
            values["extra"] = dict(data["extra"])
        else:
            errors.append(_('"extra" must be a JSON object.'))

    if errors:
        raise RulesInvalid(errors)
    rules = replace(defaults, **{k: v for k, v in values.items() if v is not None})
    if rules.policy != "hanoi" and any(p for p in rules.wish_penalties):
        raise RulesInvalid([_("Wish penalties apply only under the Hà Nội policy.")])
    if rules.boundary != "chain" and rules.policy != "laocai":
        raise RulesInvalid(
            [
                _(
                    "Admitting all or none of the tied candidates applies only under the "
                    "Lào Cai policy."
                )
            ]
        )
    return rules


def _number(value: Decimal) -> int | float:
    """Decimals as JSON numbers: whole values as integers, others as their exact float text."""
    return int(value) if value == value.to_integral_value() else float(value)


def rules_to_dict(rules: RoundRules) -> dict[str, Any]:
    """The JSON form `rules_from_dict` reads back to equal rules."""
    data: dict[str, Any] = {
        "policy": rules.policy,
        "method": rules.method,
        "subjects": [
            {"code": s.code, "name": s.name, "coefficient": _number(s.coefficient)}
            for s in rules.subjects
        ],
        "priority_points": {str(g): _number(p) for g, p in rules.priority_points},
        "bonus_max": _number(rules.bonus_max),
        "wish_count": rules.wish_count,
        "wish_zones": list(rules.wish_zones),
        "last_wish_any_zone": rules.last_wish_any_zone,
        "wish_penalties": [_number(p) for p in rules.wish_penalties],
        "tie_break": [str(k) for k in rules.tie_break],
        "boundary": rules.boundary,
        "score_decimals": rules.score_decimals,
        "exclude_zero_subject": rules.exclude_zero_subject,
        "chuyen_coefficients": {
            "general": _number(rules.chuyen_general_coefficient),
            "specialised": _number(rules.chuyen_specialised_coefficient),
        },
        "second_round": rules.second_round,
    }
    if rules.extra:
        data["extra"] = rules.extra
    return data


_EXAM_SUBJECTS = (
    SubjectRule("toan", "Toán"),
    SubjectRule("van", "Ngữ văn"),
    SubjectRule("ngoai_ngu", "Ngoại ngữ"),
)

PRESETS: dict[str, RoundRules] = {
    # Lào Cai 2025-26 (domain-vn §5.3): Toán, Văn, Ngoại ngữ × 1; ĐXT = sum + ƯT + KK; NV1 at
    # the school sat, then places left in the area; chuyên first (general × 1, specialised × 2).
    # ⚠ The bonus cap and the tie-break chain after the score are not published: the chain
    # follows the §5.4 example (ĐXT ↓, ƯT ↓, subject total ↓, id ↑), the cap is the officer's.
    "laocai-2025": RoundRules(
        policy="laocai",
        subjects=_EXAM_SUBJECTS,
        bonus_max=Decimal("2.0"),
        wish_count=3,
        wish_zones=("any", "home", "home"),
        tie_break=(TieKey("score"), TieKey("priority"), TieKey("subjects_total")),
    ),
    # Hà Nội 2025 (§5.2): three wishes, NV1 and NV2 in the home zone, the last listed anywhere;
    # NV2 needs the NV1 cut-off + 1,0, NV3 + 2,0.
    "hanoi-2025": RoundRules(
        policy="hanoi",
        subjects=_EXAM_SUBJECTS,
        bonus_max=Decimal("2.0"),
        wish_count=3,
        wish_zones=("home", "home", "home"),
        last_wish_any_zone=True,
        wish_penalties=(Decimal(0), Decimal("1.0"), Decimal("2.0")),
        tie_break=(TieKey("score"), TieKey("priority"), TieKey("subjects_total")),
        second_round=False,
    ),
    # Plain student-proposing deferred acceptance on the same subjects.
    "da": RoundRules(
        policy="da",
        subjects=_EXAM_SUBJECTS,
        tie_break=(TieKey("score"), TieKey("priority"), TieKey("subjects_total")),
        second_round=False,
    ),
}
