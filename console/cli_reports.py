"""`abfa-desk report NAME`: the center's numbers as a table, csv, json or xlsx.

Thin, like the rest of the CLI: parse, open a scope in ``db.reports`` (which checks who may
read reports and masks personal data), compute one figure, write it.

- ``table``: a Rich table for a person at a terminal, in the console's language (Persian
  headings and digits by default), columns mirrored for Persian when the app does the
  reordering; names in that language only.
- ``csv``: machine-readable: one header row of the stable English column keys, Latin digits,
  shares as fractions (0.8125), seconds as numbers, times as ISO 8601 in Tehran time, and no
  total row. UTF-8 without a byte-order mark.
- ``json``: the same values with the title, the period (Jalali, Latin digits), the total row
  and the summary.
- ``xlsx``: for officials: a "report" sheet with the title, the period and headings in the
  console's language (right-to-left in Persian), Jalali times, the total and the summary; and a
  "data" sheet with the stable keys and raw values, for whoever processes it further.

How a figure reads (titles, headings, values, channel names, the period line) is
:mod:`console.i18n.report_words`, shared with the reports screen (F6); only the machine formats'
raw values are written here.

Phone numbers and names are masked unless the signed-in user (``--as``) is a supervisor or
administrator; without ``--as`` they are always masked. Every output of such a figure is
audited before it is written.
"""

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from console.i18n import N_, _, is_rtl, lang_digits
from console.i18n.report_words import (
    HEADINGS,
    SUMMARY_LABELS,
    TITLES,
    code_label,
    display_value,
    heading,
    period_line,
    shown_columns,
    summary_text,
    title,
    when,
)
from console.i18n.rtl import bidi_mode

__all__ = ["FORMATS", "HEADINGS", "TITLES", "report"]

FORMATS = ("table", "csv", "json", "xlsx")

REPORT_ERRORS: dict[str, str] = {
    "unknown_report": N_("There is no report {name}. Reports: {known}."),
    "bad_date": N_("Cannot read the date {text}: write a Jalali date such as 1405/09/01."),
    "bad_period": N_("The period ends before it starts."),
    "unknown_center": N_("There is no center with code {code}."),
    "center_required": N_("This database has several centers: give one with --center."),
    "other_center": N_("You may only read the reports of your own center."),
    "unknown_unit": N_("There is no unit with code {code}."),
    "no_unit_filter": N_("The report {name} is not about requests: --unit cannot narrow it."),
}


def report(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="Report name; leave out to list the reports.")
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day, Jalali (1405/09/01).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day, Jalali (1405/09/30).")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit code (request reports).")] = None,
    center: Annotated[str | None, typer.Option("--center", help="Center code.")] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="table, csv, json or xlsx.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", help="Write to this file (xlsx needs one).")
    ] = None,
    username: Annotated[
        str | None,
        typer.Option("--as", help="Sign in as this user (password asked) to see phones and names."),
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Password for --as; asked for when not given.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database: a file path, sqlite:///PATH or postgresql://user@host/db."
        ),
    ] = None,
) -> None:
    """Show or export a report for a period of Jalali days (default: this month)."""
    from console.cli import clear_errors, current_settings, fail, open_engine
    from db.engine import session
    from db.jalali import now_utc
    from db.reports import REPORTS, ReportError, open_scope, parse_period, record_export, run_report

    if name is None:
        _list_reports()
        return
    if output_format not in FORMATS:
        fail(
            _("Unknown format {format}: use table, csv, json or xlsx.").format(format=output_format)
        )
    if output_format == "xlsx" and output is None:
        fail(_("An xlsx report needs a file: give --output FILE.xlsx."))
    settings = current_settings(ctx, db)
    with clear_errors():
        engine = open_engine(settings)
        try:
            actor = _sign_in(engine, username, password) if username else None
            now = now_utc()
            with session(engine, write=False) as s:
                period = parse_period(date_from, date_to, now=now)
                scope = open_scope(
                    s, actor=actor, period=period, unit_code=unit, center_code=center, now=now
                )
                figure = run_report(s, name, scope)
        except ReportError as exc:
            fail(describe_report_error(exc))
        if figure.personal:
            with session(engine) as s:
                record_export(
                    s,
                    figure,
                    output_format=output_format,
                    destination=str(output) if output else "stdout",
                )
    spec = REPORTS[name]
    if output_format == "table":
        _print_table(figure, about_now=spec.about_now, output=output)
    elif output_format == "csv":
        _write_text(to_csv(figure), output)
    elif output_format == "json":
        _write_text(to_json(figure, about_now=spec.about_now), output)
    else:
        assert output is not None
        to_xlsx(figure, output, about_now=spec.about_now)


def describe_report_error(exc) -> str:
    from db.reports import REPORTS

    params = dict(exc.params)
    if exc.reason == "unknown_report":
        params["known"] = ", ".join(REPORTS)
    text = REPORT_ERRORS.get(exc.reason)
    return _(text).format(**params) if text else str(exc)


def _sign_in(engine, username: str, password: str | None):
    from console.cli import fail
    from db.accounts import SignInError, sign_in
    from db.engine import session

    if password is None:
        if sys.stdin.isatty():
            password = typer.prompt(_("Password"), hide_input=True)
        else:
            password = sys.stdin.readline().rstrip("\n")
    try:
        with session(engine) as s:
            return sign_in(s, username=username, password=password)
    except SignInError as exc:
        fail(sign_in_refusal(exc.code, exc.params.get("minutes")))


def sign_in_refusal(code: str, minutes: int | None = None) -> str:
    """The words of the sign-in screen (console/screens/login.py) for a refused ``--as``."""
    if code == "locked":
        return _(
            "Account locked after too many failed attempts. "
            "Try again in {minutes} minutes or ask an administrator."
        ).format(minutes=lang_digits(str(minutes or 1)))
    if code == "disabled":
        return _("Account disabled. Ask an administrator.")
    return _("Wrong username or password.")


def _list_reports() -> None:
    from console.cli import out, shown
    from db.reports import REPORTS

    table = Table(title=shown(_("Reports")))
    for words in (_("Name"), _("Report")):
        table.add_column(shown(words))
    for name in REPORTS:
        table.add_row(name, shown(_(TITLES[name])))
    out.print(table)


# -- reading a figure -------------------------------------------------------------------------


def raw_value(column, value: Any) -> Any:
    """A value for csv and json: Latin digits, fractions, ISO times in Tehran."""
    from db.jalali import TEHRAN
    from db.reports import Kind

    if value is None:
        return None
    if column.kind == Kind.SHARE:
        return round(value, 4)
    if column.kind == Kind.SECONDS:
        return round(value, 1)
    if column.kind == Kind.TIME:
        return value.astimezone(TEHRAN).isoformat(timespec="seconds")
    return value


def _latin_jalali(day: date) -> str:
    """``1405/09/06``: the Jalali date in Latin digits, as the --from and --to options take it."""
    from db.jalali import format_date
    from db.text import to_ascii_digits

    return to_ascii_digits(format_date(day, "fa"))


def _subtitle(figure, *, about_now: bool, latin: bool = False) -> str:
    parts = [period_line(figure, about_now=about_now, latin=latin)]
    if figure.scope.unit_code:
        parts.append(_("Unit {code}").format(code=figure.scope.unit_code))
    if figure.masked:
        parts.append(_("Phone numbers and names are masked."))
    return " · ".join(parts)


# -- writers ----------------------------------------------------------------------------------


def _print_table(figure, *, about_now: bool, output: Path | None) -> None:
    from rich.console import Console

    from console.cli import out, shown
    from db.reports import Kind

    stream = output.open("w", encoding="utf-8") if output else None
    console = Console(file=stream, width=200) if stream else out
    tty = stream is None and sys.stdout.isatty()

    def cell(text: str, style: str = "") -> Text:
        # Text, not a str: names and incident titles are data, never Rich markup.
        return Text(shown(text) if tty else text, style=style)

    columns = shown_columns(figure)
    # Persian reads from the right: the first column goes right when the app reorders.
    mirrored = tty and is_rtl() and bidi_mode() == "app"
    order = list(reversed(columns)) if mirrored else columns
    table = Table(
        title=cell(title(figure.name)), caption=cell(_subtitle(figure, about_now=about_now))
    )
    for column in order:
        numeric = column.kind in (Kind.COUNT, Kind.SHARE, Kind.SECONDS, Kind.HOUR)
        table.add_column(
            cell(heading(column.key)), justify="right" if numeric or is_rtl() else "left"
        )
    for row in figure.rows:
        table.add_row(*(cell(display_value(c, getattr(row, c.key), row)) for c in order))
    if figure.total is not None and figure.rows:
        first = columns[0]
        values = [
            _("Total") if c is first else display_value(c, getattr(figure.total, c.key))
            for c in columns
        ]
        values = [("" if v == "-" else v) for v in values]
        table.add_section()
        table.add_row(*(cell(v, "bold") for v in (reversed(values) if mirrored else values)))
    if not figure.rows:
        for line in (title(figure.name), _subtitle(figure, about_now=about_now)):
            console.print(cell(line), highlight=False)
        console.print(cell(_("Nothing in this period.")), highlight=False)
    else:
        console.print(table)
    for key, value in figure.summary:
        console.print(cell(summary_text(key, value)), highlight=False)
    if stream:
        stream.close()


