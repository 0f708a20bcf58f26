"""What every part of scripts/bench.py shares: statistics, a figure with its goal, the table.

A figure is one line of the table: what was measured, the numbers behind it, the goal beside
it and whether it was met (None: no goal, only information). Times are in milliseconds.
"""

import json
import math
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ABFA_DESK = ROOT / ".venv" / "bin" / "abfa-desk"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_ENV = "ABFA_DESK_TEST_PG_URL"

SMALL = 10_000
BIG = 1_000_000


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95): a value that was measured."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else math.nan


def ms(seconds: float) -> float:
    return seconds * 1000.0


def fmt(value: float, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 100 and digits > 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


@dataclass
class Figure:
    """One line of the table."""

    section: str
    measure: str
    figure: str
    """The numbers, as shown."""
    goal: str = ""
    met: bool | None = None
    values: dict = field(default_factory=dict)
    """The numbers, for the JSON file."""

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.met]


def table(figures: Iterable[Figure]) -> str:
    """The figures as one Markdown table (the same text goes to docs/performance.md)."""
    rows = [("part", "measure", "figure", "goal", "")]
    rows += [(f.section, f.measure, f.figure, f.goal, f.verdict) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"

    out = [line(rows[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in rows[1:]]
    return "\n".join(out)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _run(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    """The machine the figures were taken on: CPU, cores, memory, versions."""
    lscpu = _run(["lscpu"])
    cpu = re.search(r"Model name:\s*(.+)", lscpu)
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            kb = int(re.search(r"MemTotal:\s*(\d+)", f.read()).group(1))  # type: ignore[union-attr]
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError, ValueError):
        pass
    import sqlalchemy
    import textual

    return {
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version(),
        "textual": textual.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "disk_free": f"{shutil.disk_usage(Path.home()).free / 2**30:.0f} GiB",
    }


def pg_url() -> str:
    return os.environ.get(PG_ENV) or DEFAULT_PG_URL


def pg_version() -> str:
    try:
        import sqlalchemy as sa

        from db.engine import normalize_url

        engine = sa.create_engine(normalize_url(pg_url()), poolclass=sa.NullPool)
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()
        return str(version)
    except Exception as exc:
        return f"unreachable ({type(exc).__name__})"


@contextmanager
def scratch_pg_database(prefix: str = "abfa_bench") -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards: its URL."""
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from db.engine import normalize_url

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    base = normalize_url(pg_url())
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def figures_json(figures: Iterable[Figure]) -> list[dict]:
    return [asdict(f) | {"verdict": f.verdict} for f in figures]
