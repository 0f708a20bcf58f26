"""`abfa-desk notices ...` and `abfa-desk incident list`: the notices machinery from a shell.

Thin, like the rest of the CLI: parse, open the engine, ask :mod:`db.notices` or
:mod:`db.incidents`, print. The local CLI is trusted like root (no sign-in), so it names the
center (``--center``; not needed when the database holds one center).

- ``notices send [--limit N]``: drain the outbox through each center's gateway; made for cron:
  safe to run concurrently or after a crash (nothing is sent twice), exit 1 when a center's
  gateway is misconfigured.
- ``notices export --channel ivr|web [--out PATH] [--json]``: write the texts of the active
  incidents for the IVR entry menu or the website, replacing the file atomically.
- ``incident list [--all]``: the active incidents (and closed ones) with their calls.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from console.i18n import _, current_language, lang_digits, ngettext
from console.i18n.intake_words import incident_kind_name

__all__ = ["incident_app", "notices_app"]

notices_app = typer.Typer(
    help="Notices: send the outbox, export the IVR and website texts.", no_args_is_help=True
)
incident_app = typer.Typer(help="Incidents: the active ones and their calls.", no_args_is_help=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database: a file path, sqlite:///PATH or postgresql://user@host/db."
    ),
]
CenterOption = Annotated[
    str | None, typer.Option("--center", help="Center code (not needed with one center).")
]


def describe_notice_error(exc) -> str:
    """A refused notices or incidents operation in the operator's words."""
    messages: dict[str, Callable[[], str]] = {
        "center_required": lambda: _("Several centers here: name one with --center."),
        "unknown_center": lambda: _("No center with code {code}.").format(**exc.params),
        "bad_channel": lambda: _("Channel must be ivr or web."),
        "gateway_config": lambda: _("The SMS gateway setting is not usable: {detail}").format(
            detail=exc.params.get("detail", "")
        ),
    }
    return messages.get(exc.reason, lambda: str(exc))()


@contextmanager
def notice_errors() -> Iterator[None]:
    """Known refusals as one readable line (on top of the CLI's own)."""
    from console.cli import clear_errors, fail
    from db.incidents import IncidentError
    from db.notices import NoticeError

    with clear_errors():
        try:
            yield
        except (NoticeError, IncidentError) as exc:
            fail(describe_notice_error(exc))


def _n(value: int) -> str:
    return lang_digits(str(value))


@notices_app.command("send")
def notices_send(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Send at most this many messages.")
    ] = None,
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """Send the queued messages and read delivery reports (safe to repeat, e.g. from cron)."""
    from console.cli import current_settings, open_engine, say
    from db.engine import session
    from db.notices import center_id_for, send_outbox

    settings = current_settings(ctx, db)
    with notice_errors():
        engine = open_engine(settings)
        center_id = None
        if center:
            with session(engine, write=False) as s:
                center_id = center_id_for(s, center)
        report = send_outbox(engine, center_id=center_id, limit=limit)
    say(
        _("Sent: {sent}. To retry later: {retried}. Failed: {failed}.").format(
            sent=_n(report.sent), retried=_n(report.retried), failed=_n(report.failed)
        )
    )
    if report.delivered or report.delivery_failed:
        say(
            _("Delivery reports: {delivered} delivered, {undelivered} not delivered.").format(
                delivered=_n(report.delivered), undelivered=_n(report.delivery_failed)
            )
        )
    if report.duplicates:
        say(
            _("Resent after an interruption, already with the provider: {count}.").format(
                count=_n(report.duplicates)
            )
        )
    if report.errors:
        from console.cli import fail
        from db.notices import NoticeError

        problems = [describe_notice_error(NoticeError(r, detail=d)) for _c, r, d in report.errors]
        fail(" ".join(dict.fromkeys(problems)))


@notices_app.command("export")
def notices_export(
    ctx: typer.Context,
    channel: Annotated[str, typer.Option("--channel", help="ivr or web.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File to write (default: abfa-desk-CHANNEL.txt or .json)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON instead of text.")] = False,
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """Write the IVR or website texts of the active incidents to a file."""
    from console.cli import current_settings, fail, open_engine, say
    from db.engine import session
    from db.notices import EXPORT_CHANNELS, center_id_for, current_texts, write_texts

    if channel not in EXPORT_CHANNELS:
        fail(_("Channel must be ivr or web."), code=2)
    path = out or Path(f"abfa-desk-{channel}.{'json' if as_json else 'txt'}")
    settings = current_settings(ctx, db)
    with notice_errors():
        engine = open_engine(settings)
        with session(engine, write=False) as s:
            texts = current_texts(
                s, actor=None, center_id=center_id_for(s, center), channel=channel
            )
        try:
            write_texts(path, texts, as_json=as_json)
        except OSError as exc:
            fail(_("Cannot write {path}: {error}").format(path=path, error=exc.strerror or exc))
    say(
        ngettext(
            "The text of {count} active incident written to {path}.",
            "The texts of {count} active incidents written to {path}.",
            len(texts),
        ).format(count=_n(len(texts)), path=path)
    )


@incident_app.command("list")
def incident_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Closed incidents too (latest 50).")] = False,
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """List the active incidents, with their expected restoration and their calls."""
    from console.cli import current_settings, open_engine, out, say, shown
    from db.engine import session
    from db.incidents import list_incidents
    from db.jalali import format_datetime
    from db.notices import center_id_for

    settings = current_settings(ctx, db)
    with notice_errors():
        engine = open_engine(settings)
        with session(engine, write=False) as s:
            page = list_incidents(
                s,
                actor=None,
                center_id=center_id_for(s, center),
                status=None if all_ else "active",
            )
    if not page.items:
        say(_("No active incident."))
        return
    lang = current_language()
    table = Table()
    for title in (_("Incident"), _("Kind"), _("Area"), _("Since"), _("Back by"), _("Calls")):
        table.add_column(shown(title))
    for i in page.items:
        back = (
            _("closed")
            if not i.active
            else format_datetime(i.expected_restoration_at, lang)
            if i.expected_restoration_at
            else _("not known")
        )
        table.add_row(
            shown(i.title),
            shown(incident_kind_name(i.kind)),
            shown(i.area_fa if lang == "fa" else i.area_en),
            format_datetime(i.started_at, lang),
            shown(back),
            _n(i.call_count),
        )
    out.print(table)
