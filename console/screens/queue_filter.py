"""The queue's filter dialog (Ctrl+L): unit, category, district, status and escalation level.

Five drop-down lists, each "all" by default; Ctrl+L again applies them, Ctrl+X clears them all,
Escape leaves the filters as they were. The choices are read once when the dialog opens.
"""

import uuid
from dataclasses import dataclass, fields
from typing import Any

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Select

from console import keys
from console.i18n import N_, _, lang_digits
from console.i18n.intake_words import local_name
from console.i18n.queue_words import short_status
from console.i18n.rtl import display
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.keybar import KeyBar
from db.followup import QUEUE_STATUSES
from db.followup.choices import Choice, QueueChoices

__all__ = ["FilterDialog", "QueueFilters", "filters_text"]

LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class QueueFilters:
    """The filters of the queue beyond "mine" and "overdue"; None means all."""

    unit_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    district_id: uuid.UUID | None = None
    status: str | None = None
    escalation: int | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


#: The dialog's rows: field, label msgid.
ROWS: tuple[tuple[str, str], ...] = (
    ("unit_id", N_("Unit")),
    ("category_id", N_("Category")),
    ("district_id", N_("District")),
    ("status", N_("Status")),
    ("escalation", N_("Escalation")),
)


def _choice_name(choice: Choice) -> str:
    name = local_name(choice.name_fa, choice.name_en)
    return name if choice.active else _("{name} (inactive)").format(name=name)


def level_name(level: int) -> str:
    return _("Level {n}").format(n=lang_digits(str(level)))


def options(field: str, choices: QueueChoices) -> list[tuple[str, Any]]:
    """(label in display order, value) for one row's list."""
    pairs: list[tuple[str, Any]]
    if field == "unit_id":
        pairs = [(_choice_name(c), c.id) for c in choices.units]
    elif field == "category_id":
        pairs = [(_choice_name(c), c.id) for c in choices.categories]
    elif field == "district_id":
        pairs = [(_choice_name(c), c.id) for c in choices.districts]
    elif field == "status":
        pairs = [(short_status(s), s) for s in QUEUE_STATUSES]
    else:
        pairs = [(level_name(n), n) for n in LEVELS]
    return [(display(label), value) for label, value in pairs]


def filters_text(filters: QueueFilters, choices: QueueChoices | None) -> list[str]:
    """The active filters as short words for the queue's filter line."""
    names: dict[Any, str] = {}
    if choices is not None:
        for group in (choices.units, choices.categories, choices.districts):
            names.update({c.id: local_name(c.name_fa, c.name_en) for c in group})
    parts = []
    for field in ("unit_id", "category_id", "district_id"):
        value = getattr(filters, field)
        if value is not None:
            parts.append(names.get(value, "?"))
    if filters.status is not None:
        parts.append(short_status(filters.status))
    if filters.escalation is not None:
        parts.append(level_name(filters.escalation))
    return parts


class FilterDialog(ModalScreen[QueueFilters | None]):
    """Choose the queue's filters; dismisses with the new filters, or None when cancelled."""

    DEFAULT_CSS = """
    FilterDialog {
        align: center middle;
        #filter-box {
            width: 60;
            height: auto;
            border: round $accent;
            padding: 0 1;
            background: $surface;
        }
        Grid {
            grid-size: 2;
            grid-columns: 14 1fr;
            grid-rows: 1;
            grid-gutter: 1 1;
            height: auto;
            margin: 1 0;
        }
        &.-rtl Grid {
            grid-columns: 1fr 14;
        }
        &:ansi #filter-box {
            border: solid $accent;
        }
    }
    """

    def __init__(self, current: QueueFilters, choices: QueueChoices) -> None:
        super().__init__(classes="-rtl" if layout_rtl() else None)
        keys.install(self, "filter")
        self.current = current
        self.choices = choices

    def compose(self) -> ComposeResult:
        rtl = layout_rtl()
        with Vertical(id="filter-box") as box:
            box.border_title = display(_("Filter the queue"))
            with Grid():
                for field, msgid in ROWS:
                    label = BidiText(_(msgid))
                    select: Select[Any] = Select(
                        options(field, self.choices),
                        prompt=display(_("All")),
                        value=getattr(self.current, field) or Select.NULL,
                        id=f"filter-{field}",
                        compact=True,
                    )
                    # The label sits on the reading side: right in Persian.
                    if rtl:
                        yield select
                        yield label
                    else:
                        yield label
                        yield select
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Select).focus()

    def chosen(self) -> QueueFilters:
        values = {}
        for field, _msgid in ROWS:
            value = self.query_one(f"#filter-{field}", Select).value
            values[field] = None if value is Select.NULL else value
        return QueueFilters(**values)

    def action_apply(self) -> None:
        self.dismiss(self.chosen())

    def action_clear(self) -> None:
        for select in self.query(Select):
            select.clear()

    def action_cancel(self) -> None:
        self.dismiss(None)
