"""What is synced: one :class:`Spec` per synced record (a root table with its child rows).

The list is in foreign-key order (a record's references come earlier), which is the order
records are sent and applied in. ``owner`` breaks ties when both sides changed a record; the
``merge`` rule says how two versions of a record become one (see db/sync/__init__.py).
Which rows concern a center (``scope``) may differ by the side that sends: the province sends a
center only its open requests and active incidents (and every record the center already has).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from db.models import OPEN_STATUSES, IncidentStatus, metadata
from db.notices.outbox import QUEUED, SENDING

Side = Literal["center", "province"]
Merge = Literal["lww", "max", "ticket", "append"]

CENTER: Side = "center"
PROVINCE: Side = "province"

#: Tables that are not synced, and why.
NOT_SYNCED = {
    "call_drafts": "a desk's half-typed call belongs to that terminal",
    "sync_links": "sync bookkeeping",
    "sync_rows": "sync bookkeeping",
    "sync_bundles": "sync bookkeeping",
}

Scope = Callable[[sa.Table, uuid.UUID, Side], sa.ColumnElement[bool] | None]


def other(side: Side) -> Side:
    return PROVINCE if side == CENTER else CENTER


@dataclass(frozen=True)
class Child:
    """Rows that belong to a root row through ``parent`` (a foreign key to the root's id).

    ``append_only`` rows (events, attempts) are kept from both sides; the others follow the
    version of the record that wins."""

    table: sa.Table
    parent: str
    append_only: bool = False


@dataclass(frozen=True)
class Spec:
    root: sa.Table
    scope: Scope
    owner: Side
    merge: Merge = "lww"
    children: tuple[Child, ...] = ()
    # Whether the province sends it to centers (a center sends every spec).
    pulled: bool = True

    @property
    def name(self) -> str:
        return self.root.name

    def sent_by(self, side: Side) -> bool:
        return side == CENTER or self.pulled

    @property
    def has_updated_at(self) -> bool:
        return "updated_at" in self.root.c

    @property
    def has_version(self) -> bool:
        return "version" in self.root.c


def _t(name: str) -> sa.Table:
    return metadata.tables[name]


def _of_center(table: sa.Table, center_id: uuid.UUID, side: Side) -> sa.ColumnElement[bool]:
    return table.c.center_id == center_id


def _the_center(table: sa.Table, center_id: uuid.UUID, side: Side) -> sa.ColumnElement[bool]:
    return table.c.id == center_id


def _open_requests(table: sa.Table, center_id: uuid.UUID, side: Side) -> sa.ColumnElement[bool]:
    if side == CENTER:
        return table.c.center_id == center_id
    return sa.and_(
        table.c.center_id == center_id, table.c.status.in_(sorted(s.value for s in OPEN_STATUSES))
    )


def _active_incidents(table: sa.Table, center_id: uuid.UUID, side: Side) -> sa.ColumnElement[bool]:
    if side == CENTER:
        return table.c.center_id == center_id
    return sa.and_(table.c.center_id == center_id, table.c.status == IncidentStatus.ACTIVE.value)


def _handled_messages(table: sa.Table, center_id: uuid.UUID, side: Side) -> sa.ColumnElement[bool]:
    # A message travels once the center's sender is done with it: the province's sender
    # (which drains every center's outbox) must never send it a second time.
    return sa.and_(table.c.center_id == center_id, table.c.status.not_in((QUEUED, SENDING)))


def _reference(name: str, *children: Child, scope: Scope = _of_center) -> Spec:
    return Spec(root=_t(name), scope=scope, owner=PROVINCE, children=children)


def _operational(name: str, *children: Child, merge: Merge = "lww", pulled=False) -> Spec:
    return Spec(
        root=_t(name), scope=_of_center, owner=CENTER, merge=merge, children=children,
        pulled=pulled,
    )  # fmt: skip


SPECS: tuple[Spec, ...] = (
    # Reference data: the province's, pulled by the center (and a center's own edits pushed).
    _reference("centers", scope=_the_center),
    _reference("districts"),
    _reference("units", Child(_t("unit_districts"), "unit_id")),
    _reference("agents", Child(_t("agent_roles"), "agent_id")),
    _reference("center_settings"),
    _reference(
        "calendars",
        Child(_t("calendar_hours"), "calendar_id"),
        Child(_t("holidays"), "calendar_id"),
    ),
    _reference("categories"),
    _reference("canned_answers"),
    _reference("questionnaires", Child(_t("questions"), "questionnaire_id")),
    _reference("notice_templates"),
    _reference("subscribers", Child(_t("subscriber_phones"), "subscriber_id")),
    # The center numbers its own requests; pulled too, so a replaced computer goes on counting.
    Spec(root=_t("tracking_sequences"), scope=_of_center, owner=CENTER, merge="max"),
    # The center's work. Incidents and requests also come back from the province.
    Spec(
        root=_t("incidents"),
        scope=_active_incidents,
        owner=CENTER,
        children=(
            Child(_t("incident_areas"), "incident_id"),
            Child(_t("incident_events"), "incident_id", append_only=True),
        ),
    ),
    Spec(
        root=_t("tickets"),
        scope=_open_requests,
        owner=CENTER,
        merge="ticket",
        children=(Child(_t("ticket_events"), "ticket_id", append_only=True),),
    ),
    _operational("calls"),
    _operational("callbacks", Child(_t("callback_attempts"), "callback_id", append_only=True)),
    _operational("surveys", Child(_t("answers"), "survey_id")),
    _operational("campaigns"),
    Spec(root=_t("outbox_messages"), scope=_handled_messages, owner=CENTER, pulled=False),
    _operational("inbound_messages"),
    _operational("audit_log", merge="append"),
)

SPEC_BY_NAME: dict[str, Spec] = {spec.name: spec for spec in SPECS}

#: Which spec a table's rows travel in (root or child).
SPEC_OF_TABLE: dict[str, Spec] = {
    **{spec.name: spec for spec in SPECS},
    **{child.table.name: spec for spec in SPECS for child in spec.children},
}
