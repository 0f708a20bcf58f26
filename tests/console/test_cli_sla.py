"""`abfa-desk sla tick`: late requests climb a level, expired claims are let go, and running it
again changes nothing."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, select
from typer.testing import CliRunner

from console.cli import app
from console.i18n import set_language
from db import accounts, catalog_seed, followup, intake
from db.engine import make_engine, session
from db.migrate import upgrade
from db.models import Calendar, Category, Center, Channel, Ticket, TicketEvent, Unit, utcnow

runner = CliRunner()


@pytest.fixture(autouse=True)
def english(monkeypatch, tmp_path):
    monkeypatch.setenv("ABFA_DESK_SETTINGS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ABFA_DESK_DB", raising=False)
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    yield
    set_language("en")


def run(*args: str, lang: str = "en"):
    return runner.invoke(app, ["--lang", lang, *args])


@pytest.fixture
def desk_db(tmp_path):
    """A migrated SQLite file with one center, a pipe-burst category, two requests registered
    eight and two hours ago (the burst's target is six hours) and a claim that expired."""
    path = tmp_path / "desk.db"
    engine = make_engine(str(path))
    upgrade(engine)
    now = utcnow()
    with session(engine) as s:
        center = Center(code="ISF", number=131, name_fa="اصفهان", name_en="Isfahan")
        s.add(center)
        s.flush()
        unit = Unit(center_id=center.id, code="water", kind="water_ops", name_fa="آب", name_en="W")
        calendar = Calendar(
            center_id=center.id, code="24x7", name_fa="شبانه‌روزی", name_en="24/7", always_open=True
        )
        s.add_all([unit, calendar])
        s.flush()
        seed = next(c for c in catalog_seed.CATEGORIES if c.code == "pipe_burst")
        category = Category(
            center_id=center.id, code=seed.code, name_fa=seed.name_fa, name_en=seed.name_en,
            group=seed.group, emergency=True, priority=1, default_unit_id=unit.id,
            calendar_id=calendar.id, response_minutes=seed.response_minutes,
            resolution_minutes=seed.resolution_minutes,
        )  # fmt: skip
        s.add(category)
        s.flush()
        desk = accounts.add_agent(
            s, actor=None, username="maryam", full_name="مریم", password="desk-pass-1",
            roles=["agent", "followup"],
        )  # fmt: skip
        codes = []
        for hours in (8, 2):
            started = now - timedelta(hours=hours)
            registered = intake.register_request(
                s, actor=desk, phone="09121111111", subscriber_id=None, category_id=category.id,
                channel=Channel.PHONE_122, address="خیابان سعدی", started_at=started,
                ended_at=started + timedelta(minutes=2),
            )  # fmt: skip
            codes.append(registered.tracking_code)
        followup.claim(s, actor=desk, ticket_id=registered.ticket.id, now=now - timedelta(hours=1))
    engine.dispose()
    return str(path), codes


def test_sla_tick_escalates_the_late_request_once(desk_db):
    path, (late, on_time) = desk_db
    first = run("sla", "tick", "--db", path)
    assert first.exit_code == 0, first.stderr
    assert f"Request {late} escalated to level 1: the citizen's clock ran out." in first.stdout
    assert on_time not in first.stdout
    assert "Escalations: 1. Expired claims let go: 1." in first.stdout
    again = run("sla", "tick", "--db", path)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == "Escalations: 0. Expired claims let go: 0."
    engine = make_engine(path)
    with session(engine) as s:
        escalated = s.exec(select(TicketEvent).where(TicketEvent.action == "escalated")).all()
        assert [(e.data["level"], e.data["clock"]) for e in escalated] == [(1, "citizen")]
        assert s.exec(select(Ticket).where(col(Ticket.claimed_by_id).is_not(None))).all() == []
    engine.dispose()


def test_sla_tick_speaks_persian(desk_db):
    path, (late, _on_time) = desk_db
    result = run("sla", "tick", "--db", path, lang="fa")
    assert result.exit_code == 0, result.stderr
    assert "مهلت رسیدگی به شهروند" in result.stdout and late in result.stdout


def test_sla_tick_on_a_database_without_schema_is_one_clear_line(tmp_path):
    result = run("sla", "tick", "--db", str(tmp_path / "empty.db"))
    assert result.exit_code == 1
    assert "db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
