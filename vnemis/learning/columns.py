"""The columns of a gradebook: what a teacher enters for one subject and term, by how the
subject is assessed. One definition serves the entry grid, the service's validation and the
Excel layout, so a cell the grid accepts is a cell the import accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _

from vnemis.learning.regimes.base import TENTH, RegimeInputError, regular_count, score_read

Kind = Literal["score", "result", "level", "text"]

# Comment results and primary levels, with the spellings teachers type or vendors' files use.
RESULT_CODES: dict[str, str] = {
    "dat": "dat",
    "đ": "dat",
    "d": "dat",
    "đạt": "dat",
    "chua_dat": "chua_dat",
    "cđ": "chua_dat",
    "cd": "chua_dat",
    "chưa đạt": "chua_dat",
}
LEVEL_CODES: dict[str, str] = {
    "htt": "htt",
    "t": "htt",
    "hoàn thành tốt": "htt",
    "ht": "ht",
    "h": "ht",
    "hoàn thành": "ht",
    "cht": "cht",
    "c": "cht",
    "chưa hoàn thành": "cht",
}
RESULT_SHORT = {"dat": "Đ", "chua_dat": "CĐ"}
LEVEL_SHORT = {"htt": "T", "ht": "H", "cht": "C"}
COMMENT_MAX = 1000
# Regular assessments of a comment-assessed subject per term (TT22/2021 Điều 6).
COMMENT_REGULAR = 2
PRIMARY = ("tt27", "tt30")


@dataclass(frozen=True)
class Column:
    """One entry column: its code (the ``Mark`` field, or ``rrN`` for the N-th regular
    result of a comment subject), header and kind."""

    code: str
    header: str
    kind: Kind

    def parse(self, raw: str, *, regime: str, where: str) -> Decimal | str | None:
        """The stored value of ``raw`` typed in this column (``None`` or ``""`` clears it).

        Raises ``RegimeInputError`` with a message naming ``where`` (subject and column).
        """
        text = raw.strip()
        if self.kind == "text":
            if len(text) > COMMENT_MAX:
                raise RegimeInputError(
                    _("{where}: at most {n} characters.").format(where=where, n=COMMENT_MAX)
                )
            return text
        if not text:
            return None if self.kind == "score" else ""
        if self.kind == "score":
            if regime in PRIMARY:
                # Primary tests: whole numbers; TT27 allows 0, TT22/2016 does not.
                score = score_read(text, where=where, decimals=0, allow_zero=regime == "tt27")
            else:
                score = score_read(text, where=where, decimals=1)
            # Stored with one decimal, so "8" typed twice is no change against "8.0" read back.
            return score.quantize(TENTH)
        codes = RESULT_CODES if self.kind == "result" else LEVEL_CODES
        code = codes.get(text.lower())
        if code is None:
            shorts = RESULT_SHORT if self.kind == "result" else LEVEL_SHORT
            raise RegimeInputError(
                _("{where}: “{value}” is not a result; type one of {choices}.").format(
                    where=where, value=raw, choices=", ".join(shorts.values())
                )
            )
        return code


def columns_for(
    *, regime: str, mode: str, periods_per_year: int | None, tested: bool, mid_tested: bool
) -> tuple[Column, ...]:
    """The entry columns of a subject in one term."""
    if mode == "score":
        count = regular_count(periods_per_year) if periods_per_year else 4
        return (
            *(Column(f"r{i}", _("Reg. {n}").format(n=i), "score") for i in range(1, count + 1)),
            Column("midterm", _("Mid-term"), "score"),
            Column("final", _("End of term"), "score"),
            Column("comment", _("Comment"), "text"),
        )
    if mode == "comment":
        return (
            *(
                Column(f"rr{i}", _("Reg. {n}").format(n=i), "result")
                for i in range(1, COMMENT_REGULAR + 1)
            ),
            Column("mid_result", _("Mid-term"), "result"),
            Column("final_result", _("End of term"), "result"),
            Column("result", _("Term result"), "result"),
            Column("comment", _("Comment"), "text"),
        )
    columns = [Column("mid_result", _("Mid-term level"), "level")]
    if mid_tested:
        columns.append(Column("midterm", _("Mid-term test"), "score"))
    columns.append(Column("result", _("End-of-term level"), "level"))
    if tested:
        columns.append(Column("final", _("End-of-term test"), "score"))
    columns.append(Column("comment", _("Comment"), "text"))
    return tuple(columns)
