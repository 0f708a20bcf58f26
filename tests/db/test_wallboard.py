"""The wallboard's counts against a small center, on SQLite and PostgreSQL, and PostgreSQL's word
of a change: a committed write is heard within a second, a rolled-back one never."""

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from db import followup
from db.accounts import PermissionDenied
from db.engine import session
from db.models import Incident, IncidentArea, Ticket
from db.wallboard import at_risk_count, listen_for_changes, wallboard_counts

from .world import NOW, World, build_world, register


@pytest.fixture
def world(engine, center_id) -> World:
    return build_world(engine, center_id)


def counts(w: World, now=NOW):
    with session(w.engine, write=False) as s:
        return wallboard_counts(s, actor=w.supervisor, now=now)


def test_the_counts_of_a_small_center(world):
    # NOW is 10:00 in Tehran; read at 10:30: two requests this hour, one from the night before.
    register(world, "pipe_burst", at=NOW + timedelta(minutes=10))
    register(world, "low_pressure", at=NOW + timedelta(minutes=25))
    late = register(world, "pipe_burst", at=NOW - timedelta(hours=9)).ticket.id
    with session(world.engine) as s:
        incident = Incident(
            center_id=world.center_id,
            kind="main_break",
            title="شکستگی",
            public_message="در حال رفع",
            started_at=NOW - timedelta(hours=2),
        )
        s.add(incident)
        s.flush()
        s.add(IncidentArea(incident_id=incident.id, district_id=world.districts["D1"]))
    with session(world.engine) as s:
        version = s.get(Ticket, late).version
        followup.transition(
            s,
            actor=world.followup,
            ticket_id=late,
            action="escalated",
            expected_version=version,
            note="دیر شده",
            now=NOW,
        )
    board = counts(world, NOW + timedelta(minutes=30))
    assert board.hour_start == NOW
    assert board.new_this_hour == 2
    assert board.calls_this_hour == 2
    assert board.open == 3 and board.open_by_status == {"registered": 3}
    assert board.overdue == 1  # the burst of the night: 9 h on a 6 h target
    assert dict(board.escalated) == {1: 1}
    assert [(i.title, i.calls) for i in board.incidents] == [("شکستگی", 0)]

    # The new burst (6 h target) is not yet in its warning share (the last quarter) at 10:30;
    # at 15:00 it is.
    with session(world.engine, write=False) as s:
        assert at_risk_count(s, actor=world.supervisor, now=NOW + timedelta(minutes=30)) == 0
        assert at_risk_count(s, actor=world.supervisor, now=NOW + timedelta(hours=5)) == 1


def test_only_supervisors_and_surveyors_read_it(world):
    with session(world.engine, write=False) as s, pytest.raises(PermissionDenied):
        wallboard_counts(s, actor=world.desk, now=NOW)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # a SQLite wallboard polls
def test_postgresql_tells_listeners_of_each_committed_write(world, engine):
    heard: list[float] = []
    listening = threading.Event()
    stop = threading.Event()
    listener = threading.Thread(
        target=listen_for_changes,
        args=(engine, lambda: heard.append(time.monotonic()), stop),
        kwargs={"wait": 0.2, "ready": listening.set},
    )
    listener.start()
    try:
        assert listening.wait(10)
        with pytest.raises(RuntimeError), session(engine) as s:  # rolled back: not a word
            s.exec(select(Ticket)).all()
            raise RuntimeError
        time.sleep(0.5)
        assert heard == []
        written = time.monotonic()
        register(world, "pipe_burst", at=NOW)
        deadline = time.monotonic() + 5
        while not heard and time.monotonic() < deadline:
            time.sleep(0.02)
        assert heard and heard[0] - written < 1.0
    finally:
        stop.set()
        listener.join(5)
    assert not listener.is_alive()
