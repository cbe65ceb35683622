"""Backup archives of an installation: the database, the uploaded files and a manifest.

An archive is one uncompressed tar file (``tar tvf`` lists it) holding, in this order:

- ``database/vnemis.sqlite3.gz``: a copy made with SQLite's online backup API, consistent
  while the site runs, gzip-compressed; or ``database/vnemis.pgdump``: ``pg_dump
  --format=custom`` (already compressed).
- ``media/…``: every file under ``MEDIA_ROOT`` (imported files, error reports, evidence).
- ``manifest.json``: format, vnemis version, time, engine, installation code, the latest
  applied migration per app, each table's column layout, row count and checksum, and the
  size and SHA-256 of every member above; plus ``archive``: the SHA-256 of every byte of the
  tar stream before the manifest (headers and padding included).
- ``manifest.sha256``: the SHA-256 of ``manifest.json``.

So every byte of the archive is covered: the data and headers before the manifest by the
prefix digest, the manifest by its own digest, the two last headers by the tar header checksum
and the padding after them by a check that it is all zeros. A damaged or truncated archive is
refused before anything changes. The digests detect damage, not a forger who rewrites the
manifest as well: archives are kept where only operators can write.

A table's checksum is the SHA-256 of its rows in primary-key order, columns by name, each
value in a canonical form (``canonical_rows``): the same for the same data whether it comes
back as SQLite stores it or as PostgreSQL types it. The manifest keeps the columns and kinds
used, and a restore recomputes with those, whatever the installed code's models say.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import decimal
import glob
import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from vnemis.core.audit import audit_event
from vnemis.core.choices import AuditVerb
from vnemis.core.installation import installation_code

FORMAT = "vnemis-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
SQLITE_MEMBER = "database/vnemis.sqlite3.gz"
POSTGRES_MEMBER = "database/vnemis.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20
# A table's checksum hashes its rows in groups of this many (one JSON array per group): part
# of the archive format, since another size gives other digests.
ROWS_PER_GROUP = 5_000
# Level 1: a province's 370 MB database shrinks to 86 MB in 4 s; level 6 saves another 10 MB
# for 6 s more of a nightly job.
GZIP_LEVEL = 1
# A restore asks for --force when any of these holds a row: a database that only went through
# `vnemis migrate` (reference data, permissions) is empty; one that anyone used is not.
DATA_MODELS = (
    "accounts.User",
    "people.Person",
    "organisations.OrgUnit",
    "core.AuditEntry",
    "imports.ImportFile",
)

Progress = Callable[[str], None]


class BackupError(Exception):
    """The backup or restore cannot go on; the message tells the operator why and what to do."""


def _quiet(message: str) -> None:
    """The default progress callback: say nothing."""


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


# --- Canonical rows --------------------------------------------------------------------------

_INT_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)
_TEXT_TYPES = frozenset(
    {
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "URLField",
        "FileField",
        "ImageField",
        "FilePathField",
        "GenericIPAddressField",
        "IPAddressField",
    }
)
_SIMPLE_KINDS = {
    "BooleanField": "bool",
    "NullBooleanField": "bool",
    "FloatField": "float",
    "DateField": "date",
    "DateTimeField": "datetime",
    "TimeField": "time",
    "DurationField": "duration",
    "JSONField": "json",
    "UUIDField": "uuid",
    "BinaryField": "bytes",
}


def field_kind(field: models.Field[Any, Any]) -> str:
    """How a column's values are written canonically, from the model field that owns it."""
    if isinstance(field, models.ForeignKey):  # and OneToOneField: the kind of its target
        return field_kind(field.target_field)
    internal = field.get_internal_type()
    if internal in _INT_TYPES:
        return "int"
    if internal in _TEXT_TYPES:
        return "text"
    if internal == "DecimalField":
        assert isinstance(field, models.DecimalField)
        return f"decimal:{field.decimal_places}"
    return _SIMPLE_KINDS.get(internal, "raw")


def _raw(value: Any) -> Any:
    """A value of a column no model describes (or of an unexpected type): JSON-ready."""
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _datetime(value: Any) -> str:
    if type(value) is str:
        # SQLite holds "2021-09-05 01:02:03[.123456]" in UTC (USE_TZ): the common shapes are
        # rewritten without parsing, which halves the time of a province's checksums.
        if len(value) == 26 and value[10] == " ":
            return value[:10] + "T" + value[11:]
        if len(value) == 19 and value[10] == " ":
            return value[:10] + "T" + value[11:] + ".000000"
        value = dt.datetime.fromisoformat(value)
    # PostgreSQL returns an aware datetime in the session's zone.
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value.isoformat(timespec="microseconds"))


