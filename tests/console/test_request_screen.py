"""A request's detail (follow-up): the agent reads the whole request, its clocks and history,
and takes each step of its life on a key, in English and in Persian."""

import io
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.widgets import TextArea

from console.app import DeskApp
from console.i18n.intake_words import code_groups
from console.i18n.rtl import display
from console.screens.dialogs import (
    CancelDialog,
    EscalateDialog,
    LinkDialog,
    NoteDialog,
    ReferDialog,
    UnitCalledDialog,
    promised_time,
)
from console.screens.request import RequestScreen
from console.screens.step_dialog import ChoiceLine
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.keybar import KeyBar
from console.widgets.request_detail import DetailBlock
from db import intake
from db.accounts import add_agent
from db.engine import make_engine, session
from db.followup import log_unit_call, transition
from db.models import Channel

from .conftest import FIXED_NOW, PASSWORD, desk_settings, fixed_clock, settle
from .intake_world import IntakeWorld, agent_view, build_world

SIZE = (80, 24)
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@dataclass
class RequestDesk:
    engine: Engine
    world: IntakeWorld
    ticket_id: uuid.UUID
    """The low-pressure request of the intake world: registered 5 hours ago, with a phone."""
    burst_id: uuid.UUID
    burst_code: str
    """A pipe burst registered 8 hours ago (its 6-hour clock ran out 2 hours ago)."""


@pytest.fixture(scope="session")
def request_template(template_db: Path, tmp_path_factory) -> tuple[Path, IntakeWorld, dict]:
    path = tmp_path_factory.mktemp("request") / "request.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    world = build_world(engine)
    with session(engine) as s:
        # A follow-up agent without the supervisor's role (who may not escalate to level 3).
        add_agent(
            s,
            actor=None,
            username="farid",
            full_name="فرید نوری",
            password=PASSWORD,
            roles=["followup"],
        )
    with session(engine) as s:
        started = FIXED_NOW - timedelta(hours=8)
        burst = intake.register_request(
            s,
            actor=agent_view(s, "omid"),
            phone=None,
            subscriber_id=None,
            category_id=world.categories["pipe_burst"],
            channel=Channel.PHONE_122,
            address="خیابان نیما، پلاک ۳",
            district_id=world.districts["D1"],
            description="آب از زیر آسفالت بیرون می‌زند",
            started_at=started,
            ended_at=started + timedelta(minutes=2),
        )
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, world, {"id": burst.ticket.id, "code": burst.tracking_code}


@pytest.fixture
def desk(request_template, tmp_path) -> Iterator[RequestDesk]:
    template, world, burst = request_template
    path = tmp_path / "request.db"
    shutil.copyfile(template, path)
    engine = make_engine(str(path))
    assert world.open_request_id is not None
    yield RequestDesk(engine, world, world.open_request_id, burst["id"], burst["code"])
    engine.dispose()


def make_app(desk: RequestDesk, lang: str = "en") -> DeskApp:
    return DeskApp(engine=desk.engine, settings=desk_settings(desk.engine, lang), clock=fixed_clock)


async def open_request(
    pilot: Pilot, ticket_id: uuid.UUID, username: str = "mina", poll_seconds: float | None = None
) -> list:
    """Sign in and open the request, as the queue will; returns the list of dismiss results."""
    screen = pilot.app.screen
    screen.query_one("#username", FormInput).value = username
    screen.query_one("#password", FormInput).value = PASSWORD
    screen.query_one("#password", FormInput).focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    results: list = []
    request = RequestScreen(
        engine=pilot.app.engine,  # type: ignore[attr-defined]
        agent=pilot.app.screen.agent,  # type: ignore[attr-defined]
        clock=fixed_clock,
        ticket_id=ticket_id,
        poll_seconds=poll_seconds,
    )
    pilot.app.push_screen(request, results.append)
    await settle(pilot)
    await settle(pilot)
    return results


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    await settle(pilot)


