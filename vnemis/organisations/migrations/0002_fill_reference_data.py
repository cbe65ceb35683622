"""Reference data every installation needs: the two tree versions and the unit dimensions."""

from __future__ import annotations

import datetime as dt

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TREE_VERSIONS = [
    (
        "2022",
        "Trước sắp xếp 2025: Sở → Phòng GD&ĐT → trường",
        dt.date(2000, 1, 1),
        dt.date(2025, 6, 30),
    ),
    ("2025", "Sau sắp xếp 2025: Sở → xã, phường → trường", dt.date(2025, 7, 1), None),
]
GROUP_SETS = {
    "level": (
        "Cấp học",
        [
            ("mn", "Mầm non"),
            ("th", "Tiểu học"),
            ("thcs", "Trung học cơ sở"),
            ("thpt", "Trung học phổ thông"),
            ("gdtx", "Giáo dục thường xuyên"),
        ],
    ),
    "school_type": (
        "Loại hình trường",
        [
            ("ptdtnt", "Phổ thông dân tộc nội trú"),
            ("ptdtbt", "Phổ thông dân tộc bán trú"),
            ("gdtx", "Giáo dục thường xuyên"),
            ("chuyen", "Trường chuyên"),
        ],
    ),
    "area": ("Khu vực", [("kv1", "Khu vực I"), ("kv2", "Khu vực II"), ("kv3", "Khu vực III")]),
}


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    TreeVersion = apps.get_model("organisations", "TreeVersion")
    GroupSet = apps.get_model("organisations", "OrgUnitGroupSet")
    Group = apps.get_model("organisations", "OrgUnitGroup")
    for code, name, start, end in TREE_VERSIONS:
        TreeVersion.objects.update_or_create(
            code=code, defaults={"name": name, "valid_from": start, "valid_to": end}
        )
    for set_code, (set_name, groups) in GROUP_SETS.items():
        group_set, _ = GroupSet.objects.update_or_create(code=set_code, defaults={"name": set_name})
        for code, name in groups:
            Group.objects.update_or_create(group_set=group_set, code=code, defaults={"name": name})


def unfill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("organisations", "OrgUnitGroupSet").objects.filter(
        code__in=list(GROUP_SETS)
    ).delete()
    apps.get_model("organisations", "TreeVersion").objects.filter(
        code__in=[v[0] for v in TREE_VERSIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(fill, unfill)]
