"""The học bạ page: what it prints, that it prints it in Vietnamese, and that it is reproducible.

Pure functions: no database. The text is read back from the PDF with a small extractor over
pyHanko's reader (content stream + the fonts' ToUnicode maps), so the assertions see what a
PDF viewer would show, diacritics included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import segno
from pyhanko.pdf_utils.reader import PdfFileReader

from vnemis.learning.transcripts import document
from vnemis.learning.transcripts.document import (
    INFO_CODE_KEY,
    INFO_REGIME_KEY,
    MAX_SUBJECT_ROWS,
    Regime,
    School,
    Student,
    SubjectRow,
    Summary,
    TranscriptData,
    TranscriptLayoutError,
    date_line,
    transcript_pdf,
)

# Pure rules: engine-independent, run once (the SQLite pass).
pytestmark = pytest.mark.one_pass

SUBJECT_NAMES = (
    "Ngữ văn",
    "Toán",
    "Ngoại ngữ 1",
    "Giáo dục công dân",
    "Lịch sử và Địa lí",
    "Khoa học tự nhiên",
    "Công nghệ",
    "Tin học",
    "Giáo dục thể chất",
    "Nghệ thuật (Âm nhạc)",
    "Nghệ thuật (Mĩ thuật)",
    "Hoạt động trải nghiệm, hướng nghiệp",
    "Nội dung giáo dục của địa phương",
    "Tiếng dân tộc thiểu số",
    "Ngoại ngữ 2",
    "Chuyên đề học tập",
    "Môn học tự chọn 1",
    "Môn học tự chọn 2",
    "Môn học tự chọn 3",
)
COMMENT_SUBJECTS = {8, 9, 10, 11, 12}


def transcript_sample(
    *, subjects: int = 12, code: str = "HB-2022-7Q4M-9XKD", **changes: Any
) -> TranscriptData:
    """A TT22/2021 grade-6 year as the lead's services will build it, with `subjects` rows."""
    rows = tuple(
        SubjectRow(
            name=SUBJECT_NAMES[i],
            values=("Đ", "Đ", "Đ", "") if i in COMMENT_SUBJECTS else ("8,3", "7,5", "7,8", ""),
        )
        for i in range(subjects)
    )
    data = TranscriptData(
        school=School(
            name="Trường THCS Lê Quý Đôn",
            parent_unit="Phòng Giáo dục và Đào tạo thành phố Lào Cai",
            province="Lào Cai",
            address="Số 12 đường Hoàng Liên, phường Cốc Lếu, tỉnh Lào Cai",
        ),
        student=Student(
            full_name="Nguyễn Thị Thủy Tiên",
            birth_date=dt.date(2010, 1, 5),
            sex="Nữ",
            ethnicity="Tày",
            personal_id="010310001234",
            student_code="1020304050",
            birthplace="Bảo Thắng, Lào Cai",
        ),
        school_year="2021-2022",
        grade=6,
        class_name="6A1",
        regime=Regime(
            code="TT22/2021",
            citation="Thông tư số 22/2021/TT-BGDĐT ngày 20/7/2021 của Bộ trưởng Bộ Giáo dục "
            "và Đào tạo",
        ),
        columns=("Học kì I", "Học kì II", "Cả năm", "Điểm hoặc mức đánh giá lại"),
        subjects=rows,
        summary=Summary(
            learning_result="Khá",
            conduct="Tốt",
            promotion="Được lên lớp",
            absences=3,
            homeroom_remarks="Em chăm chỉ, tiến bộ rõ ở môn Toán; cần mạnh dạn hơn khi phát "
            "biểu ý kiến trước lớp.",
            principal_remarks="Đồng ý với nhận xét của giáo viên chủ nhiệm.",
        ),
        homeroom_teacher="Lê Thị Hồng Nhung",
        principal="Phạm Văn Đức",
        issued_on=dt.date(2022, 5, 25),
        verification_code=code,
        verification_url="https://vnemis.laocai.edu.vn/hoc-ba/xac-thuc/" + code,
    )
    return dataclasses.replace(data, **changes) if changes else data


_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|/[^\s/\[\]()<>]+|[^\s/\[\]()<>]+")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_string(token: bytes) -> bytes:
    body, out, i = token[1:-1], bytearray(), 0
    while i < len(body):
        if body[i : i + 1] == b"\\":
            octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            nxt = body[i + 1 : i + 2]
            out += _ESCAPES.get(nxt, nxt)
            i += 2
            continue
        out.append(body[i])
        i += 1
    return bytes(out)


def _to_unicode(font: Any) -> dict[int, str]:
    cmap: dict[int, str] = {}
    text = font["/ToUnicode"].data.decode("ascii")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            cmap[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    return cmap


def page_fonts(pdf: bytes) -> dict[str, Any]:
    """The font resources of the (only) page, by resource name."""
    reader = PdfFileReader(BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0]
    fonts = page["/Resources"]["/Font"]
    return {str(name): fonts[name] for name in fonts}


def pdf_runs(pdf: bytes) -> list[tuple[str, float]]:
    """The text of the first page, one entry per text object, with its font size."""
    reader = PdfFileReader(BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0]
    maps = {name: _to_unicode(font) for name, font in page_fonts(pdf).items()}
    runs: list[tuple[str, float]] = []
    operands: list[bytes] = []
    current: dict[int, str] = {}
    size = 0.0
    parts: list[str] = []
    for token in _TOKEN.findall(page["/Contents"].data):
        if token == b"Tf":
            current, size = maps[operands[-2].decode()], float(operands[-1])
        elif token.startswith(b"("):
            parts.append("".join(current.get(byte, "?") for byte in _pdf_string(token)))
        elif token == b"ET":
            runs.append(("".join(parts), size))
            parts = []
        operands = [*operands[-1:], token]
    return runs


def pdf_lines(pdf: bytes) -> list[str]:
    """The text of the first page, one entry per text object, as a viewer would show it."""
    return [text for text, _size in pdf_runs(pdf)]


def pdf_info(pdf: bytes) -> dict[str, str]:
    reader = PdfFileReader(BytesIO(pdf))
    info = reader.trailer["/Info"]
    return {str(key)[1:]: str(info[key]) for key in info}


def test_page_prints_the_official_headings_and_the_student_in_vietnamese() -> None:
    """Motto, title, identity, table, summary and signature blocks read back with diacritics."""
    lines = pdf_lines(transcript_pdf(transcript_sample()))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TRƯỜNG THCS LÊ QUÝ ĐÔN",
        "HỌC BẠ",
        "Năm học 2021-2022 — Lớp 6A1",
        "Ngữ văn",
        "Hoạt động trải nghiệm, hướng nghiệp",
        "Lào Cai, ngày 25 tháng 5 năm 2022",
        "GIÁO VIÊN CHỦ NHIỆM",
        "HIỆU TRƯỞNG",
        "Lê Thị Hồng Nhung",
        "Phạm Văn Đức",
        "Tra cứu tại: https://vnemis.laocai.edu.vn/hoc-ba/xac-thuc/HB-2022-7Q4M-9XKD",
    ):
        assert expected in lines, expected
    # A form line is its label followed by the filled-in value.
    for label, value in (
        ("Họ và tên: ", "NGUYỄN THỊ THỦY TIÊN"),
        ("Số định danh cá nhân: ", "010310001234"),
        ("Nơi sinh: ", "Bảo Thắng, Lào Cai"),
        ("Kết quả học tập: ", "Khá"),
        ("Kết quả rèn luyện: ", "Tốt"),
        ("Kết quả xét lên lớp: ", "Được lên lớp"),
        ("Mã xác thực học bạ: ", "HB-2022-7Q4M-9XKD"),
    ):
        assert lines[lines.index(label) + 1] == value, label
    assert lines.count("8,3") == 8  # the eight scored subjects of the first twelve rows
    assert lines.count("Đ") == 12  # four comment subjects × three columns


def test_every_font_is_an_embedded_truetype_subset() -> None:
    """No font is left to the viewer: each is a subset with its file embedded (FontFile2)."""
    fonts = page_fonts(transcript_pdf(transcript_sample()))
    assert len(fonts) == 3  # regular, bold, italic
    for font in fonts.values():
        assert font["/Subtype"] == "/TrueType"
        assert str(font["/BaseFont"]).startswith("/AAAAAA+")
        assert "/FontFile2" in font["/FontDescriptor"]


def test_same_data_gives_the_same_bytes() -> None:
    """No clock and no random ID: re-rendering reproduces the file byte for byte."""
    assert transcript_pdf(transcript_sample()) == transcript_pdf(transcript_sample())


def test_a_different_code_gives_a_different_file_id() -> None:
    """The document ID follows the content, so two transcripts never share one."""
    first = transcript_pdf(transcript_sample(code="HB-A"))
    second = transcript_pdf(transcript_sample(code="HB-B"))
    ids = [re.search(rb"/ID\s*\[\s*<([0-9a-fA-F]+)>", pdf) for pdf in (first, second)]
    assert ids[0] is not None and ids[1] is not None
    assert ids[0].group(1) != ids[1].group(1)


