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

PARENT_AGENCY = "UBND TỈNH LÀO CAI"
AGENCY = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
AGENCY_IN_TEXT = "Sở Giáo dục và Đào tạo tỉnh Lào Cai"
# "BC" is the type code of a báo cáo (Nghị định 30/2020, Phụ lục III).
SYMBOL = "BC-SGDĐT"
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
    recipients: tuple[str, ...]
    archive_unit: str  # the drafting unit, in "Lưu: VT, GDTrH."
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
    "{internet.x}"); anything else raises ValueError, so a typo cannot reach the document.
    """
    if isinstance(item, str):
        return item
    parts: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(item.text):
        parts.append(literal)
        if name is None:
            continue
        if name not in FIGURE_PHRASES or spec or conversion:
            raise ValueError(f"unknown figure {{{name}}} in: {item.text}")
        parts.append(FIGURE_PHRASES[name](data))
    return "".join(parts)


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
        parent_agency=PARENT_AGENCY,
        agency=AGENCY,
        number_line=document_number_line(data.number, SYMBOL),
        date_line=date_line,
    )
    doc.title(
        "BÁO CÁO",
        f"Kết quả triển khai các hoạt động, nhiệm vụ về chuyển đổi số {data.period_label}",
    )
    doc.paragraph(data.basis.strip())
    _section_one(doc, data)
    doc.heading("II. ĐÁNH GIÁ CHUNG VÀ KHÓ KHĂN, VƯỚNG MẮC")
    doc.narrative(data.assessment)
    _section_three(doc, data)
    doc.heading("IV. KIẾN NGHỊ, ĐỀ XUẤT")
    doc.narrative(data.recommendations)
    closing = doc.paragraph(f"{AGENCY_IN_TEXT} trân trọng báo cáo./.")
    # The closing sentence stays on the page of the signature block it introduces.
    closing.paragraph_format.keep_with_next = True
    doc.signature_and_recipients(
        recipients=data.recipients,
        archive=data.archive_unit,
        authority=data.signer_authority,
        position=data.signer_title,
        signer_name=data.signer_name,
    )
    return doc


def render_dx_semiannual(data: DxReportData) -> bytes:
    """The semi-annual digital-transformation report as a DOCX file's content."""
    return build_dx_semiannual(data).to_bytes()


