"""The criteria of QĐ 4725/QĐ-BGDĐT (30/12/2022), as read from a public implementation.

The reference marks them "verify against the decision"; group II's items add up to 90.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# (code, group, title, max points, mandatory, observed by vnemis)
CRITERIA = [
    ("1.1", "I", "Kế hoạch dạy học trực tuyến", 0, True, ""),
    ("1.2", "I", "Quy chế tổ chức dạy học trực tuyến", 0, True, ""),
    ("1.3.1", "I", "Phần mềm dạy học trực tuyến trực tiếp", 6, False, ""),
    ("1.3.2", "I", "Hệ thống LMS: tự học", 6, False, ""),
    ("1.3.3", "I", "Hệ thống LMS: hỏi đáp, trao đổi", 6, False, ""),
    ("1.3.4", "I", "Hệ thống LMS: kiểm tra, đánh giá thường xuyên", 6, False, ""),
    ("1.3.5", "I", "Hệ thống LMS: cha mẹ học sinh theo dõi", 6, False, ""),
    ("1.4", "I", "Học liệu số", 10, False, ""),
    ("1.5.1", "I", "Thi, kiểm tra trên máy tính", 15, False, ""),
    ("1.5.2", "I", "Kết quả kiểm tra được chuyển vào hệ thống quản trị nhà trường", 5, False, ""),
    ("1.6.1", "I", "Tỷ lệ giáo viên có tài khoản bồi dưỡng trực tuyến", 7, False, ""),
    ("1.6.2", "I", "Tỷ lệ giáo viên sử dụng phần mềm dạy học", 7, False, ""),
    ("1.6.3", "I", "Tỷ lệ giáo viên tự làm học liệu số", 6, False, ""),
    ("1.7.1", "I", "Phòng học có máy chiếu và kết nối Internet", 8, False, "internet"),
    ("1.7.2", "I", "Phòng thực hành Tin học", 7, False, ""),
    ("1.7.3", "I", "Phòng sản xuất học liệu số", 5, False, ""),
    ("2.1", "II", "Bộ phận phụ trách CNTT, chuyển đổi số", 0, True, ""),
    ("2.2", "II", "Kế hoạch ứng dụng CNTT, chuyển đổi số", 0, True, ""),
    ("2.3.1", "II", "Quy chế vận hành hệ thống quản trị nhà trường", 6, False, "it_management"),
    ("2.3.2", "II", "Phân hệ quản lý học sinh", 6, False, "student_records"),
    ("2.3.3", "II", "Sổ điểm điện tử, học bạ điện tử", 10, False, "transcripts"),
    ("2.3.4", "II", "Phân hệ quản lý cán bộ, giáo viên", 6, False, "staff_records"),
    ("2.3.5", "II", "Phân hệ quản lý cơ sở vật chất", 10, False, ""),
    ("2.3.6", "II", "Phân hệ y tế trường học", 10, False, ""),
    ("2.3.7", "II", "Phần mềm kế toán", 6, False, ""),
    ("2.3.8", "II", "Trao đổi dữ liệu định kỳ với CSDL ngành", 6, False, "data_exchange"),
    (
        "2.4.1",
        "II",
        "Ứng dụng kết nối gia đình – nhà trường (sổ liên lạc điện tử)",
        8,
        False,
        "contact_book",
    ),
    ("2.4.2", "II", "Tuyển sinh đầu cấp trực tuyến", 12, False, ""),
    ("2.4.3", "II", "Thu phí không dùng tiền mặt", 10, False, "cashless"),
]


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Criterion = apps.get_model("digital", "Criterion")
    for order, (code, group, title, points, mandatory, observed) in enumerate(CRITERIA):
        Criterion.objects.update_or_create(
            code=code,
            defaults={
                "group": group,
                "title": title,
                "max_points": points,
                "mandatory": mandatory,
                "observed": observed,
                "order": order,
            },
        )


def unfill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("digital", "Criterion").objects.filter(
        code__in=[c[0] for c in CRITERIA]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("digital", "0002_selfassessment_create")]
    operations = [migrations.RunPython(fill, unfill)]
