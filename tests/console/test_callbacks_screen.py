"""Callbacks (F4): a surveyor's round of calls back, the phone survey and the SMS replies that
need a person, in English and in Persian."""

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
from sqlmodel import select
from textual.pilot import Pilot

from console.app import DeskApp
from console.i18n.rtl import display
from console.screens.callback import CallbackScreen
from console.screens.callbacks import CallbacksPanel
from console.screens.replies import RepliesScreen, ReplyAnswerScreen
from console.screens.survey import QuestionBlock, SurveyScreen
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.keybar import KeyBar
from console.widgets.mirrored_table import MirroredTable
from console.widgets.request_detail import DetailBlock
from db import intake
from db.accounts import add_agent
from db.engine import make_engine, session
from db.feedback import (
    install_default_questionnaire,
    read_replies,
    record_attempt,
    send_electronic_survey,
    store_reply,
)
from db.followup import request_detail, transition
from db.models import Callback, Channel, Survey, Ticket, TicketEvent

from .conftest import FIXED_NOW, PASSWORD, desk_settings, fixed_clock, settle
from .intake_world import IntakeWorld, agent_view, build_world

SIZE = (80, 24)
AKBAR_ANSWER = "شیر فلکه اصلی تعویض شد و فشار آب درست شد"
KARIM_ANSWER = "لوله ترکیده تعویض و آسفالت ترمیم شد"
# Names as a table cell shows them (shaped, in display order).
AKBAR = display("علی‌اکبر کریمی")
KARIM = display("کریم کاظمی")


@dataclass
class CallbackDesk:
    engine: Engine
    world: IntakeWorld
    akbar_ticket: uuid.UUID
    """Low pressure, answer accepted two hours ago: the callback due longest."""
    karim_ticket: uuid.UUID
    """A pipe burst, answer accepted an hour ago: the next callback."""


def accept_answer(s, ticket_id: uuid.UUID, answer: str, accepted_at) -> None:
    """Walk a request through the unit (referred, answered) to accepted: a callback is due."""
    mina = agent_view(s, "mina")
    version = request_detail(s, actor=mina, ticket_id=ticket_id, now=accepted_at).request.version
    steps = [
        ("referred", "", accepted_at - timedelta(hours=2)),
        ("answered", answer, accepted_at - timedelta(minutes=30)),
        ("accepted", "", accepted_at),
    ]
    for action, note, at in steps:
        view = transition(
            s,
            actor=mina,
            ticket_id=ticket_id,
            action=action,
            expected_version=version,
            note=note,
            now=at,
        )
        version = view.version


@pytest.fixture(scope="session")
def callbacks_template(template_db: Path, tmp_path_factory) -> tuple[Path, IntakeWorld, dict]:
    path = tmp_path_factory.mktemp("callbacks") / "callbacks.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    world = build_world(engine)
    with session(engine) as s:
        # A surveyor and nothing else: the callbacks are the first mode she sees.
        add_agent(
            s,
            actor=None,
            username="elham",
            full_name="الهام شریفی",
            password=PASSWORD,
            roles=["surveyor"],
        )
    with session(engine) as s:
        install_default_questionnaire(s, actor=agent_view(s, "mina"), now=FIXED_NOW)
        started = FIXED_NOW - timedelta(hours=7)
        burst = intake.register_request(
            s,
            actor=agent_view(s, "omid"),
            phone="09123333333",
            subscriber_id=world.subscribers["karim"],
            category_id=world.categories["pipe_burst"],
            channel=Channel.PHONE_122,
            address="خیابان نیما، پلاک ۹",
            district_id=world.districts["D2"],
            description="لوله جلوی خانه ترکیده",
            started_at=started,
            ended_at=started + timedelta(minutes=2),
        )
    with session(engine) as s:
        assert world.open_request_id is not None
        accept_answer(s, world.open_request_id, AKBAR_ANSWER, FIXED_NOW - timedelta(hours=2))
        accept_answer(s, burst.ticket.id, KARIM_ANSWER, FIXED_NOW - timedelta(hours=1))
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, world, {"karim": burst.ticket.id}


@pytest.fixture
def desk(callbacks_template, tmp_path) -> Iterator[CallbackDesk]:
    template, world, tickets = callbacks_template
    path = tmp_path / "callbacks.db"
    shutil.copyfile(template, path)
    engine = make_engine(str(path))
    assert world.open_request_id is not None
    yield CallbackDesk(engine, world, world.open_request_id, tickets["karim"])
    engine.dispose()


def make_app(desk: CallbackDesk, lang: str = "en") -> DeskApp:
    return DeskApp(engine=desk.engine, settings=desk_settings(desk.engine, lang), clock=fixed_clock)