def screen_text(app: DeskApp) -> str:
    """What the terminal shows, row by row (for the message and mirroring checks)."""
    console = Console(
        width=SIZE[0], height=SIZE[1], file=io.StringIO(), force_terminal=True, record=True
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def block(app: DeskApp, selector: str) -> str:
    return "\n".join(line.text for line in app.screen.query_one(selector, DetailBlock).lines())


def message(app: DeskApp) -> str:
    return app.screen.query_one("#request-message", BidiText).text


def bar(app: DeskApp) -> list[str]:
    return [item.description for item in app.screen.query_one(KeyBar).items()]


async def type_note(pilot: Pilot, text: str) -> None:
    area = pilot.app.screen.query_one("#note", TextArea)
    area.focus()
    area.insert(text)
    await pilot.pause()


async def test_agent_opens_a_request_and_reads_its_clocks_and_history(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.burst_id)
        assert isinstance(app.screen, RequestScreen)
        head = block(app, "#request-head")
        assert "Network pipe burst" in head and "emergency" in head
        assert "Registered" in head
        assert block(app, "#request-clocks").splitlines() == [
            "Citizen's clock: late 2:00 · due 12:00",
            "Unit's clock: starts when the request is referred",
        ]
        fields = block(app, "#request-fields")
        assert "Address: خیابان نیما، پلاک ۳ · District 1" in fields
        assert "Description: آب از زیر آسفالت بیرون می‌زند" in fields
        history = block(app, "#request-events")
        assert history.startswith("06:02 · Registered · Water operations 1 · امید صالحی")
        assert set(bar(app)) >= {"Back", "Refresh", "Hold / release", "Refer", "Cancel request"}
        assert "Accept" not in bar(app) and "Unit called" not in bar(app)


async def test_refer_through_the_unit_picker_changes_the_status(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_request(pilot, desk.ticket_id)
        await press(pilot, "ctrl+r")
        assert isinstance(app.screen, ReferDialog)
        field = app.screen.query_one("#unit").input
        field.value = ""
        await pilot.press(*"sewer")
        await settle(pilot)
        await press(pilot, "enter")  # takes the highlighted match, goes to the note
        await type_note(pilot, "Send the night crew")
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, RequestScreen)
        assert message(app) == "Saved: Referred to the unit."
        assert "Referred to the unit" in block(app, "#request-head")
        last = block(app, "#request-events").splitlines()[-2:]
        assert last == [
            "14:00 · Referred to the unit · New → Referred · Sewer operations · مینا رستگار",
            "Send the night crew",
        ]
        assert block(app, "#request-clocks").splitlines()[1].startswith("Unit's clock: ")
        await press(pilot, "escape")
        assert results == [True]


async def test_answer_then_accept_queues_the_feedback_call(desk):
    with session(desk.engine) as s:
        mina = agent_view(s, "mina")
        transition(
            s,
            actor=mina,
            ticket_id=desk.ticket_id,
            action="referred",
            expected_version=1,
            now=FIXED_NOW,
        )
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.ticket_id)
        await press(pilot, "ctrl+a")
        assert isinstance(app.screen, NoteDialog)
        await press(pilot, "ctrl+o")  # the answer is required
        assert isinstance(app.screen, NoteDialog)
        error = app.screen.query_one("#note-error", BidiText)
        assert error.text == "Write a note: this step needs one." and error.display
        await type_note(pilot, "Pressure valve replaced")
        await press(pilot, "ctrl+o")
        assert "Unit answered" in block(app, "#request-head")
        assert "Accept" in bar(app)
        await press(pilot, "ctrl+p")
        assert "Pressure valve replaced" in app.screen.query_one(BidiText).text
        await press(pilot, "ctrl+o")
        assert "Answer accepted" in block(app, "#request-head")
        assert "Feedback call: to be made · due 14:00" in block(app, "#request-fields")
        assert "Answer accepted · Answered → Accepted" in block(app, "#request-events")


async def test_a_stale_edit_says_who_changed_it_and_reads_the_request_again(desk):
    with session(desk.engine) as s:
        transition(
            s,
            actor=agent_view(s, "mina"),
            ticket_id=desk.ticket_id,
            action="referred",
            expected_version=1,
            now=FIXED_NOW,
        )
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.ticket_id)
        with session(desk.engine) as s:
            transition(
                s,
                actor=agent_view(s, "reza"),
                ticket_id=desk.ticket_id,
                action="started",
                expected_version=2,
                now=FIXED_NOW,
            )
        await press(pilot, "ctrl+a")
        await type_note(pilot, "Fixed the valve")
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, RequestScreen)
        assert message(app) == (
            "Changed by رضا کریمی at 14:00 (Unit started work); the request was read again: "
            "check it and try again."
        )
        assert "Unit working on it" in block(app, "#request-head")
        await press(pilot, "ctrl+a")  # what was typed comes back
        assert app.screen.query_one("#note", TextArea).text == "Fixed the valve"
        await press(pilot, "ctrl+o")
        assert "Unit answered" in block(app, "#request-head")


