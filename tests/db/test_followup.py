"""Follow-up: the request lifecycle as a state machine, stale edits, pauses, escalation by hand
and by the SLA tick, duplicates, parents and children, the feedback callback, claims (with real
concurrency), the queue and its plans, and the request detail, on SQLite and PostgreSQL."""

import json
import re
import threading
import time
import uuid
from datetime import timedelta
from itertools import pairwise

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import event as event_
from hypothesis import strategies as st
from sqlalchemy import event
from sqlmodel import col, select

from db import followup, intake
from db.accounts import PermissionDenied
from db.engine import make_engine, session
from db.followup import FollowupError, QueueCursor
from db.models import (
    OPEN_STATUSES,
    Callback,
    CallbackStatus,
    CenterSetting,
    Channel,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
)
from db.sla import ClockState

from .world import NOW, World, add_center, build_world, register, teh

S = TicketStatus
ANSWER = "لوله شکسته تعویض و آب‌رسانی برقرار شد"


@pytest.fixture
def world(engine, center_id) -> World:
    return build_world(engine, center_id)


def act(w: World, ticket_id, action, *, actor=None, version=None, at=None, **kw):
    """One transition as ``actor`` (the follow-up agent), on the version now in the database."""
    with session(w.engine) as s:
        if version is None:
            version = s.get(Ticket, ticket_id).version
        return followup.transition(
            s,
            actor=actor or w.followup,
            ticket_id=ticket_id,
            action=action,
            expected_version=version,
            now=at or NOW,
            **kw,
        )


def row(w: World, ticket_id) -> Ticket:
    with session(w.engine, write=False) as s:
        return s.get(Ticket, ticket_id)


def events(w: World, ticket_id) -> list[TicketEvent]:
    with session(w.engine, write=False) as s:
        return list(
            s.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(col(TicketEvent.at), col(TicketEvent.id))
            ).all()
        )


def snapshot(w: World, ticket_id) -> tuple:
    t = row(w, ticket_id)
    with session(w.engine, write=False) as s:
        callbacks = s.exec(select(sa.func.count()).select_from(Callback)).one()
    return (t.model_dump(), len(events(w, ticket_id)), callbacks)


def walk(w: World, ticket_id, *actions, at=NOW, step=timedelta(minutes=10)):
    """Take ``actions`` in turn, ten minutes apart; notes given where the table asks for one."""
    view = None
    for i, action in enumerate(actions):
        note = ANSWER if action == "answered" else ("دلیل" if action in NOTED else "")
        view = act(w, ticket_id, action, at=at + step * (i + 1), note=note)
    return view


NOTED = {"rejected", "escalated", "paused", "reopened"}


# --- the lifecycle ---------------------------------------------------------------------------


def test_burst_pipe_goes_its_whole_way_and_the_accepted_answer_queues_a_callback(world):
    w = world
    reg = register(w, "pipe_burst")
    tid = reg.ticket.id
    assert reg.ticket.version == 1
    referred = act(w, tid, "referred", at=NOW + timedelta(minutes=5), note="ارجاع به بهره‌برداری")
    assert (referred.status, referred.version, referred.unit_id) == (
        S.REFERRED, 2, w.units["water_ops"],
    )  # fmt: skip
    assert referred.referred_at == NOW + timedelta(minutes=5)
    assert referred.unit_due_at == NOW + timedelta(minutes=5, hours=6)
    assert referred.unit_clock.state == ClockState.OK
    started = act(w, tid, "started", at=NOW + timedelta(minutes=20))
    assert started.responded_at == NOW + timedelta(minutes=20)
    answered = act(w, tid, "answered", at=NOW + timedelta(hours=2), note=ANSWER)
    assert answered.resolved_at == NOW + timedelta(hours=2)
    assert not answered.citizen_clock.running and not answered.unit_clock.running
    accepted = act(w, tid, "accepted", at=NOW + timedelta(hours=3))
    with session(w.engine, write=False) as s:
        (callback,) = s.exec(select(Callback).where(Callback.ticket_id == tid)).all()
    assert (callback.status, callback.reason, callback.script, callback.phone) == (
        CallbackStatus.DUE, "ticket_answer", ANSWER, "09121111111",
    )  # fmt: skip
    assert callback.subscriber_id == w.subscribers["ali"]
    assert callback.due_at == NOW + timedelta(hours=3)
    assert accepted.status == S.ACCEPTED
    act(w, tid, "feedback_queued", at=NOW + timedelta(hours=3, minutes=5))
    closed = act(w, tid, "closed", actor=w.surveyor, at=NOW + timedelta(hours=5), via="callback")
    assert (closed.status, closed.version, closed.closed_at) == (
        S.CLOSED, 7, NOW + timedelta(hours=5),
    )  # fmt: skip
    log = events(w, tid)
    assert [(e.action, e.from_status, e.to_status) for e in log] == [
        ("registered", None, S.REGISTERED),
        ("referred", S.REGISTERED, S.REFERRED),
        ("started", S.REFERRED, S.IN_PROGRESS),
        ("answered", S.IN_PROGRESS, S.UNIT_ANSWERED),
        ("accepted", S.UNIT_ANSWERED, S.ACCEPTED),
        ("feedback_queued", S.ACCEPTED, S.AWAITING_FEEDBACK),
        ("closed", S.AWAITING_FEEDBACK, S.CLOSED),
    ]
    assert log[4].data == {"callback_id": str(callback.id)}
    assert log[6].data == {"via": "callback"} and log[6].actor_id == w.surveyor.id
    assert log[3].unit_id == w.units["water_ops"] and log[3].note == ANSWER


