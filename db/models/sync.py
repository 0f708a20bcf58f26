"""Sync with the province: who this database syncs with, what the other side holds, which
bundles were applied here. Bookkeeping only, never shown to agents (see db/sync).

No foreign keys to centers: a rural center's fresh file records its link before the first
rows (its own center among them) arrive from the province.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import created_field, time_field


class SyncLink(SQLModel, table=True):
    """This database's side in the sync of one center: "center" on the center's own file,
    "province" on the provincial database (one row per center that syncs with it)."""

    __tablename__ = "sync_links"

    center_id: uuid.UUID = Field(primary_key=True)
    side: str = Field(max_length=8)
    # The center's file: made when it first syncs, so the province notices a new computer.
    node_id: uuid.UUID | None = None
    peer: str = Field(default="", max_length=200)
    last_sync_at: datetime | None = time_field()
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class SyncRow(SQLModel, table=True):
    """The ledger: the digest of one synced record (a row with its child rows) as the other
    side holds it. ``pending_bundle_id``: sent in that bundle file, not yet acknowledged."""

    __tablename__ = "sync_rows"
    __table_args__ = (sa.Index("ix_sync_rows_pending", "center_id", "pending_bundle_id"),)

    center_id: uuid.UUID = Field(primary_key=True)
    table_name: str = Field(max_length=40, primary_key=True)
    row_key: str = Field(max_length=160, primary_key=True)
    digest: str = Field(max_length=32)
    pending_bundle_id: uuid.UUID | None = None


class SyncBundle(SQLModel, table=True):
    """A bundle file applied here, so importing it again changes nothing and the next bundle
    back acknowledges it."""

    __tablename__ = "sync_bundles"
    __table_args__ = (sa.Index("ix_sync_bundles_center_applied", "center_id", "applied_at"),)

    id: uuid.UUID = Field(primary_key=True)
    center_id: uuid.UUID
    from_side: str = Field(max_length=8)
    created_at: datetime = created_field()
    applied_at: datetime = created_field()
    rows: int = 0
