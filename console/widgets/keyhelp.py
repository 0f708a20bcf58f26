"""A table of keys (key, what it does, a longer hint), mirrored in a right-to-left layout."""

from typing import NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from console.i18n.rtl import display, display_lines
from console.widgets.bidi import layout_rtl

__all__ = ["KeyHelp", "KeyHelpRow"]

GAP = "  "
MAX_DESCRIPTION = 24
MIN_HINT = 12


class KeyHelpRow(NamedTuple):
    """One row of the table, in logical order."""

    key: str
    description: str
    hint: str


def _pad(text: str, width: int, *, right: bool) -> str:
    room = max(0, width - cell_len(text))
    return " " * room + text if right else text + " " * room


class KeyHelp(Widget, can_focus=False):
    """Key, description and hint columns; the key column is on the right in Persian."""

    DEFAULT_CSS = """
    KeyHelp {
        height: auto;
        .keyhelp--key {
            color: $text-accent;
            text-style: bold;
        }
    }
    """

    COMPONENT_CLASSES = {"keyhelp--key"}

    rows: reactive[tuple[KeyHelpRow, ...]] = reactive((), layout=True)
    """The keys to list, in order."""

    def _lines(self, width: int) -> list[tuple[str, str, str]]:
        """(key, description, hint) cells per screen line, in display order, unpadded."""
        base = True if layout_rtl() else None
        hint_width = self._columns(width)[2]
        lines = []
        for row in self.rows:
            description = display(row.description, base_rtl=base)
            hints = display_lines(row.hint, hint_width, base_rtl=base) if hint_width else [""]
            lines.append((row.key, description, hints[0]))
            lines.extend(("", "", hint) for hint in hints[1:])
        return lines

    def _columns(self, width: int) -> tuple[int, int, int]:
        key_width = max((cell_len(row.key) for row in self.rows), default=0)
        description_width = min(
            MAX_DESCRIPTION,
            max((cell_len(display(row.description)) for row in self.rows), default=0),
        )
        hint_width = width - key_width - description_width - 2 * len(GAP)
        return key_width, description_width, hint_width if hint_width >= MIN_HINT else 0

    def render(self) -> RenderResult:
        width = max(1, self.content_size.width)
        key_width, description_width, hint_width = self._columns(width)
        key_style = self.get_component_rich_style("keyhelp--key")
        rtl = layout_rtl()
        lines = []
        for key, description, hint in self._lines(width):
            line = Text(no_wrap=True, overflow="crop")
            if rtl:
                if hint_width:
                    line.append(_pad(hint, hint_width, right=True) + GAP)
                line.append(_pad(description, description_width, right=True) + GAP)
                line.append(_pad(key, key_width, right=True), key_style)
                line.pad_left(max(0, width - line.cell_len))
            else:
                line.append(_pad(key, key_width, right=False), key_style)
                line.append(GAP + _pad(description, description_width, right=False))
                if hint_width:
                    line.append(GAP + hint)
            lines.append(line)
        return Text("\n", no_wrap=True).join(lines)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines(max(1, width))))
