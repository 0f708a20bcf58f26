"""Reports mode (F6), the reports: one of the center's figures for a Jalali month, read at a
glance.

Top to bottom at 80x24: the figure's title and its month (or "as of" for a figure about the
present), the days, unit and privacy of what is shown, for calls by hour a sparkline of the 24
hours, the figure as a table (the group's name in the agent's language, the main numbers, and a
bar per row scaled to the largest row, or to 100% for a share), its summary numbers and its
definition in one line. Ctrl+R chooses the figure, Ctrl+P and Ctrl+N step a Jalali month back
and forth (the default is this month), Ctrl+U narrows a figure about requests to one unit, Ctrl+F
computes it again. Enter on a unit's row lists that unit's overdue requests (the follow-up
queue with its "overdue" filter and the unit preset); Enter there opens a request.

A figure of a whole month may take a second or two on a million calls: it is computed in a
thread worker while the screen says "Reading…" and every key still answers; an answer to a
question no longer asked (the month changed meanwhile) is dropped. Figures about the present
(overdue now) are read again every ``poll_seconds * 15`` seconds while on show.

Privacy: figures with phone numbers or names (repeat callers, CSAT by agent) come masked
unless the scope reveals them (:mod:`db.reports.privacy`: supervisors and administrators see
them); the screen shows what the scope allows and says when it is masked. Plain viewing on
screen is not audited: only exports are (``abfa-desk report``, :func:`db.reports.record_export`),
and this screen exports nothing.
"""

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from sqlalchemy.engine import Engine
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from console import keys
from console.i18n import N_, _, lang_digits
from console.i18n.intake_words import local_name
from console.i18n.report_words import (
    definition,
    display_value,
    month_name,
    period_words,
    short_heading,
    shown_columns,
    summary_text,
    title,
)
from console.i18n.rtl import display
from console.messages import OpenRequest, ShowChaseBoard
from console.screens.base import DeskScreen
from console.screens.queue import QueuePanel, QueueQuery
from console.screens.queue_filter import QueueFilters
from console.widgets.bidi import BidiText, layout_rtl, notify_text
from console.widgets.keybar import KeyBar
from console.widgets.mirrored_table import MirroredTable, cell
from db.accounts import AgentView, PermissionDenied
from db.engine import session
from db.followup import READ_ROLES
from db.followup.choices import Choice, QueueChoices, queue_choices
from db.jalali import TEHRAN
from db.reports import (
    FAMILIES,
    REPORTS,
    Figure,
    Kind,
    Period,
    ReportError,
    month_of,
    open_scope,
    run_report,
)

__all__ = [
    "ChoiceDialog",
    "ReportRequest",
    "ReportsPanel",
    "UnitOverdueScreen",
    "bar_text",
    "hour_chart",
    "table_layout",
]

#: The table's width: 79 cells, so it fits 80 columns with a scrollbar's cell to spare.
TABLE_WIDTH = 79
#: The name column's width limits (longer names are cropped), and the bar's.
NAME_MIN, NAME_MAX, BAR_MIN, BAR_MAX = 12, 30, 6, 28
#: Cells per value kind (a one-cell gap included); a heading may ask for more.
KIND_WIDTHS: dict[Kind, int] = {
    Kind.COUNT: 9,
    Kind.SHARE: 8,
    Kind.SECONDS: 7,
    Kind.HOUR: 6,
    Kind.TIME: 17,
    Kind.CODE: 11,
}
NUMERIC = frozenset({Kind.COUNT, Kind.SHARE, Kind.SECONDS, Kind.HOUR})


@dataclass(frozen=True)
class FigureView:
    """What the screen shows of a figure: the name column (``*_name`` means the group's name
    in the agent's language), the numbers beside it, and the column its bars draw."""

    label: str
    numbers: tuple[str, ...]
    bar: str


_COUNTED = ("calls", "share")
_FLOW = ("opened", "closed", "cancelled", "backlog")
_SLA = ("requests", "response_share", "resolution_share")
_CSAT = ("surveys", "answers", "csat")

