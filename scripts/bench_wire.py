"""The wire: bytes the console writes to an 80x24 terminal per key press and per idle second.

``abfa-desk --db DEMO --lang fa`` runs under a real pseudo-terminal (bench_pty.Terminal, a plain
xterm-256color that answers no queries). The agent signs in, then does what bench_keys does,
with keys sent as a terminal sends them: the phone typed at one key every ``TYPING`` seconds,
then one key per action with the output read until ``SETTLE`` seconds of silence. A key's bytes
are everything written from the key to the next key.

The console's fields do not blink their cursor, so its output falls silent after each key and
it is played once, as shipped. The bare app's Input does blink (Textual redraws it every half
second), so a key's bytes could not be told from the blinks that follow: it is played twice,
as shipped (its idle figure) and with the blink turned off (this file run as ``python
scripts/bench_wire.py --no-blink``: Input.cursor_blink set False on mount, nothing else
changed), which gives its repaint.

A full repaint is forced as a terminal window does it: resize to 79 columns and back to 80
(SIGWINCH); the bytes of the redraw at 80x24 are "one repaint". The reference is the intake
screen as the agent leaves it between calls (after the keys); the queue's is reported beside
it. Idle is ``idle`` seconds (60; 10 with --quick) with no key on the intake screen and then on
the follow-up queue (which reads itself again every ``poll_seconds`` x 10 on SQLite); the
header's clock changes once a minute, so a window of a minute holds exactly one such update. At
64 kbit/s, 8,000 bytes take a second.
"""

import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from bench_common import ABFA_DESK, PYTHON, Figure, fmt, log, median, percentile
from bench_pty import Terminal
from bench_start import HELLO, terminal_env

TYPING = 0.15
SETTLE = 1.0
IDLE = 60.0
LINK_BYTES_PER_SECOND = 64_000 / 8

KEYS = {
    "enter": b"\r",
    "escape": b"\x1b",
    "tab": b"\t",
    "f2": b"\x1bOQ",
    "f3": b"\x1bOR",
    "ctrl+p": b"\x10",
    "ctrl+b": b"\x02",
}
ACTIONS = (
    ("open the caller card (Enter)", "enter"),
    ("switch mode (F3 follow-up)", "f3"),
    ("next queue page (Ctrl+P)", "ctrl+p"),
    ("first queue page (Ctrl+B)", "ctrl+b"),
    ("open a request (Enter)", "enter"),
    ("back to the queue (Esc)", "escape"),
    ("switch mode (F2 intake)", "f2"),
)
TYPED = "type a phone number (per key)"


def _forget_drafts(path: Path) -> None:
    """A half-typed call left by the key benchmark would be offered at sign-in."""
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM call_drafts")
    connection.close()


def _press(term: Terminal, key: bytes, settle: float) -> int:
    began = term.send(key)
    term.read_quiet(settle)
    return len(term.output(since=began))


def _repaint(term: Terminal) -> int:
    """Bytes of a full redraw at 80x24, forced by a resize away and back."""
    term.resize(79, 24)
    term.read_quiet(SETTLE)
    began = term.send(b"")
    term.resize(80, 24)
    term.read_quiet(SETTLE)
    return len(term.output(since=began))


def _program(demo: Any | None, blink: bool) -> list[str]:
    if demo is None:
        return [str(HELLO)] if blink else [__file__, "--no-blink"]
    return [str(ABFA_DESK), "--db", demo.url, "--lang", "fa"]


def session(
    demo: Any | None,
    phone: str,
    rounds: int,
    env: dict[str, str],
    *,
    blink: bool,
    idle: float = IDLE,
) -> dict[str, Any]:
    """One run of the console on ``demo`` (the bare app when None). With ``blink`` (the bare
    app as shipped) the output never falls silent while its field has the focus, so it is read
    for fixed times and only the idle figures are kept."""

    def wait(seconds: float) -> None:
        if blink:
            term.read_for(seconds)
        else:
            term.read_quiet(SETTLE)

    if demo is not None:
        _forget_drafts(demo.path)
    term = Terminal([PYTHON, *_program(demo, blink)], env)
    per_key: dict[str, list[int]] = {}
    result: dict[str, Any] = {}
    try:
        term.read_until(lambda out: len(out) > 1000, timeout=120)
        wait(3.0)
        result["first_frame_bytes"] = len(term.output())
        if demo is not None:
            term.send(b"rural")
            for key in (b"\t", b"demo-rural", b"\r"):
                term.read_for(TYPING)
                term.send(key)
            wait(5.0)
        if not blink:
            result["repaint_after_sign_in_bytes"] = _repaint(term)
        for _round in range(rounds if demo is not None else 0):
            for digit in phone:
                per_key.setdefault(TYPED, []).append(_press(term, digit.encode(), TYPING))
            for action, key in ACTIONS:
                per_key.setdefault(action, []).append(_press(term, KEYS[key], SETTLE))
            for _ in range(len(phone) + 2):  # back to an empty caller field
                _press(term, b"\x7f", 0.03)
            term.read_quiet(SETTLE)
        result["per_key_bytes"] = per_key
        if not blink:
            # The reference: the intake screen as the agent leaves it between calls.
            result["repaint_bytes"] = _repaint(term)
            if demo is not None:
                _press(term, KEYS["f3"], SETTLE)
                result["repaint_queue_bytes"] = _repaint(term)
                _press(term, KEYS["f2"], SETTLE)
        idle_began = term.send(b"")
        term.read_for(idle)
        result["idle_intake_bytes_per_s"] = len(term.output(since=idle_began)) / idle
        if demo is not None:
            term.send(KEYS["f3"])
            wait(3.0)
            idle_began = term.send(b"")
            term.read_for(idle)
            result["idle_queue_bytes_per_s"] = len(term.output(since=idle_began)) / idle
    finally:
        term.close()
    return result


