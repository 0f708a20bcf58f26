"""Reading a list again by itself, politely: the next read is scheduled when the last has ended.

A panel that mixes this in says which worker group reads it (`poll_group`) and how to start a
read (`read_again`), and calls `schedule_poll()` when a read has been shown. A read that fails
schedules the next too (the screen reports the failure once). Reads never pile up on a slow
link, and a panel that is not on show stays quiet: opening it again reads it afresh.

A poll shows nothing while it runs, and shows only what changed when it ends (see
`MirroredTable.show_rows`). A read the agent asked for by a key (another page, a filter) is
different: the database may take a tenth of a second, and a key that shows nothing for that long
feels dead. So the panel marks its status line with `reading_text` at once, a few bytes, and the
rows follow. The mark is static on purpose: an animated spinner would redraw itself many times a
second down a slow link for as long as the read lasts.
"""

from textual.timer import Timer
from textual.worker import Worker, WorkerState

from console.i18n import _

__all__ = ["Polling", "reading_text"]


def reading_text(text: str) -> str:
    """A status line marked as being read again: `Page 3 · Reading…`."""
    mark = _("Reading…")
    return f"{text} · {mark}" if text else mark


class Polling:
    poll_interval: float = 20.0
    poll_group: str = ""
    _poll_timer: Timer | None = None

    def read_again(self) -> None:
        """Start the panel's read worker with the question on show."""
        raise NotImplementedError

    def read_failed(self) -> None:
        """A read ended in an error (the screen says so): take back a `reading_text` mark."""

    def stop_polling(self) -> None:
        """Before a read asked for now: the scheduled one is not needed any more."""
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None

    def schedule_poll(self) -> None:
        if self._poll_timer is None and self.is_mounted:  # type: ignore[attr-defined]
            self._poll_timer = self.set_timer(self.poll_interval, self._poll)  # type: ignore[attr-defined]

    def _poll(self) -> None:
        self._poll_timer = None
        if self.display and self.is_on_screen:  # type: ignore[attr-defined]
            self.read_again()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == self.poll_group and event.state is WorkerState.ERROR:
            self.read_failed()
            self.schedule_poll()
