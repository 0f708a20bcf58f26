"""Writing the demo's rows fast, and wiping them.

Rows are planned in plain Python and written here, one transaction per stage: reference rows
with Core inserts, the tables that grow with the demo's size in chunks with `bulk_insert`
(executemany on SQLite, COPY on PostgreSQL), which skips SQLAlchemy's per-row work and is
what makes a million calls take minutes, not hours.
"""

import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel.sql.sqltypes import AutoString

from db.demo.context import DemoError, Progress
from db.engine import session as open_session
from db.models import Center, metadata
from db.models.base import UTCDateTime

CHUNK = 10_000
# Index pages of a million rows do not fit SQLite's default 2 MB cache.
BULK_CACHE_KIB = 262_144
SQLITE_DEFAULT_CACHE = "-2000"

Converter = Callable[[Any], Any] | None


def _sqlite_datetime(value: datetime) -> str:
    # What SQLAlchemy's SQLite DateTime stores (always with microseconds, so stored values
    # and query parameters compare as strings), after UTCDateTime made it naive UTC.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _column_converters(table: sa.Table, dialect: str) -> list[tuple[str, Converter]]:
    """Per column, how a Python value becomes what the driver is given, the same as the
    column's SQLAlchemy type would make it."""
    sqlite = dialect == "sqlite"
    if not sqlite:
        from psycopg.types.json import Json
    out: list[tuple[str, Converter]] = []
    for column in table.columns:
        kind = column.type
        conv: Converter
        if isinstance(kind, AutoString):  # a String that only picks a length on MySQL
            kind = kind.impl_instance
        if isinstance(kind, UTCDateTime):
            conv = _sqlite_datetime if sqlite else None
        elif isinstance(kind, sa.Uuid):
            conv = operator.attrgetter("hex") if sqlite else None
        elif isinstance(kind, sa.JSON):
            conv = json.dumps if sqlite else Json
        elif isinstance(kind, sa.Boolean):
            conv = int if sqlite else None
        elif isinstance(kind, (sa.Integer, sa.String)):
            conv = None
        else:
            raise TypeError(f"bulk_insert cannot write {table.name}.{column.name} ({kind!r})")
        out.append((column.name, conv))
    return out


def bulk_insert(conn: sa.Connection, table: sa.Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert rows (every column given) in the caller's transaction, the fastest way each
    engine offers: `executemany` on SQLite, `COPY ... FROM STDIN` on PostgreSQL.

    Values are converted exactly as the columns' SQLAlchemy types would convert them, so the
    rows read back and compare the same as rows written by `insert()`. Returns the count.
    """
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        rows = [dict(row) for row in rows]
        if rows:
            conn.execute(sa.insert(table), rows)
        return len(rows)
    converters = _column_converters(table, dialect)
    values = [
        [
            value if conv is None or value is None else conv(value)
            for name, conv in converters
            for value in (row[name],)
        ]
        for row in rows
    ]
    if not values:
        return 0
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name, _conv in converters)
    name = quote.format_table(table)
    cursor = conn.connection.driver_connection.cursor()
    try:
        if dialect == "sqlite":
            marks = ", ".join("?" * len(converters))
            cursor.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", values)
        else:
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
    finally:
        cursor.close()
    return len(values)


def insert(s: Session, model: Any, rows: Iterable[dict[str, Any]]) -> None:
    """Insert a handful of reference rows with a Core insert."""
    rows = list(rows)
    if rows:
        s.connection().execute(sa.insert(model.__table__), rows)


def insert_many(
    s: Session,
    model: Any,
    rows: Iterable[dict[str, Any]],
    *,
    report: Progress,
    stage: str,
    total: int = 0,
) -> None:
    """Insert rows of a table that grows with the demo's size: in chunks with `bulk_insert`,
    reporting ``stage`` progress after each (``total`` may be 0 when unknown)."""
    table = model.__table__
    conn = s.connection()
    done = 0
    it = iter(rows)
    while batch := tuple(itertools.islice(it, CHUNK)):
        bulk_insert(conn, table, batch)
        done += len(batch)
        report(stage, done, max(total, done))
    if not done:
        report(stage, 0, 0)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One stage's transaction, with a cache big enough for bulk writes on SQLite."""
    sqlite = engine.dialect.name == "sqlite"
    with open_session(engine) as s:
        if sqlite:
            s.connection().exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        try:
            yield s
        finally:
            if sqlite:
                s.connection().exec_driver_sql(f"PRAGMA cache_size={SQLITE_DEFAULT_CACHE}")


def _refuse_foreign_data(engine: Engine, codes: Iterable[str], demo_center: str) -> None:
    foreign = sorted(c for c in codes if c != demo_center)
    if foreign:
        raise DemoError(
            f"refusing to build demo data: the database at "
            f"{engine.url.render_as_string(hide_password=True)} holds centers "
            f"{', '.join(foreign)}; use an empty or demo database"
        )


def wipe(engine: Engine, *, demo_center: str) -> None:
    """Delete every row of every table in one transaction, refusing (DemoError) if the
    database holds a center other than ``demo_center``."""
    tables = list(reversed(metadata.sorted_tables))
    if engine.dialect.name != "sqlite":
        with open_session(engine) as s:
            conn = s.connection()
            codes = conn.execute(sa.select(Center.code)).scalars()
            _refuse_foreign_data(engine, codes, demo_center)
            quote = conn.dialect.identifier_preparer
            conn.exec_driver_sql(f"TRUNCATE {', '.join(quote.format_table(t) for t in tables)}")
        return
    # With foreign keys on, SQLite deletes row by row and looks up each deleted row's
    # children; with them off, a DELETE without WHERE erases a table without visiting its
    # rows. Every row goes, so the checks are off for this connection only (switched outside
    # the transaction, as SQLite requires). Measured over a 200,000-call demo on 2 cores, now
    # that tickets.duplicate_of_id is indexed (before, hours): this wipe 1.1-1.2 s, a plain
    # DELETE with foreign keys on 4.8-5.2 s, a whole rebuild ~21 s instead of ~24 s.
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        db.execute("PRAGMA foreign_keys=OFF")
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                codes = (c for (c,) in db.execute("SELECT code FROM centers"))
                _refuse_foreign_data(engine, codes, demo_center)
                for table in tables:
                    db.execute(f'DELETE FROM "{table.name}"')
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        finally:
            db.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()
