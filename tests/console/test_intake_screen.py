"""The intake screen: a desk agent takes calls end to end, and the rows each call leaves.

Every test signs in as a desk agent on its own copy of a small city (`intake_world`), keys a call
as an agent would (digits in any script, a few letters of a category, one key to end the call)
and then reads the database. The clock is fixed (Friday 6 Azar 1405, 14:00 Tehran) unless a test
moves it to measure handle time.
"""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.pilot import Pilot

from console.app import DeskApp
from console.i18n.rtl import display
from console.screens.intake import DraftOfferScreen, IntakePanel
from console.screens.main import MainScreen
from console.widgets.bidi import BidiText
from console.widgets.caller_card import CallerCardView
from console.widgets.fields import FormInput
from console.widgets.keybar import KeyBar
from console.widgets.request_status import RequestStatusPanel
from console.widgets.tracking_code import TrackingCodeBanner
from db import intake
from db.engine import make_engine, session
from db.models import Agent, Call, CallDraft, Ticket, TicketEvent

from .conftest import FIXED_NOW, PASSWORD, desk_settings, settle
from .intake_world import (
    INCIDENT_MESSAGE,
    INCIDENT_TITLE,
    IntakeWorld,
    agent_view,
    build_world,
)

SIZE = (80, 24)


@dataclass
class Desk:
    engine: Engine
    world: IntakeWorld


class Clock:
    """The app's clock, moved by hand: handle time is measured on it."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def intake_template(template_db: Path, tmp_path_factory) -> tuple[Path, IntakeWorld]:
    path = tmp_path_factory.mktemp("intake") / "intake.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    world = build_world(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, world


@pytest.fixture
def desk(intake_template, tmp_path) -> Iterator[Desk]:
    template, world = intake_template
    path = tmp_path / "intake.db"
    shutil.copyfile(template, path)
    engine = make_engine(str(path))
    yield Desk(engine, world)
    engine.dispose()


def make_app(desk: Desk, lang: str = "en", clock: Clock | None = None) -> DeskApp:
    return DeskApp(
        engine=desk.engine, settings=desk_settings(desk.engine, lang), clock=clock or Clock()
    )


def panel(app: DeskApp) -> IntakePanel:
    return app.screen.query_one(IntakePanel)


def text_of(app: DeskApp, selector: str) -> str:
    widget = app.screen.query_one(selector, BidiText)
    return widget.text if widget.display else ""


def field(app: DeskApp, name: str) -> FormInput:
    return app.screen.query_one(f"#intake-{name}", FormInput)


async def type_text(pilot: Pilot, text: str) -> None:
    for character in text:
        await pilot.press("space" if character == " " else character)


async def key_caller(pilot: Pilot, typed: str, *, enter: bool = False, keys: bool = False) -> None:
    """Key what the caller gives into the caller field; the card comes after a pause.

    With `keys`, one key press per character; otherwise the field takes the text at once (a
    paste), which is what most tests need and ten times faster under Pilot.
    """
    app = pilot.app
    query = field(app, "query")
    query.focus()
    await pilot.pause()
    if keys:
        await type_text(pilot, typed)
    else:
        query.insert_text_at_cursor(typed)
    if enter:
        await pilot.press("enter")
    else:
        await pilot.pause(0.4)
    await settle(pilot)


async def pick_category(pilot: Pilot, typed: str) -> None:
    app = pilot.app
    picker = panel(app).category_picker.input
    picker.focus()
    await pilot.pause()
    picker.insert_text_at_cursor(typed)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    await pilot.pause(0.05)
    await settle(pilot)


def calls(desk: Desk) -> list[Call]:
    with session(desk.engine, write=False) as s:
        sara = s.exec(select(Agent).where(Agent.username == "sara")).one()
        return list(
            s.exec(
                select(Call).where(Call.agent_id == sara.id).order_by(col(Call.started_at))
            ).all()
        )


def draft_count(desk: Desk) -> int:
    with session(desk.engine, write=False) as s:
        return len(s.exec(select(CallDraft)).all())


def key_bar_words(app: DeskApp) -> list[str]:
    return [item.description for item in app.screen.query_one(KeyBar).items()]


async def quick_sign_in(pilot: Pilot, username: str = "sara") -> None:
    """Sign in with the fields filled at once (typing is tested in test_shell), then Enter."""
    screen = pilot.app.screen
    screen.query_one("#username", FormInput).value = username
    screen.query_one("#password", FormInput).value = PASSWORD
    screen.query_one("#password", FormInput).focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


async def signed_in(pilot: Pilot, username: str = "sara") -> None:
    await quick_sign_in(pilot, username)
    assert isinstance(pilot.app.screen, MainScreen)


# --- the caller card ---------------------------------------------------------------------------


async def test_agent_keys_a_persian_mobile_and_sees_the_incident_at_the_address(desk):
    """۰۹۱۲ ۱۱۱ ۱۱۱۱ finds Ali; the main break on his street is the first thing on the card."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        assert app.focused is field(app, "query")
        await key_caller(pilot, "۰۹۱۲ ۱۱۱ ۱۱۱۱", keys=True)
        card = app.screen.query_one(CallerCardView)
        assert card.subscriber is not None and card.subscriber.name == "علی رضایی"
        assert [i.title for i in card.incidents] == [INCIDENT_TITLE]
        lines = [line.text for line in card.lines()]
        assert lines[0] == "Active incident: Main break · back by 17:30"
        assert lines[1] == INCIDENT_MESSAGE
        assert any("تعرفه" not in line and "Answered" in line for line in lines)
        # The address and district of the picked subscriber are already in the form.
        assert field(app, "address").value == "خیابان سعدی، پلاک ۱۲"
        assert panel(app).district_picker.value.id == desk.world.districts["D1"]
        assert "Link incident" in key_bar_words(app)
        assert "Link request" not in key_bar_words(app)


