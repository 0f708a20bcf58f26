"""Start-up: the console's first frame, imports and peak memory against a bare Textual app.

Both programs start the same way: the same Python, under a pseudo-terminal of 80x24 with
TERM=xterm-256color, from a fresh process. The console is ``abfa-desk --db DEMO --lang en``
(English, so the sign-in form's "Username" can be found in the byte stream), the bare app is
scripts/bench_hello.py.

- **first frame**: from the fork to the end of the burst of bytes that holds the sign-in form's
  "Username" (the bare app's "Hello, world"): the first frame a person can read.
- **imports**: the sum of the top-level cumulative times ``-X importtime`` prints in a separate
  run of each, everything imported up to the first frame and the quit.
- **peak memory**: the process's maximum resident set (``wait4``) when it quits right after its
  first frame.
"""

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from bench_common import ABFA_DESK, PYTHON, ROOT, Figure, fmt, log, median, ratio
from bench_pty import Terminal

HELLO = ROOT / "scripts" / "bench_hello.py"
GAP = 0.03
"""Seconds of silence that end a burst of output (a frame)."""
IMPORT_LINE = re.compile(rb"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


def terminal_env(home: Path) -> dict[str, str]:
    """A plain xterm, and no settings file or stray ABFA_DESK_* of whoever runs this."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ABFA_DESK_", "TEXTUAL"))}
    env.pop("COLORTERM", None)
    env.update(
        TERM="xterm-256color",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        ABFA_DESK_SETTINGS=str(home / "settings.toml"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
    )
    return env


def programs(demos: list[Any]) -> list[tuple[str, list[str], bytes]]:
    """(name, argv without the interpreter, marker of the first frame)."""
    out = [("bare", [str(HELLO)], b"Hello, world")]
    out += [(d.label, [str(ABFA_DESK), "--db", d.url, "--lang", "en"], b"Username") for d in demos]
    return out


def burst_end(term: Terminal, after: float) -> float:
    """When the burst of output that was going on at ``after`` ended."""
    end = after
    for chunk in term.chunks:
        if chunk.at < after:
            continue
        if chunk.at - end > GAP:
            break
        end = chunk.at
    return end


def start_once(argv: list[str], marker: bytes, env: dict[str, str]) -> tuple[float, int]:
    """Seconds to the first frame, and peak memory in KiB."""
    term = Terminal([PYTHON, *argv], env)
    try:
        seen = term.read_until(lambda out: marker in out, timeout=120)
        term.read_quiet(0.3)
        frame = burst_end(term, seen) - term.started
    finally:
        term.close()
    return frame, term.max_rss_kb


def import_seconds(argv: list[str], marker: bytes, env: dict[str, str]) -> float:
    """Everything the program imported up to its first frame and the quit (``-X importtime``)."""
    term = Terminal([PYTHON, "-X", "importtime", *argv], env)
    try:
        term.read_until(lambda out: marker in out, timeout=120)
        term.read_quiet(0.3)
    finally:
        term.close()
    total = 0
    for _self, cumulative, indent, _name in IMPORT_LINE.findall(term.output()):
        if not indent:  # a top-level import: its cumulative time holds its children's
            total += int(cumulative)
    return total / 1e6


def measure(demos: list[Any], repeats: int) -> tuple[list[Figure], dict]:
    frames: dict[str, list[float]] = {}
    memory: dict[str, list[float]] = {}
    imports: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="abfa-bench-home-") as home:
        env = terminal_env(Path(home))
        progs = programs(demos)
        for r in range(repeats + 1):  # run 0 warms the file cache and is not counted
            for name, argv, marker in progs if r % 2 == 0 else list(reversed(progs)):
                frame, rss = start_once(argv, marker, env)
                seconds = import_seconds(argv, marker, env)
                if r:
                    frames.setdefault(name, []).append(frame)
                    memory.setdefault(name, []).append(rss / 1024)
                    imports.setdefault(name, []).append(seconds)
            log(f"start: round {r}/{repeats} done")
    figures = []
    for what, data, unit, scale in (
        ("time to the first frame", frames, "ms", 1000),
        ("import time (-X importtime)", imports, "ms", 1000),
        ("peak memory (max RSS)", memory, "MiB", 1),
    ):
        bare = median(data["bare"]) * scale
        values: dict[str, Any] = {"bare": bare, "unit": unit}
        parts = [f"bare {fmt(bare)} {unit}"]
        ok = True
        for d in demos:
            mine = median(data[d.label]) * scale
            r = ratio(mine, bare)
            values[d.label] = {"value": mine, "ratio": r, "samples": data[d.label]}
            parts.append(f"{d.label}: {fmt(mine)} {unit} = {fmt(r, 2)}x")
            ok = ok and r <= 1.5
        figures.append(Figure("start", what, "; ".join(parts), "<= 1.5x bare", ok, values))
    return figures, {"first_frame_s": frames, "imports_s": imports, "max_rss_mib": memory}
