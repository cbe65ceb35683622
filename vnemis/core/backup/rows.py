"""Canonical rows: the text a table's checksum hashes.

A table's checksum is the SHA-256 of its rows in primary-key order, columns by name, each
value in a canonical form (``canonical_rows``): the same for the same data whether it comes
back as SQLite stores it or as PostgreSQL types it. The manifest keeps the columns and kinds
used, and a restore recomputes with those, whatever the installed code's models say.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models

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


def row_plan(kinds: Iterable[str]) -> list[tuple[int, Callable[[Any], Any]]]:
    return [(i, c) for i, kind in enumerate(kinds) if (c := _converter(kind)) is not None]


def group_line(plan: list[tuple[int, Callable[[Any], Any]]], group: list[Any]) -> str:
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
    return group_line(row_plan(kinds), rows)