def _date(value: Any) -> str:
    if type(value) is str and len(value) == 10:
        return value  # SQLite's "2021-09-05", as PostgreSQL's date writes itself
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return day.isoformat()


def _time(value: Any) -> str:
    moment = value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
    return moment.isoformat(timespec="microseconds")


def _decimal(value: Any, exponent: decimal.Decimal) -> str:
    if isinstance(value, float):
        # What Django's SQLite backend does with a NUMERIC column that stored a REAL.
        number = decimal.Context(prec=15).create_decimal_from_float(value)
    else:
        number = decimal.Decimal(str(value))
    number = number.quantize(exponent)
    return format(abs(number) if number.is_zero() else number, "f")


def _json(value: Any) -> str:
    data = json.loads(value) if isinstance(value, str | bytes) else value
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _duration(value: Any) -> int:
    if isinstance(value, dt.timedelta):
        return value // dt.timedelta(microseconds=1)
    return int(value)  # SQLite: microseconds


# Integers and texts go into the row as the driver returns them (both engines give Python
# ints and strs); the other kinds are rewritten. None stays None (JSON null) for every kind.
_PASSED = frozenset({"int", "text"})
_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "bool": lambda v: v in (True, 1, "1", b"1"),
    "datetime": _datetime,
    "date": _date,
    "time": _time,
    "float": float,
    "json": _json,
    "uuid": lambda v: uuid.UUID(str(v)).hex,
    "duration": _duration,
    "bytes": lambda v: bytes(v).hex(),
    "raw": _raw,
}
# Anything JSON cannot write (bytes in a SQLite text column, a Decimal in a raw column) is
# written by _raw.
_ROW_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, default=_raw
)


def _converter(kind: str) -> Callable[[Any], Any] | None:
    if kind in _PASSED:
        return None
    if kind.startswith("decimal:"):
        exponent = decimal.Decimal(1).scaleb(-int(kind.split(":", 1)[1]))

        def convert_decimal(value: Any) -> str:
            return _decimal(value, exponent)

        return convert_decimal
    return _CONVERTERS.get(kind) or _raw


def _plan(kinds: Iterable[str]) -> list[tuple[int, Callable[[Any], Any]]]:
    return [(i, c) for i, kind in enumerate(kinds) if (c := _converter(kind)) is not None]


def _group_line(plan: list[tuple[int, Callable[[Any], Any]]], group: list[Any]) -> str:
    # Column by column: the conversions loop over lists, and zip() rebuilds the rows in C.
    columns: list[Any] = list(zip(*group, strict=True))
    for i, convert in plan:
        columns[i] = [None if v is None else convert(v) for v in columns[i]]
    return _ROW_ENCODER.encode(list(zip(*columns, strict=True))) + "\n"


def canonical_rows(kinds: Iterable[str], rows: list[Any]) -> str:
    """The text a table checksum hashes for a group of rows: a JSON array of the rows, each an
    array of its values, given the columns' kinds (see ``field_kind``); then a newline.

    SQLite's raw values (0/1, ISO text, REAL decimals, JSON text) and PostgreSQL's typed ones
    give the same text for the same data.
    """
    return _group_line(_plan(kinds), rows)


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


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _models_by_table() -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            found.setdefault(model._meta.db_table, model)
    found.setdefault(MigrationRecorder.Migration._meta.db_table, MigrationRecorder.Migration)
    return found


class _Inspector:
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
            return [str(r[1]) for r in self._rows(f"PRAGMA table_info({_quote(table)})")]
        rows = self._rows(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (_quote(table),),
        )
        return [str(r[0]) for r in rows]

    def primary_key(self, table: str) -> list[str]:
        if self.vendor == "sqlite":
            rows = self._rows(f"PRAGMA table_info({_quote(table)})")
            return [str(r[1]) for r in sorted((r for r in rows if r[5]), key=lambda r: r[5])]
        rows = self._rows(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (_quote(table),),
        )
        return [str(r[0]) for r in rows]

    def count(self, table: str) -> int:
        return int(self._rows(f"SELECT COUNT(*) FROM {_quote(table)}")[0][0])

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
        rows = self._rows(f"SELECT code FROM {_quote(table)} ORDER BY id LIMIT 1")
        return str(rows[0][0]) if rows else ""


def table_specs(*, raw: Any, vendor: str) -> list[TableSpec]:
    """Every table of the database (a model's or not), with the kinds its models give."""
    inspector = _Inspector(raw, vendor)
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
        order.append(_quote(column) + (' COLLATE "C"' if text_key else ""))
    sql = "SELECT {} FROM {} ORDER BY {}".format(
        ", ".join(_quote(c) for c, _ in spec.columns), _quote(spec.table), ", ".join(order)
    )
    cursor = (
        raw.cursor(name=f"vnemis_backup_{uuid.uuid4().hex[:12]}")
        if vendor == "postgresql"
        else raw.cursor()
    )
    digest = hashlib.sha256()
    rows = 0
    plan = _plan(kind for _, kind in spec.columns)
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
            digest.update(_group_line(plan, group).encode("utf-8", "surrogatepass"))
            rows += len(group)
    finally:
        cursor.close()
    return rows, digest.hexdigest()