def sample_data_laocai_2022() -> DxReportData:
    """The report for the first half of 2022, as a draft, with the demo province's figures.

    The figures are those the Lào Cai 2022 demo records produce; the narratives and task lists
    are the Department's own text of that report, with its typing slips corrected. The signer
    is invented, since the demo's records are.
    """
    cashless = Ratio(199, 612)
    e_transcripts = Ratio(168_652, 228_322)
    return DxReportData(
        period_label="6 tháng đầu năm 2022",
        next_period_label="6 tháng cuối năm 2022",
        place="Lào Cai",
        date=None,
        month=6,
        year=2022,
        number="",
        basis=(
            "Căn cứ văn bản số 616/STTTT-BCVTCNTT ngày 13/6/2022 của Sở Thông tin và Truyền "
            "thông về việc chuẩn bị nội dung họp Ban Chỉ đạo Chuyển đổi số tỉnh Lào Cai 6 tháng "
            "đầu năm 2022, Sở GD&ĐT tỉnh Lào Cai báo cáo kết quả triển khai các hoạt động, nhiệm "
            "vụ về chuyển đổi số 6 tháng đầu năm 2022 như sau:"
        ),
        steering_plan="Kế hoạch số 04-KH/BCĐCĐS ngày 09/6/2022",
        steering_directions=(
            "Thông báo số 02-TB/BCĐCĐS ngày 30/5/2022; Thông báo số 1621-TB/TU ngày "
            "17/5/2022; Thông báo số 01-TB/BCĐ ngày 08/4/2022..."
        ),
        steering_results=_STEERING_RESULTS_2022H1,
        procedures_online_pct=Decimal(100),
        dossiers_online_pct=Decimal(100),
        work_records_online_pct=Decimal(97),
        cashless_schools=cashless,
        e_transcript_students=e_transcripts,
        contact_book_schools=Ratio(168, 612),
        internet_schools=Ratio(612, 612),
        internet_wired_schools=602,
        internet_mobile_schools=10,
        sites_total=1_363,
        sites_mobile=628,
        sites_without=413,
        website_preschool=Ratio(103, 193),
        website_primary=Ratio(123, 185),
        website_lower_secondary=Ratio(142, 188),
        schools_in_db=612,
        student_records_in_db=225_404,
        staff_in_db=17_559,
        programmes=(_PROGRAMME_1634, _PLAN_49),
        assessment=_ASSESSMENT_2022H1,
        next_targets=(
            Target(
                "Duy trì tỷ lệ thủ tục hành chính đủ điều kiện theo quy định của pháp luật được "
                "cung cấp dưới hình thức dịch vụ công trực tuyến mức độ 4",
                "100%",
                DxArea.E_GOVERNMENT,
            ),
            Target(
                "Duy trì tỷ lệ hồ sơ thủ tục hành chính được xử lý hoàn toàn trực tuyến",
                "100%",
                DxArea.E_GOVERNMENT,
            ),
            Target(
                "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng",
                "98%",
                DxArea.E_GOVERNMENT,
            ),
            Target(
                "Nâng tỷ lệ trường học áp dụng thanh toán không dùng tiền mặt",
                "50%",
                DxArea.DIGITAL_ECONOMY_SOCIETY,
            ),
            Target(
                "Duy trì tỷ lệ học sinh có học bạ điện tử",
                format_percent(e_transcripts.percent),
                DxArea.DIGITAL_ECONOMY_SOCIETY,
            ),
            Target(
                "Nâng tỷ lệ trường học, cơ sở giáo dục triển khai sổ liên lạc điện tử",
                "50%",
                DxArea.DIGITAL_ECONOMY_SOCIETY,
            ),
        ),
        next_tasks=(
            "Đầu tư phòng sản xuất học liệu điện tử tổ chức học trực tuyến, phòng thực hành Tin "
            "học, máy chiếu, màn hình tivi",
            "Ban hành Kiến trúc tổng thể công nghệ thông tin ngành GD&ĐT",
            "Hệ thống thông tin tổng thể cơ sở dữ liệu quản lý toàn ngành giáo dục đào tạo tỉnh "
            "Lào Cai",
            "Xây dựng môi trường học tập (e-learning), thi trực tuyến hướng đến mô hình học tập "
            "kết nối",
            "Thuê phần mềm tuyển sinh trực tuyến vào lớp 10 THPT tỉnh Lào Cai (triển khai cho "
            "năm học 2023-2024)",
            "Tổ chức các lớp bồi dưỡng, tập huấn nâng cao năng lực số cho cán bộ quản lý, giáo "
            "viên",
            "Số hóa dữ liệu điểm thi tốt nghiệp THPT từ năm 2016 đến năm 2020",
        ),
        recommendations=_RECOMMENDATIONS_2022H1,
        recipients=("Sở TTTT (b/c)", "Lãnh đạo Sở", "Các phòng của Sở"),
        archive_unit="GDTrH",
        signer_authority="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="Trần Thị Bình",
    )


_STEERING_RESULTS_2022H1 = """\
- Sở GD&ĐT đã ban hành Tờ trình số 188/TTr-SGD&ĐT ngày 31/12/2021 về việc ban hành Kế hoạch
chuyển đổi số trong ngành Giáo dục và Đào tạo tỉnh Lào Cai giai đoạn 2021-2025, định hướng đến
năm 2030.

- Thành lập Ban Chỉ đạo Chuyển đổi số ngành Giáo dục (Quyết định số 462/QĐ-SGD&ĐT ngày
19/4/2022 của Sở GD&ĐT thay thế Quyết định số 575/QĐ-SGD&ĐT ngày 7/5/2021 của Sở GD&ĐT).
"""

