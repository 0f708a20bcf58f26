"""Reports mode (F6): the wallboard first (what a supervisor watches all day), then the figures."""

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from textual.widget import Widget

from console.i18n import N_
from console.screens.mode_views import ModeViews
from console.screens.reports import ReportsPanel
from console.screens.wallboard import WallboardPanel
from db.accounts import AgentView

__all__ = ["ReportsMode"]


class ReportsMode(ModeViews):
    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        poll_seconds: float = 2.0,
        id: str | None = None,
    ) -> None:
        self._args = {
            "engine": engine,
            "agent": agent,
            "clock": clock,
            "poll_seconds": poll_seconds,
        }
        super().__init__(id=id)

    def views(self) -> Sequence[tuple[str, Widget]]:
        return [
            (N_("Wallboard"), WallboardPanel(**self._args, id="reports-wallboard")),
            (N_("Figures"), ReportsPanel(**self._args, id="reports-figures")),
        ]