def table_states(
    *,
    raw: Any,
    vendor: str,
    specs: Iterable[TableSpec],
    progress: Progress = _quiet,
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


def _states_for_manifest(
    *, raw: Any, vendor: str, manifest: dict[str, Any], progress: Progress
) -> dict[str, dict[str, Any]]:
    """Recompute the manifest's tables, each with the columns and kinds the backup used."""
    inspector = _Inspector(raw, vendor)
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


# --- Writing an archive ----------------------------------------------------------------------


class _HashingWriter:
    """A write-only file that hashes and counts what goes through it (the tar stream)."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.count = 0

    def write(self, data: bytes) -> int:
        self.target.write(data)
        self.digest.update(data)
        self.count += len(data)
        return len(data)

    def tell(self) -> int:
        return self.count

    def flush(self) -> None:
        self.target.flush()


class _HashingReader:
    """Reads a file for ``tarfile.addfile`` and hashes exactly what was read."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data


@dataclasses.dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    tables: int
    rows: int
    media_files: int
    media_bytes: int
    seconds: float


def _vnemis_version() -> str:
    try:
        return importlib.metadata.version("vnemis")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _vendor() -> str:
    vendor = str(connection.vendor)
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL; the configured database is {vendor}."
        )
    return vendor


def _engine_name(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)


def _add_file(
    tar: tarfile.TarFile, name: str, source: IO[bytes], *, size: int, mtime: float
) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    reader = _HashingReader(source)
    tar.addfile(info, cast("IO[bytes]", reader))
    return {"size": size, "sha256": reader.digest.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, *, mtime: float) -> None:
    _add_file(tar, name, io.BytesIO(data), size=len(data), mtime=mtime)


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every regular file under ``root``, in a stable order."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue  # Django's storage writes regular files only; a link points elsewhere
            yield MEDIA_PREFIX + path.relative_to(root).as_posix(), path


def _sqlite_name() -> str:
    return str(connection.settings_dict["NAME"])


def _in_memory() -> bool:
    """Whether the configured SQLite database lives in memory (the test suite's)."""
    return bool(getattr(connection, "is_in_memory_db", lambda: False)())


def _sqlite_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro", uri=True)


@contextlib.contextmanager
def _sqlite_source() -> Iterator[sqlite3.Connection]:
    """A connection to the configured SQLite database; Django's own for an in-memory one."""
    if _in_memory():
        connection.ensure_connection()
        yield connection.connection
        return
    source = sqlite3.connect(_sqlite_name(), timeout=60)
    try:
        yield source
    finally:
        source.close()


def _sqlite_snapshot(work: Path, progress: Progress) -> tuple[Path, dict[str, Any]]:
    """Copy the live database with the online backup API; read the copy's tables."""
    copy = work / "vnemis.sqlite3"
    name = _sqlite_name()
    size = 0 if _in_memory() else Path(name).stat().st_size
    progress(f"Copying the SQLite database {name} ({_megabytes(size)}) with the online backup API…")
    start = time.monotonic()
    with _sqlite_source() as source:
        target = sqlite3.connect(copy)
        try:
            # One step (pages=-1): one read transaction, so the copy is one consistent state
            # while WAL lets the site keep writing. A copy in several steps restarts whenever
            # another connection writes in between, and might never end on a busy site.
            source.backup(target)
            # The copy leaves the live database's WAL mode behind: one self-contained file.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    progress(f"Database copied in {time.monotonic() - start:.1f} s.")
    reader = _sqlite_readonly(copy)
    try:
        facts = _snapshot_facts(raw=reader, vendor="sqlite", progress=progress)
    finally:
        reader.close()
    facts["database"] = {
        "member": SQLITE_MEMBER,
        "format": "sqlite3+gzip",
        "sqlite_version": sqlite3.sqlite_version,
    }
    packed = work / "vnemis.sqlite3.gz"
    progress("Compressing the database copy…")
    start = time.monotonic()
    # mtime=0 and no file name: the same database gives the same bytes.
    with (
        copy.open("rb") as fh,
        packed.open("wb") as out,
        gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=GZIP_LEVEL, mtime=0) as gz,
    ):
        shutil.copyfileobj(fh, gz, CHUNK)
    copy.unlink()
    progress(
        f"Compressed to {_megabytes(packed.stat().st_size)} in {time.monotonic() - start:.1f} s."
    )
    return packed, facts