_PROGRAMME_1634 = ProgrammeTasks(
    title=(
        "Quyết định số 1634/QĐ-UBND ngày 17/5/2021 của UBND tỉnh ban hành Chương trình Chuyển "
        "đổi số tỉnh Lào Cai đến năm 2025, định hướng đến năm 2030"
    ),
    reference="Quyết định số 1634/QĐ-UBND ngày 17/5/2021",
    assigned=11,
    done=10,
    not_done=1,
    done_items=(
        "100% trường phổ thông đã rà soát, điều chỉnh chương trình, kế hoạch giáo dục nhà "
        "trường các môn học, bổ sung/tích hợp nội dung chuyển đổi số, kiến thức mới về công "
        "nghệ để học sinh được tiếp cận; đặc biệt môn Tin học (để học sinh được tiếp cận công "
        "nghệ số; tạo lập các chương trình trải nghiệm, các cuộc thi, các hội thảo... để học "
        "sinh có kiến thức về tin học và có kỹ năng số); các trường đã chủ động tổ chức tập "
        "huấn, bồi dưỡng kiến thức, kỹ năng về công nghệ thông tin, an toàn thông tin liên quan "
        "đến chuyển đổi số cho 100% cán bộ, giáo viên theo các nội dung chuyên đề lồng ghép "
        "trong nội dung bồi dưỡng chuyên môn cho CBQL, giáo viên trong hè và trong năm học.",
        FigureText("{internet}."),
        "100% học sinh phổ thông có hồ sơ số (gồm: Hồ sơ thông tin cá nhân, kết quả học tập "
        "của học sinh).",
        "100% trường học, cơ sở giáo dục ứng dụng công nghệ thông tin trong quản lý, quản trị "
        "nhà trường.",
        FigureText(
            "{cashless_percent} trường học đã cung cấp dịch vụ thanh toán học phí không dùng "
            "tiền mặt; bước đầu xây dựng cơ sở dữ liệu về học liệu số và triển khai dạy học trực "
            "tuyến qua hệ thống bài giảng điện tử phù hợp với đặc thù của từng đơn vị."
        ),
        FigureText(
            "Triển khai hệ thống website giáo dục: Phát triển cổng TTĐT của Sở GD&ĐT liên thông "
            "với 36 cổng thành viên các cơ sở giáo dục trực thuộc; các hoạt động, nội dung phong "
            f"phú, cơ bản đáp ứng yêu cầu (có {format_int(3_218_695)} người truy cập). 9/9 "
            "phòng GD&ĐT đã triển khai hệ thống website cho các đơn vị trực thuộc, đơn vị có "
            "website riêng: {websites}, cập nhật các thông tin, hoạt động giáo dục để tổ chức "
            "tuyên truyền."
        ),
        "100% cơ sở giáo dục được trang bị hạ tầng công nghệ thông tin cơ bản đáp ứng việc "
        "chuyển đổi số trong lĩnh vực giáo dục.",
        FigureText(
            "Triển khai thuê Hệ thống thông tin tổng thể cơ sở dữ liệu quản lý toàn ngành giáo "
            "dục đào tạo tỉnh Lào Cai (tại địa chỉ https://laocai.csdl.edu.vn) đã số hóa "
            "{sector_database}, dữ liệu được lấy từ phần mềm quản lý nhà trường."
        ),
        "Bước đầu tạo lập, tổng hợp cơ sở dữ liệu học sinh từ lớp học ảo, hệ thống học trực "
        "tuyến, hệ thống khảo thí và các hệ thống quản lý, theo dõi hoạt động giáo dục của học "
        "sinh cho các nhà trường để từng bước đưa trí tuệ nhân tạo (AI) vào đánh giá, tư vấn "
        "học đường cho học sinh.",
        "Đang triển khai thí điểm chuyển đổi số toàn diện đối với trường THPT Chuyên tỉnh Lào "
        "Cai, cụm liên trường Kim Tân.",
    ),
    not_done_items=(
        "Phát triển các nền tảng ứng dụng, di động cung cấp các dịch vụ, xử lý, tư vấn, khai "
        "thác dữ liệu thông tin về lĩnh vực giáo dục và đào tạo.",
    ),
)

_PLAN_49 = ProgrammeTasks(
    title="Kế hoạch số 49/KH-UBND ngày 30/01/2022 của UBND tỉnh Lào Cai",
    reference="Kế hoạch số 49/KH-UBND ngày 30/01/2022",
    assigned=8,
    done=1,
    in_progress=7,
    done_items=("Phát triển Cổng thông tin điện tử ngành GD&ĐT: Đã đánh giá tại mục 3.1.2.",),
    in_progress_items=(
        "Hệ thống thông tin tổng thể cơ sở dữ liệu quản lý toàn ngành giáo dục đào tạo tỉnh "
        "Lào Cai (đã gộp nhiệm vụ: Phát triển thêm kho dữ liệu lưu trữ đủ các cơ sở dữ liệu "
        "ngành đáp ứng yêu cầu quản lý, điều hành. Hệ thống thông tin tổng hợp, phân tích, kết "
        "xuất các báo cáo theo chỉ tiêu, yêu cầu của ngành (trung tâm điều hành giáo dục thông "
        "minh) dùng chung, thống nhất trên địa bàn tỉnh).",
        "Xây dựng môi trường học tập (e-learning), thi trực tuyến hướng đến mô hình học tập kết "
        "nối.",
        "Mô hình lớp học thông minh.",
        "Đầu tư phòng sản xuất học liệu điện tử tổ chức học trực tuyến.",
        "Thuê phần mềm tuyển sinh trực tuyến vào lớp 10 THPT tỉnh Lào Cai.",
        "Nâng cao năng lực số cho cán bộ quản lý, giáo viên và học sinh.",
        "Số hóa dữ liệu điểm thi tốt nghiệp THPT từ năm 2016 đến năm 2020.",
    ),
)