def test_no_phone_no_callback_and_the_result_is_told_in_person(world):
    w = world
    tid = register(w, "pipe_burst", phone=None, subscriber=None).ticket.id
    walk(w, tid, "referred", "answered", "accepted")
    assert events(w, tid)[-1].data == {"callback_id": None}
    closed = act(w, tid, "closed", at=NOW + timedelta(hours=1), via="in_person")
    assert closed.status == S.CLOSED
    with session(w.engine, write=False) as s:
        assert s.exec(select(sa.func.count()).select_from(Callback)).one() == 0


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ((), "accepted"),
        ((), "started"),
        (("referred",), "closed"),
        (("referred", "answered"), "paused"),
        (("referred", "answered", "accepted"), "cancelled"),
        (("referred", "answered", "accepted", "feedback_queued", "closed"), "referred"),
        (("referred",), "resumed"),
    ],
)
def test_an_illegal_move_is_refused_and_changes_nothing(world, path, action):
    w = world
    tid = register(w).ticket.id
    walk(w, tid, *path)
    before = snapshot(w, tid)
    status = row(w, tid).status
    with pytest.raises(FollowupError) as refused:
        act(w, tid, action, at=NOW + timedelta(days=1), note="x", reason="invalid")
    assert refused.value.reason == "illegal_transition"
    assert refused.value.params == {"from_status": status, "action": action}
    assert snapshot(w, tid) == before


def test_unknown_action_stray_data_and_missing_notes_are_refused(world):
    w = world
    tid = register(w).ticket.id
    with pytest.raises(FollowupError) as unknown:
        act(w, tid, "teleported")
    assert unknown.value.reason == "unknown_action"
    walk(w, tid, "referred")
    for action in ("answered", "paused", "escalated"):
        with pytest.raises(FollowupError) as bare:
            act(w, tid, action, note="  ")
        assert (bare.value.reason, bare.value.params) == ("note_required", {"action": action})
    with pytest.raises(FollowupError) as long:
        act(w, tid, "answered", note="x" * 2001)
    assert long.value.reason == "too_long"
    for stray in ({"level": 2}, {"callback_id": "x"}, {"promised_by": object()}):
        with pytest.raises(FollowupError) as odd:
            act(w, tid, "started", **stray)
        assert odd.value.reason == "bad_data"
    # Anything else is kept with the event, as JSON.
    act(w, tid, "started", promised_by=NOW + timedelta(hours=2), called="واحد")
    assert events(w, tid)[-1].data == {
        "promised_by": (NOW + timedelta(hours=2)).isoformat(), "called": "واحد",
    }  # fmt: skip


def test_a_stale_edit_is_refused_with_who_changed_it_and_when(world):
    w = world
    tid = register(w).ticket.id
    seen = row(w, tid).version
    act(w, tid, "referred", actor=w.followup, version=seen, at=NOW + timedelta(minutes=3))
    before = snapshot(w, tid)
    with pytest.raises(FollowupError) as stale:
        act(w, tid, "cancelled", actor=w.followup2, version=seen, reason="invalid", note="x")
    assert stale.value.reason == "stale"
    assert stale.value.params["changed_by"] == "Fatemeh"
    assert stale.value.params["changed_by_id"] == w.followup.id
    assert stale.value.params["changed_at"] == NOW + timedelta(minutes=3)
    assert stale.value.params["version"] == 2
    assert snapshot(w, tid) == before


def test_two_concurrent_edits_cannot_both_win(world, db_url):
    """B's edit is written but not committed when A (another connection) tries the same move
    from the same version: A must wait and then be refused as stale, on either engine."""
    w = world
    tid = register(w).ticket.id
    walk(w, tid, "referred")
    version = row(w, tid).version
    outcome: dict[str, object] = {}
    other = make_engine(db_url)

    def agent_a():
        try:
            with session(other) as s:
                outcome["a"] = followup.transition(
                    s, actor=w.followup2, ticket_id=tid, action="started",
                    expected_version=version, now=NOW + timedelta(hours=1),
                )  # fmt: skip
        except FollowupError as exc:
            outcome["a"] = exc

    try:
        with session(w.engine) as s:
            followup.transition(
                s, actor=w.followup, ticket_id=tid, action="started",
                expected_version=version, now=NOW + timedelta(hours=1),
            )  # fmt: skip
            racer = threading.Thread(target=agent_a)
            racer.start()
            time.sleep(0.3)  # A reads and tries to write while B holds the row
        racer.join(30)
    finally:
        other.dispose()
    assert isinstance(outcome["a"], FollowupError) and outcome["a"].reason == "stale"
    assert outcome["a"].params["changed_by"] == "Fatemeh"
    assert row(w, tid).version == version + 1
    assert [e.action for e in events(w, tid)].count("started") == 1


def test_permissions_follow_the_roles(world):
    w = world
    tid = register(w).ticket.id
    with pytest.raises(PermissionDenied):
        act(w, tid, "referred", actor=w.desk)
    with pytest.raises(PermissionDenied):
        act(w, tid, "referred", actor=w.surveyor)
    walk(w, tid, "referred", "answered", "accepted", "feedback_queued")
    closed = act(w, tid, "closed", actor=w.notifier, at=NOW + timedelta(hours=2), via="sms")
    assert closed.status == S.CLOSED
    reopened = act(w, tid, "reopened", actor=w.surveyor, at=NOW + timedelta(hours=3), note="ن")
    assert reopened.status == S.REFERRED


def test_another_centers_request_is_not_found(world, engine):
    w = world
    other = build_world(engine, add_center(engine, "SHZ", 171), prefix="shz_")
    tid = register(other).ticket.id
    with pytest.raises(FollowupError) as missing:
        act(w, tid, "referred", version=1)
    assert missing.value.reason == "not_found"
    with pytest.raises(FollowupError), session(engine) as s:
        followup.request_detail(s, actor=w.followup, ticket_id=tid)
    with session(engine) as s:
        assert followup.list_queue(s, actor=w.followup, now=NOW).rows == ()


def test_referral_needs_an_active_unit_of_the_center(world):
    w = world
    tid = register(w, "pipe_burst").ticket.id
    with session(w.engine) as s:
        s.execute(sa.update(Ticket.__table__).values(unit_id=None))
    with pytest.raises(FollowupError) as needs:
        act(w, tid, "referred")
    assert needs.value.reason == "unit_required"
    with pytest.raises(FollowupError) as unknown:
        act(w, tid, "referred", unit_id=uuid.uuid4())
    assert (unknown.value.reason, unknown.value.params["what"]) == ("not_found", "unit")
    view = act(w, tid, "referred", unit_id=w.units["sewer_ops"])
    assert view.unit_id == w.units["sewer_ops"]
    # Referred on to another unit: the unit's clock starts again.
    later = act(w, tid, "referred", unit_id=w.units["lab"], at=NOW + timedelta(hours=1))
    assert later.unit_id == w.units["lab"]
    assert later.unit_due_at == NOW + timedelta(hours=7)
    assert events(w, tid)[-1].unit_id == w.units["lab"]


