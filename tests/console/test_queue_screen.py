"""The follow-up queue (F3): a follow-up agent reads the most urgent requests first, filters
the overdue ones and pages through the rest, in English and in Persian."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from console.app import DeskApp
from console.i18n.intake_words import code_groups
from console.screens.queue import QueuePanel
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.keybar import KeyBar
from db import intake
from db.engine import make_engine, session
from db.models import Channel

from .conftest import FIXED_NOW, PASSWORD, desk_settings, fixed_clock, settle
from .intake_world import IntakeWorld, agent_view, build_world

SIZE = (80, 24)

# (category, district, hours since the call): the citizen's clock runs 24/7 for these.
REQUESTS = (
    ("pipe_burst", "D1", 8),  # 6 h target: 2 h late
    ("sewer_blockage", "D2", 1),  # 8 h target: 7 h left
    ("water_quality", "D1", 30),  # 24 h target: 6 h late
    ("branch_leak", "D2", 7),  # 8 h target: 1 h left
)


@dataclass
class QueueDesk:
    engine: Engine
    world: IntakeWorld
    codes: dict[str, str]
    """Tracking code by category code (the intake world's low-pressure request included)."""


@pytest.fixture(scope="session")
def queue_template(template_db: Path, tmp_path_factory) -> tuple[Path, IntakeWorld, dict]:
    path = tmp_path_factory.mktemp("queue") / "queue.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    world = build_world(engine)
    codes = {"low_pressure": world.open_request_code}
    with session(engine) as s:
        omid = agent_view(s, "omid")
        for category, district, hours in REQUESTS:
            started = FIXED_NOW - timedelta(hours=hours)
            registered = intake.register_request(
                s,
                actor=omid,
                phone=None,
                subscriber_id=None,
                category_id=world.categories[category],
                channel=Channel.PHONE_122,
                address="خیابان نیما، پلاک ۳",
                district_id=world.districts[district],
                description="",
                started_at=started,
                ended_at=started + timedelta(minutes=2),
            )
            codes[category] = registered.tracking_code
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, world, codes


@pytest.fixture
def queue_desk(queue_template, tmp_path) -> Iterator[QueueDesk]:
    template, world, codes = queue_template
    path = tmp_path / "queue.db"
    shutil.copyfile(template, path)
    engine = make_engine(str(path))
    yield QueueDesk(engine, world, codes)
    engine.dispose()


#: Most urgent first: by the due instant of the citizen's clock.
URGENCY = ["water_quality", "pipe_burst", "branch_leak", "sewer_blockage", "low_pressure"]


def make_app(desk: QueueDesk, lang: str = "en") -> DeskApp:
    return DeskApp(engine=desk.engine, settings=desk_settings(desk.engine, lang), clock=fixed_clock)


async def open_queue(pilot: Pilot, username: str = "mina") -> None:
    from console.widgets.fields import FormInput

    screen = pilot.app.screen
    screen.query_one("#username", FormInput).value = username
    screen.query_one("#password", FormInput).value = PASSWORD
    screen.query_one("#password", FormInput).focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    await settle(pilot)


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    await settle(pilot)


def shown_codes(app: DeskApp) -> list[str]:
    table = app.screen.query_one(QueuePanel).query_one(DataTable)
    column = 0 if app.screen.query_one(QueuePanel)._rtl is False else len(table.columns) - 1
    codes = []
    for row in range(table.row_count):
        value = table.get_row_at(row)[column]
        codes.append((value.plain if isinstance(value, Text) else str(value)).replace(" ", ""))
    return codes


def line(app: DeskApp, selector: str) -> str:
    return app.screen.query_one(selector, BidiText).text


def grouped(code: str) -> str:
    return " ".join(code_groups(code))


async def test_followup_agent_sees_the_most_urgent_requests_first(queue_desk):
    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        assert shown_codes(app) == [queue_desk.codes[c] for c in URGENCY]
        assert line(app, "#queue-counts") == "Open 5: New 5"
        assert line(app, "#queue-filters") == "Page 1"
        table = app.screen.query_one(QueuePanel).query_one(DataTable)
        first = [c.plain.strip() for c in table.get_row_at(0)]
        assert first[0] == grouped(queue_desk.codes["water_quality"])
        assert first[4] == "New"
        assert first[5] == "late 6:00"
        assert table.get_row_at(3)[5].plain.strip() == "7:00"
        bar = [item.description for item in app.screen.query_one(KeyBar).items()]
        for word in ("Refresh", "Next page", "First page", "Overdue", "Mine"):
            assert word in bar


async def test_overdue_only_shows_the_late_requests_and_toggles_back(queue_desk):
    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await press(pilot, "ctrl+e")
        assert shown_codes(app) == [queue_desk.codes[c] for c in ("water_quality", "pipe_burst")]
        assert line(app, "#queue-filters") == "Page 1 · overdue only"
        assert line(app, "#queue-counts") == "Open 2: New 2"
        await press(pilot, "ctrl+e")
        assert len(shown_codes(app)) == 5


async def test_pages_follow_the_cursor_and_the_first_page_comes_back(queue_desk, monkeypatch):
    monkeypatch.setattr(QueuePanel, "page_size", 2)
    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        codes = [queue_desk.codes[c] for c in URGENCY]
        assert shown_codes(app) == codes[:2]
        assert line(app, "#queue-filters") == "Page 1 · more on the next page"
        await press(pilot, "ctrl+p")
        assert shown_codes(app) == codes[2:4]
        await press(pilot, "ctrl+p")
        assert shown_codes(app) == codes[4:]
        assert line(app, "#queue-filters") == "Page 3"
        await press(pilot, "ctrl+b")
        assert shown_codes(app) == codes[:2]


async def test_mine_shows_nothing_before_the_agent_holds_a_request(queue_desk):
    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await press(pilot, "ctrl+y")
        assert shown_codes(app) == []
        assert line(app, "#queue-filters") == "Page 1 · mine only · no requests"


async def test_persian_queue_reads_right_to_left_in_persian_digits(queue_desk):
    app = make_app(queue_desk, "fa")
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        table = app.screen.query_one(QueuePanel).query_one(DataTable)
        last = table.get_row_at(0)[-1].plain.strip()
        digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
        assert last == grouped(queue_desk.codes["water_quality"]).translate(digits)


@pytest.mark.usefixtures("full_colour_terminal")
class TestQueueSnapshots:
    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_queue_panel(self, queue_desk, snap_compare, lang):
        """F3 for an agent with every role: five requests, two of them overdue."""
        assert snap_compare(make_app(queue_desk, lang), terminal_size=SIZE, run_before=open_queue)


# --- filters, the chase board and the tick --------------------------------------------------


def refer(desk: QueueDesk, category: str, unit_kind: str, hours_ago: float) -> None:
    """Refer one of the desk's requests to a unit, ``hours_ago`` before the fixed clock."""
    from db import followup
    from db.models import Ticket, Unit

    with session(desk.engine) as s:
        ticket = s.exec(select(Ticket).where(Ticket.tracking_code == desk.codes[category])).one()
        unit = s.exec(select(Unit).where(Unit.kind == unit_kind)).first()
        followup.transition(
            s,
            actor=agent_view(s, "mina"),
            ticket_id=ticket.id,
            action="referred",
            expected_version=ticket.version,
            unit_id=unit.id,
            now=FIXED_NOW - timedelta(hours=hours_ago),
        )


async def test_the_filter_dialog_narrows_the_queue_and_clears_back(queue_desk):
    from textual.widgets import Select

    from console.screens.queue_filter import FilterDialog

    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await press(pilot, "ctrl+l")
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        dialog.query_one("#filter-district_id", Select).value = queue_desk.world.districts["D2"]
        await press(pilot, "ctrl+l")
        assert shown_codes(app) == [
            queue_desk.codes[c] for c in ("branch_leak", "sewer_blockage", "low_pressure")
        ]
        assert line(app, "#queue-filters").startswith("Page 1 · ")
        assert line(app, "#queue-counts") == "Open 3: New 3"

        await press(pilot, "ctrl+l")
        dialog = app.screen
        assert dialog.query_one("#filter-district_id", Select).value is not Select.NULL
        await press(pilot, "ctrl+x", "ctrl+l")
        assert len(shown_codes(app)) == 5
        assert line(app, "#queue-filters") == "Page 1"

        await press(pilot, "ctrl+l")  # Escape leaves the filters as they were
        app.screen.query_one("#filter-status", Select).value = "referred"
        await press(pilot, "escape")
        assert len(shown_codes(app)) == 5


async def test_the_chase_board_groups_late_referrals_by_unit(queue_desk):
    from console.screens.chase import ChasePanel

    refer(queue_desk, "pipe_burst", "water_ops", 7.5)  # 6 h target: late on both clocks
    refer(queue_desk, "branch_leak", "water_ops", 6.5)  # 8 h target: an hour and a half left
    refer(queue_desk, "sewer_blockage", "sewer_ops", 0.5)  # plenty of time: not on the board
    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await press(pilot, "ctrl+w")
        panel = app.screen.query_one(ChasePanel)
        assert panel.display
        table = panel.query_one(DataTable)
        rows = [[c.plain.strip() for c in table.get_row_at(r)] for r in range(table.row_count)]
        assert len(rows) == 3
        assert rows[0][4] == "late 1"
        assert rows[1][0] == grouped(queue_desk.codes["pipe_burst"])
        assert rows[1][4].startswith("late") and rows[1][5].startswith("late")
        assert rows[2][0] == grouped(queue_desk.codes["branch_leak"])
        assert rows[2][4] == "1:30"
        assert "Water" in line(app, "#chase-about")
        await press(pilot, "ctrl+w")
        assert app.screen.query_one(QueuePanel).display


async def test_the_open_console_escalates_late_requests_by_itself(queue_desk):
    from db.models import Ticket

    settings = desk_settings(queue_desk.engine, "en", tick_seconds=0.1)
    app = DeskApp(engine=queue_desk.engine, settings=settings, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await pilot.pause(0.3)
        await settle(pilot)
    with session(queue_desk.engine, write=False) as s:
        levels = {t.tracking_code: t.escalation_level for t in s.exec(select(Ticket)).all()}
    assert levels[queue_desk.codes["water_quality"]] == 1
    assert levels[queue_desk.codes["pipe_burst"]] == 1
    assert levels[queue_desk.codes["branch_leak"]] == 0


async def test_enter_opens_the_request_and_escape_comes_back_to_the_queue(queue_desk):
    from console.screens.request import RequestScreen

    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, RequestScreen)
        assert app.screen.detail.request.tracking_code == queue_desk.codes["water_quality"]
        await press(pilot, "escape")
        assert shown_codes(app)[0] == queue_desk.codes["water_quality"]


async def test_take_next_holds_the_most_urgent_free_request_and_opens_it(queue_desk):
    from console.screens.request import RequestScreen
    from db.models import Ticket

    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await press(pilot, "ctrl+n")
        assert isinstance(app.screen, RequestScreen)
        await press(pilot, "escape", "ctrl+y")  # mine only: the one just taken
        assert shown_codes(app) == [queue_desk.codes["water_quality"]]
    with session(queue_desk.engine, write=False) as s:
        held = s.exec(select(Ticket).where(Ticket.claimed_by_id.is_not(None))).all()
    assert [t.tracking_code for t in held] == [queue_desk.codes["water_quality"]]


async def test_a_call_to_a_unit_is_logged_on_all_its_requests_from_its_heading(queue_desk):
    from console.screens.chase import ChasePanel
    from console.screens.dialogs import UnitCalledDialog
    from db.models import TicketEvent

    refer(queue_desk, "pipe_burst", "water_ops", 7.5)
    refer(queue_desk, "branch_leak", "water_ops", 6.5)
    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        await press(pilot, "ctrl+w", "ctrl+u")  # the cursor is on the unit's heading
        dialog = app.screen
        assert isinstance(dialog, UnitCalledDialog)
        dialog.query_one("#time", FormInput).value = "۱۶:۳۰"
        await press(pilot, "ctrl+o")
        table = app.screen.query_one(ChasePanel).query_one(DataTable)
        promised = [table.get_row_at(r)[-1].plain.strip() for r in range(1, 3)]
        assert promised == ["16:30", "16:30"]
    with session(queue_desk.engine, write=False) as s:
        calls = s.exec(select(TicketEvent).where(TicketEvent.action == "unit_called")).all()
    assert len(calls) == 2


# --- polls and paging on a slow link -------------------------------------------------------


def ticket_id(desk: QueueDesk, category: str):
    from db.models import Ticket

    with session(desk.engine, write=False) as s:
        code = desk.codes[category]
        return s.exec(select(Ticket.id).where(Ticket.tracking_code == code)).one()


@pytest.fixture
def fills(monkeypatch) -> list[str]:
    """Each time a table was emptied to be filled afresh (the queue's table's id)."""
    from console.widgets.mirrored_table import MirroredTable

    emptied: list[str] = []
    clear = MirroredTable.clear

    def spy(self, *args, **kwargs):
        emptied.append(self.id or "")
        return clear(self, *args, **kwargs)

    monkeypatch.setattr(MirroredTable, "clear", spy)
    return emptied


async def poll(pilot: Pilot) -> None:
    """What the panel's timer does every `poll_seconds` x 10."""
    pilot.app.screen.query_one(QueuePanel).read_again()
    await settle(pilot)


async def test_a_poll_that_finds_the_same_requests_leaves_the_table_as_it_is(queue_desk, fills):
    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        table = app.screen.query_one(QueuePanel).query_one(DataTable)
        await press(pilot, "down", "down")
        keys, cells = table.row_keys(), [table.get_row_at(r) for r in range(table.row_count)]
        fills.clear()
        await poll(pilot)
        assert fills == []
        assert table.row_keys() == keys
        assert [table.get_row_at(r) for r in range(table.row_count)] == cells
        assert table.highlighted_key() == str(ticket_id(queue_desk, "branch_leak"))


async def test_a_request_taken_meanwhile_shows_its_holder_in_place(queue_desk, fills):
    from db.followup import claim

    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        table = app.screen.query_one(QueuePanel).query_one(DataTable)
        await press(pilot, "down", "down", "down")
        keys = table.row_keys()
        assert table.get_row_at(1)[-1].plain.strip() == ""
        fills.clear()
        with session(queue_desk.engine) as s:
            reza = agent_view(s, "reza")
            claim(s, actor=reza, ticket_id=ticket_id(queue_desk, "pipe_burst"), now=FIXED_NOW)
        await poll(pilot)
        assert fills == []
        assert table.row_keys() == keys
        assert table.get_row_at(1)[-1].plain.strip() != ""  # Reza's name, cropped to fit
        assert table.highlighted_key() == str(ticket_id(queue_desk, "sewer_blockage"))


async def test_a_new_request_moves_the_rows_and_the_cursor_stays_on_its_request(queue_desk):
    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        table = app.screen.query_one(QueuePanel).query_one(DataTable)
        await press(pilot, "down", "down")  # on branch_leak, the third
        with session(queue_desk.engine) as s:
            started = FIXED_NOW - timedelta(hours=20)
            intake.register_request(
                s,
                actor=agent_view(s, "omid"),
                phone=None,
                subscriber_id=None,
                category_id=queue_desk.world.categories["pipe_burst"],
                channel=Channel.PHONE_122,
                address="خیابان نیما، پلاک ۵",
                district_id=queue_desk.world.districts["D1"],
                description="",
                started_at=started,
                ended_at=started + timedelta(minutes=2),
            )
        await poll(pilot)
        assert table.row_count == 6
        assert table.cursor_row == 3
        assert table.highlighted_key() == str(ticket_id(queue_desk, "branch_leak"))


async def test_a_page_key_says_reading_at_once_and_the_rows_follow(queue_desk, monkeypatch):
    """The key answers within a frame: the filters line is marked before the database is."""
    monkeypatch.setattr(QueuePanel, "page_size", 2)
    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)
        panel = app.screen.query_one(QueuePanel)
        codes = [queue_desk.codes[c] for c in URGENCY]
        panel.action_next_page()
        assert line(app, "#queue-filters") == "Page 2 · Reading…"
        assert shown_codes(app) == codes[:2]  # the page on show stays until the next is read
        await settle(pilot)
        assert line(app, "#queue-filters") == "Page 2 · more on the next page"
        assert shown_codes(app) == codes[2:4]
        assert panel.query_one(DataTable).cursor_row == 0
        panel.action_toggle_overdue()
        assert line(app, "#queue-filters") == "Page 1 · overdue only · Reading…"
        await settle(pilot)
        assert line(app, "#queue-filters") == "Page 1 · overdue only"


async def test_a_read_that_fails_takes_back_the_reading_mark(queue_desk, monkeypatch):
    from textual.worker import WorkerFailed

    import console.screens.queue as queue_screen

    app = make_app(queue_desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_queue(pilot)

        def broken(*args, **kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(queue_screen, "list_queue", broken)
        app.screen.query_one(QueuePanel).action_refresh()  # Ctrl+F
        assert line(app, "#queue-filters") == "Page 1 · Reading…"
        with pytest.raises(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert line(app, "#queue-filters") == "Page 1"
        assert len(shown_codes(app)) == 5
