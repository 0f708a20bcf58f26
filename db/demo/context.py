"""What every part of the demo shares: the build's seed and clock, its random streams,
time-stamped ids, and the two small helpers every plan uses.

Determinism rests on two habits. Every random choice is drawn from a `random.Random` stream
named after what it makes (`demo.rng("calls")`) and seeded from the build's seed, so one part
draws the same numbers whatever the others do. And every id is a UUIDv7 whose timestamp is
the row's own time and whose random bits come from such a stream (`uuid7_from`).
"""

import itertools
import math
import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from db.engine import DatabaseError

Progress = Callable[[str, int, int], None]

DAY = 86_400.0
HOUR = 3_600.0
MINUTE = 60.0
# The center was set up this long before `now`; its reference rows carry that time.
SETUP_AGE = 200 * DAY


class DemoError(DatabaseError):
    """The demo cannot be built here (e.g. the database holds a real center's data)."""


@dataclass
class Demo:
    """One build: its seed, its `now`, the sizes asked for, and where progress goes."""

    seed: int
    now: datetime
    subscribers: int
    calls: int
    report: Progress
    now_ts: float = field(init=False)
    setup_ts: int = field(init=False)

    def __post_init__(self) -> None:
        self.now_ts = self.now.timestamp()
        self.setup_ts = math.floor(self.now_ts - SETUP_AGE)

    def rng(self, stream: str) -> random.Random:
        """The random stream of one part of the demo, the same for every build of a seed."""
        return random.Random(f"abfa-demo:{self.seed}:{stream}")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def utc(ts: float) -> datetime:
    """The aware UTC datetime of a Unix timestamp (plans count in plain seconds)."""
    return datetime.fromtimestamp(ts, UTC)


def uuid7_from(rng: random.Random, ts: float) -> uuid.UUID:
    """A valid UUIDv7 whose timestamp is ``ts`` (Unix seconds) and whose random bits are
    drawn from ``rng``: deterministic for a seeded generator, time-ordered like any v7."""
    # Milliseconds of the same microsecond-rounded instant `utc(ts)` stores.
    ms = (utc(ts) - _EPOCH) // _MILLISECOND
    rand = rng.getrandbits(74)
    value = (
        (ms & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76
        | (rand >> 62) << 64
        | 0b10 << 62
        | (rand & 0x3FFF_FFFF_FFFF_FFFF)
    )
    return uuid.UUID(int=value)


class ReferenceIds:
    """Ids of the reference rows (center, districts, units, catalog, agents, forms).

    They are stamped one second apart from the center's setup and drawn from one stream, so
    the order in which the parts ask for them is part of the demo's definition: keep it.
    """

    def __init__(self, demo: Demo) -> None:
        self.rng = demo.rng("reference")
        self._start = demo.setup_ts
        self._tick = itertools.count()

    def __call__(self) -> tuple[uuid.UUID, datetime]:
        """The next id and the time it stands for."""
        ts = self._start + next(self._tick)
        return uuid7_from(self.rng, ts), utc(ts)


def weighted(pairs: Iterable[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    """Values and cumulative weights, ready for ``rng.choices(values, cum_weights=...)``."""
    values, cum, total = [], [], 0.0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum
