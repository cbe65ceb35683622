"""A report of a province other than the demo's, built by hand for the builder's tests.

The figures are those of a province of about 600 schools; the header is Hà Tĩnh's, so that
nothing the tests read can come from the demo's Lào Cai. The wording is Vietnamese: it is an
official document.
"""

from __future__ import annotations

from decimal import Decimal

from vnemis.reports.documents.dx_semiannual import (
    DxArea,
    DxReportData,
    FigureText,
    ProgrammeTasks,
    Ratio,
    Target,
)

BASIS = (
    "Căn cứ văn bản số 512/STTTT-CNTT ngày 10/6/2022 của Sở Thông tin và Truyền thông về việc "
    "báo cáo kết quả chuyển đổi số 6 tháng đầu năm 2022, Sở Giáo dục và Đào tạo báo cáo như sau:"
)

PROGRAMME = ProgrammeTasks(
    title=(
        "Quyết định số 210/QĐ-UBND ngày 20/01/2021 của UBND tỉnh ban hành Chương trình Chuyển "
        "đổi số tỉnh đến năm 2025"
    ),
    reference="Quyết định số 210/QĐ-UBND ngày 20/01/2021",
    assigned=4,
    done=3,
    not_done=1,
    done_items=(
        FigureText("{internet}."),
        FigureText(
            "{cashless_percent} trường học đã cung cấp dịch vụ thanh toán học phí không dùng "
            "tiền mặt."
        ),
        FigureText(
            "Cổng thông tin điện tử của Sở có 1.204.311 lượt truy cập; đơn vị có website "
            "riêng: {websites}."
        ),
    ),
    not_done_items=("Phát triển ứng dụng di động về giáo dục.",),
)

PLAN = ProgrammeTasks(
    title="Kế hoạch số 31/KH-UBND ngày 15/02/2022 của UBND tỉnh",
    reference="Kế hoạch số 31/KH-UBND ngày 15/02/2022",
    assigned=3,
    done=1,
    in_progress=2,
    done_items=(FigureText("Cơ sở dữ liệu ngành đã số hóa {sector_database}."),),
    in_progress_items=("Mô hình lớp học thông minh.", "Số hóa học bạ."),
)


def sample_data() -> DxReportData:
    """A draft of the 2022H1 report of Hà Tĩnh's Sở: no number, no day."""
    return DxReportData(
        period_label="6 tháng đầu năm 2022",
        next_period_label="6 tháng cuối năm 2022",
        parent_agency="UBND TỈNH HÀ TĨNH",
        agency="SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        agency_in_text="Sở Giáo dục và Đào tạo tỉnh Hà Tĩnh",
        agency_symbol="SGDĐT",
        place="Hà Tĩnh",
        date=None,
        month=6,
        year=2022,
        number="",
        basis=BASIS,
        steering_plan="Kế hoạch số 02-KH/BCĐ ngày 05/3/2022",
        steering_directions="Thông báo số 11-TB/BCĐ ngày 20/4/2022",
        steering_results=(
            "- Sở đã ban hành Kế hoạch chuyển đổi số của ngành.\n\n"
            "- Thành lập Ban Chỉ đạo Chuyển đổi số ngành Giáo dục."
        ),
        procedures_online_pct=Decimal(100),
        dossiers_online_pct=Decimal(100),
        work_records_online_pct=Decimal(97),
        cashless_schools=Ratio(199, 612),
        e_transcript_students=Ratio(168_652, 228_322),
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
        programmes=(PROGRAMME, PLAN),
        assessment=(
            "1. Đánh giá chung:\n\n- Hạ tầng được đầu tư hằng năm.\n\n"
            "2. Khó khăn, vướng mắc:\n\n- Thiếu kinh phí."
        ),
        next_targets=(
            Target(
                "Duy trì tỷ lệ hồ sơ thủ tục hành chính được xử lý hoàn toàn trực tuyến",
                "100%",
                DxArea.E_GOVERNMENT,
            ),
            Target(
                "Nâng tỷ lệ trường học áp dụng thanh toán không dùng tiền mặt",
                "50%",
                DxArea.DIGITAL_ECONOMY_SOCIETY,
            ),
            Target(
                "Duy trì tỷ lệ học sinh có học bạ điện tử", "73,9%", DxArea.DIGITAL_ECONOMY_SOCIETY
            ),
        ),
        next_tasks=("Xây dựng kho học liệu số", "Bồi dưỡng năng lực số cho giáo viên"),
        recommendations="1. Với UBND tỉnh:\n\n- Bố trí kinh phí cho các nhiệm vụ chuyển đổi số.",
        recipients=("Sở TTTT (b/c)", "Lãnh đạo Sở", "Các phòng của Sở"),
        archive_unit="GDTrH",
        signer_authority="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="Nguyễn Thị Hà",
    )
