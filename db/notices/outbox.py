"""The outbox: one row per message to one recipient, and the page the notices screen reads.

A message's life: ``queued`` -> ``sending`` (claimed by a sender, see :mod:`db.notices.sender`)
-> ``sent`` (the provider accepted it) -> ``delivered`` or ``failed`` (with the reason in
``last_error``); a send that failed for a passing reason goes back to ``queued`` with a later
``next_attempt_at``. Whoever queues a message names it with a ``dedupe_key`` ("campaign:<id>:
<phone>", "incident:<id>:restored:<phone>"), unique in the table: queuing the same message twice
(a retried approval, a second close) adds nothing.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from db import audit
from db.accounts import MODE_ROLES, AgentView, require
from db.models import NoticeChannel, OutboxMessage, OutboxStatus, new_id, utcnow
from db.notices.errors import NoticeError
from db.text import to_ascii_digits

#: Who works with notices: the information officer and the supervisor.
NOTICE_ROLES = tuple(sorted(MODE_ROLES["notices"]))

QUEUED = OutboxStatus.QUEUED.value
#: Claimed by a sender: ``next_attempt_at`` is then the end of its lease.
SENDING = "sending"
SENT = OutboxStatus.SENT.value
DELIVERED = OutboxStatus.DELIVERED.value
FAILED = OutboxStatus.FAILED.value
STATUSES = (QUEUED, SENDING, SENT, DELIVERED, FAILED)
FINAL_STATUSES = frozenset({DELIVERED, FAILED})
MAX_BODY = 2000
PAGE_SIZE = 50
_CHUNK = 500

_T = OutboxMessage.__table__


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def is_mobile(phone: str | None) -> bool:
    """Whether a stored phone (normalised by db.validate) can receive an SMS."""
    return bool(phone) and len(phone) == 11 and phone.startswith("09") and phone.isdigit()


@dataclass(frozen=True)
class NewMessage:
    """A message to queue; ``dedupe_key`` names it so it is never queued twice."""

    recipient: str
    body: str
    dedupe_key: str
    channel: str = NoticeChannel.SMS.value
    campaign_id: uuid.UUID | None = None
    incident_id: uuid.UUID | None = None
    ticket_id: uuid.UUID | None = None
    callback_id: uuid.UUID | None = None


def queue_messages(
    session: Session, center_id: uuid.UUID, messages: Iterable[NewMessage], *, now: datetime
) -> int:
    """Queue messages in the caller's transaction; returns how many were new (a message whose
    dedupe key is already in the outbox is skipped, on either engine, without an error)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = []
    for m in messages:
        if len(m.body) > MAX_BODY:
            raise NoticeError("too_long", field="body", max=MAX_BODY)
        rows.append(
            dict(
                id=new_id(),
                center_id=center_id,
                channel=m.channel,
                recipient=m.recipient,
                body=m.body,
                campaign_id=m.campaign_id,
                ticket_id=m.ticket_id,
                incident_id=m.incident_id,
                callback_id=m.callback_id,
                dedupe_key=m.dedupe_key,
                status=QUEUED,
                attempts=0,
                next_attempt_at=now,
                last_error="",
                created_at=now,
            )
        )
    added = 0
    for start in range(0, len(rows), _CHUNK):
        stmt = (
            insert(_T)
            .values(rows[start : start + _CHUNK])
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(_T.c.id)
        )
        added += len(session.execute(stmt).all())
    return added


@dataclass(frozen=True)
class OutboxMessageView:
    id: uuid.UUID
    channel: str
    recipient: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    provider_ref: str | None
    campaign_id: uuid.UUID | None
    incident_id: uuid.UUID | None
    ticket_id: uuid.UUID | None
    callback_id: uuid.UUID | None
    dedupe_key: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


def message_view(m: OutboxMessage) -> OutboxMessageView:
    return OutboxMessageView(
        id=m.id,
        channel=m.channel,
        recipient=m.recipient,
        body=m.body,
        status=m.status,
        attempts=m.attempts,
        next_attempt_at=m.next_attempt_at,
        last_error=m.last_error,
        provider_ref=m.provider_ref,
        campaign_id=m.campaign_id,
        incident_id=m.incident_id,
        ticket_id=m.ticket_id,
        callback_id=m.callback_id,
        dedupe_key=m.dedupe_key,
        created_at=m.created_at,
        sent_at=m.sent_at,
        delivered_at=m.delivered_at,
    )


@dataclass(frozen=True)
class OutboxPage:
    """Newest first; ``next_before`` continues the list (None at its end)."""

    items: tuple[OutboxMessageView, ...]
    next_before: uuid.UUID | None


