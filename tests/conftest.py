"""Databases for tests: every data-layer test runs on SQLite and on PostgreSQL.

PostgreSQL runs when ABFA_DESK_TEST_PG_URL is set (CI sets it, and then an unreachable server
is a failure, not a skip). Each test gets a fresh, migrated database: a copied SQLite file, or a
PostgreSQL database cloned from a migrated template, so tests never see each other's rows.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from db.engine import make_engine, normalize_url
from db.migrate import upgrade

PG_ENV = "ABFA_DESK_TEST_PG_URL"
BACKENDS = ["sqlite", "postgresql"]


def _pg_admin_engine() -> Engine:
    url = normalize_url(os.environ[PG_ENV])
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(str(path))
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not os.environ.get(PG_ENV):
        if os.environ.get("ABFA_DESK_REQUIRE_PG"):
            pytest.fail(f"{PG_ENV} is not set but ABFA_DESK_REQUIRE_PG asks for PostgreSQL")
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests not run")
    admin = _pg_admin_engine()
    name = f"abfa_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(normalize_url(os.environ[PG_ENV])).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _fresh_pg_database(template: str) -> Iterator[str]:
    admin = _pg_admin_engine()
    name = f"abfa_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = make_url(normalize_url(os.environ[PG_ENV])).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """The URL of a fresh, migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "desk.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield from _fresh_pg_database(request.getfixturevalue("pg_template"))


@pytest.fixture(scope="module", params=BACKENDS)
def module_db_url(request, tmp_path_factory) -> Iterator[str]:
    """Like `db_url`, but one database per test module and backend: for a module whose tests
    share data that is slow to make (a demo) and mostly only read it."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("module") / "desk.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield from _fresh_pg_database(request.getfixturevalue("pg_template"))


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def center_id(engine) -> uuid.UUID:
    """One center in the fresh database, as most operations need one."""
    from db.engine import session
    from db.models import Center

    with session(engine) as s:
        center = Center(code="ISF", number=131, name_fa="مرکز ۱۲۲ اصفهان", name_en="Isfahan 122")
        s.add(center)
    return center.id