# --- pauses ----------------------------------------------------------------------------------


def test_waiting_on_the_subscriber_pauses_both_clocks_and_resume_returns(world):
    w = world
    tid = register(w, "pipe_burst").ticket.id
    walk(w, tid, "referred", "started")  # at NOW+10, NOW+20
    before = row(w, tid)
    paused = act(w, tid, "paused", at=NOW + timedelta(hours=1), note="مشترک در محل نبود")
    assert paused.status == S.PENDING_SUBSCRIBER
    assert paused.citizen_clock.state == ClockState.PAUSED
    later = followup_view(w, tid, NOW + timedelta(hours=20))
    assert later.citizen_clock.state == ClockState.PAUSED
    assert later.citizen_clock.minutes_left == 5 * 60  # read at the pause
    resumed = act(w, tid, "resumed", at=NOW + timedelta(hours=3), note="هماهنگ شد")
    assert resumed.status == S.IN_PROGRESS  # back where it was
    assert resumed.paused_seconds == 2 * 3600 and resumed.paused_at is None
    assert resumed.resolution_due_at == before.resolution_due_at + timedelta(hours=2)
    assert resumed.unit_due_at == before.unit_due_at + timedelta(hours=2)
    assert resumed.response_due_at == before.response_due_at  # met before the pause
    assert events(w, tid)[-1].data == {"paused_seconds": 7200}


def test_a_pause_over_the_night_costs_an_office_request_only_working_time(world):
    w = world
    opened = teh(16, 10)  # Monday
    tid = register(w, "bill_dispute", at=opened).ticket.id
    act(w, tid, "referred", at=teh(16, 11))
    before = row(w, tid)
    act(w, tid, "paused", at=teh(16, 14), note="مدارک خواسته شد")
    # Resumed Wednesday 08:00: Monday 14:00-14:30 and Wednesday 07:00-08:00 were working time.
    resumed = act(w, tid, "resumed", at=teh(18, 8))
    assert resumed.status == S.REFERRED
    assert resumed.paused_seconds == int((teh(18, 8) - teh(16, 14)).total_seconds())
    with session(w.engine, write=False) as s:
        from db.sla import load_calendar, working_minutes_between

        office = load_calendar(s, w.calendars["office"])
    assert (
        working_minutes_between(office, before.resolution_due_at, resumed.resolution_due_at) == 90
    )
    assert working_minutes_between(office, before.unit_due_at, resumed.unit_due_at) == 90


def followup_view(w: World, tid, now):
    with session(w.engine, write=False) as s:
        return followup.request_detail(s, actor=w.followup, ticket_id=tid, now=now).request


# --- rejection, reopening and escalation -----------------------------------------------------


def test_a_rejected_answer_goes_back_to_the_unit_and_escalates_by_hand(world):
    w = world
    tid = register(w).ticket.id
    walk(w, tid, "referred", "started", "answered")
    rejected = act(w, tid, "rejected", at=NOW + timedelta(hours=1), note="مشکل باقی است")
    assert rejected.resolved_at is None and rejected.citizen_clock.running
    again = act(w, tid, "referred", at=NOW + timedelta(hours=2))
    assert again.referred_at == NOW + timedelta(hours=2)
    one = act(w, tid, "escalated", at=NOW + timedelta(hours=2), note="تأخیر")
    assert one.escalation_level == 1 and one.status == S.REFERRED
    two = act(w, tid, "escalated", at=NOW + timedelta(hours=3), note="ارجاع به سرپرست")
    assert two.escalation_level == 2
    with pytest.raises(PermissionDenied):
        act(w, tid, "escalated", at=NOW + timedelta(hours=4), note="دفتر مدیرعامل")
    with pytest.raises(FollowupError) as bad:
        act(w, tid, "escalated", actor=w.supervisor, note="x", level=2)
    assert bad.value.params == {"level": 2, "current": 2}
    three = act(w, tid, "escalated", actor=w.supervisor, at=NOW + timedelta(hours=4), note="م")
    assert three.escalation_level == 3
    with pytest.raises(FollowupError) as top:
        act(w, tid, "escalated", actor=w.supervisor, note="x")
    assert top.value.reason == "max_level"
    levels = [e.data for e in events(w, tid) if e.action == "escalated"]
    assert levels == [
        {"level": 1, "from_level": 0},
        {"level": 2, "from_level": 1},
        {"level": 3, "from_level": 2},
    ]


def test_a_survey_that_says_not_resolved_reopens_it_as_a_complaint(world):
    w = world
    tid = register(w).ticket.id
    walk(w, tid, "referred", "started", "answered", "accepted", "feedback_queued", "closed")
    assert row(w, tid).closed_at is not None
    reopened = act(
        w, tid, "reopened", actor=w.surveyor, at=NOW + timedelta(days=1), note="برطرف نشده"
    )
    assert (reopened.status, reopened.kind) == (S.REFERRED, TicketKind.COMPLAINT)
    assert reopened.closed_at is None and reopened.resolved_at is None
    assert reopened.referred_at == NOW + timedelta(days=1)
    assert events(w, tid)[-1].unit_id == w.units["water_ops"]
    # A request with no unit (closed along with its parent) goes back to be referred.
    parent = register(w).ticket.id
    lone = register(w).ticket.id
    with session(w.engine) as s:
        s.execute(sa.update(Ticket.__table__).where(Ticket.id == lone).values(unit_id=None))
    act(w, lone, "linked", parent_id=parent)
    walk(w, parent, "referred", "answered", "accepted", "closed")
    assert row(w, lone).status == S.CLOSED
    back = act(w, lone, "reopened", at=NOW + timedelta(days=1), note="برطرف نشده")
    assert (back.status, back.kind, back.referred_at) == (S.REGISTERED, TicketKind.COMPLAINT, None)


# --- duplicates and parents ------------------------------------------------------------------


