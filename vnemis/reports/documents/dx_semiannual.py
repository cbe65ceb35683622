"""The Department's semi-annual report on digital transformation (chuyển đổi số).

Twice a year the Sở GD&ĐT reports to the province's steering committee for digital
transformation what it achieved in the half-year: the e-government rates, the shares of schools
and students reached by cashless payment, electronic transcripts and contact books, Internet
connections and school websites, the sector database, and the progress of the tasks assigned to
it by the province's programmes; then difficulties, the next half-year's targets and its
requests. `render_dx_semiannual` writes that report as a DOCX in the Nghị định 30/2020 layout,
with the structure of the Department's report for the first half of 2022.

The figures come in as `DxReportData` and are formatted here, and every share is computed from
its counts, so the document cannot print a percentage that disagrees with its own numerator and
denominator (the 2022 report printed 168/612 as 24,4%; it is 27,5%). Sections II and IV and the
task lists are the officer's own text.

The document's wording is Vietnamese: it is the legally fixed text of an official document, not
translatable UI text.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from vnemis.reports.documents.nd30 import Nd30Document, Span, document_number_line
from vnemis.reports.numbers import (
    format_int,
    format_percent,
    format_ratio,
    percent,
    vn_date_line,
    vn_date_line_blank,
    zero_pad,
)

# "BC" is the type code of a báo cáo (Nghị định 30/2020, Phụ lục III); the number line joins
# it to the issuing unit's symbol from its report settings: "Số: 07/BC-SGDĐT".
TYPE_CODE = "BC"
NO_DATA = "chưa có số liệu"


class DxArea(StrEnum):
    """The two headings under which the province groups its digital-transformation rates."""

    E_GOVERNMENT = "Triển khai Chính quyền điện tử"
    DIGITAL_ECONOMY_SOCIETY = "Kinh tế số và xã hội số"


@dataclass(frozen=True)
class Ratio:
    """A part of a whole counted from records, e.g. 199 of 612 schools take cashless payment.

    The numerator cannot exceed the denominator, and an empty whole is refused: the report
    prints a share for every ratio.
    """

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if self.denominator <= 0:
            raise ValueError(f"a ratio needs a positive denominator, not {self.denominator}")
        if not 0 <= self.numerator <= self.denominator:
            raise ValueError(f"{self.numerator} is not a part of {self.denominator}")

    @property
    def percent(self) -> Decimal:
        """The share in percent, rounded half-up to one decimal: 168/612 → 27.5."""
        return percent(self.numerator, self.denominator)

    def counted(self, unit: str) -> str:
        """The ratio as the report writes it: "199/612 trường (đạt 32,5%)"."""
        shown = format_ratio(self.numerator, self.denominator)
        return f"{shown} {unit} (đạt {format_percent(self.percent)})"


@dataclass(frozen=True)
class FigureText:
    """An officer's sentence with figures filled in from the data: "{cashless_percent} trường…".

    Placeholders are the names in `FIGURE_PHRASES`; any other name is an error when the report
    is rendered. A plain `str` item is printed as written, braces included.
    """

    text: str


class UnknownFigureError(ValueError):
    """A `FigureText` names a figure that does not exist ("{internets}"), or asks for a
    format of it ("{internet!r}"); `name` is the name as written, `text` the whole item."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"unknown figure {{{name}}} in: {text}")
        self.name = name
        self.text = text


# A task-list item: the officer's text, or text with figures from the data.
TaskItem = str | FigureText


