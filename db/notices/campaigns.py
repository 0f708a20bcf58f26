"""Campaigns: one SMS template sent to a target (:mod:`db.notices.targets`).

A campaign is written as a draft (its recipient count is an estimate), previewed with a real
recipient's values, then approved. Approval freezes it: the recipients are read once more and
each gets an outbox row with its own filled text, under the dedupe key ``campaign:<id>:<phone>``,
in the approving transaction; a subscriber added to the district afterwards is not messaged, and
nobody is messaged twice. A campaign with more recipients than ``notices.approval_threshold``
needs a supervisor to approve it. The sender moves it to ``sending`` and then ``done``
(:func:`settle_campaigns`); cancelling fails its messages not yet handed to the provider.
"""

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import audit
from db.accounts import AgentView, require
from db.incidents.records import log_event
from db.models import (
    Agent,
    Campaign,
    CampaignStatus,
    NoticeChannel,
    NoticeTemplate,
    OutboxMessage,
    Role,
)
from db.notices.errors import NoticeError
from db.notices.outbox import (
    FAILED,
    NOTICE_ROLES,
    QUEUED,
    NewMessage,
    OutboxCounts,
    _aware_now,
    count_outbox,
    queue_messages,
)
from db.notices.placeholders import render
from db.notices.settings import load_notice_settings
from db.notices.sms import sms_count
from db.notices.targets import base_values, clean_target, incident_of, recipients
from db.notices.templates import Preview, preview_text
from db.text import normalize

MAX_NAME = 160
PAGE_SIZE = 50
CANCELLED_REASON = "cancelled"
_T = Campaign.__table__
_OPEN = (CampaignStatus.APPROVED.value, CampaignStatus.SENDING.value)


@dataclass(frozen=True)
class CampaignView:
    id: uuid.UUID
    name: str
    template_id: uuid.UUID
    template_code: str
    template_name: str
    channel: str
    target_kind: str
    target: dict[str, Any] = field(hash=False)
    status: str = CampaignStatus.DRAFT.value
    recipient_count: int = 0
    created_by_id: uuid.UUID | None = None
    created_by_name: str = ""
    approved_by_id: uuid.UUID | None = None
    approved_by_name: str = ""
    created_at: datetime | None = None
    approved_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class CampaignPreview:
    """What approving would send: ``recipients`` messages (``total_parts`` SMS parts, the
    longest ``max_parts``), ``sample`` as the first recipient reads it, the placeholders some
    recipients have no value for (name -> how many), and whether a supervisor must approve."""

    campaign: CampaignView
    recipients: int
    sample: Preview | None
    missing: dict[str, int] = field(hash=False)
    total_parts: int
    max_parts: int
    needs_supervisor: bool
    threshold: int


@dataclass(frozen=True)
class CampaignProgress:
    campaign: CampaignView
    counts: OutboxCounts


@dataclass(frozen=True)
class CampaignPage:
    items: tuple[CampaignView, ...]
    next_before: uuid.UUID | None


def _views(session: Session, campaigns: list[Campaign]) -> list[CampaignView]:
    template_ids = {c.template_id for c in campaigns}
    templates = {}
    if template_ids:
        stmt = select(NoticeTemplate).where(col(NoticeTemplate.id).in_(template_ids))
        templates = {t.id: t for t in session.exec(stmt).all()}
    agent_ids = {a for c in campaigns for a in (c.created_by_id, c.approved_by_id) if a}
    agents = {}
    if agent_ids:
        agents = {a.id: a for a in session.exec(select(Agent).where(col(Agent.id).in_(agent_ids)))}

    def name(agent_id: uuid.UUID | None) -> str:
        return agents[agent_id].full_name if agent_id in agents else ""

    out = []
    for c in campaigns:
        t = templates.get(c.template_id)
        out.append(
            CampaignView(
                id=c.id,
                name=c.name,
                template_id=c.template_id,
                template_code=t.code if t else "",
                template_name=t.name if t else "",
                channel=t.channel if t else "",
                target_kind=c.target_kind,
                target=dict(c.target or {}),
                status=c.status,
                recipient_count=c.recipient_count,
                created_by_id=c.created_by_id,
                created_by_name=name(c.created_by_id),
                approved_by_id=c.approved_by_id,
                approved_by_name=name(c.approved_by_id),
                created_at=c.created_at,
                approved_at=c.approved_at,
                updated_at=c.updated_at,
            )
        )
    return out