async def press(pilot: Pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    await settle(pilot)


async def open_worklist(pilot: Pilot, username: str = "elham") -> None:
    screen = pilot.app.screen
    screen.query_one("#username", FormInput).value = username
    screen.query_one("#password", FormInput).value = PASSWORD
    screen.query_one("#password", FormInput).focus()
    await pilot.pause()
    await press(pilot, "enter")
    if username != "elham":
        await press(pilot, "f4")
    await settle(pilot)


def panel(app: DeskApp) -> CallbacksPanel:
    return app.screen.query_one(CallbacksPanel)


def rows(app: DeskApp) -> list[list[str]]:
    table = panel(app).query_one(MirroredTable)
    return [[c.plain.strip() for c in table.get_row_at(r)] for r in range(table.row_count)]


def text(app: DeskApp, selector: str) -> str:
    return app.screen.query_one(selector, BidiText).text


def block(app: DeskApp, selector: str) -> str:
    return "\n".join(line.text for line in app.screen.query_one(selector, DetailBlock).lines())


def bar(app: DeskApp) -> list[str]:
    return [item.description for item in app.screen.query_one(KeyBar).items()]


def screen_text(app: DeskApp) -> list[str]:
    """What the terminal shows, row by row."""
    console = Console(
        width=SIZE[0], height=SIZE[1], file=io.StringIO(), force_terminal=True, record=True
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text().splitlines()


def ticket(desk: CallbackDesk, ticket_id: uuid.UUID) -> Ticket:
    with session(desk.engine, write=False) as s:
        row = s.get(Ticket, ticket_id)
        assert row is not None
        s.expunge(row)
        return row


def callback_of(desk: CallbackDesk, ticket_id: uuid.UUID) -> Callback:
    with session(desk.engine, write=False) as s:
        row = s.exec(select(Callback).where(Callback.ticket_id == ticket_id)).one()
        s.expunge(row)
        return row


async def test_a_surveyor_opens_the_first_due_callback_and_reads_the_script(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        assert text(app, "#callbacks-count") == "Callbacks due: 2"
        akbar, karim = rows(app)
        assert akbar == [
            "12:00", "131 05 000001 7", "Low pressure", AKBAR, "09122222222", "",
        ]  # fmt: skip
        assert karim[0] == "13:00" and karim[3:5] == [KARIM, "09123333333"]
        await press(pilot, "enter")
        assert isinstance(app.screen, CallbackScreen)
        head = block(app, "#callback-head").splitlines()
        assert head[0].startswith("Callback · علی‌اکبر کریمی · ")
        assert "09122222222" in head[0]
        assert "try 1 of 3 · due 12:00" in head[1]
        assert block(app, "#callback-script-text") == AKBAR_ANSWER
        assert block(app, "#callback-tries") == "No try yet."
        assert bar(app)[:5] == ["Reached", "No answer", "Busy", "Wrong number", "Refused"]


async def test_no_answer_says_the_next_try_and_the_round_goes_on(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        await press(pilot, "enter")
        await press(pilot, "2")
        # Friday afternoon: the office calendar's next try is Saturday 07:00 plus two hours.
        said = text(app, "#callback-message")
        assert said.startswith("Saved for علی‌اکبر کریمی. No answer. Next try Saturday 09:00.")
        # Straight on to the next due callback.
        assert isinstance(app.screen, CallbackScreen)
        assert block(app, "#callback-head").startswith("Callback · کریم کاظمی")
        assert block(app, "#callback-script-text") == KARIM_ANSWER
        await press(pilot, "escape")
        assert text(app, "#callbacks-count") == "Callbacks due: 1"
        assert [row[3] for row in rows(app)] == [KARIM]
        assert "Next try Saturday 09:00" in text(app, "#callbacks-message")
    callback = callback_of(desk, desk.akbar_ticket)
    assert callback.status == "due" and callback.attempts == 1
    assert callback.due_at > FIXED_NOW


async def test_reached_and_resolved_closes_the_request(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        await press(pilot, "enter")
        await press(pilot, "1")
        assert isinstance(app.screen, SurveyScreen)
        blocks = list(app.screen.query(QuestionBlock).results(QuestionBlock))
        assert app.screen.focused is blocks[0]
        await press(pilot, "1", "4", "5")
        assert [b.answer for b in blocks] == [1, 4, 5, None]
        assert app.screen.focused is blocks[3]
        assert text(app, "#survey-verdict") == "Resolved: saving closes the request."
        # Saving before every question is answered is refused, the answers kept.
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, SurveyScreen)
        assert text(app, "#survey-message").startswith("Answer every question")
        await press(pilot, "5")
        comment = app.screen.query_one("#q-comment", FormInput)
        assert app.screen.focused is comment
        comment.value = "ممنون از پیگیری"
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, CallbackScreen)
        assert text(app, "#callback-message").startswith(
            "Saved for علی‌اکبر کریمی. Resolved: survey saved and the request closed."
        )
    assert ticket(desk, desk.akbar_ticket).status == "closed"
    assert callback_of(desk, desk.akbar_ticket).status == "done"
    with session(desk.engine, write=False) as s:
        survey = s.exec(select(Survey).where(Survey.ticket_id == desk.akbar_ticket)).one()
        assert survey.channel == "phone" and survey.completed_at is not None


async def test_not_resolved_sends_the_request_back_as_a_complaint(desk):
    app = make_app(desk, "fa")
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        await press(pilot, "enter")
        await press(pilot, "۱")  # reached, on a Persian keyboard
        assert isinstance(app.screen, SurveyScreen)
        await press(pilot, "۲")  # not resolved
        verdict = app.screen.query_one("#survey-verdict", BidiText)
        assert verdict.text == ("برطرف نشده: با ثبت، درخواست به‌عنوان شکایت به پیگیری برمی‌گردد.")
        assert verdict.has_class("-reopen") and verdict.display
        await press(pilot, "۲", "٣", "1", "ctrl+o")
        assert isinstance(app.screen, CallbackScreen)
        assert "برطرف نشده: درخواست به‌عنوان شکایت به پیگیری برمی‌گردد." in text(
            app, "#callback-message"
        )
    row = ticket(desk, desk.akbar_ticket)
    assert row.kind == "complaint" and row.status == "referred"
    with session(desk.engine, write=False) as s:
        reopened = s.exec(
            select(TicketEvent).where(
                TicketEvent.ticket_id == desk.akbar_ticket, TicketEvent.action == "reopened"
            )
        ).one()
        assert reopened.data["answers"] == {"resolved": 0, "on_time": 2, "staff": 3, "overall": 1}


async def test_a_subscriber_who_hangs_up_mid_survey_keeps_the_answers_given(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        await press(pilot, "enter", "1", "1", "3")
        await press(pilot, "ctrl+x")
        assert isinstance(app.screen, CallbackScreen)
        assert "Resolved: survey saved and the request closed." in text(app, "#callback-message")
    assert ticket(desk, desk.akbar_ticket).status == "closed"
    with session(desk.engine, write=False) as s:
        survey = s.exec(select(Survey).where(Survey.ticket_id == desk.akbar_ticket)).one()
        assert survey.completed_at is None  # the survey was cut short


async def test_a_callback_recorded_first_by_another_surveyor_names_who_and_when(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        await press(pilot, "enter")
        callback = callback_of(desk, desk.akbar_ticket)
        with session(desk.engine) as s:
            record_attempt(
                s,
                actor=agent_view(s, "reza"),
                callback_id=callback.id,
                outcome="busy",
                now=FIXED_NOW - timedelta(minutes=5),
            )
        await press(pilot, "2")
        assert isinstance(app.screen, CallbackScreen)
        message = app.screen.query_one("#callback-message", BidiText)
        assert message.text.startswith("Already recorded by رضا کریمی at 13:55: ")
        assert message.has_class("-error")
        assert block(app, "#callback-tries").startswith("13:55 · Busy · رضا کریمی")
        # Reza reaches the subscriber while Elham still reads: the callback is closed under her.
        with session(desk.engine) as s:
            record_attempt(
                s,
                actor=agent_view(s, "reza"),
                callback_id=callback.id,
                outcome="reached",
                now=FIXED_NOW,
            )
        await press(pilot, "3")
        assert message.text == (
            "This callback is no longer to be made: made. Last try: Reached, by رضا کریمی at 14:00."
        )
    assert callback_of(desk, desk.akbar_ticket).attempts == 2  # both reza's


async def test_wrong_number_asks_for_a_second_press(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        await press(pilot, "enter")
        await press(pilot, "4")
        assert text(app, "#callback-message") == (
            "Wrong number: no more calls, and the request is closed without the result told. "
            "Press 4 again to confirm."
        )
        assert callback_of(desk, desk.akbar_ticket).attempts == 0
        await press(pilot, "4")
        assert text(app, "#callback-message").startswith(
            "Saved for علی‌اکبر کریمی. Wrong number: no more calls;"
        )
    assert callback_of(desk, desk.akbar_ticket).status == "cancelled"
    assert ticket(desk, desk.akbar_ticket).status == "closed"


async def test_the_persian_worklist_and_callback_read_from_the_right(desk):
    app = make_app(desk, "fa")
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        table = panel(app).query_one(MirroredTable)
        assert [c.key.value for c in table.ordered_columns] == [
            "tries", "phone", "name", "category", "code", "due",
        ]  # fmt: skip
        assert text(app, "#callbacks-count") == "تماس‌های برگشتیِ سررسیده: ۲"
        await press(pilot, "enter")
        lines = screen_text(app)
        title = display("تماس برگشتی", base_rtl=True)
        assert lines[0].rstrip().endswith(title) and lines[0].startswith("   ")
        assert display("برای مشترک بخوانید", base_rtl=True) in lines[3]
        # The key bar starts on the right: "1 پاسخ داد" is its rightmost item.
        keys_row = next(line for line in reversed(lines) if display("پاسخ نداد") in line)
        assert keys_row.rstrip().endswith(display("پاسخ داد", base_rtl=True) + " 1")


async def test_sms_replies_are_set_aside_or_answered_by_hand(desk):
    with session(desk.engine) as s:
        mina = agent_view(s, "mina")
        # The burst's result went by SMS with its survey; the subscriber replied one number.
        callback = callback_of(desk, desk.karim_ticket)
        record_attempt(s, actor=mina, callback_id=callback.id, outcome="refused", now=FIXED_NOW)
        sent = send_electronic_survey(s, actor=mina, ticket_id=desk.karim_ticket, now=FIXED_NOW)
        store_reply(
            s,
            center_id=desk.world.center_id,
            sender="09123333333",
            body=f"{sent.sms_code} 1",
            received_at=FIXED_NOW + timedelta(minutes=1),
        )
        store_reply(
            s,
            center_id=desk.world.center_id,
            sender="09129999999",
            body="ممنون، عالی بود",
            received_at=FIXED_NOW + timedelta(minutes=2),
        )
        report = read_replies(s, actor=mina, now=FIXED_NOW + timedelta(minutes=3))
        assert len(report.flagged) == 2
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        assert text(app, "#callbacks-count").endswith("SMS replies to read: 2")
        await press(pilot, "ctrl+r")
        assert isinstance(app.screen, RepliesScreen)
        table = app.screen.query_one(MirroredTable)
        whys = [table.get_row_at(r)[2].plain.strip() for r in range(table.row_count)]
        assert whys == ["no survey code", "too few or too many numbers"]
        assert block(app, "#replies-body") == "ممنون، عالی بود"
        await press(pilot, "enter")  # names no survey: it can only be set aside
        assert isinstance(app.screen, RepliesScreen)
        assert "can only be set aside" in text(app, "#replies-message")
        await press(pilot, "ctrl+x")
        assert table.row_count == 1
        said = text(app, "#replies-message")
        assert said == "The reply from \u206609129999999\u2069 was set aside."
        await press(pilot, "enter")
        assert isinstance(app.screen, ReplyAnswerScreen)
        assert "No survey" not in bar(app) and "Hung up" not in bar(app)
        # What the reply meant: not resolved (the rest on the 1-5 scale).
        await press(pilot, "2", "3", "3", "2", "ctrl+o")
        assert isinstance(app.screen, RepliesScreen)
        assert text(app, "#replies-message") == (
            "Not resolved: the request goes back to follow-up as a complaint."
        )
        assert table.row_count == 0
        await press(pilot, "escape")
        assert app.screen.query_one(CallbacksPanel).display
    row = ticket(desk, desk.karim_ticket)
    assert row.kind == "complaint" and row.status == "referred"


@pytest.mark.usefixtures("full_colour_terminal")
class TestCallbackSnapshots:
    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_callback_screen(self, desk, snap_compare, lang):
        """The first due callback: who to call, the result to read out, the outcome keys."""

        async def run_before(pilot: Pilot) -> None:
            await open_worklist(pilot)
            await press(pilot, "enter")

        assert snap_compare(make_app(desk, lang), terminal_size=SIZE, run_before=run_before)


async def test_a_poll_keeps_the_worklist_and_the_surveyors_row_as_they_are(desk, monkeypatch):
    """Read again with nothing new, the worklist is not emptied and refilled: the cursor stays
    on the callback the surveyor was on."""
    emptied: list[bool] = []
    clear = MirroredTable.clear
    monkeypatch.setattr(
        MirroredTable, "clear", lambda *a, **k: emptied.append(True) or clear(*a, **k)
    )
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        table = panel(app).query_one(MirroredTable)
        await press(pilot, "down")
        keys, on = table.row_keys(), table.highlighted_key()
        emptied.clear()
        panel(app).read_again()
        await settle(pilot)
        assert emptied == []
        assert table.row_keys() == keys and table.highlighted_key() == on
        assert text(app, "#callbacks-count") == "Callbacks due: 2"


async def test_refresh_marks_the_count_line_until_the_worklist_is_read(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_worklist(pilot)
        panel(app).action_refresh()
        assert text(app, "#callbacks-count") == "Callbacks due: 2 · Reading…"
        await settle(pilot)
        assert text(app, "#callbacks-count") == "Callbacks due: 2"
