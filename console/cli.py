"""The `abfa-desk` command. Thin: parse, build settings and engine, call db/ or run the app.

Every known failure (unreachable database, bad input) ends as one line on stderr and a
non-zero exit code, never a traceback.
"""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from console.i18n import N_, _, set_language
from console.i18n.rtl import set_bidi_mode
from console.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    name="abfa-desk",
    help="Contact-center console for the 122/1523 desks of water and wastewater companies.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema: upgrade and status.", no_args_is_help=True)
user_app = typer.Typer(help="Users (agents) and their roles.", no_args_is_help=True)
sla_app = typer.Typer(help="Service levels: escalate late requests.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(sla_app, name="sla")

out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database: a file path, sqlite:///PATH or postgresql://user@host/db."
    ),
]


def shown(text: str, stream=sys.stdout) -> str:
    """Persian made readable on a terminal that does not reorder it; logical order in a pipe."""
    from console.i18n.rtl import display

    return display(text) if stream.isatty() else text


def say(text: str) -> None:
    out.print(shown(text), highlight=False, markup=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(
        f"abfa-desk: {shown(message, sys.stderr)}",
        style="bold red",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    raise typer.Exit(code)


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn the failures people cause into one readable line."""
    from db.engine import DatabaseError

    try:
        yield
    except (DatabaseError, SettingsError) as exc:
        fail(str(exc))
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        # Imported only once something failed: db.accounts brings the models and SQLAlchemy,
        # which the console loads behind its sign-in form, not before it.
        from db.accounts import AccountError

        if isinstance(exc, AccountError):
            fail(describe_account_error(exc))
        raise


def describe_account_error(exc) -> str:
    messages: dict[str, Callable[[], str]] = {
        "bad_username": lambda: _("Username: use letters, digits, '.', '_' or '-' only."),
        "username_taken": lambda: _("User {username} already exists.").format(**exc.params),
        "unknown_role": lambda: _("Unknown role {role}. Roles are: {roles}.").format(
            role=exc.params.get("role", ""), roles=", ".join(ROLE_NAMES)
        ),
        "no_role": lambda: _("Give at least one role with --role."),
        "password_too_short": lambda: _(
            "The password must have at least {minimum} characters."
        ).format(**exc.params),
        "unknown_user": lambda: _("No user named {username}.").format(**exc.params),
        "unknown_center": lambda: str(exc),
        "center_required": lambda: str(exc),
        "permission_denied": lambda: _("You do not have permission for this."),
    }
    return messages.get(exc.code, lambda: str(exc))()


ROLE_NAMES = ("agent", "followup", "surveyor", "notifier", "supervisor", "admin")


def current_settings(ctx: typer.Context, db: str | None = None) -> Settings:
    parent: Settings = ctx.find_root().obj
    if db is None:
        return parent
    return parent.model_copy(update={"db": db})


def open_engine(settings: Settings, *, migrate: bool | None = None):
    """An engine on a database whose schema is current (the embedded default migrates itself)."""
    from db.engine import make_engine
    from db.migrate import ensure_current

    engine = make_engine(settings.database_url)
    auto = settings.uses_default_database if migrate is None else migrate
    ensure_current(engine, auto_upgrade=auto)
    return engine


@app.callback(invoke_without_command=True)
def main_command(
    ctx: typer.Context,
    db: DbOption = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the console: fa or en.")
    ] = None,
    bidi: Annotated[
        str | None,
        typer.Option(
            "--bidi", help="Who reorders Persian: app (default) or terminal (Konsole, PuTTY)."
        ),
    ] = None,
) -> None:
    """Open the console (with no command), or run a command."""
    try:
        settings = load_settings(db=db, lang=lang, bidi=bidi)
    except SettingsError as exc:
        fail(str(exc), code=2)
    set_language(settings.lang)
    set_bidi_mode(settings.bidi)
    ctx.obj = settings
    if ctx.invoked_subcommand is None:
        with clear_errors():
            run_console(settings)


def console_engine(settings: Settings):
    """An engine the console can sign in on: reachable, schema current, with at least one user."""
    from db.accounts import has_agents
    from db.engine import DatabaseError, session

    engine = open_engine(settings)
    with session(engine) as s:
        if not has_agents(s):
            raise DatabaseError(
                _("This database has no users yet. Run: abfa-desk demo, or abfa-desk user add.")
            )
    return engine


def on_a_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_console(settings: Settings) -> None:
    """Run the console; a database it cannot use ends as one line on stderr and exit code 1.

    On a terminal the sign-in form is drawn first and the database opened behind it, in the
    sign-in screen's worker: the database libraries take most of a second to load, and the agent
    can type meanwhile. If the database turns out unusable the console closes at once and the
    reason is printed, as it would have been before the console opened. Without a terminal
    nobody waits for a form, so the database is opened first.
    """
    from console.app import DeskApp

    if on_a_terminal():
        desk = DeskApp(open_engine=lambda: console_engine(settings), settings=settings)
    else:
        desk = DeskApp(engine=console_engine(settings), settings=settings)
    desk.run()
    if desk.startup_error is not None:
        fail(desk.startup_error)
    raise typer.Exit(desk.return_code or 0)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, db: DbOption = None) -> None:
    """Apply the schema migrations the database lacks."""
    from db.engine import make_engine
    from db.migrate import upgrade

    settings = current_settings(ctx, db)
    with clear_errors():
        status = upgrade(make_engine(settings.database_url))
    say(
        _("Database {url} is at schema {revision}.").format(url=status.url, revision=status.current)
    )


@db_app.command("status")
def db_status(ctx: typer.Context, db: DbOption = None) -> None:
    """Show the database and whether its schema is current (exit 1 if not)."""
    from db.engine import make_engine
    from db.migrate import schema_status

    settings = current_settings(ctx, db)
    with clear_errors():
        status = schema_status(make_engine(settings.database_url))
    say(_("Database: {url}").format(url=status.url))
    say(
        _("Schema: {current} (newest: {head})").format(
            current=status.current or _("none"), head=status.head
        )
    )
    if not status.up_to_date:
        fail(_("The schema is not current. Run: abfa-desk db upgrade"))


@app.command("demo")
def demo(
    ctx: typer.Context,
    db: DbOption = None,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same data.")
    ] = 1405,
    subscribers: Annotated[int, typer.Option(min=1, help="Number of subscribers.")] = 2000,
    calls: Annotated[int, typer.Option(min=0, help="Number of calls.")] = 20000,
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open the console.")] = False,
    reuse: Annotated[
        bool, typer.Option("--reuse", help="Keep a demo database that already exists.")
    ] = False,
) -> None:
    """Create or refresh a realistic demo database, then open the console."""
    from db.demo import demo_accounts
    from db.engine import make_engine

    settings = current_settings(ctx, db)
    with clear_errors():
        engine = make_engine(settings.database_url)
        if reuse and _holds_demo(engine):
            say(_("Demo database already there: {url}").format(url=_shown_url(engine)))
        else:
            _build_demo(engine, seed=seed, subscribers=subscribers, calls=calls)
            say(_("Demo database ready: {url}").format(url=_shown_url(engine)))
    table = Table(title=shown(_("Demo accounts")))
    for title in (_("Username"), _("Roles"), _("Password")):
        table.add_column(shown(title))
    for username, roles, password in demo_accounts():
        table.add_row(username, ", ".join(roles), password)
    out.print(table)
    if not no_open:
        with clear_errors():
            run_console(settings)


def _shown_url(engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _holds_demo(engine) -> bool:
    from db.accounts import has_agents
    from db.engine import session
    from db.migrate import schema_status

    if not schema_status(engine).up_to_date:
        return False
    with session(engine) as s:
        return has_agents(s)


def _build_demo(engine, *, seed: int, subscribers: int, calls: int) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from db.demo import build_demo

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        build_demo(engine, seed=seed, subscribers=subscribers, calls=calls, progress=progress)


def _roles(values: list[str]) -> list[str]:
    return [part for value in values for part in value.replace(",", " ").split()]


def _read_password(password: str | None) -> str:
    if password is not None:
        return password
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Username to sign in with.")],
    role: Annotated[
        list[str], typer.Option("--role", help=f"Role(s): {', '.join(ROLE_NAMES)}. Repeatable.")
    ],
    center: Annotated[str | None, typer.Option("--center", help="Center code.")] = None,
    full_name: Annotated[str, typer.Option("--full-name", help="Name shown on screen.")] = "",
    password: Annotated[
        str | None,
        typer.Option(help="Password; asked for when not given (read from stdin if not a tty)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a user with one or more roles."""
    from db.accounts import add_agent
    from db.engine import session

    settings = current_settings(ctx, db)
    with clear_errors():
        engine = open_engine(settings)
        secret = _read_password(password)
        with session(engine) as s:
            agent = add_agent(
                s,
                actor=None,
                username=name,
                full_name=full_name or name,
                password=secret,
                roles=_roles(role),
                center_code=center,
            )
    say(
        _("User {username} added ({roles}).").format(
            username=agent.username, roles=", ".join(sorted(agent.roles))
        )
    )


@user_app.command("passwd")
def user_passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Username.")],
    password: Annotated[
        str | None, typer.Option(help="New password; asked for when not given.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Set a user's password (and unlock the account)."""
    from db.accounts import set_password
    from db.engine import session

    settings = current_settings(ctx, db)
    with clear_errors():
        engine = open_engine(settings)
        secret = _read_password(password)
        with session(engine) as s:
            set_password(s, actor=None, username=name, password=secret)
    say(_("Password of {username} changed.").format(username=name.strip().lower()))


@user_app.command("list")
def user_list(ctx: typer.Context, db: DbOption = None) -> None:
    """List users, their roles and their last sign-in."""
    from db.accounts import list_agents
    from db.engine import session
    from db.jalali import format_datetime

    settings = current_settings(ctx, db)
    with clear_errors():
        engine = open_engine(settings)
        with session(engine) as s:
            agents = list_agents(s, actor=None)
    table = Table()
    for title in (_("Username"), _("Name"), _("Roles"), _("Center"), _("Last sign-in"), _("State")):
        table.add_column(shown(title))
    for agent in agents:
        state = _("active") if agent.active else _("disabled")
        last = format_datetime(agent.last_sign_in_at, "en") if agent.last_sign_in_at else "-"
        table.add_row(
            agent.username,
            agent.full_name,
            ", ".join(sorted(agent.roles)),
            agent.center_code,
            last,
            state,
        )
    out.print(table)


ESCALATED_MESSAGES: dict[str, str] = {
    "citizen": N_("Request {code} escalated to level {level}: the citizen's clock ran out."),
    "unit": N_("Request {code} escalated to level {level}: the unit's clock ran out."),
    "response": N_("Request {code} escalated to level {level}: the response clock ran out."),
}


@sla_app.command("tick")
def sla_tick(ctx: typer.Context, db: DbOption = None) -> None:
    """Escalate requests whose clock ran out and let go of expired claims (safe to repeat)."""
    from db.engine import session
    from db.followup import sla_tick as tick

    settings = current_settings(ctx, db)
    with clear_errors():
        engine = open_engine(settings)
        with session(engine) as s:
            report = tick(s)
    for step in report.escalated:
        message = ESCALATED_MESSAGES.get(step.clock, ESCALATED_MESSAGES["citizen"])
        say(_(message).format(code=step.tracking_code, level=step.to_level))
    say(
        _("Escalations: {escalations}. Expired claims let go: {claims}.").format(
            escalations=len(report.escalated), claims=report.expired_claims
        )
    )


# Each unit's commands live in a module of their own that uses this one's helpers (say, fail,
# the --db option); they are attached here, once everything they import is defined.
# cli_admin attaches its groups itself (import, category, unit, calendar, setting, audit).
from console import cli_admin, cli_feedback, cli_notices, cli_reports, cli_sync  # noqa: E402, F401

app.command("report")(cli_reports.report)
app.add_typer(cli_feedback.callbacks_app, name="callbacks")
app.add_typer(cli_feedback.surveys_app, name="surveys")
app.add_typer(cli_notices.notices_app, name="notices")
app.add_typer(cli_notices.incident_app, name="incident")
app.add_typer(cli_sync.sync_app, name="sync")


def main() -> None:
    app()
