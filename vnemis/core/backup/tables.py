"""The tables of a database as a backup reads them: their columns and keys, each table's row
count and checksum, and the comparison with a manifest."""

from __future__ import annotations

import dataclasses
import hashlib
import time
import uuid
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.db.migrations.recorder import MigrationRecorder

from vnemis.core.backup.base import Progress, quiet
from vnemis.core.backup.rows import field_kind, group_line, row_plan

# A table's checksum hashes its rows in groups of this many (one JSON array per group): part
# of the archive format, since another size gives other digests.
ROWS_PER_GROUP = 5_000


@dataclasses.dataclass(frozen=True)
class TableSpec:
    """A table as the checksum reads it: its columns with their kinds, and its key."""

    table: str
    model: str
    columns: tuple[tuple[str, str], ...]
    pk: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "columns": [list(c) for c in self.columns],
            "pk": list(self.pk),
        }

    @classmethod
    def from_json(cls, table: str, data: dict[str, Any]) -> TableSpec:
        return cls(
            table=table,
            model=str(data.get("model", "")),
            columns=tuple((str(c), str(k)) for c, k in data["columns"]),
            pk=tuple(str(c) for c in data["pk"]),
        )


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _models_by_table() -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            found.setdefault(model._meta.db_table, model)
    found.setdefault(MigrationRecorder.Migration._meta.db_table, MigrationRecorder.Migration)
    return found


