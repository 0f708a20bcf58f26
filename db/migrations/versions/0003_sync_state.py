"""sync state: the link of each center, the ledger of synced records, the bundles applied

A rural center works on its own SQLite file and syncs with the provincial database, online or
with a signed bundle file (db/sync). Three bookkeeping tables, on both sides:

- sync_links: this database's side ("center" or "province") for each center it syncs, and
  the id of the center's file (a new computer is noticed and sent everything);
- sync_rows: per center and synced record, the digest the other side is known to hold
  (pending_bundle_id: sent in a bundle not yet acknowledged);
- sync_bundles: bundle files applied here, so applying one again changes nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_bundles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("center_id", sa.Uuid(), nullable=False),
        sa.Column("from_side", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_bundles")),
    )
    with op.batch_alter_table("sync_bundles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_bundles_center_applied", ["center_id", "applied_at"], unique=False
        )

    op.create_table(
        "sync_links",
        sa.Column("center_id", sa.Uuid(), nullable=False),
        sa.Column("side", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("node_id", sa.Uuid(), nullable=True),
        sa.Column("peer", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("center_id", name=op.f("pk_sync_links")),
    )
    op.create_table(
        "sync_rows",
        sa.Column("center_id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("row_key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("pending_bundle_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("center_id", "table_name", "row_key", name=op.f("pk_sync_rows")),
    )
    with op.batch_alter_table("sync_rows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_rows_pending", ["center_id", "pending_bundle_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_rows_pending")
    op.drop_table("sync_rows")
    op.drop_table("sync_links")
    with op.batch_alter_table("sync_bundles", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_bundles_center_applied")
    op.drop_table("sync_bundles")
