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
from textual.pilot import Pilot
from textual.widgets import DataTable

from console.app import DeskApp
from console.i18n.intake_words import code_groups
from console.screens.queue import QueuePanel
from console.widgets.bidi import BidiText
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
