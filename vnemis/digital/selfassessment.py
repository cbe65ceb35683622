"""The QĐ 4725/QĐ-BGDĐT self-assessment: what vnemis observes itself, totals and the level.

Levels (reference §7.2, marked "verify against the decision"): Mức 3 (Tốt) when both groups
reach 75 points, Mức 2 (Cơ bản) when both reach 50, else Mức 1 (Chưa đáp ứng); a school
with a mandatory condition unmet stays at Mức 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from vnemis.digital.choices import InternetConnection
from vnemis.digital.models import DigitalProfile, SelfAssessment, StudentRecord
from vnemis.organisations.models import OrgUnit, SchoolYear
from vnemis.people.models import Enrollment, Staff


@dataclass(frozen=True)
class Observation:
    share: Decimal  # 0..1 of the criterion's points
    note: str


def _profile(school: OrgUnit, day: dt.date) -> DigitalProfile | None:
    return DigitalProfile.objects.as_of(day).filter(unit=school).first()


def _flag(field: str, label: str) -> Callable[[OrgUnit, SchoolYear, dt.date], Observation]:
    def observe(school: OrgUnit, year: SchoolYear, day: dt.date) -> Observation:
        profile = _profile(school, day)
        if profile is None:
            return Observation(Decimal(0), "Chưa có hồ sơ chuyển đổi số")
        if field == "internet":
            ok = profile.internet != InternetConnection.NONE
        else:
            ok = bool(getattr(profile, field))
        return Observation(Decimal(1 if ok else 0), f"{label}: {'có' if ok else 'chưa có'}")

    return observe


def _student_share(field: str, label: str) -> Callable[[OrgUnit, SchoolYear, dt.date], Observation]:
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


def _staff(school: OrgUnit, year: SchoolYear, day: dt.date) -> Observation:
    n = Staff.objects.filter(org_unit=school, is_active=True).count()
    return Observation(Decimal(1 if n else 0), f"{n} hồ sơ cán bộ trên hệ thống")


def _exchange(school: OrgUnit, year: SchoolYear, day: dt.date) -> Observation:
    received = StudentRecord.objects.filter(
        school_year=year,
        results_received_on__lte=day,
        student__enrollments__school=school,
    ).exists()
    return Observation(
        Decimal(1 if received else 0),
        "Đã gửi kết quả học tập lên CSDL ngành" if received else "Chưa gửi dữ liệu lên CSDL ngành",
    )


OBSERVERS: dict[str, Callable[[OrgUnit, SchoolYear, dt.date], Observation]] = {
    "internet": _flag("internet", "Kết nối Internet"),
    "it_management": _flag("it_in_management", "Ứng dụng CNTT trong quản lý"),
    "contact_book": _flag("contact_book", "Sổ liên lạc điện tử"),
    "cashless": _flag("cashless_payment", "Thanh toán không dùng tiền mặt"),
    "student_records": _student_share("results_received_on", "Có kết quả học tập"),
    "transcripts": _student_share("transcript_issued_on", "Có học bạ điện tử"),
    "staff_records": _staff,
    "data_exchange": _exchange,
}


def points_for(max_points: int, share: Decimal) -> int:
    return int((Decimal(max_points) * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Result:
    group_i: int
    group_ii: int
    mandatory_met: bool
    level: int

    @property
    def level_name(self) -> str:
        return {3: "Mức 3 (Tốt)", 2: "Mức 2 (Cơ bản)", 1: "Mức 1 (Chưa đáp ứng)"}[self.level]


def result(assessment: SelfAssessment) -> Result:
    totals = {"I": 0, "II": 0}
    mandatory_met = True
    for score in assessment.scores.select_related("criterion"):
        if score.criterion.mandatory:
            mandatory_met = mandatory_met and score.met
        else:
            totals[score.criterion.group] += score.points
    low = min(totals.values())
    level = 1
    if mandatory_met and low >= 75:
        level = 3
    elif mandatory_met and low >= 50:
        level = 2
    return Result(totals["I"], totals["II"], mandatory_met, level)
