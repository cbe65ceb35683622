"""Saved symbols lose their type code: "BC-SGDĐT" becomes "SGDĐT"."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# Until this migration every saved symbol was a report's, so it began with the type code.
TYPE_PREFIX = "BC-"


def fill_agency_symbol(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ReportSettings = apps.get_model("reports", "ReportSettings")
    for saved in ReportSettings.objects.filter(agency_symbol__startswith=TYPE_PREFIX):
        saved.agency_symbol = saved.agency_symbol[len(TYPE_PREFIX) :]
        saved.save(update_fields=["agency_symbol"])
    # A bare "BC" had no agency symbol: the settings now ask for one.
    ReportSettings.objects.filter(agency_symbol="BC").update(agency_symbol="")


def unfill_agency_symbol(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ReportSettings = apps.get_model("reports", "ReportSettings")
    for saved in ReportSettings.objects.all():
        saved.agency_symbol = f"{TYPE_PREFIX}{saved.agency_symbol}".rstrip("-")
        saved.save(update_fields=["agency_symbol"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_report_settings_agency_symbol"),
    ]

    operations = [migrations.RunPython(fill_agency_symbol, unfill_agency_symbol)]