async def test_what_another_agent_does_shows_up_by_itself(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.ticket_id, poll_seconds=0.02)  # read again every 0.2 s
        assert "Registered" in block(app, "#request-head").splitlines()[1]
        with session(desk.engine) as s:
            transition(
                s,
                actor=agent_view(s, "reza"),
                ticket_id=desk.ticket_id,
                action="referred",
                expected_version=1,
                now=FIXED_NOW,
            )
        await pilot.pause(0.5)
        await settle(pilot)
        assert "Referred to the unit" in block(app, "#request-head")
        assert "رضا کریمی" in block(app, "#request-events").splitlines()[-1]


async def test_a_key_the_status_does_not_allow_says_why(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.ticket_id)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, RequestScreen)
        assert message(app) == "“Accept” is not possible now: the request's status is “Registered”."
        await press(pilot, "ctrl+u")
        assert message(app) == (
            "No unit has this request now, so a call to the unit cannot be logged."
        )


async def test_unit_called_keeps_a_past_promise_typed_and_logs_a_later_one(desk):
    with session(desk.engine) as s:
        transition(
            s,
            actor=agent_view(s, "mina"),
            ticket_id=desk.ticket_id,
            action="referred",
            expected_version=1,
            now=FIXED_NOW,
        )
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.ticket_id)
        await press(pilot, "ctrl+u")
        assert isinstance(app.screen, UnitCalledDialog)
        await pilot.press(*"۱۲:۳۰")
        await press(pilot, "enter", "ctrl+o")
        assert isinstance(app.screen, UnitCalledDialog)
        assert app.screen.query_one("#time", FormInput).value == "۱۲:۳۰"
        assert app.screen.query_one("#time-error", BidiText).text == (
            "12:30 has already passed today (it is 14:00): type a later time."
        )
        app.screen.query_one("#time", FormInput).value = "۱۶:۳۰"
        await type_note(pilot, "Crew on the way")
        await press(pilot, "ctrl+o")
        assert message(app) == "The call to the unit is logged."
        events = block(app, "#request-events").splitlines()
        assert events[-2] == (
            "14:00 · Unit called · Water operations 1 · promised by 16:30 · مینا رستگار"
        )
        assert events[-1] == "Crew on the way"


async def test_waiting_for_the_subscriber_keeps_a_persian_note_and_toggles_back(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.ticket_id)
        await press(pilot, "ctrl+w")
        assert isinstance(app.screen, NoteDialog)
        note = "مشترک می‌خواهد فردا باشد"
        await pilot.press(*note)
        await settle(pilot)
        assert app.screen.query_one("#note", TextArea).text == note  # the half-space kept
        assert app.screen.query_one("#note-preview", BidiText).text == note
        await press(pilot, "ctrl+o")
        assert "Waiting for the subscriber" in block(app, "#request-head")
        assert block(app, "#request-clocks").startswith("Citizen's clock: paused")
        assert block(app, "#request-events").splitlines()[-1] == note
        await press(pilot, "ctrl+w")  # the same key resumes
        assert app.screen.title_text == "Resume the clocks"
        await press(pilot, "ctrl+o")
        assert "Registered" in block(app, "#request-head").splitlines()[1]


async def test_hold_and_release(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.ticket_id)
        await press(pilot, "ctrl+y")
        assert message(app) == "You hold this request now."
        assert "You hold it until 14:30" in block(app, "#request-head")
        await press(pilot, "ctrl+y")
        assert message(app) == "You let the request go."
        assert "hold" not in block(app, "#request-head")


async def test_cancel_as_duplicate_of_a_request_typed_in_persian_digits(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.ticket_id)
        await press(pilot, "ctrl+d")
        assert isinstance(app.screen, CancelDialog)
        code = app.screen.query_one("#code", FormInput)
        code.value = "123 45 678901 2"
        await press(pilot, "ctrl+o")
        assert app.screen.query_one("#code-error", BidiText).text == (
            "The check digit does not match: a digit is probably misheard."
        )
        persian = desk.burst_code.translate(PERSIAN)
        code.value = f"{persian[:3]} {persian[3:5]} {persian[5:11]} {persian[11]}"
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, RequestScreen)
        assert "Cancelled" in block(app, "#request-head")
        assert "Links: duplicate of" in block(app, "#request-fields")


