"""What a report returns: a :class:`Figure`, a small table of frozen rows, and its columns.

Each figure has its own row dataclass (``ChannelCalls``, ``UnitSla``...), so code and tests read
``row.calls``; the CLI and the reports screen read any figure the same way through
:attr:`Figure.columns` and :meth:`Figure.values`. Every row field names its :class:`Kind` in the
field's metadata, which is all a renderer needs: how to write the value (a count, a share, a
time) and whether it is personal data that may have to be masked.

Column keys are the row's field names: stable English keys for csv, json and xlsx. A group is
named by its code and its name in both languages (``unit_code``, ``unit_name_fa``,
``unit_name_en``): a screen shows the name in its language, an export keeps all three.
"""

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from db.reports.period import Period

__all__ = [
    "CODE",
    "COUNT",
    "HOUR",
    "PERSON",
    "PHONE",
    "SECONDS",
    "SHARE",
    "TEXT",
    "TIME",
    "Column",
    "Figure",
    "Kind",
    "Scope",
    "group_key",
]


class Kind(StrEnum):
    """How a column's values are written."""

    CODE = "code"  # a stable code: a channel, a category code, an incident kind
    TEXT = "text"  # a name; ``*_fa`` / ``*_en`` columns are one language each
    COUNT = "count"
    SHARE = "share"  # a ratio 0..1, None when there was nothing to divide
    SECONDS = "seconds"
    HOUR = "hour"  # hour of day 0-23, Tehran time
    TIME = "time"  # an aware UTC datetime
    PHONE = "phone"  # personal data
    PERSON = "person"  # personal data: a person's name or username


PERSONAL_KINDS = frozenset({Kind.PHONE, Kind.PERSON})


# Field metadata naming a row field's kind: ``calls: int = field(metadata=COUNT)``.
CODE, TEXT, COUNT, SHARE, SECONDS, HOUR, TIME, PHONE, PERSON = (
    MappingProxyType({"kind": k}) for k in Kind
)


@dataclass(frozen=True)
class Column:
    key: str
    kind: Kind

    @property
    def personal(self) -> bool:
        return self.kind in PERSONAL_KINDS


@dataclass(frozen=True)
class Scope:
    """What a figure is computed over; made by :func:`db.reports.scope.open_scope`, which checks
    the actor may read reports and decides ``reveal_personal``.

    ``as_of`` is "now" for figures about the present (overdue) and for clocks still running
    (an unanswered request is late only once its due instant has passed ``as_of``).
    """

    center_id: uuid.UUID
    center_code: str
    period: Period
    as_of: datetime
    unit_id: uuid.UUID | None = None
    unit_code: str | None = None
    actor_id: uuid.UUID | None = None
    reveal_personal: bool = False


R = TypeVar("R")


@dataclass(frozen=True)
class Figure(Generic[R]):
    """One computed figure: its rows, an optional total row (key fields None), and a summary
    of single numbers (``("calls_per_incident", 12.5)``) for figures that have one.

    ``masked`` says personal columns were masked because the actor may not see them.
    """

    name: str
    row_type: type
    scope: Scope
    rows: tuple[R, ...]
    total: R | None = None
    summary: tuple[tuple[str, float | int | None], ...] = ()
    masked: bool = False

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(Column(f.name, f.metadata["kind"]) for f in fields(self.row_type))

    @property
    def personal(self) -> bool:
        """Whether the figure has phone numbers or names: its output is audited."""
        return any(c.personal for c in self.columns)

    def values(self, row: R) -> tuple[Any, ...]:
        return tuple(getattr(row, c.key) for c in self.columns)


def group_key(row: Any) -> str:
    """A row's first field (its group's code) for sorting, rows of no group ("no unit") last
    among equals."""
    return getattr(row, fields(row)[0].name) or "\uffff"
