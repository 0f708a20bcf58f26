"""Form fields whose Enter and console keys belong to the form, not to the field."""

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import Input

from console.i18n.rtl import display, has_rtl
from console.keys import widget_keys
from console.widgets.bidi import layout_rtl

__all__ = ["FormInput", "crop_visual"]

ELLIPSIS = "…"
JOINERS = {"zero_width_non_joiner": "\u200c", "zero_width_joiner": "\u200d"}
"""Zero-width non-joiner and joiner: typed by Persian keyboards, kept in the text."""


def crop_visual(visual: str, width: int, *, rtl: bool) -> str:
    """Cut display-order text to `width` cells, keeping its start (the right side in RTL)."""
    if cell_len(visual) <= width:
        return visual
    if width <= 1:
        return ELLIPSIS[:width]
    kept = visual
    while cell_len(kept) > width - 1:
        kept = kept[1:] if rtl else kept[:-1]
    return ELLIPSIS + kept if rtl else kept + ELLIPSIS


class FormInput(Input):
    """An `Input` without its own Enter binding and without the keys the console binds.

    Enter runs the screen's key (e.g. `sign_in`). A priority binding on the screen would also
    catch Enter, but ahead of the characters typed just before it (they are still queued in the
    field), so a fast typist or a paste would submit a half-typed form. A plain screen binding
    sees Enter only after the field has taken them. For the same reason the field gives up the
    editing keys that clash with console keys (`Input` binds Ctrl+A, Ctrl+D and Ctrl+K), so the
    intake keys work from inside a field; Home, Delete and the rest still edit.

    Text is edited in logical order (the cursor is logical). When the field is not focused and
    holds right-to-left text, it is shown shaped and in display order instead, right-aligned in
    a Persian layout, so a filled form reads correctly; so is a Persian placeholder.

    The cursor does not blink: every blink repaints the field, two writes a second down a slow
    SSH link while the agent is only listening to a caller.
    """

    cursor_blink = reactive(False, init=False)

    def __init__(self, *args, **kwargs) -> None:
        placeholder = kwargs.get("placeholder", "")
        if placeholder and has_rtl(placeholder):
            kwargs["placeholder"] = display(placeholder, base_rtl=True if layout_rtl() else None)
        super().__init__(*args, **kwargs)
        self._release(widget_keys())

    async def _on_key(self, event: events.Key) -> None:
        # The Persian half-space (ZWNJ, Shift+Space on a Persian keyboard) is not "printable"
        # to Python, so Input would drop it; Persian words like می‌زند need it.
        # Textual then runs Input's own handler, unless this one took the key.
        joiner = JOINERS.get(event.key) or (
            event.character if event.character in JOINERS.values() else None
        )
        if joiner is None:
            return
        event.stop()
        event.prevent_default()
        self._restart_blink()
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(joiner)
        else:
            self.replace(joiner, *selection)

    def _release(self, keys: set[str]) -> None:
        for key in keys:
            self._bindings.key_to_bindings.pop(key, None)

    def on_mount(self) -> None:
        settings = getattr(self.app, "settings", None)
        keymap = getattr(settings, "keys", None)
        if keymap:
            self._release(widget_keys(keymap))

    def render_line(self, y: int) -> Strip:
        value = self.value
        if y != 0 or self.has_focus or self.password or not value or not has_rtl(value):
            return super().render_line(y)
        width = self.scrollable_content_region.width
        rtl = layout_rtl()
        visual = crop_visual(display(value, base_rtl=True if rtl else None), width, rtl=True)
        text = Text(visual, no_wrap=True, overflow="crop", end="")
        if rtl:
            text.pad_left(max(0, width - text.cell_len))
        console = self.app.console
        strip = Strip(console.render(text, self.app.console_options.update_width(width + 1)))
        return strip.crop(0, width + 1).extend_cell_length(width + 1).apply_style(self.rich_style)
