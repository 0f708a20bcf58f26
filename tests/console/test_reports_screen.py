"""Reports (F6), the figures: a supervisor reads this Jalali month's calls, steps back a month,
switches to overdue requests by unit, narrows to one unit and drills down to that unit's late
requests, in English and in Persian. The numbers themselves are checked in tests/db."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from textual import events
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

import console.app
from console.app import DeskApp
from console.i18n.intake_words import code_groups
from console.i18n.report_words import title
from console.screens.base import DeskScreen
from console.screens.queue import QueuePanel
from console.screens.reports import (
    BAR_COLUMN,
    ChoiceDialog,
    ReportsPanel,
    UnitOverdueScreen,
    bar_text,
)
from console.screens.request import RequestScreen
from console.widgets.bidi import BidiText
from console.widgets.header import DeskHeader
from console.widgets.keybar import KeyBar
from console.widgets.mirrored_table import MirroredTable
from db import intake
from db.accounts import AgentView
from db.engine import make_engine, session
from db.models import AuditEntry, CallOutcome, Channel, Role
from db.reports import REPORTS

from .conftest import FIXED_NOW, desk_settings, fixed_clock, settle
from .intake_world import IntakeWorld, agent_view, build_world

SIZE = (80, 24)

# (category, hours since the call): overdue on the 24/7 clock (6 h and 8 h targets).
OVERDUE = (("pipe_burst", 48), ("pipe_burst", 30), ("sewer_blockage", 20))


@dataclass
class ReportsDesk:
    engine: Engine
    world: IntakeWorld
    overdue_codes: dict[str, str]
    """Tracking code -> category code of the overdue requests."""


@pytest.fixture(scope="session")
def reports_template(template_db: Path, tmp_path_factory) -> tuple[Path, IntakeWorld, dict]:
    """The intake city, three overdue requests (two with water operations, one with sewer),
    a call on 1523 this month and two calls last month (Aban)."""
    path = tmp_path_factory.mktemp("reports") / "reports.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    world = build_world(engine)
    codes = {}
    with session(engine) as s:
        omid = agent_view(s, "omid")
        for category, hours in OVERDUE:
            started = FIXED_NOW - timedelta(hours=hours)
            registered = intake.register_request(
                s,
                actor=omid,
                phone="09123333333",
                subscriber_id=world.subscribers["karim"],
                category_id=world.categories[category],
                channel=Channel.PHONE_122,
                address="خیابان نیما، پلاک ۱۲",
                started_at=started,
                ended_at=started + timedelta(minutes=3),
            )
            codes[registered.tracking_code] = category
        for started, channel in (
            (FIXED_NOW - timedelta(hours=3), Channel.PHONE_1523),
            (FIXED_NOW - timedelta(days=17), Channel.PHONE_122),  # 19 Aban
            (FIXED_NOW - timedelta(days=18), Channel.PHONE_1523),  # 18 Aban
        ):
            intake.record_contact(
                s,
                actor=omid,
                phone="09124444444",
                subscriber_id=world.subscribers["zahra"],
                category_id=world.categories["general_info"],
                channel=channel,
                outcome=CallOutcome.ANSWERED,
                started_at=started,
                ended_at=started + timedelta(minutes=2),
            )
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, world, codes


@pytest.fixture
def desk(reports_template, tmp_path) -> Iterator[ReportsDesk]:
    template, world, codes = reports_template
    path = tmp_path / "reports.db"
    shutil.copyfile(template, path)
    engine = make_engine(str(path))
    yield ReportsDesk(engine, world, codes)
    engine.dispose()


class ReportsScreen(DeskScreen):
    """The panel as the F6 mode shows it: under the header, above the key bar."""

    def __init__(self, agent: AgentView, engine: Engine) -> None:
        super().__init__()
        self.agent = agent
        self._engine = engine

    def compose(self) -> ComposeResult:
        yield DeskHeader(who=self.agent.full_name, where="ISF", clock=fixed_clock)
        yield ReportsPanel(engine=self._engine, agent=self.agent, clock=fixed_clock)
        yield KeyBar()


class ReportsApp(DeskApp):
    """The console with the reports panel open for ``agent``, without signing in."""

    CSS_PATH = Path(console.app.__file__).parent / "app.tcss"

    def __init__(self, desk: ReportsDesk, agent: AgentView, lang: str) -> None:
        super().__init__(engine=desk.engine, settings=desk_settings(desk.engine, lang),
                         clock=fixed_clock)  # fmt: skip
        self.agent = agent

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # no sign-in screen
        self.push_screen(ReportsScreen(self.agent, self.engine))


def supervisor(desk: ReportsDesk, username: str = "reza") -> AgentView:
    with session(desk.engine) as s:
        return agent_view(s, username)


def make_app(desk: ReportsDesk, lang: str = "en", agent: AgentView | None = None) -> ReportsApp:
    return ReportsApp(desk, agent or supervisor(desk), lang)


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    await settle(pilot)


def panel(app: DeskApp) -> ReportsPanel:
    return app.screen.query_one(ReportsPanel)


def words(app: DeskApp, name: str) -> str:
    return panel(app).query_one(f"#reports-{name}", BidiText).text


def rows(app: DeskApp) -> list[list[str]]:
    """The table's cells as shown, in English column order (mirrored back in Persian)."""
    table = panel(app).query_one(MirroredTable)
    out = []
    for r in range(table.row_count):
        cells = [c.plain.strip() for c in table.get_row_at(r)]
        out.append(list(reversed(cells)) if table.rtl else cells)
    return out


