"""Names that agree with units, sites as the seed counts them, sources that set the target.

A percentage is named "Tỷ lệ …" (four were "Số …" or bare nouns); the site indicators and
elements say they count preschool and primary sites, as the seed does; QĐ 131/QĐ-TTg is cited
only by indicators whose target it sets (digital management and digital records), not by
cashless payment, electronic transcripts or Internet access, which it does not set.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SEED = "Báo cáo CĐS 6 tháng đầu năm 2022 của Sở GD&ĐT Lào Cai; KH 04-KH/BCĐCĐS"
QD131 = "QĐ 131/QĐ-TTg ngày 25/01/2022"

# code: ((name, name_en, legal_source) before, after)
INDICATORS = {
    "internet_wired_schools": (
        ("Số trường sử dụng mạng có dây", "Schools on a wired line", SEED),
        ("Tỷ lệ trường sử dụng mạng có dây", "Share of schools on a wired line", SEED),
    ),
    "internet_mobile_schools": (
        ("Số trường sử dụng mạng 3G, 4G", "Schools on 3G/4G", SEED),
        ("Tỷ lệ trường sử dụng mạng 3G, 4G", "Share of schools on 3G/4G", SEED),
    ),
    "sites_wired": (
        ("Điểm trường sử dụng mạng có dây", "School sites on a wired line", SEED),
        (
            "Tỷ lệ điểm trường mầm non, tiểu học sử dụng mạng có dây",
            "Share of preschool and primary school sites on a wired line",
            SEED,
        ),
    ),
    "sites_mobile": (
        ("Điểm trường sử dụng mạng 3G, 4G", "School sites on 3G/4G", SEED),
        (
            "Tỷ lệ điểm trường mầm non, tiểu học sử dụng mạng 3G, 4G",
            "Share of preschool and primary school sites on 3G/4G",
            SEED,
        ),
    ),
    "sites_without_internet": (
        ("Điểm trường không có mạng", "School sites without a network", SEED),
        (
            "Tỷ lệ điểm trường mầm non, tiểu học không có mạng",
            "Share of preschool and primary school sites without a network",
            SEED,
        ),
    ),
}
# Indicators whose target QĐ 131 does not set: the seed alone is their source.
NOT_QD131 = ("cashless_schools", "e_transcript_students", "internet_schools")
ELEMENTS = {
    "sites": ("Số điểm trường", "Số điểm trường mầm non, tiểu học"),
    "sites_internet_wired": (
        "Số điểm trường sử dụng mạng có dây",
        "Số điểm trường mầm non, tiểu học sử dụng mạng có dây",
    ),
    "sites_internet_mobile": (
        "Số điểm trường sử dụng mạng 3G, 4G",
        "Số điểm trường mầm non, tiểu học sử dụng mạng 3G, 4G",
    ),
    "sites_no_internet": (
        "Số điểm trường không có mạng",
        "Số điểm trường mầm non, tiểu học không có mạng",
    ),
}


def _apply(apps: StateApps, *, forward: bool) -> None:
    Indicator = apps.get_model("indicators", "Indicator")
    DataElement = apps.get_model("indicators", "DataElement")
    for code, (before, after) in INDICATORS.items():
        name, name_en, source = after if forward else before
        Indicator.objects.filter(code=code).update(name=name, name_en=name_en, legal_source=source)
    Indicator.objects.filter(code__in=NOT_QD131).update(
        legal_source=SEED if forward else f"{SEED}; {QD131}"
    )
    for code, (before, after) in ELEMENTS.items():
        DataElement.objects.filter(code=code).update(name=after if forward else before)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _apply(apps, forward=True)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _apply(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_indicator_add_digital_records")]
    operations = [migrations.RunPython(forwards, backwards)]
