"""Who a campaign goes to: the recipients of a target, with their own placeholder values.

Targets (``Campaign.target_kind`` and its ``target`` JSON):

- ``districts`` ``{"district_ids": [...]}``: active subscribers of those districts;
- ``incident_area`` ``{"incident_id": ...}``: active subscribers whose address the incident's
  area covers (:func:`db.incidents.areas.area_condition`);
- ``incident_callers`` ``{"incident_id": ...}``: everyone who called about the incident;
- ``open_requests_in_category`` ``{"category_id": ...}``: the callers of open requests in that
  category, each told their own tracking code.

Any target may carry ``"values": {"eta": "...", ...}``, values the officer typed, which win over
those read from rows. Only mobiles receive an SMS; a number is listed once (its first row wins).
"""

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from db.incidents.areas import area_condition, area_rows
from db.models import (
    OPEN_STATUSES,
    Call,
    Category,
    District,
    Incident,
    Subscriber,
    SubscriberPhone,
    Ticket,
)
from db.notices.errors import NoticeError
from db.notices.outbox import is_mobile
from db.notices.placeholders import PLACEHOLDERS
from db.notices.settings import load_notice_settings
from db.notices.values import FALLBACK_NAME, incident_values

TARGET_KINDS = ("districts", "incident_area", "incident_callers", "open_requests_in_category")
MAX_VALUE = 200


@dataclass(frozen=True)
class Recipient:
    phone: str
    subscriber_id: uuid.UUID | None = None
    ticket_id: uuid.UUID | None = None
    values: Mapping[str, str] = field(default_factory=dict, hash=False)


