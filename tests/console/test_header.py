"""The header's clock: it moves on the screen the agent sees, and holds still under another.

A clock changing on a hidden screen makes Textual redraw the whole screen on top, a full repaint
a minute down a slow link; the header holds it and reads the time again when its screen shows.
"""

from datetime import datetime, timedelta

from textual.app import App, ComposeResult
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from console.app import DeskApp
from console.screens.login import SignInScreen
from console.screens.main import MainScreen
from console.widgets.header import DeskHeader

from .conftest import FIXED_NOW, desk_settings, settle, sign_in


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now

    def wait(self, minutes: int) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


class HeaderScreen(Screen):
    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield DeskHeader(who="Sara", clock=self.clock)


class Cover(Screen):
    """A screen over the header's that hides it (the main screen over the sign-in one)."""

    def compose(self) -> ComposeResult:
        yield Static("on top")


class Dialog(ModalScreen):
    """A dialog whose backdrop lets the screen beneath show."""

    DEFAULT_CSS = "Dialog { background: $background 60%; }"

    def compose(self) -> ComposeResult:
        yield Static("a question")


class HeaderApp(App):
    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def on_mount(self) -> None:
        self.push_screen(HeaderScreen(self.clock))


def header_of(screen: Screen) -> DeskHeader:
    return screen.query_one(DeskHeader)


async def test_the_clock_holds_under_a_covering_screen_and_is_right_when_it_shows_again():
    clock = Clock()
    app = HeaderApp(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = header_of(app.screen)
        assert header.now == FIXED_NOW and header.in_view()
        await app.push_screen(Cover())
        await pilot.pause()
        clock.wait(1)
        header._tick()  # the minute's timer
        assert not header.in_view()
        assert header.now == FIXED_NOW
        later = clock.wait(2)
        app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        assert header.in_view()
        assert header.now == later
        assert "14:03" in header.render().plain  # Tehran time


async def test_the_clock_keeps_moving_under_a_see_through_dialog():
    clock = Clock()
    app = HeaderApp(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = header_of(app.screen)
        await app.push_screen(Dialog())
        await pilot.pause()
        later = clock.wait(1)
        header._tick()
        assert header.in_view()
        assert header.now == later


async def test_the_sign_in_screens_clock_holds_still_under_the_main_screen(desk_db):
    """After sign-in the sign-in screen stays beneath: its clock waits, the main one moves."""
    clock = Clock()
    app = DeskApp(engine=desk_db, settings=desk_settings(desk_db, "en"), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "sara")
        await settle(pilot)
        main, beneath = app.screen_stack[-1], app.screen_stack[-2]
        assert isinstance(main, MainScreen) and isinstance(beneath, SignInScreen)
        later = clock.wait(1)
        header_of(beneath)._tick()
        header_of(main)._tick()
        assert header_of(beneath).now == FIXED_NOW
        assert header_of(main).now == later
