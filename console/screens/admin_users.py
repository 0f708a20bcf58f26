"""Admin mode (F7), users: who may sign in, with which roles, and what happened at sign-in.

One row per person of the center: username, name, roles, last sign-in, and a state (active,
disabled, locked after failed attempts, or how many attempts failed). Enter changes a name,
center, language and roles; Ctrl+R adds someone; Ctrl+D disables or enables; Ctrl+U unlocks;
Ctrl+P sets a new password, typed twice and masked. db.accounts refuses what would leave the
center without an administrator, and writes every change to the audit trail.
"""

from dataclasses import dataclass, replace

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult

from console.i18n import N_, _, lang_digits
from console.i18n.admin_words import ROLES, listed, role_name
from console.i18n.intake_words import when_text
from console.screens.admin_dialog import AdminDialog, Refused, checks
from console.screens.admin_view import AdminView
from console.widgets.lines import Line
from db.accounts import (
    MIN_PASSWORD_LENGTH,
    AgentView,
    add_agent,
    disable_agent,
    enable_agent,
    list_agents,
    reset_password,
    set_roles,
    unlock_agent,
    update_agent,
)

__all__ = ["PasswordDialog", "UserDialog", "UserDraft", "UsersView"]

LANGUAGES = {"": N_("console default"), "fa": N_("Persian"), "en": N_("English")}


@dataclass
class UserDraft:
    """A user as typed: new (with a password) or an edit of one listed."""

    username: str = ""
    full_name: str = ""
    password: str = ""
    password2: str = ""
    roles: tuple[str, ...] = ("agent",)
    center: str = ""
    language: str = ""
    new: bool = True

    @classmethod
    def of(cls, agent: AgentView) -> "UserDraft":
        return cls(
            username=agent.username,
            full_name=agent.full_name,
            roles=tuple(sorted(agent.roles)),
            center=agent.center_code,
            language=agent.language or "",
            new=False,
        )


def _passwords(first: str, second: str) -> str:
    if len(first) < MIN_PASSWORD_LENGTH:
        raise Refused(
            "password",
            _("The password must have at least {minimum} characters.").format(
                minimum=lang_digits(str(MIN_PASSWORD_LENGTH))
            ),
        )
    if first != second:
        raise Refused("password2", _("The two passwords differ: type the same one twice."))
    return first


class UserDialog(AdminDialog[UserDraft]):
    """Add a user (username, name, password twice, roles) or change one (name, center,
    language, roles)."""

    def __init__(self, draft: UserDraft, *, error: str = "", error_field: str = "") -> None:
        self.draft = draft
        self.FIELDS = (
            ("username", "full_name", "password", "password2", "roles")
            if draft.new
            else ("full_name", "center", "language", "roles")
        )
        title = _("New user") if draft.new else _("User {username}").format(username=draft.username)
        super().__init__(title, error=error, error_field=error_field)

    def fields(self) -> ComposeResult:
        d = self.draft
        if d.new:
            yield from self.text_field(
                _("Username (Latin letters, digits, . _ -)"), "username", d.username, max_length=64
            )
        yield from self.text_field(_("Full name"), "full_name", d.full_name, max_length=120)
        if d.new:
            yield from self.text_field(
                _("Password"), "password", d.password, max_length=128, password=True
            )
            yield from self.text_field(
                _("The password again"), "password2", d.password2, max_length=128, password=True
            )
        else:
            yield from self.text_field(_("Center (code)"), "center", d.center, max_length=16)
            yield from self.choice_field(_("Language"), "language", checks(LANGUAGES), d.language)
        yield from self.checks_field(_("Roles (Space marks)"), "roles", checks(ROLES), d.roles)

    def current(self) -> UserDraft:
        """Everything as typed, to open the dialog again after a refusal."""
        d = self.draft
        if d.new:
            return replace(
                d,
                username=self.typed("username"),
                full_name=self.typed("full_name"),
                password=self.typed("password"),
                password2=self.typed("password2"),
                roles=self.marked("roles"),
            )
        return replace(
            d,
            full_name=self.typed("full_name"),
            center=self.typed("center"),
            language=self.chosen("language"),
            roles=self.marked("roles"),
        )

    def collect(self) -> UserDraft:
        d = self.current()
        if d.new:
            if not d.username.strip():
                raise Refused("username", _("Give a username."))
            _passwords(d.password, d.password2)
        if not d.roles:
            raise Refused("roles", _("Choose at least one role."))
        return d


class PasswordDialog(AdminDialog[str]):
    """A new password for someone, typed twice, masked."""

    FIELDS = ("password", "password2")

    def __init__(self, username: str, *, error: str = "") -> None:
        super().__init__(
            _("New password for {username}").format(username=username),
            error=error,
            error_field="password",
        )

    def fields(self) -> ComposeResult:
        yield self.note(_("A new password also lifts a lock after failed sign-ins."))
        yield from self.text_field(_("Password"), "password", "", max_length=128, password=True)
        yield from self.text_field(
            _("The password again"), "password2", "", max_length=128, password=True
        )

    def collect(self) -> str:
        return _passwords(self.typed("password"), self.typed("password2"))


