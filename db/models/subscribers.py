"""Subscribers (customer accounts) and the phones that reach them."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import center_field, created_field, id_field


class Subscriber(SQLModel, table=True):
    """A water/sewer account, as the billing system knows it.

    `*_key` columns hold `db.text.search_key` of the text beside them, so lookups by name,
    street or address match whatever letter and digit variants the agent types.
    """

    __tablename__ = "subscribers"
    __table_args__ = (
        sa.UniqueConstraint("center_id", "subscription_no"),
        sa.Index("ix_subscribers_district_street", "district_id", "street_key"),
    )

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    subscription_no: str = Field(max_length=20)
    bill_id: str | None = Field(default=None, max_length=13, index=True)
    national_code: str | None = Field(default=None, max_length=10, index=True)
    name: str = Field(max_length=160)
    name_key: str = Field(default="", max_length=160, index=True)
    district_id: uuid.UUID | None = Field(default=None, foreign_key="districts.id")
    street: str = Field(default="", max_length=160)
    street_key: str = Field(default="", max_length=160)
    address: str = Field(default="", max_length=400)
    postal_code: str | None = Field(default=None, max_length=10)
    usage: str = Field(default="residential", max_length=24)
    active: bool = True
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class SubscriberPhone(SQLModel, table=True):
    """A phone number (normalised, 09XXXXXXXXX or 0AAXXXXXXXX) known for a subscriber."""

    __tablename__ = "subscriber_phones"
    __table_args__ = (sa.UniqueConstraint("subscriber_id", "phone"),)

    id: uuid.UUID = id_field()
    center_id: uuid.UUID = center_field()
    subscriber_id: uuid.UUID = Field(foreign_key="subscribers.id", index=True)
    phone: str = Field(max_length=11, index=True)
    kind: str = Field(default="mobile", max_length=8)
