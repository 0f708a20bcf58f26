"""The start-up schema check reads revisions without Alembic, and agrees with Alembic."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from db.engine import DatabaseError, make_engine
from db.migrate import alembic_config, current_revision, ensure_current, head_revision, upgrade

ROOT = Path(__file__).resolve().parents[2]


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


def test_the_check_at_start_up_does_not_load_alembic(tmp_path):
    """Alembic takes a quarter of a second to import; comparing two strings does not need it."""
    path = tmp_path / "desk.db"
    engine = make_engine(str(path))
    upgrade(engine)
    engine.dispose()
    script = (
        "import sys\n"
        "from db.engine import make_engine\n"
        "from db.migrate import ensure_current\n"
        "assert ensure_current(make_engine(sys.argv[1]), auto_upgrade=False).up_to_date\n"
        "print('alembic' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABFA_DESK_")}
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
