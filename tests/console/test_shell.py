"""The signed-in shell: signing in and out, switching modes with function keys, role gating."""

import pytest
from sqlmodel import select
from textual.widgets import ContentSwitcher

from console.app import DeskApp, choose_theme
from console.i18n import _
from console.i18n.rtl import display
from console.screens.login import SignInScreen
from console.screens.main import MainScreen
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.header import DeskHeader
from console.widgets.keybar import KeyBar

from .conftest import AGENTS, desk_settings, fixed_clock, settle, sign_in

# The intake panel has the focus after sign-in: the keys that end a call come first.
INTAKE_WORDS = [
    "Register",
    "Answered",
    "Transferred",
    "Dropped",
    "Line",
    "Call back",
    "Answers",
]


def make_app(engine, lang: str = "en", **settings) -> DeskApp:
    return DeskApp(
        engine=engine, settings=desk_settings(engine, lang, **settings), clock=fixed_clock
    )


def message_text(app: DeskApp) -> str:
    return app.screen.query_one("#sign-in-message", BidiText).text


def current_panel(app: DeskApp) -> str | None:
    return app.screen.query_one("#modes", ContentSwitcher).current


def key_bar_words(app: DeskApp) -> list[str]:
    return [item.description for item in app.screen.query_one(KeyBar).items()]


def toasts(app: DeskApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_agent_signs_in_and_sees_her_name_and_center(desk_db):
    """A good password opens the main screen with the agent's name and center in the header."""
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot, "sara")
        assert isinstance(app.screen, MainScreen)
        header = app.screen.query_one(DeskHeader)
        line = header.render().plain
        assert display(AGENTS["sara"][0]) in line
        assert "Isfahan 122 center" in line
        assert "2026-11-27 14:00" in line
        assert "English" in line


async def test_persian_header_is_mirrored_with_the_jalali_date(desk_db):
    """In Persian the name sits on the right and the date is Jalali, in Persian digits."""
    app = make_app(desk_db, lang="fa")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sara")
        header = app.screen.query_one(DeskHeader)
        assert header.time_text() == "جمعه ۱۴۰۵/۰۹/۰۶ ۱۴:۰۰"
        line = header.render().plain
        assert line.rstrip().endswith(display(AGENTS["sara"][0], base_rtl=True))
        assert display("مرکز ۱۲۲ آبفای اصفهان", base_rtl=True) in line
        assert line.startswith(display("فارسی"))


async def test_wrong_password_keeps_username_and_clears_password(desk_db):
    """A wrong password is explained under the form; the agent retypes only the password."""
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sara", "not-my-password")
        assert isinstance(app.screen, SignInScreen)
        assert message_text(app) == "Wrong username or password."
        assert app.screen.query_one("#username", FormInput).value == "sara"
        password = app.screen.query_one("#password", FormInput)
        assert password.value == ""
        assert app.focused is password


async def test_enter_with_an_empty_password_moves_to_the_password(desk_db):
    """Enter in the username field goes on to the password instead of refusing."""
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"sara", "enter")
        await settle(pilot)
        assert app.focused is app.screen.query_one("#password", FormInput)
        assert message_text(app) == ""


async def test_fifth_wrong_password_locks_the_account(desk_db):
    """The fifth failure says the account is locked; then even the right password is refused."""
    locked = (
        "Account locked after too many failed attempts. "
        "Try again in 15 minutes or ask an administrator."
    )
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        for _attempt in range(4):
            await sign_in(pilot, "omid", "guessing-1")
            assert message_text(app) == "Wrong username or password."
        await sign_in(pilot, "omid", "guessing-1")
        assert message_text(app) == locked
        await sign_in(pilot, "omid")
        assert isinstance(app.screen, SignInScreen)
        assert message_text(app) == locked


async def test_disabled_account_is_told_to_ask_an_administrator(desk_db):
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "nader")
        assert isinstance(app.screen, SignInScreen)
        assert message_text(app) == "Account disabled. Ask an administrator."