VIEWS: dict[str, FigureView] = {
    "calls_by_channel": FigureView("channel", _COUNTED, "calls"),
    "calls_by_category": FigureView("category_name", _COUNTED, "calls"),
    "calls_by_hour": FigureView("hour", _COUNTED, "calls"),
    "calls_by_district": FigureView("district_name", _COUNTED, "calls"),
    "answered_without_request": FigureView("channel", ("calls", "answered", "share"), "share"),
    "aht": FigureView("channel", ("handled", "aht_seconds"), "aht_seconds"),
    "fcr": FigureView("category_name", ("contacts", "repeated", "fcr"), "fcr"),
    "repeat_callers": FigureView("phone", ("calls", "categories", "last_at"), "calls"),
    "calls_per_incident": FigureView("title", ("incident_kind", "calls", "requests"), "calls"),
    "requests_by_unit": FigureView("unit_name", _FLOW, "opened"),
    "requests_by_category": FigureView("category_name", _FLOW, "opened"),
    "sla_by_unit": FigureView("unit_name", _SLA, "resolution_share"),
    "sla_by_category": FigureView("category_name", _SLA, "resolution_share"),
    "overdue_by_unit": FigureView("unit_name", ("open", "overdue", "share"), "overdue"),
    "escalations": FigureView(
        "unit_name", ("escalations", "level_1", "level_2", "level_3", "requests"), "escalations"
    ),
    "csat_by_unit": FigureView("unit_name", _CSAT, "csat"),
    "csat_by_category": FigureView("category_name", _CSAT, "csat"),
    "csat_by_agent": FigureView("agent_name", _CSAT, "csat"),
}

#: The picker's sections: a family's figures under its name.
FAMILY_NAMES: dict[str, str] = {
    "calls": N_("Calls"),
    "requests": N_("Requests"),
    "feedback": N_("Satisfaction"),
}

BAR_COLUMN = "bar"
PAD_COLUMN = "pad"
TOTAL_ROW = "total"
UNIT_ROW = "unit:"
#: Eighths of a cell, for the sparkline of the hours.
SPARKS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class ReportRequest:
    """The question the panel asks: a figure, a period and a unit (None: all units)."""

    name: str
    period: Period
    unit_code: str | None = None

    @property
    def about_now(self) -> bool:
        return REPORTS[self.name].about_now

    @property
    def unit(self) -> str | None:
        """The unit the figure is narrowed to: only figures about requests take one."""
        return self.unit_code if REPORTS[self.name].unit_filter else None


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableColumn:
    key: str
    heading: str
    width: int
    kind: Kind | None
    """None for the bar column and the spare cells."""


def _column_keys(figure: Figure) -> tuple[str, tuple[str, ...], str]:
    view = VIEWS.get(figure.name)
    shown = shown_columns(figure)
    if view is None:  # a figure added to db.reports before the screen knew it
        numbers = tuple(c.key for c in shown[1:] if c.kind in NUMERIC)
        return shown[0].key, numbers, numbers[0] if numbers else ""
    label = view.label
    if label not in {c.key for c in shown}:  # a group's name: the one in the agent's language
        label = next(c.key for c in shown if c.key.startswith(label + "_"))
    return label, view.numbers, view.bar


def _label(figure: Figure, row, key: str) -> str:
    column = next(c for c in figure.columns if c.key == key)
    return display_value(column, getattr(row, key), row)


