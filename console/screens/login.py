"""The sign-in screen: username, password, Enter.

The password is checked in a thread worker with its own database session (argon2 takes a moment
and the database may be across a slow link); the worker posts a plain result. A refusal is shown
under the form in the agent's language, the username is kept, the password cleared and focused.
"""

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import Center, Middle, Vertical
from textual.content import Content
from textual.message import Message
from textual.worker import Worker, WorkerState

from console import keys
from console.i18n import _, lang_digits
from console.i18n.rtl import display
from console.messages import SignedIn
from console.screens.base import DeskScreen
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.header import Clock, DeskHeader
from console.widgets.keybar import KeyBar
from db.accounts import AgentView, SignInError, sign_in
from db.engine import session

__all__ = ["SignInScreen"]


class SignInScreen(DeskScreen):
    """Asks for a username and password and posts `SignedIn` when they are right."""

    AUTO_FOCUS = "#username"

    @dataclass
    class Checked(Message):
        """The worker's verdict on a username and password: an agent, or a refusal code.

        `refusal` is `bad_credentials`, `locked` (with `minutes`) or `disabled`.
        """

        agent: AgentView | None
        refusal: str | None = None
        minutes: int | None = None

    @dataclass
    class DemoHint(Message):
        """This is a demo database; the account to suggest."""

        username: str
        password: str

    def __init__(self, *, engine: Engine, clock: Clock) -> None:
        super().__init__(id="sign-in")
        keys.install(self, "sign_in")
        self._engine = engine
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
        self.look_for_demo()

    @work(thread=True, exclusive=True, group="demo_hint", exit_on_error=False)
    def look_for_demo(self) -> None:
        """In a thread: on a demo database, post the account to suggest."""
        from db.demo import sign_in_hint

        with session(self._engine, write=False) as s:
            hint = sign_in_hint(s)
        if hint is not None:
            self.post_message(self.DemoHint(*hint))

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
        try:
            with session(self._engine) as s:
                agent = sign_in(s, username=username, password=password)
        except SignInError as refusal:
            minutes = refusal.params.get("minutes")
            self.post_message(
                self.Checked(None, refusal.code, int(minutes) if minutes is not None else None)
            )
        else:
            self.post_message(self.Checked(agent))

    def on_sign_in_screen_checked(self, event: Checked) -> None:
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
