"""What closing an incident owes the people who called: "service restored".

Everyone who called about the incident from a mobile gets one SMS (and, when the supervisor
chose it, every subscriber in the area with a mobile), queued in the closing transaction under
the dedupe key ``incident:<id>:restored:<phone>``: one message per number however many times it
called, and none again if the close is retried. Callers who asked to be called back get a
callback task (one per number), which the callbacks desk works like any other.

The text is the center's active SMS template for the incident's kind (``<kind>_restored``),
else ``incident_restored`` for a cut-off of water, else a built-in sentence.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.incidents.areas import area_condition, area_rows
from db.models import (
    Call,
    Callback,
    Incident,
    IncidentKind,
    NoticeChannel,
    Subscriber,
    SubscriberPhone,
)
from db.notices.outbox import NewMessage, is_mobile, queue_messages
from db.notices.placeholders import render
from db.notices.settings import load_notice_settings
from db.notices.templates import active_template
from db.notices.values import FALLBACK_NAME, incident_values

CALLBACK_REASON = "incident_restored"
WATER_BACK = "مشترک گرامی، آب {district} وصل شد. از شکیبایی شما سپاسگزاریم. {center}"
RESOLVED = "مشترک گرامی، مشکل «{title}» برطرف شد. از شکیبایی شما سپاسگزاریم. {center}"
_WATER_KINDS = frozenset(
    {IncidentKind.MAIN_BREAK, IncidentKind.PLANNED_CUTOFF, IncidentKind.UNPLANNED_CUTOFF}
)


@dataclass(frozen=True)
class _Person:
    phone: str
    subscriber_id: uuid.UUID | None
    name: str
    wants_callback: bool


def restored_body(session: Session, incident: Incident) -> str:
    """The template text for this incident's "restored" notice."""
    codes = [f"{incident.kind}_restored"]
    if incident.kind in _WATER_KINDS:
        codes.append("incident_restored")
    template = active_template(session, incident.center_id, codes, NoticeChannel.SMS)
    if template is not None:
        return template.body
    return WATER_BACK if incident.kind in _WATER_KINDS else RESOLVED


def _callers(session: Session, incident_id: uuid.UUID) -> dict[str, _Person]:
    stmt = (
        select(Call.phone, Call.subscriber_id, Subscriber.name, Call.wants_callback)
        .outerjoin(Subscriber, col(Subscriber.id) == col(Call.subscriber_id))
        .where(Call.incident_id == incident_id, col(Call.phone).is_not(None))
        .order_by(col(Call.started_at), col(Call.id))
    )
    people: dict[str, _Person] = {}
    for phone, subscriber_id, name, wants in session.exec(stmt).all():
        known = people.get(phone)
        people[phone] = _Person(
            phone=phone,
            subscriber_id=(known.subscriber_id if known else None) or subscriber_id,
            name=(known.name if known else "") or name or "",
            wants_callback=bool(wants) or (known.wants_callback if known else False),
        )
    return people


def _area_subscribers(session: Session, incident: Incident) -> dict[str, _Person]:
    areas = area_rows(session, incident.id)
    stmt = (
        select(SubscriberPhone.phone, Subscriber.id, Subscriber.name)
        .join(Subscriber, col(Subscriber.id) == col(SubscriberPhone.subscriber_id))
        .where(
            Subscriber.center_id == incident.center_id,
            col(Subscriber.active),
            area_condition(areas),
        )
        .order_by(col(Subscriber.id), col(SubscriberPhone.phone))
    )
    people: dict[str, _Person] = {}
    for phone, subscriber_id, name in session.exec(stmt).all():
        people.setdefault(phone, _Person(phone, subscriber_id, name or "", False))
    return people


def queue_restored(
    session: Session, incident: Incident, *, notify_area: bool, now: datetime
) -> tuple[int, int]:
    """Queue the "restored" SMS and create the callbacks, in the caller's transaction.
    Returns (messages queued, callbacks created)."""
    body = restored_body(session, incident)
    values = incident_values(session, incident, now=now)
    values["center"] = load_notice_settings(session, incident.center_id).center_name
    callers = _callers(session, incident.id)
    people = dict(callers)
    if notify_area:
        for phone, person in _area_subscribers(session, incident).items():
            people.setdefault(phone, person)
    messages = [
        NewMessage(
            recipient=p.phone,
            body=render(body, values | {"name": p.name or FALLBACK_NAME}).text,
            dedupe_key=f"incident:{incident.id}:restored:{p.phone}",
            incident_id=incident.id,
        )
        for p in people.values()
        if is_mobile(p.phone)
    ]
    queued = queue_messages(session, incident.center_id, messages, now=now)

    already = set(
        session.exec(
            select(Callback.phone).where(
                Callback.incident_id == incident.id, Callback.reason == CALLBACK_REASON
            )
        ).all()
    )
    script = render(body, values | {"name": FALLBACK_NAME}).text
    callbacks = [
        Callback(
            center_id=incident.center_id,
            incident_id=incident.id,
            subscriber_id=p.subscriber_id,
            phone=p.phone,
            reason=CALLBACK_REASON,
            script=script,
            due_at=now,
            created_at=now,
            updated_at=now,
        )
        for p in callers.values()
        if p.wants_callback and p.phone not in already
    ]
    session.add_all(callbacks)
    session.flush()
    return queued, len(callbacks)