def _snapshot_facts(*, raw: Any, vendor: str, progress: Progress) -> dict[str, Any]:
    inspector = _Inspector(raw, vendor)
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


_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


def _tool_major(path: str) -> int | None:
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    match = _VERSION.search(done.stdout)
    return int(match.group(1)) if match else None


def postgres_tool(name: str, *, server_major: int) -> Path:
    """``pg_dump`` or ``pg_restore`` of the server's major version, else the newest newer one.

    pg_dump refuses a server newer than itself; Debian installs one folder per version under
    /usr/lib/postgresql, and /usr/bin/pg_dump is a wrapper that may pick another one.
    """
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    candidates += sorted(glob.glob(f"/usr/pgsql-*/bin/{name}"))  # PGDG packages on RHEL
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    found: dict[str, int] = {}
    for candidate in candidates:
        major = _tool_major(candidate)
        if major is not None:
            found.setdefault(candidate, major)
    usable = {path: major for path, major in found.items() if major >= server_major}
    if not usable:
        seen = ", ".join(f"{p} ({m})" for p, m in found.items()) or "none"
        raise BackupError(
            f"{name} {server_major} or newer is needed for this PostgreSQL {server_major} "
            f"server; found: {seen}. Install the PostgreSQL {server_major} client "
            f"(Debian: apt-get install postgresql-client-{server_major})."
        )
    exact = [p for p, m in usable.items() if m == server_major]
    return Path(exact[0] if exact else max(usable, key=lambda p: usable[p]))


# libpq reads these from the environment; Django's OPTIONS names them as connection keywords.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def postgres_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump / pg_restore: the process's, plus Django's connection
    parameters as libpq variables. The password goes in PGPASSWORD, never on a command line
    (which any user of the machine can read in the process list)."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
    for option, variable in _LIBPQ_OPTIONS.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    env["PGAPPNAME"] = "vnemis-backup"
    return env


def _run_logged(cmd: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=err, stderr=err)


def _tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").strip()
    return "\n".join(text.splitlines()[-lines:])


def _postgres_snapshot(work: Path, progress: Progress) -> tuple[Path, dict[str, Any]]:
    """pg_dump and the checksums read one exported snapshot: the same state, site running."""
    dump = work / "vnemis.pgdump"
    log = work / "pg_dump.log"
    server_major = int(connection.pg_version) // 10000  # type: ignore[attr-defined]
    pg_dump = postgres_tool("pg_dump", server_major=server_major)
    name = connection.settings_dict["NAME"]
    connections.close_all()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
        progress(f"Dumping PostgreSQL database {name} (server {server_version}) with {pg_dump}…")
        start = time.monotonic()
        dumper = _run_logged(
            [
                str(pg_dump),
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={dump}",
            ],
            env=postgres_env(connection.settings_dict),
            log=log,
        )
        # The exported snapshot lives as long as this transaction: the checksums run while
        # pg_dump works, and the transaction ends only after pg_dump has finished.
        try:
            facts = _snapshot_facts(
                raw=connection.connection, vendor="postgresql", progress=progress
            )
        except BaseException:
            dumper.terminate()
            dumper.wait()
            raise
        code = dumper.wait()
    if code != 0:
        raise BackupError(f"pg_dump failed (exit {code}):\n{_tail(log)}")
    progress(
        f"Database dumped ({_megabytes(dump.stat().st_size)}); dump and checksums took "
        f"{time.monotonic() - start:.1f} s."
    )
    facts["database"] = {
        "member": POSTGRES_MEMBER,
        "format": "pg_dump-custom",
        "server_version": str(server_version),
        "pg_dump": f"{pg_dump} ({_tool_major(str(pg_dump))})",
    }
    return dump, facts


def _output_path(output: Path, *, code: str, now: dt.datetime, overwrite: bool) -> Path:
    if output.is_dir():
        stamp = now.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
        output = output / f"vnemis-{code}-{stamp}.tar"
    media = Path(settings.MEDIA_ROOT).resolve()
    if output.parent.resolve().is_relative_to(media):
        # The archive would take in itself while it is being written.
        raise BackupError(f"Write the archive outside the uploaded files' folder {media}.")
    if output.exists() and not overwrite:
        raise BackupError(f"{output} already exists; choose another name or pass --overwrite.")
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    return output


