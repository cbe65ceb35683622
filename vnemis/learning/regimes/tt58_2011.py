"""TT58/2011/TT-BGDĐT as amended by TT26/2020: the legacy regime of grades 6–12.

It applies to the grades the 2018 programme had not reached yet (see ``phase_in``). Rules, by
article (domain reference §3.4):

- Subject averages: from 2020-21 (TT26) the TT22 formula, with one mid-term score and the
  number of regular scores fixed by periods per year. The original TT58 (school years up to
  2019-20, input ``"amended": false``) weighs every periodic test by 2:
  ĐTBmhk = (sum of regular + 2·sum of periodic + 3·end-of-term) / (number of regular +
  2·number of periodic + 3). ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3 in both. Rounded to one
  decimal, halves up, at each step.
- The all-subject averages ĐTBhk and ĐTBcn: the plain mean of the scored subjects' averages
  (⚠ as the reference reads Art. 12), rounded to one decimal.
- Art. 13: học lực Giỏi / Khá / Trung bình / Yếu / Kém; the "core" bar is met by one of Toán,
  Ngữ văn or (since TT26) Ngoại ngữ, and in a chuyên class also by the specialised subject.
- Art. 13.6: the one-subject adjustment (``ADJUSTMENT``).
- Hạnh kiểm Tốt / Khá / Trung bình / Yếu: per term as entered; for the year as entered in
  ``conduct_year``, else (⚠) the term II conduct, which Art. 4 names as the main basis.
- Art. 15–16: promotion; TT26 Art. 1.8: awards Giỏi and Tiên tiến.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from vnemis.learning.regimes import tt22_2021 as tt22
from vnemis.learning.regimes.base import (
    CommentResult,
    Promotion,
    RegimeInputError,
    decimal_text,
    mean1,
    regular_count,
    round1,
)
from vnemis.learning.regimes.catalogue import subject_name
from vnemis.learning.regimes.phase_in import tt58_amended
from vnemis.learning.regimes.tt22_2021 import Mode, term_label, year_average

CODE = "tt58"
TITLE = "Thông tư 58/2011/TT-BGDĐT, sửa đổi bởi Thông tư 26/2020/TT-BGDĐT"
GRADES = range(6, 13)
# Art. 15.1b: more than 45 sessions absent in the year repeats the grade.
MAX_ABSENCES = 45
TERMS = 2

# The core subjects: TT26/2020 added Ngoại ngữ to the original Toán and Ngữ văn.
CORE_AMENDED = ("toan", "ngu_van", "ngoai_ngu")
CORE_ORIGINAL = ("toan", "ngu_van")


class Performance(StrEnum):
    """Học lực (Art. 13), best first."""

    GIOI = "gioi"
    KHA = "kha"
    TRUNG_BINH = "trung_binh"
    YEU = "yeu"
    KEM = "kem"


class Conduct(StrEnum):
    """Hạnh kiểm (Art. 4): four levels."""

    TOT = "tot"
    KHA = "kha"
    TRUNG_BINH = "trung_binh"
    YEU = "yeu"


class Award(StrEnum):
    """TT26 Art. 1.8: học sinh giỏi and học sinh tiên tiến."""

    GIOI = "gioi"
    TIEN_TIEN = "tien_tien"


RANK: dict[Performance, int] = {
    Performance.KEM: 0,
    Performance.YEU: 1,
    Performance.TRUNG_BINH: 2,
    Performance.KHA: 3,
    Performance.GIOI: 4,
}
CONDUCT_RANK: dict[Conduct, int] = {
    Conduct.YEU: 0,
    Conduct.TRUNG_BINH: 1,
    Conduct.KHA: 2,
    Conduct.TOT: 3,
}

# Art. 13.1–13.3: (average and core bar, floor under which no subject may fall).
BARS: dict[Performance, tuple[Decimal, Decimal]] = {
    Performance.GIOI: (Decimal("8.0"), Decimal("6.5")),
    Performance.KHA: (Decimal("6.5"), Decimal("5.0")),
    Performance.TRUNG_BINH: (Decimal("5.0"), Decimal("3.5")),
}
# Art. 13.4: Yếu needs an average of 3,5 and no subject under 2,0; comments do not count.
YEU_BAR = Decimal("3.5")
YEU_FLOOR = Decimal("2.0")

# Art. 13.6, keyed (level the average reaches without the one subject, level given):
# Giỏi → TB becomes Khá; Giỏi → Yếu becomes TB; Khá → Yếu becomes TB; Khá → Kém becomes Yếu.
ADJUSTMENT: dict[tuple[Performance, Performance], Performance] = {
    (Performance.GIOI, Performance.TRUNG_BINH): Performance.KHA,
    (Performance.GIOI, Performance.YEU): Performance.TRUNG_BINH,
    (Performance.KHA, Performance.YEU): Performance.TRUNG_BINH,
    (Performance.KHA, Performance.KEM): Performance.YEU,
}


@dataclass(frozen=True)
class TermScores:
    """One term of one subject; ``None`` (or a ``None`` slot) is a score not entered yet.

    ``periodic`` holds the mid-term score (one, since TT26) or, under the original TT58, every
    periodic test of coefficient 2.
    """

    regular: tuple[Decimal | None, ...] = ()
    periodic: tuple[Decimal | None, ...] = ()
    final: Decimal | None = None
    result: CommentResult | None = None


@dataclass(frozen=True)
class SubjectInput:
    code: str
    mode: Mode
    terms: tuple[TermScores, ...] = ()
    periods_per_year: int | None = None

    @property
    def name(self) -> str:
        return subject_name(self.code)


@dataclass(frozen=True)
class YearInput:
    """One student-year under TT58.

    ``amended`` False applies the original TT58 (school years up to 2019-20): its subject
    average formula and the core subjects Toán and Ngữ văn only. ``specialised`` is the
    subject code of a chuyên class's specialised subject.
    """

    grade: int
    subjects: tuple[SubjectInput, ...]
    conduct: tuple[Conduct | None, ...] = ()
    conduct_year: Conduct | None = None
    absences: int | None = None
    amended: bool = True
    specialised: str | None = None


@dataclass(frozen=True)
class PerformanceLevel:
    """A học lực and how it was reached; ``level`` differs from ``unadjusted`` after Art. 13.6."""

    level: Performance
    unadjusted: Performance
    average: Decimal
    missed: tuple[str, ...] = ()
    responsible: str | None = None
    without: Performance | None = None


@dataclass(frozen=True)
class Outcome:
    """The results of one student-year under TT58; ``as_json()`` is the calculator's output."""

    amended: bool
    subjects: tuple[tt22.SubjectResult, ...]
    averages: tuple[Decimal | None, Decimal | None]
    average_year: Decimal | None
    learning_terms: tuple[PerformanceLevel | None, PerformanceLevel | None]
    learning_year: PerformanceLevel | None
    conduct_terms: tuple[Conduct | None, Conduct | None]
    conduct_year: Conduct | None
    award: Award | None
    promotion: Promotion | None
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        def level(value: PerformanceLevel | None) -> str | None:
            return None if value is None else value.level.value

        return {
            "regime": CODE,
            "amended": self.amended,
            "subjects": {s.code: s.as_json() for s in self.subjects},
            "averages": {"terms": list(self.averages), "year": self.average_year},
            "learning": {
                "terms": [level(t) for t in self.learning_terms],
                "year": level(self.learning_year),
            },
            "conduct": {"terms": list(self.conduct_terms), "year": self.conduct_year},
            "award": self.award,
            "promotion": self.promotion,
            "reasons": list(self.reasons),
        }


