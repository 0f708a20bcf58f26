"""Follow-up mode (F3): the queue and the chase board, one at a time, and a request's detail.

The queue (what needs action, most urgent first) and the chase board (late referrals by unit)
are two views of the same work; Ctrl+W switches between them. Either opens a request's detail
screen (`OpenRequest`); when it closes, the view on show is read again, so what the agent just
did is already there.
"""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher

from console.messages import OpenRequest, ShowChaseBoard, ShowQueue
from console.screens.chase import ChasePanel
from console.screens.queue import QueuePanel
from db.accounts import AgentView

__all__ = ["FollowupPanel"]

QUEUE = "followup-queue"
CHASE = "followup-chase"


class FollowupPanel(Vertical):
    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        poll_seconds: float = 2.0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self._poll_seconds = poll_seconds

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial=QUEUE):
            yield QueuePanel(
                engine=self._engine,
                agent=self.agent,
                clock=self._clock,
                poll_seconds=self._poll_seconds,
                id=QUEUE,
            )
            yield ChasePanel(engine=self._engine, agent=self.agent, clock=self._clock, id=CHASE)

    @property
    def current(self) -> QueuePanel | ChasePanel:
        """The view on show; the help panel (F1) lists its keys."""
        switcher = self.query_one(ContentSwitcher)
        view = self.query_one(f"#{switcher.current}")
        assert isinstance(view, QueuePanel | ChasePanel)
        return view

    def focus_first(self) -> None:
        """Called when the mode opens: the view on show reads its requests afresh."""
        self.current.focus_first()

    def _show(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = view
        self.call_after_refresh(self.current.focus_first)

    def on_show_chase_board(self, message: ShowChaseBoard) -> None:
        message.stop()
        self._show(CHASE)

    def on_show_queue(self, message: ShowQueue) -> None:
        message.stop()
        self._show(QUEUE)

    def on_open_request(self, message: OpenRequest) -> None:
        message.stop()
        from console.screens.request import RequestScreen

        screen = RequestScreen(
            engine=self._engine, agent=self.agent, clock=self._clock, ticket_id=message.ticket_id
        )
        self.app.push_screen(screen, lambda _changed: self.focus_first())