def backup_create(
    *, output: Path, overwrite: bool = False, progress: Progress = _quiet
) -> BackupResult:
    """Write an archive of the database and the uploaded files to ``output`` (a file, or a
    folder to hold ``vnemis-<installation>-<UTC time>.tar``), and audit it."""
    started = time.monotonic()
    vendor = _vendor()
    now = timezone.now()
    try:
        # Made now if it was never asked for, so that the snapshot carries it.
        code = installation_code()
    except DatabaseError as exc:
        raise BackupError(
            f"The database is not ready ({exc}); run `vnemis migrate` first."
        ) from exc
    output = _output_path(output.expanduser(), code=code, now=now, overwrite=overwrite)
    partial = output.with_name(output.name + ".partial")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".vnemis-backup-") as tmp:
        work = Path(tmp)
        # The database first, the files after: every file the snapshot refers to was saved
        # before its row and is never deleted, so it is in the archive. A file uploaded
        # meanwhile comes along unreferenced, which is harmless.
        if vendor == "sqlite":
            dump, facts = _sqlite_snapshot(work, progress)
        else:
            dump, facts = _postgres_snapshot(work, progress)
        # The archive holds personal data: readable by its owner only, from the first byte.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                writer = _HashingWriter(raw)
                files: dict[str, dict[str, Any]] = {}
                with tarfile.open(
                    fileobj=cast("IO[bytes]", writer),
                    mode="w",
                    format=tarfile.PAX_FORMAT,
                    encoding="utf-8",
                ) as tar:
                    with dump.open("rb") as fh:
                        files[facts["database"]["member"]] = _add_file(
                            tar,
                            facts["database"]["member"],
                            fh,
                            size=dump.stat().st_size,
                            mtime=now.timestamp(),
                        )
                    dump.unlink()
                    media_bytes = 0
                    media = list(_media_files(media_root))
                    progress(f"Adding {len(media):,} uploaded files from {media_root}…")
                    for name, path in media:
                        with path.open("rb") as fh:
                            stat = os.fstat(fh.fileno())
                            files[name] = _add_file(
                                tar, name, fh, size=stat.st_size, mtime=stat.st_mtime
                            )
                        media_bytes += stat.st_size
                    prefix_bytes = writer.count
                    prefix_sha256 = writer.digest.copy().hexdigest()
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "vnemis_version": _vnemis_version(),
                        "created_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
                        "engine": vendor,
                        "host": socket.gethostname(),
                        "installation_code": facts["installation_code"],
                        "database": facts["database"],
                        "migrations": facts["migrations"],
                        "tables": facts["tables"],
                        "media_files": len(media),
                        "media_bytes": media_bytes,
                        "files": files,
                        "archive": {"prefix_bytes": prefix_bytes, "prefix_sha256": prefix_sha256},
                    }
                    body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                    _add_bytes(tar, MANIFEST, body, mtime=now.timestamp())
                    line = f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n".encode()
                    _add_bytes(tar, MANIFEST_DIGEST, line, mtime=now.timestamp())
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    _fsync_folder(output.parent)
    size = output.stat().st_size
    tables = manifest["tables"]
    result = BackupResult(
        path=output,
        size=size,
        sha256=writer.digest.hexdigest(),
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        media_files=len(media),
        media_bytes=media_bytes,
        seconds=time.monotonic() - started,
    )
    audit_event(
        actor=None,
        verb=AuditVerb.EXPORTED,
        target_type="core.backup",
        target_repr=str(output),
        after={
            "file": str(output),
            "bytes": size,
            "sha256": result.sha256,
            "engine": vendor,
            "tables": result.tables,
            "rows": result.rows,
            "media_files": result.media_files,
            "os_user": _os_user(),
        },
        note="vnemis backup",
    )
    return result


def _os_user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return str(os.geteuid())


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- Reading and checking an archive ---------------------------------------------------------


def _member_name_check(name: str) -> None:
    """Refuse names that would land outside the restore folders (absolute, ``..``)."""
    if name in {MANIFEST, MANIFEST_DIGEST, SQLITE_MEMBER, POSTGRES_MEMBER}:
        return
    path = PurePosixPath(name)
    if (
        not name.startswith(MEDIA_PREFIX)
        or path.is_absolute()
        or any(part in {"", ".", ".."} for part in name.split("/"))
        or "\\" in name
        or "\x00" in name
    ):
        raise BackupError(
            f"The archive holds an unexpected entry {name!r}. Nothing was restored; use another "
            "copy of the backup."
        )


def _copy_range(fh: IO[bytes], start: int, length: int, digests: list[Any]) -> None:
    fh.seek(start)
    left = length
    while left > 0:
        data = fh.read(min(CHUNK, left))
        if not data:
            raise BackupError("The archive is shorter than its entries say: it is incomplete.")
        for digest in digests:
            digest.update(data)
        left -= len(data)


def _all_zero(fh: IO[bytes], start: int, end: int) -> bool:
    fh.seek(start)
    left = end - start
    while left > 0:
        data = fh.read(min(CHUNK, left))
        if not data or data.count(0) != len(data):
            return False
        left -= len(data)
    return True