def performance_label(level: Performance) -> str:
    labels = {
        Performance.GIOI: _("Very good"),
        Performance.KHA: _("Fair"),
        Performance.TRUNG_BINH: _("Average"),
        Performance.YEU: _("Weak"),
        Performance.KEM: _("Poor"),
    }
    return labels[level]


def conduct_label(level: Conduct) -> str:
    labels = {
        Conduct.TOT: _("Good"),
        Conduct.KHA: _("Fair"),
        Conduct.TRUNG_BINH: _("Average"),
        Conduct.YEU: _("Weak"),
    }
    return labels[level]


# --- averages ----------------------------------------------------------------------------


def term_average(term: TermScores) -> Decimal | None:
    """ĐTBmhk, or ``None`` while a score of the term is missing.

    (sum regular + 2·sum periodic + 3·end-of-term) / (n regular + 2·n periodic + 3): with the
    one mid-term score of TT26 this is the TT22 formula, (… ) / (n regular + 5).
    """
    if not term.regular or not term.periodic or term.final is None:
        return None
    if any(s is None for s in term.regular) or any(s is None for s in term.periodic):
        return None
    regular = [s for s in term.regular if s is not None]
    periodic = [s for s in term.periodic if s is not None]
    total = sum(regular, Decimal(0)) + 2 * sum(periodic, Decimal(0)) + 3 * term.final
    return round1(total / (len(regular) + 2 * len(periodic) + 3))


