"""The QĐ 4725/QĐ-BGDĐT self-assessment: what vnemis observes itself, totals, the level and
the yearly deadlines.

Levels (reference §7.2, the scale published on the Ministry's DTI portal): each group's total
is placed on one scale — Mức 1 "chưa đáp ứng" below 50, Mức 2 "đáp ứng cơ bản" from 50 to 75,
Mức 3 "đáp ứng tốt" above 75 — and the school's level is the lower of its two groups' levels.
A criterion's points are whole numbers, so a total is too: "above 75" is 76 or more.

Reading, not text: an unmet mandatory condition keeps the school at Mức 1 (the page says so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum
from django.utils.translation import gettext_lazy

from vnemis.digital.models import Criterion, DigitalProfile, SelfAssessment, StudentRecord
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.models import Enrollment, SchoolClass

GROUPS = ("I", "II")
# Each group is marked out of 100 in the decision; the criteria listed may sum to less (group
# II's public list sums to 90), and the group is then shown as incomplete.
GROUP_POINTS = 100
LEVEL_2_FROM = 50
LEVEL_3_ABOVE = 75
LEVEL_NAMES = {
    1: gettext_lazy("Level 1: not yet met"),
    2: gettext_lazy("Level 2: basically met"),
    3: gettext_lazy("Level 3: well met"),
}


def level_for(points: int) -> int:
    """The level of one group's total: 1 below 50, 2 from 50 to 75, 3 above 75."""
    if points > LEVEL_3_ABOVE:
        return 3
    if points >= LEVEL_2_FROM:
        return 2
    return 1


def level_name(level: int) -> str:
    return str(LEVEL_NAMES[level])


# --- Deadlines -------------------------------------------------------------------------------

# The DTI portal's yearly dates (reference §7.2): the school submits by 31/5, the office
# assesses by 20/6, both in the calendar year the school year ends. The Ministry's guidance
# letter may move them from year to year, so they are settings ("MM-DD").
DEFAULT_DEADLINES = {"submit": "05-31", "external": "06-20"}


@dataclass(frozen=True)
class Deadlines:
    submit: dt.date
    external: dt.date


def deadlines_for(year: SchoolYear) -> Deadlines:
    """The submission and external-assessment deadlines of ``year``, from
    ``VNEMIS_SELF_ASSESSMENT_DEADLINES`` (the only place that setting is read)."""
    configured: Mapping[str, str] = {
        **DEFAULT_DEADLINES,
        **getattr(settings, "VNEMIS_SELF_ASSESSMENT_DEADLINES", {}),
    }
    end_year = year.ends_on.year
    days = {}
    for key in ("submit", "external"):
        try:
            month, day = (int(part) for part in str(configured[key]).split("-"))
            days[key] = dt.date(end_year, month, day)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"VNEMIS_SELF_ASSESSMENT_DEADLINES[{key!r}] must be a month and day as "
                f'"MM-DD", not {configured[key]!r}.'
            ) from exc
    return Deadlines(submit=days["submit"], external=days["external"])


# --- What vnemis observes --------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    share: Decimal  # 0..1 of the criterion's points
    note: str


Observer = Callable[[OrgUnit, SchoolYear, dt.date], Observation]


def _profile(school: OrgUnit, day: dt.date) -> DigitalProfile | None:
    return DigitalProfile.objects.as_of(day).filter(unit=school).first()


def _flag(field: str, label: str) -> Observer:
    """A criterion whose measure is whether the school uses a service at all (yes or no)."""

    def observe(school: OrgUnit, year: SchoolYear, day: dt.date) -> Observation:
        profile = _profile(school, day)
        if profile is None:
            return Observation(Decimal(0), "Chưa có hồ sơ chuyển đổi số")
        ok = bool(getattr(profile, field))
        return Observation(Decimal(1 if ok else 0), f"{label}: {'có' if ok else 'chưa có'}")

    return observe


def _student_share(field: str, label: str) -> Observer:
    """A criterion measured over the school's pupils: the share of those enrolled in the year
    whose record reached the sector database by ``day``."""

    def observe(school: OrgUnit, year: SchoolYear, day: dt.date) -> Observation:
        students = (
            Enrollment.objects.active().general_education().filter(school=school, school_year=year)
        )
        total = students.count()
        if not total:
            return Observation(Decimal(0), "Không có học sinh phổ thông")
        done = StudentRecord.objects.filter(
            school_year=year,
            student_id__in=students.values("student_id"),
            **{f"{field}__lte": day},
        ).count()
        return Observation(Decimal(done) / Decimal(total), f"{label}: {done}/{total} học sinh")

    return observe


def _staff_in_use(school: OrgUnit, year: SchoolYear, day: dt.date) -> Observation:
    """2.3.4 asks for the staff module in use, not for one staff record: the share of the
    year's classes whose homeroom teacher is an in-service staff record of the school."""
    classes = SchoolClass.objects.filter(school=school, school_year=year)
    total = classes.count()
    if not total:
        return Observation(Decimal(0), "Chưa có lớp học của năm học")
    done = classes.filter(
        homeroom_teacher__org_unit=school, homeroom_teacher__is_active=True
    ).count()
    return Observation(
        Decimal(done) / Decimal(total),
        f"Lớp có giáo viên chủ nhiệm trong hồ sơ cán bộ: {done}/{total} lớp",
    )


# Criteria name their observer in ``Criterion.observed``. Those missing here are scored by
# the school: 1.7.1 is a share of classrooms with a projector and Internet, and 2.3.1 a set of
# rules, neither of which vnemis records.
OBSERVERS: dict[str, Observer] = {
    "contact_book": _flag("contact_book", "Sổ liên lạc điện tử"),
    "cashless": _flag("cashless_payment", "Thanh toán không dùng tiền mặt"),
    "student_records": _student_share("results_received_on", "Có kết quả học tập"),
    "transcripts": _student_share("transcript_issued_on", "Có học bạ điện tử"),
    "staff_records": _staff_in_use,
    # 2.3.8: the whole school's data exchanged with the sector database, not a single pupil's.
    "data_exchange": _student_share("results_received_on", "Đã gửi dữ liệu lên CSDL ngành"),
}


def points_for(max_points: int, share: Decimal) -> int:
    return int((Decimal(max_points) * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Totals and the level --------------------------------------------------------------------


@dataclass(frozen=True)
class GroupResult:
    """One group's total, and how many of its 100 points the listed criteria carry."""

    code: str
    points: int
    known: int
    total: int = GROUP_POINTS

    @property
    def incomplete(self) -> bool:
        return self.known < self.total

    @property
    def level(self) -> int:
        return level_for(self.points)


@dataclass(frozen=True)
class Result:
    groups: tuple[GroupResult, ...]
    mandatory_met: bool

    @property
    def group_i(self) -> int:
        return self.groups[0].points

    @property
    def group_ii(self) -> int:
        return self.groups[1].points

    @property
    def level(self) -> int:
        if not self.mandatory_met:
            return 1
        return min(g.level for g in self.groups)

    @property
    def level_name(self) -> str:
        return level_name(self.level)

    @property
    def provisional(self) -> bool:
        """Some group's criteria do not yet carry all its points: the level may change."""
        return any(g.incomplete for g in self.groups)


def known_points() -> dict[str, int]:
    """The points the listed criteria carry, per group (criteria are data)."""
    rows = (
        Criterion.objects.filter(mandatory=False)
        .values("group")
        .annotate(points=Sum("max_points"))
        .values_list("group", "points")
    )
    known = dict.fromkeys(GROUPS, 0)
    known.update({group: int(points or 0) for group, points in rows})
    return known


def summarise(
    *, points: Mapping[str, int], mandatory_met: bool, known: Mapping[str, int]
) -> Result:
    return Result(
        groups=tuple(
            GroupResult(code=g, points=points.get(g, 0), known=known.get(g, 0)) for g in GROUPS
        ),
        mandatory_met=mandatory_met,
    )


def result(assessment: SelfAssessment, *, known: Mapping[str, int] | None = None) -> Result:
    points = dict.fromkeys(GROUPS, 0)
    mandatory_met = True
    for score in assessment.scores.select_related("criterion"):
        if score.criterion.mandatory:
            mandatory_met = mandatory_met and score.met
        else:
            points[score.criterion.group] = points.get(score.criterion.group, 0) + score.points
    return summarise(points=points, mandatory_met=mandatory_met, known=known or known_points())