def _at_64k(n: float) -> str:
    return f"{n / LINK_BYTES_PER_SECOND * 1000:,.0f} ms at 64 kbit/s"


def measure(demos: list[Any], rounds: int, idle: float = IDLE) -> tuple[list[Figure], dict]:
    """The bare app (as shipped for idle, without its blink for the repaint), then the console
    on each demo: keys, the repaints and idle on the intake screen and the queue."""
    from bench_queries import screen_inputs
    from sqlmodel import Session

    from db.engine import make_engine

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="abfa-bench-home-") as home:
        env = terminal_env(Path(home))
        results["bare"] = {
            "as_shipped": session(None, "", 0, env, blink=True, idle=10.0),
            "no_blink": session(None, "", 0, env, blink=False, idle=10.0),
        }
        for demo in demos:
            engine = make_engine(demo.url)
            with Session(engine) as s:
                phone = screen_inputs(s, demo.now).phone
            engine.dispose()
            results[demo.label] = session(demo, phone, rounds, env, blink=False, idle=idle)
            log(f"wire: {demo.label} done")
    bare = results["bare"]["no_blink"]
    figures = [
        Figure(
            "wire",
            "bare app: one full repaint, 80x24",
            f"{bare['repaint_bytes']:,} B = {_at_64k(bare['repaint_bytes'])}; idle "
            f"{fmt(results['bare']['as_shipped']['idle_intake_bytes_per_s'], 0)} B/s "
            "(its Input blinks too)",
            "",
            None,
            results["bare"],
        )
    ]
    for demo in demos:
        figures += _figures(demo.label, results[demo.label])
    return figures, {"wire": results}


def _figures(label: str, still: dict) -> list[Figure]:
    repaint = still["repaint_bytes"]
    every = [n for ns in still["per_key_bytes"].values() for n in ns]
    typical = median(every)
    share = typical / repaint if repaint else float("nan")
    figures = [
        Figure(
            "wire",
            f"one full repaint, 80x24 ({label})",
            f"intake {repaint:,} B = {_at_64k(repaint)}; follow-up queue "
            f"{still.get('repaint_queue_bytes', 0):,} B; the sign-in screen's first frame "
            f"{still['first_frame_bytes']:,} B",
            "",
            None,
            {
                "repaint_bytes": repaint,
                "repaint_queue_bytes": still.get("repaint_queue_bytes"),
                "repaint_after_sign_in_bytes": still.get("repaint_after_sign_in_bytes"),
                "first_frame_bytes": still["first_frame_bytes"],
            },
        ),
        Figure(
            "wire",
            f"typical key press ({label})",
            f"median {fmt(typical, 0)} B = {share:.1%} of a repaint = {_at_64k(typical)}; "
            f"p95 {fmt(percentile(every, 0.95), 0)} B",
            "< 5% of a repaint",
            share < 0.05,
            {"median_bytes": typical, "share_of_repaint": share, "n": len(every)},
        ),
    ]
    changing = [n for a, ns in still["per_key_bytes"].items() if a != TYPED for n in ns]
    if changing:
        m = median(changing)
        figures.append(
            Figure(
                "wire",
                f"key that changes the screen ({label})",
                f"median {fmt(m, 0)} B = {m / repaint:.1%} of a repaint = {_at_64k(m)}",
                "< 5% of a repaint",
                m / repaint < 0.05,
                {"median_bytes": m, "share_of_repaint": m / repaint, "n": len(changing)},
            )
        )
    for action, ns in still["per_key_bytes"].items():
        m = median(ns)
        figures.append(
            Figure(
                "wire",
                f"- {action}",
                f"median {fmt(m, 0)} B = {m / repaint:.1%} = {_at_64k(m)}",
                "",
                None,
                {"median_bytes": m, "samples": ns},
            )
        )
    intake, queue = still["idle_intake_bytes_per_s"], still["idle_queue_bytes_per_s"]
    worst = max(intake, queue)
    figures.append(
        Figure(
            "wire",
            f"idle, per second ({label})",
            f"intake {fmt(intake, 0)} B/s, follow-up queue {fmt(queue, 0)} B/s "
            f"= {worst / LINK_BYTES_PER_SECOND:.1%} of a 64 kbit/s link",
            "~0 B/s",
            worst < 10,
            {"intake_bytes_per_s": intake, "queue_bytes_per_s": queue},
        )
    )
    return figures


def _no_blink_hello() -> None:
    """The bare app with one change: no blinking cursor."""
    from bench_hello import HelloApp
    from textual.widgets import Input

    mounted = Input._on_mount

    def _on_mount(self: Input, event: Any) -> None:
        mounted(self, event)
        self.cursor_blink = False

    Input._on_mount = _on_mount  # type: ignore[method-assign]
    HelloApp().run()


if __name__ == "__main__":
    _no_blink_hello()