def table_layout(figure: Figure, *, rtl: bool = False) -> list[TableColumn]:
    """The columns left to right in English: the name, the numbers, the bar; widths <= 79."""
    label_key, number_keys, bar_key = _column_keys(figure)
    kinds = {c.key: c.kind for c in figure.columns}
    numbers = [
        TableColumn(
            key,
            short_heading(key),
            max(KIND_WIDTHS.get(kinds[key], 9), cell_len(short_heading(key)) + 1),
            kinds[key],
        )
        for key in number_keys
    ]
    rest = TABLE_WIDTH - sum(c.width for c in numbers)
    labels = [_label(figure, row, label_key) for row in figure.rows]
    labels += [short_heading(label_key), _("Total")]
    wanted = max(cell_len(text) for text in labels) + 1
    name_width = max(NAME_MIN, min(wanted, NAME_MAX, rest - BAR_MIN))
    bar_width = min(BAR_MAX, rest - name_width) if bar_key else 0
    if bar_width < BAR_MIN:
        bar_width = 0
        name_width = rest
    columns = [TableColumn(label_key, short_heading(label_key), name_width, kinds[label_key])]
    columns += numbers
    if bar_width:
        columns.append(TableColumn(BAR_COLUMN, "", bar_width, None))
    if rtl and (spare := TABLE_WIDTH - sum(c.width for c in columns)) > 0:
        # Mirrored, the table starts at the right edge: the spare cells go to the far left.
        columns.append(TableColumn(PAD_COLUMN, "", spare, None))
    return columns


def bar_text(value: float | None, top: float, width: int, *, rtl: bool) -> str:
    """A bar of half cells for ``value`` of ``top`` in ``width`` cells (a gap kept): grows
    from the reading side, so from the right in Persian. Empty for nothing."""
    if not value or top <= 0 or width < 2:
        return ""
    halves = max(1, round(2 * (width - 1) * min(value, top) / top))
    full, half = divmod(halves, 2)
    if rtl:
        return ("▐" if half else "") + "█" * full
    return "█" * full + ("▌" if half else "")


def _bar_top(figure: Figure, key: str) -> float:
    kind = next(c.kind for c in figure.columns if c.key == key)
    if kind == Kind.SHARE:
        return 1.0
    return max((getattr(row, key) or 0 for row in figure.rows), default=0)


def _cell(column: TableColumn, text: str, *, rtl: bool, style: str = "") -> Text:
    shown = cell(text, column.width, rtl=rtl, style=style)
    if column.kind in NUMERIC:
        shown.justify = "right"  # numbers line up on their right, in English too
    return shown


def row_cells(
    figure: Figure,
    row,
    columns: Sequence[TableColumn],
    *,
    rtl: bool,
    top: float | None = None,
    total: bool = False,
) -> list[Text]:
    """One row's cells in the order of ``columns`` (the table reverses them in Persian);
    ``top`` is what a full bar stands for (the figure's largest, or 100% for a share)."""
    by_key = {c.key: c for c in figure.columns}
    bar_key = _column_keys(figure)[2]
    if top is None and bar_key:
        top = _bar_top(figure, bar_key)
    style = "bold" if total else ""
    cells = []
    for i, column in enumerate(columns):
        if column.key == PAD_COLUMN:
            cells.append(Text(""))
            continue
        if column.key == BAR_COLUMN:
            value = None if total else getattr(row, bar_key)
            text = bar_text(value, top or 0, column.width, rtl=rtl)
            # The gap goes between the numbers and the bar (the numbers end at their edge).
            text = text if rtl else " " + text
            cells.append(Text(text, justify="right" if rtl else "left", no_wrap=True))
            continue
        if total and i == 0:
            text = _("Total")
        else:
            value = getattr(row, column.key)
            text = "" if total and value is None else display_value(by_key[column.key], value, row)
        cells.append(_cell(column, text, rtl=rtl, style=style))
    return cells


def row_key(figure: Figure, row, index: int) -> str:
    """``unit:CODE`` for a unit's row (Enter drills down), else the row's place."""
    if any(c.key == "unit_code" for c in figure.columns):
        return UNIT_ROW + (row.unit_code or "")
    return f"row:{index}"


def hour_chart(figure: Figure, *, rtl: bool) -> list[str]:
    """Two lines for calls by hour: a sparkline (eighths of the busiest hour) and the hours
    under it, three cells an hour; mirrored in Persian (midnight on the right)."""
    hours = sorted((r for r in figure.rows if r.hour is not None), key=lambda r: r.hour)
    if not hours:
        return []
    top = max(r.calls for r in hours) or 1
    marks = [(SPARKS[max(1, round(8 * r.calls / top))] if r.calls else "_") * 2 for r in hours]
    clock = [lang_digits(f"{r.hour:02d}") for r in hours]
    if rtl:
        marks.reverse()
        clock.reverse()
    return [" ".join(marks), " ".join(clock)]