def archive_verify(*, path: Path, progress: Progress = _quiet) -> dict[str, Any]:
    """Check every byte of the archive against its manifest; return the manifest.

    Raises ``BackupError`` naming what is wrong: not a backup, incomplete, a damaged entry.
    Reads the whole file once; writes nothing.
    """
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    size = path.stat().st_size
    progress(f"Checking the archive {path} ({_megabytes(size)})…")
    damaged = (
        f"{path} is damaged or incomplete: it does not match its own checksums. Nothing was "
        "restored; use another copy of the backup."
    )
    try:
        with tarfile.open(path, mode="r:", encoding="utf-8") as tar:
            members = tar.getmembers()
            by_name = {m.name: m for m in members}
            if MANIFEST not in by_name or MANIFEST_DIGEST not in by_name:
                raise BackupError(
                    f"{path} is incomplete or is not a vnemis backup: it has no manifest. "
                    "Nothing was restored; use another copy of the backup."
                )
            if members[-2:] != [by_name[MANIFEST], by_name[MANIFEST_DIGEST]] or len(by_name) != len(
                members
            ):
                raise BackupError(damaged)
            for member in members:
                if not member.isreg():
                    raise BackupError(
                        f"The archive holds an unexpected entry {member.name!r}. Nothing was "
                        "restored; use another copy of the backup."
                    )
                _member_name_check(member.name)
            body = _member_bytes(tar, by_name[MANIFEST], limit=256 * 2**20)
            line = _member_bytes(tar, by_name[MANIFEST_DIGEST], limit=1024).decode(
                "ascii", "replace"
            )
    except (tarfile.TarError, EOFError, OSError, UnicodeError) as exc:
        raise BackupError(
            f"{path} is not a readable archive ({exc}). Nothing was restored; use another copy "
            "of the backup."
        ) from exc
    if line != f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n":
        raise BackupError(damaged)
    try:
        manifest: dict[str, Any] = json.loads(body)
    except ValueError as exc:
        raise BackupError(damaged) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a vnemis backup.")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(
            f"{path} was written by a newer vnemis ({manifest.get('vnemis_version')}), in an "
            "archive format this version cannot read. Install that version to restore it."
        )
    files: dict[str, dict[str, Any]] = manifest["files"]
    content = members[:-2]
    if {m.name for m in content} != set(files) or manifest["database"]["member"] not in files:
        raise BackupError(damaged)
    prefix = hashlib.sha256()
    bad: list[str] = []
    with path.open("rb") as fh:
        position = 0
        for member in content:
            # Headers and padding since the previous entry, then the entry's data.
            _copy_range(fh, position, member.offset_data - position, [prefix])
            digest = hashlib.sha256()
            _copy_range(fh, member.offset_data, member.size, [prefix, digest])
            position = member.offset_data + member.size
            want = files[member.name]
            if member.size != want["size"] or digest.hexdigest() != want["sha256"]:
                bad.append(member.name)
        manifest_member, digest_member = by_name[MANIFEST], by_name[MANIFEST_DIGEST]
        _copy_range(fh, position, manifest_member.offset - position, [prefix])
        archive = manifest["archive"]
        intact = (
            manifest_member.offset == archive["prefix_bytes"]
            and prefix.hexdigest() == archive["prefix_sha256"]
            and _all_zero(
                fh, manifest_member.offset_data + manifest_member.size, digest_member.offset
            )
            and _all_zero(fh, digest_member.offset_data + digest_member.size, size)
        )
    if bad:
        raise BackupError(
            "{} Damaged: {}.".format(damaged, ", ".join(bad[:10]) + (" …" if len(bad) > 10 else ""))
        )
    if not intact:
        raise BackupError(damaged)
    progress(
        "Archive intact: backup of {created} by vnemis {version}, installation {code}, {engine}, "
        "{tables} tables, {rows:,} rows, {files:,} uploaded files.".format(
            created=manifest["created_at"],
            version=manifest["vnemis_version"],
            code=manifest["installation_code"] or "-",
            engine=_engine_name(manifest["engine"]),
            tables=len(manifest["tables"]),
            rows=sum(t["rows"] for t in manifest["tables"].values()),
            files=manifest["media_files"],
        )
    )
    return manifest


def _member_bytes(tar: tarfile.TarFile, member: tarfile.TarInfo, *, limit: int) -> bytes:
    if member.size > limit:
        raise BackupError(f"The archive's {member.name} is implausibly large.")
    stream = tar.extractfile(member)
    assert stream is not None
    return stream.read()


# --- Restoring -------------------------------------------------------------------------------


