"""QĐ 131/QĐ-TTg: learners managed by digital records (target 100 % by 2025)."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Element = apps.get_model("indicators", "DataElement")
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.update_or_create(
        code="digital_records_students",
        defaults={
            "sort_order": 55,
            "name": "Tỷ lệ học sinh được quản lý bằng hồ sơ số",
            "name_en": "Students managed through digital records",
            "numerator": Element.objects.get(code="students_with_results"),
            "denominator": Element.objects.get(code="students"),
            "factor": 100,
            "unit": "%",
            "decimals": 1,
            "legal_source": "QĐ 131/QĐ-TTg ngày 25/01/2022 (mục tiêu 2025: 100%)",
        },
    )


def unfill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("indicators", "Indicator").objects.filter(
        code="digital_records_students"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_fill_definitions")]
    operations = [migrations.RunPython(fill, unfill)]
