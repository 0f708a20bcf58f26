"""Who is calling: read what the agent typed (:func:`parse_caller_query`) and build the caller
card (:func:`lookup_caller`).

Why apart from the call outcomes: this is the read side of a call, run in a worker as the agent
types. The card shows the matching accounts, their recent calls, their open requests with the
clocks, and the active incidents covering their address.
"""

import contextlib
import re
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import sla
from db.accounts import AgentView
from db.incidents.areas import Address, incidents_covering
from db.intake.errors import IntakeError, _aware_now, _require_caller
from db.intake.queries import (
    MAX_CONTACTS,
    MAX_OPEN_REQUESTS,
    MAX_SUBSCRIBERS,
    _center_is,
    _minutes_left,
    _Named,
    _open_ticket_rows,
    _recent_call_rows,
    _ticket_by_code,
    _ticket_fields,
)
from db.intake.views import (
    CallerCard,
    CallerQuery,
    ContactView,
    IncidentCard,
    OpenRequestView,
    QueryKind,
    SubscriberCard,
)
from db.models import OPEN_STATUSES, District, Subscriber, SubscriberPhone, Ticket
from db.text import normalize, search_key, to_ascii_digits
from db.tracking import is_valid_tracking_code
from db.validate import (
    ValidationError,
    normalize_bill_id,
    normalize_landline,
    normalize_mobile,
    normalize_national_code,
    normalize_phone,
)

# What people put between digits (as db.validate): spaces, ZWNJ, bidi marks, dashes, dots...
_SEPARATORS = re.compile(r"[\s\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\-\u2010-\u2015_./()]+")
# Upper bound of a prefix range: above every character a search key can hold.
_PREFIX_END = chr(0x10FFFF)

_SUBSCRIBERS = Subscriber.__table__
_PHONES = SubscriberPhone.__table__
_DISTRICTS = District.__table__


def _digit_readings(d: str, default_area: str | None) -> list[tuple[str, str]]:
    readings: list[tuple[str, str]] = []
    n = len(d)
    if n == 12 and is_valid_tracking_code(d):
        readings.append((QueryKind.TRACKING_CODE, d))
    if n == 12 and d.startswith("98"):
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.PHONE, normalize_phone("+" + d)[1]))
    if n == 10 and d.startswith("9"):
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.PHONE, normalize_mobile(d)))
    if n == 8 and default_area and d[0] not in "01":
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.PHONE, normalize_landline(d, default_area)))
    if 8 <= n <= 10:
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.NATIONAL_CODE, normalize_national_code(d)))
    if 6 <= len(d.lstrip("0")) <= 13:
        with contextlib.suppress(ValidationError):
            readings.append((QueryKind.BILL_ID, normalize_bill_id(d)))
    if n <= 20:
        readings.append((QueryKind.SUBSCRIPTION_NO, d))
    return readings


def parse_caller_query(text: str, *, default_area: str | None = None) -> CallerQuery:
    """Read what the agent typed to find a caller.

    Any digit script, spaces and dashes. A leading ``+`` or ``0098``, eleven digits from ``0``,
    or ``09`` that is not a national code mean a phone (mobile or landline; errors are
    IntakeError("phone", validator reason)). Other digits (national codes often start with 0)
    are read every way they validate, most likely first: a 12-digit tracking code, a mobile typed
    without its 0 (ten digits from 9), an 8-digit local landline when ``default_area`` (the
    center's area code, e.g. "31") is given, a national code, a bill ID (mod11), and always a
    subscription number. Text with letters is a name: its search key, searched by prefix.

    Errors (field "query"): empty, too_short (a name under two characters), too_long (more
    than 20 digits), unrecognised (no digit and no letter).
    """
    raw = normalize(text or "")
    if not raw:
        raise IntakeError("query", "empty")
    ascii_text = to_ascii_digits(unicodedata.normalize("NFKC", raw)).strip()
    plus = ascii_text.startswith("+")
    compact = _SEPARATORS.sub("", ascii_text.removeprefix("+"))
    if compact and compact.isascii() and compact.isdigit():
        readings = _digit_readings(compact, default_area)
        phone_only = (
            plus or compact.startswith("0098") or (compact.startswith("0") and len(compact) == 11)
        )
        # "09" and not eleven digits: a mistyped mobile, unless it is a national code.
        bad_mobile = compact.startswith("09") and not any(
            kind == QueryKind.NATIONAL_CODE for kind, _ in readings
        )
        if phone_only or bad_mobile:
            try:
                return CallerQuery(QueryKind.PHONE, normalize_phone(ascii_text, default_area)[1])
            except ValidationError as e:
                raise IntakeError("phone", e.reason.value, str(e), value=text) from None
        if not readings:
            raise IntakeError("query", "too_long", value=text)
        return CallerQuery(readings[0][0], readings[0][1], tuple(readings[1:]))
    if any(ch.isalpha() for ch in raw):
        key = search_key(raw)
        if len(key) < 2:
            raise IntakeError("query", "too_short", value=text)
        return CallerQuery(QueryKind.NAME, key)
    raise IntakeError("query", "unrecognised", value=text)


