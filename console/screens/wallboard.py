"""Reports mode (F6), the wallboard: the center's live counts for the supervisor.

Calls and new requests this hour, open requests by status, overdue, at risk, escalated, and the
active incidents with their calls. On PostgreSQL it reads again when a write transaction
anywhere signals (`db.wallboard.listen_for_changes`), within a second, and once a minute for
what time alone changes (a clock running out); on SQLite it reads every `poll_seconds`. Only
what changed is drawn again, so an idle wallboard sends next to nothing down a slow SSH link.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.timer import Timer

from console import keys
from console.i18n import _, lang_digits
from console.i18n.intake_words import incident_kind_name, when_text
from console.i18n.queue_words import short_status
from console.screens.queue import COUNT_ORDER
from console.widgets.bidi import BidiText, layout_rtl
from db.accounts import AgentView
from db.engine import session
from db.wallboard import WallboardCounts, at_risk_count, listen_for_changes, wallboard_counts

__all__ = ["WallboardPanel"]

#: How often time alone is given a chance to change the counts (a clock running out), and how
#: often the costlier "at risk" count is read.
SLOW_SECONDS = 60.0


def number(n: int) -> str:
    return lang_digits(f"{n:,}")


@dataclass(frozen=True)
class Tile:
    id: str
    label: str
    value: str


def tiles(counts: WallboardCounts, at_risk: int | None) -> list[Tile]:
    levels = counts.escalated
    escalated = " · ".join(
        f"{lang_digits(str(level))}: {number(levels.get(level, 0))}" for level in (1, 2, 3)
    )
    return [
        Tile("calls", _("Calls this hour"), number(counts.calls_this_hour)),
        Tile("new", _("New requests this hour"), number(counts.new_this_hour)),
        Tile("open", _("Open requests"), number(counts.open)),
        Tile("overdue", _("Overdue"), number(counts.overdue)),
        Tile("at-risk", _("At risk"), "…" if at_risk is None else number(at_risk)),
        Tile("escalated", _("Escalated, by level"), escalated),
    ]


def status_line(counts: WallboardCounts) -> str:
    by = counts.open_by_status
    order = [s for s in COUNT_ORDER if by.get(s)] + [
        s for s in by if s not in COUNT_ORDER and by[s]
    ]
    return " · ".join(f"{short_status(s)} {number(by[s])}" for s in order)


def incident_lines(counts: WallboardCounts) -> str:
    if not counts.incidents:
        return _("No active incident.")
    return "\n".join(
        _("{kind}: {title} · calls {calls}, this hour {hour}").format(
            kind=incident_kind_name(i.kind),
            title=i.title,
            calls=number(i.calls),
            hour=number(i.calls_this_hour),
        )
        for i in counts.incidents
    )


class WallboardPanel(Vertical, can_focus=True):
    DEFAULT_CSS = """
    WallboardPanel {
        height: 1fr;
        #wallboard-title {
            text-style: bold;
        }
        #wallboard-tiles {
            grid-size: 3;
            grid-gutter: 0 1;
            grid-rows: 4;
            height: auto;
            margin: 1 0;
        }
        .tile {
            border: round $primary;
            height: 4;
            padding: 0 1;
            &:ansi {
                border: ascii $primary;
            }
        }
        .tile--value {
            text-style: bold;
        }
        #tile-overdue .tile--value {
            color: $text-error;
        }
        #tile-at-risk .tile--value {
            color: $text-warning;
        }
        #wallboard-statuses {
            color: $text-muted;
        }
        #wallboard-incidents {
            margin-top: 1;
        }
    }
    """

    @dataclass
    class Read(Message):
        counts: WallboardCounts

    @dataclass
    class RiskRead(Message):
        at_risk: int

    class Changed(Message):
        """The database signalled a change (PostgreSQL)."""

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        poll_seconds: float = 2.0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, "wallboard")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self.live = engine.dialect.name == "postgresql"
        self.poll_seconds = SLOW_SECONDS if self.live else poll_seconds
        self.counts: WallboardCounts | None = None
        self.at_risk: int | None = None
        self._reading = False
        self._again = False
        self._stop = threading.Event()
        self._poll_timers: list[Timer] = []

    def compose(self) -> ComposeResult:
        yield BidiText(id="wallboard-title")
        with Grid(id="wallboard-tiles"):
            for tile in tiles(_EMPTY, None):
                with Vertical(classes="tile", id=f"tile-{tile.id}"):
                    yield BidiText(tile.label, classes="tile--label")
                    yield BidiText("…", classes="tile--value")
        yield BidiText(id="wallboard-statuses")
        yield BidiText(id="wallboard-incidents")

    def on_mount(self) -> None:
        self._poll_timers = [
            self.set_interval(self.poll_seconds, self._tick, pause=True),
            self.set_interval(SLOW_SECONDS, self._read_risk, pause=True),
        ]
        if self.live:
            self._listen()

    def on_unmount(self) -> None:
        self._stop.set()

    def focus_first(self) -> None:
        """Called when the mode opens: read now, then keep reading while it shows. It takes the
        focus (nothing in it types), so its keys and the mode's are live."""
        self.focus()
        self.refresh_counts()
        self._read_risk()
        for timer in self._poll_timers:
            timer.resume()

    # --- reading ----------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.display and self.is_on_screen:
            self.refresh_counts()
        else:
            for timer in self._poll_timers:
                timer.pause()  # hidden: quiet until the mode opens again

    def refresh_counts(self) -> None:
        if self._reading:
            self._again = True  # one more read when this one ends, not a queue of them
            return
        self._reading = True
        self._read()

    @work(thread=True, group="wallboard", exit_on_error=False)
    def _read(self) -> None:
        try:
            with session(self._engine, write=False) as s:
                counts = wallboard_counts(s, actor=self.agent, now=self._clock())
        finally:
            self.app.call_from_thread(self._read_done)
        self.post_message(self.Read(counts))

    def _read_done(self) -> None:
        self._reading = False
        if self._again:
            self._again = False
            self.refresh_counts()

    @work(thread=True, exclusive=True, group="wallboard-risk", exit_on_error=False)
    def _read_risk(self) -> None:
        with session(self._engine, write=False) as s:
            at_risk = at_risk_count(s, actor=self.agent, now=self._clock())
        self.post_message(self.RiskRead(at_risk))

    @work(thread=True, group="wallboard-listen", exit_on_error=False)
    def _listen(self) -> None:
        listen_for_changes(self._engine, lambda: self.post_message(self.Changed()), self._stop)

    def on_wallboard_panel_changed(self, event: Changed) -> None:
        event.stop()
        if self.display and self.is_on_screen:
            self.refresh_counts()

    # --- showing ----------------------------------------------------------------------------

    def on_wallboard_panel_read(self, event: Read) -> None:
        event.stop()
        self.counts = event.counts
        self._show()

    def on_wallboard_panel_risk_read(self, event: RiskRead) -> None:
        event.stop()
        self.at_risk = event.at_risk
        self._show()

    def _show(self) -> None:
        counts = self.counts
        if counts is None:
            return
        how = (
            _("live")
            if self.live
            else _("every {n} s").format(n=lang_digits(str(int(self.poll_seconds))))
        )
        # Setting a BidiText to the text it shows draws nothing: only what changed is sent.
        self.query_one("#wallboard-title", BidiText).text = _("Wallboard · {time} · {how}").format(
            time=when_text(counts.as_of, now=counts.as_of), how=how
        )
        for tile in tiles(counts, self.at_risk):
            box = self.query_one(f"#tile-{tile.id}")
            box.query_one(".tile--value", BidiText).text = tile.value
        self.query_one("#wallboard-statuses", BidiText).text = status_line(counts)
        self.query_one("#wallboard-incidents", BidiText).text = incident_lines(counts)

    def action_refresh(self) -> None:
        self.refresh_counts()
        self._read_risk()


_EMPTY = WallboardCounts(
    as_of=datetime.min,
    hour_start=datetime.min,
    calls_this_hour=0,
    new_this_hour=0,
    open_by_status={},
    overdue=0,
    escalated={},
    incidents=(),
)
