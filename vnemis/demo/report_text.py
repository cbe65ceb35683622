"""The text of the Lào Cai Department's report for the first half of 2022, with the demo's
figures: the demo stores it as the officer's draft of the 2022H1 report and as the progress
notes of the province's programmes, and its tests render it with the generic report builder
(`vnemis.reports.documents.dx_semiannual`). The wording is Vietnamese: it is the Department's
report, not UI text.
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
from vnemis.reports.numbers import format_int, format_percent

# The Department's own header, as its 2022 report has it.
PARENT_AGENCY = "UBND TỈNH LÀO CAI"
AGENCY = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
AGENCY_IN_TEXT = "Sở Giáo dục và Đào tạo tỉnh Lào Cai"
AGENCY_SYMBOL = "SGDĐT"
PLACE = "Lào Cai"


def laocai_report_2022h1() -> DxReportData:
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
        parent_agency=PARENT_AGENCY,
        agency=AGENCY,
        agency_in_text=AGENCY_IN_TEXT,
        agency_symbol=AGENCY_SYMBOL,
        place=PLACE,
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
