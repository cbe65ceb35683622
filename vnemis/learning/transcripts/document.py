"""One school year of a học bạ as data, and its A4 page as a PDF.

The page follows the habits of the printed học bạ and of NĐ 30/2020/NĐ-CP Phụ lục I: the
issuing unit on the left and the national motto on the right, the title, the student's
identity, the results table, the year's summary, the remarks and the two signature blocks,
then a footer with the verification code and a QR code for the public verification page.
Its words are the form's printed Vietnamese, not UI text, so they are plain strings here
(style guide, rule 9: legally fixed wording of official documents).

Values are passed already formatted ("8,3", "Đ", "Hoàn thành tốt"): the regime modules decide
what a result is, this module only lays it out, so the same code prints every regime.

Rendering is deterministic: the creation date, the document ID and every byte depend only on
the data (reportlab's invariant mode, with the issue date as the PDF date), given the same
installed fonts and reportlab version. A signed transcript is still kept as the signed bytes:
its signatures are not reproducible, and another server's fonts give other bytes.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import segno
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

# The Info dictionary key that carries the verification code, so a verifier reads the code
# from the signed bytes and not only from the printed page (ISO 32000-1 §14.3.3 allows keys of
# one's own in the document information dictionary).
INFO_CODE_KEY = "VnemisVerificationCode"
INFO_REGIME_KEY = "VnemisRegime"

MAX_SUBJECT_ROWS = 18
MAX_REMARK_LINES = 3
# Long names shrink to fit their box rather than run into the next column, down to this size.
MIN_FONT_SIZE = 7.0

# Font families in order of preference. Liberation Serif has the metrics of Times New Roman
# (NĐ 30/2020 Phụ lục I asks for Times New Roman); only its 2.x release (Debian
# fonts-liberation2) has the Vietnamese letters with a dot below and horn (ạ, ư, ợ): the 1.x
# release of fonts-liberation lacks them, so a family is used only if it covers the probe
# below. DejaVu Serif (fonts-dejavu-core) covers Vietnamese and is the fallback; that package
# has no italic, so a missing style falls back to the family's regular face.
_FAMILIES: tuple[tuple[Path, dict[str, str]], ...] = (
    (
        Path("/usr/share/fonts/truetype/liberation2"),
        {
            "regular": "LiberationSerif-Regular.ttf",
            "bold": "LiberationSerif-Bold.ttf",
            "italic": "LiberationSerif-Italic.ttf",
        },
    ),
    (
        Path("/usr/share/fonts/truetype/liberation"),
        {
            "regular": "LiberationSerif-Regular.ttf",
            "bold": "LiberationSerif-Bold.ttf",
            "italic": "LiberationSerif-Italic.ttf",
        },
    ),
    (
        Path("/usr/share/fonts/truetype/dejavu"),
        {
            "regular": "DejaVuSerif.ttf",
            "bold": "DejaVuSerif-Bold.ttf",
            "italic": "DejaVuSerif-Italic.ttf",
        },
    ),
)
VIETNAMESE_PROBE = "ĂăÂâĐđÊêÔôƠơƯưẠạẶặỆệỌọỢợỰựỸỹ"
FONT = "VnemisSerif"
FONT_BOLD = "VnemisSerif-Bold"
FONT_ITALIC = "VnemisSerif-Italic"

_fonts_lock = threading.Lock()
_fonts_ready = False


class TranscriptLayoutError(ValueError):
    """The data does not fit the one-page layout (too many subjects, remarks too long)."""


@dataclass(frozen=True)
class School:
    """The school that issues the transcript, as printed in the header."""

    name: str
    parent_unit: str  # the unit above it: "SỞ GIÁO DỤC VÀ ĐÀO TẠO LÀO CAI", "UBND XÃ …"
    province: str  # the place of the date line: "Lào Cai"
    address: str = ""


@dataclass(frozen=True)
class Student:
    """The student's identity block; the personal ID is the record's key (domain-vn §4)."""

    full_name: str
    birth_date: dt.date
    sex: str  # "Nam" / "Nữ"
    ethnicity: str
    personal_id: str
    student_code: str
    birthplace: str = ""


@dataclass(frozen=True)
class Regime:
    """The assessment regime the results follow, chosen by (grade, year) in domain-vn §3.1."""

    code: str  # "TT22/2021"
    citation: str  # "Thông tư số 22/2021/TT-BGDĐT ngày 20/7/2021 …"


@dataclass(frozen=True)
class SubjectRow:
    """One line of the results table: the subject, its values in the regime's columns."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """The year's summary under the table; labels default to TT22/2021's wording.

    TT58/2011 callers pass ``learning_label="Học lực"`` and ``conduct_label="Hạnh kiểm"``,
    TT27/2020 callers their own (``"Đánh giá kết quả giáo dục"``, ``"Phẩm chất, năng lực"``).
    """

    learning_result: str
    conduct: str
    promotion: str
    absences: int
    award: str = ""
    homeroom_remarks: str = ""
    principal_remarks: str = ""
    learning_label: str = "Kết quả học tập"
    conduct_label: str = "Kết quả rèn luyện"
    promotion_label: str = "Kết quả xét lên lớp"


@dataclass(frozen=True)
class TranscriptData:
    """Everything printed on one school year's page of a student's học bạ.

    ``columns`` are the headers of the value columns of the table (for TT22: "Học kì I",
    "Học kì II", "Cả năm"); every row has exactly that many values. ``issued_on`` is the date
    of the principal's date line and of the PDF's creation date, never the current time.
    """

    school: School
    student: Student
    school_year: str  # "2021-2022"
    grade: int
    class_name: str
    regime: Regime
    columns: tuple[str, ...]
    subjects: tuple[SubjectRow, ...]
    summary: Summary
    homeroom_teacher: str
    principal: str
    issued_on: dt.date
    verification_code: str
    verification_url: str
    principal_title: str = "HIỆU TRƯỞNG"
    extra: tuple[tuple[str, str], ...] = field(default=())  # further (label, value) lines

    def __post_init__(self) -> None:
        if not self.subjects or len(self.subjects) > MAX_SUBJECT_ROWS:
            raise TranscriptLayoutError(
                f"A transcript page holds 1 to {MAX_SUBJECT_ROWS} subjects, "
                f"not {len(self.subjects)}."
            )
        for row in self.subjects:
            if len(row.values) != len(self.columns):
                raise TranscriptLayoutError(
                    f"Subject {row.name!r} has {len(row.values)} values "
                    f"for {len(self.columns)} columns."
                )


def date_line(place: str, day: dt.date) -> str:
    """The place-and-date line: "Lào Cai, ngày 05 tháng 01 năm 2025" (NĐ 30/2020 Phụ lục I).

    The day is padded below 10, the month only for January and February.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


