"""Admin mode (F7), the subscribers' import from the billing system's CSV export.

The admin types the file's path, chooses a dry run (check and count, write nothing) or the
import, and presses Ctrl+R. The import runs in a thread worker; db.admin calls back after each
batch, and the callback only posts a message (it never waits on the screen), so the progress
bar moves while 100,000 lines are read. Ctrl+X stops after the batch being written: what was
written stays, and importing the file again completes it. Then the report: the counts, and the
first skipped lines with their line number, column and reason.
"""

import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import ProgressBar

from console import keys
from console.i18n import N_, _, lang_digits
from console.i18n.admin_words import admin_error_text, field_label, row_reason
from console.screens.step_dialog import ChoiceLine
from console.widgets.bidi import BidiText, layout_rtl
from console.widgets.fields import FormInput
from console.widgets.mirrored_table import Column, MirroredTable, cell
from db.accounts import AccountError, AgentView
from db.admin import AdminError, ImportReport, import_subscribers
from db.engine import session

__all__ = ["ImportView", "report_lines"]

#: Lines per batch: a progress step every thousand lines, a commit as often.
BATCH = 1000
#: Skipped lines listed on screen; `abfa-desk import subscribers --errors FILE` writes them all.
SHOWN_BAD_ROWS = 200

COLUMNS: tuple[Column, ...] = (
    ("line", N_("Line"), 8),
    ("key", N_("Subscription"), 12),
    ("field", N_("Column"), 14),
    ("reason", N_("Reason"), 29),
    ("value", N_("Value"), 16),
)


class Stopped(Exception):
    """Raised from the progress callback when the admin pressed Ctrl+X."""


def report_lines(report: ImportReport) -> list[str]:
    """What an import did, in the admin's words, a sentence a line."""
    n = lang_digits
    lines = [
        _("Read {rows} lines of {path}.").format(
            rows=n(str(report.rows)), path=Path(report.path).name
        ),
        _(
            "Added {inserted}, updated {updated}, unchanged {unchanged}, skipped {skipped}; "
            "{phones} phone numbers added."
        ).format(
            inserted=n(str(report.inserted)),
            updated=n(str(report.updated)),
            unchanged=n(str(report.unchanged)),
            skipped=n(str(report.skipped)),
            phones=n(str(report.phones_added)),
        ),
    ]
    if report.ignored_columns:
        lines.append(
            _("Columns ignored: {columns}.").format(columns=", ".join(report.ignored_columns))
        )
    if report.warning_count:
        lines.append(
            _("{count} lines were imported with a warning.").format(
                count=n(str(report.warning_count))
            )
        )
    if report.dry_run:
        lines.append(_("Dry run: nothing was written."))
    return lines