class Inspector:
    """The tables, columns and primary keys of a database, read through a DB-API connection."""

    def __init__(self, raw: Any, vendor: str) -> None:
        self.raw = raw
        self.vendor = vendor

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def tables(self) -> list[str]:
        if self.vendor == "sqlite":
            rows = self._rows(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            )
        else:
            rows = self._rows(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        return sorted(str(r[0]) for r in rows)

    def columns(self, table: str) -> list[str]:
        if self.vendor == "sqlite":
            return [str(r[1]) for r in self._rows(f"PRAGMA table_info({quote_name(table)})")]
        rows = self._rows(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (quote_name(table),),
        )
        return [str(r[0]) for r in rows]

    def primary_key(self, table: str) -> list[str]:
        if self.vendor == "sqlite":
            rows = self._rows(f"PRAGMA table_info({quote_name(table)})")
            return [str(r[1]) for r in sorted((r for r in rows if r[5]), key=lambda r: r[5])]
        rows = self._rows(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (quote_name(table),),
        )
        return [str(r[0]) for r in rows]

    def count(self, table: str) -> int:
        return int(self._rows(f"SELECT COUNT(*) FROM {quote_name(table)}")[0][0])

    def latest_migrations(self) -> dict[str, str]:
        if MigrationRecorder.Migration._meta.db_table not in self.tables():
            return {}
        latest: dict[str, str] = {}
        for app, name in self._rows("SELECT app, name FROM django_migrations ORDER BY id"):
            latest[str(app)] = str(name)
        return dict(sorted(latest.items()))

    def installation(self) -> str:
        table = apps.get_model("core", "Installation")._meta.db_table
        if table not in self.tables():
            return ""
        rows = self._rows(f"SELECT code FROM {quote_name(table)} ORDER BY id LIMIT 1")
        return str(rows[0][0]) if rows else ""


def table_specs(*, raw: Any, vendor: str) -> list[TableSpec]:
    """Every table of the database (a model's or not), with the kinds its models give."""
    inspector = Inspector(raw, vendor)
    by_table = _models_by_table()
    specs = []
    for table in inspector.tables():
        model = by_table.get(table)
        fields: dict[str, models.Field[Any, Any]] = {}
        if model is not None:
            fields = {f.column: f for f in model._meta.concrete_fields if f.column}
        # By name, not by position: SQLite rebuilds a table to alter it and may reorder its
        # columns, PostgreSQL appends; the same data gives the same rows on both.
        columns = tuple(
            (c, field_kind(fields[c]) if c in fields else "raw")
            for c in sorted(inspector.columns(table))
        )
        specs.append(
            TableSpec(
                table=table,
                model=model._meta.label if model is not None else "",
                columns=columns,
                pk=tuple(inspector.primary_key(table)),
            )
        )
    return specs


def table_digest(*, raw: Any, vendor: str, spec: TableSpec) -> tuple[int, str]:
    """Row count and SHA-256 of the table's canonical rows in primary-key order, hashed in
    groups of ``ROWS_PER_GROUP`` (see ``canonical_rows``).

    Streams the rows (a server-side cursor on PostgreSQL), so memory does not grow with the
    table.
    """
    kinds = dict(spec.columns)
    order_columns = spec.pk or tuple(c for c, _ in spec.columns)
    order = []
    for column in order_columns:
        # Byte order for text keys (session keys, task ids): PostgreSQL's default collation
        # sorts by language rules, SQLite's by bytes; "C" is bytes on both.
        text_key = vendor == "postgresql" and kinds.get(column) == "text"
        order.append(quote_name(column) + (' COLLATE "C"' if text_key else ""))
    sql = "SELECT {} FROM {} ORDER BY {}".format(
        ", ".join(quote_name(c) for c, _ in spec.columns), quote_name(spec.table), ", ".join(order)
    )
    cursor = (
        raw.cursor(name=f"vnemis_backup_{uuid.uuid4().hex[:12]}")
        if vendor == "postgresql"
        else raw.cursor()
    )
    digest = hashlib.sha256()
    rows = 0
    plan = row_plan(kind for _, kind in spec.columns)
    try:
        cursor.execute(sql)
        while True:
            group = cursor.fetchmany(ROWS_PER_GROUP)
            # A driver may return fewer rows than asked before the end: groups are exact.
            while group and len(group) < ROWS_PER_GROUP:
                more = cursor.fetchmany(ROWS_PER_GROUP - len(group))
                if not more:
                    break
                group.extend(more)
            if not group:
                break
            digest.update(group_line(plan, group).encode("utf-8", "surrogatepass"))
            rows += len(group)
    finally:
        cursor.close()
    return rows, digest.hexdigest()


def table_states(
    *,
    raw: Any,
    vendor: str,
    specs: Iterable[TableSpec],
    progress: Progress = quiet,
) -> dict[str, dict[str, Any]]:
    """``{table: {"rows": n, "sha256": digest}}`` for each spec."""
    states: dict[str, dict[str, Any]] = {}
    for spec in specs:
        start = time.monotonic()
        rows, digest = table_digest(raw=raw, vendor=vendor, spec=spec)
        states[spec.table] = {"rows": rows, "sha256": digest}
        seconds = time.monotonic() - start
        if seconds >= 2:
            progress(f"  {spec.table}: {rows:,} rows ({seconds:.1f} s)")
    return states


def states_compare(
    *, expected: dict[str, dict[str, Any]], found: dict[str, dict[str, Any]]
) -> list[str]:
    """One line per table whose rows differ from the manifest's (empty: all identical)."""
    differences = []
    for table, want in sorted(expected.items()):
        got = found.get(table)
        if got is None:
            differences.append(f"{table}: missing")
        elif got["rows"] != want["rows"]:
            differences.append(f"{table}: {got['rows']:,} rows, the backup had {want['rows']:,}")
        elif got["sha256"] != want["sha256"]:
            differences.append(f"{table}: same row count ({got['rows']:,}), different content")
    return differences


def states_for_manifest(
    *, raw: Any, vendor: str, manifest: dict[str, Any], progress: Progress
) -> dict[str, dict[str, Any]]:
    """Recompute the manifest's tables, each with the columns and kinds the backup used."""
    inspector = Inspector(raw, vendor)
    present = set(inspector.tables())
    found: dict[str, dict[str, Any]] = {}
    specs = []
    for table, data in manifest["tables"].items():
        spec = TableSpec.from_json(table, data)
        if table not in present:
            continue
        if set(inspector.columns(table)) >= {c for c, _ in spec.columns}:
            specs.append(spec)
        else:  # a column of the backup is gone: count the rows; the content cannot match
            found[table] = {"rows": inspector.count(table), "sha256": ""}
    found.update(table_states(raw=raw, vendor=vendor, specs=specs, progress=progress))
    return found


def snapshot_facts(*, raw: Any, vendor: str, progress: Progress) -> dict[str, Any]:
    inspector = Inspector(raw, vendor)
    specs = table_specs(raw=raw, vendor=vendor)
    progress(f"Counting and checksumming {len(specs)} tables…")
    start = time.monotonic()
    states = table_states(raw=raw, vendor=vendor, specs=specs, progress=progress)
    rows = sum(s["rows"] for s in states.values())
    progress(f"{rows:,} rows checksummed in {time.monotonic() - start:.1f} s.")
    return {
        "installation_code": inspector.installation(),
        "migrations": inspector.latest_migrations(),
        "tables": {s.table: {**s.as_json(), **states[s.table]} for s in specs},
    }