@dataclasses.dataclass
class RestoreResult:
    manifest: dict[str, Any]
    differences: list[str]
    media_aside: Path | None
    pending_migrations: list[str]
    seconds: float


def migrations_unknown(archive: dict[str, str], *, known: set[tuple[str, str]]) -> list[str]:
    """The archive's latest migrations that this code does not have (it is newer than us),
    for the apps this code installs."""
    installed = {app for app, _ in known}
    return sorted(
        f"{app}.{name}"
        for app, name in archive.items()
        if app in installed and (app, name) not in known
    )


def _migration_facts(archive: dict[str, str]) -> tuple[list[str], list[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.graph.nodes)
    unknown = migrations_unknown(archive, known=known)
    pending = sorted(
        f"{app}.{name}" for app, name in loader.graph.leaf_nodes() if archive.get(app) != name
    )
    return unknown, pending


def database_holdings() -> dict[str, int]:
    """Row counts of the tables that only a used installation fills (users, people, units,
    audit log, imported files): empty for a new database."""
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        found = {}
        for label in DATA_MODELS:
            model = apps.get_model(label)
            if model._meta.db_table in present:
                found[label] = model._default_manager.count()
    return {label: n for label, n in found.items() if n}


def _target_installation() -> str:
    model = apps.get_model("core", "Installation")
    with connection.cursor() as cursor:
        if model._meta.db_table not in connection.introspection.table_names(cursor):
            return ""
    row = model._default_manager.order_by("pk").first()
    return str(getattr(row, "code", "") or "")


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, *, sha256: str) -> None:
    """Write an entry to ``target``, checking its digest again (the file could have changed
    since it was verified)."""
    stream = tar.extractfile(member)
    assert stream is not None
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as out:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != sha256:
        raise BackupError(
            f"{member.name} changed while the archive was being read; nothing was restored."
        )


def _sqlite_apply(staged: Path, progress: Progress) -> None:
    """Write the staged copy into the live database with the backup API.

    Not by replacing the file: a process that has the database open (a worker) would go on
    writing to the old file, and a leftover ``-wal`` file would be replayed into the new one.
    The backup API takes the database's write lock and replaces its pages in one transaction
    that every other connection sees, as ``sqlite3 .restore`` does.
    """
    connections.close_all()
    name = _sqlite_name()
    progress(f"Restoring the SQLite database {name}…")
    source = _sqlite_readonly(staged)
    try:
        if _in_memory():
            connection.ensure_connection()
            source.backup(connection.connection)
            return
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(name, timeout=60)
        try:
            source.backup(target)
        except sqlite3.Error as exc:
            raise BackupError(
                f"SQLite could not write {name} ({exc}). Stop the site and its worker, move "
                "the database file away, and run the restore again."
            ) from exc
        finally:
            target.close()
    finally:
        source.close()


def _postgres_apply(dump: Path, work: Path, progress: Progress) -> None:
    server_major = int(connection.pg_version) // 10000  # type: ignore[attr-defined]
    pg_restore = postgres_tool("pg_restore", server_major=server_major)
    name = str(connection.settings_dict["NAME"])
    connections.close_all()
    progress(f"Restoring PostgreSQL database {name} with {pg_restore}…")
    log = work / "pg_restore.log"
    # One transaction: a failure leaves the database as it was. --no-owner: the tables
    # belong to the configured user, whoever owned them where the dump was made.
    process = _run_logged(
        [
            str(pg_restore),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={name}",
            str(dump),
        ],
        env=postgres_env(connection.settings_dict),
        log=log,
    )
    code = process.wait()
    if code != 0:
        raise BackupError(
            f"pg_restore failed (exit {code}); the database was left as it was:\n{_tail(log)}"
        )


def _media_swap(staged: Path, media: Path, stamp: str) -> Path | None:
    """Put the restored files in place; the previous ones are kept aside, never deleted."""
    if not media.exists():
        media.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, media)
        return None
    entries = list(media.iterdir())
    if os.path.ismount(media):
        # A mounted folder cannot be renamed: swap its contents instead.
        aside = media / f".before-restore-{stamp}"
        aside.mkdir()
        for entry in entries:
            os.rename(entry, aside / entry.name)
        for entry in staged.iterdir():
            shutil.move(str(entry), str(media / entry.name))
        return aside
    if not entries:
        media.rmdir()
        os.replace(staged, media)
        return None
    aside = media.with_name(f"{media.name}.before-restore-{stamp}")
    os.rename(media, aside)
    os.replace(staged, media)
    return aside


def _live_states(manifest: dict[str, Any], vendor: str, progress: Progress) -> dict[str, Any]:
    connections.close_all()
    if vendor == "sqlite":
        with _sqlite_source() as raw:
            return _states_for_manifest(
                raw=raw, vendor=vendor, manifest=manifest, progress=progress
            )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _states_for_manifest(
            raw=connection.connection, vendor=vendor, manifest=manifest, progress=progress
        )


