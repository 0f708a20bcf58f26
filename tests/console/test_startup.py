"""Opening the console: the form first, the database behind it, a clear end if it is unusable."""

import asyncio
import gc
import threading

import pytest
from typer import Exit

from console import cli
from console.app import DeskApp
from console.screens.login import SignInScreen
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from db.engine import DatabaseError

from .conftest import desk_settings, fixed_clock, settle, sign_in

UNMIGRATED = "the database at sqlite:///x.db has no abfa-desk tables. Run: abfa-desk db upgrade"


class Opener:
    """Opens the test's database as the command would: in a worker, maybe held back a while."""

    def __init__(self, engine, *, hold: bool = False) -> None:
        self.engine = engine
        self.calls: list[threading.Thread] = []
        self.released = threading.Event()
        if not hold:
            self.released.set()

    def __call__(self):
        self.calls.append(threading.current_thread())
        assert self.released.wait(10), "never released"
        return self.engine


def deferred_app(opener, engine, lang: str = "en") -> DeskApp:
    return DeskApp(open_engine=opener, settings=desk_settings(engine, lang), clock=fixed_clock)


async def test_the_form_shows_first_and_the_database_opens_in_a_worker(desk_db):
    """The agent signs in as usual; the database was opened once, off the UI thread."""
    opener = Opener(desk_db)
    app = deferred_app(opener, desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await settle(pilot)
        await sign_in(pilot, "sara")
        assert not isinstance(app.screen, SignInScreen)
        assert app.engine is desk_db
    assert len(opener.calls) == 1
    assert opener.calls[0] is not threading.main_thread()


async def test_enter_while_the_database_opens_waits_for_it(desk_db):
    """An agent who types fast is signed in once the database is there, not refused."""
    opener = Opener(desk_db, hold=True)
    app = deferred_app(opener, desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"sara", "tab", *"desk-pass-1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one("#sign-in-message", BidiText).text == "Checking…"
        opener.released.set()
        await settle(pilot)
        assert not isinstance(app.screen, SignInScreen)
    assert len(opener.calls) == 1  # the sign-in waited for the opening worker's engine
    assert app.engine is desk_db


async def test_an_unusable_database_closes_the_console_with_the_reason(desk_db):
    """The reason is kept for the command to print, and the return code says it failed."""

    def unmigrated():
        raise DatabaseError(UNMIGRATED)

    app = deferred_app(unmigrated, desk_db)
    async with app.run_test(size=(80, 24)):
        for _ in range(500):
            if app.startup_error is not None:
                break
            await asyncio.sleep(0.01)
    assert app.startup_error == UNMIGRATED
    assert app.return_code == 1


async def test_typing_is_kept_while_the_database_opens(desk_db):
    """The form takes keys at once; the database is not needed to type a username."""
    opener = Opener(desk_db, hold=True)
    app = deferred_app(opener, desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"sara")
        assert app.screen.query_one("#username", FormInput).value == "sara"
        opener.released.set()
        await settle(pilot)


async def test_objects_made_while_starting_are_frozen_once_after_sign_in(desk_db, monkeypatch):
    """The collector stops walking them during the session, and gets them back at the end."""
    freezes: list[int] = []
    freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1) or freeze())
    app = DeskApp(engine=desk_db, settings=desk_settings(desk_db), clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        assert gc.get_freeze_count() == 0
        await sign_in(pilot, "sara")
        assert gc.get_freeze_count() > 0
        await pilot.press("ctrl+o")  # sign out, and in again: nothing more is frozen
        await settle(pilot)
        await sign_in(pilot, "sara")
        assert not isinstance(app.screen, SignInScreen)
    assert freezes == [1]
    assert gc.get_freeze_count() == 0


def test_command_on_a_terminal_prints_why_the_console_closed(desk_db, monkeypatch, capsys):
    """The form was drawn first, yet the message and exit code are those of before."""
    import sqlalchemy as sa

    from db.engine import session
    from db.models import Agent, AgentRole, AuditEntry

    with session(desk_db) as s:
        for table in (AuditEntry, AgentRole, Agent):
            s.execute(sa.delete(table))

    def run_headless(self: DeskApp) -> None:
        asyncio.run(self.run_async(headless=True, size=(80, 24)))

    monkeypatch.setattr(cli, "on_a_terminal", lambda: True)
    monkeypatch.setattr(DeskApp, "run", run_headless)
    with pytest.raises(Exit) as ended:
        cli.run_console(desk_settings(desk_db))
    assert ended.value.exit_code == 1
    assert "no users yet" in capsys.readouterr().err
