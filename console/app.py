"""DeskApp: the console. Thin: it opens the sign-in screen and owns navigation, nothing else.

The CLI builds the settings and the engine and hands both in, so tests choose their database::

    DeskApp(engine=make_engine(settings.database_url), settings=settings).run()

or, to draw the sign-in form at once, a function that opens the database, which the sign-in
screen calls in a worker once the form is on screen::

    DeskApp(open_engine=lambda: make_engine(settings.database_url), settings=settings).run()

What the sign-in form needs is imported at the top; the main screen, the database libraries and
the models are imported when first needed (they take most of a second to load), and this
module must stay that way: tests/console/test_startup_imports.py checks it.
"""

import gc
import logging
import os
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding

from console import keys
from console.i18n import _, set_language
from console.i18n.rtl import ENTER_SEQ, EXIT_SEQ, set_bidi_mode
from console.screens.login import SignInScreen
from console.settings import Settings, log_file
from console.widgets.bidi import notify_text

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from console.messages import SignedIn, SignOutRequested

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
        settings: Settings,
        engine: "Engine | None" = None,
        open_engine: "Callable[[], Engine] | None" = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Give the `engine`, or `open_engine` to open it after the first frame (see `database`).

        `open_engine` raises `db.engine.DatabaseError` when the database cannot be used; the app
        then quits with return code 1 and the reason in `startup_error`.
        """
        if (engine is None) == (open_engine is None):
            raise TypeError("DeskApp takes exactly one of engine= and open_engine=")
        # The language must be known before any screen or binding is built.
        set_language(settings.lang)
        set_bidi_mode(settings.bidi)
        super().__init__()
        self._engine = engine
        self._open_engine = open_engine
        self._engine_lock = threading.Lock()
        self.startup_error: str | None = None
        """Why the database could not be used, when the app quit for that reason."""
        self._froze_startup_objects = False
        self.settings = settings
        self.clock = clock or _utc_now
        self.theme = choose_theme(os.environ)
        keys.install(self, "app")
        self.set_keymap(settings.keys)
        self._reported_errors: set[tuple[str, str]] = set()
        self._sent_bidi_sequence = False

    def database(self) -> "Engine":
        """The engine, opened on the first call; call it from a worker.

        Opening loads the database libraries, checks the schema and may wait on a remote server.
        The lock makes a second caller (a sign-in while it opens) wait for the same engine.
        """
        with self._engine_lock:
            if self._engine is None:
                assert self._open_engine is not None
                self._engine = self._open_engine()
            return self._engine

    @property
    def engine(self) -> "Engine":
        """The engine; open once the agent has signed in."""
        return self.database()

    def get_key_display(self, binding: Binding) -> str:
        return binding.key_display or keys.key_display(binding.key)

    def on_mount(self) -> None:
        if self.settings.bidi == "app" and not self.is_headless and self._driver is not None:
            # Tell VTE terminals not to reorder: our text arrives in visual order already.
            self._driver.write(ENTER_SEQ)
            self._sent_bidi_sequence = True
        self.push_screen(SignInScreen(open_engine=self.database, clock=self.clock))

    def on_unmount(self) -> None:
        if self._sent_bidi_sequence and self._driver is not None:
            self._driver.write(EXIT_SEQ)
        if self._froze_startup_objects:
            # Hand them back to the collector, for whoever runs more apps in this process.
            gc.unfreeze()

    def on_sign_in_screen_unusable(self, event: SignInScreen.Unusable) -> None:
        if self.startup_error is None:
            self.startup_error = event.reason
            self.exit(return_code=1)

    def on_signed_in(self, message: "SignedIn") -> None:
        # Imported here, not at the top: it brings every screen and most of db/, which the
        # sign-in form does not need.
        from console.screens.main import MainScreen

        self._freeze_startup_objects()
        self.push_screen(MainScreen(agent=message.agent, clock=self.clock, engine=self.engine))

    def _freeze_startup_objects(self) -> None:
        """Once: move everything made so far out of the garbage collector's sight.

        The modules, classes and caches loaded while starting and signing in (a quarter of a
        million objects) live as long as the process, yet each full collection walked them all,
        pausing a key press for 75-225 ms. `gc.freeze` leaves them to reference counting alone.
        It runs before the main screen is built, so that screen's widgets, freed at sign-out,
        stay collectable; `on_unmount` undoes it.
        """
        if not self._froze_startup_objects:
            self._froze_startup_objects = True
            gc.freeze()

    def on_sign_out_requested(self, message: "SignOutRequested") -> None:
        from console.screens.main import MainScreen

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
