"""Fast bulk insertion for generated data sets.

The demo and benchmark loaders create hundreds of thousands of rows whose validity is fixed by
construction; they write them with ``executemany`` on explicit ids instead of one ORM save per
row, and rely on the database's constraints as the last check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return str(field.column)


class BulkWriter:
    """Buffered INSERTs into one model's table; ``add`` returns the id the row will have."""

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        *,
        now: dt.datetime,
        batch_size: int = 20_000,
    ) -> None:
        self.model = model
        meta = model._meta
        self.has_timestamps = any(f.name == "created_at" for f in meta.concrete_fields)
        columns = ["id", *(_column(model, name) for name in fields)]
        if self.has_timestamps:
            columns += ["created_at", "updated_at"]
        quote = connection.ops.quote_name
        placeholders = ", ".join(["%s"] * len(columns))
        target = f"{quote(meta.db_table)} ({', '.join(quote(c) for c in columns)})"
        self.sql = f"INSERT INTO {target} VALUES ({placeholders})"
        # PostgreSQL takes rows fastest through COPY; other databases get executemany.
        self.copy_sql = f"COPY {target} FROM STDIN" if connection.vendor == "postgresql" else ""
        self.now = now
        self.batch_size = batch_size
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = (model._default_manager.aggregate(m=Max("id"))["m"] or 0) + 1
        self.count = 0

    def add(self, *values: Any) -> int:
        row_id = self.next_id
        self.next_id += 1
        row = (row_id, *values, self.now, self.now) if self.has_timestamps else (row_id, *values)
        self.rows.append(row)
        self.count += 1
        if len(self.rows) >= self.batch_size:
            self.flush()
        return row_id

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.copy_sql:
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, self.rows)
        self.rows.clear()


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into whole parts proportional to ``weights`` (largest remainder)."""
    if total < 0:
        raise ValueError("total must not be negative")
    weight_sum = float(sum(weights))
    if not weights or weight_sum <= 0:
        raise ValueError("weights must be positive")
    shares = [total * w / weight_sum for w in weights]
    parts = [int(s) for s in shares]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts
