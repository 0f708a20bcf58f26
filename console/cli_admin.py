"""The administrator's commands of `abfa-desk`, for scripting what the admin mode does.

`abfa-desk import subscribers FILE`, `user disable|enable|unlock|roles`, `category list|set`,
`unit list|set`, `calendar holidays import|list`, `setting list|set|clear` and `audit list`.
Thin like the rest of the CLI: parse, call `db.admin` (or `db.accounts`) as the local command
line (actor None, trusted like root), print. Refusals are one translated line on stderr; the
words for `db.admin`'s reason codes live in `console.i18n.admin_words`, shared with the admin mode.

Imported by `console.cli` for its side effect: the commands are added to its Typer app.
"""

import csv
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from console.cli import (
    ROLE_NAMES,
    DbOption,
    _roles,
    app,
    clear_errors,
    current_settings,
    err,
    fail,
    open_engine,
    out,
    say,
    shown,
    user_app,
)
from console.i18n import N_, _, current_language, lang_digits
from console.i18n.admin_words import ACCOUNT_MESSAGES, describe_admin_error, row_reason

import_app = typer.Typer(help="Import data from other systems.", no_args_is_help=True)
category_app = typer.Typer(help="Request categories: list and change.", no_args_is_help=True)
unit_app = typer.Typer(help="Operational units: list and change.", no_args_is_help=True)
calendar_app = typer.Typer(help="SLA calendars.", no_args_is_help=True)
holidays_app = typer.Typer(help="Official holidays of a calendar.", no_args_is_help=True)
setting_app = typer.Typer(help="A center's settings: list, set, clear.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail: who changed what.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(category_app, name="category")
app.add_typer(unit_app, name="unit")
app.add_typer(calendar_app, name="calendar")
calendar_app.add_typer(holidays_app, name="holidays")
app.add_typer(setting_app, name="setting")
app.add_typer(audit_app, name="audit")

CenterOption = Annotated[
    str | None,
    typer.Option("--center", help="Center code (needed when the database holds several)."),
]

#: Exit code of an import that skipped some lines (0: every line imported; 1: refused).
EXIT_SKIPPED = 3
SHOWN_BAD_ROWS = 20


@contextmanager
def admin_errors() -> Iterator[None]:
    """clear_errors, plus the refusals of db.admin and the newer account codes."""
    from db.accounts import AccountError
    from db.admin import AdminError

    with clear_errors():
        try:
            yield
        except AdminError as exc:
            fail(describe_admin_error(exc))
        except AccountError as exc:
            if exc.code not in ACCOUNT_MESSAGES:
                raise
            fail(ACCOUNT_MESSAGES[exc.code](exc.params))


def _engine(ctx: typer.Context, db: str | None):
    return open_engine(current_settings(ctx, db))


def _table(*titles: str) -> Table:
    """A table whose first column (a code, a line number, a date) never wraps."""
    table = Table()
    for index, title in enumerate(titles):
        table.add_column(shown(title), no_wrap=index == 0)
    return table


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# import subscribers ------------------------------------------------------------------------


def _write_errors(path: Path, report) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["line", "kind", "reason", "field", "detail", "value", "subscription_no"])
        for b in report.bad_rows:
            writer.writerow([b.line, "error", b.reason, b.field, b.detail, b.value, b.key])
        for w in report.warnings:
            writer.writerow([w.line, "warning", w.reason, w.field, "", w.value, w.key])


@import_app.command("subscribers")
def import_subscribers(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The billing system's CSV export.")],
    center: CenterOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count everything, write nothing.")
    ] = False,
    area_code: Annotated[
        str | None, typer.Option("--area-code", help="Area code for 8-digit landlines, e.g. 31.")
    ] = None,
    errors: Annotated[
        Path | None, typer.Option("--errors", help="Write every skipped line to this CSV file.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Import subscribers from CSV: new ones added, known ones updated, bad lines reported.

    Exit code 0 when every line was imported, 3 when some were skipped, 1 when refused."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from db.admin import import_subscribers as run_import
    from db.engine import session

    with admin_errors():
        engine = _engine(ctx, db)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with (
            Progress(*columns, console=err, transient=True) as bar,
            session(engine, write=not dry_run) as s,
        ):
            task = bar.add_task(shown(_("Subscribers"), err.file), total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = run_import(
                s,
                actor=None,
                path=file,
                center_code=center,
                dry_run=dry_run,
                progress=progress,
                default_area=area_code,
            )
    _print_import(report, errors)
    if report.skipped:
        raise typer.Exit(EXIT_SKIPPED)


def _print_import(report, errors: Path | None) -> None:
    n = lang_digits
    say(_("Read {rows} lines of {path}.").format(rows=n(str(report.rows)), path=report.path))
    say(
        _(
            "Added {inserted}, updated {updated}, unchanged {unchanged}, skipped {skipped}; "
            "{phones} phone numbers added."
        ).format(
            inserted=n(str(report.inserted)),
            updated=n(str(report.updated)),
            unchanged=n(str(report.unchanged)),
            skipped=n(str(report.skipped)),
            phones=n(str(report.phones_added)),
        )
    )
    if report.ignored_columns:
        say(_("Columns ignored: {columns}.").format(columns=", ".join(report.ignored_columns)))
    if report.warning_count:
        say(
            _("{count} lines were imported with a warning.").format(
                count=n(str(report.warning_count))
            )
        )
    if report.bad_rows:
        table = _table(_("Line"), _("Subscription"), _("Column"), _("Reason"), _("Value"))
        for b in report.bad_rows[:SHOWN_BAD_ROWS]:
            table.add_row(
                n(str(b.line)), b.key, b.field, shown(row_reason(b.reason, b.detail)), b.value
            )
        out.print(table)
        if report.skipped > SHOWN_BAD_ROWS and errors is None:
            say(
                _("{count} more skipped lines: write them all with --errors FILE.").format(
                    count=n(str(report.skipped - SHOWN_BAD_ROWS))
                )
            )
    if errors is not None and (report.bad_rows or report.warnings):
        _write_errors(errors, report)
        say(_("Skipped lines and warnings written to {path}.").format(path=errors))
    if report.dry_run:
        say(_("Dry run: nothing was written."))


# users -------------------------------------------------------------------------------------


def _user_command(operation: str, done: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="Username.")],
        db: DbOption = None,
    ) -> None:
        from db import accounts
        from db.engine import session

        with admin_errors():
            engine = _engine(ctx, db)
            with session(engine) as s:
                getattr(accounts, operation)(s, actor=None, username=name)
        say(_(done).format(username=name.strip().lower()))

    return command


DONE_MESSAGES = {
    "disable": N_("User {username} disabled: they can no longer sign in."),
    "enable": N_("User {username} enabled."),
    "unlock": N_("User {username} unlocked."),
}
for _name, _operation, _help in (
    ("disable", "disable_agent", "Disable a user: no more sign-ins; their history stays."),
    ("enable", "enable_agent", "Enable a disabled user."),
    ("unlock", "unlock_agent", "Unlock a user locked after failed sign-ins."),
):
    user_app.command(_name, help=_help)(_user_command(_operation, DONE_MESSAGES[_name]))


@user_app.command("roles")
def user_roles(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Username.")],
    role: Annotated[
        list[str], typer.Option("--role", help=f"Role(s): {', '.join(ROLE_NAMES)}. Repeatable.")
    ],
    db: DbOption = None,
) -> None:
    """Replace a user's roles."""
    from db.accounts import set_roles
    from db.engine import session

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine) as s:
            agent = set_roles(s, actor=None, username=name, roles=_roles(role))
    say(
        _("Roles of {username}: {roles}.").format(
            username=agent.username, roles=", ".join(sorted(agent.roles))
        )
    )


# categories and units ----------------------------------------------------------------------


@category_app.command("list")
def category_list(
    ctx: typer.Context,
    center: CenterOption = None,
    all_: Annotated[bool, typer.Option("--all", help="Inactive categories too.")] = False,
    db: DbOption = None,
) -> None:
    """List categories with their unit, clock and targets (minutes)."""
    from db.admin import list_categories
    from db.engine import session

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine, write=False) as s:
            rows = list_categories(s, actor=None, center_code=center, include_inactive=all_)
    fa = current_language() == "fa"
    table = _table(
        _("Code"), _("Name"), _("Priority"), _("Unit"), _("Clock"), _("Response"), _("Resolution")
    )
    for c in rows:
        name = c.name_fa if fa else c.name_en
        if not c.active:
            name += " (" + _("inactive") + ")"
        table.add_row(
            c.code,
            shown(name),
            lang_digits(str(c.priority)),
            c.default_unit_code or "-",
            c.calendar_code,
            lang_digits(str(c.response_minutes)),
            lang_digits(str(c.resolution_minutes)),
        )
    out.print(table)