def test_info_dictionary_carries_code_regime_and_the_issue_date() -> None:
    """The verification code is stored in the file, not only printed; dates are the issue day."""
    info = pdf_info(transcript_pdf(transcript_sample()))
    assert info[INFO_CODE_KEY] == "HB-2022-7Q4M-9XKD"
    assert info[INFO_REGIME_KEY] == "TT22/2021"
    assert info["CreationDate"] == "D:20220525120000+07'00'"
    assert info["ModDate"] == "D:20220525120000+07'00'"


def test_qr_code_drawn_is_the_verification_url() -> None:
    """The footer's modules, read back from the path operators, are the URL's QR symbol."""
    data = transcript_sample()
    reader = PdfFileReader(BytesIO(transcript_pdf(data)))
    stream = reader.root["/Pages"]["/Kids"][0]["/Contents"].data.decode("latin-1")
    expected = segno.make(data.verification_url, error="m", micro=False, mask=2)
    size = int(expected.symbol_size(border=0)[0])
    drawn = [bytearray(size) for _ in range(size)]
    for x, y, width in re.findall(r"^(\d+) (\d+) (\d+) 1 re$", stream, re.M):
        for column in range(int(x), int(x) + int(width)):
            drawn[size - 1 - int(y)][column] = 1
    assert [bytes(row) for row in drawn] == [bytes(row) for row in expected.matrix]


@pytest.mark.parametrize("subjects", [1, 12, 16, MAX_SUBJECT_ROWS])
def test_any_subject_count_up_to_the_limit_fits_one_page(subjects: int) -> None:
    """From one to 18 rows, with the longest remarks allowed, the transcript is one page."""
    long = "Em chăm ngoan, học tốt các môn, tích cực tham gia phong trào của lớp và trường. " * 2
    data = transcript_sample(subjects=subjects)
    data = dataclasses.replace(
        data,
        summary=dataclasses.replace(
            data.summary, homeroom_remarks=long, principal_remarks=long, award="Học sinh Giỏi"
        ),
    )
    pdf = transcript_pdf(data)
    reader = PdfFileReader(BytesIO(pdf))
    assert int(reader.root["/Pages"]["/Count"]) == 1
    assert SUBJECT_NAMES[subjects - 1] in pdf_lines(pdf)


def test_a_name_too_long_for_its_cell_is_set_smaller_not_cut() -> None:
    """A long subject name shrinks to its column instead of running into the scores."""
    data = transcript_sample()
    long_name = "Hoạt động trải nghiệm, hướng nghiệp và giáo dục kỹ năng sống"
    rows = (dataclasses.replace(data.subjects[0], name=long_name), *data.subjects[1:])
    runs = dict(pdf_runs(transcript_pdf(dataclasses.replace(data, subjects=rows))))
    assert runs["Toán"] == 11.0
    assert 7.0 <= runs[long_name] < 11.0


def test_more_subjects_than_the_page_holds_is_refused() -> None:
    """A 19th row would spill onto a second page; the data is refused instead."""
    with pytest.raises(TranscriptLayoutError):
        transcript_sample(subjects=MAX_SUBJECT_ROWS + 1)


def test_a_row_with_the_wrong_number_of_values_is_refused() -> None:
    """Each row has one value per column, so a value never lands under the wrong heading."""
    data = transcript_sample()
    with pytest.raises(TranscriptLayoutError):
        dataclasses.replace(data, subjects=(SubjectRow(name="Toán", values=("8,3",)),))


def test_remarks_longer_than_three_lines_are_refused_not_cut() -> None:
    """A remark is never silently truncated on a legal record."""
    data = transcript_sample()
    data = dataclasses.replace(
        data, summary=dataclasses.replace(data.summary, homeroom_remarks="Em học tốt. " * 80)
    )
    with pytest.raises(TranscriptLayoutError):
        transcript_pdf(data)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 1, 5), "Lào Cai, ngày 05 tháng 01 năm 2025"),
        (dt.date(2026, 2, 9), "Lào Cai, ngày 09 tháng 02 năm 2026"),
        (dt.date(2026, 3, 15), "Lào Cai, ngày 15 tháng 3 năm 2026"),
        (dt.date(2025, 10, 1), "Lào Cai, ngày 01 tháng 10 năm 2025"),
    ],
)
def test_date_line_pads_the_day_and_only_january_and_february(day: dt.date, expected: str) -> None:
    """NĐ 30/2020 Phụ lục I: day padded below 10; month padded only for 01 and 02."""
    assert date_line("Lào Cai", day) == expected


def test_no_vietnamese_serif_installed_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without a usable font the error names the package to install, not a blank glyph box."""
    monkeypatch.setattr(document, "_FAMILIES", ((tmp_path, {"regular": "missing.ttf"}),))
    with pytest.raises(document.FontUnavailableError, match="fonts-liberation2"):
        document._family()