def _subscriber_ids(
    session: Session, kind: str, value: str, center_id: uuid.UUID, limit: int
) -> list[uuid.UUID]:
    if kind == QueryKind.PHONE:
        stmt = (
            select(SubscriberPhone.subscriber_id)
            .where(
                SubscriberPhone.phone == value,
                _center_is(session, SubscriberPhone.__table__.c.center_id, center_id),
            )
            .limit(limit)
        )
        return list(dict.fromkeys(session.exec(stmt).all()))
    table = Subscriber.__table__.c
    center = _center_is(session, table.center_id, center_id)
    if kind == QueryKind.SUBSCRIPTION_NO:
        # The unique (center_id, subscription_no) index serves this one as it is.
        where = [Subscriber.center_id == center_id, Subscriber.subscription_no == value]
        order = [col(Subscriber.id)]
    elif kind == QueryKind.BILL_ID:
        where, order = [center, Subscriber.bill_id == value], [col(Subscriber.id)]
    elif kind == QueryKind.NATIONAL_CODE:
        where, order = [center, Subscriber.national_code == value], [col(Subscriber.id)]
    elif kind == QueryKind.NAME:
        # A range, not LIKE: both engines use the plain index on name_key for it.
        where = [
            center,
            col(Subscriber.name_key) >= value,
            col(Subscriber.name_key) < value + _PREFIX_END,
        ]
        order = [col(Subscriber.name_key), col(Subscriber.id)]
    else:
        return []
    stmt = select(Subscriber.id).where(*where).order_by(*order).limit(limit)
    return list(session.exec(stmt).all())


def _subscriber_rows(session: Session, ids: list[uuid.UUID]) -> list[Any]:
    """The subscribers ``ids`` in that order, with their district's names (rows)."""
    if not ids:
        return []
    # The district's names as subqueries, not a join: a join lets PostgreSQL walk a whole
    # subscriber index in district order when the tables are small; this reads subscribers by
    # key, then each district by key.
    district = _DISTRICTS.c.id == _SUBSCRIBERS.c.district_id
    stmt = sa.select(
        _SUBSCRIBERS,
        sa.select(_DISTRICTS.c.name_fa).where(district).scalar_subquery().label("district_name_fa"),
        sa.select(_DISTRICTS.c.name_en).where(district).scalar_subquery().label("district_name_en"),
    ).where(_SUBSCRIBERS.c.id.in_(ids))
    rows = {row.id: row for row in session.execute(stmt)}
    return [rows[i] for i in ids if i in rows]


def _incident_cards(
    session: Session, subscribers: Sequence[Any], center_id: uuid.UUID
) -> list[IncidentCard]:
    """The active incidents covering the subscribers' addresses (one definition of "covers":
    :mod:`db.incidents.areas`)."""
    addresses = [Address(s.id, s.district_id, s.street_key) for s in subscribers]
    return [
        IncidentCard(
            id=i.id,
            kind=i.kind,
            status=i.status,
            title=i.title,
            public_message=i.public_message,
            started_at=i.started_at,
            expected_restoration_at=i.expected_restoration_at,
            subscriber_ids=covered,
        )
        for i, covered in incidents_covering(session, center_id, addresses)
    ]


