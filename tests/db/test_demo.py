"""Demo data: deterministic, refreshable, complete and consistent, on SQLite and PostgreSQL."""

import hashlib
import itertools
import re
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from db import catalog_seed
from db.demo import DEMO_CENTER_CODE, DemoError, build_demo, uuid7_from
from db.engine import make_engine, session
from db.models import (
    OPEN_STATUSES,
    Agent,
    AgentRole,
    Answer,
    Call,
    CallbackAttempt,
    CallOutcome,
    Category,
    Center,
    Incident,
    IncidentArea,
    IncidentEvent,
    Question,
    Role,
    Subscriber,
    SubscriberPhone,
    Ticket,
    TicketEvent,
    TicketStatus,
    TrackingSequence,
    metadata,
)
from db.models.feedback import Callback, Survey
from db.tracking import is_valid_tracking_code, parse_tracking_code
from db.validate import (
    bill_service_type,
    normalize_bill_id,
    normalize_national_code,
    normalize_phone,
)

SEED = 1405
SUBSCRIBERS = 200
CALLS = 2000
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)

# DOMAIN.md "Typical request categories": catalog code -> the Persian term DOMAIN.md uses.
DOMAIN_CATEGORIES = {
    "pipe_burst": "شکستگی لوله شبکه",
    "branch_leak": "نشت انشعاب",
    "water_cutoff": "قطع آب",
    "low_pressure": "افت فشار",
    "water_quality": "کیفیت آب",
    "meter_leak": "نشت کنتور",
    "sewer_blockage": "گرفتگی فاضلاب",
    "manhole_overflow": "سرریز منهول",
    "manhole_cover": "دریچه منهول",
    "street_water": "آب در معابر",
    "bill_inquiry": "صورتحساب",
    "bill_dispute": "اعتراض به قبض",
    "meter_reading": "قرائت کنتور",
    "meter_replacement": "تعویض کنتور",
    "new_connection": "انشعاب جدید",
    "name_usage_change": "تغییر نام / کاربری",
    "debt_cutoff": "قطع و وصل بابت بدهی",
    "street_repair": "ترمیم نوار حفاری",
    "illegal_connection": "انشعاب غیرمجاز",
    "staff_complaint": "شکایت از کارکنان",
    "suggestion": "پیشنهاد، انتقاد، قدردانی",
    "general_info": "اطلاعات عمومی",
}

# Which roles may take each step of a request's life.
DESK = {Role.AGENT, Role.SUPERVISOR}
ACTOR_ROLES = {
    "registered": DESK,
    "referred": DESK | {Role.FOLLOWUP},  # emergencies are referred by the desk at once
    "started": {Role.FOLLOWUP},
    "paused": {Role.FOLLOWUP},
    "resumed": {Role.FOLLOWUP},
    "answered": {Role.FOLLOWUP},
    "rejected": {Role.FOLLOWUP},
    "accepted": {Role.FOLLOWUP},
    "feedback_queued": {Role.FOLLOWUP},
    "cancelled": {Role.FOLLOWUP},
    "escalated": {Role.FOLLOWUP, Role.SUPERVISOR},
    "reopened": {Role.SURVEYOR},
    "closed": {Role.SURVEYOR, Role.NOTIFIER, Role.FOLLOWUP},
}


@pytest.fixture(scope="module")
def demo(module_db_url: str):
    """One small demo per engine, shared by the read-only checks of this module."""
    engine = make_engine(module_db_url)
    summary = build_demo(engine, seed=SEED, subscribers=SUBSCRIBERS, calls=CALLS, now=NOW)
    yield engine, summary
    engine.dispose()


def rows(engine, stmt) -> list:
    with engine.connect() as conn:
        return list(conn.execute(stmt))


def digest(engine) -> str:
    """A hash of the demo's content, ids included (password hashes are salted: left out)."""
    h = hashlib.sha256()
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if c.name != "password_hash"]
            stmt = sa.select(*columns).order_by(*table.primary_key.columns)
            h.update(table.name.encode())
            for row in conn.execute(stmt):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


# -- determinism and refresh ----------------------------------------------------------------