@dataclass(frozen=True, kw_only=True)
class ProgrammeTasks:
    """The tasks one provincial programme or plan assigns to the Department, and their state.

    `title` names the programme as the heading cites it in full ("Quyết định số 1634/QĐ-UBND
    ngày 17/5/2021 của UBND tỉnh ban hành Chương trình …"), `reference` as the section's
    list of sources cites it ("Quyết định số 1634/QĐ-UBND ngày 17/5/2021"). Every assigned
    task is done, not done or in progress; a list of items, when given, has one item per
    task of its kind.
    """

    title: str
    reference: str
    assigned: int
    done: int
    not_done: int = 0
    in_progress: int = 0
    done_items: tuple[TaskItem, ...] = ()
    not_done_items: tuple[TaskItem, ...] = ()
    in_progress_items: tuple[TaskItem, ...] = ()

    def __post_init__(self) -> None:
        counts = (self.assigned, self.done, self.not_done, self.in_progress)
        if min(counts) < 0:
            raise ValueError(f"task counts cannot be negative: {counts}")
        if self.done + self.not_done + self.in_progress != self.assigned:
            raise ValueError(
                f"{self.title}: {self.done} done + {self.not_done} not done + "
                f"{self.in_progress} in progress is not the {self.assigned} tasks assigned"
            )
        for items, count in (
            (self.done_items, self.done),
            (self.not_done_items, self.not_done),
            (self.in_progress_items, self.in_progress),
        ):
            if items and len(items) != count:
                raise ValueError(f"{self.title}: {len(items)} items listed for {count} tasks")


@dataclass(frozen=True)
class Target:
    """A rate to reach by the end of the next half-year, e.g. cashless payment in 50% of schools.

    `value` is already written as the report prints it ("50%", "73,9%").
    """

    label: str
    value: str
    area: DxArea


@dataclass(frozen=True, kw_only=True)
class DxReportData:
    """Everything the semi-annual digital-transformation report says, ready to print.

    Counts and reported rates come from the data side; the narratives (`steering_results`,
    `assessment`, `recommendations`) are written by the officer, paragraphs separated by
    blank lines. `date` is the signing date; a draft leaves it None and prints a blank day in
    `month` and `year`. `number` is the document number, "" in a draft.
    """

    period_label: str  # "6 tháng đầu năm 2022"
    next_period_label: str  # "6 tháng cuối năm 2022"
    # The header and the closing sentence: "UBND TỈNH HÀ TĨNH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    # "Sở Giáo dục và Đào tạo tỉnh Hà Tĩnh", "SGDĐT" (after "BC-" in the number); the place
    # of the date line.
    parent_agency: str
    agency: str
    agency_in_text: str
    agency_symbol: str
    place: str
    date: dt.date | None
    month: int
    year: int
    number: str
    basis: str
    # Section I.1 and I.2: the steering committee's plan for the year, the notices that
    # assigned the Department tasks, and what it did about them.
    steering_plan: str
    steering_directions: str
    steering_results: str
    # Rates reported by the public-service and document systems, in percent; None when the
    # system gave no figure.
    procedures_online_pct: Decimal | None
    dossiers_online_pct: Decimal | None
    work_records_online_pct: Decimal | None
    cashless_schools: Ratio
    e_transcript_students: Ratio
    contact_book_schools: Ratio
    internet_schools: Ratio
    internet_wired_schools: int
    internet_mobile_schools: int
    # School sites (điểm trường) of the mầm non and tiểu học schools.
    sites_total: int
    sites_mobile: int
    sites_without: int
    website_preschool: Ratio
    website_primary: Ratio
    website_lower_secondary: Ratio
    schools_in_db: int
    student_records_in_db: int
    staff_in_db: int
    programmes: tuple[ProgrammeTasks, ...]
    assessment: str
    next_targets: tuple[Target, ...]
    next_tasks: tuple[str, ...]
    recommendations: str
    # The bodies the report is sent to for action (Kính gửi); none for a report filed
    # without one.
    addressees: tuple[str, ...] = ()
    recipients: tuple[str, ...]
    archive_unit: str  # the drafting unit, in "Lưu: VT, GDTrH."
    archive_copies: int = 0  # copies kept, in "Lưu: VT, GDTrH, 02b."; 0 leaves it out
    signer_authority: str  # "KT. GIÁM ĐỐC", or "" when the Director signs
    signer_title: str
    signer_name: str

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"no such month: {self.month}")
        connected = self.internet_wired_schools + self.internet_mobile_schools
        if connected != self.internet_schools.numerator:
            raise ValueError(
                f"{self.internet_wired_schools} wired + {self.internet_mobile_schools} mobile "
                f"schools is not the {self.internet_schools.numerator} connected"
            )
        if self.sites_mobile + self.sites_without > self.sites_total:
            raise ValueError(
                f"{self.sites_mobile} sites on 3G/4G + {self.sites_without} without network "
                f"exceed the {self.sites_total} sites"
            )


