"""A program under a real pseudo-terminal, as a person at an 80x24 xterm would run it.

Every byte the program writes is kept with the moment it was read, so a part of the benchmark
can ask "when did the first frame end", "how many bytes did this key cost" or "how many bytes
came in ten idle seconds". Nothing answers the program's queries to the terminal (as a plain
xterm would not answer Textual's), so no synchronised-output markers frame the updates: an
update is a burst of bytes followed by ``quiet`` seconds of silence.
"""

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Chunk:
    at: float
    data: bytes


@dataclass
class Terminal:
    argv: list[str]
    env: dict[str, str]
    size: tuple[int, int] = (80, 24)
    chunks: list[Chunk] = field(default_factory=list)
    started: float = 0.0
    max_rss_kb: int = 0

    def __post_init__(self) -> None:
        master, slave = os.openpty()
        self._resize(slave, *self.size)
        self.master = master
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            start_new_session=True,
            preexec_fn=_controlling_tty,
            close_fds=True,
        )
        os.close(slave)

    @staticmethod
    def _resize(fd: int, columns: int, rows: int) -> None:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def resize(self, columns: int, rows: int) -> None:
        """As a terminal window does: new size, then SIGWINCH to the program."""
        self._resize(self.master, columns, rows)
        self.size = (columns, rows)
        os.killpg(self.process.pid, signal.SIGWINCH)

    def send(self, data: bytes) -> float:
        os.write(self.master, data)
        return time.perf_counter()

    def pump(self, timeout: float) -> bool:
        """Read what is there within ``timeout`` seconds; False when nothing came."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the program ended: the terminal is gone
            return False
        if not data:
            return False
        self.chunks.append(Chunk(time.perf_counter(), data))
        return True

    def read_until(
        self, done: Callable[[bytes], bool], timeout: float = 60.0, since: float = 0.0
    ) -> float:
        """Read until ``done(bytes read since since)``; the moment it became true."""
        deadline = time.perf_counter() + timeout
        while True:
            if done(self.output(since)):
                return self.chunks[-1].at
            left = deadline - time.perf_counter()
            if left <= 0 or (self.process.poll() is not None and not self.pump(0.05)):
                tail = self.output(since)[-300:]
                raise TimeoutError(f"{self.argv[1:3]}: not seen in {timeout} s; last: {tail!r}")
            self.pump(min(left, 0.05))

    def read_quiet(self, quiet: float, timeout: float = 30.0) -> float:
        """Read until ``quiet`` seconds pass with no byte; the moment of the last byte read."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self.pump(quiet):
                break
        return self.chunks[-1].at if self.chunks else self.started

    def read_for(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            self.pump(left)

    def output(self, since: float = 0.0, until: float = float("inf")) -> bytes:
        return b"".join(c.data for c in self.chunks if since <= c.at <= until)

    def close(self, quit_keys: bytes = b"\x11", timeout: float = 10.0) -> None:
        """Quit as a person would (Ctrl+Q), then reap the program and keep its peak memory."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.send(quit_keys)
            deadline = time.perf_counter() + timeout
            while time.perf_counter() < deadline:
                pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
                if pid:
                    self.max_rss_kb = usage.ru_maxrss
                    self.process.returncode = os.waitstatus_to_exitcode(status)
                    break
                self.pump(0.05)
            else:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        os.close(self.master)


def _controlling_tty() -> None:
    """Make the pty the child's controlling terminal (a new session has none)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
