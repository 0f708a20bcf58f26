"""Schema migrations (Alembic) run from code: upgrade, status, and the check at start-up.

The check at start-up only compares two revision strings: the one in the database's
`alembic_version` table, read with plain SQL, and the newest one among the migration files,
read from their `revision = ...` / `down_revision = ...` lines. Alembic itself (a quarter of a
second or more to import) is loaded only to upgrade.
"""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from db.engine import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"
VERSIONS = MIGRATIONS / "versions"
VERSION_TABLE = "alembic_version"


def alembic_config(engine: "Engine | None" = None) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def _revision_ids(path: Path) -> tuple[str, tuple[str, ...]]:
    """A migration file's `revision` and the revisions it follows (`down_revision`)."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    revision, down = found.get("revision"), found.get("down_revision")
    assert isinstance(revision, str), f"{path.name}: no revision"
    if down is None:
        return revision, ()
    return revision, (down,) if isinstance(down, str) else tuple(down)  # type: ignore[arg-type]


@cache
def head_revision() -> str:
    """The newest migration: the one no other migration follows (as Alembic finds it)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        if path.name.startswith("_"):
            continue
        revision, down = _revision_ids(path)
        revisions.add(revision)
        followed.update(down)
    heads = revisions - followed
    assert heads, "no migrations found"
    assert len(heads) == 1, f"more than one newest migration: {sorted(heads)}"
    return heads.pop()


def current_revision(connection: "Connection") -> str | None:
    """The revision the database's schema is at; None when it has no abfa-desk tables."""
    import sqlalchemy as sa

    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    # One row on a linear history; several only on branches we never make, never current.
    found = sorted(rows)
    return ", ".join(found) if found else None


@dataclass(frozen=True)
class SchemaStatus:
    url: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _describe(engine: "Engine") -> str:
    return engine.url.render_as_string(hide_password=True)


def schema_status(engine: "Engine") -> SchemaStatus:
    """Where the database stands; raises DatabaseError if it cannot be reached."""
    from sqlalchemy.exc import OperationalError

    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(
            f"cannot reach the database at {_describe(engine)}: {reason}. "
            "Check that the server is running and the URL is right (--db or ABFA_DESK_DB)."
        ) from exc
    return SchemaStatus(url=_describe(engine), current=current, head=head_revision())


def upgrade(engine: "Engine") -> SchemaStatus:
    """Bring the schema to the newest revision, in one transaction per migration."""
    from alembic import command
    from sqlalchemy.exc import SQLAlchemyError

    schema_status(engine)  # a clear error if unreachable, before Alembic's traceback can
    try:
        with engine.begin() as connection:
            config = alembic_config(engine)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise DatabaseError(f"migration failed on {_describe(engine)}: {exc}") from exc
    return schema_status(engine)


def ensure_current(engine: "Engine", *, auto_upgrade: bool) -> SchemaStatus:
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