async def test_persian_agent_reads_the_refusal_in_persian(desk_db):
    app = make_app(desk_db, lang="fa")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sara", "not-my-password")
        assert message_text(app) == "نام کاربری یا رمز عبور نادرست است."
        assert app.screen.has_class("-rtl")


async def test_supervisor_switches_modes_with_function_keys(desk_db):
    """F2-F6 open the supervisor's modes; F1 shows the keys and F1 again goes back."""
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "reza")
        assert current_panel(app) == "mode-intake"
        for key, panel in [
            ("f3", "mode-followup"),
            ("f4", "mode-callbacks"),
            ("f5", "mode-notices"),
            ("f6", "mode-reports"),
            ("f2", "mode-intake"),
        ]:
            await pilot.press(key)
            await pilot.pause()
            assert current_panel(app) == panel
        await pilot.press("f1")
        await pilot.pause()
        assert current_panel(app) == "help"
        await pilot.press("f1")
        await pilot.pause()
        assert current_panel(app) == "mode-intake"


async def test_desk_agent_may_not_open_admin(desk_db):
    """F7 for a desk agent says why nothing opens; admin is neither shown nor built."""
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sara")
        assert key_bar_words(app) == [*INTAKE_WORDS, "Help", "Intake", "Sign out", "Quit"]
        await pilot.press("f7")
        await pilot.pause()
        assert toasts(app) == ["You do not have permission for this."]
        assert current_panel(app) == "mode-intake"
        assert not app.screen.query("#mode-admin")
        await pilot.press("f3")
        await pilot.pause()
        assert current_panel(app) == "mode-intake"


async def test_supervisor_sees_more_modes_than_a_desk_agent(desk_db):
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "reza")
        assert key_bar_words(app) == [
            *INTAKE_WORDS,
            "Help",
            "Intake",
            "Follow-up",
            "Callbacks",
            "Incidents & notices",
            "Reports",
            "Sign out",
            "Quit",
        ]
        await pilot.press("f7")
        await pilot.pause()
        assert toasts(app) == ["You do not have permission for this."]


async def test_help_lists_the_keys_the_agent_has(desk_db):
    """F1: the screen's keys, then those of the mode it was opened from (intake)."""
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sara")
        await pilot.press("f1")
        await pilot.pause()
        from console.widgets.keyhelp import KeyHelp

        rows = app.screen.query_one(KeyHelp).rows
        assert [(row.key, row.description) for row in rows] == [
            ("F1", "Help"),
            ("F2", "Intake"),
            ("^O", "Sign out"),
            ("^Q", "Quit"),
            ("^R", "Register"),
            ("^A", "Answered"),
            ("^L", "Link incident"),
            ("^K", "Link request"),
            ("^T", "Transferred"),
            ("^D", "Dropped"),
            ("F9", "Line"),
            ("^N", "Call back"),
            ("^G", "Other request"),
            ("F8", "Answers"),
        ]
        assert rows[1].hint == "Answer calls and register requests."


async def test_sign_out_returns_to_an_empty_sign_in_form(desk_db):
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sara")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one("#username", FormInput).value == ""
        assert app.screen.query_one("#password", FormInput).value == ""
        await sign_in(pilot, "reza")
        assert isinstance(app.screen, MainScreen)
        assert app.screen.agent.username == "reza"


async def test_keys_follow_the_keymap_in_settings(desk_db):
    """`[keys] mode_followup = "f12"` moves follow-up to F12, in the key bar too."""
    app = make_app(desk_db, keys={"mode_followup": "f12"})
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "reza")
        await pilot.press("f12")
        await pilot.pause()
        assert current_panel(app) == "mode-followup"
        await pilot.press("f3")
        await pilot.pause()
        assert current_panel(app) == "mode-followup"
        items = app.screen.query_one(KeyBar).items()
        assert ("F12", "Follow-up") in [(i.key, i.description) for i in items]


