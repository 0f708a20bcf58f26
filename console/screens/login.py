"""The sign-in screen: username, password, Enter.

The password is checked in a thread worker with its own database session (argon2 takes a moment
and the database may be across a slow link); the worker posts a plain result. A refusal is shown
under the form in the agent's language, the username is kept, the password cleared and focused.

The form is drawn before the database is opened: the screen may be given a function that opens
it (loading SQLAlchemy and the models, checking the schema, reaching a remote server: a second or
more), which a worker calls once the first frame is out. This module therefore imports nothing
of the database libraries at its top. A database that cannot be used is reported to the app
(`Unusable`), which quits with the reason.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Center, Middle, Vertical
from textual.content import Content
from textual.message import Message
from textual.worker import Worker, WorkerState

from console import keys
from console.i18n import _, lang_digits
from console.i18n.rtl import display
from console.screens.base import DeskScreen
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.header import Clock, DeskHeader
from console.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from db.accounts import AgentView

__all__ = ["SignInScreen"]


class SignInScreen(DeskScreen):
    """Asks for a username and password and posts `SignedIn` when they are right."""

    AUTO_FOCUS = "#username"

    @dataclass
    class Checked(Message):
        """The worker's verdict on a username and password: an agent, or a refusal code.

        `refusal` is `bad_credentials`, `locked` (with `minutes`) or `disabled`.
        """

        agent: "AgentView | None"
        refusal: str | None = None
        minutes: int | None = None

    @dataclass
    class DemoHint(Message):
        """This is a demo database; the account to suggest."""

        username: str
        password: str

    @dataclass
    class Unusable(Message):
        """The database cannot be used: unreachable, its schema behind, or no users yet.

        `reason` is one line with the fix (a `db.engine.DatabaseError`). Handled by
        `DeskApp.on_sign_in_screen_unusable`, which quits so the command can print it.
        """

        reason: str

    def __init__(
        self,
        *,
        clock: Clock,
        engine: "Engine | None" = None,
        open_engine: "Callable[[], Engine] | None" = None,
    ) -> None:
        """Give the `engine`, or `open_engine`: a function that opens it (`DeskApp.database`).

        `open_engine` is called in workers, maybe two at once (Enter pressed while the database
        is still opening): it must open the database once and hand both the same engine. It
        raises `db.engine.DatabaseError` when the database cannot be used.
        """
        if (engine is None) == (open_engine is None):
            raise TypeError("SignInScreen takes exactly one of engine= and open_engine=")
        super().__init__(id="sign-in")
        keys.install(self, "sign_in")
        self._engine = engine
        self._open_engine = open_engine
        self._clock = clock

    def compose(self) -> ComposeResult:
        yield DeskHeader(who=_("ABFA desk 122/1523"), clock=self._clock)
        with Middle(), Center(), Vertical(id="sign-in-form") as form:
            form.border_title = Content(display(_("Sign in")))
            yield BidiText(_("Enter your username and password."), id="sign-in-hint")
            yield BidiText(_("Username"), classes="field-label")
            yield FormInput(id="username", max_length=64, select_on_focus=False)
            yield BidiText(_("Password"), classes="field-label")
            yield FormInput(id="password", password=True, max_length=256)
            yield BidiText("", id="sign-in-message")
        yield KeyBar()

    def on_mount(self) -> None:
        # After the first frame: opening the database holds the interpreter for a while (imports
        # mostly), and the form should be on screen, ready for typing, before that starts.
        self.call_after_refresh(self.open_database)

    @work(thread=True, exclusive=True, group="open_database", exit_on_error=False)
    def open_database(self) -> None:
        """In a thread: open the database; on a demo database, post the account to suggest."""
        engine = self._usable_engine()
        if engine is None:
            return
        from db.demo import sign_in_hint
        from db.engine import session

        with session(engine, write=False) as s:
            hint = sign_in_hint(s)
        if hint is not None:
            self.post_message(self.DemoHint(*hint))

    def _usable_engine(self) -> "Engine | None":
        """In a thread: the engine, opened if need be; None once `Unusable` is posted."""
        if self._engine is not None:
            return self._engine
        from db.engine import DatabaseError

        assert self._open_engine is not None
        try:
            return self._open_engine()
        except DatabaseError as problem:
            self.post_message(self.Unusable(str(problem)))
            return None

    def on_sign_in_screen_demo_hint(self, event: DemoHint) -> None:
        self.query_one("#sign-in-hint", BidiText).text = "\n".join(
            (
                _("Enter your username and password."),
                _("Demo database: try {username} with password {password}.").format(
                    username=event.username, password=event.password
                ),
            )
        )

    @property
    def username(self) -> FormInput:
        return self.query_one("#username", FormInput)

    @property
    def password(self) -> FormInput:
        return self.query_one("#password", FormInput)

    def _say(self, text: str, *, error: bool) -> None:
        message = self.query_one("#sign-in-message", BidiText)
        message.text = text
        message.set_class(error, "-error")

    def action_sign_in(self) -> None:
        """Enter: check the password, or move to the field that is still empty."""
        username = self.username.value.strip()
        if not username:
            self.username.focus()
            self._say(_("Enter your username and password."), error=True)
            return
        if not self.password.value:
            self.password.focus()
            return
        self._say(_("Checking…"), error=False)
        self.check_password(username, self.password.value)

    @work(thread=True, exclusive=True, group="sign_in", exit_on_error=False)
    def check_password(self, username: str, password: str) -> None:
        """In a thread: ask `db.accounts.sign_in` and post the verdict as `Checked`."""
        # Enter may come before the database is open: this waits for it.
        engine = self._usable_engine()
        if engine is None:
            return
        from db.accounts import SignInError
        from db.engine import session

        try:
            with session(engine) as s:
                agent = sign_in(s, username=username, password=password)
        except SignInError as refusal:
            minutes = refusal.params.get("minutes")
            self.post_message(
                self.Checked(None, refusal.code, int(minutes) if minutes is not None else None)
            )
        else:
            self.post_message(self.Checked(agent))

    def on_sign_in_screen_checked(self, event: Checked) -> None:
        from console.messages import SignedIn

        self.password.value = ""
        if event.agent is not None:
            self._say("", error=False)
            self.post_message(SignedIn(event.agent))
            return
        self._say(refusal_text(event.refusal, event.minutes), error=True)
        self.password.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # An unknown failure (the base class reports it): let the agent try again.
        if event.worker.group == "sign_in" and event.state is WorkerState.ERROR:
            self._say("", error=False)
            self.password.value = ""
            self.password.focus()

    def reset(self) -> None:
        """Forget the last agent: empty form, focus on the username (after sign-out)."""
        self.username.value = ""
        self.password.value = ""
        self._say("", error=False)
        self.username.focus()


def sign_in(session: "Session", *, username: str, password: str) -> "AgentView":
    """`db.accounts.sign_in`, imported when first called: the form is drawn before db/ loads."""
    from db.accounts import sign_in as check

    return check(session, username=username, password=password)


def refusal_text(code: str | None, minutes: int | None = None) -> str:
    """The agent's words for a refused sign-in (`SignInError.code`)."""
    if code == "locked":
        return _(
            "Account locked after too many failed attempts. "
            "Try again in {minutes} minutes or ask an administrator."
        ).format(minutes=lang_digits(str(minutes or 1)))
    if code == "disabled":
        return _("Account disabled. Ask an administrator.")
    return _("Wrong username or password.")
