"""Intake: the caller card, categories, repeat callers, the outcomes of a call, request status
and drafts, on SQLite and PostgreSQL. Each test builds a small center of its own."""

import json
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import event
from sqlmodel import Session, col, select

from db import accounts, catalog_seed, intake
from db.accounts import AgentView, PermissionDenied, add_agent
from db.engine import session
from db.intake import IntakeError
from db.jalali import TEHRAN
from db.models import (
    Calendar,
    CalendarHours,
    Call,
    CallDraft,
    CallOutcome,
    CannedAnswer,
    Category,
    Channel,
    District,
    Holiday,
    Incident,
    IncidentArea,
    IncidentStatus,
    Subscriber,
    SubscriberPhone,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    TrackingSequence,
    Unit,
    UnitKind,
)
from db.sla import WorkingCalendar, due_at, working_minutes_between
from db.text import normalize, search_key, to_persian_digits
from db.tracking import format_tracking_code, is_valid_tracking_code, parse_tracking_code
from db.validate import make_bill_id, make_national_code

PASSWORD = "correct-horse"
# Tuesday 17 November 2026 is the test center's holiday; Friday 20 is the weekly day off.
HOLIDAY = date(2026, 11, 17)
CATEGORY_CODES = (
    "pipe_burst",
    "water_cutoff",
    "bill_inquiry",
    "bill_dispute",
    "meter_replacement",
    "staff_complaint",
    "general_info",
)
COUNTED = (Call, Ticket, TicketEvent, TrackingSequence, CallDraft)


def teh(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Tehran wall-clock time in November 2026, as aware UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TEHRAN).astimezone(UTC)


# Wednesday 18 November 2026, 10:00 in Tehran: the call being taken.
NOW = teh(18, 10)


@dataclass
class World:
    center_id: uuid.UUID
    agent: AgentView
    surveyor: AgentView
    districts: dict[str, uuid.UUID] = field(default_factory=dict)
    units: dict[str, uuid.UUID] = field(default_factory=dict)
    calendars: dict[str, uuid.UUID] = field(default_factory=dict)
    categories: dict[str, uuid.UUID] = field(default_factory=dict)
    subscribers: dict[str, uuid.UUID] = field(default_factory=dict)
    incidents: dict[str, uuid.UUID] = field(default_factory=dict)
    national_code: str = ""
    bill_id: str = ""


def _agent(s: Session, username: str, *roles: str) -> AgentView:
    return add_agent(
        s, actor=None, username=username, full_name=username.title(), password=PASSWORD, roles=roles
    )