@dataclass(frozen=True)
class OutboxCounts:
    queued: int = 0
    sending: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.queued + self.sending + self.sent + self.delivered + self.failed

    @property
    def pending(self) -> int:
        """Not yet handed to the provider."""
        return self.queued + self.sending


def _filters(
    center_id: uuid.UUID,
    *,
    status: str | None = None,
    campaign_id: uuid.UUID | None = None,
    incident_id: uuid.UUID | None = None,
    recipient: str | None = None,
) -> list:
    where = [OutboxMessage.center_id == center_id]
    if status is not None:
        if status not in STATUSES:
            raise NoticeError("bad_value", name="status")
        where.append(OutboxMessage.status == status)
    if campaign_id is not None:
        where.append(OutboxMessage.campaign_id == campaign_id)
    if incident_id is not None:
        where.append(OutboxMessage.incident_id == incident_id)
    if recipient:
        where.append(OutboxMessage.recipient == to_ascii_digits(recipient).strip())
    return where


def list_outbox(
    session: Session,
    *,
    actor: AgentView,
    status: str | None = None,
    campaign_id: uuid.UUID | None = None,
    incident_id: uuid.UUID | None = None,
    recipient: str | None = None,
    before: uuid.UUID | None = None,
    limit: int = PAGE_SIZE,
) -> OutboxPage:
    """A page of the center's outbox, newest first, filtered by status, campaign, incident or
    recipient. Keyset on the time-ordered id (UUIDv7), so a page costs the same at any depth."""
    require(actor, *NOTICE_ROLES, action="read the outbox")
    where = _filters(
        actor.center_id,
        status=status,
        campaign_id=campaign_id,
        incident_id=incident_id,
        recipient=recipient,
    )
    if before is not None:
        where.append(col(OutboxMessage.id) < before)
    limit = max(1, min(limit, 500))
    stmt = select(OutboxMessage).where(*where).order_by(col(OutboxMessage.id).desc())
    rows = session.exec(stmt.limit(limit + 1)).all()
    items = tuple(message_view(m) for m in rows[:limit])
    return OutboxPage(items, items[-1].id if len(rows) > limit else None)


def count_outbox(
    session: Session,
    center_id: uuid.UUID,
    *,
    campaign_id: uuid.UUID | None = None,
    incident_id: uuid.UUID | None = None,
) -> OutboxCounts:
    """Messages per status (no permission check: for the modules that report progress)."""
    where = _filters(center_id, campaign_id=campaign_id, incident_id=incident_id)
    stmt = select(OutboxMessage.status, sa.func.count()).where(*where)
    counts = dict(session.exec(stmt.group_by(OutboxMessage.status)).all())
    return OutboxCounts(**{s: int(counts.get(s, 0)) for s in STATUSES})


def outbox_counts(
    session: Session,
    *,
    actor: AgentView,
    campaign_id: uuid.UUID | None = None,
    incident_id: uuid.UUID | None = None,
) -> OutboxCounts:
    """Messages per status in the actor's center (for the outbox screen's header)."""
    require(actor, *NOTICE_ROLES, action="read the outbox")
    return count_outbox(session, actor.center_id, campaign_id=campaign_id, incident_id=incident_id)


def retry_message(
    session: Session, *, actor: AgentView, message_id: uuid.UUID, now: datetime | None = None
) -> OutboxMessageView:
    """Queue a failed message again, with a fresh attempt budget (the officer fixed the number
    or the provider's problem). The same row and id, so the provider can still tell a resend.
    Errors: not_found; not_failed (status)."""
    require(actor, *NOTICE_ROLES, action="retry messages")
    now = _aware_now(now)
    message = session.get(OutboxMessage, message_id)
    if message is None or message.center_id != actor.center_id:
        raise NoticeError("not_found", what="message", id=str(message_id))
    result = session.execute(
        sa.update(_T)
        .where(_T.c.id == message_id, _T.c.status == FAILED)
        .values(status=QUEUED, attempts=0, next_attempt_at=now, last_error="")
    )
    if result.rowcount != 1:
        raise NoticeError("not_failed", status=message.status)
    audit.record(
        session,
        action="outbox_retried",
        actor_id=actor.id,
        center_id=actor.center_id,
        entity="outbox_message",
        entity_id=message_id,
        changes={"status": [FAILED, QUEUED]},
    )
    session.flush()
    fresh = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .execution_options(populate_existing=True)
    ).one()
    return message_view(fresh)
