"""open requests by subscriber and by phone: partial indexes

The caller card lists a caller's open requests. Through the plain (subscriber_id, opened_at) and
(phone, opened_at) indexes it walked every request the caller ever had and tested the status
row by row; these hold open requests only, so the card's cost follows what it shows.

The predicate is written out here, not imported: a migration is the schema as it was. It must
stay the text of ``db.models.tickets.OPEN_STATUS_SQL`` (tests/db/test_migrations.py checks).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = (
    "status IN ('accepted', 'awaiting_feedback', 'in_progress', 'pending_subscriber', "
    "'referred', 'registered', 'rejected', 'unit_answered')"
)


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name, column in (
            ("ix_tickets_subscriber_open", "subscriber_id"),
            ("ix_tickets_phone_open", "phone"),
        ):
            batch_op.create_index(
                name,
                [column, "opened_at"],
                unique=False,
                sqlite_where=sa.text(OPEN),
                postgresql_where=sa.text(OPEN),
            )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_phone_open")
        batch_op.drop_index("ix_tickets_subscriber_open")