def _uuid(value: Any, what: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NoticeError("bad_target_ref", what=what, id=str(value)) from None


def _in_center(session: Session, model: Any, value: Any, what: str, center_id: uuid.UUID) -> Any:
    row = session.get(model, _uuid(value, what))
    if row is None or row.center_id != center_id:
        raise NoticeError("bad_target_ref", what=what, id=str(value))
    return row


def clean_target(
    session: Session, center_id: uuid.UUID, kind: str, target: Mapping[str, Any]
) -> dict[str, Any]:
    """The target as stored: ids checked to be in the center and written as strings, typed
    values checked to be known placeholders. Errors: bad_target (kind); bad_target_ref (what,
    id); bad_value (name)."""
    if kind not in TARGET_KINDS or not isinstance(target, Mapping):
        raise NoticeError("bad_target", kind=str(kind))
    out: dict[str, Any] = {}
    if kind == "districts":
        ids = target.get("district_ids")
        if not isinstance(ids, list | tuple) or not ids:
            raise NoticeError("bad_target", kind=kind)
        out["district_ids"] = sorted(
            {str(_in_center(session, District, d, "district", center_id).id) for d in ids}
        )
    elif kind in ("incident_area", "incident_callers"):
        incident = _in_center(session, Incident, target.get("incident_id"), "incident", center_id)
        out["incident_id"] = str(incident.id)
    else:
        category = _in_center(session, Category, target.get("category_id"), "category", center_id)
        out["category_id"] = str(category.id)
    values = target.get("values") or {}
    if not isinstance(values, Mapping):
        raise NoticeError("bad_value", name="values")
    for name, value in values.items():
        if name not in PLACEHOLDERS or not isinstance(value, str) or len(value) > MAX_VALUE:
            raise NoticeError("bad_value", name=str(name))
    if values:
        out["values"] = {k: v.strip() for k, v in values.items() if v.strip()}
    return out


def incident_of(target: Mapping[str, Any]) -> uuid.UUID | None:
    value = target.get("incident_id")
    return uuid.UUID(value) if value else None


def base_values(
    session: Session, center_id: uuid.UUID, target: Mapping[str, Any], *, now: datetime
) -> dict[str, str]:
    """Values every recipient shares: the center's name and the incident's."""
    values = {"center": load_notice_settings(session, center_id).center_name}
    incident_id = incident_of(target)
    if incident_id is not None:
        incident = session.get(Incident, incident_id)
        if incident is not None:
            values |= incident_values(session, incident, now=now)
    return values


def _district_names(session: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(District).where(col(District.id).in_(wanted))).all()
    return {d.id: d.name_fa for d in rows}


def _subscribers(session: Session, where: list, *, own_district: bool) -> Iterator[Recipient]:
    stmt = (
        select(SubscriberPhone.phone, Subscriber.id, Subscriber.name, Subscriber.district_id)
        .join(Subscriber, col(Subscriber.id) == col(SubscriberPhone.subscriber_id))
        .where(col(Subscriber.active), *where)
        .order_by(col(Subscriber.id), col(SubscriberPhone.phone))
    )
    rows = session.exec(stmt).all()
    names = _district_names(session, {r[3] for r in rows}) if own_district else {}
    for phone, subscriber_id, name, district_id in rows:
        values = {"name": name or FALLBACK_NAME}
        if own_district and district_id in names:
            values["district"] = names[district_id]
        yield Recipient(phone, subscriber_id, None, values)


def _callers(session: Session, incident_id: uuid.UUID) -> Iterator[Recipient]:
    stmt = (
        select(Call.phone, Call.subscriber_id, Subscriber.name)
        .outerjoin(Subscriber, col(Subscriber.id) == col(Call.subscriber_id))
        .where(Call.incident_id == incident_id, col(Call.phone).is_not(None))
        .order_by(col(Call.started_at), col(Call.id))
    )
    for phone, subscriber_id, name in session.exec(stmt).all():
        yield Recipient(phone, subscriber_id, None, {"name": name or FALLBACK_NAME})


def _open_requests(
    session: Session, center_id: uuid.UUID, category_id: uuid.UUID
) -> Iterator[Recipient]:
    stmt = (
        select(Ticket, Subscriber)
        .outerjoin(Subscriber, col(Subscriber.id) == col(Ticket.subscriber_id))
        .where(
            Ticket.center_id == center_id,
            Ticket.category_id == category_id,
            col(Ticket.status).in_(sorted(OPEN_STATUSES)),
        )
        .order_by(col(Ticket.opened_at), col(Ticket.id))
    )
    rows = session.exec(stmt).all()
    names = _district_names(
        session, {t.district_id or (s.district_id if s else None) for t, s in rows}
    )
    phones: dict[uuid.UUID, list[str]] = {}
    subscriber_ids = {s.id for _t, s in rows if s is not None}
    if subscriber_ids:
        stmt_phones = (
            select(SubscriberPhone.subscriber_id, SubscriberPhone.phone)
            .where(col(SubscriberPhone.subscriber_id).in_(subscriber_ids))
            .order_by(col(SubscriberPhone.phone))
        )
        for sid, phone in session.exec(stmt_phones).all():
            phones.setdefault(sid, []).append(phone)
    for ticket, sub in rows:
        candidates = [ticket.phone] if is_mobile(ticket.phone) else []
        candidates += phones.get(sub.id, []) if sub else []
        phone = next((p for p in candidates if is_mobile(p)), None)
        if phone is None:
            continue
        district_id = ticket.district_id or (sub.district_id if sub else None)
        values = {
            "tracking_code": ticket.tracking_code,
            "name": ticket.caller_name or (sub.name if sub else "") or FALLBACK_NAME,
        }
        if district_id in names:
            values["district"] = names[district_id]
        yield Recipient(phone, sub.id if sub else None, ticket.id, values)


def recipients(
    session: Session, center_id: uuid.UUID, kind: str, target: Mapping[str, Any]
) -> list[Recipient]:
    """The target's recipients now: mobiles only, each number once, in a stable order."""
    if kind == "districts":
        ids = [uuid.UUID(d) for d in target["district_ids"]]
        found = _subscribers(
            session,
            [Subscriber.center_id == center_id, col(Subscriber.district_id).in_(ids)],
            own_district=True,
        )
    elif kind == "incident_area":
        areas = area_rows(session, uuid.UUID(target["incident_id"]))
        found = _subscribers(
            session, [Subscriber.center_id == center_id, area_condition(areas)], own_district=False
        )
    elif kind == "incident_callers":
        found = _callers(session, uuid.UUID(target["incident_id"]))
    elif kind == "open_requests_in_category":
        found = _open_requests(session, center_id, uuid.UUID(target["category_id"]))
    else:
        raise NoticeError("bad_target", kind=str(kind))
    out: dict[str, Recipient] = {}
    for r in found:
        if is_mobile(r.phone) and r.phone not in out:
            out[r.phone] = r
    return list(out.values())