class FontUnavailableError(RuntimeError):
    """No installed serif font covers Vietnamese; install fonts-liberation2 or fonts-dejavu-core."""


def _family() -> dict[str, Path]:
    for directory, files in _FAMILIES:
        regular = directory / files["regular"]
        if not regular.exists():
            continue
        face = TTFont("probe", str(regular)).face
        if any(ord(char) not in face.charToGlyph for char in VIETNAMESE_PROBE):
            continue
        found = {style: directory / name for style, name in files.items()}
        return {style: path if path.exists() else regular for style, path in found.items()}
    raise FontUnavailableError(
        "No serif font with Vietnamese letters is installed: install the Debian package "
        "fonts-liberation2 (or fonts-dejavu-core)."
    )


def fonts_register() -> None:
    """Set reportlab up once per process: the serif family (parsing a TTF costs ~10 ms)."""
    global _fonts_ready
    if _fonts_ready:
        return
    with _fonts_lock:
        if _fonts_ready:
            return
        family = _family()
        for style, registered in (("regular", FONT), ("bold", FONT_BOLD), ("italic", FONT_ITALIC)):
            pdfmetrics.registerFont(TTFont(registered, str(family[style])))
        # Binary (Flate only) streams: ASCII85 on top makes the file a quarter bigger and
        # costs a third of the render time, for 7-bit mail transports nobody uses any more.
        # A process-wide reportlab setting; nothing else in vnemis needs ASCII85.
        rl_config.useA85 = 0
        _fonts_ready = True