async def test_a_shared_phone_lists_both_subscribers_and_a_persian_digit_picks(desk):
    """Two accounts on one phone: Enter goes to the card, ۲ picks the second, its address."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09124444444", enter=True)
        card = app.screen.query_one(CallerCardView)
        assert app.focused is card
        assert len(card.card.subscribers) == 2
        second = card.card.subscribers[1]
        await press(pilot, "۲")
        assert card.subscriber == second
        assert app.focused is panel(app).category_picker.input
        assert field(app, "address").value == second.address
        await press(pilot, "shift+tab")
        assert app.focused is card
        await press(pilot, "up", "enter")
        assert card.subscriber == card.card.subscribers[0]
        assert field(app, "address").value == card.card.subscribers[0].address


async def test_tracking_code_shows_the_request_status_and_what_to_tell(desk):
    """A caller asking about a request: its status, history and the sentence to read out."""
    app = make_app(desk)
    code = desk.world.open_request_code
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, f"{code[:3]} {code[3:5]} {code[5:11]} {code[11:]}")
        status = app.screen.query_one(RequestStatusPanel)
        assert status.view is not None and status.view.ticket.tracking_code == code
        texts = [line.text for line in status.lines()]
        assert "Your request is registered and is being sent to the unit in charge." in texts
        assert any(text.startswith("09:02 · Registered") for text in texts)
        assert "Link request" in key_bar_words(app)
        await press(pilot, "ctrl+k")
    (call,) = calls(desk)
    assert (call.outcome, call.ticket_id) == ("linked_request", desk.world.open_request_id)


# --- outcomes ----------------------------------------------------------------------------------


async def test_agent_registers_burst_pipe_and_reads_back_code(desk):
    """Phone, three letters of the category, a description, ^R: the code is shown large."""
    clock = Clock()
    app = make_app(desk, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        clock.now = FIXED_NOW + timedelta(seconds=5)
        await key_caller(pilot, "09121111111", enter=True, keys=True)
        assert app.focused is panel(app).category_picker.input
        await type_text(pilot, "لوله")
        await settle(pilot)
        await press(pilot, "enter")
        assert panel(app).category_picker.category.code == "pipe_burst"
        assert "-required" in app.screen.query_one("#label-address").classes
        await press(pilot, "tab", "tab")  # address (pre-filled), district
        assert app.focused is field(app, "description")
        await type_text(pilot, "آب می‌زند")
        clock.now = FIXED_NOW + timedelta(seconds=47)
        await press(pilot, "ctrl+r")

        banner = app.screen.query_one(TrackingCodeBanner)
        code = banner.code
        assert len(code) == 12 and banner.display
        assert text_of(app, "#intake-message") == (
            f"Request registered: \u2066{code[:3]} {code[3:5]} {code[5:11]} {code[11:]}\u2069"
        )
        assert field(app, "query").value == "" and field(app, "description").value == ""
        assert app.focused is field(app, "query")
    (call,) = calls(desk)
    assert call.outcome == "request_registered"
    assert (call.started_at, call.ended_at) == (
        FIXED_NOW + timedelta(seconds=5),
        FIXED_NOW + timedelta(seconds=47),
    )
    with session(desk.engine, write=False) as s:
        ticket = s.get(Ticket, call.ticket_id)
        assert ticket.tracking_code == code
        assert ticket.category_id == desk.world.categories["pipe_burst"]
        assert ticket.subscriber_id == desk.world.subscribers["ali"]
        assert ticket.district_id == desk.world.districts["D1"]
        assert (ticket.phone, ticket.address) == ("09121111111", "خیابان سعدی، پلاک ۱۲")
        assert ticket.description == "آب می‌زند"  # with its half-space
        assert ticket.status == "registered" and ticket.resolution_due_at is not None
        (event,) = s.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        assert event.action == "registered"
    assert draft_count(desk) == 0


async def test_information_call_takes_a_canned_answer_and_ends_answered(desk):
    """General information: F8, a few letters, Enter puts the tariffs text in the notes, ^A."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09123333333")
        await pick_category(pilot, "tariff")
        assert app.focused is field(app, "notes")  # an information category: no request
        await press(pilot, "f8")
        canned = panel(app).canned
        assert app.focused is canned.search
        assert canned.highlighted.code == "tariffs"  # the category's answers first
        canned.search.insert_text_at_cursor("پرداخت")
        await settle(pilot)
        assert canned.highlighted.code == "payment_ways"
        await press(pilot, "down", "up", "enter")
        assert app.focused is field(app, "notes")
        assert field(app, "notes").value.startswith("Pay with the bill ID")
        assert text_of(app, "#intake-message") == "The answer is in the notes."
        await press(pilot, "ctrl+a")
        assert text_of(app, "#intake-message") == "Call saved: answered."
    (call,) = calls(desk)
    assert call.outcome == "answered" and call.ticket_id is None
    assert call.category_id == desk.world.categories["general_info"]
    assert call.subscriber_id == desk.world.subscribers["karim"]
    assert call.phone == "09123333333"
    assert call.notes.startswith("Pay with the bill ID")