def _repeat_call(w: World, tid):
    with session(w.engine) as s:
        intake.link_to_request(
            s, actor=w.desk, ticket_id=tid, phone="09123333333", channel=Channel.PHONE_122,
            started_at=NOW + timedelta(minutes=30), ended_at=NOW + timedelta(minutes=31),
        )  # fmt: skip


def test_a_duplicate_is_cancelled_into_the_first_request_and_its_calls_count_there(world):
    w = world
    first = register(w).ticket.id
    second = register(w, at=NOW + timedelta(minutes=10), subscriber="karim").ticket.id
    _repeat_call(w, second)
    survivor_version = row(w, first).version
    with pytest.raises(FollowupError) as why:
        act(w, second, "cancelled")
    assert why.value.reason == "reason_required"
    with pytest.raises(FollowupError) as which:
        act(w, second, "cancelled", reason="duplicate")
    assert which.value.reason == "duplicate_of_required"
    with pytest.raises(FollowupError) as itself:
        act(w, second, "cancelled", reason="duplicate", duplicate_of_id=second)
    assert itself.value.reason == "duplicate_of_self"
    cancelled = act(
        w, second, "cancelled", at=NOW + timedelta(hours=1), reason="duplicate",
        duplicate_of_id=first, note="همان شکستگی",
    )  # fmt: skip
    code = row(w, first).tracking_code
    assert (cancelled.status, cancelled.duplicate_of_id) == (S.CANCELLED, first)
    assert cancelled.closed_at == NOW + timedelta(hours=1)
    assert events(w, second)[-1].data == {
        "reason": "duplicate", "duplicate_of": code, "duplicate_of_id": str(first),
    }  # fmt: skip
    merged = events(w, first)[-1]
    assert (merged.action, merged.from_status, merged.to_status) == (
        "duplicate_merged", S.REGISTERED, S.REGISTERED,
    )  # fmt: skip
    assert merged.data["calls"] == 2 and merged.data["duplicate_id"] == str(second)
    assert row(w, first).version == survivor_version  # nobody's edit of it goes stale
    # A third report, marked a duplicate of the cancelled second, lands on the first.
    third = register(w, at=NOW + timedelta(minutes=20)).ticket.id
    act(w, third, "cancelled", reason="duplicate", duplicate_of_id=second)
    assert row(w, third).duplicate_of_id == first
    with session(w.engine, write=False) as s:
        detail = followup.request_detail(s, actor=w.followup, ticket_id=first, now=NOW)
    assert detail.contacts == 4  # its own call, the second's two and the third's
    assert {d.id for d in detail.duplicates} == {second, third}
    # An invalid request is not a survivor; and "invalid" needs a reason in words.
    invalid = register(w).ticket.id
    with pytest.raises(FollowupError) as words:
        act(w, invalid, "cancelled", reason="invalid")
    assert words.value.reason == "note_required"
    act(w, invalid, "cancelled", reason="invalid", note="خارج از حوزه")
    with pytest.raises(FollowupError) as gone:
        act(w, register(w).ticket.id, "cancelled", reason="duplicate", duplicate_of_id=invalid)
    assert gone.value.reason == "duplicate_of_invalid"
    with pytest.raises(FollowupError) as bad:
        act(w, register(w).ticket.id, "cancelled", reason="mistake")
    assert bad.value.reason == "bad_reason"


def test_closing_a_parent_closes_its_open_children(world):
    w = world
    parent = register(w, description="شکستگی خط اصلی").ticket.id
    referred = register(w, subscriber="karim").ticket.id
    waiting = register(w, subscriber="karim").ticket.id
    gone = register(w, subscriber="karim").ticket.id
    walk(w, referred, "referred")
    walk(w, waiting, "referred", "paused")
    for child in (referred, waiting, gone):
        linked = act(w, child, "linked", parent_id=parent, at=NOW + timedelta(hours=1))
        assert linked.parent_id == parent
    act(w, gone, "cancelled", reason="invalid", note="x", at=NOW + timedelta(hours=1))
    with pytest.raises(FollowupError) as cycle:
        act(w, parent, "linked", parent_id=referred)
    assert cycle.value.reason == "parent_cycle"
    with pytest.raises(FollowupError) as again:
        act(w, referred, "linked", parent_id=parent)
    assert again.value.reason == "already_linked"
    walk(w, parent, "referred", "answered", "accepted", at=NOW + timedelta(hours=2))
    closed = act(w, parent, "closed", at=NOW + timedelta(hours=3), note="برقرار شد", via="sms")
    assert closed.status == S.CLOSED
    for child in (referred, waiting):
        t = row(w, child)
        assert (t.status, t.closed_at) == (S.CLOSED, NOW + timedelta(hours=3))
        assert t.resolved_at == row(w, parent).resolved_at  # the parent's answer
        last = events(w, child)[-1]
        assert (last.action, last.to_status, last.note) == ("closed", S.CLOSED, "برقرار شد")
        assert last.data["via"] == "parent" and last.data["parent_id"] == str(parent)
    assert events(w, waiting)[-1].from_status == S.PENDING_SUBSCRIBER
    assert row(w, waiting).paused_at is None and row(w, waiting).paused_seconds > 0
    assert row(w, gone).status == S.CANCELLED  # not moved again
    with pytest.raises(FollowupError) as closed_parent:
        act(w, register(w).ticket.id, "linked", parent_id=parent)
    assert closed_parent.value.reason == "parent_closed"
    with session(w.engine, write=False) as s:
        detail = followup.request_detail(s, actor=w.followup, ticket_id=parent, now=NOW)
    assert detail.children_count == 3 and {c.id for c in detail.children} == {
        referred, waiting, gone,
    }  # fmt: skip


def test_unlinking_a_child(world):
    w = world
    parent, child = register(w).ticket.id, register(w).ticket.id
    with pytest.raises(FollowupError) as nothing:
        act(w, child, "unlinked")
    assert nothing.value.reason == "not_linked"
    act(w, child, "linked", parent_id=parent)
    assert act(w, child, "unlinked").parent_id is None
    assert events(w, child)[-1].data == {"parent_id": str(parent)}


# --- claims ----------------------------------------------------------------------------------


