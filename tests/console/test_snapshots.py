"""What an agent sees at 80x24, in Persian and English, pinned as SVG snapshots.

The clock is fixed (Friday 6 Azar 1405, 14:00 Tehran) and the terminal claims full colour, so the
pictures do not depend on the day or on the TERM of whoever runs the tests. Regenerate with
`pytest tests/console/test_snapshots.py --snapshot-update` and look at the pictures before keeping
them.
"""

import pytest
from textual.pilot import Pilot

from console.app import DeskApp

from .conftest import desk_settings, fixed_clock, settle, sign_in

SIZE = (80, 24)


def make_app(engine, lang: str) -> DeskApp:
    return DeskApp(engine=engine, settings=desk_settings(engine, lang), clock=fixed_clock)


def signed_in_as(username: str, *then: str):
    async def run_before(pilot: Pilot) -> None:
        await sign_in(pilot, username)
        if then:
            await pilot.press(*then)
            await settle(pilot)

    return run_before


@pytest.mark.usefixtures("full_colour_terminal")
class TestSignIn:
    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_sign_in_screen(self, desk_db, snap_compare, lang):
        """The empty sign-in form, mirrored in Persian."""
        assert snap_compare(make_app(desk_db, lang), terminal_size=SIZE)

    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_wrong_password_message(self, desk_db, snap_compare, lang):
        """A refused password: the reason under the form, the username kept."""

        async def run_before(pilot: Pilot) -> None:
            await sign_in(pilot, "sara", "not-my-password")
            await pilot.pause()

        assert snap_compare(make_app(desk_db, lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.usefixtures("full_colour_terminal")
class TestMainScreen:
    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_desk_agent_main_screen(self, desk_db, snap_compare, lang):
        """A desk agent: intake only, its honest not-built panel, four keys."""
        assert snap_compare(
            make_app(desk_db, lang), terminal_size=SIZE, run_before=signed_in_as("sara")
        )

    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_all_roles_agent_main_screen(self, desk_db, snap_compare, lang):
        """One person with every role: all seven keys on a two-row key bar."""
        assert snap_compare(
            make_app(desk_db, lang), terminal_size=SIZE, run_before=signed_in_as("mina")
        )

    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_help_panel(self, desk_db, snap_compare, lang):
        """F1: the supervisor's keys with what each does."""
        assert snap_compare(
            make_app(desk_db, lang), terminal_size=SIZE, run_before=signed_in_as("reza", "f1")
        )


def test_main_screen_on_a_16_colour_terminal(desk_db, snap_compare, monkeypatch):
    """TERM=linux: the ANSI theme, drawn with the terminal's own 16 colours."""
    monkeypatch.setenv("TERM", "linux")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    app = make_app(desk_db, "en")
    assert app.theme == "ansi-dark"
    assert snap_compare(app, terminal_size=SIZE, run_before=signed_in_as("reza"))