async def choose(pilot: Pilot, key: str, option: str) -> None:
    """Open a list with ``key`` and take the entry ``option`` with Up/Down and Enter."""
    await press(pilot, key)
    dialog = pilot.app.screen
    assert isinstance(dialog, ChoiceDialog)
    options = dialog.query_one(OptionList)
    target = options.get_option_index(option)
    while options.highlighted != target:
        await pilot.press("down" if (options.highlighted or 0) < target else "up")
    await press(pilot, "enter")


async def test_the_default_period_is_this_jalali_month(desk):
    """Friday 6 Azar 1405: calls by channel for Azar, first to last day."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert words(app, "title") == "Calls by channel · Azar 1405"
        assert words(app, "scope") == "From 2026-11-22 to 2026-12-21"
        assert words(app, "definition").startswith("Calls started in the period on each channel")
        table = rows(app)
        assert [r[:3] for r in table] == [
            ["122", "5", "83.3%"],
            ["1523", "1", "16.7%"],
            ["Total", "6", "100.0%"],
        ]
        assert table[0][3] == "█" * 27  # the largest row fills its bar
        assert table[1][3] == "█████▌"  # 1 of 5: a fifth of it, in half cells
        assert table[2][3] == ""


async def test_previous_month_changes_the_period_and_the_numbers(desk):
    """Ctrl+P steps back to Aban; Ctrl+N comes back and refuses to go past this month."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert words(app, "title") == "Calls by channel · Aban 1405"
        assert words(app, "scope") == "From 2026-10-23 to 2026-11-21"
        assert [r[:2] for r in rows(app)] == [["122", "1"], ["1523", "1"], ["Total", "2"]]
        panel(app).action_next_month()  # the worker runs; the screen says so meanwhile
        assert words(app, "title") == "Calls by channel · Azar 1405"
        assert words(app, "scope") == "From 2026-11-22 to 2026-12-21 · Reading…"
        assert panel(app).query_one(MirroredTable).row_count == 0  # not Aban's numbers
        await settle(pilot)
        assert words(app, "scope") == "From 2026-11-22 to 2026-12-21"
        await press(pilot, "ctrl+n")
        assert words(app, "title") == "Calls by channel · Azar 1405"
        assert any("months to come" in str(n.message) for n in app._notifications)


async def test_switching_figure_shows_its_rows_and_bars(desk):
    """Ctrl+R lists the figures; overdue by unit is as of now, the latest unit first."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "ctrl+r", "overdue_by_unit")
        assert words(app, "title") == "Overdue requests by unit · As of 2026-11-27 14:00"
        assert words(app, "scope") == "All units"
        table = rows(app)
        assert [r[:4] for r in table] == [
            ["Water operations 1", "3", "2", "66.7%"],
            ["Sewer operations", "1", "1", "100.0%"],
            ["Total", "4", "3", "75.0%"],
        ]
        assert len(table[0][4]) > len(table[1][4]) > 0  # bars of the overdue count
        columns = panel(app).query_one(MirroredTable).ordered_columns
        assert sum(c.width for c in columns) <= 79
        assert str(columns[-1].key.value) == BAR_COLUMN


async def test_calls_by_hour_draws_the_day_as_a_sparkline(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "ctrl+r", "calls_by_hour")
        chart = str(panel(app).query_one("#reports-chart", Static).content).splitlines()
        assert chart[1].split() == [f"{h:02d}" for h in range(24)]
        assert len(chart[0].split()) == 24 and "█" in chart[0]


async def test_a_unit_narrows_a_figure_about_requests(desk):
    """Ctrl+U: the unit's row only; on a figure about calls it says why it cannot."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+u")
        assert not isinstance(app.screen, ChoiceDialog)
        assert any("not about requests" in str(n.message) for n in app._notifications)
        await choose(pilot, "ctrl+r", "requests_by_unit")
        assert [r[0] for r in rows(app)] == ["Water operations 1", "Sewer operations", "Total"]
        await choose(pilot, "ctrl+u", "unit:sewer_ops")
        assert words(app, "scope") == "From 2026-11-22 to 2026-12-21 · Unit: Sewer operations"
        assert [r[:2] for r in rows(app)] == [["Sewer operations", "1"], ["Total", "1"]]
        await choose(pilot, "ctrl+u", "all")
        assert len(rows(app)) == 3


