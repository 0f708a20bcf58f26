"""A mode made of several views, one on show, with a strip naming them; Ctrl+W goes to the next.

Reports (F6) is a wallboard and the figures; a subclass says which views it has in
`views()`. The view on show is `current`: the help panel (F1) lists its keys, and opening the
mode again reads it afresh (`focus_first`).
"""

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static

from console import keys
from console.i18n import _
from console.i18n.rtl import display
from console.widgets.bidi import layout_rtl

__all__ = ["ModeViews", "strip_text"]


def strip_text(titles: Sequence[str], current: int, *, rtl: bool) -> Text:
    """The views' names in a line, the one on show in reverse video, read from the right in
    Persian."""
    parts = [(display(f" {title} ", base_rtl=True if rtl else None), i) for i, title in
             enumerate(titles)]  # fmt: skip
    if rtl:
        parts.reverse()
    text = Text(justify="right" if rtl else "left", no_wrap=True)
    for n, (label, index) in enumerate(parts):
        if n:
            text.append("│", style="dim")
        text.append(label, style="bold reverse" if index == current else "")
    return text


class ModeViews(Vertical):
    DEFAULT_CSS = """
    ModeViews {
        height: 1fr;
        & > .mode-views--strip {
            height: 1;
            width: 1fr;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        keys.install(self, "views")
        self._rtl = layout_rtl()
        self._views = list(self.views())
        self._index = 0

    def views(self) -> Sequence[tuple[str, Widget]]:
        """``(title, widget)`` of each view, in the order Ctrl+W visits them; the widgets have
        ids and a ``focus_first()`` method."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        yield Static(classes="mode-views--strip")
        with ContentSwitcher(initial=self._views[0][1].id):
            for _title, widget in self._views:
                yield widget

    def on_mount(self) -> None:
        self._show_strip()

    @property
    def current(self) -> Widget:
        return self._views[self._index][1]

    def focus_first(self) -> None:
        focus_first = getattr(self.current, "focus_first", None)
        if focus_first is not None:
            focus_first()

    def action_next_view(self) -> None:
        self._index = (self._index + 1) % len(self._views)
        self.query_one(ContentSwitcher).current = self.current.id
        self._show_strip()
        self.call_after_refresh(self.focus_first)

    def _show_strip(self) -> None:
        titles = [_(title) for title, _widget in self._views]
        self.query_one(".mode-views--strip", Static).update(
            strip_text(titles, self._index, rtl=self._rtl)
        )