def backup_restore(
    *,
    path: Path,
    force: bool = False,
    confirm: Callable[[str], bool] | None = None,
    progress: Progress = _quiet,
) -> RestoreResult:
    """Restore the database and the uploaded files from an archive, then verify them.

    Nothing changes unless the archive is intact, its engine is the configured one, this code
    knows all its migrations, and — when the database holds data — ``force`` is set or
    ``confirm(question)`` says yes. The result lists the tables that differ from the manifest
    after the restore (empty: verified).
    """
    started = time.monotonic()
    manifest = archive_verify(path=path, progress=progress)
    vendor = _vendor()
    if manifest["engine"] != vendor:
        raise BackupError(
            f"This archive holds a {_engine_name(manifest['engine'])} database and the "
            f"configured database is {_engine_name(vendor)}: a restore needs the same engine. "
            "Point VNEMIS_DATABASE_URL at a database of the archive's engine. Nothing was "
            "restored."
        )
    unknown, pending = _migration_facts(manifest["migrations"])
    if unknown:
        raise BackupError(
            "This archive was made by a newer vnemis ({}): its database has migrations this "
            "version does not know ({}). Install that version, then restore. Nothing was "
            "restored.".format(manifest["vnemis_version"], ", ".join(unknown))
        )
    holdings = database_holdings()
    if holdings:
        current = _target_installation()
        question = (
            "The configured database {name} is not empty ({held}; installation {current}). "
            "Restoring replaces all of it with the backup of {created} (installation {code})."
        ).format(
            name=connection.settings_dict["NAME"],
            held=", ".join(f"{label}: {n:,}" for label, n in holdings.items()),
            current=current or "-",
            created=manifest["created_at"],
            code=manifest["installation_code"] or "-",
        )
        if not force and (confirm is None or not confirm(question)):
            raise BackupError(
                question + " Pass --force to do so (after a backup of it). Nothing was restored."
            )
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(dir=media.parent, prefix=".vnemis-restore-") as tmp:
        work = Path(tmp)
        staged_media = work / "media"
        staged_media.mkdir()
        database = manifest["database"]
        files = manifest["files"]
        dump = work / PurePosixPath(database["member"]).name
        progress(f"Unpacking the database and {manifest['media_files']:,} uploaded files…")
        with tarfile.open(path, mode="r:", encoding="utf-8") as tar:
            for member in tar:
                if member.name in (MANIFEST, MANIFEST_DIGEST):
                    continue
                _member_name_check(member.name)
                if member.name == database["member"]:
                    target = dump
                else:
                    target = staged_media / member.name.removeprefix(MEDIA_PREFIX)
                _extract(tar, member, target, sha256=files[member.name]["sha256"])
        if vendor == "sqlite":
            staged_db = work / "vnemis.sqlite3"
            with gzip.open(dump, "rb") as gz, staged_db.open("xb") as out:
                shutil.copyfileobj(gz, out, CHUNK)
            dump.unlink()
            # The file is the one the manifest's checksums were computed on (its digest
            # matched); SQLite's own check catches what a buggy copy would break, while the
            # live database is still untouched.
            progress("Checking the unpacked database…")
            check = _sqlite_readonly(staged_db)
            try:
                verdict = str(check.execute("PRAGMA quick_check").fetchone()[0])
            finally:
                check.close()
            if verdict != "ok":
                raise BackupError(
                    f"The database in the archive is damaged ({verdict}). Nothing was "
                    "restored; use another copy of the backup."
                )
            _sqlite_apply(staged_db, progress)
        else:
            _postgres_apply(dump, work, progress)
        progress(f"Putting {manifest['media_files']:,} uploaded files in {media}…")
        aside = _media_swap(staged_media, media, stamp)
    progress("Verifying the restored database against the manifest…")
    found = _live_states(manifest, vendor, progress)
    differences = states_compare(expected=manifest["tables"], found=found)
    connections.close_all()
    audit_event(
        actor=None,
        verb=AuditVerb.UPDATED,
        target_type="core.backup",
        target_repr=str(path),
        after={
            "restored_from": str(path),
            "backup_created_at": manifest["created_at"],
            "installation_code": manifest["installation_code"],
            "tables": len(manifest["tables"]),
            "differences": differences,
            "media_aside": str(aside) if aside else "",
            "os_user": _os_user(),
        },
        note="vnemis restore" + (": verification failed" if differences else ", verified"),
    )
    return RestoreResult(
        manifest=manifest,
        differences=differences,
        media_aside=aside,
        pending_migrations=pending,
        seconds=time.monotonic() - started,
    )
