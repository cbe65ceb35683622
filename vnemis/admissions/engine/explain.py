"""Why a candidate is where the allocation put them, one plain sentence per wish.

"NV1 trường X: điểm xét tuyển 27,25 thấp hơn điểm chuẩn 28,00." Every sentence is derived from
the allocation itself (cut-offs and the last admitted candidate of each school), so an
explanation cannot disagree with the result it explains.
"""

from __future__ import annotations

import numpy as np
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vnemis.admissions.engine.data import NO_SCORE, Round
from vnemis.admissions.engine.policies import (
    STAGE_CHUYEN,
    STAGE_DIRECT,
    STAGE_ROUND1,
    STAGE_ROUND2,
    Allocation,
)
from vnemis.admissions.engine.rules import RoundRules


def score_text(units: int, rules: RoundRules) -> str:
    """A score as officials write it: two decimals, a decimal comma in Vietnamese."""
    sign = "-" if units < 0 else ""
    whole, part = divmod(abs(units), rules.scale)
    text = f"{sign}{whole}"
    if rules.score_decimals:
        separator = "," if (get_language() or "vi").startswith("vi") else "."
        text += separator + str(part).rjust(rules.score_decimals, "0")
    return text


def _key_label(key: str, rules: RoundRules) -> str:
    if key == "score":
        return _("the admission score")
    if key == "priority":
        return _("the priority points")
    if key == "bonus":
        return _("the bonus points")
    if key == "subjects_total":
        return _("the total of the exam scores")
    if key.startswith("subject:"):
        names = {s.code: s.name for s in rules.subjects}
        return _("the {subject} score").format(subject=names.get(key[8:], key[8:]))
    if key == "wish":
        return _("the order of wishes (an NV1 applicant first)")
    if key == "id":
        return _("the candidate number")
    return key[4:] if key.startswith("key:") else key


def _deciding_key(round_: Round, a: int, b: int) -> str:
    """The first chain key on which candidates ``a`` and ``b`` differ; "id" when none does."""
    c = round_.candidates
    for key in round_.rules.tie_break:
        if key.key == "score":
            x, y = c.score[a], c.score[b]
        elif key.key == "priority":
            x, y = c.priority[a], c.priority[b]
        elif key.key == "bonus":
            x, y = c.bonus[a], c.bonus[b]
        elif key.key == "subjects_total":
            x, y = c.subjects_total[a], c.subjects_total[b]
        elif key.key.startswith("subject:"):
            column = c.subjects[key.key[8:]]
            x, y = column[a], column[b]
        else:
            column = c.keys.get(key.key[4:], np.full(len(c), np.nan))
            x, y = column[a], column[b]
            if np.isnan(x) and np.isnan(y):
                continue
        if x != y:
            return key.key
    return "id"


