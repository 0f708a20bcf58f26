"""Records as plain JSON, their keys and their digests.

A record is ``{"row": {...}, "children": {table: [rows sorted by key]}}`` with every value in
JSON form: ids and times as text (times in UTC, ISO 8601), so the same record has the same
digest on SQLite and on PostgreSQL, in memory and in a bundle file.
"""

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

Record = dict[str, Any]

DIGEST_LENGTH = 32


def _kind(column: sa.Column) -> str:
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl if isinstance(kind.impl, sa.types.TypeEngine) else kind.impl_instance
    if isinstance(kind, sa.Uuid):
        return "uuid"
    if isinstance(kind, sa.DateTime):
        return "datetime"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Time):
        return "time"
    return "plain"


_KINDS: dict[sa.Column, str] = {}


def kind_of(column: sa.Column) -> str:
    found = _KINDS.get(column)
    if found is None:
        found = _KINDS[column] = _kind(column)
    return found


def encode_value(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    kind = kind_of(column)
    if kind == "uuid":
        return str(value)
    if kind == "datetime":
        return value.astimezone(UTC).isoformat()
    if kind in ("date", "time"):
        return value.isoformat()
    return value


def decode_value(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    kind = kind_of(column)
    if kind == "uuid":
        return uuid.UUID(value)
    if kind == "datetime":
        return datetime.fromisoformat(value).astimezone(UTC)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    return value


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


_ENCODERS: dict[str, Any] = {"uuid": str, "datetime": _utc_text, "date": date.isoformat,
                             "time": time.isoformat}  # fmt: skip
_ROW_ENCODERS: dict[str, list[tuple[str, Any]]] = {}


def encode_row(table: sa.Table, row: Mapping[str, Any]) -> dict[str, Any]:
    encoders = _ROW_ENCODERS.get(table.name)
    if encoders is None:
        encoders = [(c.name, _ENCODERS.get(kind_of(c))) for c in table.columns]
        _ROW_ENCODERS[table.name] = encoders
    out = {}
    for name, encode in encoders:
        value = row[name]
        out[name] = encode(value) if encode is not None and value is not None else value
    return out


def decode_row(table: sa.Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values for writing; columns missing from ``row`` are left out."""
    return {c.name: decode_value(c, row[c.name]) for c in table.columns if c.name in row}


def key_of(table: sa.Table, row: Mapping[str, Any]) -> str:
    """A row's primary key as text: the id itself, or a JSON list for a composite key.
    ``row`` is in JSON form."""
    columns = list(table.primary_key.columns)
    if len(columns) == 1:
        return str(row[columns[0].name])
    return json.dumps([row[c.name] for c in columns], ensure_ascii=False, separators=(",", ":"))


def key_values(table: sa.Table, key: str) -> tuple[Any, ...]:
    """The typed primary-key values of a key made by :func:`key_of`."""
    columns = list(table.primary_key.columns)
    parts = [key] if len(columns) == 1 else json.loads(key)
    return tuple(decode_value(c, p) for c, p in zip(columns, parts, strict=True))


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def record_of(
    root: sa.Table, row: Mapping[str, Any], children: Mapping[sa.Table, Iterable[Mapping]]
) -> Record:
    """A record in JSON form from typed rows (as read from the database)."""
    out: dict[str, list] = {}
    for table, rows in children.items():
        encoded = [encode_row(table, r) for r in rows]
        encoded.sort(key=lambda r, t=table: key_of(t, r))
        out[table.name] = encoded
    return {"row": encode_row(root, row), "children": out}


def digest(record: Record) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()[:DIGEST_LENGTH]