def subject_result(subject: SubjectInput) -> tt22.SubjectResult:
    """Term and year results of a subject; a comment subject's year is its term II result (⚠)."""
    terms = list(subject.terms) + [TermScores()] * (TERMS - len(subject.terms))
    if subject.mode is Mode.COMMENT:
        first_c, second_c = terms[0].result, terms[1].result
        return tt22.SubjectResult(subject.code, subject.mode, (first_c, second_c), second_c)
    first, second = term_average(terms[0]), term_average(terms[1])
    return tt22.SubjectResult(
        subject.code, subject.mode, (first, second), year_average(first, second)
    )


def all_average(scores: Sequence[Decimal | None]) -> Decimal | None:
    """ĐTBhk or ĐTBcn: the mean of the scored subjects' averages, ``None`` while one is missing."""
    if not scores or any(score is None for score in scores):
        return None
    return mean1(sum((s for s in scores if s is not None), Decimal(0)), len(scores))


# --- học lực (Art. 13) -------------------------------------------------------------------


def _missed(
    level: Performance,
    average: Decimal,
    scores: Mapping[str, Decimal],
    comments: Mapping[str, CommentResult],
    *,
    core: Sequence[str],
    specialised: str | None,
    excused: str | None,
    explain: bool = True,
) -> list[str]:
    """The conditions of Art. 13 for ``level`` the results do not meet.

    ``excused`` is a subject set aside (Art. 13.6): it is held to no per-subject condition and
    does not count towards the core bar; it stays in the average. Without ``explain`` each
    unmet condition is an empty string (the Art. 13.6 trials only count them).
    """
    if level is Performance.KEM:
        return []
    missed: list[str] = []
    if level is Performance.YEU:
        bar, floor = YEU_BAR, YEU_FLOOR
    else:
        bar, floor = BARS[level]
    if average < bar:
        missed.append(
            _("average {value} < {bar}").format(value=decimal_text(average), bar=decimal_text(bar))
            if explain
            else ""
        )
    if level is not Performance.YEU:
        if not any(scores.get(c, Decimal(-1)) >= bar for c in core if c != excused):
            missed.append(
                _("none of {subjects} ≥ {bar}").format(
                    subjects=", ".join(subject_name(c) for c in core), bar=decimal_text(bar)
                )
                if explain
                else ""
            )
        if specialised is not None and specialised != excused:
            value = scores.get(specialised)
            if value is not None and value < bar:
                missed.append(
                    _("specialised subject {subject} {value} < {bar}").format(
                        subject=subject_name(specialised),
                        value=decimal_text(value),
                        bar=decimal_text(bar),
                    )
                    if explain
                    else ""
                )
        missed.extend(
            _("{subject} Not yet passed").format(subject=subject_name(c)) if explain else ""
            for c, r in comments.items()
            if r is CommentResult.CHUA_DAT and c != excused
        )
    missed.extend(
        f"{subject_name(code)} {decimal_text(value)} < {decimal_text(floor)}" if explain else ""
        for code, value in scores.items()
        if value < floor and code != excused
    )
    return missed


