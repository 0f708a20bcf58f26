"""Reports: every figure against numbers worked out by hand from a small center, on SQLite and
PostgreSQL, and the rules around them (periods, permission, masking, audit).

The center of tests/db/world.py, with calls, requests, incidents and surveys written directly
through the models, so each row below is exactly what the figures read. The period is
1405/08/24 .. 1405/08/28 (15-19 November 2026, Tehran); "now" is 20 November 10:00.

Calls in the period (Tehran times; P1 ali (D1), P2 karim (D2), P3 and P4 unknown callers)::

    call  when      channel     phone  category         outcome             sec  district
    c1    15 00:10  phone_122   P1     pipe_burst       request_registered  120  D1 (T1)
    c2    15 10:05  phone_122   P1     pipe_burst       linked_request       60  D1 (T1)
    c3    16 10:30  phone_1523  P2     bill_dispute     answered            300  D2 (karim)
    c4    16 10:45  sms         P3     bill_dispute     answered             30  -
    c5    17 14:00  phone_122   P3     low_pressure     linked_incident I1   90  -
    c6    17 14:20  phone_122   P4     low_pressure     linked_incident I1  150  -
    c7    18 09:00  phone_122   P4     -                dropped              20  -
    c8    18 23:59  outbound    P2     bill_dispute     answered            200  D2 (karim)
    c9    19 08:00  phone_122   P2     staff_complaint  request_registered  100  D1 (T2 is D1)
    c14   19 12:00  sms         P1     bill_dispute     answered             40  D1 (ali)

Outside it: c11 14 23:50 P3 low_pressure (a minute before the period); c10 23 09:00 P2
bill_dispute on 1523 (6 days 22.5 hours after c3: a repeat); c12 24 14:00 P3 low_pressure
(exactly 7 days after c5: a repeat); c13 24 14:21 P4 low_pressure (7 days and a minute after c6:
not a repeat); c16 10 08:58 P1 pipe_burst registering T0 (agent reza). And one call of another
center in the period, which no figure may count.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import select

from db.accounts import PermissionDenied
from db.engine import make_engine, session
from db.models import (
    Answer,
    AnswerScale,
    AuditEntry,
    Call,
    Incident,
    Question,
    Questionnaire,
    Survey,
    Ticket,
    TicketEvent,
)
from db.reports import (
    REPORTS,
    ReportError,
    mask_name,
    mask_phone,
    open_scope,
    parse_period,
    period_between,
    record_export,
    run_report,
)
from db.reports.callers import repeat_callers
from db.reports.period import month_of

from .world import World, add_center, build_world, teh

P1, P2, P3, P4 = "09121111111", "09123333333", "09125555555", "09127777777"
# "Now" for the figures: the morning after the period.
AS_OF = teh(20, 10)
FROM, TO = "1405/08/24", "1405/08/28"


@dataclass
class Data:
    w: World
    tickets: dict[str, uuid.UUID]


def _call(w, key, day, hour, minute, channel, phone, category, outcome, seconds, *,
          subscriber=None, ticket=None, incident=None, agent=None, center_id=None):  # fmt: skip
    start = teh(day, hour, minute)
    return Call(
        center_id=center_id or w.center_id,
        channel=channel,
        phone=phone,
        subscriber_id=w.subscribers[subscriber] if subscriber else None,
        agent_id=(agent or w.desk).id,
        category_id=w.categories[category] if category else None,
        outcome=outcome,
        ticket_id=ticket,
        incident_id=incident,
        notes=key,
        started_at=start,
        ended_at=start + timedelta(seconds=seconds),
    )


def _ticket(w, seq, unit, category, status, opened, **times) -> Ticket:
    return Ticket(
        center_id=times.pop("center_id", w.center_id),
        tracking_code=f"13105{seq:06d}0",
        year=1405,
        seq=seq,
        status=status,
        category_id=w.categories[category],
        unit_id=w.units[unit] if unit else None,
        opened_at=opened,
        **times,
    )


def _escalated(w, ticket_id, at, level, *, auto=False) -> TicketEvent:
    data = {"level": level, "from_level": level - 1}
    if auto:
        data["auto"] = True
    return TicketEvent(
        center_id=w.center_id, ticket_id=ticket_id, at=at, action="escalated", data=data
    )


def build_data(w: World) -> Data:
    W, S, B = "water_ops", "sewer_ops", "billing"
    with session(w.engine) as s:
        other = add_center_in(s)
        i1 = Incident(center_id=w.center_id, kind="low_pressure", status="closed", title="I1",
                      public_message="-", unit_id=w.units[W], started_at=teh(17, 12),
                      closed_at=teh(18, 12))  # fmt: skip
        i2 = Incident(center_id=w.center_id, kind="main_break", status="closed", title="I2",
                      public_message="-", started_at=teh(10), closed_at=teh(14, 10))  # fmt: skip
        i3 = Incident(center_id=w.center_id, kind="sewer", title="I3", public_message="-",
                      unit_id=w.units[S], started_at=teh(19, 20))  # fmt: skip
        i4 = Incident(center_id=w.center_id, kind="sewer", title="I4", public_message="-",
                      started_at=teh(20, 8))  # fmt: skip
        s.add_all([i1, i2, i3, i4])
        s.flush()
        t = {
            # Closed in the period, opened before it.
            "T0": _ticket(w, 1, W, "pipe_burst", "closed", teh(10, 9), closed_at=teh(16, 10),
                          response_due_at=teh(10, 9, 30), responded_at=teh(10, 9, 20),
                          resolution_due_at=teh(10, 15), resolved_at=teh(10, 14)),
            # Response met, resolution late; closed in the period.
            "T1": _ticket(w, 2, W, "pipe_burst", "closed", teh(15, 0, 12),
                          district_id=w.districts["D1"], closed_at=teh(15, 12),
                          response_due_at=teh(15, 0, 42), responded_at=teh(15, 0, 30),
                          resolution_due_at=teh(15, 6, 12), resolved_at=teh(15, 7)),
            # Both clocks running in time; the unit's clock ran out yesterday evening.
            "T2": _ticket(w, 3, B, "staff_complaint", "referred", teh(19, 8, 2),
                          district_id=w.districts["D1"], referred_at=teh(19, 8, 10),
                          unit_due_at=teh(19, 20), response_due_at=teh(21, 8, 2),
                          resolution_due_at=teh(26, 8, 2)),
            # Responded late, unresolved past due: overdue now.
            "T3": _ticket(w, 4, W, "low_pressure", "in_progress", teh(17, 13), incident_id=i1.id,
                          escalation_level=1, response_due_at=teh(17, 15),
                          responded_at=teh(17, 16), resolution_due_at=teh(18, 13)),
            # Paused: both clocks pending, not overdue.
            "T4": _ticket(w, 5, S, "pipe_burst", "pending_subscriber", teh(16, 9),
                          paused_at=teh(16, 9, 20), response_due_at=teh(16, 9, 30),
                          resolution_due_at=teh(16, 15)),
            # Cancelled: in "opened" and "cancelled", never in SLA.
            "T5": _ticket(w, 6, B, "bill_dispute", "cancelled", teh(18, 10), closed_at=teh(18, 11),
                          response_due_at=teh(18, 11), resolution_due_at=teh(25, 10)),
            # Closed after the period: backlog at its end.
            "T6": _ticket(w, 7, S, "pipe_burst", "closed", teh(12, 10), closed_at=teh(22, 10),
                          response_due_at=teh(12, 10, 30), responded_at=teh(12, 10, 10),
                          resolution_due_at=teh(12, 16), resolved_at=teh(21, 10)),
            # No unit yet; unanswered past its response due.
            "T7": _ticket(w, 8, None, "bill_dispute", "registered", teh(19, 9),
                          response_due_at=teh(19, 10), resolution_due_at=teh(26, 9)),
            # Everything in time; waiting for the feedback call.
            "T8": _ticket(w, 9, W, "pipe_burst", "awaiting_feedback", teh(17, 8),
                          referred_at=teh(17, 8, 5), unit_due_at=teh(17, 14),
                          response_due_at=teh(17, 8, 30), responded_at=teh(17, 8, 10),
                          resolution_due_at=teh(17, 14), resolved_at=teh(17, 12)),
            # Opened long ago, still open and overdue; escalated twice.
            "T9": _ticket(w, 10, S, "pipe_burst", "referred", teh(1, 9), escalation_level=2,
                          referred_at=teh(1, 9, 5), unit_due_at=teh(1, 15),
                          response_due_at=teh(1, 9, 30), resolution_due_at=teh(1, 15)),
            # The unit's clock ran out; escalated to level 3, the last step after the period.
            "T10": _ticket(w, 11, B, "bill_dispute", "referred", teh(18, 9), escalation_level=3,
                           referred_at=teh(18, 9, 30), unit_due_at=teh(19, 9, 30),
                           response_due_at=teh(20, 9), resolution_due_at=teh(25, 9)),
            # Another center's request in the period.
            "X": _ticket(w, 12, W, "pipe_burst", "registered", teh(16, 9), center_id=other),
        }  # fmt: skip
        s.add_all(t.values())
        s.flush()
        ids = {k: v.id for k, v in t.items()}
        s.add_all([
            _escalated(w, ids["T3"], teh(18, 13, 30), 1),
            _escalated(w, ids["T9"], teh(14, 10), 1, auto=True),  # before the period
            _escalated(w, ids["T9"], teh(16, 10), 2, auto=True),
            _escalated(w, ids["T10"], teh(19, 12), 1, auto=True),
            _escalated(w, ids["T10"], teh(19, 18), 2, auto=True),
            _escalated(w, ids["T10"], teh(20, 1), 3),  # after the period
            TicketEvent(center_id=w.center_id, ticket_id=ids["T3"], at=teh(17, 13, 5),
                        action="referred", unit_id=w.units[W]),
        ])  # fmt: skip
        calls = [
            _call(w, "c1", 15, 0, 10, "phone_122", P1, "pipe_burst", "request_registered", 120,
                  subscriber="ali", ticket=ids["T1"]),
            _call(w, "c2", 15, 10, 5, "phone_122", P1, "pipe_burst", "linked_request", 60,
                  subscriber="ali", ticket=ids["T1"]),
            _call(w, "c3", 16, 10, 30, "phone_1523", P2, "bill_dispute", "answered", 300,
                  subscriber="karim"),
            _call(w, "c4", 16, 10, 45, "sms", P3, "bill_dispute", "answered", 30),
            _call(w, "c5", 17, 14, 0, "phone_122", P3, "low_pressure", "linked_incident", 90,
                  incident=i1.id),
            _call(w, "c6", 17, 14, 20, "phone_122", P4, "low_pressure", "linked_incident", 150,
                  incident=i1.id),
            _call(w, "c7", 18, 9, 0, "phone_122", P4, None, "dropped", 20),
            _call(w, "c8", 18, 23, 59, "outbound", P2, "bill_dispute", "answered", 200,
                  subscriber="karim"),
            _call(w, "c9", 19, 8, 0, "phone_122", P2, "staff_complaint", "request_registered",
                  100, subscriber="karim", ticket=ids["T2"]),
            _call(w, "c14", 19, 12, 0, "sms", P1, "bill_dispute", "answered", 40,
                  subscriber="ali"),
            _call(w, "c10", 23, 9, 0, "phone_1523", P2, "bill_dispute", "answered", 100,
                  subscriber="karim"),
            _call(w, "c11", 14, 23, 50, "phone_122", P3, "low_pressure", "answered", 60),
            _call(w, "c12", 24, 14, 0, "phone_122", P3, "low_pressure", "answered", 60),
            _call(w, "c13", 24, 14, 21, "phone_122", P4, "low_pressure", "answered", 60),
            _call(w, "c16", 10, 8, 58, "phone_122", P1, "pipe_burst", "request_registered", 120,
                  subscriber="ali", ticket=ids["T0"], agent=w.supervisor),
            _call(w, "other", 16, 10, 0, "phone_122", P1, "pipe_burst", "answered", 500,
                  center_id=other),
        ]  # fmt: skip
        s.add_all(calls)
        q = Questionnaire(center_id=w.center_id, code="after", name_fa="پس از", name_en="After")
        s.add(q)
        s.flush()
        questions = {
            code: Question(questionnaire_id=q.id, position=i, code=code, text_fa=code,
                           text_en=code, scale=scale)
            for i, (code, scale) in enumerate([
                ("resolved", AnswerScale.YES_NO), ("speed", AnswerScale.ONE_TO_FIVE),
                ("overall", AnswerScale.ONE_TO_FIVE), ("comment", AnswerScale.TEXT),
            ], start=1)
        }  # fmt: skip
        s.add_all(questions.values())
        s.flush()
        for ticket, completed, answers in (
            ("T1", teh(16, 10), {"resolved": 1, "speed": 5, "overall": 4, "comment": None}),
            ("T8", teh(18, 12), {"speed": 3, "overall": 2}),
            ("T0", teh(16, 18), {"resolved": 1, "speed": 4, "overall": 4}),
            ("T2", teh(19, 23), {"speed": None, "overall": 1}),
            (None, teh(17, 9), {"overall": 5}),
            ("T1", teh(20, 0, 30), {"overall": 5}),  # after the period
            ("T1", None, {"overall": 1}),  # never completed
        ):
            survey = Survey(center_id=w.center_id, questionnaire_id=q.id,
                            ticket_id=ids[ticket] if ticket else None,
                            started_at=completed or teh(16), completed_at=completed)  # fmt: skip
            s.add(survey)
            s.flush()
            s.add_all(
                Answer(survey_id=survey.id, question_id=questions[code].id, value_int=value,
                       value_text="" if value is not None else "—")
                for code, value in answers.items()
            )  # fmt: skip
    return Data(w, ids)


def add_center_in(s) -> uuid.UUID:
    from db.models import Center

    center = Center(code="KSH", number=132, name_fa="کاشان", name_en="Kashan")
    s.add(center)
    s.flush()
    return center.id


@pytest.fixture(scope="module")
def data(module_db_url):
    engine = make_engine(module_db_url)
    center_id = add_center(engine)
    yield build_data(build_world(engine, center_id))
    engine.dispose()


def figure(data: Data, name: str, *, actor=None, unit=None, center="ISF"):
    with session(data.w.engine, write=False) as s:
        period = parse_period(FROM, TO, now=AS_OF)
        scope = open_scope(
            s, actor=actor, period=period, unit_code=unit, center_code=center, now=AS_OF
        )
        return run_report(s, name, scope)


def rows(fig, *keys: str) -> list[tuple]:
    return [tuple(getattr(r, k) for k in keys) for r in fig.rows]


def total(fig, *keys: str) -> tuple:
    return tuple(getattr(fig.total, k) for k in keys)


# -- calls --------------------------------------------------------------------------------------


def test_calls_by_channel(data):
    fig = figure(data, "calls_by_channel")
    # 10 calls: phone_122 c1 c2 c5 c6 c7 c9; sms c4 c14; outbound c8; phone_1523 c3.
    assert rows(fig, "channel", "calls") == [
        ("phone_122", 6), ("sms", 2), ("outbound", 1), ("phone_1523", 1)
    ]  # fmt: skip
    assert [r.share for r in fig.rows] == pytest.approx([0.6, 0.2, 0.1, 0.1])
    assert total(fig, "calls", "share") == (10, 1.0)


def test_calls_by_category(data):
    fig = figure(data, "calls_by_category")
    # bill_dispute c3 c4 c8 c14; low_pressure c5 c6; pipe_burst c1 c2; staff_complaint c9;
    # none: c7 (dropped before a category was picked), last among equals.
    assert rows(fig, "category_code", "calls") == [
        ("bill_dispute", 4), ("low_pressure", 2), ("pipe_burst", 2), ("staff_complaint", 1),
        (None, 1),
    ]  # fmt: skip
    assert fig.rows[0].category_name_en == "Bill dispute / high bill"
    assert fig.rows[-1].category_name_fa is None
    assert total(fig, "calls") == (10,)


def test_calls_by_hour_in_tehran_time(data):
    fig = figure(data, "calls_by_hour")
    # c1 at 00:10 Tehran is 20:40 UTC the day before: hour 0, in the period; c11 at 23:50 on
    # the 14th is not in it. c8 at 23:59 is hour 23.
    counts = {r.hour: r.calls for r in fig.rows}
    assert len(fig.rows) == 24
    assert {h: n for h, n in counts.items() if n} == {0: 1, 8: 1, 9: 1, 10: 3, 12: 1, 14: 2, 23: 1}
    assert fig.rows[10].share == pytest.approx(0.3)
    assert total(fig, "calls") == (10,)


def test_calls_by_district(data):
    fig = figure(data, "calls_by_district")
    # D1: c1 c2 (T1 is in D1), c9 (T2 is in D1, although karim lives in D2), c14 (ali);
    # D2: c3 c8 (karim); none: c4 c5 c6 c7 (unknown callers, no request).
    assert rows(fig, "district_code", "calls") == [("D1", 4), (None, 4), ("D2", 2)]
    assert fig.rows[0].district_name_en == "District 1"


def test_answered_without_request(data):
    fig = figure(data, "answered_without_request")
    # Answered: c3 (1523), c4 c14 (sms), c8 (outbound); phone_122's six all did something else.
    assert rows(fig, "channel", "calls", "answered", "share") == [
        ("phone_122", 6, 0, 0.0), ("sms", 2, 2, 1.0), ("outbound", 1, 1, 1.0),
        ("phone_1523", 1, 1, 1.0),
    ]  # fmt: skip
    assert total(fig, "calls", "answered") == (10, 4)
    assert fig.total.share == pytest.approx(0.4)


def test_aht(data):
    fig = figure(data, "aht")
    # Handled = not dropped (c7 left out). phone_122: 120+60+90+150+100 = 520 s / 5 = 104;
    # sms: (30+40)/2 = 35; outbound 200; phone_1523 300. All: 1090 s / 9 = 121.1 s.
    assert rows(fig, "channel", "handled") == [
        ("phone_122", 5), ("sms", 2), ("outbound", 1), ("phone_1523", 1)
    ]  # fmt: skip
    assert [r.aht_seconds for r in fig.rows] == pytest.approx([104, 35, 200, 300])
    assert fig.total.handled == 9
    assert fig.total.aht_seconds == pytest.approx(1090 / 9)


def test_first_contact_resolution(data):
    fig = figure(data, "fcr")
    # Contacts: c1 c2 c3 c4 c5 c6 c9 c14 (c7 has no category, c8 is outbound).
    # Repeated: c1 (c2 the same morning), c3 (c10 six days later; c8 in between is outbound
    # and does not count), c5 (c12 exactly 7 days later). Not: c2, c4, c6 (c13 is 7 days and
    # a minute later), c9, c14.
    assert rows(fig, "category_code", "contacts", "repeated") == [
        ("bill_dispute", 3, 1), ("low_pressure", 2, 1), ("pipe_burst", 2, 1),
        ("staff_complaint", 1, 0),
    ]  # fmt: skip
    assert [r.fcr for r in fig.rows] == pytest.approx([2 / 3, 0.5, 0.5, 1.0])
    assert total(fig, "contacts", "repeated") == (8, 3)
    assert fig.total.fcr == pytest.approx(5 / 8)


def test_repeat_callers_masked_without_a_person(data):
    fig = figure(data, "repeat_callers")
    # P1: c1 c2 c14 (2 categories); P2: c3 c9 (c8 is outbound); P3: c4 c5; P4: c6 c7 (c7 has
    # no category, so one category).
    assert fig.masked
    assert rows(fig, "phone", "calls", "categories") == [
        ("0912***1111", 3, 2), ("0912***3333", 2, 2), ("0912***5555", 2, 2),
        ("0912***7777", 2, 1),
    ]  # fmt: skip
    assert fig.rows[0].first_at == teh(15, 0, 10)
    assert fig.rows[0].last_at == teh(19, 12)
    assert dict(fig.summary) == {"numbers": 4, "calls": 9}
    assert fig.total.calls == 9


def test_repeat_callers_limit_keeps_the_summary_whole(data):
    with session(data.w.engine, write=False) as s:
        scope = open_scope(s, actor=data.w.supervisor, period=parse_period(FROM, TO, now=AS_OF))
        fig = repeat_callers(s, scope, limit=2)
    assert not fig.masked
    assert rows(fig, "phone", "calls") == [(P1, 3), (P2, 2)]
    assert dict(fig.summary) == {"numbers": 4, "calls": 9}
    assert fig.total.calls == 5


def test_calls_per_incident(data):
    fig = figure(data, "calls_per_incident")
    # Active in the period: I1 (17th-18th; calls c5 c6; request T3) and I3 (from the 19th
    # evening, no calls yet). I2 closed before the period, I4 started after it.
    assert rows(fig, "title", "incident_kind", "calls", "requests") == [
        ("I1", "low_pressure", 2, 1), ("I3", "sewer", 0, 0)
    ]  # fmt: skip
    assert dict(fig.summary) == {"incidents": 2, "calls_per_incident": 1.0}
    assert rows(figure(data, "calls_per_incident", unit="water_ops"), "title") == [("I1",)]


# -- requests -----------------------------------------------------------------------------------


FLOW = ("opened", "closed", "cancelled", "backlog")


def test_requests_by_unit(data):
    fig = figure(data, "requests_by_unit")
    # water_ops: opened T1 T3 T8; closed T0 T1; backlog T3 T8.
    # billing: opened T2 T5 T10; cancelled T5; backlog T2 T10.
    # sewer_ops: opened T4; backlog T4, T6 (closed after the end), T9 (opened long ago).
    # no unit: T7, opened and waiting.
    assert rows(fig, "unit_code", *FLOW) == [
        ("billing", 3, 0, 1, 2), ("water_ops", 3, 2, 0, 2), ("sewer_ops", 1, 0, 0, 3),
        (None, 1, 0, 0, 1),
    ]  # fmt: skip
    assert total(fig, *FLOW) == (8, 2, 1, 8)


def test_requests_by_category(data):
    fig = figure(data, "requests_by_category")
    # pipe_burst: opened T1 T4 T8, closed T0 T1, backlog T4 T6 T8 T9; bill_dispute: opened
    # T5 T7 T10, cancelled T5, backlog T7 T10; low_pressure T3; staff_complaint T2.
    assert rows(fig, "category_code", *FLOW) == [
        ("bill_dispute", 3, 0, 1, 2), ("pipe_burst", 3, 2, 0, 4), ("low_pressure", 1, 0, 0, 1),
        ("staff_complaint", 1, 0, 0, 1),
    ]  # fmt: skip
    assert total(fig, *FLOW) == (8, 2, 1, 8)


def test_requests_of_one_unit(data):
    fig = figure(data, "requests_by_unit", unit="water_ops")
    assert rows(fig, "unit_code", *FLOW) == [("water_ops", 3, 2, 0, 2)]


SLA = ("requests", "response_met", "response_missed", "resolution_met", "resolution_missed")


def test_sla_by_unit(data):
    fig = figure(data, "sla_by_unit")
    # Opened in the period, not cancelled: T1 T3 T8 (water), T2 T10 (billing), T4 (sewer),
    # T7 (no unit). Response: met T1 T8; missed T3 (late), T7 and T10 (unanswered, due before
    # now); pending T2 (due tomorrow), T4 (paused). Resolution: met T8; missed T1 (late), T3
    # (unresolved past due); pending the rest.
    assert rows(fig, "unit_code", *SLA) == [
        ("water_ops", 3, 2, 1, 1, 2), ("billing", 2, 0, 1, 0, 0), ("sewer_ops", 1, 0, 0, 0, 0),
        (None, 1, 0, 1, 0, 0),
    ]  # fmt: skip
    assert [r.response_share for r in fig.rows] == pytest.approx([2 / 3, 0.0, None, 0.0])
    assert [r.resolution_share for r in fig.rows] == pytest.approx([1 / 3, None, None, None])
    assert total(fig, *SLA) == (7, 2, 3, 1, 2)
    assert fig.total.response_share == pytest.approx(0.4)
    assert fig.total.resolution_share == pytest.approx(1 / 3)


def test_sla_by_category(data):
    fig = figure(data, "sla_by_category")
    assert rows(fig, "category_code", *SLA) == [
        ("pipe_burst", 3, 2, 0, 1, 1), ("bill_dispute", 2, 0, 2, 0, 0),
        ("low_pressure", 1, 0, 1, 0, 1), ("staff_complaint", 1, 0, 0, 0, 0),
    ]  # fmt: skip
    assert fig.rows[0].response_share == 1.0
    assert fig.rows[0].resolution_share == 0.5
    assert total(fig, *SLA) == (7, 2, 3, 1, 2)


def test_overdue_by_unit_now(data):
    fig = figure(data, "overdue_by_unit")
    # Open now: T2 T10 (billing: both overdue on the unit's clock), T3 T8 (water: T3 past
    # its resolution due; T8 answered), T4 T9 (sewer: T4 paused; T9 long overdue), T7 (no
    # unit, in time). Closed and cancelled requests are not open.
    assert rows(fig, "unit_code", "open", "overdue", "share") == [
        ("billing", 2, 2, 1.0), ("sewer_ops", 2, 1, 0.5), ("water_ops", 2, 1, 0.5),
        (None, 1, 0, 0.0),
    ]  # fmt: skip
    assert total(fig, "open", "overdue") == (7, 4)
    assert rows(figure(data, "overdue_by_unit", unit="sewer_ops"), "unit_code", "overdue") == [
        ("sewer_ops", 1)
    ]


def test_escalations(data):
    fig = figure(data, "escalations")
    # In the period: T10 to 1 and 2 (automatic), T9 to 2 (automatic; its step to 1 was on the
    # 14th), T3 to 1 (by hand). T10's step to 3 came after the period.
    keys = ("unit_code", "level_1", "level_2", "level_3", "automatic", "escalations", "requests")
    assert rows(fig, *keys) == [
        ("billing", 1, 1, 0, 2, 2, 1), ("sewer_ops", 0, 1, 0, 1, 1, 1),
        ("water_ops", 1, 0, 0, 0, 1, 1),
    ]  # fmt: skip
    assert total(fig, *keys[1:]) == (2, 2, 0, 3, 4, 3)


# -- feedback -----------------------------------------------------------------------------------


CSAT = ("surveys", "answers", "top_answers")


def test_csat_by_unit(data):
    fig = figure(data, "csat_by_unit")
    # Completed in the period, 1-5 answers only: T1's survey 5, 4; T8's 3, 2; T0's 4, 4 (all
    # water); T2's 1 (its skipped answer does not count); the incident survey 5 (no unit).
    # Yes/no and text answers, the survey after the period and the unfinished one are out.
    assert rows(fig, "unit_code", *CSAT) == [
        ("water_ops", 3, 6, 4), ("billing", 1, 1, 0), (None, 1, 1, 1)
    ]  # fmt: skip
    assert [r.csat for r in fig.rows] == pytest.approx([2 / 3, 0.0, 1.0])
    assert total(fig, *CSAT) == (5, 8, 5)
    assert fig.total.csat == pytest.approx(5 / 8)
    assert rows(figure(data, "csat_by_unit", unit="billing"), "unit_code", *CSAT) == [
        ("billing", 1, 1, 0)
    ]


def test_csat_by_category(data):
    fig = figure(data, "csat_by_category")
    assert rows(fig, "category_code", *CSAT) == [
        ("pipe_burst", 3, 6, 4), ("staff_complaint", 1, 1, 0), (None, 1, 1, 1)
    ]  # fmt: skip


def test_csat_by_agent_is_the_desk_agent_who_registered(data):
    fig = figure(data, "csat_by_agent", actor=data.w.supervisor)
    # maryam registered T1 (c1; c2 only linked to it) and T2 (c9): 5 4 and 1. reza registered
    # T0 (c16): 4 4. No agent: T8 (no registering call) 3 2, and the incident survey 5.
    assert not fig.masked
    assert rows(fig, "agent_username", *CSAT) == [
        ("maryam", 2, 3, 2), (None, 2, 3, 1), ("reza", 1, 2, 2)
    ]  # fmt: skip
    assert fig.rows[0].agent_name == "Maryam"
    assert [r.csat for r in fig.rows] == pytest.approx([2 / 3, 1 / 3, 1.0])


def test_csat_by_agent_masks_names_for_a_surveyor(data):
    fig = figure(data, "csat_by_agent", actor=data.w.surveyor)
    assert fig.masked
    assert rows(fig, "agent_username", "agent_name", "answers") == [
        ("m***", "M***", 3), (None, None, 3), ("r***", "R***", 2)
    ]  # fmt: skip


# -- rules --------------------------------------------------------------------------------------


def test_every_figure_runs_on_an_empty_period(data):
    """Nothing in the period: no rows (the hours still list 24 zeros), no division by zero."""
    with session(data.w.engine, write=False) as s:
        period = parse_period("1404/01/01", "1404/01/02", now=AS_OF)
        scope = open_scope(s, actor=None, period=period, center_code="ISF", now=AS_OF)
        for name, spec in REPORTS.items():
            fig = run_report(s, name, scope)
            if name == "calls_by_hour":
                assert {r.calls for r in fig.rows} == {0}
            elif not spec.about_now:
                assert fig.rows == (), name
            assert spec.definition, name


def test_every_figure_is_in_the_registry_with_a_docstring():
    assert len(REPORTS) == 18
    for spec in REPORTS.values():
        assert spec.compute.__doc__ and len(spec.definition) > 60, spec.name


def test_unit_filter_only_where_it_means_something(data):
    with pytest.raises(ReportError) as refused:
        figure(data, "calls_by_channel", unit="water_ops")
    assert refused.value.reason == "no_unit_filter"
    with pytest.raises(ReportError) as unknown:
        figure(data, "sla_by_unit", unit="nope")
    assert unknown.value.reason == "unknown_unit"
    with pytest.raises(ReportError) as nothing:
        figure(data, "nope")
    assert nothing.value.reason == "unknown_report"


def test_who_may_read_reports(data):
    with pytest.raises(PermissionDenied):
        figure(data, "aht", actor=data.w.desk)
    assert figure(data, "aht", actor=data.w.surveyor).total.handled == 9
    with pytest.raises(ReportError) as other:
        figure(data, "aht", actor=data.w.supervisor, center="KSH")
    assert other.value.reason == "other_center"


def test_the_center_must_be_named_when_there_are_several(data):
    with pytest.raises(ReportError) as several:
        figure(data, "aht", center=None)
    assert several.value.reason == "center_required"
    assert figure(data, "calls_by_channel", center="KSH").total.calls == 1


def test_personal_exports_are_audited(data):
    with session(data.w.engine) as s:
        scope = open_scope(s, actor=data.w.supervisor, period=parse_period(FROM, TO, now=AS_OF))
        fig = run_report(s, "repeat_callers", scope)
        record_export(s, fig, output_format="xlsx", destination="/tmp/x.xlsx")
        counts = run_report(s, "aht", scope)
        record_export(s, counts, output_format="csv")
    with session(data.w.engine, write=False) as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.action == "report_exported")).all()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.entity, entry.entity_id, entry.actor_id) == (
        "report", "repeat_callers", data.w.supervisor.id
    )  # fmt: skip
    assert entry.changes["format"] == [None, "xlsx"]
    assert entry.changes["masked"] == [None, False]
    assert entry.changes["period"] == [None, ["2026-11-15", "2026-11-19"]]
    assert entry.detail == "/tmp/x.xlsx"


# -- periods and masks (no database) ------------------------------------------------------------


def test_period_is_whole_tehran_days():
    period = parse_period("۱۴۰۵/۰۸/۲۴", "1405-08-28", now=AS_OF)
    assert (period.first_day.isoformat(), period.last_day.isoformat()) == (
        "2026-11-15", "2026-11-19"
    )  # fmt: skip
    assert period.start == teh(15)
    assert period.end == teh(20)


def test_period_defaults():
    # 20 November 2026 is 29 Aban 1405: the month is 1405/08/01 .. 1405/08/30.
    month = parse_period(None, None, now=AS_OF)
    assert month == month_of(AS_OF)
    assert (month.first_day.isoformat(), month.last_day.isoformat()) == (
        "2026-10-23", "2026-11-21"
    )  # fmt: skip
    since = parse_period("1405/08/25", None, now=AS_OF)
    assert since.last_day.isoformat() == "2026-11-20"
    until = parse_period(None, "1405/08/10", now=AS_OF)
    assert (until.first_day.isoformat(), until.last_day.isoformat()) == (
        "2026-10-23", "2026-11-01"
    )  # fmt: skip


def test_period_refusals():
    with pytest.raises(ReportError) as bad:
        parse_period("1405/13/01", None, now=AS_OF)
    assert (bad.value.reason, bad.value.params["field"], bad.value.params["problem"]) == (
        "bad_date", "from", "bad_month"
    )  # fmt: skip
    with pytest.raises(ReportError) as reversed_:
        period_between(date(2026, 11, 20), date(2026, 11, 10))
    assert reversed_.value.reason == "bad_period"


def test_masks():
    assert mask_phone("09121234567") == "0912***4567"
    assert mask_phone("03132223344") == "0313***3344"
    assert mask_phone("1234") == "***"
    assert mask_phone(None) is None
    assert mask_name("علی رضایی") == "ع*** ر***"
    assert mask_name("") == "***"
