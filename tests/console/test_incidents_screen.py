"""Incidents (F5): a supervisor sees the active incident, declares one from a burst of calls,
moves its restoration time and closes it; refusals keep what was typed; in English and Persian."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import SelectionList, TextArea

from console.app import DeskApp
from console.screens.incident import IncidentScreen, hour_bars
from console.screens.incident_dialogs import CloseDialog, DeclareDialog, RestoreDialog
from console.screens.incidents import IncidentsPanel
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.mirrored_table import MirroredTable
from db import intake
from db.engine import make_engine, session
from db.incidents import HourCount
from db.models import CallOutcome as Outcome
from db.models import Channel, Incident, IncidentEvent

from .conftest import FIXED_NOW, PASSWORD, desk_settings, fixed_clock, settle
from .intake_world import IntakeWorld, agent_view, build_world

SIZE = (80, 24)


@dataclass
class IncidentDesk:
    engine: Engine
    world: IntakeWorld


@pytest.fixture(scope="session")
def incident_template(template_db: Path, tmp_path_factory) -> tuple[Path, IntakeWorld]:
    path = tmp_path_factory.mktemp("incidents") / "incidents.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    world = build_world(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, world


@pytest.fixture
def desk(incident_template, tmp_path) -> Iterator[IncidentDesk]:
    template, world = incident_template
    path = tmp_path / "incidents.db"
    shutil.copyfile(template, path)
    engine = make_engine(str(path))
    yield IncidentDesk(engine, world)
    engine.dispose()


def make_app(desk: IncidentDesk, lang: str = "en") -> DeskApp:
    return DeskApp(engine=desk.engine, settings=desk_settings(desk.engine, lang), clock=fixed_clock)


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    await settle(pilot)


async def open_incidents(pilot: Pilot, username: str = "mina") -> None:
    screen = pilot.app.screen
    screen.query_one("#username", FormInput).value = username
    screen.query_one("#password", FormInput).value = PASSWORD
    screen.query_one("#password", FormInput).focus()
    await pilot.pause()
    await press(pilot, "enter")
    await press(pilot, "f5")


def rows(app: DeskApp) -> list[list[str]]:
    table = app.screen.query_one(IncidentsPanel).query_one(MirroredTable)
    return [[c.plain.strip() for c in table.get_row_at(r)] for r in range(table.row_count)]


def burst_of_calls(desk: IncidentDesk, count: int = 5) -> None:
    """``count`` answered low-pressure calls from subscribers of D2 in the last half hour."""
    with session(desk.engine) as s:
        sara = agent_view(s, "sara")
        for i in range(count):
            started = FIXED_NOW - timedelta(minutes=3 * i + 1)
            intake.record_contact(
                s,
                actor=sara,
                phone="09122222222",
                subscriber_id=desk.world.subscribers["akbar"],
                category_id=desk.world.categories["low_pressure"],
                channel=Channel.PHONE_122,
                outcome=Outcome.ANSWERED,
                started_at=started,
                ended_at=started + timedelta(minutes=1),
            )


def incidents(desk: IncidentDesk) -> list[Incident]:
    with session(desk.engine, write=False) as s:
        return list(s.exec(select(Incident).order_by(Incident.started_at)).all())


async def test_the_active_incident_is_listed_and_opens_with_its_message(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_incidents(pilot)
        assert app.screen.query_one("#incidents-count", BidiText).text == "Active incidents: 1"
        [row] = rows(app)
        assert row[0] == "Main break" and row[-1] == "active"
        await press(pilot, "enter")
        assert isinstance(app.screen, IncidentScreen)
        head = [line.text for line in app.screen.query_one("#incident-head").lines()]
        assert any(text.startswith("Read to callers: ") for text in head)
        await press(pilot, "escape")
        assert not isinstance(app.screen, IncidentScreen)


async def test_a_burst_of_calls_is_offered_and_declared_with_the_form_filled_in(desk):
    burst_of_calls(desk)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_incidents(pilot)
        suggest = app.screen.query_one("#incidents-suggest", BidiText)
        assert suggest.text.startswith("5 calls about ")
        await press(pilot, "ctrl+r")
        dialog = app.screen
        assert isinstance(dialog, DeclareDialog)
        assert dialog.query_one(SelectionList).selected == [desk.world.districts["D2"]]
        assert dialog.query_one("#title", FormInput).value
        # Saved with no message: refused next to the message, nothing typed is lost.
        dialog.query_one("#eta", FormInput).value = "۱۸:۳۰"
        await press(pilot, "ctrl+o")
        assert app.screen is dialog
        assert dialog.query_one("#message-error", BidiText).text
        assert dialog.query_one("#eta", FormInput).value == "۱۸:۳۰"
        dialog.query_one("#message", TextArea).text = "افت فشار در حال رفع است."
        await press(pilot, "ctrl+o")
        assert not isinstance(app.screen, DeclareDialog)
        assert len(rows(app)) == 2
        assert not app.screen.query_one("#incidents-suggest", BidiText).text
    declared = incidents(desk)[-1]
    assert declared.kind == "low_pressure"
    assert declared.expected_restoration_at == FIXED_NOW.replace(hour=15, minute=0)


async def test_a_time_that_has_passed_is_refused_next_to_its_field(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_incidents(pilot)
        await press(pilot, "enter", "ctrl+t")
        dialog = app.screen
        assert isinstance(dialog, RestoreDialog)
        dialog.query_one("#eta", FormInput).value = "9:15"  # it is 14:00 in Tehran
        await press(pilot, "ctrl+o")
        assert "has passed today" in dialog.query_one("#eta-error", BidiText).text
        dialog.query_one("#eta", FormInput).value = "1405/09/07 08:00"
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, IncidentScreen)
    with session(desk.engine, write=False) as s:
        actions = [e.action for e in s.exec(select(IncidentEvent)).all()]
    assert "eta_changed" in actions
    assert incidents(desk)[0].expected_restoration_at == FIXED_NOW.replace(
        day=28, hour=4, minute=30
    )


async def test_a_change_made_meanwhile_is_refused_and_the_dialog_keeps_the_text(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_incidents(pilot)
        await press(pilot, "enter", "ctrl+t")
        with session(desk.engine) as s:  # another supervisor saves first
            s.get(Incident, desk.world.incident_id).version += 1
        dialog = app.screen
        dialog.query_one("#eta", FormInput).value = "20:00"
        await press(pilot, "ctrl+o")
        reopened = app.screen
        assert isinstance(reopened, RestoreDialog) and reopened is not dialog
        assert reopened.query_one("#eta", FormInput).value == "20:00"
        assert "changed this incident" in reopened.query_one("#eta-error", BidiText).text


async def test_closing_tells_those_who_called(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_incidents(pilot)
        await press(pilot, "enter", "ctrl+l")
        assert isinstance(app.screen, CloseDialog)
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.detail.incident.status == "closed"
        # A closed incident takes no new time and cannot be closed twice.
        assert app.screen.check_action("restore_time", ()) is False
        await press(pilot, "escape")
        assert rows(app) == []
        assert app.screen.query_one("#incidents-count", BidiText).text == "No active incident."
    assert incidents(desk)[0].status == "closed"


async def test_persian_list_reads_right_to_left(desk):
    from console.i18n.rtl import display

    app = make_app(desk, "fa")
    async with app.run_test(size=SIZE) as pilot:
        await open_incidents(pilot)
        [row] = rows(app)
        assert row[0] == display("فعال")  # the status column comes first, on the left
        assert row[3] == "۱۲:۰۰"  # started two hours before 14:00, in Persian digits


def test_hour_bars_scale_to_the_busiest_hour_and_keep_quiet_hours():
    hours = tuple(
        HourCount(FIXED_NOW + timedelta(hours=h), calls) for h, calls in enumerate((2, 0, 8))
    )
    bars, counts, clock = hour_bars(hours)
    assert bars == "▂▂▂     ███"
    assert counts.split() == ["2", "0", "8"] or counts.split() == ["۲", "۰", "۸"]
    assert len(clock.split()) == 3
    assert hour_bars(()) == []
