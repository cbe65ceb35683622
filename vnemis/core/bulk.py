"""Fast bulk insertion for generated data sets.

The demo and benchmark loaders create hundreds of thousands of rows whose validity is fixed by
construction; they write them with ``executemany`` on explicit ids instead of one ORM save per
row, and rely on the database's constraints as the last check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
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
        self.has_timestamps = any(f.name == "created_at" for f in model._meta.concrete_fields)
        self.fields = [
            "id",
            *fields,
            *(("created_at", "updated_at") if self.has_timestamps else ()),
        ]
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
        rows_insert(self.model, self.fields, self.rows)
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


def _sequence(using: str, table: str) -> str:
    db = connections[using]
    cache: dict[str, str] = db.__dict__.setdefault("_vnemis_sequences", {})
    if table not in cache:
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            cache[table] = cursor.fetchone()[0]
    return cache[table]


def ids_allocate(
    model: type[models.Model], count: int, *, using: str = DEFAULT_DB_ALIAS
) -> list[int]:
    """``count`` fresh primary keys for rows the caller inserts itself.

    PostgreSQL hands them out from the table's identity sequence (on any connection: a
    sequence is not transactional), so concurrent ordinary inserts never collide with them.
    On SQLite the caller's transaction holds the only write lock once it has written; the next
    ids follow the largest one in the table.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    db = connections[using]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_sequence(using, table), count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX(id) FROM {db.ops.quote_name(table)}")
        first = (cursor.fetchone()[0] or 0) + 1
    return list(range(first, first + count))


_COPY_SPECIAL = ("\\", "\t", "\n", "\r")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_column(values: tuple[Any, ...]) -> list[str] | tuple[str, ...]:
    """One column's values as COPY text, converted column-wise (one C-level pass each)."""
    present = [v for v in values if v is not None]
    if not present:
        return ["\\N"] * len(values)
    kind = type(present[0])
    if kind is str:
        text: Any = values
        joined = "\x00".join(present)
        if any(c in joined for c in _COPY_SPECIAL):
            text = [v.translate(_COPY_ESCAPES) if v is not None else None for v in values]
    elif kind is bool:
        text = [None if v is None else ("t" if v else "f") for v in values]
    elif issubclass(kind, dt.date):  # dates and aware datetimes
        text = [None if v is None else v.isoformat() for v in values]
    else:
        text = [None if v is None else str(v) for v in values]
    if len(present) == len(values):
        return text  # type: ignore[no-any-return]
    return ["\\N" if v is None else v for v in text]


def copy_payload(rows: Sequence[Sequence[Any]]) -> bytes:
    """Rows in PostgreSQL's COPY text format (tab-separated, \\N for NULL, backslash
    escapes), built column by column: several times faster than formatting row by row."""
    columns = [_copy_column(column) for column in zip(*rows, strict=True)]
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode("utf-8")