async def test_an_empty_category_field_lists_the_agents_recent_categories(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09123333333")
        await pick_category(pilot, "bill inq")
        await press(pilot, "ctrl+a")
        await key_caller(pilot, "09121111111")
        picker = panel(app).category_picker
        picker.input.focus()
        await settle(pilot)
        assert [choice.value.code for choice in picker.matches] == ["bill_inquiry"]
        await press(pilot, "enter")
        assert picker.category.code == "bill_inquiry"


async def test_call_about_the_main_break_is_linked_to_the_incident(desk):
    """During a main break the caller hears the message and ^L counts the call against it."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "۰۹۱۲۱۱۱۱۱۱۱")
        await pick_category(pilot, "قطع آب")
        await press(pilot, "ctrl+l")
        assert text_of(app, "#intake-message") == "Call saved and linked to the incident."
    (call,) = calls(desk)
    assert (call.outcome, call.incident_id) == ("linked_incident", desk.world.incident_id)
    assert call.category_id == desk.world.categories["water_cutoff"]
    with session(desk.engine, write=False) as s:
        assert s.exec(select(Ticket).where(Ticket.phone == "09121111111")).all() == []


async def test_repeat_caller_is_offered_the_open_request_instead_of_a_duplicate(desk):
    """Same phone and category as an open request: the offer names it, ^R asks twice, ^K links."""
    code = desk.world.open_request_code
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09122222222")
        await pick_category(pilot, "افت")
        offer = text_of(app, "#intake-offer")
        grouped = f"\u2066{code[:3]} {code[3:5]} {code[5:11]} {code[11:]}\u2069"
        assert offer == (
            f"This caller already has request {grouped} (Registered) about this. "
            "\u2066^K\u2069: add this call to it instead of a duplicate."
        )
        await press(pilot, "ctrl+r")
        assert "Press \u2066^R\u2069 again to register a new one anyway" in text_of(
            app, "#intake-message"
        )
        assert calls(desk) == []
        field(app, "notes").focus()
        await type_text(pilot, "kam")
        await press(pilot, "ctrl+k")
        assert text_of(app, "#intake-message") == f"Call saved and added to request {grouped}."
    (call,) = calls(desk)
    assert (call.outcome, call.ticket_id) == ("linked_request", desk.world.open_request_id)
    with session(desk.engine, write=False) as s:
        events = s.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == desk.world.open_request_id)
        ).all()
        assert [e.action for e in events] == ["registered", "caller_called_again"]
        assert events[-1].note == "kam"
        assert len(s.exec(select(Ticket)).all()) == 1


async def test_second_register_press_registers_beside_the_open_request(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09122222222")
        await pick_category(pilot, "افت")
        await press(pilot, "ctrl+r")
        await press(pilot, "ctrl+r")
    (call,) = calls(desk)
    assert call.outcome == "request_registered"
    with session(desk.engine, write=False) as s:
        assert len(s.exec(select(Ticket)).all()) == 2


async def test_transferred_and_dropped_calls_are_counted(desk):
    """A transfer keeps the caller; a call dropped before anything was typed still counts."""
    clock = Clock()
    app = make_app(desk, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "+98 912 333 3333")
        clock.now += timedelta(seconds=20)
        await press(pilot, "ctrl+t")
        assert text_of(app, "#intake-message") == "Call saved: transferred."
        await press(pilot, "ctrl+d")
        assert text_of(app, "#intake-message") == "Call saved: dropped."
    transferred, dropped = calls(desk)
    assert (transferred.outcome, transferred.phone) == ("transferred", "09123333333")
    assert transferred.subscriber_id == desk.world.subscribers["karim"]
    assert (transferred.ended_at - transferred.started_at).total_seconds() == 20
    assert (dropped.outcome, dropped.phone, dropped.subscriber_id) == ("dropped", None, None)
    assert dropped.started_at == dropped.ended_at


# --- the line, the call back, and which open request ------------------------------------------


def grouped(code: str) -> str:
    return f"\u2066{code[:3]} {code[3:5]} {code[5:11]} {code[11:]}\u2069"


async def test_the_line_is_saved_on_every_outcome_and_the_next_sign_in_starts_on_it(desk):
    """122 until the agent says otherwise; F9 to 1523 stays for the next calls and sign-ins."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        assert text_of(app, "#intake-line") == "Line 122"
        assert "Line" in key_bar_words(app)
        await press(pilot, "f9")
        assert text_of(app, "#intake-line") == "Line 1523"
        await key_caller(pilot, "09123333333")
        await press(pilot, "ctrl+t")
        assert text_of(app, "#intake-line") == "Line 1523"
        await press(pilot, "ctrl+d")
        await key_caller(pilot, "09121111111", enter=True)
        await type_text(pilot, "لوله")
        await settle(pilot)
        await press(pilot, "enter", "tab", "tab")
        await type_text(pilot, "آب می‌زند")
        await press(pilot, "ctrl+r")
        assert app.screen.query_one(TrackingCodeBanner).display
    assert [(c.outcome, c.channel) for c in calls(desk)] == [
        ("transferred", "phone_1523"),
        ("dropped", "phone_1523"),
        ("request_registered", "phone_1523"),
    ]
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        assert text_of(app, "#intake-line") == "Line 1523"
        await press(pilot, "f9")
        assert text_of(app, "#intake-line") == "Line SMS"
        await key_caller(pilot, "09121111111")
        await pick_category(pilot, "قطع آب")
        await press(pilot, "ctrl+l")
        await press(pilot, *["f9"] * 6)  # SMS, web, app, messenger, walk-in, outbound, 122
        assert text_of(app, "#intake-line") == "Line 122"
        await key_caller(pilot, "09123333333")
        await pick_category(pilot, "tariff")
        await press(pilot, "ctrl+a")
    assert [(c.outcome, c.channel) for c in calls(desk)][3:] == [
        ("linked_incident", "sms"),
        ("answered", "phone_122"),
    ]


async def test_caller_who_wants_a_call_back_is_marked_on_the_call(desk):
    """^N on a call linked to the main break, an answered one and a new request; off again after."""
    app = make_app(desk, "fa")
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09121111111")
        await pick_category(pilot, "قطع آب")
        await press(pilot, "ctrl+n")
        assert text_of(app, "#intake-line") == "خط ۱۲۲ · تماس برگشتی"
        await press(pilot, "ctrl+l")
        assert text_of(app, "#intake-line") == "خط ۱۲۲"
        await key_caller(pilot, "09123333333")
        await pick_category(pilot, "tariff")
        await press(pilot, "ctrl+n", "ctrl+n", "ctrl+n")
        await press(pilot, "ctrl+a")
        await key_caller(pilot, "09123333333")
        await press(pilot, "ctrl+d")
        await key_caller(pilot, "09121111111", enter=True)
        await type_text(pilot, "لوله")
        await settle(pilot)
        await press(pilot, "enter", "tab", "tab")
        await type_text(pilot, "آب می‌زند")
        await press(pilot, "ctrl+n", "ctrl+r")
        assert app.screen.query_one(TrackingCodeBanner).display
    assert [(c.outcome, c.wants_callback) for c in calls(desk)] == [
        ("linked_incident", True),
        ("answered", True),
        ("dropped", False),
        ("request_registered", True),
    ]


async def test_caller_with_several_open_requests_picks_the_one_the_call_is_added_to(desk):
    """No repeat offer: ^K names the latest open request, ^G moves to the next, ^K adds to it."""
    with session(desk.engine) as s:
        newer = intake.register_request(
            s,
            actor=agent_view(s, "omid"),
            phone="09122222222",
            subscriber_id=desk.world.subscribers["akbar"],
            category_id=desk.world.categories["pipe_burst"],
            channel="phone_122",
            address="کوچه بهار، پلاک ۱۲",
            description="لوله جلوی در",
            started_at=FIXED_NOW - timedelta(hours=1),
            ended_at=FIXED_NOW - timedelta(hours=1) + timedelta(minutes=2),
        )
    first, second = newer.tracking_code, desk.world.open_request_code
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09122222222")
        assert text_of(app, "#intake-offer") == (
            f"\u2066^K\u2069: add this call to request {grouped(first)} (Registered), 1 of 2. "
            "\u2066^G\u2069: another open request."
        )
        assert "Other request" in key_bar_words(app)
        await press(pilot, "ctrl+g")
        assert f"request {grouped(second)} (Registered), 2 of 2." in text_of(app, "#intake-offer")
        await press(pilot, "ctrl+k")
        assert text_of(app, "#intake-message") == (
            f"Call saved and added to request {grouped(second)}."
        )
        await key_caller(pilot, "09122222222")
        await press(pilot, "ctrl+g", "ctrl+g", "ctrl+k")  # round to the latest again
    assert [(c.outcome, c.ticket_id) for c in calls(desk)] == [
        ("linked_request", desk.world.open_request_id),
        ("linked_request", newer.ticket.id),
    ]


async def test_handle_time_runs_from_the_first_key_to_the_save(desk):
    clock = Clock()
    app = make_app(desk, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        clock.now = FIXED_NOW + timedelta(minutes=1)  # idle time before the call is not counted
        await key_caller(pilot, "0912", keys=True)
        clock.now = FIXED_NOW + timedelta(minutes=1, seconds=10)
        await type_text(pilot, "3333333")
        await pilot.pause(0.4)
        await settle(pilot)
        await pick_category(pilot, "bill inq")
        clock.now = FIXED_NOW + timedelta(minutes=2, seconds=30)
        await press(pilot, "ctrl+a")
    (call,) = calls(desk)
    assert call.started_at == FIXED_NOW + timedelta(minutes=1)
    assert (call.ended_at - call.started_at).total_seconds() == 90


# --- drafts ------------------------------------------------------------------------------------


async def fill_a_call(pilot: Pilot) -> None:
    app = pilot.app
    await key_caller(pilot, "09124444444", enter=True)
    await press(pilot, "2")
    await pick_category(pilot, "meter repl")
    address = field(app, "address")
    address.focus()
    await press(pilot, "end")
    await type_text(pilot, " ط۲")
    for name, text in (
        ("description", "نمی‌چرخد"),
        ("caller_name", "Mahdi"),
        ("notes", "4pm"),
    ):
        field(app, name).focus()
        await pilot.pause()
        await type_text(pilot, text)
    await pilot.pause(0.7)  # the draft is saved half a second after the last change
    await settle(pilot)


async def test_half_typed_call_survives_a_crash_and_resumes_after_sign_in(desk):
    """The app dies mid-call; a new app, the same agent: Enter brings every field back."""
    clock = Clock(FIXED_NOW + timedelta(seconds=3))
    first = make_app(desk, clock=clock)
    async with first.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await fill_a_call(pilot)
        typed = panel(first).draft_fields()
    assert draft_count(desk) == 1  # the process is gone; its draft is in the database
    assert typed["query"] == "09124444444" and typed["notes"] == "4pm"

    clock.now = FIXED_NOW + timedelta(minutes=10)
    second = make_app(desk, clock=clock)
    async with second.run_test(size=SIZE) as pilot:
        await quick_sign_in(pilot)
        await settle(pilot)
        assert isinstance(second.screen, DraftOfferScreen)
        await press(pilot, "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        intake_panel = panel(second)
        restored = intake_panel.draft_fields()
        assert restored == typed
        assert intake_panel.card_view.subscriber.id == desk.world.subscribers["mahdi"]
        assert intake_panel.category_picker.category.code == "meter_replacement"
        assert field(second, "address").value == "خیابان سعدی، پلاک ۱۲ ط۲"
        assert intake_panel.district_picker.value.id == desk.world.districts["D1"]
        assert text_of(second, "#intake-message") == (
            "The unfinished call is back: go on where you stopped."
        )
        clock.now = FIXED_NOW + timedelta(minutes=11)
        await press(pilot, "ctrl+r")
    (call,) = calls(desk)
    assert call.started_at == FIXED_NOW + timedelta(seconds=3)  # the call's own start
    with session(desk.engine, write=False) as s:
        ticket = s.get(Ticket, call.ticket_id)
        assert ticket.subscriber_id == desk.world.subscribers["mahdi"]
        assert (ticket.caller_name, ticket.description) == ("Mahdi", "نمی‌چرخد")
        assert call.notes == "4pm"
    assert draft_count(desk) == 0


async def test_a_discarded_draft_is_gone(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09123333333")
        await pilot.pause(0.7)
        await settle(pilot)
    assert draft_count(desk) == 1
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await quick_sign_in(pilot)
        await settle(pilot)
        assert isinstance(app.screen, DraftOfferScreen)
        await press(pilot, "ctrl+d")
        assert isinstance(app.screen, MainScreen)
        assert field(app, "query").value == ""
        assert text_of(app, "#intake-message") == "The unfinished call was discarded."
    assert draft_count(desk) == 0
    assert calls(desk) == []


async def test_a_saved_call_leaves_no_draft_behind(desk):
    """The draft saved just before the outcome does not come back after it."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09123333333")
        await pick_category(pilot, "tariff")
        await press(pilot, "ctrl+a")
        await pilot.pause(0.7)
        await settle(pilot)
    assert draft_count(desk) == 0
    with session(desk.engine, write=False) as s:
        assert intake.load_draft(s, actor=agent_view(s, "sara")) is None


# --- bad input ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    caller: str
    category: str
    fill: tuple[tuple[str, str], ...]
    key: str
    where: str
    message: str


BAD_INPUT = {
    "phone_too_short": Bad(
        "0912 111 111", "", (), "enter", "#intake-query-error", "Too few digits for a phone number."
    ),
    "foreign_phone": Bad(
        "+1 212 555 0100", "", (), "ctrl+a", "#intake-query-error",
        "Not an Iranian number: a mobile starts with 09.",
    ),
    "name_too_short": Bad(
        "ع", "", (), "enter", "#intake-query-error", "Type at least two letters of the name."
    ),
    "no_caller": Bad("", "", (), "enter", "#intake-query-error",
                     "Type a phone number, a code or a name."),
    "no_category": Bad("09121111111", "", (), "ctrl+r", "#error-category",
                       "Pick a category first."),
    "category_not_picked": Bad("09121111111", "=zzz", (), "ctrl+a", "#error-category",
                               "Pick a category first."),
    "information_only": Bad(
        "09121111111", "tariff", (), "ctrl+r", "#error-category",
        "An information category: no request. End the call as answered.",
    ),
    "address_required": Bad(
        "09350000000", "pipe burst", (), "ctrl+r", "#error-address", "Required for this category."
    ),
    "description_required": Bad(
        "09121111111", "staff", (), "ctrl+r", "#error-description", "Required for this category."
    ),
    "subscriber_required": Bad(
        "09350000000", "bill disp", (), "ctrl+r", "#intake-query-error",
        "This category needs the subscriber: look them up and pick one.",
    ),
    "district_unknown": Bad(
        "09121111111", "pipe burst", (("district", "Atlantis"),), "ctrl+r", "#error-district",
        "Pick a district from the list.",
    ),
    "address_too_long": Bad(
        "09121111111", "pipe burst", (("address", "پ" * 401),), "ctrl+r", "#error-address",
        "Too long: at most 400 characters.",
    ),
    "description_too_long": Bad(
        "09121111111", "pipe burst", (("description", "x" * 2001),), "ctrl+r",
        "#error-description", "Too long: at most 2000 characters.",
    ),
    "caller_name_too_long": Bad(
        "09121111111", "pipe burst", (("caller_name", "n" * 161),), "ctrl+r",
        "#error-caller_name", "Too long: at most 160 characters.",
    ),
    "notes_too_long": Bad(
        "09121111111", "tariff", (("notes", "y" * 2001),), "ctrl+a", "#error-notes",
        "Too long: at most 2000 characters.",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
async def test_bad_input_is_explained_next_to_its_field_and_nothing_is_lost(desk, case):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        if case.caller:
            await key_caller(pilot, case.caller)
        if case.category.startswith("="):
            panel(app).category_picker.input.focus()
            await type_text(pilot, case.category[1:])
            await settle(pilot)
        elif case.category:
            await pick_category(pilot, case.category)
        intake_panel = panel(app)
        for name, text in case.fill:
            target = intake_panel.district_picker.input if name == "district" else field(app, name)
            target.value = text  # pasted: longer than a field lets anyone type
            await settle(pilot)
        before = intake_panel.draft_fields()
        if case.key == "enter":
            field(app, "query").focus()
        await press(pilot, case.key)
        assert text_of(app, case.where) == case.message
        assert intake_panel.draft_fields() == before
        assert calls(desk) == []


async def test_a_misheard_tracking_code_is_explained(desk):
    """Twelve digits that find nothing and fail the check digit: say so, not just "nobody"."""
    code = desk.world.open_request_code
    wrong = code[:6] + str((int(code[6]) + 1) % 10) + code[7:]
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, wrong)
        assert text_of(app, "#intake-query-error") == (
            "The check digit does not match: a digit is probably misheard."
        )
        field(app, "query").value = ""
        await key_caller(pilot, code[:11] + code[11])
        assert text_of(app, "#intake-query-error") == ""
        assert app.screen.query_one(RequestStatusPanel).view is not None


async def test_errors_speak_persian_to_a_persian_agent(desk):
    app = make_app(desk, lang="fa")
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "۰۹۳۵ ۰۰۰ ۰۰۰۰")
        await pick_category(pilot, "شکستگی")
        field(app, "address").value = ""
        await press(pilot, "ctrl+r")
        assert text_of(app, "#error-address") == "برای این موضوع لازم است."
        assert app.focused is field(app, "address")
        field(app, "query").value = ""
        await key_caller(pilot, "۰۹۱۲ ۱۱۱")
        await press(pilot, "enter")
        assert text_of(app, "#intake-query-error") == "برای شماره تلفن رقم کم است."


async def test_keys_of_intake_do_not_fire_behind_the_help(desk):
    """F1 hides the form: ^R must not register a call the agent cannot see."""
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await signed_in(pilot)
        await key_caller(pilot, "09121111111")
        await pick_category(pilot, "pipe")
        await press(pilot, "f1")
        await press(pilot, "ctrl+r")
        assert calls(desk) == []
        await press(pilot, "f1")
        assert app.focused is field(app, "query")


# --- pictures ----------------------------------------------------------------------------------


def card_with_incident(lang: str):
    async def run_before(pilot: Pilot) -> None:
        await quick_sign_in(pilot)
        await key_caller(pilot, "۰۹۱۲ ۱۱۱ ۱۱۱۱" if lang == "fa" else "0912 111 1111")
        await pick_category(pilot, "قطع آب" if lang == "fa" else "cut-off")
        await pilot.pause()

    return run_before


def registered_code(lang: str):
    async def run_before(pilot: Pilot) -> None:
        await quick_sign_in(pilot)
        await key_caller(pilot, "09121111111", enter=True)
        await pick_category(pilot, "pipe")
        await press(pilot, "ctrl+r")
        await pilot.pause()

    return run_before


@pytest.mark.usefixtures("full_colour_terminal")
class TestIntakeSnapshots:
    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_caller_card_with_incident_banner(self, desk, snap_compare, lang):
        """A caller on the main break's street: the banner, his account, the form filling."""
        assert snap_compare(
            make_app(desk, lang), terminal_size=SIZE, run_before=card_with_incident(lang)
        )

    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_registered_tracking_code(self, desk, snap_compare, lang):
        """A request just registered: the code large, grouped, for read-back."""
        assert snap_compare(
            make_app(desk, lang), terminal_size=SIZE, run_before=registered_code(lang)
        )


def test_big_code_reads_in_groups(desk):
    from console.widgets.tracking_code import big_digits

    rows = big_digits("131050001234", persian=False)
    assert len(rows) == 3 and len({len(row) for row in rows}) == 1
    assert rows[1].count("   ") >= 3  # three gaps between the four groups
    assert display("۱۳۱") == "۱۳۱"