class _TranscriptInfo(PDFInfo):  # type: ignore[misc]  # reportlab ships no type hints
    """reportlab's document information dictionary with the verification code added."""

    def __init__(self, *, code: str, regime: str, pdf_date: str) -> None:
        super().__init__()
        self.code = code
        self.regime = regime
        self.pdf_date = pdf_date

    def format(self, document: Any) -> Any:
        date = PDFString(self.pdf_date)
        entries = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator),
            "Producer": PDFString(self.producer),
            "CreationDate": date,
            "ModDate": date,
            "Trapped": PDFName(self.trapped),
            INFO_CODE_KEY: PDFString(self.code),
            INFO_REGIME_KEY: PDFString(self.regime),
        }
        return PDFDictionary(entries).format(document)


def _pdf_date(day: dt.date) -> str:
    # Noon in Asia/Ho_Chi_Minh: a date that reads the same day in every time zone's viewer.
    return f"D:{day.year:04d}{day.month:02d}{day.day:02d}120000+07'00'"


# Page geometry (NĐ 30/2020 Phụ lục I margins: top 20–25, bottom 20–25, left 30–35,
# right 15–20 mm). The table needs the width, so the narrow ends of the ranges are used.
PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 30 * mm
RIGHT = PAGE_WIDTH - 15 * mm
TOP = PAGE_HEIGHT - 20 * mm
BOTTOM = 15 * mm
WIDTH = RIGHT - LEFT


class _Page:
    """Drawing helpers over one reportlab canvas, keeping a text cursor ``y``."""

    def __init__(self, canvas: Any) -> None:
        self.c = canvas
        self.y = TOP

    @staticmethod
    def fit(value: str, font: str, size: float, width: float | None) -> float:
        """``size``, or smaller so that ``value`` fits in ``width`` (text scales linearly)."""
        if width is None:
            return size
        natural = float(pdfmetrics.stringWidth(value, font, size))
        if natural <= width:
            return size
        return max(MIN_FONT_SIZE, size * width / natural)

    def text(
        self,
        x: float,
        y: float,
        value: str,
        *,
        font: str = FONT,
        size: float = 12,
        width: float | None = None,
    ) -> None:
        self.c.setFont(font, self.fit(value, font, size, width))
        self.c.drawString(x, y, value)

    def centred(
        self,
        x: float,
        y: float,
        value: str,
        *,
        font: str = FONT,
        size: float = 12,
        width: float | None = None,
    ) -> None:
        self.c.setFont(font, self.fit(value, font, size, width))
        self.c.drawCentredString(x, y, value)

    def labelled(
        self, x: float, y: float, label: str, value: str, *, size: float = 12, width: float
    ) -> None:
        """ "Label: value" with the value in bold, as a filled-in form line, within ``width``."""
        head = label + ": "
        natural = pdfmetrics.stringWidth(head, FONT, size) + pdfmetrics.stringWidth(
            value, FONT_BOLD, size
        )
        if natural > width:
            size = max(MIN_FONT_SIZE, size * width / natural)
        self.text(x, y, head, size=size)
        self.text(x + pdfmetrics.stringWidth(head, FONT, size), y, value, font=FONT_BOLD, size=size)

    def rule(self, x0: float, x1: float, y: float, width: float = 0.6) -> None:
        self.c.setLineWidth(width)
        self.c.line(x0, y, x1, y)

    def wrapped(self, value: str, *, width: float, size: float, what: str) -> list[str]:
        lines: list[str] = simpleSplit(value, FONT_ITALIC, size, width) if value else []
        if len(lines) > MAX_REMARK_LINES:
            raise TranscriptLayoutError(
                f"The {what} take {len(lines)} lines; the page has room for {MAX_REMARK_LINES}."
            )
        return lines