@category_app.command("set")
def category_set(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Category code.")],
    name_fa: Annotated[str | None, typer.Option("--name-fa")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en")] = None,
    group: Annotated[str | None, typer.Option("--group")] = None,
    priority: Annotated[
        int | None, typer.Option("--priority", help="1 (most urgent) to 4.")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Default unit code; '' for none.")
    ] = None,
    calendar: Annotated[str | None, typer.Option("--calendar", help="Calendar code.")] = None,
    response: Annotated[int | None, typer.Option("--response", help="Minutes.")] = None,
    resolution: Annotated[int | None, typer.Option("--resolution", help="Minutes.")] = None,
    required: Annotated[
        str | None, typer.Option("--required", help="Required intake fields, comma separated.")
    ] = None,
    order: Annotated[int | None, typer.Option("--order", help="Position at intake.")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """Change a category; options not given stay as they are."""
    from db.admin import UNSET, update_category
    from db.engine import session

    def given(value: Any) -> Any:
        return UNSET if value is None else value

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine) as s:
            view = update_category(
                s,
                actor=None,
                code=code,
                center_code=center,
                name_fa=given(name_fa),
                name_en=given(name_en),
                group=given(group),
                priority=given(priority),
                unit_code=given(unit),
                calendar_code=given(calendar),
                response_minutes=given(response),
                resolution_minutes=given(resolution),
                required_fields=UNSET if required is None else required.split(","),
                sort_order=given(order),
                active=given(active),
            )
    say(_("Category {code} saved.").format(code=view.code))


@unit_app.command("list")
def unit_list(ctx: typer.Context, center: CenterOption = None, db: DbOption = None) -> None:
    """List units with the districts they serve."""
    from db.admin import list_units
    from db.engine import session

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine, write=False) as s:
            rows = list_units(s, actor=None, center_code=center)
    fa = current_language() == "fa"
    table = _table(_("Code"), _("Name"), _("Phone"), _("Districts"), _("Active"))
    for u in rows:
        table.add_row(
            u.code,
            shown(u.name_fa if fa else u.name_en),
            lang_digits(u.phone or "-"),
            ", ".join(u.district_codes),
            _yes_no(u.active),
        )
    out.print(table)


@unit_app.command("set")
def unit_set(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Unit code.")],
    name_fa: Annotated[str | None, typer.Option("--name-fa")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="'' to clear.")] = None,
    districts: Annotated[
        str | None, typer.Option("--districts", help="District codes served, comma separated.")
    ] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """Change a unit; options not given stay as they are."""
    from db.admin import UNSET, set_unit_districts, update_unit
    from db.engine import session

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine) as s:
            update_unit(
                s,
                actor=None,
                code=code,
                center_code=center,
                name_fa=UNSET if name_fa is None else name_fa,
                name_en=UNSET if name_en is None else name_en,
                phone=UNSET if phone is None else (phone or None),
                active=UNSET if active is None else active,
            )
            if districts is not None:
                codes = [c.strip() for c in districts.split(",") if c.strip()]
                set_unit_districts(
                    s, actor=None, code=code, district_codes=codes, center_code=center
                )
    say(_("Unit {code} saved.").format(code=code))


# holidays ----------------------------------------------------------------------------------

CalendarOption = Annotated[str, typer.Option("--calendar", help="Calendar code, e.g. office.")]