def _internet(data: DxReportData) -> str:
    return (
        f"Có {format_ratio(data.internet_schools.numerator, data.internet_schools.denominator)}"
        f" cơ sở giáo dục có kết nối internet; trong đó: "
        f"{format_int(data.internet_wired_schools)} trường sử dụng mạng có dây; "
        f"{format_int(data.internet_mobile_schools)} trường sử dụng mạng 3G, 4G; "
        f"{format_ratio(data.sites_mobile, data.sites_total)} điểm trường (cấp Mầm non, "
        f"Tiểu học) đang sử dụng mạng 3G, 4G; "
        f"{format_int(data.sites_without)} điểm trường không có mạng"
    )


def _websites(data: DxReportData) -> str:
    return (
        f"cấp mầm non: {data.website_preschool.counted('trường')}, "
        f"cấp tiểu học: {data.website_primary.counted('trường')}, "
        f"cấp THCS: {data.website_lower_secondary.counted('trường')}"
    )


def _sector_database(data: DxReportData) -> str:
    return (
        f"thông tin {format_int(data.schools_in_db)} trường học; "
        f"thông tin {format_int(data.student_records_in_db)} hồ sơ học sinh và kết quả học tập "
        f"của học sinh; thông tin {format_int(data.staff_in_db)} CBQL, giáo viên, nhân viên "
        f"ngành Giáo dục"
    )


# The figures a `FigureText` may name, each a phrase without final punctuation.
FIGURE_PHRASES: Mapping[str, Callable[[DxReportData], str]] = {
    "internet": _internet,
    "websites": _websites,
    "sector_database": _sector_database,
    "cashless_percent": lambda data: format_percent(data.cashless_schools.percent),
    "e_transcript_percent": lambda data: format_percent(data.e_transcript_students.percent),
    "contact_book_percent": lambda data: format_percent(data.contact_book_schools.percent),
}


def fill_figures(item: TaskItem, data: DxReportData) -> str:
    """The text of a task item, with a `FigureText`'s placeholders replaced by the figures.

    Only bare names from `FIGURE_PHRASES` are allowed ("{internet}", not "{internet!r}" or
    "{internet.x}"); anything else raises UnknownFigureError, so a typo cannot reach the
    document.
    """
    if isinstance(item, str):
        return item
    parts: list[str] = []
    for literal, name in _figure_parts(item.text):
        parts.append(literal)
        if name is not None:
            parts.append(FIGURE_PHRASES[name](data))
    return "".join(parts)


