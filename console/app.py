"""DeskApp: the console. Thin: it opens the sign-in screen and owns navigation, nothing else.

The CLI builds the settings and the engine and hands both in, so tests choose their database::

    DeskApp(engine=make_engine(settings.database_url), settings=settings).run()
"""

import logging
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from sqlalchemy.engine import Engine
from textual.app import App
from textual.binding import Binding

from console import keys
from console.i18n import _, set_language
from console.i18n.rtl import ENTER_SEQ, EXIT_SEQ, set_bidi_mode
from console.messages import SignedIn, SignOutRequested
from console.screens.login import SignInScreen
from console.screens.main import MainScreen
from console.settings import Settings, log_file
from console.widgets.bidi import notify_text

__all__ = ["ANSI_THEME", "DEFAULT_THEME", "DeskApp", "choose_theme"]

DEFAULT_THEME = "textual-dark"
ANSI_THEME = "ansi-dark"
"""Textual's theme made of the terminal's own 16 colours, for the Linux console and kin."""

# What Rich (and so Textual) can draw beyond 16 colours, by TERM's last part (xterm-256color).
_RICH_COLOURS = {"256color", "kitty", "truecolor", "direct", "24bit"}

log = logging.getLogger("abfa_desk.console")


def few_colours(environ: Mapping[str, str]) -> bool:
    """Whether the terminal draws only the 16 ANSI colours (TERM=linux, plain xterm, screen...).

    Mirrors Rich's detection, which Textual uses: truecolor when COLORTERM says so, 256 colours
    when TERM ends in `-256color`, else the standard 16. A full-colour theme squeezed into 16
    colours loses its contrast; the ANSI theme is made of exactly those colours.
    """
    forced = environ.get("TEXTUAL_COLOR_SYSTEM", "").strip().lower()
    if forced in ("standard", "windows"):
        return True
    if forced in ("256", "truecolor"):
        return False
    if environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return False
    term = environ.get("TERM", "").strip().lower()
    return term.rpartition("-")[2] not in _RICH_COLOURS


def choose_theme(environ: Mapping[str, str]) -> str:
    return ANSI_THEME if few_colours(environ) else DEFAULT_THEME


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DeskApp(App[None], inherit_bindings=False):
    """The contact-center console: sign in, then one mode per unit, as the agent's roles allow."""

    CSS_PATH = "app.tcss"
    TITLE = "abfa-desk"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[Binding]] = []  # from console.keys, translated in __init__

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        # The language must be known before any screen or binding is built.
        set_language(settings.lang)
        set_bidi_mode(settings.bidi)
        super().__init__()
        self.engine = engine
        self.settings = settings
        self.clock = clock or _utc_now
        self.theme = choose_theme(os.environ)
        keys.install(self, "app")
        self.set_keymap(settings.keys)
        self._reported_errors: set[tuple[str, str]] = set()
        self._sent_bidi_sequence = False

    def get_key_display(self, binding: Binding) -> str:
        return binding.key_display or keys.key_display(binding.key)

    def on_mount(self) -> None:
        if self.settings.bidi == "app" and not self.is_headless and self._driver is not None:
            # Tell VTE terminals not to reorder: our text arrives in visual order already.
            self._driver.write(ENTER_SEQ)
            self._sent_bidi_sequence = True
        self.push_screen(SignInScreen(engine=self.engine, clock=self.clock))

    def on_unmount(self) -> None:
        if self._sent_bidi_sequence and self._driver is not None:
            self._driver.write(EXIT_SEQ)

    def on_signed_in(self, message: SignedIn) -> None:
        self.push_screen(MainScreen(agent=message.agent, clock=self.clock, engine=self.engine))

    def on_sign_out_requested(self, message: SignOutRequested) -> None:
        if isinstance(self.screen, MainScreen):
            self.pop_screen()
        if isinstance(self.screen, SignInScreen):
            self.screen.reset()

    def report_error(self, error: BaseException) -> None:
        """An unknown failure: its traceback goes to the log file; the agent is told once."""
        path = log_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            handler = None
        if handler is not None:
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            log.addHandler(handler)
        try:
            log.error("unexpected error in a worker", exc_info=error)
        finally:
            if handler is not None:
                log.removeHandler(handler)
                handler.close()
        signature = (type(error).__name__, str(error))
        if signature in self._reported_errors:
            return
        self._reported_errors.add(signature)
        shown_path = str(path).replace(str(Path.home()), "~", 1)
        notify_text(
            self,
            _("Something went wrong. The details are in the log file:") + "\n" + shown_path,
            severity="error",
            timeout=10,
        )