def _header(page: _Page, data: TranscriptData) -> None:
    # Issuing unit on the left, Quốc hiệu and Tiêu ngữ on the right (NĐ 30/2020 Phụ lục I):
    # the unit above in upright caps, the school in bold caps with a short rule below it.
    left_mid = LEFT + 33 * mm
    left_width = 66 * mm
    right_mid = RIGHT - 47 * mm
    centre = (LEFT + RIGHT) / 2
    top = page.y
    page.centred(
        right_mid,
        top,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        font=FONT_BOLD,
        size=11.5,
        width=92 * mm,
    )
    motto = "Độc lập - Tự do - Hạnh phúc"
    page.centred(right_mid, top - 14, motto, font=FONT_BOLD, size=12.5, width=92 * mm)
    half = min(pdfmetrics.stringWidth(motto, FONT_BOLD, 12.5), 92 * mm) / 2
    page.rule(right_mid - half, right_mid + half, top - 18)
    # Long unit names ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ LÀO CAI") take two lines of the
    # left column rather than running into the national motto.
    y = top
    for line in simpleSplit(data.school.parent_unit.upper(), FONT, 10.5, left_width)[:2]:
        page.centred(left_mid, y, line, size=10.5, width=left_width)
        y -= 13
    school_lines = simpleSplit(data.school.name.upper(), FONT_BOLD, 10.5, left_width)[:2]
    for line in school_lines:
        page.centred(left_mid, y, line, font=FONT_BOLD, size=10.5, width=left_width)
        y -= 13
    y += 9
    half = min(pdfmetrics.stringWidth(school_lines[-1], FONT_BOLD, 10.5), left_width) / 4
    page.rule(left_mid - half, left_mid + half, y)
    y = min(y, top - 18)
    y -= 26
    page.centred(centre, y, "HỌC BẠ", font=FONT_BOLD, size=18)
    y -= 16
    heading = f"Năm học {data.school_year} — Lớp {data.class_name}"
    page.centred(centre, y, heading, font=FONT_BOLD, size=13, width=WIDTH)
    y -= 12
    citation = f"(Đánh giá theo {data.regime.citation})"
    page.centred(centre, y, citation, font=FONT_ITALIC, size=9.5, width=WIDTH)
    page.y = y - 18


def _identity(page: _Page, data: TranscriptData) -> None:
    student = data.student
    c2 = LEFT + 95 * mm  # the right column of the identity block
    w1, w2 = c2 - LEFT - 3 * mm, RIGHT - c2
    step = 15
    y = page.y
    page.labelled(LEFT, y, "Họ và tên", student.full_name.upper(), width=w1)
    page.labelled(c2, y, "Ngày sinh", student.birth_date.strftime("%d/%m/%Y"), width=w2)
    y -= step
    page.labelled(LEFT, y, "Giới tính", student.sex, width=38 * mm)
    page.labelled(LEFT + 40 * mm, y, "Dân tộc", student.ethnicity, width=w1 - 40 * mm)
    if student.birthplace:
        page.labelled(c2, y, "Nơi sinh", student.birthplace, width=w2)
    y -= step
    page.labelled(LEFT, y, "Số định danh cá nhân", student.personal_id, width=w1)
    page.labelled(c2, y, "Mã học sinh", student.student_code, width=w2)
    y -= step
    page.labelled(LEFT, y, "Lớp", data.class_name, width=38 * mm)
    page.labelled(LEFT + 40 * mm, y, "Khối", str(data.grade), width=w1 - 40 * mm)
    page.labelled(c2, y, "Năm học", data.school_year, width=w2)
    y -= step
    page.labelled(LEFT, y, "Trường", data.school.name, width=WIDTH)
    y -= step
    if data.school.address:
        page.labelled(LEFT, y, "Địa chỉ", data.school.address, size=11, width=WIDTH)
        y -= step
    page.y = y + 3