def test_same_seed_and_now_rebuild_the_same_rows_and_refresh_replaces_them(demo):
    engine, first = demo
    before = digest(engine)
    again = build_demo(engine, seed=SEED, subscribers=SUBSCRIBERS, calls=CALLS, now=NOW)
    assert again.counts == first.counts
    assert digest(engine) == before
    assert first.counts["calls"] == CALLS
    assert first.counts["subscribers"] == SUBSCRIBERS
    assert first.counts["centers"] == 1
    assert first.center_code == DEMO_CENTER_CODE
    assert first.now == NOW


def test_another_seed_gives_other_data(engine):
    build_demo(engine, seed=1, subscribers=30, calls=200, now=NOW)
    one = digest(engine)
    build_demo(engine, seed=2, subscribers=30, calls=200, now=NOW)
    assert digest(engine) != one


def test_demo_refuses_a_database_with_another_center(engine):
    with session(engine) as s:
        s.add(Center(code="TEH", number=121, name_fa="تهران", name_en="Tehran"))
    with pytest.raises(DemoError):
        build_demo(engine, subscribers=10, calls=50, now=NOW)
    assert rows(engine, sa.select(Center.code)) == [("TEH",)]


def test_summary_lists_every_account_with_its_password(demo):
    engine, summary = demo
    accounts = {username: (roles, password) for username, roles, password in summary.accounts}
    assert {"agent1", "followup1", "surveyor1", "notifier1", "supervisor", "admin", "rural"} <= set(
        accounts
    )
    assert accounts["agent1"] == (("agent",), "demo-agent1")
    assert len(accounts["rural"][0]) >= 3
    assert all(len(password) >= 8 for _roles, password in accounts.values())
    stored = {
        username: sorted(role for u, role in rows(engine, _roles_stmt()) if u == username)
        for username in accounts
    }
    assert stored == {u: sorted(r) for u, (r, _p) in accounts.items()}


def _roles_stmt():
    return sa.select(Agent.username, AgentRole.role).join(AgentRole, AgentRole.agent_id == Agent.id)


def test_demo_password_signs_in(demo):
    from db.accounts import sign_in

    engine, _summary = demo
    with session(engine) as s:
        agent = sign_in(s, username="rural", password="demo-rural", now=NOW)
    assert {Role.AGENT, Role.FOLLOWUP} <= agent.roles


# -- completeness -------------------------------------------------------------------------


def test_every_status_role_and_domain_category_exists(demo):
    engine, _summary = demo
    statuses = {s for (s,) in rows(engine, sa.select(Ticket.status).distinct())}
    assert statuses == {s.value for s in TicketStatus}
    roles = {r for (r,) in rows(engine, sa.select(AgentRole.role).distinct())}
    assert roles == {r.value for r in Role}
    categories = dict(rows(engine, sa.select(Category.code, Category.name_fa)))
    for code, term in DOMAIN_CATEGORIES.items():
        assert term in categories[code], code
    assert set(categories) == {c.code for c in catalog_seed.CATEGORIES}
    levels = {lvl for (lvl,) in rows(engine, sa.select(Ticket.escalation_level).distinct())}
    assert {1, 2, 3} <= levels
    overdue = rows(
        engine,
        sa.select(Ticket.id).where(
            Ticket.status.in_([s.value for s in OPEN_STATUSES]), Ticket.resolution_due_at < NOW
        ),
    )
    assert overdue


def test_category_catalog_is_sound():
    codes = [c.code for c in catalog_seed.CATEGORIES]
    assert len(codes) == len(set(codes))
    for c in catalog_seed.CATEGORIES:
        assert 1 <= c.priority <= 4
        assert c.calendar == ("24x7" if c.emergency else "office")
        if c.needs_request:
            assert 0 < c.response_minutes <= c.resolution_minutes
            assert c.unit_kind is not None
        if c.emergency and c.unit_kind is not None:
            assert "address" in c.required_fields
    burst = next(c for c in catalog_seed.CATEGORIES if c.code == "pipe_burst")
    assert (burst.priority, burst.response_minutes, burst.resolution_minutes) == (1, 30, 360)
    info = next(c for c in catalog_seed.CATEGORIES if c.code == "general_info")
    assert not info.needs_request


