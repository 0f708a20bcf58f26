"""What the intake panel's thread workers post back: plain data, handled on the UI thread.

Defined outside `IntakePanel` so every part of the panel can post them, each message names the
`intake_panel` namespace: its handler is `on_intake_panel_<name>` (e.g. `on_intake_panel_saved`),
as for a message nested in the panel.
"""

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from db.intake import (
    CallerCard,
    CannedAnswerView,
    CategoryView,
    DistrictView,
    DraftView,
    IntakeError,
    RepeatView,
    RequestStatusView,
)


@dataclass
class LookedUp(Message, namespace="intake_panel"):
    """`lookup_caller` (and `find_request` for a tracking code) answered for `query`."""

    query: str
    card: CallerCard | None
    status: RequestStatusView | None
    error: IntakeError | None
    focus: bool
    hint: IntakeError | None = None
    """Nothing found for twelve digits: why they are not a tracking code (a misheard digit)."""


@dataclass
class CategoriesFound(Message, namespace="intake_panel"):
    """Matches for the typed text, or the agent's recent categories for an empty field."""

    text: str
    categories: list[CategoryView]
    recent: bool


@dataclass
class CategoryLoaded(Message, namespace="intake_panel"):
    """The category a resumed draft names."""

    category: CategoryView


@dataclass
class DistrictsLoaded(Message, namespace="intake_panel"):
    """The center's districts, filtered in memory as the agent types."""

    districts: list[DistrictView]


@dataclass
class RepeatChecked(Message, namespace="intake_panel"):
    """`find_repeat` for (phone, subscriber, category) = `key`."""

    key: tuple[Any, ...]
    repeat: RepeatView | None


@dataclass
class AnswersFound(Message, namespace="intake_panel"):
    """Canned answers for the search text."""

    text: str
    answers: list[CannedAnswerView]


@dataclass
class DraftLoaded(Message, namespace="intake_panel"):
    """The agent's saved half-typed call after sign-in, if any."""

    draft: DraftView | None


@dataclass
class LineLoaded(Message, namespace="intake_panel"):
    """The line of the agent's last call: the default for the next one."""

    channel: str | None


@dataclass
class Saved(Message, namespace="intake_panel"):
    """An outcome was committed; the form starts the next call."""

    outcome: str
    result: Any


@dataclass
class Refused(Message, namespace="intake_panel"):
    """An outcome was refused (`IntakeError` or a permission): nothing typed is lost."""

    field: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
