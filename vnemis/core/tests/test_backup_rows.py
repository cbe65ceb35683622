"""The pure parts of a backup, no database: the canonical form of rows that table checksums
hash, the kind of a column, the migrations that mark a newer schema, pg_dump's environment.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from django.db import models

from vnemis.core import backup


def test_canonical_rows_are_the_same_for_sqlite_raw_values_and_postgresql_typed_values() -> None:
    """SQLite's stored forms (0/1, ISO text, REAL decimals, JSON text, uuid hex) and
    PostgreSQL's Python types give the same text; a time in another zone is the same UTC
    instant; -0 and 0 are the same decimal."""
    kinds = ["int", "bool", "date", "datetime", "decimal:4", "json", "text", "float", "uuid"]
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    sqlite_row = (
        7,
        1,
        "2021-09-05",
        "2021-09-05 01:02:03.000001",
        12.5,
        '{"b": 1, "a": [1, 2.5]}',
        "Hà Giang",
        1.5,
        key.hex,
    )
    postgres_row = (
        7,
        True,
        dt.date(2021, 9, 5),
        dt.datetime(2021, 9, 5, 8, 2, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        decimal.Decimal("12.5000"),
        {"a": [1, 2.5], "b": 1},
        "Hà Giang",
        1.5,
        key,
    )
    expected = (
        '[[7,true,"2021-09-05","2021-09-05T01:02:03.000001","12.5000",'
        '"{\\"a\\":[1,2.5],\\"b\\":1}","Hà Giang",1.5,"12345678123456781234567812345678"]]\n'
    )
    assert backup.canonical_rows(kinds, [sqlite_row]) == expected
    assert backup.canonical_rows(kinds, [postgres_row]) == expected
    assert backup.canonical_rows(["decimal:2", "datetime"], [(-0.0, "2021-09-05 01:02:03")]) == (
        '[["0.00","2021-09-05T01:02:03.000000"]]\n'
    )
    assert backup.canonical_rows(["bool", "text"], [(0, None), (False, "")]) == (
        '[[false,null],[false,""]]\n'
    )


def test_field_kinds_follow_the_model_field_and_a_foreign_key_takes_its_target_kind() -> None:
    """A foreign key's column holds its target's key; a decimal keeps its number of places."""
    from vnemis.indicators.models import Target
    from vnemis.people.models import Enrollment

    assert backup.field_kind(Enrollment._meta.get_field("student")) == "int"
    assert backup.field_kind(Target._meta.get_field("value")) == "decimal:2"
    assert backup.field_kind(models.DateTimeField()) == "datetime"
    assert backup.field_kind(models.JSONField()) == "json"


def test_an_archive_from_a_newer_schema_is_recognised_by_its_unknown_migrations() -> None:
    """Migrations this code lacks are listed for installed apps; an app this code does not
    install is left alone (its tables are restored and unused)."""
    known = {("core", "0001_initial"), ("core", "0002_x"), ("people", "0001_initial")}
    archive = {"core": "0003_future", "people": "0001_initial", "retired_app": "0009_y"}
    assert backup.migrations_unknown(archive, known=known) == ["core.0003_future"]
    assert backup.migrations_unknown({"core": "0002_x"}, known=known) == []


def test_postgres_tools_get_the_password_from_the_environment_only() -> None:
    """The password goes to PGPASSWORD; the connection's other settings and TLS options
    become libpq variables."""
    env = backup.postgres_env(
        {
            "NAME": "vnemis",
            "USER": "app",
            "PASSWORD": "s3cret pass",
            "HOST": "db.internal",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "verify-full"},
        }
    )
    assert (env["PGDATABASE"], env["PGUSER"], env["PGHOST"], env["PGPORT"]) == (
        "vnemis",
        "app",
        "db.internal",
        "5433",
    )
    assert (env["PGPASSWORD"], env["PGSSLMODE"]) == ("s3cret pass", "verify-full")
