"""`abfa-desk callbacks ...` and `abfa-desk surveys ...`: the callbacks desk from a shell.

Thin, like the rest of the CLI: parse, open a session, ask :mod:`db.feedback`, print. The local
CLI is trusted like root (no sign-in), so it names the center (``--center``; not needed when the
database holds one center).

- ``callbacks due``: the surveyor's worklist, oldest due first, with what to tell each caller.
- ``surveys read-replies``: read the SMS replies waiting at the gateway (cron-safe: a reply is
  never stored or matched twice), match them to their surveys, and list what needs a person.
- ``surveys install-default``: give a center the starting questionnaire.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from console.i18n import N_, _, current_language, lang_digits

__all__ = ["callbacks_app", "surveys_app"]

callbacks_app = typer.Typer(help="Callbacks: the surveyor's worklist.", no_args_is_help=True)
surveys_app = typer.Typer(help="Surveys: SMS replies and the questionnaire.", no_args_is_help=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database: a file path, sqlite:///PATH or postgresql://user@host/db."
    ),
]
CenterOption = Annotated[
    str | None, typer.Option("--center", help="Center code (not needed with one center).")
]

#: Why a reply waits for a person (the inbound message's status).
FLAG_NAMES: dict[str, str] = {
    "no_code": N_("no survey code"),
    "unknown_code": N_("unknown survey code"),
    "already_done": N_("survey already answered"),
    "bad_format": N_("too few or too many numbers"),
    "bad_value": N_("a number off its scale"),
    "wrong_sender": N_("sent from another phone"),
}

SCRIPT_WIDTH = 60


def describe_feedback_error(exc) -> str:
    """A refused feedback operation in the operator's words."""
    messages: dict[str, Callable[[], str]] = {
        "center_required": lambda: _("Several centers here: name one with --center."),
        "unknown_center": lambda: _("No center with code {code}.").format(**exc.params),
        "not_found": lambda: _("Not found."),
        "no_questionnaire": lambda: _("No questionnaire fits this request."),
    }
    return messages.get(exc.reason, lambda: str(exc))()


@contextmanager
def feedback_errors() -> Iterator[None]:
    """Known refusals as one readable line (on top of the CLI's own)."""
    from console.cli import clear_errors, fail
    from db.feedback import FeedbackError

    with clear_errors():
        try:
            yield
        except FeedbackError as exc:
            fail(describe_feedback_error(exc))


def _cell(text: str) -> str:
    from console.cli import shown

    return shown(text)


def _when(value) -> str:
    from db.jalali import format_datetime

    return format_datetime(value, current_language())


def _short(text: str, width: int = SCRIPT_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@callbacks_app.command("due")
def callbacks_due(
    ctx: typer.Context,
    center: CenterOption = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many rows.")] = 50,
    db: DbOption = None,
) -> None:
    """List the callbacks due now, oldest first, with what to tell each caller."""
    from console.cli import current_settings, open_engine, out, say
    from db.engine import session
    from db.feedback import center_for, due_callbacks

    settings = current_settings(ctx, db)
    with feedback_errors():
        engine = open_engine(settings)
        with session(engine, write=False) as s:
            page = due_callbacks(s, actor=None, center_id=center_for(s, center), limit=limit)
    if not page.rows:
        say(_("No callbacks are due."))
        return
    fa = current_language() == "fa"
    table = Table(
        title=_cell(_("Callbacks due: {count}").format(count=lang_digits(str(page.total_due))))
    )
    # Codes, phones and times are read out or keyed in: never wrapped.
    for title, keep in (
        (_("Due"), True),
        (_("Request"), True),
        (_("Category"), False),
        (_("Name"), False),
        (_("Phone"), True),
        (_("Tries"), True),
        (_("What to tell"), False),
    ):
        table.add_column(_cell(title), no_wrap=keep)
    for row in page.rows:
        category = (row.category_name_fa if fa else row.category_name_en) or row.incident_title
        table.add_row(
            _when(row.due_at),
            row.tracking_code or "-",
            _cell(category),
            _cell(row.name or "-"),
            row.phone,
            lang_digits(str(row.attempt_count)),
            _cell(_short(row.script)),
        )
    out.print(table)
    if page.next_cursor is not None:
        say(
            _("Showing the oldest {shown}; use --limit to see more.").format(
                shown=lang_digits(str(len(page.rows)))
            )
        )


@surveys_app.command("read-replies")
def surveys_read_replies(
    ctx: typer.Context,
    center: CenterOption = None,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Only match replies already stored.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Read survey replies from the SMS gateway, match them, and list those for a person."""
    from sqlmodel import select

    from console.cli import current_settings, open_engine, out, say
    from db.engine import session
    from db.feedback import archive, center_for, fetch_inbox, read_replies
    from db.jalali import now_utc
    from db.models import Center

    settings = current_settings(ctx, db)
    with feedback_errors():
        engine = open_engine(settings)
        with session(engine, write=False) as s:
            centers = [center_for(s, center)] if center else list(s.exec(select(Center.id)))
        for center_id in centers if not no_fetch else []:
            with session(engine) as s:
                batch = fetch_inbox(s, center_id, now=now_utc())
            archive(batch)  # only once the replies are committed
            if batch.problem:
                say(
                    _("The gateway's inbox could not be read: {problem}").format(
                        problem=batch.problem
                    )
                )
        reports = []
        for center_id in centers:
            with session(engine) as s:
                reports.append(read_replies(s, actor=None, center_id=center_id, now=now_utc()))
    matched = sum(len(r.matched) for r in reports)
    flagged = [reply for r in reports for reply in r.flagged]
    for r in reports:
        for code in r.closed:
            say(_("Request {code} closed: the subscriber says it is resolved.").format(code=code))
        for code in r.reopened:
            say(
                _(
                    "Request {code} reopened as a complaint: the subscriber says it is not "
                    "resolved."
                ).format(code=code)
            )
    say(
        _("Replies read: {read}. Matched: {matched}. Waiting for a person: {flagged}.").format(
            read=lang_digits(str(matched + len(flagged))),
            matched=lang_digits(str(matched)),
            flagged=lang_digits(str(len(flagged))),
        )
    )
    if flagged:
        table = Table(title=_cell(_("Replies waiting for a person")))
        for title in (_("Received"), _("From"), _("Why"), _("Text")):
            table.add_column(_cell(title))
        for reply in flagged:
            why = _(FLAG_NAMES[reply.status]) if reply.status in FLAG_NAMES else reply.status
            table.add_row(
                _when(reply.received_at), reply.sender, _cell(why), _cell(_short(reply.body))
            )
        out.print(table)


@surveys_app.command("install-default")
def surveys_install_default(
    ctx: typer.Context, center: CenterOption = None, db: DbOption = None
) -> None:
    """Give the center the starting questionnaire (kept if it has one already)."""
    from console.cli import current_settings, open_engine, say
    from db.engine import session
    from db.feedback import center_for, install_default_questionnaire

    settings = current_settings(ctx, db)
    with feedback_errors():
        engine = open_engine(settings)
        with session(engine) as s:
            view = install_default_questionnaire(s, actor=None, center_id=center_for(s, center))
    say(
        _("Questionnaire {code} is ready with {count} questions.").format(
            code=view.code, count=lang_digits(str(len(view.questions)))
        )
    )
