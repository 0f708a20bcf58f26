"""The key bar: the keys of the current screen, like Textual's `Footer`, but fit for a desk.

Textual's `Footer` is one row, left to right, and clips what does not fit. An agent holding every
role (a rural center with one person) has nine keys, which need more than 80 columns; in Persian
the keys must also read from the right. So this bar wraps onto a second row when needed and, in a
right-to-left layout, puts the first key on the right with its key before (right of) its words.
"""

from collections.abc import Iterator
from typing import NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

from console.i18n.rtl import display
from console.widgets.bidi import layout_rtl

__all__ = ["KeyBar", "KeyItem"]

GAPS = ("   ", "  ", " ")
"""Space between keys: three when the keys fit in `MAX_ROWS` so, less when they would not."""
MAX_ROWS = 3
"""Rows the bar aims for. One more is taken only when even single spaces would leave a key
out (an agent holding every role, in Persian, in follow-up: 17 keys): a key cut off is worse
than a panel one line shorter."""


class KeyItem(NamedTuple):
    """One key as the bar shows it: the key (`F2`) and what it does, in logical order."""

    key: str
    description: str

    @property
    def width(self) -> int:
        return cell_len(self.key) + 1 + cell_len(display(self.description))


class KeyBar(Widget, can_focus=False):
    """Shows the active, visible bindings of its screen; follows remaps and permission changes."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $footer-background;
        color: $footer-description-foreground;
        .keybar--key {
            color: $footer-key-foreground;
            text-style: bold;
        }
    }
    """

    COMPONENT_CLASSES = {"keybar--key"}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen:
            self.refresh(layout=True)

    def _shown_bindings(self) -> Iterator[Binding]:
        """The bindings to show, in the order of the focus chain.

        Each key's binding is the one Textual runs, except that a hidden binding of a focused
        widget does not hide a shown one of the same key further up: a table's own Enter
        ("select the row") is what the queue's "Enter Open" acts on, and the agent must see it.
        """
        active = self.screen.active_bindings
        shown_keys: set[str] = set()
        for namespace, bindings in self.screen._modal_binding_chain:
            for key, binding in bindings:
                runs = active.get(key)
                if runs is None or not binding.show or key in shown_keys:
                    continue
                # Equal, not identical: the chain is built anew (keymap applied) on each read.
                if (runs.node is namespace and runs.binding == binding) or (
                    not runs.binding.show
                    and self.app._check_action_state(binding.action, namespace) is not False
                ):
                    shown_keys.add(key)
                    yield binding

    def items(self) -> list[KeyItem]:
        """The keys to show, one per action, in binding order."""
        seen: set[str] = set()
        items: list[KeyItem] = []
        for binding in self._shown_bindings():
            if binding.action in seen:
                continue
            seen.add(binding.action)
            items.append(KeyItem(self.app.get_key_display(binding), binding.description))
        return items

    def key_rows(self, width: int) -> tuple[str, list[list[KeyItem]]]:
        """The gap and the rows: the widest gap with which every key fits in `MAX_ROWS` rows,
        else in one row more, else the narrowest gap."""
        items = self.items()
        for limit in (MAX_ROWS, MAX_ROWS + 1):
            for gap in GAPS:
                rows = self._rows(items, width, gap)
                if len(rows) <= limit:
                    return gap, rows
        return gap, rows

    @staticmethod
    def _rows(items: list[KeyItem], width: int, gap: str) -> list[list[KeyItem]]:
        rows: list[list[KeyItem]] = [[]]
        used = 0
        for item in items:
            needed = item.width if not rows[-1] else len(gap) + item.width
            if rows[-1] and used + needed > width:
                rows.append([])
                used, needed = 0, item.width
            rows[-1].append(item)
            used += needed
        return rows

    def render(self) -> RenderResult:
        width = self.content_size.width
        key_style = self.get_component_rich_style("keybar--key")
        rtl = layout_rtl()
        lines = []
        gap, rows = self.key_rows(max(1, width))
        for row in rows:
            line = Text(no_wrap=True, overflow="crop")
            for index, item in enumerate(reversed(row) if rtl else row):
                if index:
                    line.append(gap)
                if rtl:
                    line.append(display(item.description, base_rtl=True))
                    line.append(" ")
                    line.append(item.key, key_style)
                else:
                    line.append(item.key, key_style)
                    line.append(" ")
                    line.append(item.description)
            if rtl:
                line.pad_left(max(0, width - line.cell_len))
            lines.append(line)
        return Text("\n", no_wrap=True).join(lines)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.key_rows(max(1, width))[1])