class _CopyWorker:
    """Sends COPY payloads on the transaction's own connection from a second thread, so
    PostgreSQL stores one batch while Python checks the next (two cores, both busy).

    psycopg serialises statements on a connection, so a query from the main thread waits for
    a COPY under way; errors are raised in the main thread by ``drain``.
    """

    def __init__(self, *, reader: bool) -> None:
        self.reader = reader  # a second connection serves the lookups
        self.raw = connection.connection  # psycopg's connection, in the current transaction
        self.jobs: queue.Queue[tuple[str, bytes] | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="vnemis-copy", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.error is None:
                    sql, payload = job
                    with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
                        copy.write(payload)
            except BaseException as exc:  # handed to the main thread
                self.error = exc
            finally:
                self.jobs.task_done()

    def submit(self, sql: str, payload: bytes) -> None:
        self.raise_error()
        self.jobs.put((sql, payload))

    def drain(self) -> None:
        self.jobs.join()
        self.raise_error()

    def raise_error(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join()


_worker: threading.local = threading.local()

# The alias of the second, read-only connection open during a background-COPY block.
READ_ALIAS = "vnemis_bulk_read"


@contextlib.contextmanager
def copy_in_background() -> Iterator[None]:
    """Within the block, ``rows_insert(..., background=True)`` on PostgreSQL returns at once
    and the rows are stored by a second thread; all of them are stored (or the first error
    raised) when the block ends. Elsewhere, or on SQLite, inserts stay synchronous. Must run
    inside a transaction (its foreign keys are checked immediately within the block).

    When that transaction is the only one open (an import run by the worker or the command,
    not inside a test's transaction), a second connection is opened for lookups
    (``lookup_alias()``): what a lookup looks for was committed before the transaction began,
    so it need not wait for the COPY under way on the first connection.
    """
    if connection.vendor != "postgresql" or getattr(_worker, "current", None) is not None:
        yield
        return
    connection.ensure_connection()
    # Foreign keys are checked as rows arrive (by PostgreSQL, while Python checks the next
    # batch) instead of all at once at commit, when nothing else can run.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    reader = None
    if len(connection.atomic_blocks) == 1:
        default = connections[DEFAULT_DB_ALIAS]
        reader = type(default)(dict(default.settings_dict), READ_ALIAS)
        connections[READ_ALIAS] = reader
    worker = _worker.current = _CopyWorker(reader=reader is not None)
    try:
        yield
        worker.drain()
    finally:
        _worker.current = None
        worker.stop()
        if reader is not None:
            reader.close()
            del connections[READ_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def lookup_alias() -> str:
    """The connection alias for bulk lookups: the second connection when one is open."""
    worker: _CopyWorker | None = getattr(_worker, "current", None)
    return READ_ALIAS if worker is not None and worker.reader else DEFAULT_DB_ALIAS


def in_background() -> bool:
    return getattr(_worker, "current", None) is not None


def copy_drain() -> None:
    """Wait for the rows handed to the background thread; raise its error, if any."""
    worker: _CopyWorker | None = getattr(_worker, "current", None)
    if worker is not None:
        worker.drain()


def copy_check() -> None:
    """Before the next batch: raise the background thread's error, if any. Without a second
    connection, wait for the pending rows too (the batch's lookups would wait anyway)."""
    worker: _CopyWorker | None = getattr(_worker, "current", None)
    if worker is None:
        return
    if worker.reader:
        worker.raise_error()
    else:
        worker.drain()


def rows_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    background: bool = False,
) -> None:
    """INSERT ``rows`` (values for ``fields``, in order; "id" included) in one go: COPY on
    PostgreSQL, executemany elsewhere. The database's constraints are the last check.

    ``background``: within ``copy_in_background()``, hand the rows to the second thread (the
    caller must not read them back before ``copy_drain()``).
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    target = f"{quote(model._meta.db_table)} ({columns})"
    if connection.vendor == "postgresql":
        sql = f"COPY {target} FROM STDIN"
        worker: _CopyWorker | None = getattr(_worker, "current", None)
        if worker is not None and background:
            worker.submit(sql, copy_payload(rows))
            return
        if worker is not None:
            worker.drain()  # keep the order in which rows were handed in
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(copy_payload(rows))
        return
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {target} VALUES ({placeholders})", rows)


@contextlib.contextmanager
def index_lookups(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Make PostgreSQL answer the block's lookups from indexes.

    An import looks up thousands of keys per batch in tables it is filling in the same
    transaction; the planner, without statistics for the new rows, turns such IN lists into
    (parallel) scans of the whole table, so every batch costs more than the one before. With
    sequential scans priced out, each key is one index probe.
    """
    db = connections[using]
    if db.vendor != "postgresql":
        yield
        return
    scope = "LOCAL " if db.in_atomic_block else ""  # the reader runs in autocommit
    with db.cursor() as cursor:
        cursor.execute(f"SET {scope}enable_seqscan = off")
    try:
        yield
    finally:
        with db.cursor() as cursor:
            cursor.execute(f"SET {scope}enable_seqscan = on")