async def test_linking_to_a_closed_parent_reopens_the_dialog_with_the_code_kept(desk):
    with session(desk.engine) as s:
        mina = agent_view(s, "mina")
        transition(
            s,
            actor=mina,
            ticket_id=desk.burst_id,
            action="cancelled",
            expected_version=1,
            reason="invalid",
            note="test call",
            now=FIXED_NOW,
        )
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.ticket_id)
        await press(pilot, "ctrl+k")
        assert isinstance(app.screen, LinkDialog)
        await pilot.press(*desk.burst_code)
        await press(pilot, "enter")
        assert isinstance(app.screen, LinkDialog)
        assert app.screen.query_one("#code", FormInput).value == desk.burst_code
        assert "is no longer open" in app.screen.query_one("#code-error", BidiText).text


async def test_only_a_supervisor_is_offered_the_managing_directors_office(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.burst_id, "farid")
        await press(pilot, "ctrl+e")
        assert isinstance(app.screen, EscalateDialog)
        assert app.screen.query_one(ChoiceLine).values == [1, 2]
        await press(pilot, "down")  # level 2
        await type_note(pilot, "Two hours late, no answer from the crew")
        await press(pilot, "ctrl+o")
        assert "Escalated: level 2" in block(app, "#request-head")
        assert "Escalated · level 2 · فرید نوری" in block(app, "#request-events")
        await press(pilot, "ctrl+e")
        assert isinstance(app.screen, RequestScreen)
        assert message(app) == "Only a supervisor can escalate to level 3."


async def test_persian_request_reads_from_the_right(desk):
    app = make_app(desk, "fa")
    async with app.run_test(size=SIZE) as pilot:
        await open_request(pilot, desk.burst_id)
        assert app.screen.has_class("-rtl")
        rows = screen_text(app).splitlines()
        code = " ".join(code_groups(desk.burst_code)).translate(PERSIAN)
        assert code in rows[0]
        # Right-aligned: the header ends at the right edge (less its padding), not the left.
        assert rows[0].startswith(" " * 10) and len(rows[0].rstrip()) == SIZE[0] - 1
        assert block(app, "#request-clocks").splitlines()[0] == (
            "ساعت مشترک: ۲:۰۰ دیر · مهلت ۱۲:۰۰"
        )
        rule = next(row for row in rows if row.startswith("───"))
        assert rule.rstrip().endswith("─") and not rule.startswith("─" + " ")
        assert rule.index(display("سابقه")) > SIZE[0] // 2  # the history's title on the right
        keys_row = next(row for row in rows if "Esc" in row)
        assert keys_row.rstrip().endswith("Esc")  # the first key on the right
        await press(pilot, "ctrl+p")
        assert message(app) == "«پذیرش» اکنون ممکن نیست: وضعیت درخواست «ثبت شد» است."


def test_promised_time_reads_persian_digits_as_today_in_tehran():
    assert promised_time("۱۶:۳۰", FIXED_NOW) == FIXED_NOW + timedelta(hours=2, minutes=30)
    assert promised_time("16.30", FIXED_NOW) == FIXED_NOW + timedelta(hours=2, minutes=30)
    assert promised_time("", FIXED_NOW) is None
    with pytest.raises(ValueError):
        promised_time("25:00", FIXED_NOW)


def follow_up_the_burst(desk: RequestDesk) -> None:
    """The burst referred an hour and a half ago, and the unit called since, with a promise."""
    with session(desk.engine) as s:
        mina = agent_view(s, "mina")
        transition(
            s,
            actor=mina,
            ticket_id=desk.burst_id,
            action="referred",
            expected_version=1,
            note="اکیپ شب اعزام شود",
            now=FIXED_NOW - timedelta(minutes=90),
        )
        log_unit_call(
            s,
            actor=mina,
            ticket_ids=[desk.burst_id],
            promised_at=FIXED_NOW + timedelta(hours=2),
            note="اکیپ در راه است",
            now=FIXED_NOW - timedelta(minutes=30),
        )


@pytest.mark.usefixtures("full_colour_terminal")
class TestRequestSnapshots:
    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_request_screen(self, desk, snap_compare, lang):
        """A late burst with the unit: header, fields, both clocks, history, its keys."""
        follow_up_the_burst(desk)

        async def run_before(pilot: Pilot) -> None:
            await open_request(pilot, desk.burst_id)

        assert snap_compare(make_app(desk, lang), terminal_size=SIZE, run_before=run_before)