def lookup_caller(
    session: Session,
    *,
    actor: AgentView,
    query: str,
    default_area: str | None = None,
    now: datetime | None = None,
) -> CallerCard:
    """The caller card for what the agent typed (see :func:`parse_caller_query`).

    Subscribers found by every reading of the query (at most MAX_SUBSCRIBERS), their phones and
    districts; the last MAX_CONTACTS calls from the number or the accounts; their open requests
    with the minutes left on each clock; and the active incidents whose area (a district, or a
    street by search key) covers a subscriber's address. Every query is an index lookup with a
    limit, so the card costs the same on a database of any size.
    """
    _require_caller(actor, "take calls")
    now = _aware_now(now)
    q = parse_caller_query(query, default_area=default_area)
    center_id = actor.center_id

    matched: dict[uuid.UUID, str] = {}
    phone: str | None = None
    tracked: Ticket | None = None
    more = False
    for kind, value in q.readings:
        if kind == QueryKind.PHONE and phone is None:
            phone = value
        if kind == QueryKind.TRACKING_CODE:
            tracked = _ticket_by_code(session, value, center_id)
            ids = [tracked.subscriber_id] if tracked and tracked.subscriber_id else []
        else:
            ids = _subscriber_ids(session, kind, value, center_id, MAX_SUBSCRIBERS + 1)
        for sid in ids:
            if sid not in matched:
                if len(matched) == MAX_SUBSCRIBERS:
                    more = True
                    break
                matched[sid] = kind
        more = more or len(ids) > MAX_SUBSCRIBERS

    subscribers = _subscriber_rows(session, list(matched))
    sub_ids = [s.id for s in subscribers]
    phones: dict[uuid.UUID, list[str]] = {sid: [] for sid in sub_ids}
    if sub_ids:
        # Sorted here: an ORDER BY tempts PostgreSQL to walk the whole phone index instead.
        phone_rows = session.execute(
            sa.select(_PHONES.c.subscriber_id, _PHONES.c.phone).where(
                _PHONES.c.subscriber_id.in_(sub_ids)
            )
        ).all()
        for p in sorted(phone_rows, key=lambda p: p.phone):
            phones[p.subscriber_id].append(p.phone)

    tracked_id = tracked.id if tracked is not None and tracked.status in OPEN_STATUSES else None

    call_rows = _recent_call_rows(session, center_id, phone=phone, subscriber_ids=sub_ids)
    calls = {c.id: c for c in call_rows}
    recent = sorted(calls.values(), key=lambda c: (c.started_at, c.id), reverse=True)
    recent = recent[:MAX_CONTACTS]

    ticket_rows = _open_ticket_rows(
        session, center_id, phone=phone, subscriber_ids=sub_ids, ticket_id=tracked_id
    )
    tickets = {t.id: t for t in ticket_rows}
    open_tickets = sorted(tickets.values(), key=lambda t: (t.opened_at, t.id), reverse=True)
    open_tickets = open_tickets[:MAX_OPEN_REQUESTS]
    calendars = sla.load_calendars(session, {t.category_calendar_id for t in open_tickets})

    contact_views = []
    for c in recent:
        contact_views.append(
            ContactView(
                id=c.id,
                started_at=c.started_at,
                ended_at=c.ended_at,
                channel=c.channel,
                phone=c.phone,
                subscriber_id=c.subscriber_id,
                category_id=c.category_id,
                category_name_fa=c.category_name_fa or "",
                category_name_en=c.category_name_en or "",
                outcome=c.outcome,
                agent_id=c.agent_id,
                agent_name=c.agent_name or "",
                ticket_id=c.ticket_id,
                incident_id=c.incident_id,
                notes=c.notes,
            )
        )

    request_views = []
    for t in open_tickets:
        category = _Named(t.category_name_fa, t.category_name_en)
        calendar = calendars[t.category_calendar_id]
        unit = _Named(t.unit_name_fa, t.unit_name_en) if t.unit_name_fa is not None else None
        response_due = t.response_due_at if t.responded_at is None else None
        resolution_left = _minutes_left(calendar, t, t.resolution_due_at, now)
        response_left = _minutes_left(calendar, t, response_due, now)
        request_views.append(
            OpenRequestView(
                **_ticket_fields(t, category, unit),
                response_minutes_left=response_left,
                resolution_minutes_left=resolution_left,
                clock_paused=t.paused_at is not None,
                overdue=any(m is not None and m < 0 for m in (resolution_left, response_left)),
            )
        )

    subscriber_cards = []
    for s in subscribers:
        subscriber_cards.append(
            SubscriberCard(
                id=s.id,
                subscription_no=s.subscription_no,
                bill_id=s.bill_id,
                national_code=s.national_code,
                name=s.name,
                address=s.address,
                district_id=s.district_id,
                district_name_fa=s.district_name_fa or "",
                district_name_en=s.district_name_en or "",
                street=s.street,
                usage=s.usage,
                active=s.active,
                phones=tuple(phones[s.id]),
                matched_by=matched[s.id],
            )
        )

    return CallerCard(
        query=q,
        phone=phone,
        subscribers=tuple(subscriber_cards),
        more_subscribers=more,
        recent_contacts=tuple(contact_views),
        open_requests=tuple(request_views),
        incidents=tuple(_incident_cards(session, subscribers, center_id)),
        tracked_ticket_id=tracked.id if tracked else None,
    )
