"""The chase board: late and nearly late referrals grouped by unit, and the calls made to
units with their promised times, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from db import followup
from db.accounts import PermissionDenied
from db.engine import session
from db.followup import FollowupError
from db.models import Ticket, TicketEvent

from .world import NOW, World, build_world, register


@pytest.fixture
def world(engine, center_id) -> World:
    return build_world(engine, center_id)


def refer(w: World, ticket_id, unit: str, at) -> None:
    with session(w.engine) as s:
        version = s.get(Ticket, ticket_id).version
        followup.transition(
            s,
            actor=w.followup,
            ticket_id=ticket_id,
            action="referred",
            expected_version=version,
            unit_id=w.units[unit],
            now=at,
        )


def board(w: World, now=NOW, actor=None) -> followup.ChaseBoard:
    with session(w.engine, write=False) as s:
        return followup.chase_board(s, actor=actor or w.followup, now=now)


def referred(w: World, code: str, hours_ago: float, unit: str) -> str:
    at = NOW - timedelta(hours=hours_ago)
    registered = register(w, code, at=at)
    refer(w, registered.ticket.id, unit, at + timedelta(minutes=1))
    return registered.tracking_code


def test_the_board_groups_late_and_at_risk_referrals_by_unit_most_overdue_first(world):
    # pipe_burst: a 6 h target on the 24/7 clock; the warning starts with a quarter left.
    late_water = referred(world, "pipe_burst", 8, "water_ops")
    risky_water = referred(world, "pipe_burst", 5, "water_ops")
    referred(world, "pipe_burst", 1, "water_ops")  # five hours left: not on the board
    late_sewer = referred(world, "pipe_burst", 7, "sewer_ops")
    late_sewer_2 = referred(world, "pipe_burst", 9, "sewer_ops")
    register(world, "pipe_burst", at=NOW - timedelta(hours=9))  # late, but no unit has it

    groups = board(world).groups
    assert [g.unit_name_en for g in groups] == [
        next(g.unit_name_en for g in groups if g.unit_id == world.units["sewer_ops"]),
        next(g.unit_name_en for g in groups if g.unit_id == world.units["water_ops"]),
    ]
    sewer, water = groups
    assert [i.request.tracking_code for i in sewer.items] == [late_sewer_2, late_sewer]
    assert (sewer.overdue, sewer.at_risk) == (2, 0)
    assert [i.request.tracking_code for i in water.items] == [late_water, risky_water]
    assert (water.overdue, water.at_risk) == (1, 1)
    assert all(i.last_call is None for g in groups for i in g.items)


def test_a_call_to_the_unit_is_logged_with_its_promise_and_changes_no_version(world):
    code = referred(world, "pipe_burst", 8, "water_ops")
    with session(world.engine, write=False) as s:
        ticket = s.exec(select(Ticket).where(Ticket.tracking_code == code)).one()
    promised = NOW + timedelta(hours=2)
    with session(world.engine) as s:
        logged = followup.log_unit_call(
            s,
            actor=world.followup,
            ticket_ids=[ticket.id, ticket.id],
            promised_at=promised,
            note="اکیپ در راه است",
            now=NOW,
        )
    assert logged == 1
    with session(world.engine, write=False) as s:
        after = s.get(Ticket, ticket.id)
        event = s.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(col(TicketEvent.at).desc(), col(TicketEvent.id).desc())
        ).first()
    assert after.version == ticket.version and after.status == ticket.status
    assert event.action == followup.UNIT_CALLED and event.unit_id == world.units["water_ops"]
    assert event.note == "اکیپ در راه است"

    call = board(world).groups[0].items[0].last_call
    assert call.promised_at == promised and call.actor_name == world.followup.full_name
    assert not call.broken(NOW)
    assert call.broken(promised + timedelta(minutes=1))


def test_a_call_about_all_of_a_units_requests_is_all_or_nothing(world):
    first = referred(world, "pipe_burst", 8, "water_ops")
    second = register(world, "pipe_burst", at=NOW - timedelta(hours=1))  # no unit yet
    with session(world.engine, write=False) as s:
        first_id = s.exec(select(Ticket.id).where(Ticket.tracking_code == first)).one()
    with session(world.engine) as s, pytest.raises(FollowupError) as refused:
        followup.log_unit_call(
            s,
            actor=world.followup,
            ticket_ids=[first_id, second.ticket.id],
            promised_at=NOW + timedelta(hours=1),
            now=NOW,
        )
    assert refused.value.reason == "not_with_unit"
    with session(world.engine, write=False) as s:
        logged = s.exec(select(TicketEvent).where(TicketEvent.action == "unit_called")).all()
    assert logged == []


def test_bad_promises_and_roles_are_refused(world):
    code = referred(world, "pipe_burst", 8, "water_ops")
    with session(world.engine, write=False) as s:
        ticket_id = s.exec(select(Ticket.id).where(Ticket.tracking_code == code)).one()

    def log(actor=None, **kw):
        with session(world.engine) as s:
            return followup.log_unit_call(
                s, actor=actor or world.followup, ticket_ids=[ticket_id], now=NOW, **kw
            )

    for kw, reason in (
        ({"promised_at": NOW - timedelta(minutes=5)}, "promise_in_past"),
        ({}, "nothing_to_log"),
        ({"note": "x" * 2001}, "too_long"),
    ):
        with pytest.raises(FollowupError) as refused:
            log(**kw)
        assert refused.value.reason == reason
    with pytest.raises(PermissionDenied):
        log(actor=world.desk, note="called")
    with pytest.raises(PermissionDenied):
        board(world, actor=world.desk)
    assert log(note="تلفن جواب نداد") == 1
