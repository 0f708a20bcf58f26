"""`abfa-desk notices send|export` and `abfa-desk incident list`: the outbox drained from cron
(in parts, then again with nothing left), the IVR and website texts written to files, the
active incidents listed, and every known failure one clear line."""

import json
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import select
from typer.testing import CliRunner

from console.cli import app
from console.i18n import set_language
from db import accounts, incidents, notices
from db.engine import make_engine, session
from db.incidents import AreaInput
from db.migrate import upgrade
from db.models import Center, CenterSetting, District, OutboxMessage, utcnow

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
    """A migrated SQLite file: one center with the file gateway spooling into ``tmp/spool``,
    a main break in district 1 and three queued messages."""
    path = tmp_path / "desk.db"
    engine = make_engine(str(path))
    upgrade(engine)
    now = utcnow()
    with session(engine) as s:
        center = Center(code="ISF", number=131, name_fa="اصفهان", name_en="Isfahan")
        s.add(center)
        s.flush()
        district = District(center_id=center.id, code="D1", name_fa="منطقه ۱", name_en="D1")
        s.add(district)
        spool = {"kind": "file", "spool_dir": str(tmp_path / "spool")}
        s.add(CenterSetting(center_id=center.id, key="notices.gateway", value=spool))
        s.flush()
        boss = accounts.add_agent(
            s, actor=None, username="reza", full_name="رضا", password="boss-pass-1",
            roles=["supervisor"],
        )  # fmt: skip
        incidents.declare_incident(
            s, actor=boss, kind="main_break", title="شکستگی خط اصلی منطقه ۱",
            public_message="آب منطقه ۱ تا ساعت ۱۸ وصل می‌شود.",
            areas=[AreaInput(district_id=district.id)],
            expected_restoration_at=now + timedelta(hours=3), now=now,
        )  # fmt: skip
        notices.queue_messages(
            s, center.id,
            [notices.NewMessage(f"0912000000{k}", f"پیام {k}", f"t:{k}") for k in range(3)],
            now=now - timedelta(seconds=1),
        )  # fmt: skip
    engine.dispose()
    return path


def statuses(path) -> list[str]:
    engine = make_engine(str(path))
    with session(engine, write=False) as s:
        found = sorted(s.exec(select(OutboxMessage.status)).all())
    engine.dispose()
    return found


def test_notices_send_drains_the_outbox_in_parts_and_again_finds_nothing(desk_db, tmp_path):
    first = run("notices", "send", "--limit", "2", "--db", str(desk_db))
    assert first.exit_code == 0, first.stderr
    assert first.stdout.strip() == "Sent: 2. To retry later: 0. Failed: 0."
    assert statuses(desk_db) == ["queued", "sent", "sent"]
    rest = run("notices", "send", "--db", str(desk_db), "--center", "ISF")
    assert rest.stdout.strip() == "Sent: 1. To retry later: 0. Failed: 0."
    again = run("notices", "send", "--db", str(desk_db))
    assert again.stdout.strip() == "Sent: 0. To retry later: 0. Failed: 0."
    assert len(list((tmp_path / "spool").glob("*.json"))) == 3


def test_notices_send_speaks_persian(desk_db):
    result = run("notices", "send", "--db", str(desk_db), lang="fa")
    assert result.exit_code == 0, result.stderr
    assert "۳" in result.stdout and "ارسال" in result.stdout


def test_a_misconfigured_gateway_is_one_line_and_exit_1(desk_db, monkeypatch):
    monkeypatch.delenv("ABFA_DESK_SMS_API_KEY", raising=False)
    engine = make_engine(str(desk_db))
    with session(engine) as s:
        setting = s.exec(select(CenterSetting)).one()
        setting.value = {"kind": "http", "url": "http://127.0.0.1:9/sms"}
        s.add(setting)
    engine.dispose()
    result = run("notices", "send", "--db", str(desk_db))
    assert result.exit_code == 1
    assert "The SMS gateway setting is not usable" in result.stderr
    assert "ABFA_DESK_SMS_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert statuses(desk_db) == ["queued"] * 3


def test_notices_export_writes_the_ivr_and_web_texts(desk_db, tmp_path):
    ivr = tmp_path / "ivr" / "menu.txt"
    result = run("notices", "export", "--channel", "ivr", "--out", str(ivr), "--db", str(desk_db))
    assert result.exit_code == 0, result.stderr
    assert "The text of 1 active incident written to" in result.stdout
    assert ivr.read_text(encoding="utf-8") == "آب منطقه ۱ تا ساعت ۱۸ وصل می‌شود.\n"
    web = tmp_path / "web.json"
    result = run("notices", "export", "--channel", "web", "--json", "--out", str(web),
                 "--db", str(desk_db))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [item] = json.loads(web.read_text(encoding="utf-8"))
    assert (item["kind"], item["area"]) == ("main_break", "منطقه ۱")


def test_notices_export_refuses_an_unknown_channel(desk_db):
    result = run("notices", "export", "--channel", "sms", "--db", str(desk_db))
    assert result.exit_code == 2
    assert "Channel must be ivr or web." in result.stderr


def test_an_unknown_center_is_one_line(desk_db):
    result = run("notices", "export", "--channel", "ivr", "--center", "XXX", "--db", str(desk_db))
    assert result.exit_code == 1
    assert "No center with code XXX." in result.stderr


def test_incident_list_shows_the_active_incidents(desk_db):
    result = run("incident", "list", "--db", str(desk_db))
    assert result.exit_code == 0, result.stderr
    assert "Main break" in result.stdout or "main_break" in result.stdout
    assert "0" in result.stdout
    fa = run("incident", "list", "--db", str(desk_db), lang="fa")
    assert fa.exit_code == 0, fa.stderr
    assert "شکستگی" in fa.stdout and "حادثه" in fa.stdout


def test_incident_list_with_none_active(tmp_path):
    path = tmp_path / "empty.db"
    engine = make_engine(str(path))
    upgrade(engine)
    with session(engine) as s:
        s.add(Center(code="ISF", number=131, name_fa="اصفهان", name_en="Isfahan"))
    engine.dispose()
    result = run("incident", "list", "--db", str(path))
    assert result.stdout.strip() == "No active incident."


def test_notices_send_on_a_database_without_schema_is_one_clear_line(tmp_path):
    result = run("notices", "send", "--db", str(tmp_path / "empty.db"))
    assert result.exit_code == 1
    assert "db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
