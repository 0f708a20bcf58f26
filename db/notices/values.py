"""Real values for placeholders, read from the rows a notice is about.

One place decides how an incident, a request or a subscriber reads in a notice: the area in
words, times in Tehran with Persian digits, a caller with no known name addressed as "مشترک"
("subscriber": the seed templates say "{name} گرامی"), so a preview shows exactly what the
recipient will read.
"""

import uuid
from datetime import datetime

from sqlmodel import Session

from db.incidents.areas import area_label, area_rows
from db.jalali import TEHRAN, format_date, format_datetime, format_time
from db.models import District, Incident, Subscriber, Ticket

#: How a recipient without a known name is addressed.
FALLBACK_NAME = "مشترک"


def eta_text(eta: datetime | None, reference: datetime) -> str:
    """The restoration time as a notice says it: the time alone when it falls on the same
    Tehran day as ``reference``, else date and time (Jalali, Persian digits)."""
    if eta is None:
        return ""
    if eta.astimezone(TEHRAN).date() == reference.astimezone(TEHRAN).date():
        return format_time(eta, "fa")
    return format_datetime(eta, "fa")


def incident_values(session: Session, incident: Incident, *, now: datetime) -> dict[str, str]:
    """{district} (the area in words), {eta}, {start}, {date}, {title}, {message}."""
    reference = max(incident.started_at, now)
    return {
        "district": area_label(session, area_rows(session, incident.id), "fa"),
        "eta": eta_text(incident.expected_restoration_at, reference),
        "start": format_time(incident.started_at, "fa"),
        "date": format_date(incident.started_at, "fa"),
        "title": incident.title,
        "message": incident.public_message,
    }


def district_name(session: Session, district_id: uuid.UUID | None) -> str:
    district = session.get(District, district_id) if district_id else None
    return district.name_fa if district else ""


def subscriber_values(session: Session, subscriber: Subscriber) -> dict[str, str]:
    """{name}, {district}."""
    return {
        "name": subscriber.name or FALLBACK_NAME,
        "district": district_name(session, subscriber.district_id),
    }


def ticket_values(session: Session, ticket: Ticket) -> dict[str, str]:
    """{tracking_code}, {name}, {district} (the request's, else its subscriber's)."""
    subscriber = session.get(Subscriber, ticket.subscriber_id) if ticket.subscriber_id else None
    name = ticket.caller_name or (subscriber.name if subscriber else "") or FALLBACK_NAME
    district_id = ticket.district_id or (subscriber.district_id if subscriber else None)
    return {
        "tracking_code": ticket.tracking_code,
        "name": name,
        "district": district_name(session, district_id),
    }