def _campaign(session: Session, campaign_id: uuid.UUID, center_id: uuid.UUID) -> Campaign:
    stmt = select(Campaign).where(Campaign.id == campaign_id)
    campaign = session.exec(stmt.execution_options(populate_existing=True)).first()
    if campaign is None or campaign.center_id != center_id:
        raise NoticeError("not_found", what="campaign", id=str(campaign_id))
    return campaign


def _sms_template(session: Session, template_id: uuid.UUID, center_id: uuid.UUID) -> NoticeTemplate:
    template = session.get(NoticeTemplate, template_id)
    if template is None or template.center_id != center_id:
        raise NoticeError("not_found", what="template", id=str(template_id))
    if template.channel != NoticeChannel.SMS:
        raise NoticeError("not_sms", channel=template.channel)
    if not template.active:
        raise NoticeError("inactive", what="template")
    return template


def campaign_view(session: Session, *, actor: AgentView, campaign_id: uuid.UUID) -> CampaignView:
    require(actor, *NOTICE_ROLES, action="read campaigns")
    return _views(session, [_campaign(session, campaign_id, actor.center_id)])[0]


def list_campaigns(
    session: Session,
    *,
    actor: AgentView,
    status: str | None = None,
    before: uuid.UUID | None = None,
    limit: int = PAGE_SIZE,
) -> CampaignPage:
    """The center's campaigns, newest first (keyset on the time-ordered id)."""
    require(actor, *NOTICE_ROLES, action="read campaigns")
    stmt = select(Campaign).where(Campaign.center_id == actor.center_id)
    if status is not None:
        stmt = stmt.where(Campaign.status == status)
    if before is not None:
        stmt = stmt.where(col(Campaign.id) < before)
    limit = max(1, min(limit, 200))
    rows = list(session.exec(stmt.order_by(col(Campaign.id).desc()).limit(limit + 1)).all())
    items = tuple(_views(session, rows[:limit]))
    return CampaignPage(items, items[-1].id if len(rows) > limit else None)