def _write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


def to_csv(figure) -> str:
    """The rows with a header of stable column keys (no total row: every line is data)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.key for c in figure.columns])
    for row in figure.rows:
        writer.writerow(
            ["" if (v := raw_value(c, getattr(row, c.key))) is None else v for c in figure.columns]
        )
    return buffer.getvalue()


def _as_dict(figure, row) -> dict[str, Any]:
    return {c.key: raw_value(c, getattr(row, c.key)) for c in figure.columns}


def to_json(figure, *, about_now: bool) -> str:
    scope = figure.scope
    document = {
        "report": figure.name,
        "title": title(figure.name),
        "center": scope.center_code,
        "unit": scope.unit_code,
        "from": None if about_now else _latin_jalali(scope.period.first_day),
        "to": None if about_now else _latin_jalali(scope.period.last_day),
        "as_of": raw_value(_time_column(), scope.as_of),
        "masked": figure.masked,
        "columns": [c.key for c in figure.columns],
        "rows": [_as_dict(figure, row) for row in figure.rows],
        "total": _as_dict(figure, figure.total) if figure.total is not None else None,
        "summary": dict(figure.summary),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _time_column():
    from db.reports import Column, Kind

    return Column("as_of", Kind.TIME)


def to_xlsx(figure, output: Path, *, about_now: bool) -> None:
    """A workbook for officials: a "report" sheet people read, a "data" sheet to process."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from db.reports import Kind

    book = Workbook()
    sheet = book.active
    sheet.title = "report"
    sheet.sheet_view.rightToLeft = is_rtl()
    columns = shown_columns(figure)
    sheet.append([title(figure.name)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_subtitle(figure, about_now=about_now, latin=True)])
    sheet.append([])
    sheet.append([heading(c.key) for c in columns])
    for cell in sheet[4]:
        cell.font = Font(bold=True)

    def values(row, *, total: bool = False) -> list[Any]:
        out: list[Any] = []
        for c in columns:
            value = getattr(row, c.key)
            if total and c is columns[0]:
                out.append(_("Total"))
            elif value is None:
                out.append(None)
            elif c.kind in (Kind.COUNT, Kind.SHARE, Kind.HOUR):
                out.append(value)
            elif c.kind == Kind.SECONDS:
                out.append(round(value, 1))
            elif c.kind == Kind.TIME:
                out.append(when(value, latin=True))
            else:
                out.append(code_label(c, value, latin=True))
        return out

    formats: dict[Kind, str] = {Kind.SHARE: "0.0%", Kind.COUNT: "#,##0", Kind.SECONDS: "0.0"}
    rows: list[tuple[list[Any], bool]] = [(values(r), False) for r in figure.rows]
    if figure.total is not None and figure.rows:
        rows.append((values(figure.total, total=True), True))
    for line, bold in rows:
        sheet.append(line)
        for cell, column in zip(sheet[sheet.max_row], columns, strict=False):
            if column.kind in formats:
                cell.number_format = formats[column.kind]
            if bold:
                cell.font = Font(bold=True)
    if figure.summary:
        sheet.append([])
        for key, value in figure.summary:
            label = _(SUMMARY_LABELS[key]) if key in SUMMARY_LABELS else key
            sheet.append([label, value])
    for letter, width in zip("ABCDEFGHIJKLMNOP", _widths(sheet), strict=False):
        sheet.column_dimensions[letter].width = width

    data = book.create_sheet("data")
    data.append([c.key for c in figure.columns])
    for row in figure.rows:
        data.append([raw_value(c, getattr(row, c.key)) for c in figure.columns])
    book.save(output)


def _widths(sheet) -> list[float]:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=4):
        for i, cell in enumerate(row):
            widths[i] = max(widths.get(i, 8), min(48, len(str(cell.value or "")) + 2))
    return [widths[i] for i in sorted(widths)]
