"""The header row: who is signed in and where, and the date, time and language.

Mirrored in a right-to-left layout: the agent's name on the right, the clock on the left. The
time comes from an injected clock (aware UTC) so tests can fix it; it is shown in Tehran time,
Jalali in Persian and Gregorian in English, and refreshed on every new minute.

The clock is held while its screen is hidden under another (the sign-in screen stays under the
main screen all day): Textual redraws the whole top screen when a screen beneath it changes, a
full repaint a minute down a slow link for a clock nobody sees. It is read again when its screen
shows again.
"""

from collections.abc import Callable
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.dom import NoScreen
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget

from console.i18n import current_language
from console.i18n.rtl import display
from console.widgets.bidi import layout_rtl
from db.jalali import format_datetime, weekday_name

__all__ = ["LANGUAGE_NAMES", "DeskHeader"]

Clock = Callable[[], datetime]

# Each language is named in itself, so an agent can find theirs whatever is on screen.
LANGUAGE_NAMES = {"fa": "فارسی", "en": "English"}
ELLIPSIS = "…"


def _crop(visual: str, width: int, *, rtl: bool) -> str:
    """Cut display-order text to `width` cells, keeping its start (the right side in RTL)."""
    if cell_len(visual) <= width:
        return visual
    if width <= 1:
        return ELLIPSIS[:width]
    if rtl:
        kept = visual
        while cell_len(kept) > width - 1:
            kept = kept[1:]
        return ELLIPSIS + kept
    kept = visual
    while cell_len(kept) > width - 1:
        kept = kept[:-1]
    return kept + ELLIPSIS


class DeskHeader(Widget, can_focus=False):
    """One row: `who` (bold) and `where` at the start; date, time and language at the end."""

    DEFAULT_CSS = """
    DeskHeader {
        dock: top;
        height: 1;
        padding: 0 1;
        background: $primary;
        color: $text;
        .deskheader--who {
            text-style: bold;
        }
    }
    """

    COMPONENT_CLASSES = {"deskheader--who"}

    now: reactive[datetime | None] = reactive(None)
    """The time shown (aware UTC); set from the clock every minute."""

    def __init__(self, *, who: str, where: str = "", clock: Clock, id: str | None = None) -> None:
        super().__init__(id=id)
        self.who = who
        self.where = where
        self._clock = clock
        self._held = False

    def on_mount(self) -> None:
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        self.now = self._clock()
        self._wake_next_minute(self.now)

    def _wake_next_minute(self, now: datetime) -> None:
        # Just after the next minute starts, so the clock never lags by most of a minute.
        seconds_left = 60 - (now.second + now.microsecond / 1_000_000)
        self.set_timer(seconds_left + 0.05, self._tick)

    def _tick(self) -> None:
        if not self.in_view():
            self._held = True  # no timer while hidden: `_screen_changed` starts it again
            return
        self.now = self._clock()
        self._wake_next_minute(self.now)

    def _screen_changed(self, _screen: Screen) -> None:
        if self._held and self.in_view():
            self._held = False
            self._tick()

    def in_view(self) -> bool:
        """Whether the header's screen can be seen: on top, or under see-through screens only
        (a dialog whose backdrop lets the screen beneath show)."""
        try:
            stack = self.app.screen_stack
            mine = self.screen
        except (NoScreen, KeyError):  # unmounted, or the app is closing: nothing to draw
            return False
        if mine not in stack:
            return False  # a screen of another mode
        above = stack[stack.index(mine) + 1 :]
        return all(screen.styles.background.a < 1 for screen in above)

    def time_text(self) -> str:
        """Weekday, date and time in the current language (logical order)."""
        if self.now is None:
            return ""
        lang = current_language()
        return f"{weekday_name(self.now, lang)} {format_datetime(self.now, lang)}"

    def render(self) -> RenderResult:
        width = max(1, self.content_size.width)
        rtl = layout_rtl()
        base = True if rtl else None
        end = display(f"{self.time_text()}   {LANGUAGE_NAMES[current_language()]}", base_rtl=base)
        room = max(0, width - cell_len(end) - 2)
        who = display(self.who, base_rtl=base)
        where = display(self.where, base_rtl=base) if self.where else ""
        who_style = self.get_component_rich_style("deskheader--who")
        start = Text(no_wrap=True, overflow="crop")
        if rtl:
            if where:
                start.append(_crop(where, max(0, room - cell_len(who) - 3), rtl=True))
                start.append("   ")
            start.append(_crop(who, room, rtl=True), who_style)
        else:
            start.append(_crop(who, room, rtl=False), who_style)
            if where:
                start.append("   ")
                start.append(_crop(where, max(0, room - cell_len(who) - 3), rtl=False))
        gap = " " * max(1, width - start.cell_len - cell_len(end))
        line = Text(no_wrap=True, overflow="crop")
        if rtl:
            line.append(end)
            line.append(gap)
            line.append_text(start)
        else:
            line.append_text(start)
            line.append(gap)
            line.append(end)
        return line
