"""The few SQL expressions SQLite and PostgreSQL write differently, one function each.

Reports group and compare in the database (one aggregate statement per figure), so time
arithmetic must happen in SQL:

- :func:`tehran_hour`: the hour of day in Tehran. PostgreSQL converts with the real zone
  (``timezone('Asia/Tehran', t)``). SQLite has no zone database, so it adds a fixed +03:30:
  Iran dropped daylight-saving time in 2022, so the fixed offset is right for every time after
  21 September 2022 (the last switch back); an hour of a report on older data would differ by
  one on SQLite during the former summer months only.
- :func:`seconds_between`: ``b - a`` in seconds, as a float.
- :func:`plus_days`: a stored time moved on by whole days. SQLite keeps times as text
  (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), so the result is built in that same form, keeping the
  microseconds, and compares exactly with stored times.
- :func:`share`: a ratio that is None when there is nothing to divide.
"""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

__all__ = [
    "count_if",
    "dialect",
    "plus_days",
    "seconds_between",
    "share",
    "tehran_hour",
    "with_names",
]

#: Tehran's offset from UTC since 2022 (no daylight-saving time): 3 h 30 min.
TEHRAN_OFFSET_MINUTES = 210


def dialect(session: Session) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return session.get_bind().dialect.name


def tehran_hour(column: Any, engine: str) -> Any:
    """The hour of day (0-23) of a stored UTC time, in Tehran."""
    if engine == "postgresql":
        return sa.cast(sa.extract("hour", sa.func.timezone("Asia/Tehran", column)), sa.Integer)
    return sa.cast(sa.func.strftime("%H", column, f"+{TEHRAN_OFFSET_MINUTES} minutes"), sa.Integer)


def seconds_between(a: Any, b: Any, engine: str) -> Any:
    """``b - a`` in seconds (a float)."""
    if engine == "postgresql":
        return sa.cast(sa.extract("epoch", b - a), sa.Float)
    return (sa.func.julianday(b) - sa.func.julianday(a)) * 86400.0


def plus_days(column: Any, days: int, engine: str) -> Any:
    """A stored time plus ``days`` whole days, comparable with other stored times."""
    if engine == "postgresql":
        return column + sa.literal(timedelta(days=days), sa.Interval)
    return sa.func.strftime("%Y-%m-%d %H:%M:%S", column, f"+{days} days").concat(
        sa.func.substr(column, 20)
    )


def count_if(condition: Any) -> Any:
    """How many rows of the group meet ``condition`` (0, not NULL, for an empty group)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when ``whole`` is 0: "no calls" is not "0 %"."""
    return part / whole if whole else None


def with_names(inner: Any, names: sa.Table) -> sa.Select:
    """``inner`` (grouped by a ``key`` id column) with the code and both names of each key,
    NULL for a NULL key: the names join the few grouped rows, not every counted row."""
    return sa.select(
        names.c.code, names.c.name_fa, names.c.name_en, *[c for c in inner.c if c.key != "key"]
    ).select_from(inner.outerjoin(names, names.c.id == inner.c.key))
