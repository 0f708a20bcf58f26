"""The start-up schema check reads revisions without Alembic, and agrees with Alembic."""

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from db.engine import DatabaseError, make_engine
from db.migrate import alembic_config, current_revision, ensure_current, head_revision


def test_newest_migration_is_the_one_alembic_finds():
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_current_revision_is_the_one_alembic_reads(engine):
    with engine.connect() as connection:
        assert (
            current_revision(connection)
            == MigrationContext.configure(connection).get_current_revision()
        )
        assert current_revision(connection) == head_revision()


def test_a_database_without_tables_has_no_revision(tmp_path):
    engine = make_engine(str(tmp_path / "empty.db"))
    with engine.connect() as connection:
        assert current_revision(connection) is None
    engine.dispose()


def test_a_database_at_the_first_migration_is_behind_until_upgraded(tmp_path):
    from alembic import command

    engine = make_engine(str(tmp_path / "behind.db"))
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with pytest.raises(DatabaseError) as error:
        ensure_current(engine, auto_upgrade=False)
    assert f"is at schema 0001, this version needs {head_revision()}" in str(error.value)
    assert ensure_current(engine, auto_upgrade=True).up_to_date
    engine.dispose()
