"""The subject catalogue of each regime and grade: pure data, the one source for the database
catalogue (``learning.services.catalogue_sync``), the calculator and the tests.

Periods per year fix the number of regular scores of a scored subject (TT22/2021 Điều 6; TT58
as amended by TT26/2020), so they are part of the catalogue. They come from the programmes'
weekly timetables times 35 weeks:

- 2018 programme (TT32/2018/TT-BGDĐT), used under TT22/2021 and TT27/2020: the plan of each
  level lists the periods per year directly. Learning topics (chuyên đề học tập) are not
  counted, as Điều 6 says.
- 2006 programme (QĐ 16/2006/QĐ-BGDĐT), used under TT58/2011 and TT30/2014: weekly periods
  × 35. ⚠ Schools adjusted these plans (CV 4612/2017 and the COVID-era reductions), so a
  school may override a subject's periods in the database; the override then decides the
  number of regular scores.

Grades 10–12 of the 2018 programme choose four electives; the catalogue lists all nine and
marks them ``elective``: a class studies an elective only when a teacher is assigned to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["score", "comment", "level"]

# Subject codes are the calculator contract's codes (ASCII, stable); names are as the
# programmes and the học bạ print them.
SUBJECT_NAMES: dict[str, str] = {
    "toan": "Toán",
    "ngu_van": "Ngữ văn",
    "tieng_viet": "Tiếng Việt",
    "ngoai_ngu": "Ngoại ngữ 1",
    "ngoai_ngu_2": "Ngoại ngữ 2",
    "tieng_dan_toc": "Tiếng dân tộc thiểu số",
    "vat_li": "Vật lí",
    "hoa_hoc": "Hóa học",
    "sinh_hoc": "Sinh học",
    "khtn": "Khoa học tự nhiên",
    "lich_su": "Lịch sử",
    "dia_li": "Địa lí",
    "lich_su_dia_li": "Lịch sử và Địa lí",
    "gdcd": "Giáo dục công dân",
    "gdktpl": "Giáo dục kinh tế và pháp luật",
    "cong_nghe": "Công nghệ",
    "tin_hoc": "Tin học",
    "tin_hoc_cong_nghe": "Tin học và Công nghệ",
    "gdqp": "Giáo dục quốc phòng và an ninh",
    "gdtc": "Giáo dục thể chất",
    "the_duc": "Thể dục",
    "nghe_thuat": "Nghệ thuật",
    "am_nhac": "Âm nhạc",
    "mi_thuat": "Mĩ thuật",
    "hdtn": "Hoạt động trải nghiệm, hướng nghiệp",
    "gddp": "Nội dung giáo dục của địa phương",
    "dao_duc": "Đạo đức",
    "tnxh": "Tự nhiên và Xã hội",
    "khoa_hoc": "Khoa học",
    "thu_cong": "Thủ công",
    "ki_thuat": "Kĩ thuật",
}


def subject_name(code: str) -> str:
    """The printed name of a subject code; an unknown code is shown as given."""
    return SUBJECT_NAMES.get(code, code)


@dataclass(frozen=True)
class SubjectSpec:
    """One subject as a regime assesses it in one grade.

    ``mode``: ``score`` (10-point averages), ``comment`` (Đạt / Chưa đạt) or ``level``
    (primary: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành). ``core``: one of the subjects
    whose average gates the TT58 học lực (Toán, Ngữ văn, Ngoại ngữ). ``tested``: a primary
    subject with periodic tests at the end of each term; ``mid_tested``: also at mid-term
    (Tiếng Việt and Toán in grades 4–5).
    """

    code: str
    mode: Mode
    periods_per_year: int | None = None
    core: bool = False
    elective: bool = False
    tested: bool = False
    mid_tested: bool = False
    label: str = ""  # the printed name where a programme names the subject differently

    @property
    def name(self) -> str:
        return self.label or subject_name(self.code)


def _s(code: str, periods: int, *, core: bool = False, elective: bool = False) -> SubjectSpec:
    return SubjectSpec(
        code=code, mode="score", periods_per_year=periods, core=core, elective=elective
    )


def _c(code: str, periods: int) -> SubjectSpec:
    return SubjectSpec(code=code, mode="comment", periods_per_year=periods)


def _l(
    code: str,
    periods: int,
    *,
    tested: bool = False,
    mid_tested: bool = False,
    label: str = "",
) -> SubjectSpec:
    return SubjectSpec(
        code=code,
        mode="level",
        periods_per_year=periods,
        tested=tested,
        mid_tested=mid_tested,
        label=label,
    )


# TT22/2021, lower secondary (grades 6–9), 2018 programme. Comment-assessed subjects per Điều
# 5.1a: GDTC, the arts, the local content and the experiential activities.
def _tt22_lower(grade: int) -> tuple[SubjectSpec, ...]:
    return (
        _s("toan", 140, core=True),
        _s("ngu_van", 140, core=True),
        _s("ngoai_ngu", 105, core=True),
        _s("gdcd", 35),
        _s("lich_su_dia_li", 105),
        _s("khtn", 140),
        _s("cong_nghe", 52 if grade == 9 else 35),
        _s("tin_hoc", 35),
        _c("gdtc", 70),
        _c("am_nhac", 35),
        _c("mi_thuat", 35),
        _c("hdtn", 105),
        _c("gddp", 35),
    )


# TT22/2021, upper secondary (grades 10–12), 2018 programme: eight compulsory subjects and
# activities, four of nine electives.
_TT22_UPPER: tuple[SubjectSpec, ...] = (
    _s("toan", 105, core=True),
    _s("ngu_van", 105, core=True),
    _s("ngoai_ngu", 105, core=True),
    _s("lich_su", 52),
    _s("gdqp", 35),
    _c("gdtc", 70),
    _c("hdtn", 105),
    _c("gddp", 35),
    _s("dia_li", 70, elective=True),
    _s("gdktpl", 70, elective=True),
    _s("vat_li", 70, elective=True),
    _s("hoa_hoc", 70, elective=True),
    _s("sinh_hoc", 70, elective=True),
    _s("cong_nghe", 70, elective=True),
    _s("tin_hoc", 70, elective=True),
    SubjectSpec(code="am_nhac", mode="comment", periods_per_year=70, elective=True),
    SubjectSpec(code="mi_thuat", mode="comment", periods_per_year=70, elective=True),
)

# TT58/2011 (as amended by TT26/2020), 2006 programme: weekly periods × 35. Comment-assessed
# subjects: Thể dục, Âm nhạc, Mĩ thuật (TT58 Điều 7 as amended).
_TT58_WEEKLY: dict[int, tuple[tuple[str, float], ...]] = {
    6: (
        ("toan", 4),
        ("vat_li", 1),
        ("sinh_hoc", 2),
        ("ngu_van", 4),
        ("lich_su", 1),
        ("dia_li", 1),
        ("ngoai_ngu", 3),
        ("gdcd", 1),
        ("cong_nghe", 2),
        ("tin_hoc", 2),
    ),
    7: (
        ("toan", 4),
        ("vat_li", 1),
        ("sinh_hoc", 2),
        ("ngu_van", 4),
        ("lich_su", 2),
        ("dia_li", 2),
        ("ngoai_ngu", 3),
        ("gdcd", 1),
        ("cong_nghe", 1.5),
        ("tin_hoc", 2),
    ),
    8: (
        ("toan", 4),
        ("vat_li", 1),
        ("hoa_hoc", 2),
        ("sinh_hoc", 2),
        ("ngu_van", 4),
        ("lich_su", 1.5),
        ("dia_li", 1.5),
        ("ngoai_ngu", 3),
        ("gdcd", 1),
        ("cong_nghe", 1.5),
        ("tin_hoc", 2),
    ),
    9: (
        ("toan", 4),
        ("vat_li", 2),
        ("hoa_hoc", 2),
        ("sinh_hoc", 2),
        ("ngu_van", 5),
        ("lich_su", 1.5),
        ("dia_li", 1.5),
        ("ngoai_ngu", 2),
        ("gdcd", 1),
        ("cong_nghe", 1),
        ("tin_hoc", 2),
    ),
    10: (
        ("toan", 3),
        ("vat_li", 2),
        ("hoa_hoc", 2),
        ("sinh_hoc", 1.5),
        ("ngu_van", 3),
        ("lich_su", 1.5),
        ("dia_li", 1.5),
        ("ngoai_ngu", 3),
        ("gdcd", 1),
        ("cong_nghe", 1.5),
        ("tin_hoc", 2),
        ("gdqp", 1),
    ),
    11: (
        ("toan", 4),
        ("vat_li", 2),
        ("hoa_hoc", 2),
        ("sinh_hoc", 1.5),
        ("ngu_van", 4),
        ("lich_su", 1),
        ("dia_li", 1),
        ("ngoai_ngu", 3),
        ("gdcd", 1),
        ("cong_nghe", 1.5),
        ("tin_hoc", 1.5),
        ("gdqp", 1),
    ),
    12: (
        ("toan", 4),
        ("vat_li", 2),
        ("hoa_hoc", 2),
        ("sinh_hoc", 1.5),
        ("ngu_van", 4),
        ("lich_su", 1.5),
        ("dia_li", 1.5),
        ("ngoai_ngu", 3),
        ("gdcd", 1),
        ("cong_nghe", 1.5),
        ("tin_hoc", 1.5),
        ("gdqp", 1),
    ),
}
_TT58_CORE = frozenset({"toan", "ngu_van", "ngoai_ngu"})


def _tt58(grade: int) -> tuple[SubjectSpec, ...]:
    scored = tuple(
        _s(code, round(weekly * 35), core=code in _TT58_CORE)
        for code, weekly in _TT58_WEEKLY[grade]
    )
    if grade >= 10:
        return (*scored, _c("the_duc", 70))
    return (*scored, _c("the_duc", 70), _c("am_nhac", 35), _c("mi_thuat", 35))


# TT27/2020, primary, 2018 programme. Periodic tests at the end of each term in Tiếng Việt,
# Toán, Ngoại ngữ 1, Lịch sử và Địa lí, Khoa học, Tin học và Công nghệ (Điều 7); grades 4–5
# also at mid-term in Tiếng Việt and Toán.
def _tt27(grade: int) -> tuple[SubjectSpec, ...]:
    upper = grade >= 4
    subjects = [
        _l("tieng_viet", {1: 420, 2: 350}.get(grade, 245), tested=True, mid_tested=upper),
        _l("toan", 105 if grade == 1 else 175, tested=True, mid_tested=upper),
    ]
    if grade >= 3:
        subjects.append(_l("ngoai_ngu", 140, tested=True))
    subjects.append(_l("dao_duc", 35))
    if upper:
        subjects += [_l("lich_su_dia_li", 70, tested=True), _l("khoa_hoc", 70, tested=True)]
    else:
        subjects.append(_l("tnxh", 70))
    if grade >= 3:
        subjects.append(_l("tin_hoc_cong_nghe", 70, tested=True))
    subjects += [
        _l("gdtc", 70),
        _l("am_nhac", 35),
        _l("mi_thuat", 35),
        # Primary has experiential activities without the career guidance of grades 6–12.
        _l("hdtn", 105, label="Hoạt động trải nghiệm"),
    ]
    return tuple(subjects)


# TT30/2014 as amended by TT22/2016, primary, 2006 programme. Periodic tests (Điều 10 as
# amended) in Tiếng Việt, Toán, Khoa học, Lịch sử và Địa lí, Ngoại ngữ, Tin học, Tiếng dân
# tộc; grades 4–5 also at mid-term in Tiếng Việt and Toán.
def _tt30(grade: int) -> tuple[SubjectSpec, ...]:
    upper = grade >= 4
    subjects = [
        _l("tieng_viet", {1: 350, 2: 315, 3: 280}.get(grade, 280), tested=True, mid_tested=upper),
        _l("toan", 140 if grade == 1 else 175, tested=True, mid_tested=upper),
        _l("dao_duc", 35),
    ]
    if upper:
        subjects += [_l("khoa_hoc", 70, tested=True), _l("lich_su_dia_li", 70, tested=True)]
    else:
        subjects.append(_l("tnxh", 35 if grade <= 2 else 70))
    subjects += [_l("am_nhac", 35), _l("mi_thuat", 35)]
    subjects.append(_l("ki_thuat", 35) if upper else _l("thu_cong", 35))
    subjects.append(_l("the_duc", 70))
    if grade >= 3:
        subjects += [
            _l("ngoai_ngu", 140, tested=True, label="Ngoại ngữ"),
            _l("tin_hoc", 70, tested=True),
        ]
    return tuple(subjects)


def subjects_for(regime: str, grade: int) -> tuple[SubjectSpec, ...]:
    """The national catalogue of ``regime`` for ``grade``, in the order the học bạ prints it.

    Raises ``KeyError`` for a grade the regime does not assess (TT22 and TT58: 6–12; TT27 and
    TT30: 1–5).
    """
    if regime == "tt22" and 6 <= grade <= 9:
        return _tt22_lower(grade)
    if regime == "tt22" and 10 <= grade <= 12:
        return _TT22_UPPER
    if regime == "tt58" and 6 <= grade <= 12:
        return _tt58(grade)
    if regime == "tt27" and 1 <= grade <= 5:
        return _tt27(grade)
    if regime == "tt30" and 1 <= grade <= 5:
        return _tt30(grade)
    raise KeyError(f"{regime} does not assess grade {grade}")


REGIME_GRADES: dict[str, range] = {
    "tt22": range(6, 13),
    "tt58": range(6, 13),
    "tt27": range(1, 6),
    "tt30": range(1, 6),
}