def _raw_level(
    average: Decimal,
    scores: Mapping[str, Decimal],
    comments: Mapping[str, CommentResult],
    *,
    core: Sequence[str],
    specialised: str | None,
    excused: str | None = None,
    explain: bool = True,
) -> tuple[Performance, tuple[str, ...]]:
    above: list[str] = []
    for level in (Performance.GIOI, Performance.KHA, Performance.TRUNG_BINH, Performance.YEU):
        missed = _missed(
            level,
            average,
            scores,
            comments,
            core=core,
            specialised=specialised,
            excused=excused,
            explain=explain,
        )
        if not missed:
            return level, tuple(above)
        above = missed
    return Performance.KEM, tuple(above)


def adjusted(without: Performance, level: Performance) -> Performance | None:
    """Art. 13.6: the adjusted level, or ``None`` when the table has no row for the drop.

    ⚠ An average that reaches Giỏi also reaches Khá, so a drop from Giỏi to Kém (a case the
    article does not list) is read through the Khá row: Kém becomes Yếu.
    """
    for reached in (Performance.GIOI, Performance.KHA):
        if RANK[reached] <= RANK[without] and (reached, level) in ADJUSTMENT:
            return ADJUSTMENT[(reached, level)]
    return None


def performance(
    values: Mapping[str, Decimal | CommentResult | None],
    *,
    amended: bool = True,
    specialised: str | None = None,
) -> PerformanceLevel | None:
    """The học lực of a term or the year from each subject's value for that period.

    ``values`` maps subject codes to the scored subjects' averages (ĐTBmhk or ĐTBmcn) and the
    comment subjects' results; ``None`` while one is missing or no subject is scored.

    Art. 13.6: for each subject, the level is recomputed with that subject set aside; when
    exactly one subject raises it that way, the drop it causes is looked up in ``ADJUSTMENT``.
    """
    if any(value is None for value in values.values()):
        return None
    scores = {c: v for c, v in values.items() if isinstance(v, Decimal)}
    comments = {c: v for c, v in values.items() if isinstance(v, CommentResult)}
    average = all_average(list(scores.values()))
    if average is None:
        return None
    core = CORE_AMENDED if amended else CORE_ORIGINAL
    level, missed = _raw_level(average, scores, comments, core=core, specialised=specialised)
    excused = {
        code: _raw_level(
            average,
            scores,
            comments,
            core=core,
            specialised=specialised,
            excused=code,
            explain=False,
        )[0]
        for code in values
    }
    lifted = {code: alone for code, alone in excused.items() if RANK[alone] > RANK[level]}
    if len(lifted) == 1:
        ((code, without),) = lifted.items()
        result = adjusted(without, level)
        if result is not None:
            return PerformanceLevel(result, level, average, missed, code, without)
    return PerformanceLevel(level, level, average, missed)


# --- conduct, promotion, award -----------------------------------------------------------


def conduct_year(terms: Sequence[Conduct | None], given: Conduct | None = None) -> Conduct | None:
    """The year's hạnh kiểm: as given, else (⚠) the term II hạnh kiểm, else ``None``."""
    if given is not None:
        return given
    return terms[1] if len(terms) > 1 else None


def promotion(
    *, learning: Performance | None, conduct: Conduct | None, absences: int | None
) -> Promotion | None:
    """Art. 15–16: what follows the year, ``None`` until all three inputs are known.

    More than 45 sessions absent, học lực Kém, or học lực and hạnh kiểm both Yếu repeat the
    grade; học lực Yếu means summer re-tests; hạnh kiểm Yếu summer conduct training.
    """
    if learning is None or conduct is None or absences is None:
        return None
    if absences > MAX_ABSENCES or learning is Performance.KEM:
        return Promotion.O_LAI_LOP
    if learning is Performance.YEU and conduct is Conduct.YEU:
        return Promotion.O_LAI_LOP
    if learning is Performance.YEU:
        return Promotion.KIEM_TRA_LAI
    if conduct is Conduct.YEU:
        return Promotion.REN_LUYEN_HE
    return Promotion.LEN_LOP