def _figure_parts(text: str) -> list[tuple[str, str | None]]:
    """`text` as (literal, figure name or None) pieces; a bad placeholder is refused."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:  # an unmatched brace: "{internet"
        raise UnknownFigureError(text[text.find("{") :], text) from exc
    pieces: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (name not in FIGURE_PHRASES or spec or conversion):
            raise UnknownFigureError(name, text)
        pieces.append((literal, name))
    return pieces


def check_figures(item: TaskItem) -> None:
    """Raise UnknownFigureError when a `FigureText` names a figure that does not exist."""
    if isinstance(item, FigureText):
        _figure_parts(item.text)


def _sentence(text: str) -> str:
    """`text` ending in a full stop unless it already ends in punctuation."""
    text = text.strip()
    return text if text.endswith((".", ";", ":", "!", "?", "…")) else text + "."


def _reported(label: str, value: Decimal | None) -> str:
    if value is None:
        return f"{label}: {NO_DATA}."
    return f"{label} đạt {format_percent(value)}."


def _cited(text: str, citation: str, tail: str = "") -> list[Span]:
    """A heading with its sources in italics and brackets: "… (Kế hoạch số …)`tail`."."""
    if not citation.strip():
        return [Span(f"{text}{tail}.")]
    return [Span(f"{text} ("), Span(citation.strip(), italic=True), Span(f"){tail}.")]


def _section_one(doc: Nd30Document, data: DxReportData) -> None:
    doc.heading("I. TÌNH HÌNH TRIỂN KHAI VÀ KẾT QUẢ NỔI BẬT")
    doc.heading(
        _cited(
            "1. Tình hình triển khai và kết quả các nhiệm vụ thuộc Kế hoạch hoạt động của "
            f"Ban chỉ đạo Chuyển đổi số năm {data.year}",
            data.steering_plan,
        ),
        level=2,
    )
    doc.bullet(f"{DxArea.E_GOVERNMENT}:")
    doc.bullet(
        _reported(
            "Tỷ lệ thủ tục hành chính đủ điều kiện theo quy định của pháp luật được cung cấp "
            "dưới hình thức dịch vụ công trực tuyến mức độ 4",
            data.procedures_online_pct,
        ),
        level=2,
    )
    doc.bullet(
        _reported(
            "Tỷ lệ hồ sơ thủ tục hành chính được xử lý hoàn toàn trực tuyến",
            data.dossiers_online_pct,
        ),
        level=2,
    )
    doc.bullet(
        _reported(
            "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng", data.work_records_online_pct
        ),
        level=2,
    )
    doc.bullet(f"{DxArea.DIGITAL_ECONOMY_SOCIETY}:")
    doc.bullet(
        "Tỷ lệ trường học áp dụng thanh toán không dùng tiền mặt: "
        f"{data.cashless_schools.counted('trường')}; các cơ sở giáo dục cung cấp giải pháp "
        "thanh toán không dùng tiền mặt: mã vuông QR (Chuyển khoản/Thanh toán), qua website "
        "(Chuyển khoản/Thanh toán), Mobile Money và thẻ (POS) hoặc các giải pháp khác.",
        level=2,
    )
    students = data.e_transcript_students
    doc.bullet(
        "Tỷ lệ học sinh có học bạ điện tử: "
        f"{format_ratio(students.numerator, students.denominator)} học sinh, "
        f"đạt {format_percent(students.percent)}.",
        level=2,
    )
    doc.bullet(
        "Tỷ lệ trường học, cơ sở giáo dục triển khai sổ liên lạc điện tử: "
        f"{data.contact_book_schools.counted('trường')}.",
        level=2,
    )

    doc.heading(
        _cited(
            "2. Tình hình triển khai và kết quả các nhiệm vụ theo kết luận, phân công nhiệm vụ "
            "của cơ quan thành viên Ban chỉ đạo",
            data.steering_directions,
        ),
        level=2,
    )
    doc.narrative(data.steering_results)

    if data.programmes:
        references = "; ".join(p.reference for p in data.programmes if p.reference.strip())
        doc.heading(
            _cited(
                "3. Tình hình triển khai và kết quả các nhiệm vụ theo Kế hoạch, Chương trình "
                "chuyển đổi số của tỉnh",
                references,
                " và của các ngành lĩnh vực",
            ),
            level=2,
        )
        for number, programme in enumerate(data.programmes, start=1):
            _programme(doc, data, programme, f"3.{number}.")


def _programme(
    doc: Nd30Document, data: DxReportData, programme: ProgrammeTasks, number: str
) -> None:
    doc.heading(
        f"{number} Kết quả thực hiện các nhiệm vụ theo {programme.title.rstrip('.:')}:", level=3
    )
    doc.paragraph(
        f"{number}1. Tổng số nhiệm vụ được giao: {zero_pad(programme.assigned)} nhiệm vụ."
    )
    doc.paragraph("Trong đó:")
    doc.bullet(f"Số nhiệm vụ đã thực hiện: {zero_pad(programme.done)} nhiệm vụ.")
    if programme.not_done:
        doc.bullet(f"Số nhiệm vụ chưa thực hiện: {zero_pad(programme.not_done)} nhiệm vụ.")
    if programme.in_progress:
        doc.bullet(f"Số nhiệm vụ đang triển khai: {zero_pad(programme.in_progress)} nhiệm vụ.")
    lists = (
        ("Các nhiệm vụ đã thực hiện:", programme.done_items),
        ("Các nhiệm vụ chưa thực hiện:", programme.not_done_items),
        ("Các nhiệm vụ đang triển khai:", programme.in_progress_items),
    )
    if not any(items for _, items in lists):
        return
    doc.paragraph(f"{number}2. Đánh giá kết quả triển khai các nhiệm vụ đã thực hiện.")
    for title, items in lists:
        if not items:
            continue
        doc.bullet(title)
        for item in items:
            doc.bullet(_sentence(fill_figures(item, data)), level=2)


def _section_three(doc: Nd30Document, data: DxReportData) -> None:
    doc.heading(f"III. NHIỆM VỤ TRỌNG TÂM {data.next_period_label.upper()}")
    number = 0
    for area in DxArea:
        targets = [t for t in data.next_targets if t.area is area]
        if not targets:
            continue
        number += 1
        doc.heading(f"{number}. {area}:", level=2)
        for target in targets:
            doc.bullet(f"{target.label}: đạt {target.value}.")
    if data.next_tasks:
        doc.heading(f"{number + 1}. Tiếp tục triển khai các nhiệm vụ sau:", level=2)
        for task in data.next_tasks:
            doc.bullet(_sentence(task))


def build_dx_semiannual(data: DxReportData) -> Nd30Document:
    """The report as a document under construction, for a caller that adds to it."""
    doc = Nd30Document()
    if data.date is None:
        date_line = vn_date_line_blank(data.place, data.month, data.year)
    else:
        date_line = vn_date_line(data.place, data.date)
    doc.header_block(
        parent_agency=data.parent_agency,
        agency=data.agency,
        number_line=document_number_line(data.number, f"{TYPE_CODE}-{data.agency_symbol}"),
        date_line=date_line,
    )
    doc.title(
        "BÁO CÁO",
        f"Kết quả triển khai các hoạt động, nhiệm vụ về chuyển đổi số {data.period_label}",
    )
    doc.addressees(data.addressees)
    doc.paragraph(data.basis.strip())
    _section_one(doc, data)
    doc.heading("II. ĐÁNH GIÁ CHUNG VÀ KHÓ KHĂN, VƯỚNG MẮC")
    doc.narrative(data.assessment)
    _section_three(doc, data)
    doc.heading("IV. KIẾN NGHỊ, ĐỀ XUẤT")
    doc.narrative(data.recommendations)
    closing = doc.paragraph(f"{data.agency_in_text} trân trọng báo cáo./.")
    # The closing sentence stays on the page of the signature block it introduces.
    closing.paragraph_format.keep_with_next = True
    doc.signature_and_recipients(
        recipients=data.recipients,
        archive=data.archive_unit,
        archive_copies=data.archive_copies,
        as_above=bool(data.addressees),
        authority=data.signer_authority,
        position=data.signer_title,
        signer_name=data.signer_name,
    )
    return doc


def render_dx_semiannual(data: DxReportData) -> bytes:
    """The semi-annual digital-transformation report as a DOCX file's content."""
    return build_dx_semiannual(data).to_bytes()
