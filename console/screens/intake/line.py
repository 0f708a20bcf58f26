"""The line the call came on (F9) and whether the caller wants a call back (^N)."""

from textual import work

from console.i18n import _
from console.i18n.intake_words import channel_name
from console.screens.intake.base import IntakeBase
from console.screens.intake.results import LineLoaded
from console.widgets.bidi import BidiText
from db import intake
from db.engine import session
from db.models import Channel

LINES: tuple[str, ...] = tuple(channel.value for channel in Channel)
"""The lines F9 cycles through: 122 (emergencies), 1523 (everything else), then the rest."""


class CallLine(IntakeBase):
    """The caller row's badge: the line (the last call's by default) and the call back."""

    @work(thread=True, exclusive=True, group="line", exit_on_error=False)
    def load_last_line(self) -> None:
        with session(self._engine, write=False) as s:
            channel = intake.last_channel(s, actor=self._agent)
        self.post_message(LineLoaded(channel))

    def on_intake_panel_line_loaded(self, event: LineLoaded) -> None:
        if not self._line_chosen and event.channel in LINES:
            self._channel = str(event.channel)
            self._show_line()

    def _show_line(self) -> None:
        """The caller row's badge: the line, and whether the caller wants a call back."""
        text = _("Line {line}").format(line=channel_name(self._channel))
        if self._wants_callback:
            back = _("call back")
            text = f"{text} · {back}"
        self.query_one("#intake-line", BidiText).text = text

    def action_cycle_line(self) -> None:
        """F9: the next line (122, 1523, then the other channels), kept for the next calls."""
        self._channel = LINES[(LINES.index(self._channel) + 1) % len(LINES)]
        self._line_chosen = True
        self._show_line()
        self._schedule_draft()

    def action_toggle_callback(self) -> None:
        """^N: the caller wants a call back when the service is restored (or not, again)."""
        self._wants_callback = not self._wants_callback
        self._show_line()
        self._say(
            _("The caller will be called back.")
            if self._wants_callback
            else _("No call back for this caller."),
            kind="",
        )
        self._schedule_draft()
