"""Engines and sessions for the embedded SQLite file and a shared PostgreSQL.

No engine exists at import time: the CLI builds one from settings and hands it to the app,
so tests choose their own database.

SQLAlchemy and SQLModel are imported by the functions that build engines and sessions, not by
this module: the settings need the default URL, and the console draws its sign-in form before
any database library is loaded (about half a second on a small machine).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_path

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

APP_NAME = "abfa-desk"


class DatabaseError(Exception):
    """A database problem explained in one line, with the fix."""


def default_db_path() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "desk.db"


def default_url() -> str:
    return f"sqlite:///{default_db_path()}"


def normalize_url(text: str) -> str:
    """Turn what people type into a SQLAlchemy URL.

    A bare path is a SQLite file; `postgres://` and `postgresql://` use the psycopg 3 driver.
    """
    text = text.strip()
    if not text:
        raise DatabaseError("empty database URL: give a file path or postgresql://user@host/db")
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    scheme, rest = text.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    if scheme not in ("sqlite", "postgresql+psycopg"):
        raise DatabaseError(
            f"unsupported database '{scheme}': use a file path, sqlite:///PATH "
            "or postgresql://user@host/db"
        )
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(text)
    except ArgumentError as exc:
        raise DatabaseError(f"cannot read database URL {text!r}: {exc}") from exc
    return text


def is_sqlite(engine: "Engine") -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> "Engine":
    """An engine for `url` (already normalised or as typed), with the SQLite pragmas we rely on."""
    import sqlalchemy as sa

    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo)
    return sa.create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: str, *, echo: bool) -> "Engine":
    import sqlalchemy as sa

    database = sa.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction starts (savepoints work).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer, and a killed process loses no committed row.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A write transaction takes the write lock at once: a deferred one that read first and
        # then writes fails at once with "database is locked" if another desk wrote meanwhile,
        # whatever the busy timeout. Read-only work stays deferred and never waits.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


#: The PostgreSQL notification channel every write transaction signals on.
CHANGES_CHANNEL = "abfa_desk_changes"


@contextmanager
def session(engine: "Engine", *, write: bool = True) -> Iterator["Session"]:
    """A unit of work: committed when the block ends, rolled back on any error.

    `write=False` is for work that only reads (lookups, lists, reports): on SQLite it does not
    queue behind writers.
    """
    import sqlalchemy as sa
    from sqlmodel import Session

    if write and is_sqlite(engine):
        engine = engine.execution_options(sqlite_immediate=True)
    notify = write and engine.dialect.name == "postgresql"
    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
            if notify:
                # Delivered at commit, never on rollback: live screens read again (db.wallboard).
                s.execute(sa.text("SELECT pg_notify(:channel, '')"), {"channel": CHANGES_CHANNEL})
            s.commit()
        except BaseException:
            s.rollback()
            raise
