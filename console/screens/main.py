"""The shell after sign-in: one mode per unit, switched with function keys, gated by role.

Only the modes `db.accounts.allowed_modes` grants the agent are built and shown in the key bar.
A key for a mode the agent may not open still answers, with a permission message, so a desk
agent who presses F7 by habit learns why nothing opened instead of wondering.
"""

from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from console import keys
from console.i18n import N_, _, current_language
from console.i18n.rtl import display
from console.messages import SignOutRequested
from console.screens.admin import AdminMode
from console.screens.base import DeskScreen
from console.screens.callbacks import CallbacksPanel
from console.screens.followup import FollowupPanel
from console.screens.intake import IntakePanel
from console.screens.notices import NoticesMode
from console.screens.reports_mode import ReportsMode
from console.widgets.bidi import layout_rtl, notify_text
from console.widgets.header import Clock, DeskHeader
from console.widgets.keybar import KeyBar
from console.widgets.keyhelp import KeyHelp, KeyHelpRow
from db.accounts import MODE_ROLES, AgentView, allowed_modes
from db.engine import session
from db.followup import sla_tick

__all__ = ["MODE_TITLES", "HelpPanel", "MainScreen"]

MODE_TITLES: dict[str, str] = {
    "intake": N_("Intake"),
    "followup": N_("Follow-up"),
    "callbacks": N_("Callbacks"),
    "notices": N_("Incidents & notices"),
    "reports": N_("Reports"),
    "admin": N_("Admin"),
}
assert MODE_TITLES.keys() == MODE_ROLES.keys(), "every mode of db.accounts needs a title"

HELP = "help"

#: Each mode's panel but intake's: built with the engine, the agent, the clock, how often to
#: poll a SQLite database, and its id.
MODE_PANELS: dict[str, type[Widget]] = {
    "followup": FollowupPanel,
    "callbacks": CallbacksPanel,
    "notices": NoticesMode,
    "reports": ReportsMode,
    "admin": AdminMode,
}
assert MODE_PANELS.keys() | {"intake"} == MODE_ROLES.keys(), "every mode needs its panel"


def panel_id(mode: str) -> str:
    return f"mode-{mode}"


class HelpPanel(VerticalScroll):
    """F1: the keys of this screen, generated from its active bindings; scrolls when long."""

    DEFAULT_CSS = """
    HelpPanel {
        border: round $accent;
        padding: 0 1;
        &.-rtl {
            border-title-align: right;
        }
        &:ansi {
            border: solid $accent;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        self.border_title = Content(display(_("Keys")))

    def compose(self) -> ComposeResult:
        yield KeyHelp()

    def show_keys(self, rows: list[KeyHelpRow]) -> None:
        self.query_one(KeyHelp).rows = tuple(rows)


class MainScreen(DeskScreen):
    """Header, the current mode's panel, and the key bar."""

    mode: reactive[str] = reactive(HELP, init=False)
    """The panel on show: a mode name, or `help`."""

    def __init__(self, *, agent: AgentView, clock: Clock, engine: Engine | None = None) -> None:
        super().__init__(id="main")
        self.agent = agent
        self._engine = engine
        self.modes = allowed_modes(agent)
        hidden = {key.id for key in keys.KEYS if key.mode and key.mode not in self.modes}
        keys.install(self, "main", hidden=hidden)
        self._clock = clock
        self._before_help = self.modes[0] if self.modes else HELP

    def compose(self) -> ComposeResult:
        center = (
            self.agent.center_name_fa if current_language() == "fa" else self.agent.center_name_en
        )
        yield DeskHeader(who=self.agent.full_name, where=center, clock=self._clock)
        first = panel_id(self.modes[0]) if self.modes else HELP
        with ContentSwitcher(initial=first, id="modes"):
            engine = self._engine or self.app.engine  # type: ignore[attr-defined]
            for mode in self.modes:
                args = dict(engine=engine, agent=self.agent, clock=self._clock, id=panel_id(mode))
                if mode == "intake":
                    yield IntakePanel(**args)
                else:
                    poll = self.app.settings.poll_seconds  # type: ignore[attr-defined]
                    yield MODE_PANELS[mode](**args, poll_seconds=poll)
            yield HelpPanel(id=HELP)
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_reactive(MainScreen.mode, self.modes[0] if self.modes else HELP)
        if not self.modes:
            self._fill_help()
        tick = self.app.settings.tick_seconds  # type: ignore[attr-defined]
        if tick:
            self.set_interval(tick, self._sla_tick)

    def _sla_tick(self) -> None:
        # Every open console ticks: the tick is idempotent and its writes are guarded, so two
        # consoles ticking at once escalate a late request once; a center with no console open
        # at night runs `abfa-desk sla tick` from cron.
        if not any(w.group == "sla_tick" for w in self.workers):
            self._run_sla_tick()

    @work(thread=True, group="sla_tick", exit_on_error=False)
    def _run_sla_tick(self) -> None:
        with session(self._engine or self.app.engine) as s:  # type: ignore[attr-defined]
            sla_tick(s, now=self._clock(), center_id=self.agent.center_id)

    def watch_mode(self, mode: str) -> None:
        if mode == HELP:
            self._fill_help()
            # Keys of a hidden panel must not fire behind the help (Ctrl+R would register);
            # the help takes the focus, so Up/Down and Page Up/Down scroll it.
            self.set_focus(None)
            self.call_after_refresh(self.query_one(HelpPanel).focus)
        self.query_one("#modes", ContentSwitcher).current = HELP if mode == HELP else panel_id(mode)
        if mode != HELP:
            panel = self.query_one(f"#{panel_id(mode)}")
            focus_first = getattr(panel, "focus_first", None)
            if focus_first is not None:
                self.call_after_refresh(focus_first)

    def _fill_help(self) -> None:
        """The screen's keys, then those of the mode that was open (intake's outcome keys)."""
        bindings = [
            active.binding
            for active in self.active_bindings.values()
            if active.binding.show and active.node in (self, self.app)
        ]
        if self._before_help != HELP:
            panel = self.query_one(f"#{panel_id(self._before_help)}")
            panel = getattr(panel, "current", panel)  # a mode of several views: the one on show
            bindings += [binding for _key, binding in panel._bindings if binding.show]
        rows = [KeyHelpRow(self.app.get_key_display(b), b.description, b.tooltip) for b in bindings]
        self.query_one(HelpPanel).show_keys(rows)

    def action_open_mode(self, mode: str) -> None:
        """F2-F7: open a mode, or say why it cannot be opened."""
        if mode not in self.modes:
            notify_text(self, _("You do not have permission for this."), severity="warning")
            return
        self.mode = mode

    def action_help(self) -> None:
        """F1: show the keys; F1 again goes back to the mode that was open."""
        if self.mode == HELP:
            self.mode = self._before_help
        else:
            self._before_help = self.mode
            self.mode = HELP

    def action_sign_out(self) -> None:
        self.post_message(SignOutRequested())