def test_identifiers_validate_and_phones_look_real(demo):
    engine, _summary = demo
    subscribers = rows(engine, sa.select(Subscriber.bill_id, Subscriber.national_code))
    bills = [b for b, _n in subscribers]
    assert len(bills) == len(set(bills)) == SUBSCRIBERS
    for bill_id, national_code in subscribers:
        assert normalize_bill_id(bill_id) == bill_id
        assert bill_service_type(bill_id) == 1
        if national_code is not None:
            assert normalize_national_code(national_code) == national_code
    phones = rows(engine, sa.select(SubscriberPhone.subscriber_id, SubscriberPhone.phone))
    for _sub, phone in phones:
        assert normalize_phone(phone)[1] == phone
    per_phone = Counter(phone for _sub, phone in phones)
    per_subscriber = Counter(sub for sub, _phone in phones)
    assert any(n >= 2 for n in per_phone.values()), "some families share a phone"
    assert any(n >= 2 for n in per_subscriber.values()), "some subscribers have two phones"
    assert any(phone.startswith("031") for phone in per_phone), "Isfahan landlines"


def test_calls_follow_the_day_and_the_outcome_mix(demo):
    engine, _summary = demo
    calls = rows(
        engine, sa.select(Call.outcome, Call.started_at, Call.ended_at, Call.subscriber_id)
    )
    outcomes = Counter(outcome for outcome, *_ in calls)
    assert 0.55 < outcomes[CallOutcome.ANSWERED] / CALLS < 0.75
    assert 0.18 < outcomes[CallOutcome.REQUEST_REGISTERED] / CALLS < 0.32
    assert set(outcomes) == {o.value for o in CallOutcome}
    assert all(40 <= (end - start).total_seconds() <= 400 for _o, start, end, _s in calls)
    assert all(end <= NOW for *_x, end, _s in calls)
    assert min(start for _o, start, _e, _s in calls) > NOW.replace(year=2026, month=7)
    # Tehran morning (08-13) is busier than Tehran night (00-05).
    hours = Counter((start.hour * 60 + start.minute + 210) // 60 % 24 for _o, start, *_ in calls)
    assert sum(hours[h] for h in range(8, 14)) > 4 * sum(hours[h] for h in range(0, 6))
    assert any(sub is None for *_x, sub in calls), "some callers are not subscribers"


# -- requests -----------------------------------------------------------------------------


def test_tracking_codes_are_valid_unique_and_gapless(demo):
    engine, _summary = demo
    tickets = rows(
        engine, sa.select(Ticket.tracking_code, Ticket.year, Ticket.seq).order_by(Ticket.opened_at)
    )
    codes = [code for code, _y, _s in tickets]
    assert len(codes) == len(set(codes))
    by_year: dict[int, list[int]] = defaultdict(list)
    for code, year, seq in tickets:
        assert is_valid_tracking_code(code)
        parsed = parse_tracking_code(code)
        assert (parsed.center_number, parsed.year2, parsed.seq) == (131, year % 100, seq)
        by_year[year].append(seq)
    for seqs in by_year.values():
        assert seqs == list(range(1, len(seqs) + 1))
    last = dict(rows(engine, sa.select(TrackingSequence.year, TrackingSequence.last_seq)))
    assert last == {year: len(seqs) for year, seqs in by_year.items()}


def test_sequences_restart_at_nowruz(engine):
    # The last four months before 20 April 2026 span Nowruz 1405 (21 March 2026).
    build_demo(engine, subscribers=40, calls=400, now=datetime(2026, 4, 20, 8, tzinfo=UTC))
    tickets = rows(engine, sa.select(Ticket.year, Ticket.seq).order_by(Ticket.opened_at))
    years = [year for year, _seq in tickets]
    assert years == sorted(years) and set(years) == {1404, 1405}
    for year in (1404, 1405):
        assert [s for y, s in tickets if y == year] == list(range(1, years.count(year) + 1))


def test_event_logs_chain_from_registration_to_the_current_status(demo):
    engine, _summary = demo
    roles: dict[uuid.UUID, set[Role]] = defaultdict(set)
    for agent_id, role in rows(engine, sa.select(AgentRole.agent_id, AgentRole.role)):
        roles[agent_id].add(Role(role))
    tickets = {t.id: t for t in rows(engine, sa.select(Ticket.__table__))}
    codes = {t.id: t.tracking_code for t in tickets.values()}
    events: dict[uuid.UUID, list] = defaultdict(list)
    stmt = sa.select(TicketEvent.__table__).order_by(TicketEvent.ticket_id, TicketEvent.at)
    for e in rows(engine, stmt):
        events[e.ticket_id].append(e)
    assert set(events) == set(tickets)
    for ticket_id, log in events.items():
        t = tickets[ticket_id]
        first = log[0]
        assert (first.action, first.from_status, first.to_status) == (
            "registered",
            None,
            "registered",
        )
        assert first.at == t.opened_at
        for before, after in itertools.pairwise(log):
            assert after.from_status == before.to_status, (t.tracking_code, after.action)
            assert after.at > before.at
        assert log[-1].to_status == t.status
        assert log[-1].at <= NOW
        assert t.version == len(log)
        assert t.updated_at == log[-1].at
        escalations = [e for e in log if e.action == "escalated"]
        assert [e.data["level"] for e in escalations] == list(range(1, len(escalations) + 1))
        assert t.escalation_level == len(escalations)
        for e in log:
            assert roles[e.actor_id] & ACTOR_ROLES[e.action], (e.action, t.tracking_code)
        if t.status == TicketStatus.CLOSED:
            assert t.closed_at == log[-1].at
        if t.status == TicketStatus.CANCELLED and t.duplicate_of_id is not None:
            original = codes[t.duplicate_of_id]
            assert original in log[-1].note
            assert tickets[t.duplicate_of_id].opened_at < t.opened_at
        if any(e.action == "reopened" for e in log):
            assert t.kind == "complaint"
    assert any(t.duplicate_of_id for t in tickets.values()), "some duplicates were cancelled"


def test_registered_calls_point_at_their_requests(demo):
    engine, _summary = demo
    stmt = sa.select(Call.outcome, Call.ticket_id, Call.category_id, Call.started_at).where(
        Call.ticket_id.is_not(None)
    )
    tickets = {t.id: t for t in rows(engine, sa.select(Ticket.__table__))}
    registered = 0
    for outcome, ticket_id, category_id, started_at in rows(engine, stmt):
        t = tickets[ticket_id]
        assert outcome in (CallOutcome.REQUEST_REGISTERED, CallOutcome.LINKED_REQUEST)
        assert category_id == t.category_id
        if outcome == CallOutcome.REQUEST_REGISTERED:
            registered += 1
            assert started_at <= t.opened_at
        else:
            assert started_at > t.opened_at
    assert registered == len(tickets)


# -- incidents, feedback, notices ----------------------------------------------------------


def test_incidents_have_areas_events_and_linked_calls(demo):
    engine, _summary = demo
    incidents = {i.id: i for i in rows(engine, sa.select(Incident.__table__))}
    active = [i for i in incidents.values() if i.status == "active"]
    closed = [i for i in incidents.values() if i.status == "closed"]
    assert len(active) == 1 and len(closed) >= 1
    assert active[0].kind == "main_break"
    assert active[0].expected_restoration_at > NOW and active[0].public_message
    assert closed[0].closed_at is not None
    areas = rows(engine, sa.select(IncidentArea.incident_id, IncidentArea.district_id,
                                   IncidentArea.street_key))  # fmt: skip
    for incident_id in incidents:
        mine = [a for a in areas if a.incident_id == incident_id]
        assert any(a.district_id for a in mine) and any(a.street_key for a in mine)
    assert {e for (e,) in rows(engine, sa.select(IncidentEvent.incident_id))} == set(incidents)
    calls = rows(engine, sa.select(Call.outcome, Call.incident_id, Call.started_at))
    linked = [c for c in calls if c.outcome == CallOutcome.LINKED_INCIDENT]
    assert linked and all(c.incident_id in incidents for c in linked)
    assert all(c.outcome == CallOutcome.LINKED_INCIDENT for c in calls if c.incident_id)
    for c in linked:
        incident = incidents[c.incident_id]
        assert incident.started_at <= c.started_at <= (incident.closed_at or NOW)
    assert any(c.incident_id == active[0].id for c in linked)
    first_reports = rows(
        engine, sa.select(Ticket.incident_id).where(Ticket.incident_id.is_not(None))
    )
    assert first_reports == [(active[0].id,)]


def test_callbacks_and_surveys_match_their_requests(demo):
    engine, _summary = demo
    status = dict(rows(engine, sa.select(Ticket.id, Ticket.status)))
    attempts: dict[uuid.UUID, list] = defaultdict(list)
    stmt = sa.select(CallbackAttempt.__table__).order_by(CallbackAttempt.at)
    for a in rows(engine, stmt):
        attempts[a.callback_id].append(a.outcome)
    callbacks = rows(engine, sa.select(Callback.__table__))
    kinds = Counter(cb.status for cb in callbacks)
    assert kinds["due"] >= 1 and kinds["done"] >= 1
    for cb in callbacks:
        tried = attempts[cb.id]
        assert cb.attempts == len(tried)
        if cb.status == "done":
            assert tried[-1] == "reached" and cb.closed_at is not None
        elif cb.status == "sms_sent":
            assert len(tried) == 3 and "reached" not in tried
        else:
            assert cb.status == "due" and "reached" not in tried and cb.closed_at is None
            assert status[cb.ticket_id] == TicketStatus.AWAITING_FEEDBACK
    questions = rows(engine, sa.select(Question.code, Question.reopens_on_no, Question.id))
    assert [q.code for q in questions if q.reopens_on_no] == ["resolved"]
    resolved_id = next(q.id for q in questions if q.code == "resolved")
    surveys = {s.id: s for s in rows(engine, sa.select(Survey.__table__))}
    assert any(s.completed_at for s in surveys.values())
    reopened = {
        t for (t,) in rows(engine, sa.select(TicketEvent.ticket_id).where(
            TicketEvent.action == "reopened"))
    }  # fmt: skip
    answers = rows(engine, sa.select(Answer.survey_id, Answer.value_int).where(
        Answer.question_id == resolved_id))  # fmt: skip
    for survey_id, value in answers:
        ticket_id = surveys[survey_id].ticket_id
        assert (value == 0) == (ticket_id in reopened)


def test_campaign_and_outbox(demo):
    _engine, summary = demo
    assert summary.counts["campaigns"] == 1
    assert summary.counts["notice_templates"] >= 5
    assert summary.counts["outbox_messages"] > 0
    assert summary.counts["canned_answers"] == len(catalog_seed.CANNED_ANSWERS)
    assert summary.counts["holidays"] == len(catalog_seed.holiday_dates(catalog_seed.HOLIDAYS_1405))


# -- ids and storage ------------------------------------------------------------------------


def test_ids_are_uuid7_stamped_with_the_rows_own_time(demo):
    engine, _summary = demo
    for table, column in ((Call, Call.started_at), (Ticket, Ticket.opened_at),
                          (TicketEvent, TicketEvent.at)):  # fmt: skip
        for row_id, at in rows(engine, sa.select(table.id, column)):
            assert row_id.version == 7 and row_id.variant == uuid.RFC_4122
            assert row_id.int >> 80 == int(at.timestamp() * 1000)


def test_uuid7_from_is_deterministic_and_time_ordered():
    import random

    a, b = random.Random(1), random.Random(1)
    assert uuid7_from(a, 1_700_000_000.5) == uuid7_from(b, 1_700_000_000.5)
    ids = [uuid7_from(a, 1_700_000_000 + k) for k in range(100)]
    assert ids == sorted(ids)
    assert all(i.version == 7 for i in ids)


def test_bulk_written_rows_compare_like_orm_written_ones(demo):
    """Rows written by the bulk path are found by ordinary ORM-style queries on their
    timestamps, ids and JSON, the same as rows SQLAlchemy wrote itself."""
    engine, _summary = demo
    with session(engine) as s:
        call = s.execute(sa.select(Call).order_by(Call.started_at.desc()).limit(1)).scalar_one()
        found = s.execute(
            sa.select(Call.id).where(Call.started_at == call.started_at, Call.id == call.id)
        ).scalar_one()
        assert found == call.id
        assert (
            s.execute(
                sa.select(sa.func.count())
                .select_from(Call)
                .where(Call.started_at <= call.started_at)
            ).scalar_one()
            == CALLS
        )
        event = s.execute(
            sa.select(TicketEvent).where(TicketEvent.action == "registered").limit(1)
        ).scalar_one()
        assert set(event.data) == {"call_id"}
        assert s.get(Call, uuid.UUID(event.data["call_id"])) is not None
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            raw = conn.exec_driver_sql("SELECT started_at FROM calls LIMIT 1").scalar_one()
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", raw)
