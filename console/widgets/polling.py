"""Reading a list again by itself, politely: the next read is scheduled when the last has ended.

A panel that mixes this in says which worker group reads it (`poll_group`) and how to start a
read (`read_again`), and calls `schedule_poll()` when a read has been shown. A read that fails
schedules the next too (the screen reports the failure once). Reads never pile up on a slow
link, and a panel that is not on show stays quiet: opening it again reads it afresh.
"""

from textual.timer import Timer
from textual.worker import Worker, WorkerState

__all__ = ["Polling"]


class Polling:
    poll_interval: float = 20.0
    poll_group: str = ""
    _poll_timer: Timer | None = None

    def read_again(self) -> None:
        """Start the panel's read worker with the question on show."""
        raise NotImplementedError

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
            self.schedule_poll()