class UsersView(AdminView):
    """The center's users, and what an administrator does to their accounts."""

    SCOPE = "admin_users"
    LISTINGS = {
        "users": (
            ("username", N_("Username"), 14),
            ("name", N_("Full name"), 22),
            ("roles", N_("Roles"), 18),
            ("last", N_("Last sign-in"), 14),
            ("state", N_("State"), 11),
        )
    }

    def read(self, s: Session, listing: str):
        return list_agents(s, actor=self.agent, center_code=self.agent.center_code), None

    def key(self, row: AgentView) -> str:
        return row.username

    def _locked(self, a: AgentView) -> bool:
        return a.locked_until is not None and a.locked_until > self._clock()

    def _state(self, a: AgentView) -> tuple[str, str]:
        if not a.active:
            return _("disabled"), "dim"
        if self._locked(a):
            return _("locked"), "bold reverse red"
        if a.failed_attempts:
            return _("{n} failed").format(n=lang_digits(str(a.failed_attempts))), "bold yellow"
        return _("active"), ""

    def cells(self, a: AgentView) -> list[Text]:
        state, style = self._state(a)
        now = self._clock()
        values = {
            "username": a.username,
            "name": a.full_name,
            "roles": listed(role_name(r) for r in sorted(a.roles)),
            "last": when_text(a.last_sign_in_at, now=now) if a.last_sign_in_at else "-",
            "state": state,
        }
        return self.values_cells(values, dim=not a.active, state=style)

    def detail(self, a: AgentView) -> list[Line]:
        now = self._clock()
        roles = listed(role_name(r) for r in sorted(a.roles))
        lines = [Line(_("Roles: {roles}").format(roles=roles))]
        language = _(LANGUAGES.get(a.language or "", LANGUAGES[""]))
        lines.append(
            Line(
                _("Center: {center} · Language: {language}").format(
                    center=a.center_code, language=language
                ),
                "detail--muted",
            )
        )
        said = [
            _("Last sign-in: {when}").format(
                when=when_text(a.last_sign_in_at, now=now) if a.last_sign_in_at else _("never")
            ),
            _("Failed attempts: {n}").format(n=lang_digits(str(a.failed_attempts))),
        ]
        if self._locked(a):
            assert a.locked_until is not None
            said.append(_("locked until {when}").format(when=when_text(a.locked_until, now=now)))
        lines.append(Line(" · ".join(said), "detail--warning" if self._locked(a) else ""))
        return lines

    def count_text(self) -> str:
        active = sum(1 for a in self.rows if a.active)
        return _("Users: {n}, active {active}").format(
            n=lang_digits(str(len(self.rows))), active=lang_digits(str(active))
        )

    # --- actions ------------------------------------------------------------------------------

    def action_new_row(self) -> None:
        self.open_user(UserDraft())

    def action_edit_row(self) -> None:
        a = self.current()
        if a is not None:
            self.open_user(UserDraft.of(a))

    def open_user(self, draft: UserDraft, error: str = "", field: str = "") -> None:
        dialog = UserDialog(draft, error=error, error_field=field)
        self.open(dialog, lambda d: self._save(d, dialog.current()))

    def _save(self, d: UserDraft, typed: UserDraft) -> None:
        actor = self.agent

        def job(s: Session) -> AgentView:
            if d.new:
                return add_agent(
                    s,
                    actor=actor,
                    username=d.username,
                    full_name=d.full_name,
                    password=d.password,
                    roles=d.roles,
                )
            update_agent(
                s,
                actor=actor,
                username=d.username,
                full_name=d.full_name,
                center_code=d.center,
                language=d.language,
            )
            return set_roles(s, actor=actor, username=d.username, roles=d.roles)

        def done(a: AgentView) -> tuple[str, str | None]:
            said = _("User {username} added.") if d.new else _("User {username} saved.")
            return said.format(username=a.username), a.username

        self.write(job, done, lambda text, field: self.open_user(typed, text, field))

    def action_toggle_active(self) -> None:
        a = self.current()
        if a is None:
            return
        change = enable_agent if not a.active else disable_agent
        actor = self.agent

        def done(view: AgentView) -> tuple[str, str | None]:
            said = (
                _("User {username} enabled.")
                if view.active
                else _("User {username} disabled: they can no longer sign in.")
            )
            return said.format(username=view.username), view.username

        self.write(lambda s: change(s, actor=actor, username=a.username), done)

    def action_unlock(self) -> None:
        a = self.current()
        if a is None:
            return
        if a.locked_until is None and not a.failed_attempts:
            self.say(_("User {username} is not locked.").format(username=a.username))
            return
        actor = self.agent
        self.write(
            lambda s: unlock_agent(s, actor=actor, username=a.username),
            lambda v: (_("User {username} unlocked.").format(username=v.username), v.username),
        )

    def action_reset_password(self) -> None:
        a = self.current()
        if a is not None:
            self.open_password(a.username)

    def open_password(self, username: str, error: str = "", _field: str = "") -> None:
        actor = self.agent

        def typed(password: str) -> None:
            self.write(
                lambda s: reset_password(s, actor=actor, username=username, password=password),
                lambda v: (
                    _("New password set for {username}.").format(username=v.username),
                    v.username,
                ),
                lambda text, field: self.open_password(username, text, field),
            )

        self.open(PasswordDialog(username, error=error), typed)
