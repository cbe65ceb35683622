"""A trigram index on the persons' search name, on PostgreSQL only.

Student and staff search ask ``search_name LIKE '%word%'`` for each word of the query; without
this index PostgreSQL reads every person (578.000 in the province demo) for each search. A
b-tree cannot serve a pattern that starts with a wildcard, a pg_trgm GIN index can. SQLite
builds neither; there the search reads the table. The index is made here rather than in the
model's Meta, which would build it on SQLite too.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEX = GinIndex(fields=["search_name"], opclasses=["gin_trgm_ops"], name="person_search_trgm")


def add_trigram_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("people", "Person"), INDEX)


def remove_trigram_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("people", "Person"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_fill_person_search_name"),
        # pg_trgm is created there.
        ("organisations", "0005_orgunit_search_key_trigram"),
    ]

    operations = [migrations.RunPython(add_trigram_index, remove_trigram_index)]
