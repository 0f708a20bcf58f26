"""The demo databases the benchmark reads, built once and cached.

A cached database is named by what decides its rows: calls, subscribers, seed and schema
revision (``demo-1000000calls-2000subs-seed1405-rev0003.db`` under
``~/.cache/abfa-desk/bench/``, or ``$ABFA_DESK_BENCH_CACHE``). One of an older revision is
upgraded with ``abfa-desk db upgrade`` and renamed; a missing one is built with ``abfa-desk demo
--no-open``. The demo's own clock (``now``, read back from its ``demo`` center setting) is the
clock of every measurement, so the queue, the clocks and "this hour" mean the same on every run.

Screens that write (sign-in, drafts, the SLA tick) run on a scratch copy, never on the cache.
"""

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench_common import ABFA_DESK, PYTHON, log

SEED = 1405
SUBSCRIBERS = 2000


def cache_dir() -> Path:
    return Path(os.environ.get("ABFA_DESK_BENCH_CACHE", "~/.cache/abfa-desk/bench")).expanduser()


@dataclass(frozen=True)
class Demo:
    calls: int
    path: Path
    now: datetime
    """The demo's clock: the hour it was built for."""
    counts: dict

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    @property
    def label(self) -> str:
        return f"{self.calls:,}"


def _name(calls: int, revision: str) -> str:
    return f"demo-{calls}calls-{SUBSCRIBERS}subs-seed{SEED}-rev{revision}.db"


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so a copy of the file alone is the whole database."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _read(path: Path, calls: int) -> Demo:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (value,) = connection.execute(
            "SELECT value FROM center_settings WHERE key = 'demo'"
        ).fetchone()
        meta = json.loads(value) if isinstance(value, str) else value
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("calls", "tickets", "ticket_events", "subscribers")
        }
    finally:
        connection.close()
    if (meta["calls"], meta["seed"], meta["subscribers"]) != (calls, SEED, SUBSCRIBERS):
        raise RuntimeError(f"{path} holds another demo: {meta}")
    return Demo(calls, path, datetime.fromisoformat(meta["now"]), counts)


def ensure_demo(calls: int) -> Demo:
    """The cached demo of ``calls`` calls at the current schema: reused, upgraded or built."""
    from db.migrate import head_revision

    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    head = head_revision()
    path = folder / _name(calls, head)
    if path.exists():
        return _read(path, calls)
    work = path.with_suffix(".partial")
    for leftover in folder.glob(work.name + "*"):
        leftover.unlink()
    older = sorted(folder.glob(_name(calls, "*")))
    if older:
        log(f"upgrading {older[-1].name} to schema {head}")
        older[-1].rename(work)
        for suffix in ("-wal", "-shm"):
            old = Path(str(older[-1]) + suffix)
            if old.exists():
                old.rename(Path(str(work) + suffix))
        command = [PYTHON, str(ABFA_DESK), "db", "upgrade", "--db", str(work)]
    else:
        log(f"building the demo of {calls:,} calls (a million take about four minutes)")
        command = [
            PYTHON, str(ABFA_DESK), "demo", "--db", str(work), "--no-open",
            "--calls", str(calls), "--subscribers", str(SUBSCRIBERS), "--seed", str(SEED),
        ]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    _checkpoint(work)
    work.rename(path)
    return _read(path, calls)


def scratch_copy(demo: Demo, folder: Path) -> Demo:
    """A copy to run the console on: signing in, drafts and the SLA tick write."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"scratch-{demo.calls}.db"
    if not copy.exists():
        log(f"copying the {demo.label}-call demo to {copy}")
        shutil.copyfile(demo.path, copy)
    return Demo(demo.calls, copy, demo.now, demo.counts)
