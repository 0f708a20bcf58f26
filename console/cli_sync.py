"""`abfa-desk sync ...`: a rural center's file and the provincial database kept in step.

Thin, like the rest of the CLI: parse, open the engines, ask :mod:`db.sync`, print.

- ``sync --to URL [--center CODE] [--batch N]``: on the center's computer, when the link to
  the province is up: receive, then send, with progress per table. Safe to repeat and to
  kill (run it again). ``--center`` only the first time, on a file that has no center yet.
- ``sync export FILE [--for CODE]``: the same as a signed file, for a link that never comes:
  on the center, its changes for the province; on the province with ``--for``, what that
  center lacks. ``sync import FILE``: apply a bundle from the other side (refused whole if it
  was changed, cut short, signed with another key or written by another version).
  The signing key both sides share is the environment variable ABFA_DESK_SYNC_KEY.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from console.i18n import N_, _, lang_digits

__all__ = ["sync_app"]

KEY_ENV = "ABFA_DESK_SYNC_KEY"

sync_app = typer.Typer(
    help="Rural centers offline: sync with the province, or carry a signed bundle file.",
    invoke_without_command=True,
    no_args_is_help=False,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database: a file path, sqlite:///PATH or postgresql://user@host/db."
    ),
]
BatchOption = Annotated[
    int, typer.Option("--batch", min=1, help="Records per transaction (smaller: finer resume).")
]

TABLE_NAMES: dict[str, str] = {
    "centers": N_("centers"),
    "districts": N_("districts"),
    "units": N_("units"),
    "agents": N_("users"),
    "center_settings": N_("settings"),
    "calendars": N_("calendars"),
    "categories": N_("categories"),
    "canned_answers": N_("ready answers"),
    "questionnaires": N_("questionnaires"),
    "notice_templates": N_("notice templates"),
    "subscribers": N_("subscribers"),
    "tracking_sequences": N_("tracking numbers"),
    "incidents": N_("incidents"),
    "tickets": N_("requests"),
    "calls": N_("calls"),
    "callbacks": N_("callbacks"),
    "surveys": N_("surveys"),
    "campaigns": N_("campaigns"),
    "outbox_messages": N_("outgoing messages"),
    "inbound_messages": N_("incoming messages"),
    "audit_log": N_("audit trail"),
}

STAGES: dict[str, str] = {
    "pull": N_("Receiving {table}"),
    "push": N_("Sending {table}"),
    "export": N_("Writing {table}"),
    "import": N_("Applying {table}"),
}
SCANS: dict[str, str] = {
    "pull": N_("Comparing the province's data"),
    "push": N_("Comparing this center's data"),
    "export": N_("Comparing"),
    "import": N_("Comparing"),
}


def _n(value: int | str) -> str:
    return lang_digits(str(value))


def table_name(name: str) -> str:
    return _(TABLE_NAMES[name]) if name in TABLE_NAMES else name


def stage_label(stage: str) -> str:
    """A progress stage of db.sync ("pull:tickets") in the operator's words."""
    direction, _sep, table = stage.partition(":")
    if table == "scan":
        return _(SCANS.get(direction, N_("Comparing")))
    template = STAGES.get(direction)
    return _(template).format(table=table_name(table)) if template else stage


def describe_sync_error(exc) -> str:
    """A refused sync in the operator's words, one line."""
    p = exc.params
    schema = {
        "local": N_("This database is at schema {found}; this program needs {needed}. "
                    "Run: abfa-desk db upgrade"),
        "remote": N_("The province's database is at schema {found}; this program needs "
                     "{needed}. Both sides must run the same version of abfa-desk."),
        "bundle": N_("The bundle was written at schema {found}; this program needs {needed}. "
                     "Both sides must run the same version of abfa-desk."),
    }  # fmt: skip
    messages: dict[str, Callable[[], str]] = {
        "schema_mismatch": lambda: _(schema.get(p.get("where"), schema["local"])).format(
            found=p.get("found", "-"), needed=p.get("needed", "-")
        ),
        "center_required": lambda: _(
            "Several centers, or none, in this database: name the center with --center CODE "
            "(on the province: sync export FILE --for CODE)."
        ),
        "unknown_center": lambda: _("No center with code {code}.").format(**p),
        "wrong_side": lambda: (
            _("This database is a center's own file: it cannot act as the province.")
            if p.get("side") == "center"
            else _("This is the province's database: run the sync on the center's own file.")
        ),
        "other_center": lambda: _("This database belongs to center {here}, not {center}.").format(
            here=p.get("here", ""), center=p.get("center", "")
        ),
        "no_key": lambda: _("No sync key: set {env} to the key shared with the province.").format(
            env=KEY_ENV
        ),
        "key_too_short": lambda: _("The sync key must have at least {minimum} characters.").format(
            minimum=_n(p.get("minimum", 16))
        ),
        "not_a_bundle": lambda: _("This file is not an abfa-desk sync bundle."),
        "truncated": lambda: _(
            "The bundle is cut short (copied only in part?) and was refused. Export it again."
        ),
        "tampered": lambda: _(
            "The bundle was changed, or signed with another key, and was refused."
        ),
        "own_bundle": lambda: _("This bundle was written here: import it on the other side."),
        "unreachable": lambda: _("Cannot reach the province's database: {detail}").format(
            detail=p.get("detail", "")
        ),
    }
    return messages.get(exc.reason, lambda: str(exc))()