@pytest.mark.parametrize("lang", ["en", "fa"])
async def test_every_key_of_an_all_roles_agent_fits_at_80x24(desk_db, lang):
    """One person holding every role (a small rural center) still sees all keys at 80x24,
    the intake keys that end a call included."""
    app = make_app(desk_db, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "mina")
        bar = app.screen.query_one(KeyBar)
        assert len(bar.items()) == 9 + len(INTAKE_WORDS)
        assert bar.size.height <= 3
        rendered = bar.render().plain
        for item in bar.items():
            assert item.key in rendered
            assert display(item.description, base_rtl=True if lang == "fa" else None) in rendered


async def test_unknown_failure_is_logged_and_shown_once(desk_db, tmp_path, monkeypatch):
    """A database that fails in an unforeseen way: traceback to the log, one toast, form usable."""
    log = tmp_path / "logs" / "console.log"
    monkeypatch.setattr("console.app.log_file", lambda: log)

    def broken_sign_in(*args, **kwargs):
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr("console.screens.login.sign_in", broken_sign_in)
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sara")
        await sign_in(pilot, "sara")
        assert isinstance(app.screen, SignInScreen)
        assert len(toasts(app)) == 1
        assert toasts(app)[0].endswith("console.log")
        assert app.screen.query_one("#password", FormInput).value == ""
        assert app.focused is app.screen.query_one("#password", FormInput)
    text = log.read_text(encoding="utf-8")
    assert text.count("RuntimeError: disk I/O error") == 2
    assert "Traceback" in text


def test_sixteen_colour_terminals_get_the_ansi_theme():
    assert choose_theme({"TERM": "linux"}) == "ansi-dark"
    assert choose_theme({"TERM": "xterm"}) == "ansi-dark"
    assert choose_theme({"TERM": "xterm-256color"}) == "textual-dark"
    assert choose_theme({"TERM": "xterm", "COLORTERM": "truecolor"}) == "textual-dark"
    assert choose_theme({"TERM": "xterm-256color", "TEXTUAL_COLOR_SYSTEM": "standard"}) == (
        "ansi-dark"
    )


async def test_demo_database_suggests_an_account_at_sign_in(desk_db):
    """The demo passwords scrolled away when the console opened: the form names one."""
    from db.engine import session
    from db.models import Center, CenterSetting, utcnow

    with session(desk_db) as s:
        center = s.exec(select(Center)).one()
        s.add(
            CenterSetting(center_id=center.id, key="demo", value={"seed": 1}, updated_at=utcnow())
        )
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        hint = app.screen.query_one("#sign-in-hint", BidiText).text
        assert "supervisor" in hint
        assert "demo-supervisor" in hint


async def test_real_database_suggests_nothing(desk_db):
    app = make_app(desk_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "demo" not in app.screen.query_one("#sign-in-hint", BidiText).text


@pytest.mark.parametrize("lang", ["en", "fa"])
async def test_every_mode_shows_all_its_keys_to_an_all_roles_agent(desk_db, lang):
    """In every mode, with its list focused, every key the agent can press is on the bar, none
    cut off below it: Enter's "Open" too, which a focused table's own (hidden) Enter binding
    would otherwise hide."""
    app = make_app(desk_db, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "mina")
        for mode_key in ("f3", "f4", "f5", "f6", "f7", "f2"):
            await pilot.press(mode_key)
            await settle(pilot)
            bar = app.screen.query_one(KeyBar)
            items = bar.items()
            assert len(bar.key_rows(bar.content_size.width)[1]) == bar.size.height, mode_key
            rendered = bar.render().plain
            for item in items:
                assert item.key in rendered, (mode_key, item)
                shown = display(item.description, base_rtl=True if lang == "fa" else None)
                assert shown in rendered, (mode_key, item)
        await pilot.press("f3")
        await settle(pilot)
        assert ("Enter", _("Open")) in [
            (i.key, i.description) for i in app.screen.query_one(KeyBar).items()
        ]
