"""A block of styled lines that may be Persian: the base of the intake's read-only panels.

A caller card or a request's history is a list of short logical-order lines, each with one
style. `LineBlock` wraps each to the widget's width, reorders it for display (after wrapping,
as `console.i18n.rtl` requires), right-aligns it in a right-to-left layout and paints "filled"
lines (a banner) across the whole width. Subclasses say what to show in `lines()` and name
their styles as component classes.
"""

from dataclasses import dataclass
from unicodedata import bidirectional

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.widget import Widget

from console.i18n.rtl import display, display_lines, has_rtl
from console.widgets.bidi import layout_rtl

__all__ = ["Line", "LineBlock"]

RLM = "\u200f"


@dataclass(frozen=True)
class Line:
    """One paragraph of logical text. `style` names a component class of the widget."""

    text: str
    style: str = ""
    fill: bool = False
    """Paint the style across the whole width (a banner), not only under the words."""
    indent: int = 0


def _starts_rtl(text: str) -> bool:
    """Whether the first strong letter of `text` is right-to-left (its paragraph direction)."""
    for char in text:
        kind = bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


class LineBlock(Widget):
    """Shows `lines()` wrapped, in display order, mirrored in a right-to-left layout."""

    DEFAULT_CSS = """
    LineBlock {
        height: auto;
    }
    """

    def lines(self) -> list[Line]:
        """What to show, top to bottom (logical order). Subclasses override this."""
        return []

    def rows(self, width: int) -> list[tuple[str, Line]]:
        """Each screen row: its display-order text and the line it belongs to."""
        base = True if layout_rtl() else None
        rows: list[tuple[str, Line]] = []
        for line in self.lines():
            room = max(1, width - 2 * line.indent)
            if not line.text:
                rows.append(("", line))
                continue
            for part in display_lines(line.text, room, base_rtl=base):
                if base and not has_rtl(part) and len(part.split()) > 1:
                    # Digits and Latin words only: still a right-to-left line, so its runs
                    # (two phone numbers, a date and a time) read from the right.
                    part = display(RLM + part, base_rtl=True)
                rows.append((part, line))
        return rows

    def row_of(self, index: int, width: int | None = None) -> int:
        """The first screen row of line number `index` (to scroll it into view)."""
        width = width if width is not None else max(1, self.content_size.width)
        target = self.lines()[index] if index < len(self.lines()) else None
        for row, (_text, line) in enumerate(self.rows(width)):
            if line is target:
                return row
        return 0

    def render(self) -> RenderResult:
        width = max(1, self.content_size.width)
        rtl = layout_rtl()
        out = Text(no_wrap=True, overflow="crop", end="")
        styles: dict[str, Style] = {}
        for number, (visual, line) in enumerate(self.rows(width)):
            # A Persian paragraph reads from the right even in an English layout.
            right = rtl or _starts_rtl(line.text)
            if number:
                out.append("\n")
            if line.style and line.style not in styles:
                styles[line.style] = self.get_component_rich_style(line.style)
            style = styles.get(line.style, Style())
            indent = " " * line.indent
            room = max(0, width - cell_len(visual) - line.indent)
            if line.fill:
                padded = " " * room + visual + indent if right else indent + visual + " " * room
                out.append(padded, style)
            elif right:
                out.append(" " * room)
                out.append(visual, style)
                out.append(indent)
            else:
                out.append(indent)
                out.append(visual, style)
        return out

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.rows(max(1, width))))
