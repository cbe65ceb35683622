"""Reads of QĐ 4725 self-assessments that span schools: the status of each school of a scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from vnemis.core.text import fold
from vnemis.digital import selfassessment
from vnemis.digital.choices import SelfAssessmentStatus
from vnemis.digital.models import CriterionScore, SelfAssessment
from vnemis.organisations.models import OrgUnitQuerySet, SchoolYear

# A school without an assessment for the year: a status of the list, not of the model.
NOT_STARTED = "not_started"


@dataclass(frozen=True)
class StatusRow:
    """One school's line of the status list."""

    code: str
    name: str
    status: str  # a SelfAssessmentStatus value, or NOT_STARTED
    late: bool
    submitted_at: dt.datetime | None
    group_i: int | None
    group_ii: int | None
    level: int | None
    provisional: bool
    external_level: int | None

    @property
    def total(self) -> int | None:
        if self.group_i is None or self.group_ii is None:
            return None
        return self.group_i + self.group_ii


def self_assessment_status_rows(
    *, schools: OrgUnitQuerySet, year: SchoolYear, q: str = ""
) -> list[StatusRow]:
    """Each school of ``schools`` (by name) with its assessment's status and results for
    ``year``, in a fixed number of queries whatever the number of schools. ``q`` matches the
    code or the name without regard to accents."""
    school_rows = list(schools.order_by("name", "code").values_list("id", "code", "name"))
    assessments = {
        a["school_id"]: a
        for a in SelfAssessment.objects.filter(
            school_id__in=schools.values("id"), school_year=year
        ).values("id", "school_id", "status", "submitted_late", "submitted_at", "external_level")
    }
    ids = [a["id"] for a in assessments.values()]
    points: dict[int, dict[str, int]] = {}
    for assessment_id, group, total in (
        CriterionScore.objects.filter(assessment_id__in=ids, criterion__mandatory=False)
        .values("assessment_id", "criterion__group")
        .annotate(total=Sum("points"))
        .values_list("assessment_id", "criterion__group", "total")
    ):
        points.setdefault(assessment_id, {})[group] = int(total or 0)
    unmet = set(
        CriterionScore.objects.filter(
            assessment_id__in=ids, criterion__mandatory=True, met=False
        ).values_list("assessment_id", flat=True)
    )
    known = selfassessment.known_points()
    wanted = fold(q)
    rows = []
    for school_id, code, name in school_rows:
        if wanted and wanted not in fold(name) and wanted not in code.lower():
            continue
        a = assessments.get(school_id)
        if a is None:
            row = StatusRow(code, name, NOT_STARTED, False, None, None, None, None, False, None)
        else:
            result = selfassessment.summarise(
                points=points.get(a["id"], {}), mandatory_met=a["id"] not in unmet, known=known
            )
            row = StatusRow(
                code,
                name,
                a["status"],
                a["submitted_late"],
                a["submitted_at"],
                result.group_i,
                result.group_ii,
                result.level,
                result.provisional,
                a["external_level"],
            )
        rows.append(row)
    return rows


# The list's status filter: a status, NOT_STARTED, or LATE (submitted after the deadline).
LATE = "late"


def rows_with_status(rows: list[StatusRow], status: str) -> list[StatusRow]:
    if not status:
        return rows
    if status == LATE:
        return [r for r in rows if r.late]
    return [r for r in rows if r.status == status]


def status_counts(rows: list[StatusRow]) -> dict[str, int]:
    counts = dict.fromkeys([NOT_STARTED, *SelfAssessmentStatus.values], 0)
    for row in rows:
        counts[row.status] += 1
    return counts


def status_overview(*, schools: OrgUnitQuerySet, year: SchoolYear) -> list[tuple[str, str, int]]:
    """(status, label, number of schools) for every status, not started first: the QĐ 4725
    block of the operations centre."""
    counts = status_counts(self_assessment_status_rows(schools=schools, year=year))
    labels = {NOT_STARTED: str(_("Not started"))} | {
        s.value: str(s.label) for s in SelfAssessmentStatus
    }
    return [(status, labels[status], n) for status, n in counts.items()]