def award(*, learning: Performance | None, conduct: Conduct | None) -> Award | None:
    """Học sinh giỏi (hạnh kiểm Tốt, học lực Giỏi) or tiên tiến (both at least Khá)."""
    if learning is None or conduct is None:
        return None
    if learning is Performance.GIOI and conduct is Conduct.TOT:
        return Award.GIOI
    if (
        RANK[learning] >= RANK[Performance.KHA]
        and CONDUCT_RANK[conduct] >= CONDUCT_RANK[Conduct.KHA]
    ):
        return Award.TIEN_TIEN
    return None


# --- evaluation --------------------------------------------------------------------------


def _period(term: int | None) -> str:
    return tt22.period_label(term)


def _learning_reason(term: int | None, decided: PerformanceLevel | None) -> str:
    period = _period(term)
    if decided is None:
        return _("Học lực, {period}: not known until every subject has its result.").format(
            period=period
        )
    if decided.responsible is not None and decided.without is not None:
        return _(
            "Học lực, {period}: {level} (Art. 13.6: average {average}; {subject} alone lowers "
            "the level from {without} to {unadjusted})."
        ).format(
            period=period,
            level=performance_label(decided.level),
            average=decimal_text(decided.average),
            subject=subject_name(decided.responsible),
            without=performance_label(decided.without),
            unadjusted=performance_label(decided.unadjusted),
        )
    if decided.level is Performance.GIOI:
        return _("Học lực, {period}: {level} (Art. 13.1; average {average}).").format(
            period=period,
            level=performance_label(decided.level),
            average=decimal_text(decided.average),
        )
    higher = next(p for p, r in RANK.items() if r == RANK[decided.level] + 1)
    return _(
        "Học lực, {period}: {level} (Art. 13; average {average}; not {higher}: {missed})."
    ).format(
        period=period,
        level=performance_label(decided.level),
        average=decimal_text(decided.average),
        higher=performance_label(higher),
        missed="; ".join(decided.missed),
    )


def _conduct_reason(year: Conduct | None, given: Conduct | None) -> str:
    if year is None:
        return _("Hạnh kiểm for the year: not known yet.")
    if given is not None:
        return _("Hạnh kiểm for the year: {level}, as entered.").format(level=conduct_label(year))
    return _(
        "Hạnh kiểm for the year: {level}, taken from term II because no year conduct was given."
    ).format(level=conduct_label(year))


def _award_reason(
    result: Award | None, learning: Performance | None, conduct: Conduct | None
) -> str:
    if result is Award.GIOI:
        return _("Award: good student (hạnh kiểm Good, học lực Very good).")
    if result is Award.TIEN_TIEN:
        return _("Award: advanced student (hạnh kiểm and học lực at least Fair).")
    if learning is None or conduct is None:
        return _("Award: not known until the year's học lực and hạnh kiểm are known.")
    return _("Award: none (hạnh kiểm {conduct}, học lực {learning}).").format(
        conduct=conduct_label(conduct), learning=performance_label(learning)
    )


def _promotion_reason(
    result: Promotion | None,
    learning: Performance | None,
    conduct: Conduct | None,
    absences: int | None,
) -> str:
    if result is None:
        return _("Promotion: not known until the year's học lực, hạnh kiểm and absences are known.")
    assert learning is not None and conduct is not None and absences is not None
    if absences > MAX_ABSENCES:
        return _("Promotion: repeats the grade ({absences} sessions absent > 45, Art. 15).").format(
            absences=absences
        )
    if learning is Performance.KEM:
        return _("Promotion: repeats the grade (học lực Poor, Art. 16).")
    messages = {
        Promotion.O_LAI_LOP: _(
            "Promotion: repeats the grade (học lực and hạnh kiểm Weak, Art. 16)."
        ),
        Promotion.KIEM_TRA_LAI: _("Promotion: summer re-tests (học lực Weak, Art. 16)."),
        Promotion.REN_LUYEN_HE: _("Promotion: summer conduct training (hạnh kiểm Weak, Art. 16)."),
        Promotion.LEN_LOP: _(
            "Promotion: moves up (học lực and hạnh kiểm at least Average, {absences} sessions "
            "absent ≤ 45, Art. 15)."
        ).format(absences=absences),
    }
    return messages[result]