def create_campaign(
    session: Session,
    *,
    actor: AgentView,
    name: str,
    template_id: uuid.UUID,
    target_kind: str,
    target: Mapping[str, Any],
    now: datetime | None = None,
) -> CampaignView:
    """A draft campaign; its recipient count is what the target holds now. Errors: required /
    too_long (name); not_found / not_sms / inactive (template); bad_target; bad_target_ref;
    bad_value."""
    require(actor, *NOTICE_ROLES, action="write campaigns")
    now = _aware_now(now)
    name = normalize(name or "")
    if not name:
        raise NoticeError("required", field="name")
    if len(name) > MAX_NAME:
        raise NoticeError("too_long", field="name", max=MAX_NAME)
    _sms_template(session, template_id, actor.center_id)
    stored = clean_target(session, actor.center_id, target_kind, target)
    campaign = Campaign(
        center_id=actor.center_id,
        template_id=template_id,
        name=name,
        target_kind=target_kind,
        target=stored,
        status=CampaignStatus.DRAFT,
        recipient_count=len(recipients(session, actor.center_id, target_kind, stored)),
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(campaign)
    session.flush()
    return _views(session, [campaign])[0]


def _render_all(
    session: Session, campaign: Campaign, template: NoticeTemplate, now: datetime
) -> tuple[list[tuple[Any, str]], Counter[str], dict[str, str]]:
    """(recipient, text) for every recipient, and how many lack each placeholder."""
    target = campaign.target or {}
    base = base_values(session, campaign.center_id, target, now=now)
    typed = dict(target.get("values") or {})
    out = []
    missing: Counter[str] = Counter()
    for r in recipients(session, campaign.center_id, campaign.target_kind, target):
        rendered = render(template.body, base | dict(r.values) | typed)
        missing.update(rendered.missing)
        out.append((r, rendered.text))
    return out, missing, base | typed


def preview_campaign(
    session: Session, *, actor: AgentView, campaign_id: uuid.UUID, now: datetime | None = None
) -> CampaignPreview:
    """What approving the campaign would send, read now (for an approved campaign: what it
    froze). Writes nothing."""
    require(actor, *NOTICE_ROLES, action="preview campaigns")
    now = _aware_now(now)
    campaign = _campaign(session, campaign_id, actor.center_id)
    settings = load_notice_settings(session, actor.center_id)
    template = session.get(NoticeTemplate, campaign.template_id)
    assert template is not None
    view = _views(session, [campaign])[0]
    if campaign.status != CampaignStatus.DRAFT:
        stmt = select(OutboxMessage.body).where(OutboxMessage.campaign_id == campaign.id)
        texts = list(session.exec(stmt.order_by(col(OutboxMessage.id))).all())
        missing: Counter[str] = Counter()
        sample = (
            Preview(template.channel, texts[0], len(texts[0]), sms_count(texts[0]), ())
            if texts
            else None
        )
    else:
        rendered, missing, shared = _render_all(session, campaign, template, now)
        texts = [text for _r, text in rendered]
        sample_values = shared | (dict(rendered[0][0].values) if rendered else {})
        sample = (
            preview_text(
                template.body,
                template.channel,
                sample_values | dict((campaign.target or {}).get("values") or {}),
                max_parts=settings.sms_max_parts,
            )
            if rendered
            else None
        )
    parts = [sms_count(t).parts for t in texts]
    count = len(texts)
    return CampaignPreview(
        campaign=view,
        recipients=count,
        sample=sample,
        missing=dict(missing),
        total_parts=sum(parts),
        max_parts=max(parts, default=0),
        needs_supervisor=count > settings.approval_threshold,
        threshold=settings.approval_threshold,
    )


def approve_campaign(
    session: Session, *, actor: AgentView, campaign_id: uuid.UUID, now: datetime | None = None
) -> CampaignView:
    """Freeze the recipients and queue one message each (see the module's note).

    Errors: not_found; not_draft (status); not_sms / inactive (template); no_recipients;
    needs_supervisor (recipients, threshold); missing_values (names, recipients).
    """
    require(actor, *NOTICE_ROLES, action="approve campaigns")
    now = _aware_now(now)
    campaign = _campaign(session, campaign_id, actor.center_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise NoticeError("not_draft", status=campaign.status)
    template = _sms_template(session, campaign.template_id, actor.center_id)
    settings = load_notice_settings(session, actor.center_id)
    rendered, missing, _shared = _render_all(session, campaign, template, now)
    if not rendered:
        raise NoticeError("no_recipients")
    if len(rendered) > settings.approval_threshold and not actor.has_role(Role.SUPERVISOR):
        raise NoticeError(
            "needs_supervisor", recipients=len(rendered), threshold=settings.approval_threshold
        )
    if missing:
        raise NoticeError(
            "missing_values", names=tuple(sorted(missing)), recipients=max(missing.values())
        )
    result = session.execute(
        sa.update(_T)
        .where(_T.c.id == campaign.id, _T.c.status == CampaignStatus.DRAFT.value)
        .values(
            status=CampaignStatus.APPROVED.value,
            approved_by_id=actor.id,
            approved_at=now,
            updated_at=now,
        )
    )
    if result.rowcount != 1:
        fresh = _campaign(session, campaign.id, actor.center_id)
        raise NoticeError("not_draft", status=fresh.status)
    incident_id = incident_of(campaign.target or {})
    queued = queue_messages(
        session,
        actor.center_id,
        (
            NewMessage(
                recipient=r.phone,
                body=text,
                dedupe_key=f"campaign:{campaign.id}:{r.phone}",
                campaign_id=campaign.id,
                incident_id=incident_id,
                ticket_id=r.ticket_id,
            )
            for r, text in rendered
        ),
        now=now,
    )
    session.execute(sa.update(_T).where(_T.c.id == campaign.id).values(recipient_count=queued))
    if incident_id is not None:
        log_event(
            session,
            incident_id,
            actor,
            action="campaign_approved",
            at=now,
            note=campaign.name,
            data={"campaign_id": str(campaign.id), "recipients": queued},
        )
    audit.record(
        session,
        action="campaign_approved",
        actor_id=actor.id,
        center_id=actor.center_id,
        entity="campaign",
        entity_id=campaign.id,
        changes={"status": [CampaignStatus.DRAFT.value, CampaignStatus.APPROVED.value]},
        detail=f"recipients {queued}",
    )
    session.flush()
    return _views(session, [_campaign(session, campaign.id, actor.center_id)])[0]


def cancel_campaign(
    session: Session, *, actor: AgentView, campaign_id: uuid.UUID, now: datetime | None = None
) -> CampaignView:
    """Stop a campaign: a draft is dropped from use; an approved or sending one's queued messages
    fail with the reason "cancelled" (those already with the provider go on). Errors: not_found;
    not_draft (status: done or cancelled already)."""
    require(actor, *NOTICE_ROLES, action="cancel campaigns")
    now = _aware_now(now)
    campaign = _campaign(session, campaign_id, actor.center_id)
    if campaign.status not in (CampaignStatus.DRAFT, *_OPEN):
        raise NoticeError("not_draft", status=campaign.status)
    if campaign.status in _OPEN and not actor.has_role(Role.SUPERVISOR):
        # Stopping what a supervisor approved is a supervisor's call too.
        approver = campaign.approved_by_id
        if approver != actor.id:
            require(actor, Role.SUPERVISOR, action="cancel approved campaigns")
    result = session.execute(
        sa.update(_T)
        .where(_T.c.id == campaign.id, _T.c.status == campaign.status)
        .values(status=CampaignStatus.CANCELLED.value, updated_at=now)
    )
    if result.rowcount != 1:
        raise NoticeError(
            "not_draft", status=_campaign(session, campaign.id, actor.center_id).status
        )
    outbox = OutboxMessage.__table__
    session.execute(
        sa.update(outbox)
        .where(outbox.c.campaign_id == campaign.id, outbox.c.status == QUEUED)
        .values(status=FAILED, last_error=CANCELLED_REASON, next_attempt_at=None)
    )
    audit.record(
        session,
        action="campaign_cancelled",
        actor_id=actor.id,
        center_id=actor.center_id,
        entity="campaign",
        entity_id=campaign.id,
        changes={"status": [campaign.status, CampaignStatus.CANCELLED.value]},
    )
    session.flush()
    return _views(session, [_campaign(session, campaign.id, actor.center_id)])[0]


def campaign_progress(
    session: Session, *, actor: AgentView, campaign_id: uuid.UUID
) -> CampaignProgress:
    """A campaign and its messages per status."""
    require(actor, *NOTICE_ROLES, action="read campaigns")
    campaign = _campaign(session, campaign_id, actor.center_id)
    counts = count_outbox(session, actor.center_id, campaign_id=campaign.id)
    return CampaignProgress(_views(session, [campaign])[0], counts)


def settle_campaigns(session: Session, center_id: uuid.UUID, *, now: datetime) -> int:
    """Move approved campaigns that began sending to ``sending``, and those with nothing left
    to hand over to ``done``. Returns how many changed (the sender calls it after each run)."""
    open_ = session.exec(
        select(Campaign).where(Campaign.center_id == center_id, col(Campaign.status).in_(_OPEN))
    ).all()
    changed = 0
    for campaign in open_:
        counts = count_outbox(session, center_id, campaign_id=campaign.id)
        if counts.pending == 0:
            status = CampaignStatus.DONE.value
        elif counts.total > counts.queued:
            status = CampaignStatus.SENDING.value
        else:
            continue
        if status != campaign.status:
            result = session.execute(
                sa.update(_T)
                .where(_T.c.id == campaign.id, _T.c.status == campaign.status)
                .values(status=status, updated_at=now)
            )
            changed += result.rowcount
    return changed
