"""Term reports: the homeroom teacher's conduct (or qualities and competencies), absences and
remark for each student of her class."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.learning.choices import Term
from vnemis.learning.columns import COMMENT_MAX, PRIMARY
from vnemis.learning.evaluation import trait_codes
from vnemis.learning.models import Correction, ResultChange, TermReport
from vnemis.learning.services.catalogue import class_regime
from vnemis.learning.services.marks import (
    CellError,
    CellsRefused,
    TermLocked,
    class_student_ids,
    term_locked,
)
from vnemis.learning.services.results import year_results_refresh
from vnemis.learning.traits import CONDUCT_CODES, CONDUCT_SHORT, TRAIT_CODES
from vnemis.people.models import SchoolClass

# Sessions (buổi) in a school year: an absence count above it is a typing error.
ABSENCES_MAX = 250


@dataclass(frozen=True)
class ReportInput:
    """A student's term report as typed: ``conduct`` (secondary) or ``traits`` (primary,
    trait code → level), sessions absent and the remark. ``None`` keeps what is stored."""

    student_id: int
    conduct: str | None = None
    traits: dict[str, str] = field(default_factory=dict)
    absences_excused: str | None = None
    absences_unexcused: str | None = None
    remark: str | None = None


def report_values(report: TermReport | None) -> dict[str, Any]:
    if report is None:
        return {}
    values: dict[str, Any] = {}
    if report.conduct:
        values["conduct"] = report.conduct
    if report.traits:
        values["traits"] = dict(report.traits)
    if report.absences_excused:
        values["absences_excused"] = report.absences_excused
    if report.absences_unexcused:
        values["absences_unexcused"] = report.absences_unexcused
    if report.remark:
        values["remark"] = report.remark
    return values


def _count(raw: str, *, where: str) -> int:
    text = raw.strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > ABSENCES_MAX:
        raise ValidationError(
            _("{where}: type a whole number of sessions from 0 to {most}.").format(
                where=where, most=ABSENCES_MAX
            )
        )
    return int(text)


def term_reports_parse(
    *, school_class: SchoolClass, rows: Sequence[ReportInput]
) -> list[tuple[ReportInput, dict[str, Any]]]:
    """The stored values of each row (only the fields given), or ``CellsRefused``."""
    regime = class_regime(school_class)
    primary = regime in PRIMARY
    enrolled = class_student_ids(school_class)
    allowed_traits = trait_codes(regime, school_class.grade) if primary else ()
    parsed: list[tuple[ReportInput, dict[str, Any]]] = []
    errors: list[CellError] = []
    for row in rows:
        if row.student_id not in enrolled:
            errors.append(
                CellError(
                    row.student_id,
                    "",
                    _("This student is not enrolled in class {klass}.").format(
                        klass=school_class.name
                    ),
                )
            )
            continue
        values: dict[str, Any] = {}
        try:
            if row.conduct is not None:
                conduct = row.conduct.strip().lower()
                if primary:
                    raise ValidationError(_("Primary grades assess qualities, not conduct."))
                codes = CONDUCT_CODES[regime]
                if conduct and conduct not in codes:
                    raise ValidationError(
                        _("Conduct: “{value}” is not a level; type one of {choices}.").format(
                            value=row.conduct, choices=", ".join(CONDUCT_SHORT[regime].values())
                        )
                    )
                values["conduct"] = codes.get(conduct, "") if conduct else ""
            if row.traits:
                if not primary:
                    raise ValidationError(_("Qualities and competencies are for primary grades."))
                traits = {}
                for code, level in row.traits.items():
                    if code not in allowed_traits:
                        raise ValidationError(
                            _("“{code}” is not a quality or competency of this grade.").format(
                                code=code
                            )
                        )
                    level_code = TRAIT_CODES.get(level.strip().lower())
                    if level.strip() and level_code is None:
                        raise ValidationError(
                            _("{trait}: “{value}” is not a level; type T, Đ or C.").format(
                                trait=code, value=level
                            )
                        )
                    traits[code] = level_code or ""
                values["traits"] = traits
            if row.absences_excused is not None:
                values["absences_excused"] = _count(
                    row.absences_excused, where=_("Sessions absent with leave")
                )
            if row.absences_unexcused is not None:
                values["absences_unexcused"] = _count(
                    row.absences_unexcused, where=_("Sessions absent without leave")
                )
            if row.remark is not None:
                if len(row.remark) > COMMENT_MAX:
                    raise ValidationError(
                        _("Remark: at most {n} characters.").format(n=COMMENT_MAX)
                    )
                values["remark"] = row.remark.strip()
        except ValidationError as exc:
            errors.append(CellError(row.student_id, "", " ".join(exc.messages)))
            continue
        parsed.append((row, values))
    if errors:
        raise CellsRefused(errors)
    return parsed


@transaction.atomic
def term_reports_save(
    *,
    school_class: SchoolClass,
    term: int,
    rows: Sequence[ReportInput],
    by: User | None,
    via: str = "entry",
    correction: Correction | None = None,
) -> list[TermReport]:
    """Save the given fields of the class's term reports; return those that changed.

    Same rules as ``marks_save``: all rows or none, a locked term only through an approved
    correction, a change row with before and after for each report changed.
    """
    if term not in Term.values:
        raise ValidationError(_("A school year has terms I and II only."))
    if correction is None and term_locked(
        school_id=school_class.school_id, school_year_id=school_class.school_year_id, term=term
    ):
        raise TermLocked(
            _(
                "{term} is locked at this school: ask for a correction, which the "
                "principal approves."
            ).format(term=Term(term).label)
        )
    parsed = term_reports_parse(school_class=school_class, rows=rows)
    ids = sorted({row.student_id for row, _values in parsed})
    existing = {
        r.student_id: r
        for r in TermReport.objects.select_for_update()
        .filter(student_id__in=ids, school_year_id=school_class.school_year_id, term=term)
        .order_by("student_id")
    }
    changed: list[TermReport] = []
    changes: list[ResultChange] = []
    for row, values in parsed:
        report = existing.get(row.student_id) or TermReport(
            student_id=row.student_id, school_year_id=school_class.school_year_id, term=term
        )
        before = report_values(report if report.pk else None)
        for name, value in values.items():
            if name == "traits":
                merged = {**report.traits, **value}
                report.traits = {k: v for k, v in merged.items() if v}
            else:
                setattr(report, name, value)
        after = report_values(report)
        if after == before:
            continue
        report.updated_by = by
        report.full_clean(validate_unique=False, validate_constraints=False)
        report.save()
        existing[row.student_id] = report
        changed.append(report)
        changes.append(
            ResultChange(
                term_report=report,
                by=by,
                via=via,
                before=before,
                after=after,
                correction=correction,
            )
        )
    ResultChange.objects.bulk_create(changes)
    if changed:
        year_results_refresh(
            student_ids=[r.student_id for r in changed],
            school_year_id=school_class.school_year_id,
        )
    return changed
