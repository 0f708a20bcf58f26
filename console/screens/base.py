"""What every console screen shares: mirroring in Persian, and unknown worker failures reported."""

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from console.widgets.bidi import layout_rtl

__all__ = ["DeskScreen"]


class DeskScreen(Screen):
    """A screen that mirrors in a right-to-left language and hands worker crashes to the app.

    The class `-rtl` is set in Persian so `app.tcss` can mirror the layout. A worker that ends in
    an exception it did not turn into a message is an unknown failure: the app logs its traceback
    and tells the agent once (`DeskApp.report_error`).
    """

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id, classes="-rtl" if layout_rtl() else None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            report = getattr(self.app, "report_error", None)
            if report is not None:
                report(event.worker.error)