def test_an_agent_claims_a_request_others_cannot_take_it_until_it_expires(world):
    w = world
    tid = register(w).ticket.id
    with session(w.engine) as s:
        held = followup.claim(s, actor=w.followup, ticket_id=tid, now=NOW)
    assert held.claimed_by_id == w.followup.id and held.claim_active
    assert held.claimed_until == NOW + timedelta(minutes=30)
    assert held.version == 1  # a claim is not a change of the request
    with pytest.raises(FollowupError) as taken, session(w.engine) as s:
        followup.claim(s, actor=w.followup2, ticket_id=tid, now=NOW + timedelta(minutes=10))
    assert taken.value.reason == "claimed"
    assert taken.value.params["by"] == "Fatemeh"
    assert taken.value.params["until"] == NOW + timedelta(minutes=30)
    with session(w.engine) as s:  # the holder claims again: extended
        again = followup.claim(s, actor=w.followup, ticket_id=tid, now=NOW + timedelta(minutes=20))
    assert again.claimed_until == NOW + timedelta(minutes=50)
    with session(w.engine) as s:  # expired: free for anyone
        late = followup.claim(s, actor=w.followup2, ticket_id=tid, now=NOW + timedelta(hours=1))
    assert late.claimed_by_id == w.followup2.id
    with session(w.engine) as s:
        assert not followup.release(s, actor=w.followup, ticket_id=tid)
        assert followup.release(s, actor=w.supervisor, ticket_id=tid)
    with pytest.raises(PermissionDenied), session(w.engine) as s:
        followup.claim(s, actor=w.surveyor, ticket_id=tid, now=NOW)


def test_claim_length_is_a_center_setting_and_closed_requests_are_not_claimed(world):
    w = world
    tid = register(w).ticket.id
    with session(w.engine) as s:
        s.add(CenterSetting(center_id=w.center_id, key="followup.claim_minutes", value=5))
    with session(w.engine) as s:
        held = followup.claim(s, actor=w.followup, ticket_id=tid, now=NOW)
    assert held.claimed_until == NOW + timedelta(minutes=5)
    act(w, tid, "cancelled", reason="invalid", note="x")
    assert row(w, tid).claimed_by_id is None  # closing lets go
    with pytest.raises(FollowupError) as closed, session(w.engine) as s:
        followup.claim(s, actor=w.followup, ticket_id=tid, now=NOW)
    assert closed.value.reason == "not_open"


def test_claim_next_takes_the_most_urgent_free_request(world):
    w = world
    bill = register(w, "bill_dispute").ticket.id  # due in seven office days
    burst = register(w, "pipe_burst", at=NOW + timedelta(minutes=5)).ticket.id  # 6 hours
    low = register(w, "low_pressure").ticket.id  # 24 hours
    with session(w.engine) as s:
        first = followup.claim_next(s, actor=w.followup, now=NOW)
        second = followup.claim_next(s, actor=w.followup2, now=NOW)
        third = followup.claim_next(s, actor=w.followup, now=NOW)
        assert followup.claim_next(s, actor=w.followup2, now=NOW) is None
    assert [first.id, second.id, third.id] == [burst, low, bill]
    with session(w.engine) as s:  # a filter: the billing unit's queue only
        assert followup.claim_next(
            s, actor=w.followup2, unit_id=w.units["billing"], now=NOW + timedelta(hours=1)
        ).id == bill  # fmt: skip


# Row locks are PostgreSQL's; SQLite serialises its writers, so there is nothing to step over.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_claim_next_steps_over_a_request_another_agent_is_claiming_right_now(world):
    """PostgreSQL: while another transaction holds the most urgent request's row (an agent in
    the middle of claiming it), claim_next takes the next one at once instead of waiting; the
    held one is still there for the next claim once it is let go."""
    w = world
    assert w.engine.dialect.name == "postgresql"
    burst = register(w, "pipe_burst", at=NOW + timedelta(minutes=5)).ticket.id
    low = register(w, "low_pressure").ticket.id
    with w.engine.connect() as other:
        other.exec_driver_sql("SET lock_timeout = '5s'")
        other.execute(sa.select(Ticket.id).where(Ticket.id == burst).with_for_update())
        with session(w.engine) as s:
            s.connection().exec_driver_sql("SET lock_timeout = '2s'")
            assert followup.claim_next(s, actor=w.followup, now=NOW).id == low
        other.rollback()
    with session(w.engine) as s:
        assert followup.claim_next(s, actor=w.followup2, now=NOW).id == burst
        assert followup.claim_next(s, actor=w.followup2, now=NOW) is None


