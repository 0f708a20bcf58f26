"""Alembic environment: wired to SQLModel.metadata; batch mode so SQLite can alter tables."""

import sqlalchemy as sa
from alembic import context

import db.models
from db.engine import make_engine
from db.models.base import UTCDateTime

target_metadata = db.models.metadata


def render_item(type_, obj, autogen_context):
    # Migrations must not depend on our Python types: UTCDateTime is a plain aware DateTime.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
