"""The sender: drains the outbox through a center's gateway, at most once per message.

Each message goes through two transactions with the gateway call between them:

1. **claim** (:func:`claim_next`): the row moves ``queued`` -> ``sending``, its ``attempts`` goes
   up by one (the attempt number is the claim's token) and ``next_attempt_at`` becomes the end
   of a lease (``notices.lease_seconds``). PostgreSQL picks the row ``FOR UPDATE SKIP LOCKED``,
   so several senders share the work; SQLite's write transaction is exclusive. Either way the
   update is guarded (``WHERE status = :old AND attempts = :old``).
2. the gateway is called with the row's id as the idempotency key;
3. **record** (:func:`record_result`): ``sent`` (with the provider's reference), back to
   ``queued`` with a back-off (``notices.retry``), or ``failed`` with the reason, guarded by the
   claim's attempt number, so a sender that lost its lease cannot overwrite its successor.

A sender killed between 1 and 3 leaves the row ``sending``; once the lease has run out, the next
sender claims it again and sends it with the *same* key, so a provider that honours the key (the
file gateway, a provider that dedupes) delivers it once. Only the claim counts attempts; a row
whose lease ran out after its last allowed attempt fails as "interrupted" instead of looping on
a message that kills its sender.

After sending, the sender reads delivery reports for messages sent in the last
:data:`REPORT_DAYS` days, and settles campaigns (``sending`` / ``done``).
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.engine import session as open_session
from db.models import NoticeChannel, OutboxMessage, utcnow
from db.notices.campaigns import settle_campaigns
from db.notices.errors import NoticeError
from db.notices.gateways import (
    ACCEPTED,
    REJECTED,
    Gateway,
    OutgoingMessage,
    SendResult,
    make_gateway,
)
from db.notices.gateways import DELIVERED as REPORT_DELIVERED
from db.notices.gateways import FAILED as REPORT_FAILED
from db.notices.outbox import DELIVERED, FAILED, MAX_BODY, QUEUED, SENDING, SENT
from db.notices.settings import RetryPolicy, load_notice_settings

REPORT_DAYS = 3
REPORT_BATCH = 100
REPORTS_PER_RUN = 1000
INTERRUPTED = "interrupted"

_T = OutboxMessage.__table__
_c = _T.c


@dataclass(frozen=True)
class Claimed:
    """A message this sender holds until ``lease_until``; ``attempt`` is the claim's token."""

    id: uuid.UUID
    center_id: uuid.UUID
    attempt: int
    channel: str
    recipient: str
    body: str
    lease_until: datetime


@dataclass
class SendTally:
    """What a run has done so far (mutable, while it runs); see :class:`SendReport`."""

    claimed: int = 0
    sent: int = 0
    duplicates: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0
    interrupted: int = 0
    delivered: int = 0
    delivery_failed: int = 0
    campaigns_settled: int = 0
    errors: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SendReport:
    """What one run did. ``duplicates``: sends the provider already had (a resend after an
    interruption); ``lost``: results not recorded because the lease had passed to another
    sender; ``interrupted``: messages failed after their last attempt's sender vanished;
    ``errors``: (center id, reason, detail) of centers that could not send."""

    claimed: int
    sent: int
    duplicates: int
    retried: int
    failed: int
    lost: int
    interrupted: int
    delivered: int
    delivery_failed: int
    campaigns_settled: int
    errors: tuple[tuple[uuid.UUID, str, str], ...]


def _due(session: Session, center_id: uuid.UUID, now: datetime) -> OutboxMessage | None:
    """The next row to claim: a lease that ran out, then queued rows, oldest due first."""
    postgres = session.get_bind().dialect.name == "postgresql"
    base = [OutboxMessage.center_id == center_id, OutboxMessage.channel == NoticeChannel.SMS.value]
    due = col(OutboxMessage.next_attempt_at) <= now
    for where, order in (
        ((OutboxMessage.status == SENDING, due), col(OutboxMessage.next_attempt_at)),
        ((OutboxMessage.status == QUEUED, col(OutboxMessage.next_attempt_at).is_(None)), None),
        ((OutboxMessage.status == QUEUED, due), col(OutboxMessage.next_attempt_at)),
    ):
        stmt = select(OutboxMessage).where(*base, *where)
        if order is not None:
            stmt = stmt.order_by(order)
        stmt = stmt.limit(1).execution_options(populate_existing=True)
        if postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        row = session.exec(stmt).first()
        if row is not None:
            return row
    return None


def claim_next(
    session: Session,
    center_id: uuid.UUID,
    *,
    now: datetime,
    lease_seconds: int,
    max_attempts: int,
    report: SendTally | None = None,
) -> Claimed | None:
    """Claim the next due SMS of the center in the caller's transaction (None: nothing due)."""
    seen: set[uuid.UUID] = set()
    while (row := _due(session, center_id, now)) is not None and row.id not in seen:
        seen.add(row.id)
        guard = (_c.id == row.id, _c.status == row.status, _c.attempts == row.attempts)
        if row.status == SENDING and row.attempts > max_attempts:
            session.execute(
                sa.update(_T)
                .where(*guard)
                .values(status=FAILED, next_attempt_at=None, last_error=INTERRUPTED)
            )
            if report is not None:
                report.interrupted += 1
            continue
        lease_until = now + timedelta(seconds=lease_seconds)
        result = session.execute(
            sa.update(_T)
            .where(*guard)
            .values(status=SENDING, attempts=row.attempts + 1, next_attempt_at=lease_until)
        )
        if result.rowcount == 1:
            return Claimed(
                id=row.id,
                center_id=row.center_id,
                attempt=row.attempts + 1,
                channel=row.channel,
                recipient=row.recipient,
                body=row.body[:MAX_BODY],
                lease_until=lease_until,
            )
    return None


