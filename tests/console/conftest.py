"""A small desk for console tests: one center, agents of different roles, a fixed clock.

The migrated database with hashed passwords is built once per session (argon2 is slow on
purpose) and copied for each test, so a test that locks an account locks only its own copy.
"""

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from textual.pilot import Pilot

from console.i18n import current_language, set_language
from console.i18n.rtl import bidi_mode, set_bidi_mode
from console.settings import Settings
from db.accounts import add_agent
from db.engine import make_engine, session
from db.migrate import upgrade
from db.models import Agent, Center

PASSWORD = "desk-pass-1"
# Friday 6 Azar 1405, 14:00 in Tehran.
FIXED_NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)

# username: (full name, roles)
AGENTS: dict[str, tuple[str, list[str]]] = {
    "sara": ("سارا احمدی", ["agent"]),
    "reza": ("رضا کریمی", ["supervisor"]),
    "mina": ("مینا رستگار", ["agent", "followup", "surveyor", "notifier", "supervisor", "admin"]),
    "omid": ("امید صالحی", ["agent"]),
    "nader": ("نادر فرهادی", ["agent"]),
}
DISABLED = {"nader"}


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("desk") / "template.db"
    engine = make_engine(str(path))
    upgrade(engine)
    with session(engine) as s:
        s.add(
            Center(
                code="ISF",
                number=131,
                name_fa="مرکز ۱۲۲ آبفای اصفهان",
                name_en="Isfahan 122 center",
            )
        )
        s.flush()
        for username, (full_name, roles) in AGENTS.items():
            add_agent(
                s,
                actor=None,
                username=username,
                full_name=full_name,
                password=PASSWORD,
                roles=roles,
            )
        for agent in s.exec(select(Agent).where(Agent.username.in_(DISABLED))):
            agent.active = False
            s.add(agent)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def desk_db(template_db: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine on this test's own copy of the desk database."""
    path = tmp_path / "desk.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def restore_language() -> Iterator[None]:
    """The app sets the process-wide language and bidi mode; put them back after each test."""
    language, mode = current_language(), bidi_mode()
    yield
    set_language(language)
    set_bidi_mode(mode)


@pytest.fixture
def full_colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots must not depend on the TERM of whoever runs the tests."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def desk_settings(engine: Engine, lang: str = "en", **overrides) -> Settings:
    return Settings(
        db=engine.url.render_as_string(hide_password=False), lang=lang, bidi="app", **overrides
    )


async def settle(pilot: Pilot) -> None:
    """Let running workers finish and the messages they posted be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def sign_in(pilot: Pilot, username: str, password: str = PASSWORD) -> None:
    """Type a username and password as an agent would, press Enter, wait for the verdict."""
    from console.widgets.fields import FormInput

    screen = pilot.app.screen
    screen.query_one("#username", FormInput).focus()
    await pilot.pause()
    screen.query_one("#username", FormInput).value = ""
    await pilot.press(*username)
    await pilot.press("tab")
    await pilot.press(*password)
    await pilot.press("enter")
    await settle(pilot)