def _scores(results: Sequence[tt22.SubjectResult], term: int | None) -> list[Decimal | None]:
    """The scored subjects' averages of a term (or the year when ``term`` is None)."""
    values = [r.year if term is None else r.terms[term] for r in results if r.mode is Mode.SCORE]
    return [v if isinstance(v, Decimal) else None for v in values]


def evaluate(year: YearInput, *, explain: bool = True) -> Outcome:
    """Every result of the student-year (the partial ones stay ``None``).

    Raises ``RegimeInputError`` when a term's number of regular scores contradicts the
    subject's ``periods_per_year`` (the gradebook builds inputs without ``parse``).
    """
    for subject in year.subjects:
        regular_slots_check(subject, amended=year.amended)
    results = tuple(subject_result(s) for s in year.subjects)
    amended, specialised = year.amended, year.specialised
    learning_terms = (
        performance(
            {r.code: r.terms[0] for r in results}, amended=amended, specialised=specialised
        ),
        performance(
            {r.code: r.terms[1] for r in results}, amended=amended, specialised=specialised
        ),
    )
    learning = performance(
        {r.code: r.year for r in results}, amended=amended, specialised=specialised
    )
    averages = (all_average(_scores(results, 0)), all_average(_scores(results, 1)))
    conduct_terms = (
        year.conduct[0] if len(year.conduct) > 0 else None,
        year.conduct[1] if len(year.conduct) > 1 else None,
    )
    conduct = conduct_year(conduct_terms, year.conduct_year)
    learning_value = None if learning is None else learning.level
    given_award = award(learning=learning_value, conduct=conduct)
    given_promotion = promotion(learning=learning_value, conduct=conduct, absences=year.absences)
    reasons: list[str] = []
    # Without ``explain`` (the year-end run, the stored results) no sentence is written.
    if explain:
        if not year.amended:
            reasons.append(
                _(
                    "Original TT58 (before TT26/2020): periodic tests weigh 2; core subjects Toán "
                    "and Ngữ văn."
                )
            )
        for result in results:
            reasons.extend(tt22.subject_reasons(result))
        reasons.append(_learning_reason(0, learning_terms[0]))
        reasons.append(_learning_reason(1, learning_terms[1]))
        reasons.append(_learning_reason(None, learning))
        reasons.append(_conduct_reason(conduct, year.conduct_year))
        reasons.append(_award_reason(given_award, learning_value, conduct))
        reasons.append(_promotion_reason(given_promotion, learning_value, conduct, year.absences))
    return Outcome(
        amended=year.amended,
        subjects=results,
        averages=averages,
        average_year=all_average(_scores(results, None)),
        learning_terms=learning_terms,
        learning_year=learning,
        conduct_terms=conduct_terms,
        conduct_year=conduct,
        award=given_award,
        promotion=given_promotion,
        reasons=tuple(reasons),
    )


def regular_slots_check(subject: SubjectInput, *, amended: bool = True) -> None:
    """TT26: the number of regular scores per term is fixed by periods per year, as in TT22.

    The original TT58 set minimum counts per periods a week; they are not checked (⚠).
    """
    if not amended or subject.mode is not Mode.SCORE or subject.periods_per_year is None:
        return
    need = regular_count(subject.periods_per_year)
    for index, term in enumerate(subject.terms):
        if term.regular and len(term.regular) != need:
            raise RegimeInputError(
                _(
                    "{subject}: {term} needs {need} regular assessment scores "
                    "({periods} periods a year), got {got}."
                ).format(
                    subject=subject.name,
                    term=term_label(index),
                    need=need,
                    periods=subject.periods_per_year,
                    got=len(term.regular),
                )
            )


# --- reading the calculator's JSON -------------------------------------------------------

TOP_KEYS = {
    "regime",
    "school_year",
    "grade",
    "subjects",
    "conduct",
    "conduct_year",
    "absences",
    "amended",
    "specialised",
}
SUBJECT_KEYS = {"code", "mode", "periods_per_year", "terms"}
SCORE_TERM_KEYS = {"regular", "midterm", "final"}
COMMENT_TERM_KEYS = {"result"}