class _Explainer:
    def __init__(self, round_: Round, allocation: Allocation) -> None:
        self.round = round_
        self.rules = round_.rules
        self.allocation = allocation

    def school(self, index: int) -> str:
        return self.round.schools.names[index]

    def score(self, units: int) -> str:
        return score_text(units, self.rules)

    def refused(
        self, row: int, label: str, school: int, value: int, cutoff: int, last: int, extra: int = 0
    ) -> str:
        """A refusal at ``school``: the candidate's ``value`` against the stage's ``cutoff``.

        ``extra`` is the Hà Nội penalty of the wish: the candidate needs cut-off + extra.
        """
        allocation = self.allocation
        name = self.school(school)
        if cutoff == NO_SCORE or last < 0:
            return _("{wish} {school}: no place left for this wish.").format(
                wish=label, school=name
            )
        need = cutoff + extra
        if (
            allocation.boundary_group[school] >= 0
            and self.rules.boundary == "admit_none"
            and allocation.tie_group[row] == allocation.boundary_group[school]
            and label.startswith("NV1")
        ):
            return _(
                "{wish} {school}: tied with the candidates at the last place; the rules admit "
                "none of the tied candidates (cut-off {cutoff})."
            ).format(wish=label, school=name, cutoff=self.score(need))
        if value < cutoff:
            if extra:
                return _(
                    "{wish} {school}: admission score {score} is below the cut-off for this wish, "
                    "{need} (the NV1 cut-off {cutoff} + {extra})."
                ).format(
                    wish=label,
                    school=name,
                    score=self.score(value + extra),
                    need=self.score(need),
                    cutoff=self.score(cutoff),
                    extra=self.score(extra),
                )
            return _(
                "{wish} {school}: admission score {score} is below the cut-off {cutoff}."
            ).format(wish=label, school=name, score=self.score(value), cutoff=self.score(cutoff))
        key = _deciding_key(self.round, row, last) if value == cutoff else "id"
        if extra and key == "score" and value == cutoff:
            key = "wish"
        return _(
            "{wish} {school}: admission score {score} equals the cut-off; ranked after the last "
            "admitted candidate by {key}."
        ).format(
            wish=label,
            school=name,
            score=self.score(value + extra),
            key=_key_label(key, self.rules),
        )

    def admitted(
        self, label: str, school: int, value: int, cutoff: int, second: bool = False
    ) -> str:
        if second:
            text = _(
                "{wish} {school}: admitted in the second round (admission score {score}; "
                "cut-off {cutoff})."
            )
        else:
            text = _("{wish} {school}: admitted (admission score {score}; cut-off {cutoff}).")
        return text.format(
            wish=label,
            school=self.school(school),
            score=self.score(value),
            cutoff=self.score(cutoff) if cutoff != NO_SCORE else "—",
        )

    def lines(self, row: int) -> list[str]:
        round_, allocation, rules = self.round, self.allocation, self.rules
        c = round_.candidates
        stage = int(allocation.stage[row])
        placed = int(allocation.school[row])
        placed_rank = int(allocation.rank[row])
        if stage == STAGE_DIRECT:
            return [
                _("Directly admitted (tuyển thẳng) to {school}.").format(school=self.school(placed))
            ]
        out: list[str] = []
        if c.excluded[row]:
            return [_("Not eligible: an exam subject scored zero.")]
        for rank in range(c.chuyen_wishes.shape[1]):
            school = int(c.chuyen_wishes[row, rank])
            if school < 0:
                break
            label = _("Chuyên {n}").format(n=rank + 1)
            value = int(c.chuyen_scores[row, rank])
            if stage == STAGE_CHUYEN and placed_rank == rank:
                out.append(self.admitted(label, school, value, int(allocation.cutoff[school])))
                return out
            out.append(
                self.refused(
                    row,
                    label,
                    school,
                    value,
                    int(allocation.cutoff[school]),
                    int(allocation.last[school]),
                )
            )
        listed = c.wishes[row]
        for rank in range(listed.shape[0]):
            school = int(listed[rank])
            if school < 0:
                break
            label = f"NV{rank + 1}"
            if allocation.zone_refused[row, rank]:
                out.append(
                    _(
                        "{wish} {school}: not considered, the school is outside the "
                        "candidate's zone."
                    ).format(wish=label, school=self.school(school))
                )
                continue
            score = int(c.score[row])
            if stage in (STAGE_ROUND1, STAGE_ROUND2) and placed_rank == rank:
                if stage == STAGE_ROUND2:
                    cutoff = int(allocation.round2_cutoff[school])
                    out.append(self.admitted(label, school, score, cutoff, second=True))
                elif allocation.policy == "hanoi":
                    extra = rules.to_units(rules.penalty(rank))
                    out.append(
                        self.admitted(label, school, score, int(allocation.cutoff[school]) + extra)
                    )
                else:
                    out.append(self.admitted(label, school, score, int(allocation.cutoff[school])))
                return out
            if stage == STAGE_CHUYEN:
                break
            if allocation.policy == "laocai" and rank > 0:
                if not rules.second_round:
                    out.append(
                        _("{wish} {school}: not considered, the round has no second round.").format(
                            wish=label, school=self.school(school)
                        )
                    )
                    continue
                out.append(
                    self.refused(
                        row,
                        label,
                        school,
                        score,
                        int(allocation.round2_cutoff[school]),
                        int(allocation.round2_last[school]),
                    )
                )
                continue
            extra = rules.to_units(rules.penalty(rank)) if allocation.policy == "hanoi" else 0
            out.append(
                self.refused(
                    row,
                    label,
                    school,
                    score - extra,
                    int(allocation.cutoff[school]),
                    int(allocation.last[school]),
                    extra,
                )
            )
        if placed < 0:
            out.append(_("Not admitted to any wish."))
        return out


def explain(round_: Round, allocation: Allocation, row: int) -> list[str]:
    """The sentences that explain one candidate's result, wish by wish."""
    return _Explainer(round_, allocation).lines(row)


def explain_all(round_: Round, allocation: Allocation) -> dict[str, str]:
    """Every candidate's explanation as one paragraph, by candidate id."""
    explainer = _Explainer(round_, allocation)
    return {cid: " ".join(explainer.lines(row)) for row, cid in enumerate(round_.candidates.ids)}
