"""Incidents & notices mode (F5): incidents, templates, campaigns and the outbox, one at a time.

A supervisor or an information officer works the same mode in four views: what has broken
(incidents), the texts it is told in (templates), who is told (campaigns) and what has gone out
(the outbox). The strip on top names them with the one on show highlighted; Ctrl+W shows the
next (`ModeViews`, as the reports mode does). Each view reads its rows afresh when it comes on
show.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from textual.widget import Widget

from console.i18n import N_
from console.screens.campaigns import CampaignsPanel
from console.screens.incidents import IncidentsPanel
from console.screens.mode_views import ModeViews
from console.screens.outbox import OutboxPanel
from console.screens.templates import TemplatesPanel
from db.accounts import AgentView

__all__ = ["NoticesMode"]


class NoticesMode(ModeViews):
    """The F5 mode: the view strip and the four views in a switcher."""

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        poll_seconds: float = 2.0,
        id: str | None = None,
    ) -> None:
        self._args = {"engine": engine, "agent": agent, "clock": clock}
        self._poll_seconds = poll_seconds
        super().__init__(id=id)

    def views(self) -> Sequence[tuple[str, Widget]]:
        args, poll = self._args, self._poll_seconds
        return [
            (N_("Incidents"), IncidentsPanel(**args, poll_seconds=poll, id="notices-incidents")),
            (N_("Templates"), TemplatesPanel(**args, id="notices-templates")),
            (N_("Campaigns"), CampaignsPanel(**args, poll_seconds=poll, id="notices-campaigns")),
            (N_("Outbox"), OutboxPanel(**args, poll_seconds=poll, id="notices-outbox")),
        ]
