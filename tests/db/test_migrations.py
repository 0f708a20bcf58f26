"""The one schema: built by the migration on both engines, identical to the models."""

import os
import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import db.models
from db.engine import DatabaseError, make_engine
from db.migrate import ensure_current, head_revision, schema_status, upgrade
from db.models import OPEN_STATUSES
from db.models.tickets import OPEN_STATUS_SQL


def test_migration_builds_the_models_exactly(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.models.metadata) == []
    assert schema_status(engine).up_to_date


def test_every_model_table_exists(engine):
    tables = set(sa.inspect(engine).get_table_names())
    assert set(db.models.metadata.tables) <= tables


def test_upgrade_is_idempotent(engine):
    before = schema_status(engine)
    after = upgrade(engine)
    assert before.current == after.current == head_revision()


def test_upgrade_from_empty_sqlite(tmp_path):
    engine = make_engine(str(tmp_path / "new.db"))
    assert schema_status(engine).current is None
    assert upgrade(engine).up_to_date


def test_unmigrated_shared_database_is_a_one_line_error_with_the_fix(tmp_path):
    engine = make_engine(str(tmp_path / "empty.db"))
    with pytest.raises(DatabaseError) as error:
        ensure_current(engine, auto_upgrade=False)
    message = str(error.value)
    assert "\n" not in message
    assert "abfa-desk db upgrade" in message


def test_default_database_migrates_itself(tmp_path):
    engine = make_engine(str(tmp_path / "default.db"))
    assert ensure_current(engine, auto_upgrade=True).up_to_date


@pytest.mark.skipif(not os.environ.get("ABFA_DESK_TEST_PG_URL"), reason="needs PostgreSQL")
def test_unreachable_postgres_is_a_one_line_error():
    engine = make_engine("postgresql://nobody@127.0.0.1:1/nothing")
    with pytest.raises(DatabaseError) as error:
        schema_status(engine)
    assert "cannot reach the database" in str(error.value)
    assert "\n" not in str(error.value)


def test_partial_indexes_hold_open_requests_only_as_the_models_say(engine):
    """Alembic does not compare an index's WHERE: the migration's predicate, as the database
    keeps it, names exactly the open statuses of the models."""
    open_statuses = sorted(s.value for s in OPEN_STATUSES)
    assert re.findall(r"'(\w+)'", OPEN_STATUS_SQL) == open_statuses
    sqlite = engine.dialect.name == "sqlite"
    read = (
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
        if sqlite
        else "SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = :name"
    )
    with engine.connect() as connection:
        for name in ("ix_tickets_subscriber_open", "ix_tickets_phone_open"):
            stored = connection.execute(sa.text(read), {"name": name}).scalar_one()
            predicate = stored.split(" WHERE ", 1)[1] if sqlite else stored
            assert "status" in predicate, stored
            assert sorted(re.findall(r"'(\w+)'", predicate)) == open_statuses, stored