@pytest.mark.parametrize("agents", [4, 8])
def test_agents_claiming_at_once_never_hold_the_same_request(world, db_url, agents):
    """Several agents, each on its own connection, empty one queue together: every request is
    claimed exactly once, and no agent is refused or left waiting on an error."""
    w = world
    ids = {register(w, at=NOW + timedelta(minutes=i)).ticket.id for i in range(24)}
    people = [w.followup, w.followup2, w.supervisor, w.followup] * (agents // 4)
    barrier = threading.Barrier(agents)
    taken: list[list[uuid.UUID]] = [[] for _ in range(agents)]
    errors: list[BaseException] = []

    def agent(i: int) -> None:
        engine = make_engine(db_url)
        try:
            barrier.wait(10)
            while True:
                with session(engine) as s:
                    view = followup.claim_next(s, actor=people[i], now=NOW + timedelta(hours=1))
                if view is None:
                    return
                taken[i].append(view.id)
                time.sleep(0.005)  # a glance at the request before taking the next
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(agents)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    claimed = [tid for got in taken for tid in got]
    assert len(claimed) == len(set(claimed)) == len(ids)
    assert set(claimed) == ids
    with session(w.engine, write=False) as s:
        holders = dict(s.exec(select(Ticket.id, Ticket.claimed_by_id)).all())
    for i, got in enumerate(taken):
        assert all(holders[tid] == people[i].id for tid in got)


# --- the queue -------------------------------------------------------------------------------


def _queue_world(w: World) -> dict[str, uuid.UUID]:
    """Requests in several statuses, units, districts and urgencies."""
    ids = {}
    for i in range(6):
        ids[f"burst{i}"] = register(w, "pipe_burst", at=NOW - timedelta(hours=i)).ticket.id
    ids["low"] = register(w, "low_pressure", district="D2").ticket.id
    ids["bill"] = register(w, "bill_dispute").ticket.id
    ids["meter"] = register(w, "meter_replacement").ticket.id
    ids["staff"] = register(w, "staff_complaint").ticket.id
    walk(w, ids["burst0"], "referred", "started")
    walk(w, ids["burst1"], "referred", "answered")
    walk(w, ids["burst2"], "referred", "paused")
    walk(w, ids["burst3"], "referred", "escalated")
    act(w, ids["burst4"], "cancelled", reason="invalid", note="x")
    # Two with no resolution target: they come last.
    with session(w.engine) as s:
        s.execute(
            sa.update(Ticket.__table__)
            .where(col(Ticket.id).in_([ids["meter"], ids["staff"]]))
            .values(resolution_due_at=None)
        )
    return ids


def _queue_order(w: World) -> list[uuid.UUID]:
    with session(w.engine, write=False) as s:
        tickets = s.exec(
            select(Ticket).where(col(Ticket.status).in_(followup.QUEUE_STATUSES))
        ).all()
    return [
        t.id
        for t in sorted(
            tickets,
            key=lambda t: (t.resolution_due_at is None, t.resolution_due_at or NOW, t.id),
        )
    ]


def test_the_queue_pages_most_urgent_first_with_a_keyset_cursor(world):
    w = world
    ids = _queue_world(w)
    expected = _queue_order(w)
    assert expected[-2:] == sorted([ids["meter"], ids["staff"]])
    seen: list[uuid.UUID] = []
    after = None
    pages = 0
    while True:
        with session(w.engine, write=False) as s:
            page = followup.list_queue(s, actor=w.followup, after=after, limit=3, now=NOW)
        seen.extend(r.id for r in page.rows)
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected and pages == 3
    assert ids["burst2"] not in seen and ids["burst4"] not in seen  # paused, cancelled
    counts = page.counts_by_status
    assert counts[S.REGISTERED] == 5 and counts[S.IN_PROGRESS] == 1
    assert counts[S.PENDING_SUBSCRIBER] == 1 and counts[S.UNIT_ANSWERED] == 1
    assert S.CANCELLED not in counts
    # A cursor is plain data: it can be rebuilt from what a screen kept.
    resumed = QueueCursor(after.due, after.id)
    with session(w.engine, write=False) as s:
        again = followup.list_queue(s, actor=w.followup, after=resumed, limit=3, now=NOW)
    assert [r.id for r in again.rows] == expected[6:]


def test_queue_filters(world):
    w = world
    ids = _queue_world(w)
    later = NOW + timedelta(hours=2)

    def queue(**kw):
        with session(w.engine, write=False) as s:
            return followup.list_queue(s, actor=w.followup, now=kw.pop("now", NOW), **kw)

    by_unit = queue(unit_id=w.units["billing"])
    assert [r.id for r in by_unit.rows] == [ids["bill"]]
    assert sum(by_unit.counts_by_status.values()) == 1
    assert [r.id for r in queue(category_id=w.categories["low_pressure"]).rows] == [ids["low"]]
    assert [r.id for r in queue(district_id=w.districts["D2"]).rows] == [ids["low"]]
    assert [r.id for r in queue(status="pending_subscriber").rows] == [ids["burst2"]]
    assert {r.id for r in queue(status=["unit_answered", "in_progress"]).rows} == {
        ids["burst0"], ids["burst1"],
    }  # fmt: skip
    assert [r.id for r in queue(escalation=1).rows] == [ids["burst3"]]
    # Overdue at NOW+2h: bursts opened 5 h before NOW (due NOW+1h) whose clock still runs.
    overdue = queue(overdue=True, now=later)
    assert [r.id for r in overdue.rows] == [ids["burst5"]]
    assert overdue.rows[0].overdue and overdue.rows[0].citizen_clock.state == ClockState.OVERDUE
    with session(w.engine) as s:
        followup.claim(s, actor=w.followup, ticket_id=ids["bill"], now=NOW)
    assert [r.id for r in queue(mine=True).rows] == [ids["bill"]]
    assert queue(mine=True, now=NOW + timedelta(hours=1)).rows == ()  # the claim expired
    with pytest.raises(FollowupError) as unknown:
        queue(status="lost")
    assert unknown.value.reason == "unknown_status"
    with pytest.raises(PermissionDenied), session(w.engine, write=False) as s:
        followup.list_queue(s, actor=w.desk, now=NOW)


GUARDED = ("tickets",)
QUEUE_INDEXES = ("ix_tickets_status_center_due", "ix_tickets_unit_status_due")


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def _plan_sqlite(connection, statement, parameters) -> tuple[list[str], str]:
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    details = [r[-1] for r in rows]
    problems = [d for d in details if re.match(r"SCAN tickets\b", d)]
    if "ORDER BY tickets.resolution_due_at" in statement or "ORDER BY tickets.id" in statement:
        problems += [d for d in details if "TEMP B-TREE" in d]
    return problems, " | ".join(details)


def _plan_pg(connection, statement, parameters) -> tuple[list[str], str]:
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    problems, used = [], []
    for node in _plan_nodes(plan[0]["Plan"]):
        relation, index = node.get("Relation Name"), node.get("Index Name")
        if index:
            used.append(index)
        if node["Node Type"] == "Seq Scan" and relation in GUARDED:
            problems.append(f"Seq Scan on {relation}")
        if index and relation in GUARDED and "Index Cond" not in node:
            problems.append(f"full {node['Node Type']} using {index}")
        if node["Node Type"] == "Sort" and "ORDER BY tickets.resolution_due_at" in statement:
            problems.append("Sort")
    return problems, " | ".join(used)


def test_queue_claims_and_tick_read_tickets_through_the_queue_indexes(world, engine):
    """EXPLAIN every SELECT on tickets that the queue (with each filter and a cursor),
    claim_next and the SLA tick send, with their own parameters: no table scan, and each ordered
    queue read walks a queue index in order (no sort)."""
    w = world
    ids = _queue_world(w)
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and "FROM tickets" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with session(engine) as s:
            page = followup.list_queue(s, actor=w.followup, limit=2, now=NOW)
            followup.list_queue(s, actor=w.followup, after=page.next_cursor, limit=2, now=NOW)
            followup.list_queue(s, actor=w.followup, after=QueueCursor(None, ids["meter"]), now=NOW)
            followup.list_queue(s, actor=w.followup, unit_id=w.units["water_ops"], now=NOW)
            for kw in (
                {"category_id": w.categories["pipe_burst"]},
                {"district_id": w.districts["D1"]},
                {"escalation": 1},
                {"overdue": True},
                {"mine": True},
                {"status": "referred"},
            ):
                followup.list_queue(s, actor=w.followup, now=NOW, **kw)
            followup.claim_next(s, actor=w.followup, now=NOW)
            followup.sla_tick(s, now=NOW + timedelta(days=3), center_id=w.center_id)
    finally:
        event.remove(engine, "before_cursor_execute", capture)

    sqlite = engine.dialect.name == "sqlite"
    ordered = [sql for sql, _ in statements if "ORDER BY tickets.resolution_due_at" in sql]
    assert len(statements) > 25 and len(ordered) > 10
    with engine.connect() as connection:
        if not sqlite:
            connection.exec_driver_sql("ANALYZE")
            # A handful of rows: PostgreSQL would rather scan or sort them. Priced out, a scan
            # or a sort left in the plan is one no index can spare.
            connection.exec_driver_sql("SET enable_seqscan = off")
            connection.exec_driver_sql("SET enable_sort = off")
        check = _plan_sqlite if sqlite else _plan_pg
        # The check itself sees a scan when there is one.
        scan = "SELECT tickets.id FROM tickets WHERE tickets.address = 'x'"
        assert check(connection, scan, ())[0]
        results = [
            (sql, *check(connection, sql, tuple(p) if isinstance(p, list) else p))
            for sql, p in statements
        ]
    assert [(sql[-300:], problems) for sql, problems, _plan in results if problems] == []
    for sql, _problems, plan in results:
        if "ORDER BY tickets.resolution_due_at" in sql:
            assert any(name in plan for name in QUEUE_INDEXES), (sql, plan)


# --- the SLA tick ----------------------------------------------------------------------------


def test_sla_tick_escalates_late_requests_once_and_level_by_level(world):
    w = world
    late = register(w, "pipe_burst", at=NOW).ticket.id  # due NOW+6h
    fresh = register(w, "pipe_burst", at=NOW + timedelta(hours=5)).ticket.id
    waiting = register(w, "pipe_burst", at=NOW).ticket.id
    walk(w, waiting, "referred", "paused")
    answered = register(w, "pipe_burst", at=NOW).ticket.id
    walk(w, answered, "referred", "answered")

    def tick(at):
        with session(w.engine) as s:
            return followup.sla_tick(s, now=at)

    assert tick(NOW + timedelta(hours=5)).escalated == ()
    first = tick(NOW + timedelta(hours=6, minutes=1))
    assert [(e.ticket_id, e.from_level, e.to_level, e.clock) for e in first.escalated] == [
        (late, 0, 1, "citizen")
    ]
    before = snapshot(w, late)
    assert tick(NOW + timedelta(hours=6, minutes=1)).escalated == ()  # idempotent
    assert snapshot(w, late) == before
    # Late by more than one and a half targets: 2 and 3 at once, an event each.
    jump = tick(NOW + timedelta(hours=15, minutes=1))
    assert [(e.ticket_id, e.to_level) for e in jump.escalated] == [
        (late, 2), (late, 3), (fresh, 1), (fresh, 2),
    ]  # fmt: skip
    log = [e for e in events(w, late) if e.action == "escalated"]
    assert [e.data["level"] for e in log] == [1, 2, 3]
    assert all(e.data["clock"] == "citizen" and e.data["auto"] for e in log)
    assert all(e.actor_id is None and e.from_status == e.to_status == S.REGISTERED for e in log)
    assert log[1].data["minutes_late"] == 9 * 60 + 1
    assert row(w, late).version == 4
    assert row(w, waiting).escalation_level == 0  # paused clocks do not run out
    assert row(w, answered).escalation_level == 0  # the unit answered: its clocks stopped
    assert [(e.ticket_id, e.to_level) for e in tick(NOW + timedelta(days=30)).escalated] == [
        (fresh, 3)
    ]
    assert tick(NOW + timedelta(days=30)).escalated == ()


def test_the_units_clock_escalates_a_request_referred_again_late(world):
    w = world
    tid = register(w, "pipe_burst", at=NOW).ticket.id
    # Referred at NOW+1h: the unit's clock runs to NOW+7h. The citizen's ran out at NOW+6h and
    # is escalated to 1 by hand already, so at NOW+7h30 only the unit's clock is new news.
    act(w, tid, "referred", at=NOW + timedelta(hours=1))
    act(w, tid, "escalated", at=NOW + timedelta(hours=6), note="تأخیر")
    with session(w.engine) as s:
        s.add(CenterSetting(center_id=w.center_id, key="sla.escalating_clocks", value=["unit"]))
    with session(w.engine) as s:
        report = followup.sla_tick(s, now=NOW + timedelta(hours=10, minutes=1))
    assert [(e.to_level, e.clock) for e in report.escalated] == [(2, "unit")]
    assert events(w, tid)[-1].data["clock"] == "unit"


def test_sla_tick_lets_go_of_expired_claims_and_keeps_to_its_center(world, engine):
    w = world
    other = build_world(engine, add_center(engine, "SHZ", 171), prefix="shz_")
    mine = register(w).ticket.id
    theirs = register(other, at=NOW).ticket.id
    with session(engine) as s:
        followup.claim(s, actor=w.followup, ticket_id=mine, now=NOW)
        followup.claim(s, actor=other.followup, ticket_id=theirs, now=NOW)
    with session(engine) as s:
        report = followup.sla_tick(s, now=NOW + timedelta(hours=7), center_id=w.center_id)
    assert report.expired_claims == 1
    assert [e.ticket_id for e in report.escalated] == [mine]
    assert row(w, mine).claimed_by_id is None
    assert row(w, theirs).claimed_by_id == other.followup.id
    with session(engine) as s:
        assert followup.sla_tick(s, now=NOW + timedelta(hours=7)).expired_claims == 1
    with session(engine) as s:
        again = followup.sla_tick(s, now=NOW + timedelta(hours=7))
    assert (again.expired_claims, again.escalated) == (0, ())


# --- the request detail ----------------------------------------------------------------------


def test_request_detail_tells_the_whole_story(world):
    w = world
    tid = register(w, "pipe_burst").ticket.id
    walk(w, tid, "referred", "started", "answered", "accepted")
    with session(w.engine, write=False) as s:
        detail = followup.request_detail(
            s, actor=w.followup, ticket_id=tid, now=NOW + timedelta(hours=1)
        )
    assert [e.action for e in detail.events] == [
        "registered", "referred", "started", "answered", "accepted",
    ]  # fmt: skip
    assert detail.events[0].actor_name == "Maryam"
    assert detail.events[3].unit_name_en == "water_ops" and detail.events[3].note == ANSWER
    assert detail.events[4].data["callback_id"] == str(detail.callbacks[0].id)
    assert detail.callbacks[0].script == ANSWER
    assert detail.contacts == 1
    assert detail.request.category_code == "pipe_burst" and detail.request.emergency
    assert detail.request.district_name_en == "District 1"
    assert detail.actions == ("feedback_queued", "closed", "escalated", "linked", "unlinked")
    with session(w.engine, write=False) as s:
        surveyor = followup.request_detail(s, actor=w.surveyor, ticket_id=tid, now=NOW)
    assert surveyor.actions == ("closed",)


# --- properties: no sequence of actions breaks the invariants --------------------------------

_ACTIONS = [a.value for a in followup.Action] + ["teleported"]
# Moves along the main road weigh more, so walks reach the far statuses; cancelling ends one.
_WEIGHTS = {
    "referred": 6, "started": 6, "answered": 6, "accepted": 6, "feedback_queued": 6,
    "closed": 6, "resumed": 6, "rejected": 3, "reopened": 3, "cancelled": 1,
}  # fmt: skip


@pytest.fixture(scope="module")
def prop_world(module_db_url):
    engine = make_engine(module_db_url)
    w = build_world(engine, add_center(engine))
    survivor = register(w).ticket.id
    parent = register(w).ticket.id
    yield w, survivor, parent
    engine.dispose()


def _check_invariants(w: World, tid) -> None:
    t = row(w, tid)
    log = events(w, tid)
    assert t.status in {s.value for s in TicketStatus}
    assert t.version == sum(1 for e in log if e.action not in followup.LOG_ONLY_ACTIONS)
    assert log[0].action == "registered" and log[0].from_status is None
    for a, b in pairwise(log):
        assert a.to_status == b.from_status, (a.action, b.action)
        assert a.at <= b.at
    assert log[-1].to_status == t.status
    assert (t.closed_at is not None) == (t.status not in OPEN_STATUSES)
    assert t.paused_seconds >= 0
    assert (t.paused_at is not None) == (t.status == S.PENDING_SUBSCRIBER)
    levels = [e.data["level"] for e in log if e.action == "escalated"]
    assert t.escalation_level == max(levels, default=0) and levels == sorted(levels)
    if t.status in (S.UNIT_ANSWERED, S.ACCEPTED, S.AWAITING_FEEDBACK, S.CLOSED):
        assert t.resolved_at is not None
    if t.status in (S.REGISTERED, S.REFERRED, S.IN_PROGRESS, S.REJECTED, S.PENDING_SUBSCRIBER):
        assert t.resolved_at is None
    if any(e.action == "reopened" for e in log):
        assert t.kind == TicketKind.COMPLAINT
    if t.status in (S.REFERRED, S.IN_PROGRESS):
        assert t.referred_at is not None and t.unit_id is not None


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_sequence_of_actions_breaks_the_invariants(prop_world, data):
    """Random walks: mostly moves the table allows from where the request is (so walks go
    far), mixed with illegal, stale, unauthorised, malformed and unknown ones."""
    w, survivor, parent = prop_world
    tid = register(w).ticket.id
    at = NOW + timedelta(minutes=5)
    people = [w.followup, w.supervisor, w.surveyor, w.desk]
    for _ in range(data.draw(st.integers(1, 15), label="steps")):
        status = row(w, tid).status
        legal = list(followup.allowed_actions(status, None))
        if legal and data.draw(st.integers(0, 5), label="wild") > 0:
            weighted = [a for a in legal for _ in range(_WEIGHTS.get(a, 2))]
            action = data.draw(st.sampled_from(weighted), label="action")
        else:
            action = data.draw(st.sampled_from(_ACTIONS), label="action")
        actor = data.draw(st.sampled_from(people[:2] * 6 + people[2:]), label="actor")
        at += timedelta(minutes=data.draw(st.integers(0, 600), label="minutes"))
        stale = data.draw(st.integers(0, 11), label="stale") == 0
        note = data.draw(st.sampled_from(["یادداشت"] * 10 + ["", "x" * 2001]), label="note")
        kw: dict = {}
        if action == "cancelled":
            reason = data.draw(st.sampled_from(["duplicate", "invalid", None]), label="reason")
            if reason:
                kw["reason"] = reason
            if reason == "duplicate":
                kw["duplicate_of_id"] = survivor
        if action == "escalated" and data.draw(st.booleans(), label="level given"):
            kw["level"] = data.draw(st.integers(0, 4), label="level")
        if action == "linked":
            kw["parent_id"] = data.draw(st.sampled_from([parent, tid]), label="parent")
        if data.draw(st.integers(0, 19), label="stray") == 0:
            kw["callback_id"] = "made up"
        other_unit = data.draw(st.integers(0, 4), label="unit") == 0
        before = snapshot(w, tid)
        try:
            act(
                w, tid, action, actor=actor, at=at, note=note,
                version=row(w, tid).version - (1 if stale else 0),
                unit_id=w.units["sewer_ops"] if other_unit else None, **kw,
            )  # fmt: skip
            event_(f"moved: {action}")
        except (FollowupError, PermissionDenied) as refused:
            event_(f"refused: {getattr(refused, 'reason', 'permission')}")
            assert snapshot(w, tid)[:2] == before[:2]
        _check_invariants(w, tid)
    event_(f"ended: {row(w, tid).status}")