# --- periods -----------------------------------------------------------------------------------


def _noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=TEHRAN)


def previous_month(period: Period) -> Period:
    return month_of(_noon(period.first_day - timedelta(days=1)))


def next_month(period: Period) -> Period:
    return month_of(_noon(period.last_day + timedelta(days=1)))


# --- the panel ---------------------------------------------------------------------------------


class ReportsPanel(Vertical):
    """One figure of the center's reports for a Jalali month, with bars, and its drill-down.

    Shows what the reports scope allows: personal columns stay masked unless the agent may see
    them. Viewing is not audited (only exports are, and this panel exports nothing).
    """

    DEFAULT_CSS = """
    ReportsPanel {
        height: 1fr;
        #reports-title {
            text-style: bold;
        }
        #reports-scope {
            color: $text-muted;
        }
        #reports-chart {
            display: none;
            height: 2;
            color: $accent;
            &.-shown {
                display: block;
            }
        }
        &.-rtl #reports-chart {
            text-align: right;
        }
        #reports-table {
            height: 1fr;
            scrollbar-size-vertical: 1;
        }
        #reports-summary {
            text-style: bold;
            display: none;
            &.-shown {
                display: block;
            }
        }
        #reports-definition {
            color: $text-muted;
            max-height: 2;
        }
    }
    """

    poll_factor: ClassVar[float] = 15.0
    """A figure about the present is read again every ``poll_seconds * poll_factor`` seconds."""

    @dataclass
    class Loaded(Message):
        """A worker computed the figure asked for; handled by `on_reports_panel_loaded`."""

        request: ReportRequest
        figure: Figure

    @dataclass
    class Failed(Message):
        """The figure could not be read (no permission, a unit gone); said in the scope line."""

        request: ReportRequest
        text: str

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        poll_seconds: float = 2.0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="-rtl" if layout_rtl() else None)
        keys.install(self, "reports")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self._rtl = layout_rtl()
        self.poll_interval = poll_seconds * self.poll_factor
        self.request = ReportRequest(next(iter(REPORTS)), month_of(clock()))
        self.figure: Figure | None = None
        self.reading = False
        self.problem = ""
        self.unit_names: dict[str, str] = {}
        """Unit codes to names in the agent's language, for the scope line (once read)."""
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield BidiText(id="reports-title")
        yield BidiText(id="reports-scope")
        yield Static(id="reports-chart", markup=False)
        table = MirroredTable((), rtl=self._rtl, id="reports-table")
        table.zebra_stripes = True
        yield table
        yield BidiText(id="reports-summary")
        yield BidiText(id="reports-definition")

    def on_mount(self) -> None:
        self._show_words()
        # The mode the shell opens with gets no focus_first: read the figure once it shows.
        self.call_after_refresh(self._first_look)

    def _first_look(self) -> None:
        if self.figure is None and not self.reading and self.display and self.is_on_screen:
            self.focus_first()

    def focus_first(self) -> None:
        """Called when the mode opens: focus the table and compute the figure afresh."""
        self.query_one(MirroredTable).focus()
        self.ask()

    # --- reading ------------------------------------------------------------------------------

    def ask(self, request: ReportRequest | None = None) -> None:
        """Compute ``request`` (the current one again when None); the table empties while a
        different question is read, and keeps its rows while the same one is read again."""
        if request is not None and request != self.request:
            self.request = request
            self.figure = None
            self._clear_table()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.reading = True
        self.problem = ""
        self._show_words()
        self._load(self.request)

    @work(thread=True, exclusive=True, group="reports", exit_on_error=False)
    def _load(self, request: ReportRequest) -> None:
        try:
            with session(self._engine, write=False) as s:
                scope = open_scope(
                    s,
                    actor=self.agent,
                    period=request.period,
                    unit_code=request.unit,
                    now=self._clock(),
                )
                figure = run_report(s, request.name, scope)
        except PermissionDenied:
            self.post_message(self.Failed(request, _("You do not have permission for this.")))
        except ReportError as error:
            self.post_message(self.Failed(request, report_error_text(error)))
        else:
            self.post_message(self.Loaded(request, figure))

    def on_reports_panel_loaded(self, event: Loaded) -> None:
        event.stop()
        if event.request != self.request:
            return  # an answer to a question no longer asked
        self.reading = False
        keep = self.query_one(MirroredTable).cursor_row if self.figure is not None else 0
        self.figure = event.figure
        self._show_figure(event.figure, keep)
        self._show_words()
        self._schedule_poll()

    def on_reports_panel_failed(self, event: Failed) -> None:
        event.stop()
        if event.request != self.request:
            return
        self.reading = False
        self.problem = event.text
        self._show_words()

    def _schedule_poll(self) -> None:
        if self.request.about_now and self._timer is None and self.is_mounted:
            self._timer = self.set_timer(self.poll_interval, self._poll)

    def _poll(self) -> None:
        self._timer = None
        if self.display and self.is_on_screen and not self.reading:
            self.ask()

    # --- showing ------------------------------------------------------------------------------

    def _clear_table(self) -> None:
        self.query_one(MirroredTable).clear(columns=True)
        self.query_one("#reports-chart", Static).remove_class("-shown")
        self.query_one("#reports-summary", BidiText).remove_class("-shown")

    def _show_words(self) -> None:
        """The title line, the scope line and the definition: what is asked, and its state."""
        request = self.request
        figure = self.figure
        if request.about_now:
            as_of = figure.scope.as_of if figure is not None else self._clock()
            when = period_words(request.period, as_of=as_of, about_now=True)
        else:
            when = month_name(request.period) or period_words(request.period)
        self.query_one("#reports-title", BidiText).text = f"{title(request.name)} · {when}"
        parts = []
        if not request.about_now and month_name(request.period):
            parts.append(period_words(request.period))
        if REPORTS[request.name].unit_filter:
            if request.unit:
                name = self.unit_names.get(request.unit, request.unit)
                parts.append(_("Unit: {name}").format(name=name))
            else:
                parts.append(_("All units"))
        if figure is not None and figure.masked:
            parts.append(_("Phone numbers and names are masked."))
        if self.reading:
            parts.append(_("Reading…"))
        elif self.problem:
            parts.append(self.problem)
        elif figure is not None and not figure.rows:
            parts.append(_("Nothing in this period."))
        self.query_one("#reports-scope", BidiText).text = " · ".join(parts)
        self.query_one("#reports-definition", BidiText).text = definition(request.name)

    def _show_figure(self, figure: Figure, keep: int) -> None:
        table = self.query_one(MirroredTable)
        table.clear(columns=True)
        columns = table_layout(figure, rtl=self._rtl)
        for column in reversed(columns) if self._rtl else columns:
            table.add_column(
                _cell(column, column.heading, rtl=self._rtl), width=column.width, key=column.key
            )
        bar_key = _column_keys(figure)[2]
        top = _bar_top(figure, bar_key) if bar_key else 0
        for index, row in enumerate(figure.rows):
            table.add_cells(
                row_cells(figure, row, columns, rtl=self._rtl, top=top), row_key(figure, row, index)
            )
        if figure.total is not None and figure.rows:
            table.add_cells(
                row_cells(figure, figure.total, columns, rtl=self._rtl, top=top, total=True),
                TOTAL_ROW,
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        chart = self.query_one("#reports-chart", Static)
        lines = hour_chart(figure, rtl=self._rtl) if figure.name == "calls_by_hour" else []
        chart.update(Content("\n".join(lines)))
        chart.set_class(bool(lines), "-shown")
        summary = self.query_one("#reports-summary", BidiText)
        summary.text = " · ".join(summary_text(k, v) for k, v in figure.summary)
        summary.set_class(bool(figure.summary), "-shown")

    # --- actions ------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.ask()

    def action_previous_month(self) -> None:
        self._step(previous_month(self.request.period))

    def action_next_month(self) -> None:
        period = next_month(self.request.period)
        if period.first_day > month_of(self._clock()).first_day:
            notify_text(self, _("There are no figures for months to come."))
            return
        self._step(period)

    def _step(self, period: Period) -> None:
        if self.request.about_now:
            notify_text(
                self, _("This figure is about now; the month applies to the other figures.")
            )
        self.ask(ReportRequest(self.request.name, period, self.request.unit_code))

    def action_choose_figure(self) -> None:
        options: list[Option | None] = []
        for family in FAMILIES:
            heading = _choice_prompt(_(FAMILY_NAMES[family]), style="bold")
            options.append(Option(heading, disabled=True))
            options += [
                Option(_choice_prompt(title(name), indent=True), id=name)
                for name, spec in REPORTS.items()
                if spec.family == family
            ]

        def chosen(name: str | None) -> None:
            if name is not None and name != self.request.name:
                self.ask(ReportRequest(name, self.request.period, self.request.unit_code))

        self.app.push_screen(ChoiceDialog(_("Reports"), options, self.request.name), chosen)

    def action_choose_unit(self) -> None:
        if not REPORTS[self.request.name].unit_filter:
            notify_text(self, _("This figure is not about requests: a unit cannot narrow it."))
            return
        self._read_units(None)

    def action_drill_down(self) -> None:
        figure = self.figure
        key = self.query_one(MirroredTable).highlighted_key()
        if figure is None or key is None or not key.startswith(UNIT_ROW):
            notify_text(self, _("Enter on a unit's row lists its overdue requests."))
            return
        code = key.removeprefix(UNIT_ROW)
        if not code:
            notify_text(self, _("These requests are with no unit."))
            return
        self._read_units(code)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill_down()

    @work(thread=True, exclusive=True, group="reports-units", exit_on_error=False)
    def _read_units(self, drill_code: str | None) -> None:
        """Read the center's units, then open the unit list (``drill_code`` None) or drill
        down to that unit's overdue requests."""
        if not self.agent.has_role(*READ_ROLES):
            self.app.call_from_thread(self._denied)
            return
        try:
            with session(self._engine, write=False) as s:
                choices = queue_choices(s, actor=self.agent)
        except PermissionDenied:
            self.app.call_from_thread(self._denied)
            return
        if drill_code is None:
            self.app.call_from_thread(self._show_units, choices)
        else:
            self.app.call_from_thread(self._drill, choices, drill_code)

    def _denied(self) -> None:
        notify_text(self, _("You do not have permission for this."), severity="warning")

    def _show_units(self, choices: QueueChoices) -> None:
        self.unit_names = {u.code: local_name(u.name_fa, u.name_en) for u in choices.units}
        options: list[Option | None] = [Option(_choice_prompt(_("All units")), id=ALL_UNITS)]
        for unit in choices.units:
            name = local_name(unit.name_fa, unit.name_en)
            if not unit.active:
                name = _("{name} (inactive)").format(name=name)
            options.append(Option(_choice_prompt(name), id=UNIT_ROW + unit.code))
        current = UNIT_ROW + self.request.unit_code if self.request.unit_code else ALL_UNITS

        def chosen(choice: str | None) -> None:
            if choice is None:
                return
            code = choice.removeprefix(UNIT_ROW) if choice != ALL_UNITS else None
            if code != self.request.unit_code:
                self.ask(ReportRequest(self.request.name, self.request.period, code))

        self.app.push_screen(ChoiceDialog(_("Unit"), options, current), chosen)

    def _drill(self, choices: QueueChoices, code: str) -> None:
        unit = next((u for u in choices.units if u.code == code), None)
        if unit is None:
            notify_text(self, _("There is no unit with code {code}.").format(code=code))
            return
        screen = UnitOverdueScreen(
            engine=self._engine,
            agent=self.agent,
            clock=self._clock,
            unit=unit,
            choices=choices,
            poll_seconds=self.poll_interval / self.poll_factor,
        )
        self.app.push_screen(screen, lambda _result: self.focus_first())


ALL_UNITS = "all"


def report_error_text(error: ReportError) -> str:
    if error.reason == "unknown_unit":
        return _("There is no unit with code {code}.").format(**dict(error.params))
    return _("This figure cannot be read: {reason}.").format(reason=error.reason)


def _choice_prompt(text: str, *, indent: bool = False, style: str = "") -> Text:
    """An entry of a list in display order, on the reading side; a figure under its family
    is indented."""
    rtl = layout_rtl()
    shown = display(text, base_rtl=True if rtl else None)
    pad = "  " if indent else ""
    shown = shown + pad if rtl else pad + shown
    return Text(shown, style=style, justify="right" if rtl else "left", no_wrap=True)


# --- the pickers -------------------------------------------------------------------------------


class ChoiceDialog(ModalScreen[str | None]):
    """A short list to choose from (a figure, a unit): Enter takes the highlighted entry and
    dismisses with its id; Escape dismisses with None."""

    DEFAULT_CSS = """
    ChoiceDialog {
        align: center middle;
        #choice-box {
            width: 48;
            height: auto;
            max-height: 100%;
            border: round $accent;
            background: $surface;
        }
        &.-rtl #choice-box {
            border-title-align: right;
        }
        OptionList, OptionList:focus {
            height: auto;
            max-height: 21;
            border: none;
            padding: 0;
        }
        &.-rtl OptionList {
            text-align: right;
        }
        &:ansi #choice-box {
            border: solid $accent;
        }
    }
    """

    def __init__(
        self, heading: str, options: Sequence[Option | None], current: str | None = None
    ) -> None:
        super().__init__(classes="-rtl" if layout_rtl() else None)
        keys.install(self, "reports_pick")
        self.heading = heading
        self.options = list(options)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-box") as box:
            box.border_title = Content(
                display(self.heading, base_rtl=True if layout_rtl() else None)
            )
            yield OptionList(*self.options)
        yield KeyBar()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self.current is not None:
            # An option gone since (a unit deleted): the first stays highlighted.
            with suppress(OptionDoesNotExist):
                options.highlighted = options.get_option_index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- the drill-down ----------------------------------------------------------------------------


class _UnitQueue(QueuePanel):
    """The follow-up queue inside the drill-down: the chase board belongs to Follow-up (F3)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "chase_board"


class UnitOverdueScreen(DeskScreen):
    """One unit's overdue requests, from a unit's row of a report: the follow-up queue with
    its filters preset, Enter opening a request as in Follow-up; Escape goes back."""

    DEFAULT_CSS = """
    UnitOverdueScreen {
        #unit-overdue-title {
            text-style: bold;
            background: $primary 25%;
        }
    }
    """

    def __init__(
        self,
        *,
        engine: Engine,
        agent: AgentView,
        clock: Callable[[], datetime],
        unit: Choice,
        choices: QueueChoices | None = None,
        poll_seconds: float = 2.0,
    ) -> None:
        super().__init__()
        keys.install(self, "reports_unit")
        self._engine = engine
        self.agent = agent
        self._clock = clock
        self.unit = unit
        self.queue = _UnitQueue(
            engine=engine, agent=agent, clock=clock, poll_seconds=poll_seconds, id="unit-queue"
        )
        self.queue.query_now = QueueQuery(overdue=True, filters=QueueFilters(unit_id=unit.id))
        self.queue.choices = choices or QueueChoices((unit,), (), ())

    def compose(self) -> ComposeResult:
        name = local_name(self.unit.name_fa, self.unit.name_en)
        yield BidiText(_("Overdue requests: {unit}").format(unit=name), id="unit-overdue-title")
        yield self.queue
        yield KeyBar()

    def on_open_request(self, message: OpenRequest) -> None:
        message.stop()
        from console.screens.request import RequestScreen

        screen = RequestScreen(
            engine=self._engine, agent=self.agent, clock=self._clock, ticket_id=message.ticket_id
        )
        self.app.push_screen(screen, lambda _changed: self.queue.focus_first())

    def on_show_chase_board(self, message: ShowChaseBoard) -> None:
        message.stop()

    def action_back(self) -> None:
        self.dismiss(None)