_ASSESSMENT_2022H1 = """\
1. Đánh giá chung:

- Cơ sở hạ tầng, thiết bị kỹ thuật ứng dụng CNTT và chuyển đổi số trong ngành được quan tâm,
đầu tư hàng năm (phòng máy tính, bảng tương tác thông minh, máy quay, máy chiếu, nâng cấp đường
truyền internet,...).

- CBQL, giáo viên cơ bản có trình độ, tiếp cận nhanh với các ứng dụng CNTT và sáng tạo trong
chuyển đổi số, đặc biệt là các ứng dụng trong dạy học. Học sinh được học tập môn Tin học bài bản
nên có khả năng tiếp cận công nghệ hiện đại và các phần mềm ứng dụng trong học tập.

- Các phần mềm phục vụ quản lý giáo dục và hỗ trợ dạy - học rất đa dạng, tiện dụng đang được
các công ty viễn thông lớn cung cấp miễn phí.

2. Khó khăn, vướng mắc:

- Thiếu kinh phí triển khai các nhiệm vụ liên quan đến đầu tư thiết bị CNTT hiện đại và các
giải pháp công nghệ thông tin chưa đáp ứng được nhu cầu thực tế chuyển đổi số.

- Điều kiện cơ sở vật chất (máy tính, máy chiếu, thiết bị số hóa...) hạ tầng CNTT (đường
truyền Internet, thiết bị chuyển tiếp, khuếch đại tín hiệu...) chưa đáp ứng được nhu cầu chuyển
đổi số tại các cơ sở giáo dục.

- Các phần mềm, nền tảng trong quản lý nhà trường, tổ chức dạy và học chưa đồng bộ, liên thông
giữa các cấp học và giữa các phần mềm, nền tảng. Dữ liệu của các cơ sở giáo dục đang lưu trữ
phân tán (tại các nhà cung cấp dịch vụ, tại ổ đĩa CD, DVD, ổ đĩa cứng,...), tồn tại nhiều rủi
ro trong quá trình lưu trữ. Dữ liệu số thu thập từ các hoạt động giáo dục chưa đầy đủ, chưa
được sử dụng nhiều trong đánh giá, tư vấn học sinh và các hoạt động giao tiếp với phụ huynh học
sinh trên nền tảng số.

- Quy trình dạy học trực tuyến và việc sử dụng tài nguyên số chung cho giáo viên và các cơ sở
giáo dục chưa được thống nhất. Nhiều cán bộ quản lý và giáo viên chưa có hiểu biết đầy đủ về
quá trình chuyển đổi số trong giáo dục.
"""

_RECOMMENDATIONS_2022H1 = """\
1. Với UBND tỉnh:

- Sớm ban hành Kế hoạch Chuyển đổi số trong ngành Giáo dục và Đào tạo Lào Cai giai đoạn
2022-2025, định hướng đến năm 2030.

- Bố trí kinh phí thực hiện các nhiệm vụ chuyển đổi số trong Chương trình, Đề án, kế hoạch của
UBND tỉnh giao ngành GD&ĐT.

2. Với Sở Thông tin và Truyền thông:

- Tiếp tục đưa các dự án công nghệ thông tin đã triển khai, đề xuất các dự án triển khai mới
vào kế hoạch và dự toán ngân sách hàng năm; tư vấn các giải pháp công nghệ thông tin triển khai
trong ngành giáo dục phù hợp với Kiến trúc tổng thể công nghệ thông tin tỉnh Lào Cai.

- Phối hợp với VNPT, Viettel tiếp tục đầu tư, nâng cấp hạ tầng công nghệ thông tin (đường
truyền internet) đến các cơ sở giáo dục (các trường học chưa có internet, các trường, điểm
trường hiện đang sử dụng USB 3G/4G).
"""