@contextmanager
def sync_errors() -> Iterator[None]:
    from console.cli import clear_errors, fail
    from db.sync import SyncError

    with clear_errors():
        try:
            yield
        except SyncError as exc:
            fail(describe_sync_error(exc))


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """Per-table progress on the terminal (stderr), gone when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from console.cli import err, shown

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            key = stage.partition(":")[0] if stage.endswith(":scan") else stage
            label = shown(stage_label(stage))
            if key not in tasks:
                for task in tasks.values():
                    bar.update(task, visible=False)
                tasks[key] = bar.add_task(label, total=total)
            bar.update(tasks[key], completed=done, total=total, description=label)

        yield progress


def _local_engine(settings):
    """The center's database; a new empty file (or the default one) is made current first."""
    from db.engine import make_engine
    from db.migrate import schema_status, upgrade

    engine = make_engine(settings.database_url)
    if settings.uses_default_database or schema_status(engine).current is None:
        upgrade(engine)
    return engine


def _key() -> bytes:
    from db.sync import sync_key

    return sync_key(os.environ.get(KEY_ENV, ""))


def _report_failures(failed: list[tuple[str, str, str]]) -> None:
    from console.cli import fail, say

    if not failed:
        return
    for table, key, reason in failed[:20]:
        say(f"  {table_name(table)} {key}: {reason}")
    fail(
        _("{count} records could not be applied; they will be tried again next time.").format(
            count=_n(len(failed))
        )
    )


def _report_merges(conflicts: int, kept: int) -> None:
    from console.cli import say

    if conflicts:
        say(
            _(
                "Requests changed on both sides: {count}. Both histories were kept; "
                "see the request's timeline."
            ).format(count=_n(conflicts))
        )
    if kept:
        say(
            _("Deletions not made because the record is still used here: {count}.").format(
                count=_n(kept)
            )
        )


@sync_app.callback(invoke_without_command=True)
def sync(
    ctx: typer.Context,
    to: Annotated[
        str | None,
        typer.Option("--to", help="The province's database: postgresql://user@host/db."),
    ] = None,
    center: Annotated[
        str | None,
        typer.Option("--center", help="Center code (only the first time, on a new file)."),
    ] = None,
    batch: BatchOption = 200,
    db: DbOption = None,
) -> None:
    """Sync this center's database with the province's, both ways (safe to repeat)."""
    if ctx.invoked_subcommand is not None:
        return
    from console.cli import current_settings, fail, say
    from db.engine import make_engine
    from db.sync import sync_online

    if not to:
        fail(
            _(
                "Name the province's database with --to URL, or carry a file with "
                "sync export and sync import."
            ),
            code=2,
        )
    settings = current_settings(ctx, db)
    with sync_errors():
        local = _local_engine(settings)
        remote = make_engine(to)
        with progress_bar() as progress:
            report = sync_online(
                local,
                remote,
                center_code=center,
                batch_size=batch,
                progress=progress,
                peer=remote.url.render_as_string(hide_password=True),
            )
    got, sent = report.received, report.sent
    say(_("Center {code} synced with the province.").format(code=report.center_code))
    say(
        _("Received: {records} records, {written} changed here.").format(
            records=_n(got.records), written=_n(got.written)
        )
    )
    say(
        _("Sent: {records} records, {written} changed at the province.").format(
            records=_n(sent.records), written=_n(sent.written)
        )
    )
    seconds = got.seconds + sent.seconds
    rows = got.rows + sent.rows
    if rows:
        say(
            _("{rows} rows in {seconds} seconds.").format(
                rows=_n(rows), seconds=_n(f"{seconds:.1f}")
            )
        )
    _report_merges(report.conflicts, got.kept + sent.kept)
    _report_failures(report.failed)


@sync_app.command("export")
def sync_export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The bundle file to write.")],
    for_center: Annotated[
        str | None,
        typer.Option("--for", help="On the province: the center the bundle is for (code)."),
    ] = None,
    batch: BatchOption = 200,
    db: DbOption = None,
) -> None:
    """Write a signed bundle of what the other side lacks (key: ABFA_DESK_SYNC_KEY)."""
    from console.cli import current_settings, fail, say
    from db.sync import export_bundle

    settings = current_settings(ctx, db)
    with sync_errors():
        key = _key()
        engine = _local_engine(settings)
        with progress_bar() as progress:
            try:
                report = export_bundle(
                    engine,
                    file,
                    key=key,
                    for_center=for_center,
                    batch_size=batch,
                    progress=progress,
                )
            except OSError as exc:
                fail(_("Cannot write {path}: {error}").format(path=file, error=exc.strerror or exc))
    say(
        _("Bundle written: {path} ({records} records, center {code}).").format(
            path=file, records=_n(report.records), code=report.center_code
        )
    )
    if not report.records:
        say(_("Nothing new to send; the file still tells the other side what arrived here."))


@sync_app.command("import")
def sync_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The bundle file from the other side.")],
    batch: BatchOption = 200,
    db: DbOption = None,
) -> None:
    """Apply a signed bundle from the other side (safe to repeat)."""
    from console.cli import current_settings, fail, say
    from db.sync import import_bundle

    if not file.is_file():
        fail(_("No such file: {path}").format(path=file))
    settings = current_settings(ctx, db)
    with sync_errors():
        key = _key()
        engine = _local_engine(settings)
        with progress_bar() as progress:
            report = import_bundle(engine, file, key=key, batch_size=batch, progress=progress)
    if report.already_applied:
        say(_("This bundle was applied before; nothing changed."))
        return
    applied = report.applied
    assert applied is not None
    say(
        _("Bundle applied: {records} records for center {code}, {written} changed here.").format(
            records=_n(report.records), code=report.center_code, written=_n(applied.written)
        )
    )
    _report_merges(applied.conflicts, applied.kept)
    _report_failures(applied.failed)
