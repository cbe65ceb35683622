"""Fill the search key of the units that existed before it (name and code, folded)."""

from __future__ import annotations

import unicodedata

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def fold(text: str) -> str:
    """vnemis.core.text.fold as written when this migration was: lower-case, without
    diacritics, đ → d, single spaces. Copied, because a migration must not change with the
    app's code."""
    text = text.replace("đ", "d").replace("Đ", "D").replace("\u00d0", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def fill_orgunit_search_key(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    OrgUnit = apps.get_model("organisations", "OrgUnit")
    changed = []
    for unit in OrgUnit.objects.only("pk", "name", "code", "search_key").iterator(2000):
        key = fold(f"{unit.name} {unit.code}")
        if unit.search_key != key:
            unit.search_key = key
            changed.append(unit)
    OrgUnit.objects.bulk_update(changed, ["search_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_orgunit_add_search_key")]

    # Backwards the column is dropped by 0003's reverse; nothing to undo here.
    operations = [migrations.RunPython(fill_orgunit_search_key, migrations.RunPython.noop)]
