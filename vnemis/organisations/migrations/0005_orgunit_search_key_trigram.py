"""A trigram index on the units' search key, on PostgreSQL only.

The search asks ``search_key LIKE '%word%'`` for each word; a b-tree cannot serve a pattern
that starts with a wildcard, a pg_trgm GIN index can. SQLite has neither the extension nor
GIN indexes; there the search reads the table, which is small for org units. The index is
made here rather than in the model's Meta, which would build it on SQLite too.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEX = GinIndex(fields=["search_key"], opclasses=["gin_trgm_ops"], name="orgunit_search_trgm")


def add_trigram_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("organisations", "OrgUnit"), INDEX)


def remove_trigram_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("organisations", "OrgUnit"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0004_fill_orgunit_search_key")]

    operations = [
        # Does nothing on SQLite. pg_trgm is a trusted extension (PostgreSQL 13+): the owner
        # of the database may create it without being a superuser.
        TrigramExtension(),
        migrations.RunPython(add_trigram_index, remove_trigram_index),
    ]
