"""Notices (اطلاع‌رسانی): the SMS templates, the campaign that announced the planned cut-off
to its area, and the outbox of text messages.

The campaign went to every active subscriber's mobile in the cut-off's district and street,
once per number; most messages were delivered, a few failed. Closing the cut-off sent "water is
back" to everyone who called about it and to the same area, once per number (the rule of
`db.incidents.restored`). The latest requests got their tracking code by SMS, and the last three
of those messages are still queued at `now`. The center signs its notices "آبفا اصفهان"
(``notices.center_name``).
"""

import random
import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import catalog_seed
from db.demo.bulk import insert, insert_many
from db.demo.city import CITY_FA, City
from db.demo.context import HOUR, MINUTE, Demo, ReferenceIds, utc, uuid7_from
from db.demo.incidents import PLANNED_CUTOFF, IncidentPlan
from db.demo.people import Subscribers
from db.demo.staff import Staff
from db.demo.tickets import TicketPlan
from db.jalali import format_date, format_time
from db.models import (
    Call,
    Campaign,
    CampaignStatus,
    CenterSetting,
    IncidentEvent,
    NoticeChannel,
    NoticeTemplate,
    OutboxMessage,
    OutboxStatus,
)
from db.notices.outbox import is_mobile
from db.notices.settings import SETTING_CENTER_NAME

Templates = dict[tuple[str, NoticeChannel], tuple[uuid.UUID, catalog_seed.NoticeTemplateSeed]]


def plan_templates(ids: ReferenceIds) -> Templates:
    """The notice templates, by (code, channel)."""
    return {(t.code, t.channel): (ids()[0], t) for t in catalog_seed.NOTICE_TEMPLATES}


def write_templates(s: Session, city: City, templates: Templates) -> None:
    insert(
        s,
        NoticeTemplate,
        [
            dict(id=template_id, center_id=city.center_id, code=t.code, channel=t.channel.value,
                 name=t.name, body=t.body, active=True, updated_at=city.setup_at)
            for template_id, t in templates.values()
        ],
    )  # fmt: skip


def write_notices(
    s: Session,
    demo: Demo,
    *,
    city: City,
    staff: Staff,
    subscribers: Subscribers,
    incidents: list[IncidentPlan],
    tickets: list[TicketPlan],
    templates: Templates,
) -> None:
    rng = demo.rng("notices")
    campaign, rows = _cutoff_campaign(
        rng, city, staff, subscribers, incidents[PLANNED_CUTOFF], templates
    )
    insert(s, Campaign, [campaign])
    rows += _restored_messages(s, demo, city, subscribers, incidents[PLANNED_CUTOFF], templates)
    rows += _tracking_code_messages(rng, demo, city, tickets, templates)
    rows.sort(key=lambda r: r["created_at"])
    insert_many(s, OutboxMessage, rows, report=demo.report, stage="outbox", total=len(rows))
    insert(
        s,
        CenterSetting,
        [dict(center_id=city.center_id, key=SETTING_CENTER_NAME, value=CITY_FA,
              updated_at=city.setup_at)],
    )  # fmt: skip


def _area_recipients(subscribers: Subscribers, inc: IncidentPlan) -> list[str]:
    """The mobiles of the active subscribers of an incident's area (its district and street),
    once each, in the order of the subscribers."""
    recipients: list[str] = []
    seen: set[str] = set()
    for sub in subscribers.people:
        in_area = sub.district == inc.district or sub.street == inc.street
        if not in_area or not sub.active:
            continue
        for phone in sub.phones:
            if phone.startswith("09") and phone not in seen:
                seen.add(phone)
                recipients.append(phone)
    return recipients


def _restored_messages(
    s: Session,
    demo: Demo,
    city: City,
    subscribers: Subscribers,
    inc: IncidentPlan,
    templates: Templates,
) -> list[dict[str, Any]]:
    """ "Water is back", queued when the cut-off closed: to its callers, then to its area."""
    assert inc.closed is not None
    rng = demo.rng("restored")
    callers = s.exec(
        select(Call.phone)
        .where(Call.incident_id == inc.id, col(Call.phone).is_not(None))
        .order_by(col(Call.started_at), col(Call.id))
    ).all()
    recipients = list(dict.fromkeys(
        [p for p in callers if is_mobile(p)] + _area_recipients(subscribers, inc)
    ))  # fmt: skip
    _template_id, template = templates[("incident_restored", NoticeChannel.SMS)]
    area = f"{city.districts[inc.district].name_fa}، {city.streets[inc.street].name_fa}"
    body = template.body.format(district=area, center=CITY_FA)
    rows = []
    for k, phone in enumerate(recipients):
        sent = inc.closed + 5 + k * 0.2
        delivered = rng.random() < 0.95
        rows.append(
            dict(
                id=uuid7_from(rng, inc.closed),
                center_id=city.center_id,
                channel=NoticeChannel.SMS,
                recipient=phone,
                body=body,
                campaign_id=None,
                ticket_id=None,
                incident_id=inc.id,
                callback_id=None,
                dedupe_key=f"incident:{inc.id}:restored:{phone}",
                status=OutboxStatus.DELIVERED if delivered else OutboxStatus.SENT,
                attempts=1,
                next_attempt_at=None,
                last_error="",
                provider_ref=f"DEMO{rng.randrange(10**10):010d}",
                created_at=utc(inc.closed),
                sent_at=utc(sent),
                delivered_at=utc(sent + 2 + rng.random() * 60) if delivered else None,
            )
        )
    # The close event says what it queued, as db.incidents writes it.
    events = IncidentEvent.__table__
    s.execute(
        sa.update(events)
        .where(events.c.incident_id == inc.id, events.c.action == "closed")
        .values(data={"notices": len(rows), "callbacks": 0, "notify_area": True})
    )
    return rows