def _read_term(raw: Any, *, name: str, index: int, mode: Mode, amended: bool) -> TermScores:
    where = f"{name}, {term_label(index)}"
    if mode is Mode.COMMENT:
        item = tt22.read_object(raw, where=where, keys=COMMENT_TERM_KEYS)
        result = item.get("result")
        if result is None:
            return TermScores()
        return TermScores(result=tt22.read_choice(result, where=where, enum=CommentResult))
    item = tt22.read_object(raw, where=where, keys=SCORE_TERM_KEYS)
    regular = tt22.read_list(
        item.get("regular", []), where=_("{where}, regular").format(where=where)
    )
    midterm_where = _("{where}, mid-term").format(where=where)
    raw_periodic = item.get("midterm")
    if isinstance(raw_periodic, list):
        if amended:
            raise RegimeInputError(
                _(
                    "{where}: since TT26/2020 a term has one mid-term score; a list of periodic "
                    'tests belongs to the original TT58 ("amended": false).'
                ).format(where=midterm_where)
            )
        periodic = tuple(
            tt22.read_optional_score(v, where=f"{midterm_where} {n + 1}")
            for n, v in enumerate(raw_periodic)
        )
    elif raw_periodic is None:
        periodic = ()
    else:
        periodic = (tt22.read_optional_score(raw_periodic, where=midterm_where),)
    return TermScores(
        regular=tuple(
            tt22.read_optional_score(
                value, where=_("{where}, regular score {n}").format(where=where, n=n + 1)
            )
            for n, value in enumerate(regular)
        ),
        periodic=periodic,
        final=tt22.read_optional_score(
            item.get("final"), where=_("{where}, end-of-term").format(where=where)
        ),
    )


def parse(data: Any) -> YearInput:
    """One student-year from the calculator's JSON (``docs/modules/learning-calculator.md``).

    ``amended`` defaults to true, or to false when ``school_year`` is 2019-2020 or earlier.
    """
    data = tt22.read_object(data, where=_("input"), keys=TOP_KEYS)
    grade = tt22.read_grade(data, GRADES)
    if "amended" in data:
        if not isinstance(data["amended"], bool):
            raise RegimeInputError(_("amended: expected true or false."))
        amended = data["amended"]
    elif data.get("school_year") is not None:
        try:
            amended = tt58_amended(data["school_year"])
        except ValueError as exc:
            raise RegimeInputError(str(exc)) from None
    else:
        amended = True
    raw_subjects = tt22.read_list(data.get("subjects"), where="subjects")
    if not raw_subjects:
        raise RegimeInputError(_("subjects: list at least one subject."))
    seen: set[str] = set()
    subjects = []
    for index, raw in enumerate(raw_subjects):
        item = tt22.read_subject_head(raw, index, seen, SUBJECT_KEYS)
        name = subject_name(item["code"])
        mode = tt22.read_choice(
            item.get("mode"), where=_("{subject}: mode").format(subject=name), enum=Mode
        )
        terms = tt22.read_list(
            item.get("terms", []), where=_("{subject}: terms").format(subject=name), most=TERMS
        )
        subject = SubjectInput(
            code=item["code"],
            mode=mode,
            terms=tuple(
                _read_term(t, name=name, index=n, mode=mode, amended=amended)
                for n, t in enumerate(terms)
            ),
            periods_per_year=tt22.read_periods(item, name),
        )
        regular_slots_check(subject, amended=amended)
        subjects.append(subject)
    specialised = data.get("specialised")
    if specialised is not None:
        scored = {s.code for s in subjects if s.mode is Mode.SCORE}
        if specialised not in scored:
            raise RegimeInputError(
                _("specialised: “{code}” is not one of the scored subjects listed.").format(
                    code=specialised
                )
            )
    conduct_year_raw = data.get("conduct_year")
    return YearInput(
        grade=grade,
        subjects=tuple(subjects),
        conduct=tt22.read_conduct(data, Conduct),
        conduct_year=None
        if conduct_year_raw is None
        else tt22.read_choice(conduct_year_raw, where=_("conduct_year"), enum=Conduct),
        absences=tt22.read_absences(data),
        amended=amended,
        specialised=specialised,
    )
