"""Text that may be Persian, shown in display order: the widget every screen uses for words.

Textual lays text out left to right and wraps it itself. Persian must be wrapped first and then
reordered line by line (`console.i18n.rtl.display_lines`), so `BidiText` wraps to its own width at
render time and right-aligns in a right-to-left layout. Its text is never parsed as markup:
customer data containing `[` is shown as typed.
"""

from rich.cells import cell_len
from textual.app import RenderResult
from textual.content import Content
from textual.dom import DOMNode
from textual.geometry import Size
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.widget import Widget

from console.i18n import is_rtl
from console.i18n.rtl import display, display_lines

__all__ = ["BidiText", "layout_rtl", "notify_text", "toast_text"]

# app.tcss lets a toast take 70% of the screen: 56 cells at 80 columns, less border and padding.
TOAST_WIDTH = 50


def layout_rtl() -> bool:
    """Whether the layout mirrors (labels right-aligned, sidebars on the right)."""
    return is_rtl()


def _base_rtl() -> bool | None:
    # In a Persian layout every line reads right to left, even one that starts with a Latin word.
    return True if layout_rtl() else None


def toast_text(text: str, width: int = TOAST_WIDTH) -> str:
    """Wrap and reorder a notification's logical text for a toast (pass `markup=False`)."""
    return "\n".join(display_lines(text, width, base_rtl=_base_rtl()))


def notify_text(
    node: DOMNode,
    text: str,
    *,
    severity: SeverityLevel = "information",
    timeout: float | None = None,
) -> None:
    """Show a toast with logical `text`, wrapped and reordered, never parsed as markup."""
    node.app.notify(toast_text(text), severity=severity, timeout=timeout, markup=False)


class BidiText(Widget):
    """A block of logical text, wrapped to the widget's width and shown in display order.

    Right-aligned when the layout is right to left. Set `text` to change it.
    """

    DEFAULT_CSS = """
    BidiText {
        width: 1fr;
        height: auto;
        &.-rtl {
            text-align: right;
        }
    }
    """

    text: reactive[str] = reactive("", layout=True)
    """The logical (typed-order) text."""

    def __init__(
        self,
        text: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(BidiText.text, text)
        self.set_class(layout_rtl(), "-rtl")

    def _lines(self, width: int) -> list[str]:
        if not self.text:
            return [""]
        return display_lines(self.text, max(1, width), base_rtl=_base_rtl())

    def render(self) -> RenderResult:
        width = self.content_size.width
        if width <= 0:
            return Content("")
        return Content("\n".join(self._lines(width)))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        widest = max(cell_len(display(line)) for line in self.text.split("\n"))
        return min(widest, container.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width)) if width > 0 else 1
