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
        &.-rtl > .mode-views--strip {
            text-align: right;
        }
        & > ContentSwitcher {
            height: 1fr;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, "views")
        self._rtl = layout_rtl()
        self._views = list(self.views())
        for _title, view in self._views:
            # The help panel (F1) lists the keys of the view on show: Ctrl+W among them. No
            # view has the action, so the key goes on to the mode, which shows the next view.
            keys.install(view, "views")
        self._index = 0
        self._looked = False

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
        # The mode the shell opens with (an information officer's only one) gets no F-key.
        self.call_after_refresh(self._first_look)

    def _first_look(self) -> None:
        if not self._looked and self.display and self.is_on_screen:
            self.focus_first()

    @property
    def current(self) -> Widget:
        return self._views[self._index][1]

    def focus_first(self) -> None:
        """Called when the mode opens: the view on show reads afresh."""
        self._looked = True
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
