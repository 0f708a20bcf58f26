"""Schema migrations (Alembic) run from code: upgrade, status, and the check at start-up."""

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from db.engine import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


@dataclass(frozen=True)
class SchemaStatus:
    url: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def schema_status(engine: Engine) -> SchemaStatus:
    """Where the database stands; raises DatabaseError if it cannot be reached."""
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(
            f"cannot reach the database at {_describe(engine)}: {reason}. "
            "Check that the server is running and the URL is right (--db or ABFA_DESK_DB)."
        ) from exc
    return SchemaStatus(url=_describe(engine), current=current, head=head_revision())


def upgrade(engine: Engine) -> SchemaStatus:
    """Bring the schema to the newest revision, in one transaction per migration."""
    schema_status(engine)  # a clear error if unreachable, before Alembic's traceback can
    try:
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise DatabaseError(f"migration failed on {_describe(engine)}: {exc}") from exc
    return schema_status(engine)


def ensure_current(engine: Engine, *, auto_upgrade: bool) -> SchemaStatus:
    """At start-up: migrate the embedded default, refuse a shared database that lags behind."""
    status = schema_status(engine)
    if status.up_to_date:
        return status
    if auto_upgrade:
        return upgrade(engine)
    if status.current is None:
        problem = "has no abfa-desk tables"
    else:
        problem = f"is at schema {status.current}, this version needs {status.head}"
    raise DatabaseError(
        f"the database at {status.url} {problem}. Run: abfa-desk db upgrade --db URL"
    )