class ImportView(Vertical):
    """The path, dry run or import, the progress bar, the report."""

    DEFAULT_CSS = """
    ImportView {
        height: 1fr;
        .import--label {
            text-style: bold;
        }
        #import-options {
            height: 1;
        }
        #import-path, #import-area {
            background: $boost;
        }
        ProgressBar {
            height: 1;
            Bar {
                width: 1fr;
            }
        }
        #import-status {
            color: $text-accent;
            text-style: bold;
            &.-warning {
                color: $text-warning;
            }
        }
        #import-bad {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
    }
    """

    @dataclass
    class Progressed(Message):
        """A batch was read (and written); handled by `on_import_view_progressed`."""

        done: int
        total: int

    @dataclass
    class Finished(Message):
        """The import ended: a report, or why not; handled by `on_import_view_finished`."""

        report: ImportReport | None
        refused: str = ""
        stopped: bool = False

    def __init__(self, *, engine: Engine, agent: AgentView, clock, id: str | None = None) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, "admin_import")
        self._engine = engine
        self.agent = agent
        self._rtl = layout_rtl()
        self._stop = threading.Event()
        self.running = False
        self.done = 0

    def compose(self) -> ComposeResult:
        yield BidiText(
            _("Subscribers from the billing system's CSV export (UTF-8 or Windows-1256)."),
            classes="import--label",
        )
        yield BidiText(_("CSV file"))
        yield FormInput(id="import-path", max_length=400, compact=True)
        yield BidiText(_("Area code for 8-digit landlines ({optional})").format(
            optional=_("optional")
        ))  # fmt: skip
        yield FormInput(id="import-area", max_length=3, compact=True)
        runs = [(True, _("check only (dry run)")), (False, _("import"))]
        yield ChoiceLine(runs, True, id="import-run")
        yield ProgressBar(total=1, show_eta=False, id="import-progress")
        yield BidiText(id="import-status")
        yield MirroredTable(COLUMNS, rtl=self._rtl, id="import-bad")

    def focus_first(self) -> None:
        if not self.running:
            self.query_one("#import-path", FormInput).focus()

    def say(self, text: str, *, warning: bool = False) -> None:
        status = self.query_one("#import-status", BidiText)
        status.text = text
        status.set_class(warning, "-warning")

    # --- running ------------------------------------------------------------------------------

    def action_start_import(self) -> None:
        if self.running:
            self.app.bell()
            return
        typed = self.query_one("#import-path", FormInput).value.strip()
        if not typed:
            self.say(_("Type the path of the file."), warning=True)
            self.query_one("#import-path", FormInput).focus()
            return
        dry_run = self.query_one("#import-run", ChoiceLine).value
        area = self.query_one("#import-area", FormInput).value.strip() or None
        self.running, self.done = True, 0
        self._stop.clear()
        self.query_one(MirroredTable).clear()
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.say(_("Reading the file…"))
        self._import(Path(typed).expanduser(), dry_run, area)

    def action_stop_import(self) -> None:
        if not self.running:
            self.app.bell()
            return
        self._stop.set()
        self.say(_("Stopping after the batch being written…"), warning=True)

    @work(thread=True, exclusive=True, group="admin-import", exit_on_error=False)
    def _import(self, path: Path, dry_run: bool, area: str | None) -> None:
        stop = self._stop

        def progress(done: int, total: int) -> None:
            # Called by db.admin between batches: post and go on, never wait for the screen.
            self.post_message(self.Progressed(done, total))
            if stop.is_set():
                raise Stopped

        try:
            with session(self._engine, write=not dry_run) as s:
                report = import_subscribers(
                    s,
                    actor=self.agent,
                    path=path,
                    dry_run=dry_run,
                    progress=progress,
                    batch_size=BATCH,
                    default_area=area,
                )
        except Stopped:
            self.post_message(self.Finished(None, stopped=True))
            return
        except (AdminError, AccountError) as error:
            self.post_message(self.Finished(None, refused=admin_error_text(error)))
            return
        self.post_message(self.Finished(report))

    def on_import_view_progressed(self, event: Progressed) -> None:
        event.stop()
        self.done = event.done
        self.query_one(ProgressBar).update(total=max(event.total, 1), progress=event.done)
        if not self._stop.is_set():
            self.say(
                _("{done} of {total} lines read…").format(
                    done=lang_digits(str(event.done)), total=lang_digits(str(event.total))
                )
            )

    def on_import_view_finished(self, event: Finished) -> None:
        event.stop()
        self.running = False
        if event.stopped:
            self.say(
                _(
                    "Stopped after {done} lines: what was written stays; importing the file "
                    "again completes it."
                ).format(done=lang_digits(str(self.done))),
                warning=True,
            )
            return
        if event.report is None:
            self.say(event.refused, warning=True)
            return
        report = event.report
        self.say(" ".join(report_lines(report)), warning=bool(report.skipped))
        table = self.query_one(MirroredTable)
        for b in report.bad_rows[:SHOWN_BAD_ROWS]:
            values = {
                "line": lang_digits(str(b.line)),
                "key": b.key,
                "field": field_label(b.field) if b.field else "",
                "reason": row_reason(b.reason, b.detail),
                "value": b.value,
            }
            table.add_cells(
                [cell(values[k], width, rtl=self._rtl) for k, _m, width in COLUMNS],
                key=str(b.line),
            )