def _subscriber(s, w, key, name, subscription_no, district, street, phones, **extra):
    sub = Subscriber(
        center_id=w.center_id,
        subscription_no=subscription_no,
        name=normalize(name),
        name_key=search_key(name),
        district_id=w.districts[district],
        street=street,
        street_key=search_key(street),
        address=f"{street}، پلاک ۱۲",
        **extra,
    )
    s.add(sub)
    s.flush()
    for phone in phones:
        kind = "mobile" if phone.startswith("09") else "landline"
        s.add(SubscriberPhone(center_id=w.center_id, subscriber_id=sub.id, phone=phone, kind=kind))
    w.subscribers[key] = sub.id


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch):
    """Agents are made with add_agent; its real argon2 cost (~0.15 s a hash) is for attackers,
    not for a test suite that signs nobody in."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def world(engine, center_id) -> World:
    rng = random.Random(122)
    with session(engine) as s:
        w = World(center_id, _agent(s, "maryam", "agent"), _agent(s, "sara", "surveyor"))
        for code, fa, en in (("D1", "منطقه ۱", "District 1"), ("D2", "منطقه ۲", "District 2")):
            district = District(center_id=center_id, code=code, name_fa=fa, name_en=en)
            s.add(district)
            s.flush()
            w.districts[code] = district.id
        for kind in UnitKind:
            unit = Unit(
                center_id=center_id, code=kind.value[:16], kind=kind, name_fa=kind, name_en=kind
            )
            s.add(unit)
            s.flush()
            w.units[kind.value] = unit.id
        for seed in catalog_seed.CALENDARS:
            calendar = Calendar(
                center_id=center_id,
                code=seed.code,
                name_fa=seed.name_fa,
                name_en=seed.name_en,
                always_open=seed.always_open,
            )
            s.add(calendar)
            s.flush()
            w.calendars[seed.code] = calendar.id
            for weekday, (opens, closes) in seed.hours.items():
                s.add(
                    CalendarHours(
                        calendar_id=calendar.id, weekday=weekday, opens=opens, closes=closes
                    )
                )
        s.add(Holiday(calendar_id=w.calendars["office"], day=HOLIDAY, name="تعطیل"))
        seeds = {c.code: c for c in catalog_seed.CATEGORIES}
        for order, code in enumerate(CATEGORY_CODES):
            seed = seeds[code]
            category = Category(
                center_id=center_id,
                code=seed.code,
                name_fa=seed.name_fa,
                name_en=seed.name_en,
                search_key=search_key(seed.search_text()),
                group=seed.group,
                emergency=seed.emergency,
                priority=seed.priority,
                needs_request=seed.needs_request,
                default_unit_id=w.units[seed.unit_kind.value] if seed.unit_kind else None,
                calendar_id=w.calendars[seed.calendar],
                response_minutes=seed.response_minutes,
                resolution_minutes=seed.resolution_minutes,
                required_fields=list(seed.required_fields),
                sort_order=order,
            )
            s.add(category)
            s.flush()
            w.categories[code] = category.id
        s.add(
            Category(
                center_id=center_id, code="retired", name_fa="شکستگی قدیمی", name_en="Old burst",
                search_key=search_key("شکستگی قدیمی Old burst"), group="service",
                calendar_id=w.calendars["24x7"], response_minutes=1, resolution_minutes=1,
                active=False,
            )
        )  # fmt: skip
        w.national_code = make_national_code(rng)
        w.bill_id = make_bill_id(rng)
        _subscriber(
            s, w, "ali", "علي رضايي", "10000017", "D1", "خیابان سعدی",
            ["09121111111", "03132221111"], national_code=w.national_code, bill_id=w.bill_id,
        )  # fmt: skip
        _subscriber(
            s, w, "akbar", "علی\u200cاکبر کریمی", "10000025", "D2", "کوچه بهار", ["09122222222"]
        )  # fmt: skip
        _subscriber(s, w, "karim", "كريم كاظمي", "10000033", "D2", "خیابان نیما", ["09123333333"])
        # A subscription number that is also a valid national code: the ambiguous case.
        _subscriber(s, w, "twin", "زهرا تقوی", w.national_code, "D2", "خیابان نیما", [])
        for key, title, status, district, street in (
            ("d1_break", "شکستگی خط اصلی منطقه ۱", IncidentStatus.ACTIVE, "D1", ""),
            ("d1_old", "قطعی دیروز", IncidentStatus.CLOSED, "D1", ""),
            ("bahar", "افت فشار کوچه بهار", IncidentStatus.ACTIVE, None, "کوچه  بهار"),
        ):
            incident = Incident(
                center_id=center_id,
                kind="main_break",
                status=status,
                title=title,
                public_message=f"{title}: اکیپ در محل است",
                started_at=NOW - timedelta(hours=2),
                expected_restoration_at=NOW + timedelta(hours=3),
            )
            s.add(incident)
            s.flush()
            s.add(
                IncidentArea(
                    incident_id=incident.id,
                    district_id=w.districts[district] if district else None,
                    street=street,
                    street_key=search_key(street),
                )
            )
            w.incidents[key] = incident.id
    return w


def _counts(engine) -> dict[str, int]:
    with session(engine) as s:
        return {
            m.__tablename__: s.exec(select(sa.func.count()).select_from(m)).one() for m in COUNTED
        }


def _register(engine, w, code="pipe_burst", *, at=NOW, actor=None, **kw):
    args = dict(
        phone="09121111111",
        subscriber_id=w.subscribers["ali"],
        category_id=w.categories[code],
        channel=Channel.PHONE_122,
        address="خیابان سعدی، پلاک ۱۲",
        district_id=None,
        description="آب از زیر آسفالت بیرون می‌زند",
        caller_name="علی رضایی",
        started_at=at,
        ended_at=at + timedelta(minutes=2),
        notes="",
    )
    args.update(kw)
    with session(engine) as s:
        return intake.register_request(s, actor=actor or w.agent, **args)


def _contact(engine, w, code="general_info", *, at=NOW, outcome=CallOutcome.ANSWERED, **kw):
    args = dict(
        phone="09121111111",
        subscriber_id=w.subscribers["ali"],
        category_id=w.categories[code] if code else None,
        channel=Channel.PHONE_122,
        outcome=outcome,
        notes="تعرفه گفته شد",
        started_at=at,
        ended_at=at + timedelta(minutes=1),
    )
    args.update(kw)
    with session(engine) as s:
        return intake.record_contact(s, actor=w.agent, **args)


def _lookup(engine, w, query, **kw):
    with session(engine) as s:
        return intake.lookup_caller(s, actor=w.agent, query=query, now=NOW, **kw)


def _set_ticket(engine, ticket_id, **values):
    with session(engine) as s:
        ticket = s.get(Ticket, ticket_id)
        for name, value in values.items():
            setattr(ticket, name, value)
        s.add(ticket)


# --- reading what the agent typed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("۰۹۱۲ ۱۱۱-۱۱۱۱", "phone", "09121111111"),
        ("+98 912 111 1111", "phone", "09121111111"),
        ("٠٠٩٨٩١٢١١١١١١١", "phone", "09121111111"),
        ("9121111111", "phone", "09121111111"),
        ("031-3222 1111", "phone", "03132221111"),
        ("32221111", "phone", "03132221111"),
        ("0012345679", "national_code", "0012345679"),
        ("10000010", "subscription_no", "10000010"),
        ("علي رضايي", "name", "علی رضایی"),
        ("  كريم ", "name", "کریم"),
    ],
)
def test_parse_caller_query_reads_what_the_agent_typed(typed, kind, value):
    q = intake.parse_caller_query(typed, default_area="31")
    assert (q.kind, q.value) == (kind, value)


def test_parse_caller_query_offers_every_reading_of_ambiguous_digits():
    nc = make_national_code(random.Random(5))
    q = intake.parse_caller_query(to_persian_digits(nc))
    assert ("national_code", nc) in q.readings
    assert ("subscription_no", nc) in q.readings
    # One eight-digit number in eleven passes the bill-ID check digit: it is still looked up as
    # a subscription number.
    assert intake.parse_caller_query("10000017").readings == (
        ("bill_id", "10000017"),
        ("subscription_no", "10000017"),
    )
    bill = make_bill_id(random.Random(9), length=13)
    assert intake.parse_caller_query(bill).readings[0] == ("bill_id", bill)


def test_parse_caller_query_reads_tracking_codes_first():
    code = format_tracking_code(131, 1405, 42)
    q = intake.parse_caller_query(" ".join([code[:3], code[3:7], code[7:]]))
    assert (q.kind, q.value) == ("tracking_code", code)


@pytest.mark.parametrize(
    ("typed", "field", "reason"),
    [
        ("", "query", "empty"),
        ("  - ", "query", "unrecognised"),
        ("ع", "query", "too_short"),
        ("1" * 21, "query", "too_long"),
        ("0912 111 111", "phone", "too_short"),
        ("+1 212 555 0100", "phone", "bad_prefix"),
        ("010 1234 5678", "phone", "bad_area_code"),
    ],
)
def test_parse_caller_query_errors_name_field_and_reason(typed, field, reason):
    with pytest.raises(IntakeError) as error:
        intake.parse_caller_query(typed)
    assert (error.value.field, error.value.reason) == (field, reason)


# --- the caller card -------------------------------------------------------------------------


def test_agent_keys_a_mobile_and_sees_the_whole_caller_card(engine, world):
    w = world
    _contact(engine, w, at=NOW - timedelta(days=3))
    burst = _register(engine, w, at=NOW - timedelta(hours=1))
    bill = _register(
        engine, w, "bill_dispute", at=teh(16, 14), address="", description="قبض زیاد آمده"
    )
    card = _lookup(engine, w, "۰۹۱۲ ۱۱۱ ۱۱۱۱")

    assert card.phone == "09121111111"
    assert [s.id for s in card.subscribers] == [w.subscribers["ali"]]
    ali = card.subscribers[0]
    assert (ali.name, ali.matched_by, ali.subscription_no) == ("علی رضایی", "phone", "10000017")
    assert (ali.district_name_fa, ali.district_name_en) == ("منطقه ۱", "District 1")
    assert ali.phones == ("03132221111", "09121111111")
    assert ali.street == "خیابان سعدی" and "پلاک" in ali.address

    assert [c.outcome for c in card.recent_contacts] == [
        "request_registered",
        "request_registered",
        "answered",
    ]
    assert card.recent_contacts[0].agent_name == "Maryam"
    assert card.recent_contacts[0].category_name_en == "Network pipe burst"

    by_code = {r.tracking_code: r for r in card.open_requests}
    assert set(by_code) == {burst.tracking_code, bill.tracking_code}
    pipe = by_code[burst.tracking_code]
    # 24/7: resolution 6 h after the call an hour ago, plain minutes.
    assert pipe.resolution_minutes_left == 5 * 60
    assert pipe.response_minutes_left == -30 and pipe.overdue
    office = by_code[bill.tracking_code]
    calendar = WorkingCalendar.office(catalog_seed.OFFICE_HOURS, [HOLIDAY])
    assert office.resolution_minutes_left == working_minutes_between(
        calendar, NOW, office.resolution_due_at
    )
    assert office.unit_name_en == "billing" and not office.clock_paused

    assert [i.id for i in card.incidents] == [w.incidents["d1_break"]]
    assert card.incidents[0].public_message.endswith("اکیپ در محل است")
    assert card.incidents[0].expected_restoration_at == NOW + timedelta(hours=3)
    assert card.incidents[0].subscriber_ids == (w.subscribers["ali"],)


def test_unknown_number_still_shows_its_calls_and_open_requests(engine, world):
    w = world
    _contact(engine, w, phone="09350000000", subscriber_id=None, at=NOW - timedelta(days=1))
    reg = _register(engine, w, phone="09350000000", subscriber_id=None)
    card = _lookup(engine, w, "0935 000 0000")
    assert card.subscribers == ()
    assert len(card.recent_contacts) == 2
    assert [r.tracking_code for r in card.open_requests] == [reg.tracking_code]
    assert card.incidents == ()


def _card_statements(engine, w, query) -> tuple[object, list[str]]:
    sent: list[str] = []

    def capture(_conn, _cursor, statement, _parameters, _context, _many):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        card = _lookup(engine, w, query)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return card, sent


def test_card_of_several_accounts_shows_their_latest_calls_and_open_requests_merged(engine, world):
    """A name matching two accounts: the newest MAX_CONTACTS calls and MAX_OPEN_REQUESTS open
    requests of both together, newest first, each read once for all the accounts."""
    w = world
    ali, akbar = w.subscribers["ali"], w.subscribers["akbar"]
    for hours in range(1, 8):  # more calls than the card shows, from one account
        _contact(engine, w, at=NOW - timedelta(hours=hours))
    for minutes in (30, 150):
        at = NOW - timedelta(minutes=minutes)
        _contact(engine, w, phone="09122222222", subscriber_id=akbar, at=at)
    tickets = [
        _register(engine, w, at=NOW - timedelta(days=2, hours=i)).ticket.id for i in range(11)
    ]
    _set_ticket(engine, tickets[0], status=TicketStatus.CLOSED)
    newest = _register(
        engine, w, phone="09122222222", subscriber_id=akbar, at=NOW - timedelta(days=1)
    ).ticket.id

    card, sent = _card_statements(engine, w, "علي")

    assert {s.id for s in card.subscribers} == {ali, akbar}
    with session(engine, write=False) as s:
        calls = s.exec(
            select(Call)
            .where(col(Call.subscriber_id).in_([ali, akbar]))
            .order_by(col(Call.started_at).desc())
        ).all()
    assert [c.id for c in card.recent_contacts] == [c.id for c in calls[: intake.MAX_CONTACTS]]
    assert [c.subscriber_id for c in card.recent_contacts] == [akbar, ali, ali, akbar, ali]
    assert card.recent_contacts[0].agent_name == "Maryam"
    # Eleven open and one closed: the closed one is not shown, the oldest open ones fall off.
    shown = [r.id for r in card.open_requests]
    assert len(shown) == intake.MAX_OPEN_REQUESTS
    assert shown == [newest, *tickets[1:10]]
    assert all(r.category_name_en == "Network pipe burst" for r in card.open_requests)
    # One read of calls and one of requests for every account the name matched.
    assert len([st for st in sent if "FROM calls" in st]) == 1
    assert len([st for st in sent if "FROM tickets" in st]) == 1


def test_card_of_an_account_with_no_history_is_empty_but_whole(engine, world):
    w = world
    _contact(engine, w, at=NOW - timedelta(hours=1))  # another account's call
    card, sent = _card_statements(engine, w, "کریم")
    assert [s.id for s in card.subscribers] == [w.subscribers["karim"]]
    assert card.subscribers[0].district_name_en == "District 2"
    assert card.subscribers[0].phones == ("09123333333",)
    assert card.recent_contacts == () and card.open_requests == ()
    assert len([st for st in sent if "FROM calls" in st]) == 1


def test_card_by_tracking_code_shows_that_request_while_it_is_open(engine, world):
    """A code of a request with no account: the card has no caller to read by, yet shows the
    request the code names, once, until it is closed."""
    w = world
    _register(engine, w, at=NOW - timedelta(hours=1))  # the account's own, not this caller's
    other = _register(
        engine, w, phone="09359999999", subscriber_id=None, at=NOW - timedelta(hours=3)
    )
    card = _lookup(engine, w, other.tracking_code)
    assert card.tracked_ticket_id == other.ticket.id and card.subscribers == ()
    assert [r.id for r in card.open_requests] == [other.ticket.id]
    assert card.open_requests[0].unit_name_en == "water_ops"
    _set_ticket(engine, other.ticket.id, status=TicketStatus.CLOSED)
    card = _lookup(engine, w, other.tracking_code)
    assert card.tracked_ticket_id == other.ticket.id and card.open_requests == ()


def test_landline_without_area_code_uses_the_center_area(engine, world):
    card = _lookup(engine, world, "3222 1111", default_area="031")
    assert card.phone == "03132221111"
    assert [s.id for s in card.subscribers] == [world.subscribers["ali"]]


def test_name_search_folds_arabic_letters_zwnj_and_lists_prefix_matches(engine, world):
    w = world
    card = _lookup(engine, w, "علي")
    assert {s.id for s in card.subscribers} == {w.subscribers["ali"], w.subscribers["akbar"]}
    assert all(s.matched_by == "name" for s in card.subscribers)
    card = _lookup(engine, w, "علی اكبر")  # ZWNJ typed as a space, Arabic kaf
    assert [s.id for s in card.subscribers] == [w.subscribers["akbar"]]
    card = _lookup(engine, w, "کریم کاظمی")  # stored from Arabic ي/ك
    assert [s.id for s in card.subscribers] == [w.subscribers["karim"]]
    assert _lookup(engine, w, "رضایی").subscribers == ()  # prefix of the name, not any word


def test_street_incident_covers_a_subscriber_on_that_street(engine, world):
    card = _lookup(engine, world, "09122222222")
    assert [i.id for i in card.incidents] == [world.incidents["bahar"]]


def test_national_code_that_is_also_a_subscription_number_shows_both(engine, world):
    w = world
    card = _lookup(engine, w, to_persian_digits(w.national_code))
    matched = {s.id: s.matched_by for s in card.subscribers}
    assert matched == {
        w.subscribers["ali"]: "national_code",
        w.subscribers["twin"]: "subscription_no",
    }
    assert card.phone is None


def test_bill_id_subscription_number_and_tracking_code_find_the_account(engine, world):
    w = world
    assert [s.matched_by for s in _lookup(engine, w, w.bill_id).subscribers] == ["bill_id"]
    (karim,) = _lookup(engine, w, "۱۰۰۰۰۰۳۳").subscribers
    assert (karim.id, karim.matched_by) == (w.subscribers["karim"], "subscription_no")
    reg = _register(engine, w)
    card = _lookup(engine, w, reg.tracking_code)
    assert card.query.kind == "tracking_code"
    assert card.tracked_ticket_id == reg.ticket.id
    assert [s.id for s in card.subscribers] == [w.subscribers["ali"]]
    assert [r.id for r in card.open_requests] == [reg.ticket.id]
    assert _lookup(engine, w, "99999999").subscribers == ()


def test_paused_clock_is_read_when_it_was_paused(engine, world):
    reg = _register(engine, world, at=NOW - timedelta(hours=2))
    _set_ticket(
        engine,
        reg.ticket.id,
        status=TicketStatus.PENDING_SUBSCRIBER,
        paused_at=NOW - timedelta(hours=1),
    )
    (request,) = _lookup(engine, world, "09121111111").open_requests
    assert request.clock_paused
    assert request.resolution_minutes_left == 5 * 60  # 6 h from the call, 1 h used before pausing


# --- categories ------------------------------------------------------------------------------


def _codes(views):
    return [v.code for v in views]


def test_category_type_ahead_in_persian_and_english(engine, world):
    w = world
    with session(engine) as s:
        find = lambda text: _codes(intake.find_categories(s, actor=w.agent, text=text))  # noqa: E731
        assert find("شكستگي")[0] == "pipe_burst"  # Arabic kaf and yeh
        assert find("لوله") == ["pipe_burst"]
        assert find("PIPE") == ["pipe_burst"]
        assert find("قبض") == ["bill_dispute"]
        assert find("قطع آ") == ["water_cutoff"]
        assert find("ستگی") == ["pipe_burst"]  # inside a word
        assert find("تعرفه") == ["general_info"]  # after a bracket
        # A word-prefix match ranks before a substring one, whatever the catalog order.
        found = find("ب")
        assert found[0] == "bill_dispute" and "pipe_burst" in found[1:]
        assert find("") == list(CATEGORY_CODES)
        assert "retired" not in find("old")
        assert find("xyz") == []


def test_recent_categories_come_from_the_agents_own_calls(engine, world):
    w = world
    _contact(engine, w, "general_info", at=NOW - timedelta(hours=3))
    _register(engine, w, "pipe_burst", at=NOW - timedelta(hours=2))
    _contact(engine, w, "general_info", at=NOW - timedelta(hours=1))
    _contact(engine, w, None, at=NOW, outcome=CallOutcome.DROPPED)
    with session(engine) as s:
        assert _codes(intake.recent_categories(s, actor=w.agent)) == ["general_info", "pipe_burst"]
        supervisor = _agent(s, "reza", "supervisor")
        assert intake.recent_categories(s, actor=supervisor) == []


def _add_canned_answers(engine, w) -> None:
    with session(engine) as s:
        for seed in catalog_seed.CANNED_ANSWERS:
            s.add(
                CannedAnswer(
                    center_id=w.center_id,
                    code=seed.code,
                    category_id=w.categories.get(seed.category),
                    title_fa=seed.title_fa,
                    title_en=seed.title_en,
                    body_fa=seed.body_fa,
                    body_en=seed.body_en,
                    search_key=search_key(seed.search_text()),
                )
            )
            s.flush()
        s.add(
            CannedAnswer(
                center_id=w.center_id, code="old_tariffs", title_fa="تعرفه پارسال",
                title_en="Last year's tariffs", body_fa="قدیمی", active=False,
                search_key=search_key("تعرفه پارسال Last year's tariffs old_tariffs"),
            )
        )  # fmt: skip


def test_canned_answers_are_found_by_title_text_and_category(engine, world):
    w = world
    _add_canned_answers(engine, w)
    every = [seed.code for seed in catalog_seed.CANNED_ANSWERS]
    with session(engine, write=False) as s:

        def find(text, category=None):
            category_id = w.categories[category] if category else None
            return _codes(
                intake.find_canned_answers(s, actor=w.agent, text=text, category_id=category_id)
            )

        assert find("") == every  # catalog order; the retired answer is left out
        assert find("تعرفه") == ["tariffs"]
        assert find("TARIFF") == ["tariffs"]
        # Every typed word starts a title word; then the answers that say it in their text.
        assert find("پرداخت قبض") == ["payment_ways", "bill_by_sms_app"]
        assert find("روش")[0] == "payment_ways"
        assert find("قبض")[:2] == ["payment_ways", "bill_by_sms_app"]
        # Found by its text when the title does not say it.
        assert find("خودپرداز") == ["payment_ways"]
        assert find("xyz") == []
        # The call's category comes first, the rest follows.
        assert find("", "water_cutoff")[0] == "cutoff_schedule"
        assert sorted(find("", "water_cutoff")) == sorted(every)
        assert find("قبض", "bill_inquiry")[:2] == ["bill_by_sms_app", "payment_ways"]
        answer = intake.find_canned_answers(s, actor=w.agent, text="tariffs")[0]
        assert answer.body_fa.startswith("تعرفه آب") and answer.body_en.startswith("Household")
        assert answer.category_id == w.categories["general_info"]
        with pytest.raises(PermissionDenied):
            intake.find_canned_answers(s, actor=w.surveyor, text="")


def test_a_draft_names_its_category_and_districts_are_listed(engine, world):
    w = world
    with session(engine, write=False) as s:
        category = intake.get_category(s, actor=w.agent, category_id=w.categories["pipe_burst"])
        assert (category.code, category.required_fields) == ("pipe_burst", ("address",))
        with pytest.raises(IntakeError) as error:
            intake.get_category(s, actor=w.agent, category_id=uuid.uuid4())
        assert (error.value.field, error.value.reason) == ("category", "not_found")
        districts = intake.list_districts(s, actor=w.agent)
        assert [(d.code, d.name_en) for d in districts] == [
            ("D1", "District 1"),
            ("D2", "District 2"),
        ]
        assert districts[0].id == w.districts["D1"]
        with pytest.raises(PermissionDenied):
            intake.list_districts(s, actor=w.surveyor)


# --- repeat callers --------------------------------------------------------------------------


def _repeat(engine, w, code, *, phone="09121111111", subscriber="ali", now=NOW):
    with session(engine) as s:
        return intake.find_repeat(
            s,
            actor=w.agent,
            phone=phone,
            subscriber_id=w.subscribers[subscriber] if subscriber else None,
            category_id=w.categories[code],
            now=now,
        )


def test_open_request_on_the_same_number_and_category_is_offered_for_linking(engine, world):
    w = world
    reg = _register(engine, w, at=NOW - timedelta(days=30))
    repeat = _repeat(engine, w, "pipe_burst", subscriber=None)
    assert (repeat.kind, repeat.matched_by) == ("open_request", "phone")
    assert (repeat.ticket_id, repeat.tracking_code) == (reg.ticket.id, reg.tracking_code)
    repeat = _repeat(engine, w, "pipe_burst", phone=None)
    assert (repeat.kind, repeat.matched_by) == ("open_request", "subscriber")
    assert _repeat(engine, w, "water_cutoff") is None


def test_a_call_within_seven_days_is_a_repeat_and_not_after(engine, world):
    w = world
    call = _contact(engine, w, "general_info", at=NOW - timedelta(days=6, hours=23))
    repeat = _repeat(engine, w, "general_info", phone="+98 912 111 1111", subscriber=None)
    assert (repeat.kind, repeat.call_id, repeat.call_outcome) == (
        "recent_call",
        call.id,
        "answered",
    )
    assert repeat.ticket_id is None
    assert _repeat(engine, w, "general_info", now=NOW + timedelta(hours=2)) is None


def test_a_closed_request_within_seven_days_is_a_recent_call_repeat(engine, world):
    w = world
    reg = _register(engine, w, at=NOW - timedelta(days=2))
    _set_ticket(engine, reg.ticket.id, status=TicketStatus.CLOSED, closed_at=NOW)
    repeat = _repeat(engine, w, "pipe_burst")
    assert (repeat.kind, repeat.ticket_id, repeat.ticket_status) == (
        "recent_call",
        reg.ticket.id,
        "closed",
    )
    assert _repeat(engine, w, "pipe_burst", now=NOW + timedelta(days=6)) is None


# --- outcomes --------------------------------------------------------------------------------


def test_agent_registers_a_burst_pipe_and_reads_back_the_code(engine, world):
    w = world
    reg = _register(engine, w, notes="  تماس   از  همسایه  ")
    t = reg.ticket
    assert is_valid_tracking_code(reg.tracking_code)
    assert reg.tracking_code.startswith("131" + "05")  # center 131, Jalali 1405
    assert (t.status, t.kind, t.priority) == ("registered", "request", 1)
    assert t.unit_id == w.units["water_ops"] and t.unit_name_en == "water_ops"
    assert t.district_id == w.districts["D1"]  # the subscriber's district
    assert t.opened_at == NOW
    assert t.response_due_at == NOW + timedelta(minutes=30)
    assert t.resolution_due_at == NOW + timedelta(hours=6)
    assert (reg.call.outcome, reg.call.ticket_id) == ("request_registered", t.id)
    assert reg.call.handle_seconds == 120 and reg.call.notes == "تماس از همسایه"
    with session(engine) as s:
        (ev,) = s.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).all()
        assert (ev.action, ev.from_status, ev.to_status) == ("registered", None, "registered")
        assert (ev.actor_id, ev.center_id, ev.data["call_id"]) == (
            w.agent.id,
            w.center_id,
            str(reg.call.id),
        )
        call = s.get(Call, reg.call.id)
        assert (call.center_id, call.agent_id) == (w.center_id, w.agent.id)


def test_office_request_is_due_in_working_time_only(engine, world):
    w = world
    reg = _register(
        engine, w, "meter_replacement", at=NOW, description="", district_id=w.districts["D2"]
    )
    # Two office days from Wednesday 10:00: Wednesday 270 + Thursday 300 + Saturday 330 minutes.
    assert reg.ticket.response_due_at == teh(21, 12, 30)
    calendar = WorkingCalendar.office(catalog_seed.OFFICE_HOURS, [HOLIDAY])
    assert reg.ticket.resolution_due_at == due_at(calendar, NOW, 10 * 450)
    assert reg.ticket.district_id == w.districts["D2"]  # the one given wins
    assert reg.ticket.unit_name_en == "metering"


def test_staff_complaint_is_registered_as_a_complaint(engine, world):
    reg = _register(engine, world, "staff_complaint", address="", description="برخورد بد مأمور")
    assert reg.ticket.kind == TicketKind.COMPLAINT


def test_tracking_codes_are_unique_and_sequential(engine, world):
    codes = [
        _register(engine, world, at=NOW + timedelta(seconds=i)).tracking_code for i in range(4)
    ]
    assert len(set(codes)) == 4
    assert [parse_tracking_code(c).seq for c in codes] == [1, 2, 3, 4]


def test_required_fields_of_the_category_are_enforced(engine, world):
    before = _counts(engine)
    for code, missing, field_name in (
        ("pipe_burst", {"address": "  "}, "address"),
        ("bill_dispute", {"subscriber_id": None}, "subscriber"),
        ("meter_replacement", {"address": ""}, "address"),
        ("staff_complaint", {"description": ""}, "description"),
    ):
        with pytest.raises(IntakeError) as error:
            _register(engine, world, code, **missing)
        assert (error.value.field, error.value.reason) == (field_name, "required")
        assert error.value.params["category"] == code
    assert _counts(engine) == before


def test_bad_input_is_refused_before_anything_is_written(engine, world):
    w = world
    with session(engine) as s:
        intake.save_draft(s, actor=w.agent, fields={"phone": "0912"})
    before = _counts(engine)
    unknown = uuid.uuid4()
    cases = [
        ({"phone": "0912 111"}, "phone", "too_short"),
        ({"phone": "+44 20 7946 0000"}, "phone", "bad_prefix"),
        ({"channel": "fax"}, "channel", "unknown"),
        ({"category_id": None}, "category", "required"),
        ({"category_id": unknown}, "category", "not_found"),
        ({"category_id": w.categories["bill_inquiry"]}, "category", "information_only"),
        ({"subscriber_id": unknown}, "subscriber", "not_found"),
        ({"district_id": unknown}, "district", "not_found"),
        ({"notes": "x" * 2001}, "notes", "too_long"),
        ({"address": "x" * 401}, "address", "too_long"),
        ({"started_at": datetime(2026, 11, 18, 6, 30)}, "started_at", "naive"),
        ({"ended_at": NOW - timedelta(seconds=1)}, "ended_at", "before_start"),
        ({"started_at": NOW + timedelta(days=400)}, "started_at", "in_future"),
    ]
    for kwargs, field_name, reason in cases:
        with pytest.raises(IntakeError) as error:
            _register(engine, w, **kwargs)
        assert (error.value.field, error.value.reason) == (field_name, reason), kwargs
    with pytest.raises(IntakeError) as error:
        _contact(engine, w, outcome=CallOutcome.REQUEST_REGISTERED)
    assert (error.value.field, error.value.reason) == ("outcome", "not_allowed")
    with pytest.raises(IntakeError) as error:
        _contact(engine, w, None)
    assert (error.value.field, error.value.reason) == ("category", "required")
    assert _counts(engine) == before  # not even the draft was discarded


def test_answered_transferred_and_dropped_calls_are_counted(engine, world):
    w = world
    answered = _contact(engine, w, at=NOW - timedelta(minutes=30))
    transferred = _contact(
        engine, w, None, outcome=CallOutcome.TRANSFERRED, at=NOW - timedelta(minutes=20)
    )
    dropped = _contact(
        engine, w, None, outcome="dropped", phone=None, subscriber_id=None, wants_callback=True
    )
    assert (answered.outcome, answered.category_id) == ("answered", w.categories["general_info"])
    assert answered.ticket_id is None and answered.handle_seconds == 60
    assert transferred.outcome == "transferred"
    assert (dropped.outcome, dropped.phone, dropped.wants_callback) == ("dropped", None, True)
    counts = _counts(engine)
    assert counts["calls"] == 3 and counts["tickets"] == 0


def test_call_about_a_known_incident_is_linked_not_duplicated(engine, world):
    w = world
    with session(engine) as s:
        call = intake.link_to_incident(
            s, actor=w.agent, incident_id=w.incidents["d1_break"], phone="09121111111",
            subscriber_id=w.subscribers["ali"], category_id=w.categories["water_cutoff"],
            channel="phone_122", notes="اطلاع داده شد", started_at=NOW,
            ended_at=NOW + timedelta(seconds=40), wants_callback=True,
        )  # fmt: skip
    assert (call.outcome, call.incident_id, call.ticket_id) == (
        "linked_incident",
        w.incidents["d1_break"],
        None,
    )
    before = _counts(engine)
    for incident, reason in ((w.incidents["d1_old"], "closed"), (uuid.uuid4(), "not_found")):
        with pytest.raises(IntakeError) as error, session(engine) as s:
            intake.link_to_incident(
                s, actor=w.agent, incident_id=incident, phone=None, subscriber_id=None,
                category_id=None, channel="phone_122", notes="", started_at=NOW, ended_at=NOW,
                wants_callback=False,
            )  # fmt: skip
        assert (error.value.field, error.value.reason) == ("incident", reason)
    assert _counts(engine) == before


def _link(engine, w, ticket_id, notes="باز هم تماس گرفت"):
    with session(engine) as s:
        return intake.link_to_request(
            s, actor=w.agent, ticket_id=ticket_id, phone="09121111111", subscriber_id=None,
            category_id=None, channel="phone_122", notes=notes,
            started_at=NOW + timedelta(hours=1), ended_at=NOW + timedelta(hours=1, minutes=1),
        )  # fmt: skip


def test_repeat_caller_is_linked_to_the_open_request(engine, world):
    w = world
    reg = _register(engine, w)
    _set_ticket(engine, reg.ticket.id, status=TicketStatus.REFERRED, version=2)
    call = _link(engine, w, reg.ticket.id)
    assert (call.outcome, call.ticket_id) == ("linked_request", reg.ticket.id)
    assert (call.category_id, call.subscriber_id) == (
        w.categories["pipe_burst"],
        w.subscribers["ali"],
    )
    with session(engine) as s:
        ticket = s.get(Ticket, reg.ticket.id)
        assert (ticket.status, ticket.version) == ("referred", 2)
        events = s.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == reg.ticket.id)
            .order_by(col(TicketEvent.at))
        ).all()
    assert [e.action for e in events] == ["registered", "caller_called_again"]
    assert (events[1].from_status, events[1].to_status, events[1].note) == (
        "referred",
        "referred",
        "باز هم تماس گرفت",
    )


def test_a_finished_request_cannot_be_linked(engine, world):
    closed, cancelled = _register(engine, world), _register(engine, world)
    _set_ticket(engine, closed.ticket.id, status=TicketStatus.CLOSED)
    _set_ticket(engine, cancelled.ticket.id, status=TicketStatus.CANCELLED)
    before = _counts(engine)
    for reg, reason in ((closed, "closed"), (cancelled, "cancelled")):
        with pytest.raises(IntakeError) as error:
            _link(engine, world, reg.ticket.id)
        assert (error.value.field, error.value.reason) == ("ticket", reason)
        assert error.value.params["tracking_code"] == reg.tracking_code
    with pytest.raises(IntakeError) as error:
        _link(engine, world, uuid.uuid4())
    assert (error.value.field, error.value.reason) == ("ticket", "not_found")
    assert _counts(engine) == before


# --- "what happened to my request?" ----------------------------------------------------------


def test_caller_asks_about_a_request_by_tracking_code(engine, world):
    w = world
    reg = _register(engine, w, "bill_dispute", at=teh(16, 9), address="", notes="ثبت شد")
    _set_ticket(engine, reg.ticket.id, status=TicketStatus.REFERRED)
    with session(engine) as s:
        s.add(
            TicketEvent(
                center_id=w.center_id, ticket_id=reg.ticket.id, at=teh(16, 10),
                actor_id=w.agent.id, action="referred", from_status="registered",
                to_status="referred", unit_id=w.units["billing"], note="به امور مشترکین",
            )
        )  # fmt: skip
    _link(engine, w, reg.ticket.id)
    code = to_persian_digits(f"{reg.tracking_code[:5]}-{reg.tracking_code[5:]}")
    with session(engine) as s:
        status = intake.find_request(s, actor=w.agent, tracking_code=code, now=NOW)
    assert status.ticket.tracking_code == reg.tracking_code
    assert (status.ticket.status, status.what_to_tell) == ("referred", "with_unit")
    assert status.ticket.category_name_en == "Bill dispute / high bill"
    assert status.district_name_en == "District 1"
    assert [e.action for e in status.events] == ["registered", "referred", "caller_called_again"]
    referred = status.events[1]
    assert (referred.actor_name, referred.from_status, referred.to_status) == (
        "Maryam",
        "registered",
        "referred",
    )
    assert referred.unit_name_en == "billing" and referred.note == "به امور مشترکین"
    assert status.contacts == 2
    calendar = WorkingCalendar.office(catalog_seed.OFFICE_HOURS, [HOLIDAY])
    assert status.resolution_minutes_left == working_minutes_between(
        calendar, NOW, status.ticket.resolution_due_at
    )
    assert not status.overdue


def test_what_to_tell_follows_the_status(engine, world):
    first = _register(engine, world, at=NOW - timedelta(hours=1))
    reg = _register(engine, world)
    for status, duplicate_of, tell in (
        (TicketStatus.REGISTERED, None, "registered_being_referred"),
        (TicketStatus.AWAITING_FEEDBACK, None, "awaiting_your_confirmation"),
        (TicketStatus.PENDING_SUBSCRIBER, None, "waiting_for_you"),
        (TicketStatus.CANCELLED, None, "cancelled"),
        (TicketStatus.CANCELLED, first.ticket.id, "cancelled_duplicate"),
        (TicketStatus.CLOSED, None, "closed"),
    ):
        _set_ticket(engine, reg.ticket.id, status=status, duplicate_of_id=duplicate_of)
        with session(engine) as s:
            found = intake.find_request(s, actor=world.agent, tracking_code=reg.tracking_code)
        assert found.what_to_tell == tell, status
    assert set(intake.WHAT_TO_TELL) == set(TicketStatus)


def test_bad_and_unknown_tracking_codes_are_explained(engine, world):
    good = format_tracking_code(131, 1405, 77)
    bad_check = good[:-1] + str((int(good[-1]) + 1) % 10)
    for typed, reason in (
        ("", "empty"),
        ("12345", "wrong_length"),
        ("12345678901a", "not_digits"),
        (bad_check, "bad_checksum"),
        (good, "not_found"),
    ):
        with pytest.raises(IntakeError) as error, session(engine) as s:
            intake.find_request(s, actor=world.agent, tracking_code=typed)
        assert (error.value.field, error.value.reason) == ("tracking_code", reason), typed


# --- drafts ----------------------------------------------------------------------------------


def test_draft_survives_and_is_discarded_with_the_saved_outcome(engine, world):
    w = world
    fields = {"phone": "۰۹۱۲", "category": "pipe_burst", "notes": "آب\nقطع", "n": [1, 2]}
    with session(engine) as s:
        assert intake.load_draft(s, actor=w.agent) is None
        first = intake.save_draft(s, actor=w.agent, fields=fields, now=NOW)
    later = NOW + timedelta(seconds=5)
    with session(engine) as s:
        again = intake.save_draft(s, actor=w.agent, fields={**fields, "phone": "۰۹۱۲۱"}, now=later)
        loaded = intake.load_draft(s, actor=w.agent)
    assert first.fields == fields
    assert loaded == again
    assert loaded.fields["phone"] == "۰۹۱۲۱"
    assert (loaded.started_at, loaded.updated_at) == (NOW, later)
    loaded.fields["phone"] = "changed"  # a private copy
    with session(engine) as s:
        assert intake.load_draft(s, actor=w.agent).fields["phone"] == "۰۹۱۲۱"
    _contact(engine, w, discard_draft=False)
    with session(engine) as s:
        assert intake.load_draft(s, actor=w.agent) is not None
    _register(engine, w)
    with session(engine) as s:
        assert intake.load_draft(s, actor=w.agent) is None
        assert intake.discard_draft(s, actor=w.agent) is False
        intake.save_draft(s, actor=w.agent, fields={"a": 1})
        assert intake.discard_draft(s, actor=w.agent) is True
        with pytest.raises(IntakeError) as error:
            intake.save_draft(s, actor=w.agent, fields={"when": NOW})
        assert (error.value.field, error.value.reason) == ("draft", "not_json")


def test_a_failed_save_keeps_the_draft(engine, world):
    w = world
    with session(engine) as s:
        intake.save_draft(s, actor=w.agent, fields={"address": ""})
    with pytest.raises(IntakeError):
        _register(engine, w, address="")
    with session(engine) as s:
        assert intake.load_draft(s, actor=w.agent).fields == {"address": ""}


# --- permissions -----------------------------------------------------------------------------


def test_only_desk_agents_and_supervisors_take_calls(engine, world):
    w = world
    before = _counts(engine)
    with pytest.raises(PermissionDenied):
        _register(engine, w, actor=w.surveyor)
    with pytest.raises(PermissionDenied), session(engine) as s:
        intake.lookup_caller(s, actor=w.surveyor, query="09121111111")
    with pytest.raises(PermissionDenied), session(engine) as s:
        intake.save_draft(s, actor=w.surveyor, fields={})
    assert _counts(engine) == before
    with session(engine) as s:
        supervisor = _agent(s, "reza", "supervisor")
        intake.save_draft(s, actor=supervisor, fields={"mine": True})
        intake.save_draft(s, actor=w.agent, fields={"mine": False})
    assert _register(engine, w, actor=supervisor).call.agent_id == supervisor.id
    with session(engine) as s:  # one draft per agent: the agent's own survives
        assert intake.load_draft(s, actor=supervisor) is None
        assert intake.load_draft(s, actor=w.agent).fields == {"mine": False}


# --- indexes ---------------------------------------------------------------------------------

GUARDED = ("calls", "tickets", "subscribers", "subscriber_phones")
CENTER_INDEXES = {
    "ix_calls_center_started",
    "ix_tickets_center_opened",
    "ix_subscribers_center_id",
    "ix_subscriber_phones_center_id",
}


def _plan_problems_sqlite(connection, statement, parameters) -> list[str]:
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    problems = []
    for row in rows:
        detail = row[-1]
        if re.match(rf"SCAN ({'|'.join(GUARDED)})\b", detail):
            problems.append(detail)
        if any(name in detail for name in CENTER_INDEXES):
            problems.append(detail)
    return problems


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def _plan_problems_pg(connection, statement, parameters) -> list[str]:
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    problems = []
    for node in _plan_nodes(plan[0]["Plan"]):
        relation, index = node.get("Relation Name"), node.get("Index Name")
        if node["Node Type"] == "Seq Scan" and relation in GUARDED:
            problems.append(f"Seq Scan on {relation}")
        if index in CENTER_INDEXES:
            problems.append(f"{node['Node Type']} using {index}")
        if index and relation in GUARDED and "Index Cond" not in node:
            problems.append(f"full {node['Node Type']} using {index}")
    return problems


def test_every_caller_lookup_query_uses_an_index(engine, world):
    """EXPLAIN each SELECT the card, the repeat check and the code lookup send, with their own
    parameters: none may scan calls, tickets, subscribers or phones, or walk a center index."""
    w = world
    reg = _register(engine, w)
    _contact(engine, w, at=NOW - timedelta(days=1))
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        for query in (
            "09121111111",
            "علی",
            w.national_code,
            w.bill_id,
            "10000033",
            reg.tracking_code,
            "3222 1111",
        ):
            _lookup(engine, w, query, default_area="31")
        _repeat(engine, w, "general_info")
        with session(engine) as s:
            intake.recent_categories(s, actor=w.agent)
            intake.find_request(s, actor=w.agent, tracking_code=reg.tracking_code)
    finally:
        event.remove(engine, "before_cursor_execute", capture)

    sqlite = engine.dialect.name == "sqlite"
    touched = [(st, p) for st, p in statements if any(t in st for t in GUARDED)]
    assert len(touched) > 20
    with engine.connect() as connection:
        if not sqlite:
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("SET enable_seqscan = off")
        check = _plan_problems_sqlite if sqlite else _plan_problems_pg
        problems = [
            (statement, check(connection, statement, tuple(p) if isinstance(p, list) else p))
            for statement, p in touched
        ]
        # The check itself sees a scan when there is one.
        assert check(connection, "SELECT calls.id FROM calls WHERE calls.notes = 'x'", ())
    assert [(statement, found) for statement, found in problems if found] == []


def test_a_registered_caller_can_ask_to_be_called_back(engine, world):
    registered = _register(engine, world, wants_callback=True)
    with session(engine) as s:
        assert s.get(Call, registered.call.id).wants_callback is True