def _table(page: _Page, data: TranscriptData) -> None:
    c = page.c
    n_cols = len(data.columns)
    no_width = 9 * mm
    subject_width = 64 * mm if n_cols <= 4 else 52 * mm
    value_width = (WIDTH - no_width - subject_width) / max(n_cols, 1)
    xs = [LEFT, LEFT + no_width, LEFT + no_width + subject_width]
    xs += [xs[2] + value_width * (i + 1) for i in range(n_cols)]
    # Rows shrink with the subject count so that 18 rows still leave room for the summary.
    row_h = 17.0 if len(data.subjects) <= 12 else (15.0 if len(data.subjects) <= 16 else 13.5)
    head_h = 28.0
    top = page.y
    bottom = top - head_h - row_h * len(data.subjects)
    c.setLineWidth(0.7)
    c.rect(LEFT, bottom, WIDTH, top - bottom)
    c.line(LEFT, top - head_h, RIGHT, top - head_h)
    for x in xs[1:-1]:
        c.line(x, bottom, x, top)
    c.setLineWidth(0.3)
    for i in range(1, len(data.subjects)):
        y = top - head_h - row_h * i
        c.line(LEFT, y, RIGHT, y)
    mid_head = top - head_h / 2 - 3.5
    page.centred((xs[0] + xs[1]) / 2, mid_head, "TT", font=FONT_BOLD, size=10.5)
    subject_mid = (xs[1] + xs[2]) / 2
    page.centred(subject_mid, mid_head + 5.5, "Môn học và", font=FONT_BOLD, size=10.5)
    page.centred(subject_mid, mid_head - 5.5, "hoạt động giáo dục", font=FONT_BOLD, size=10.5)
    for i, header in enumerate(data.columns):
        head_size = 10.0
        lines = simpleSplit(header, FONT_BOLD, head_size, value_width - 4)
        while len(lines) > 2 and head_size > MIN_FONT_SIZE:
            head_size -= 0.5
            lines = simpleSplit(header, FONT_BOLD, head_size, value_width - 4)
        centre = (xs[2 + i] + xs[3 + i]) / 2
        first = mid_head + (5.5 if len(lines) == 2 else 0)
        for k, line in enumerate(lines):
            page.centred(
                centre, first - 11 * k, line, font=FONT_BOLD, size=head_size, width=value_width - 4
            )
    for r, row in enumerate(data.subjects):
        base = top - head_h - row_h * (r + 1) + row_h / 2 - 3.8
        page.centred((xs[0] + xs[1]) / 2, base, str(r + 1), size=11)
        page.text(xs[1] + 4, base, row.name, size=11, width=subject_width - 7)
        for i, value in enumerate(row.values):
            centre = (xs[2 + i] + xs[3 + i]) / 2
            page.centred(centre, base, value, size=11.5, width=value_width - 4)
    page.y = bottom - 16


def _summary(page: _Page, data: TranscriptData) -> None:
    summary = data.summary
    col2 = LEFT + 95 * mm
    w1, w2 = col2 - LEFT - 3 * mm, RIGHT - col2
    step = 15
    y = page.y
    page.labelled(LEFT, y, summary.learning_label, summary.learning_result, width=w1)
    page.labelled(col2, y, summary.conduct_label, summary.conduct, width=w2)
    y -= step
    page.labelled(LEFT, y, "Khen thưởng", summary.award or "Không", width=w1)
    page.labelled(col2, y, "Số buổi nghỉ học", str(summary.absences), width=w2)
    y -= step
    page.labelled(LEFT, y, summary.promotion_label, summary.promotion, width=WIDTH)
    y -= step
    for label, value in data.extra:
        page.labelled(LEFT, y, label, value, width=WIDTH)
        y -= step
    for title, remarks in (
        ("Nhận xét của giáo viên chủ nhiệm:", summary.homeroom_remarks),
        ("Phê duyệt của hiệu trưởng:", summary.principal_remarks),
    ):
        page.text(LEFT, y, title, font=FONT_BOLD, size=11.5)
        y -= 13
        for line in page.wrapped(remarks, width=WIDTH, size=11, what=title.rstrip(":")):
            page.text(LEFT, y, line, font=FONT_ITALIC, size=11)
            y -= 12.5
        y -= 2
    page.y = y - 4


def _signatures(page: _Page, data: TranscriptData) -> None:
    left_mid = LEFT + 35 * mm
    right_mid = RIGHT - 45 * mm
    y = page.y
    # NĐ 30/2020: the place and date line in italics above the head's position.
    page.centred(
        right_mid,
        y,
        date_line(data.school.province, data.issued_on),
        font=FONT_ITALIC,
        width=85 * mm,
    )
    y -= 15
    page.centred(left_mid, y, "GIÁO VIÊN CHỦ NHIỆM", font=FONT_BOLD, size=12)
    page.centred(right_mid, y, data.principal_title.upper(), font=FONT_BOLD, size=12, width=85 * mm)
    y -= 13
    page.centred(left_mid, y, "(Đã ký số)", font=FONT_ITALIC, size=10.5)
    page.centred(right_mid, y, "(Đã ký số và đóng dấu số)", font=FONT_ITALIC, size=10.5)
    y -= 34
    page.centred(left_mid, y, data.homeroom_teacher, font=FONT_BOLD, size=12, width=75 * mm)
    page.centred(right_mid, y, data.principal, font=FONT_BOLD, size=12, width=85 * mm)
    page.y = y