def record_result(
    session: Session, claimed: Claimed, result: SendResult, *, now: datetime, retry: RetryPolicy
) -> str:
    """Write a send's outcome in the caller's transaction; returns the new status, or "lost"
    when the claim is no longer this sender's (nothing written)."""
    guard = (_c.id == claimed.id, _c.status == SENDING, _c.attempts == claimed.attempt)
    if result.outcome == ACCEPTED:
        values = dict(
            status=SENT,
            sent_at=now,
            next_attempt_at=None,
            provider_ref=result.provider_ref,
            last_error="",
        )
    elif result.outcome == REJECTED or claimed.attempt >= retry.max_attempts:
        values = dict(status=FAILED, next_attempt_at=None, last_error=result.error[:500])
    else:
        values = dict(
            status=QUEUED,
            next_attempt_at=now + timedelta(seconds=retry.delay(claimed.attempt)),
            last_error=result.error[:500],
        )
    updated = session.execute(sa.update(_T).where(*guard).values(**values))
    return str(values["status"]) if updated.rowcount == 1 else "lost"


def _poll_reports(
    engine: Engine, center_id: uuid.UUID, gateway: Gateway, now: datetime, report: SendTally
) -> None:
    since = now - timedelta(days=REPORT_DAYS)
    with open_session(engine, write=False) as s:
        keys = [
            str(i)
            for i in s.exec(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.center_id == center_id,
                    OutboxMessage.status == SENT,
                    col(OutboxMessage.sent_at) >= since,
                )
                .order_by(col(OutboxMessage.sent_at))
                .limit(REPORTS_PER_RUN)
            ).all()
        ]
    for start in range(0, len(keys), REPORT_BATCH):
        reports = gateway.reports(keys[start : start + REPORT_BATCH])
        if not reports:
            continue
        with open_session(engine) as s:
            for r in reports:
                guard = (_c.id == uuid.UUID(r.key), _c.status == SENT)
                if r.status == REPORT_DELIVERED:
                    values = dict(status=DELIVERED, delivered_at=r.at or now)
                elif r.status == REPORT_FAILED:
                    values = dict(status=FAILED, last_error=(r.reason or "not delivered")[:500])
                else:
                    continue
                if s.execute(sa.update(_T).where(*guard).values(**values)).rowcount == 1:
                    if r.status == REPORT_DELIVERED:
                        report.delivered += 1
                    else:
                        report.delivery_failed += 1


def _centers(engine: Engine) -> list[uuid.UUID]:
    with open_session(engine, write=False) as s:
        stmt = (
            select(OutboxMessage.center_id)
            .where(col(OutboxMessage.status).in_((QUEUED, SENDING, SENT)))
            .distinct()
        )
        return sorted(s.exec(stmt).all())


def send_outbox(
    engine: Engine,
    *,
    center_id: uuid.UUID | None = None,
    limit: int | None = None,
    gateway: Gateway | None = None,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
) -> SendReport:
    """Send what is due (at most ``limit`` messages), read delivery reports, settle campaigns.

    Every center with work (or only ``center_id``) uses the gateway of its settings, unless
    ``gateway`` is given (tests). ``now`` fixes the clock (tests); by default each step reads
    the wall clock. Safe to run from cron, concurrently, and again after being killed. A center
    whose gateway is misconfigured is skipped and named in ``errors``.
    """
    report = SendTally()
    for cid in [center_id] if center_id is not None else _centers(engine):
        with open_session(engine, write=False) as s:
            settings = load_notice_settings(s, cid)
        try:
            gw = gateway or make_gateway(settings.gateway, environ)
        except NoticeError as e:
            report.errors.append((cid, e.reason, str(e.params.get("detail", ""))))
            continue
        while limit is None or report.claimed < limit:
            at = now or utcnow()
            with open_session(engine) as s:
                claimed = claim_next(
                    s,
                    cid,
                    now=at,
                    lease_seconds=settings.lease_seconds,
                    max_attempts=settings.retry.max_attempts,
                    report=report,
                )
            if claimed is None:
                break
            report.claimed += 1
            message = OutgoingMessage(
                str(claimed.id), claimed.channel, claimed.recipient, claimed.body
            )
            try:
                result = gw.send(message)
            except Exception as e:  # a gateway's bug must not strand the row until its lease ends
                result = SendResult("retry", error=f"gateway error: {e!r}"[:500])
            with open_session(engine) as s:
                status = record_result(
                    s, claimed, result, now=now or utcnow(), retry=settings.retry
                )
            if status == "lost":
                report.lost += 1
            elif status == SENT:
                report.sent += 1
                report.duplicates += result.duplicate
            elif status == QUEUED:
                report.retried += 1
            else:
                report.failed += 1
        _poll_reports(engine, cid, gw, now or utcnow(), report)
        with open_session(engine) as s:
            report.campaigns_settled += settle_campaigns(s, cid, now=now or utcnow())
    values = {**report.__dict__, "errors": tuple(report.errors)}
    return SendReport(**values)