async def test_enter_on_a_unit_lists_its_overdue_requests_and_opens_one(desk):
    """The drill-down is the follow-up queue, overdue only, of that unit; Escape comes back."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "ctrl+r", "overdue_by_unit")
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, UnitOverdueScreen)
        assert screen.query_one("#unit-overdue-title", BidiText).text == (
            "Overdue requests: Water operations 1"
        )
        queue = screen.query_one(QueuePanel)
        table = queue.query_one(MirroredTable)
        shown = [table.get_row_at(r)[0].plain.strip() for r in range(table.row_count)]
        water = [c for c, category in desk.overdue_codes.items() if category == "pipe_burst"]
        assert sorted(shown) == sorted(" ".join(code_groups(c)) for c in water)
        assert "overdue only" in queue.query_one("#queue-filters", BidiText).text
        assert "Water operations 1" in queue.query_one("#queue-filters", BidiText).text
        assert "Chase board" not in [i.description for i in screen.query_one(KeyBar).items()]
        await press(pilot, "enter")
        assert isinstance(app.screen, RequestScreen)
        await press(pilot, "escape")
        assert app.screen is screen
        await press(pilot, "escape")
        assert isinstance(app.screen, ReportsScreen)
        assert words(app, "title").startswith("Overdue requests by unit")


async def test_persian_mirrors_the_table_with_persian_digits(desk):
    app = make_app(desk, "fa")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert words(app, "title") == "تماس‌ها به تفکیک کانال · آذر ۱۴۰۵"
        assert words(app, "scope") == "از ۱۴۰۵/۰۹/۰۱ تا ۱۴۰۵/۰۹/۳۰"
        table = panel(app).query_one(MirroredTable)
        keys = [str(c.key.value) for c in table.ordered_columns]
        assert keys[-1] == "channel" and keys[1] == BAR_COLUMN  # the name on the right
        assert sum(c.width for c in table.ordered_columns) == 79  # flush with the right edge
        assert rows(app)[0][:3] == ["۱۲۲", "۵", "۸۳٫۳٪"]
        assert rows(app)[1][3] == "▐█████"  # bars grow from the right


async def test_phone_numbers_are_masked_for_a_surveyor_and_viewing_is_not_audited(desk):
    surveyor = replace(supervisor(desk), roles=frozenset({Role.SURVEYOR}))
    app = make_app(desk, agent=surveyor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "ctrl+r", "repeat_callers")
        assert "Phone numbers and names are masked." in words(app, "scope")
        assert rows(app)[0][0] == "0912***3333"
    with session(desk.engine, write=False) as s:
        assert not s.exec(select(AuditEntry).where(AuditEntry.action == "report_exported")).all()


@pytest.mark.parametrize("lang", ["en", "fa"])
async def test_every_figure_reads_within_80_columns(desk, lang):
    app = make_app(desk, lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name in REPORTS:
            await choose(pilot, "ctrl+r", name)
            assert words(app, "title").startswith(title(name))
            assert panel(app).problem == ""
            columns = panel(app).query_one(MirroredTable).ordered_columns
            assert sum(c.width for c in columns) <= 79, name


def test_bars_grow_from_the_reading_side():
    assert bar_text(5, 10, 11, rtl=False) == "█████"
    assert bar_text(1, 10, 11, rtl=False) == "█"
    assert bar_text(1, 20, 11, rtl=True) == "▐"
    assert bar_text(3, 20, 11, rtl=True) == "▐█"
    assert bar_text(0, 10, 11, rtl=True) == ""


@pytest.mark.usefixtures("full_colour_terminal")
class TestReportsSnapshots:
    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_overdue_by_unit(self, desk, snap_compare, lang):
        """Overdue by unit at 80x24: title, as-of line, table with bars, definition, keys."""

        async def run_before(pilot: Pilot) -> None:
            await settle(pilot)
            await choose(pilot, "ctrl+r", "overdue_by_unit")

        assert snap_compare(make_app(desk, lang), terminal_size=SIZE, run_before=run_before)
