"""The wallboard (F6): a supervisor sees the center's counts, and a request registered at
another desk shows up by itself; in English and Persian."""

import shutil
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from textual.pilot import Pilot

from console.app import DeskApp
from console.screens.wallboard import WallboardPanel
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from db import intake
from db.engine import make_engine, session
from db.models import Channel

from .conftest import FIXED_NOW, PASSWORD, desk_settings, fixed_clock, settle
from .intake_world import IntakeWorld, agent_view, build_world

SIZE = (80, 24)


@pytest.fixture
def desk(template_db, tmp_path) -> Iterator[tuple[Engine, IntakeWorld]]:
    path = tmp_path / "wallboard.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    yield engine, build_world(engine)
    engine.dispose()


async def open_wallboard(pilot: Pilot) -> None:
    screen = pilot.app.screen
    screen.query_one("#username", FormInput).value = "mina"
    screen.query_one("#password", FormInput).value = PASSWORD
    screen.query_one("#password", FormInput).focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    await settle(pilot)


def tile(app: DeskApp, name: str) -> str:
    return app.screen.query_one(f"#tile-{name} .tile--value", BidiText).text


def register_now(engine: Engine, world: IntakeWorld) -> None:
    with session(engine) as s:
        intake.register_request(
            s,
            actor=agent_view(s, "omid"),
            phone=None,
            subscriber_id=None,
            category_id=world.categories["pipe_burst"],
            channel=Channel.PHONE_122,
            address="خیابان نیما، پلاک ۳",
            district_id=world.districts["D2"],
            description="",
            started_at=FIXED_NOW,
            ended_at=FIXED_NOW + timedelta(minutes=1),
        )


async def test_the_wallboard_counts_and_follows_a_new_request(desk):
    engine, world = desk
    settings = desk_settings(engine, "en", poll_seconds=0.1)
    app = DeskApp(engine=engine, settings=settings, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_wallboard(pilot)
        assert isinstance(app.screen.focused, WallboardPanel)
        assert tile(app, "open") == "1"  # the intake world's low-pressure request
        assert tile(app, "new") == "0"
        incidents = app.screen.query_one("#wallboard-incidents", BidiText).text
        assert incidents.startswith("Main break: ")
        register_now(engine, world)
        await pilot.pause(0.4)
        await settle(pilot)
        assert tile(app, "open") == "2"
        assert tile(app, "new") == "1"
        assert "every" in app.screen.query_one("#wallboard-title", BidiText).text


async def test_persian_wallboard_in_persian_digits(desk):
    engine, world = desk
    register_now(engine, world)
    app = DeskApp(engine=engine, settings=desk_settings(engine, "fa"), clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_wallboard(pilot)
        assert tile(app, "open") == "۲"
        assert tile(app, "calls") == "۱"
