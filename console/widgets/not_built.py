"""The honest panel of a mode that is not built yet: its title and one sentence, nothing fake."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content

from console.i18n import _
from console.i18n.rtl import display
from console.widgets.bidi import BidiText, layout_rtl

__all__ = ["NotBuiltPanel"]


class NotBuiltPanel(Vertical):
    """A bordered panel titled with the mode's name, saying the mode is not built yet."""

    DEFAULT_CSS = """
    NotBuiltPanel {
        border: round $primary;
        padding: 1 2;
        &.-rtl {
            border-title-align: right;
        }
        &:ansi {
            border: solid $primary;
        }
        .not-built--heading {
            text-style: bold;
            color: $text-warning;
            margin-bottom: 1;
        }
    }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        """`title` is the translated name of the mode."""
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        self.mode_title = title
        self.border_title = Content(display(title, base_rtl=True if layout_rtl() else None))

    def compose(self) -> ComposeResult:
        yield BidiText(_("Not available yet"), classes="not-built--heading")
        yield BidiText(_("This part of the console is not built yet."))