@holidays_app.command("import")
def holidays_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV: Jalali date,name (1405/01/01,نوروز).")],
    calendar: CalendarOption = "office",
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Remove the calendar's other holidays of the same years."),
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only, write nothing.")] = False,
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """Import a published holiday list (Jalali dates) into a calendar."""
    from db.admin import import_holidays
    from db.engine import session

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine, write=not dry_run) as s:
            report = import_holidays(
                s,
                actor=None,
                code=calendar,
                path=file,
                replace=replace,
                dry_run=dry_run,
                center_code=center,
            )
    n = lang_digits
    say(
        _(
            "Holidays: {added} added, {renamed} renamed, {removed} removed, {unchanged} unchanged."
        ).format(
            added=n(str(len(report.added))),
            renamed=n(str(len(report.renamed))),
            removed=n(str(len(report.removed))),
            unchanged=n(str(report.unchanged)),
        )
    )
    for b in report.bad_rows:
        say(
            _("Line {line} skipped: {reason} ({value}).").format(
                line=n(str(b.line)), reason=row_reason(b.reason, b.detail), value=b.value
            )
        )
    if dry_run:
        say(_("Dry run: nothing was written."))
    if report.bad_rows:
        raise typer.Exit(EXIT_SKIPPED)


@holidays_app.command("list")
def holidays_list(
    ctx: typer.Context,
    calendar: CalendarOption = "office",
    year: Annotated[int | None, typer.Option("--year", help="Jalali year, e.g. 1405.")] = None,
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """List a calendar's holidays."""
    from db.admin import list_holidays
    from db.engine import session
    from db.jalali import format_date

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine, write=False) as s:
            rows = list_holidays(s, actor=None, code=calendar, year=year, center_code=center)
    lang = current_language()
    table = _table(_("Date"), _("Holiday"))
    for h in rows:
        table.add_row(format_date(h.day, lang), shown(h.name))
    out.print(table)


# settings and the audit trail --------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@setting_app.command("list")
def setting_list(ctx: typer.Context, center: CenterOption = None, db: DbOption = None) -> None:
    """List every setting, its value and its default."""
    from db.admin import list_settings
    from db.engine import session

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine, write=False) as s:
            rows = list_settings(s, actor=None, center_code=center)
    table = _table(_("Setting"), _("Value"), _("Default"))
    for v in rows:
        table.add_row(v.key, _json(v.value) if v.is_set else "-", _json(v.default))
    out.print(table)


@setting_app.command("set")
def setting_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Setting key, e.g. followup.claim_minutes.")],
    value: Annotated[str, typer.Argument(help='A JSON value: 45, 0.3, [0,1,2], {...}, "text".')],
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """Set a setting of the center (checked before it is stored)."""
    from db.admin import set_setting
    from db.engine import session

    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = value  # a bare word is a text
    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine) as s:
            view = set_setting(s, actor=None, key=key, value=parsed, center_code=center)
    say(_("{key} = {value}").format(key=view.key, value=_json(view.value)))


@setting_app.command("clear")
def setting_clear(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Setting key.")],
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """Remove a setting's value, so its default applies again."""
    from db.admin import clear_setting
    from db.engine import session

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine) as s:
            view = clear_setting(s, actor=None, key=key, center_code=center)
    say(_("{key} is back to its default: {value}").format(key=view.key, value=_json(view.default)))


def _changes_text(changes: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}: {_json(v[0])} → {_json(v[1])}" for k, v in changes.items())


@audit_app.command("list")
def audit_list(
    ctx: typer.Context,
    entity: Annotated[
        str | None, typer.Option("--entity", help="unit, category, agent, subscriber...")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Changes made by this user.")] = None,
    action: Annotated[str | None, typer.Option("--action", help="e.g. category_changed.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    center: CenterOption = None,
    db: DbOption = None,
) -> None:
    """Show the newest audit rows: when, who, what, and what changed from what to what."""
    from db.admin import read_audit
    from db.engine import session
    from db.jalali import format_datetime

    with admin_errors():
        engine = _engine(ctx, db)
        with session(engine, write=False) as s:
            page = read_audit(
                s,
                actor=None,
                center_code=center,
                entity=entity,
                actor_username=user,
                action=action,
                limit=limit,
            )
    lang = current_language()
    table = _table(_("When"), _("Who"), _("Action"), _("Changes"))
    for row in page.rows:
        table.add_row(
            format_datetime(row.at, lang),
            row.actor_username or "-",
            row.action,
            shown(_changes_text(row.changes) or row.detail),
        )
    out.print(table)
