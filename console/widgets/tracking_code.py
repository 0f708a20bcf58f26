"""A tracking code in large digits, for reading it back to the caller without a slip.

The code is shown in its spoken groups (center, year, sequence, check digit: 131 05 000123 4),
three rows tall, in Persian digits in Persian and ASCII digits in English, always left to right
(a code is one number, written as digits are). Under it, the same code in ordinary text and
a few lines of context (what was registered, when it is due).
"""

from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from console.i18n import current_language, lang_digits
from console.i18n.intake_words import code_groups
from console.i18n.rtl import display_lines
from console.widgets.bidi import layout_rtl

__all__ = ["BIG_DIGITS_EN", "BIG_DIGITS_FA", "TrackingCodeBanner", "big_digits"]

# Three rows per digit, three cells wide, drawn with box-drawing lines.
BIG_DIGITS_EN: dict[str, tuple[str, str, str]] = {
    "0": ("╭─╮", "│ │", "╰─╯"),
    "1": ("╶┐ ", " │ ", "╶┴╴"),
    "2": ("╶─╮", "╭─╯", "╰─╴"),
    "3": ("╶─╮", " ─┤", "╶─╯"),
    "4": ("╷ ╷", "╰─┤", "  ╵"),
    "5": ("╭─╴", "╰─╮", "╶─╯"),
    "6": ("╭─╴", "├─╮", "╰─╯"),
    "7": ("╶─┐", "  │", "  ╵"),
    "8": ("╭─╮", "├─┤", "╰─╯"),
    "9": ("╭─╮", "╰─┤", "╶─╯"),
}
# Persian digits keep their shapes: ۰ a dot, ۱ a stroke, ۵ a loop, ۷ a V, ۸ a Λ.
BIG_DIGITS_FA: dict[str, tuple[str, str, str]] = {
    "0": ("   ", " ● ", "   "),
    "1": (" ╷ ", " │ ", " ╵ "),
    "2": ("│ │", "├─╯", "╵  "),
    "3": ("╷╷╷", "├┴╯", "╵  "),
    "4": ("╭─┤", "╰─┤", "  ╵"),
    "5": ("╭─╮", "│ │", "╰─╯"),
    "6": ("╶─╮", "  │", "  ╵"),
    "7": ("╷ ╷", "╲ ╱", " ╵ "),
    "8": (" ╷ ", "╱ ╲", "╵ ╵"),
    "9": ("╭─╮", "╰─┤", "  ╵"),
}
DIGIT_GAP = " "
GROUP_GAP = "   "


def big_digits(code: str, *, persian: bool) -> list[str]:
    """The three rows of `code` in large digits, grouped as it is read aloud."""
    font = BIG_DIGITS_FA if persian else BIG_DIGITS_EN
    rows = ["", "", ""]
    for number, group in enumerate(code_groups(code)):
        for index, digit in enumerate(group):
            glyph = font.get(digit, ("   ", f" {digit} ", "   "))
            for row in range(3):
                gap = GROUP_GAP if number and not index else DIGIT_GAP if index else ""
                rows[row] += gap + glyph[row]
    return rows


class TrackingCodeBanner(Widget):
    """A title, the code in large digits, the code as text, and a few lines of context."""

    DEFAULT_CSS = """
    TrackingCodeBanner {
        height: auto;
        padding: 1 2;
        .tracking-code--title {
            color: $text-success;
            text-style: bold;
        }
        .tracking-code--digits {
            color: $text;
            text-style: bold;
        }
        .tracking-code--text {
            color: $text-accent;
            text-style: bold;
        }
        .tracking-code--note {
            color: $text-muted;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "tracking-code--title",
        "tracking-code--digits",
        "tracking-code--text",
        "tracking-code--note",
    }

    code: reactive[str] = reactive("", layout=True)
    title: reactive[str] = reactive("", layout=True)
    notes: reactive[tuple[str, ...]] = reactive((), layout=True)

    def show(self, code: str, *, title: str, notes: tuple[str, ...] = ()) -> None:
        self.code = code
        self.title = title
        self.notes = notes

    def _rows(self, width: int) -> list[tuple[str, str, bool]]:
        """(display text, component class, centred) per screen row."""
        base = True if layout_rtl() else None
        rows: list[tuple[str, str, bool]] = []
        if self.title:
            rows += [
                (line, "tracking-code--title", True)
                for line in display_lines(self.title, width, base_rtl=base)
            ]
            rows.append(("", "", True))
        if self.code:
            persian = current_language() == "fa"
            rows += [
                (line, "tracking-code--digits", True)
                for line in big_digits(self.code, persian=persian)
            ]
            rows.append(("", "", True))
            plain = lang_digits(" ".join(code_groups(self.code)))
            rows.append((plain, "tracking-code--text", True))
        for note in self.notes:
            rows += [
                (line, "tracking-code--note", True)
                for line in display_lines(note, width, base_rtl=base)
            ]
        return rows

    def render(self) -> RenderResult:
        width = max(1, self.content_size.width)
        out = Text(no_wrap=True, overflow="crop", end="")
        for number, (line, style_name, centred) in enumerate(self._rows(width)):
            if number:
                out.append("\n")
            style = self.get_component_rich_style(style_name) if style_name else Style()
            room = max(0, width - cell_len(line))
            left = room // 2 if centred else 0
            out.append(" " * left)
            out.append(line, style)
        return out

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._rows(max(1, width))))