def _cutoff_campaign(
    rng: random.Random,
    city: City,
    staff: Staff,
    subscribers: Subscribers,
    inc: IncidentPlan,
    templates: Templates,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The campaign announcing the planned cut-off, and its messages."""
    district = city.districts[inc.district]
    template_id, template = templates[("planned_cutoff", NoticeChannel.SMS)]
    created = inc.declared + 2 * HOUR
    approved = created + HOUR
    recipients = _area_recipients(subscribers, inc)
    campaign_id = uuid7_from(rng, created)
    campaign = dict(
        id=campaign_id,
        center_id=city.center_id,
        template_id=template_id,
        name=f"اطلاع‌رسانی قطعی {district.name_fa}",
        target_kind="incident_area",
        target={
            "incident_id": str(inc.id),
            "district_ids": [str(district.id)],
            "streets": [city.streets[inc.street].name_fa],
        },
        status=CampaignStatus.DONE,
        recipient_count=len(recipients),
        created_by_id=staff.ids[staff.notifier],
        approved_by_id=staff.ids[staff.supervisor],
        created_at=utc(created),
        approved_at=utc(approved),
        updated_at=utc(approved + 10 * MINUTE),
    )
    body = template.body.format(
        district=district.name_fa,
        date=format_date(utc(inc.started), "fa"),
        start=format_time(utc(inc.started), "fa"),
        eta=format_time(utc(inc.eta), "fa"),
        center=CITY_FA,
    )
    rows = []
    for k, phone in enumerate(recipients):
        sent = approved + 5 + k * 0.2
        roll = rng.random()
        status = (
            OutboxStatus.DELIVERED if roll < 0.9
            else OutboxStatus.SENT if roll < 0.95
            else OutboxStatus.FAILED
        )  # fmt: skip
        rows.append(
            dict(
                id=uuid7_from(rng, approved),
                center_id=city.center_id,
                channel=NoticeChannel.SMS,
                recipient=phone,
                body=body,
                campaign_id=campaign_id,
                ticket_id=None,
                incident_id=inc.id,
                callback_id=None,
                dedupe_key=f"campaign:{campaign_id}:{phone}",
                status=status,
                attempts=3 if status == OutboxStatus.FAILED else 1,
                next_attempt_at=None,
                last_error="شماره در دسترس نیست" if status == OutboxStatus.FAILED else "",
                provider_ref=f"DEMO{rng.randrange(10**10):010d}",
                created_at=utc(approved),
                sent_at=utc(sent) if status != OutboxStatus.FAILED else None,
                delivered_at=(
                    utc(sent + 2 + rng.random() * 60) if status == OutboxStatus.DELIVERED else None
                ),
            )
        )
    return campaign, rows


def _tracking_code_messages(
    rng: random.Random,
    demo: Demo,
    city: City,
    tickets: list[TicketPlan],
    templates: Templates,
) -> list[dict[str, Any]]:
    """The latest requests got their tracking code by SMS; the very last are still queued."""
    _template_id, template = templates[("ticket_registered", NoticeChannel.SMS)]
    rows = []
    recent = [t for t in tickets if t.phone and t.phone.startswith("09")][-12:]
    for k, t in enumerate(recent):
        queued = k >= len(recent) - 3
        at = t.ts + 5
        rows.append(
            dict(
                id=uuid7_from(rng, at),
                center_id=city.center_id,
                channel=NoticeChannel.SMS,
                recipient=t.phone,
                body=template.body.format(name=t.caller_name, tracking_code=t.code, center=CITY_FA),
                campaign_id=None,
                ticket_id=t.id,
                incident_id=None,
                callback_id=None,
                dedupe_key=f"ticket:{t.id}:registered",
                status=OutboxStatus.QUEUED if queued else OutboxStatus.DELIVERED,
                attempts=0 if queued else 1,
                next_attempt_at=utc(demo.now_ts + MINUTE) if queued else None,
                last_error="",
                provider_ref=None if queued else f"DEMO{rng.randrange(10**10):010d}",
                created_at=utc(at),
                sent_at=None if queued else utc(at + 3),
                delivered_at=None if queued else utc(at + 9),
            )
        )
    return rows
