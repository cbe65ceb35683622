"""The province's programmes and their tasks as the report of 2022H1 describes them."""

from __future__ import annotations

import datetime as dt

from vnemis.demo.report_text import laocai_report_2022h1
from vnemis.organisations.models import OrgUnit
from vnemis.plans import services
from vnemis.plans.choices import TaskStatus
from vnemis.reports import services as report_services
from vnemis.reports.documents.dx_semiannual import FigureText

QD_1634 = (
    "qd-1634-2021",
    "1634/QĐ-UBND",
    dt.date(2021, 5, 17),
    "UBND tỉnh Lào Cai",
    "Chương trình Chuyển đổi số tỉnh Lào Cai đến năm 2025, định hướng đến năm 2030",
    [
        (
            "Rà soát, điều chỉnh chương trình, kế hoạch giáo dục nhà trường, bổ sung nội dung "
            "chuyển đổi số; bồi dưỡng kỹ năng CNTT, an toàn thông tin cho cán bộ, giáo viên",
            TaskStatus.DONE,
        ),
        ("Kết nối Internet cho các cơ sở giáo dục", TaskStatus.DONE),
        ("Hồ sơ số của học sinh phổ thông (thông tin cá nhân, kết quả học tập)", TaskStatus.DONE),
        ("Ứng dụng công nghệ thông tin trong quản lý, quản trị nhà trường", TaskStatus.DONE),
        (
            "Thanh toán học phí không dùng tiền mặt; cơ sở dữ liệu học liệu số và dạy học trực "
            "tuyến",
            TaskStatus.DONE,
        ),
        ("Triển khai hệ thống website giáo dục", TaskStatus.DONE),
        ("Trang bị hạ tầng công nghệ thông tin cơ bản cho các cơ sở giáo dục", TaskStatus.DONE),
        (
            "Thuê Hệ thống thông tin tổng thể cơ sở dữ liệu quản lý toàn ngành giáo dục",
            TaskStatus.DONE,
        ),
        (
            "Tạo lập cơ sở dữ liệu học sinh từ lớp học ảo, học trực tuyến, khảo thí để đưa "
            "trí tuệ nhân tạo vào đánh giá, tư vấn học đường",
            TaskStatus.DONE,
        ),
        (
            "Thí điểm chuyển đổi số toàn diện tại Trường THPT Chuyên tỉnh Lào Cai, cụm liên trường "
            "Kim Tân",
            TaskStatus.DONE,
        ),
        (
            "Phát triển các nền tảng ứng dụng, di động cung cấp các dịch vụ, xử lý, tư vấn, "
            "khai thác dữ liệu thông tin về lĩnh vực giáo dục và đào tạo",
            TaskStatus.NOT_DONE,
        ),
    ],
)
KH_49 = (
    "kh-49-2022",
    "49/KH-UBND",
    dt.date(2022, 1, 30),
    "UBND tỉnh Lào Cai",
    "Kế hoạch chuyển đổi số tỉnh Lào Cai năm 2022",
    [
        ("Phát triển Cổng thông tin điện tử ngành GD&ĐT", TaskStatus.DONE),
        (
            "Hệ thống thông tin tổng thể cơ sở dữ liệu quản lý toàn ngành giáo dục đào tạo tỉnh "
            "Lào Cai",
            TaskStatus.IN_PROGRESS,
        ),
        (
            "Xây dựng môi trường học tập (e-learning), thi trực tuyến hướng đến mô hình "
            "học tập kết nối",
            TaskStatus.IN_PROGRESS,
        ),
        ("Mô hình lớp học thông minh", TaskStatus.IN_PROGRESS),
        ("Đầu tư phòng sản xuất học liệu điện tử tổ chức học trực tuyến", TaskStatus.IN_PROGRESS),
        (
            "Thuê phần mềm tuyển sinh trực tuyến vào lớp 10 THPT tỉnh Lào Cai",
            TaskStatus.IN_PROGRESS,
        ),
        ("Nâng cao năng lực số cho cán bộ quản lý, giáo viên và học sinh", TaskStatus.IN_PROGRESS),
        (
            "Số hóa dữ liệu điểm thi tốt nghiệp THPT từ năm 2016 đến năm 2020",
            TaskStatus.IN_PROGRESS,
        ),
    ],
)


def _notes() -> list[list[str]]:
    """The report's own words on each task, used as the progress notes of 15 June 2022.

    Notes may name figures in braces ({internet}); the report fills them from the records.
    """
    sample = laocai_report_2022h1()
    notes = []
    for programme in sample.programmes:
        items = (*programme.done_items, *programme.not_done_items, *programme.in_progress_items)
        notes.append([i.text if isinstance(i, FigureText) else i for i in items])
    return notes


def load_plans(*, owner: OrgUnit) -> int:
    """Create both programmes with their tasks and a progress update dated 15 June 2022."""
    n = 0
    for (code, number, issued_on, issued_by, title, tasks), notes in zip(
        (QD_1634, KH_49), _notes(), strict=True
    ):
        programme = services.programme_create(
            code=code,
            document_number=number,
            issued_on=issued_on,
            issued_by=issued_by,
            title=title,
            by=None,
        )
        for (task_title, status), note in zip(tasks, notes, strict=True):
            task = services.plan_task_create(
                programme=programme,
                title=task_title,
                owner=owner,
                deadline=dt.date(2022, 12, 31),
                by=None,
            )
            services.task_update_record(
                task=task, on=dt.date(2022, 6, 15), status=status, by=None, note=note
            )
            n += 1
    return n


def load_report_draft(*, unit: OrgUnit) -> None:
    """The draft of the 2022H1 report with the Department's narrative text."""
    sample = laocai_report_2022h1()
    # The Department's signer and drafting unit, so that later drafts start from them too.
    report_services.report_settings_update(
        unit=unit,
        by=None,
        signer_authority=sample.signer_authority,
        signer_title=sample.signer_title,
        signer_name=sample.signer_name,
        archive_unit=sample.archive_unit,
    )
    draft = report_services.report_draft_get_or_create(unit=unit, period_code="2022H1", by=None)
    report_services.report_draft_update(
        document=draft,
        by=None,
        basis=sample.basis,
        steering_plan=sample.steering_plan,
        steering_directions=sample.steering_directions,
        steering_results=sample.steering_results,
        assessment=sample.assessment,
        next_tasks="\n".join(sample.next_tasks),
        recommendations=sample.recommendations,
        recipients="\n".join(sample.recipients),
        archive_unit=sample.archive_unit,
        signer_authority=sample.signer_authority,
        signer_title=sample.signer_title,
        signer_name=sample.signer_name,
    )