FOOTER_HEIGHT = 20 * mm


def _footer(page: _Page, data: TranscriptData) -> None:
    c = page.c
    # A fixed mask skips segno's trial of all eight (most of the encoding time); any mask
    # gives a valid symbol, the best one only balances dark and light a little better.
    qr = segno.make(data.verification_url, error="m", micro=False, mask=2)
    side = FOOTER_HEIGHT
    modules = qr.symbol_size(border=0)[0]
    x0, y0 = RIGHT - side, BOTTOM
    text_width = WIDTH - side - 4 * mm
    c.saveState()
    # Drawn in module units with one rectangle per horizontal run of dark modules, written
    # as raw path operators: a few hundred small integers instead of as many formatted floats.
    c.translate(x0, y0)
    c.scale(side / modules, side / modules)
    c.setFillColorRGB(0, 0, 0)
    ops: list[str] = []
    for row_index, row in enumerate(qr.matrix):
        y = modules - 1 - row_index
        start = -1
        for col_index, dark in enumerate((*row, 0)):
            if dark and start < 0:
                start = col_index
            elif not dark and start >= 0:
                ops.append(f"{start} {y} {col_index - start} 1 re")
                start = -1
    ops.append("f")
    c.addLiteral("\n".join(ops))
    c.restoreState()
    # The digital-signature information in 10 pt (NĐ 30/2020 Phụ lục I).
    page.rule(LEFT, RIGHT, y0 + side + 4, width=0.4)
    y = y0 + side - 9
    page.labelled(LEFT, y, "Mã xác thực học bạ", data.verification_code, size=10, width=text_width)
    y -= 12
    page.text(LEFT, y, f"Tra cứu tại: {data.verification_url}", size=10, width=text_width)
    y -= 12
    page.text(
        LEFT,
        y,
        "Học bạ số được ký số (PAdES) bởi giáo viên chủ nhiệm và nhà trường.",
        font=FONT_ITALIC,
        size=10,
    )
    y -= 12
    page.text(
        LEFT,
        y,
        "Bản in không thay thế tệp đã ký: quét mã QR để kiểm tra tệp gốc.",
        font=FONT_ITALIC,
        size=10,
    )


def transcript_pdf(data: TranscriptData) -> bytes:
    """The one-page A4 PDF of ``data``; the same data gives the same bytes."""
    fonts_register()
    buffer = BytesIO()
    # invariant=1: the document ID and dates come from the content, never from the clock.
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=FONT)
    # reportlab has no public way to add an Info key; its document keeps the dictionary in
    # `_doc.info` (stable since reportlab 2, pinned below 6 in pyproject), so it is replaced.
    canvas._doc.info = _TranscriptInfo(
        code=data.verification_code,
        regime=data.regime.code,
        pdf_date=_pdf_date(data.issued_on),
    )
    canvas.setTitle(f"Học bạ {data.student.full_name} — năm học {data.school_year}")
    canvas.setAuthor(data.school.name)
    canvas.setSubject(f"Học bạ số; mã xác thực {data.verification_code}; {data.regime.code}")
    canvas.setCreator("vnemis")
    canvas.setProducer("vnemis")
    canvas.setKeywords(f"học bạ số, {data.student.personal_id}, {data.school_year}")
    page = _Page(canvas)
    _header(page, data)
    _identity(page, data)
    _table(page, data)
    _summary(page, data)
    _signatures(page, data)
    if page.y < BOTTOM + FOOTER_HEIGHT + 10:
        raise TranscriptLayoutError(
            "The transcript does not fit on one page; shorten the remarks or the extra lines."
        )
    _footer(page, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
