"""Fill the search name of persons written without it (a blank key finds nobody)."""

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


def fill_person_search_name(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Person = apps.get_model("people", "Person")
    # save() and the bulk writers have always filled the key with this same fold, so only
    # blank keys (rows written around them) need it; the b-tree index on it finds them.
    blank = Person.objects.filter(search_name="").only(
        "pk", "family_name", "middle_name", "given_name", "search_name"
    )
    changed = []
    for person in blank.iterator(2000):
        parts = (person.family_name, person.middle_name, person.given_name)
        person.search_name = fold(" ".join(p for p in parts if p))
        if person.search_name:
            changed.append(person)
    Person.objects.bulk_update(changed, ["search_name"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_person_sex_optional")]

    # Backwards the keys stay: they are correct for the schema before this migration too.
    operations = [migrations.RunPython(fill_person_search_name, migrations.RunPython.noop)]
