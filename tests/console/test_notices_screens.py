"""Notices (F5): an information officer writes a template and is stopped at an unknown
placeholder, sees what a long Persian text costs, a supervisor sends a campaign to a district
and watches it queue, an officer alone is told to ask a supervisor, the outbox lists and
retries; in English and Persian."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.widgets import SelectionList, TextArea

from console.app import DeskApp
from console.i18n.rtl import display
from console.screens.campaigns import CampaignScreen, CampaignsPanel
from console.screens.incidents import IncidentsPanel
from console.screens.main import HelpPanel
from console.screens.notice_dialogs import CampaignDialog, TemplateDialog
from console.screens.notices import NoticesMode
from console.screens.outbox import OutboxPanel
from console.screens.templates import TemplatesPanel
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from console.widgets.keyhelp import KeyHelp
from console.widgets.mirrored_table import MirroredTable
from console.widgets.picker import Picker
from console.widgets.request_detail import DetailBlock
from db import notices
from db.accounts import add_agent
from db.engine import make_engine, session
from db.models import CenterSetting, OutboxMessage

from .conftest import FIXED_NOW, PASSWORD, desk_settings, fixed_clock, settle
from .intake_world import IntakeWorld, agent_view, build_world

SIZE = (80, 24)
RESTORED = "مشترک گرامی، آب {district} وصل شد. از شکیبایی شما سپاسگزاریم. {center}"
#: A long Persian text: more than 70 characters, so two UCS-2 parts.
LONG = (
    "مشترک گرامی، به علت شکستگی خط اصلی، آب خیابان سعدی تا ساعت هجده قطع است. "
    "اکیپ تعمیرات در محل است."
)


@dataclass
class NoticeDesk:
    engine: Engine
    world: IntakeWorld
    template_id: object


@pytest.fixture(scope="session")
def notices_template(template_db: Path, tmp_path_factory) -> tuple[Path, IntakeWorld, object]:
    path = tmp_path_factory.mktemp("notices") / "notices.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    world = build_world(engine)
    with session(engine) as s:
        # An information officer alone: notices are her only mode.
        add_agent(s, actor=None, username="nasrin", full_name="نسرین امینی", password=PASSWORD,
                  roles=["notifier"])  # fmt: skip
    with session(engine) as s:
        template = notices.create_template(
            s, actor=agent_view(s, "mina"), code="water_back", channel="sms",
            name="وصل آب", body=RESTORED, now=FIXED_NOW,
        )  # fmt: skip
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, world, template.id


@pytest.fixture
def desk(notices_template, tmp_path) -> Iterator[NoticeDesk]:
    template, world, template_id = notices_template
    path = tmp_path / "notices.db"
    shutil.copyfile(template, path)
    engine = make_engine(str(path))
    yield NoticeDesk(engine, world, template_id)
    engine.dispose()


def make_app(desk: NoticeDesk, lang: str = "en") -> DeskApp:
    return DeskApp(engine=desk.engine, settings=desk_settings(desk.engine, lang), clock=fixed_clock)


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    await settle(pilot)


async def open_notices(pilot: Pilot, username: str = "mina", views: int = 0) -> NoticesMode:
    """Sign in, F5, then Ctrl+W ``views`` times."""
    screen = pilot.app.screen
    screen.query_one("#username", FormInput).value = username
    screen.query_one("#password", FormInput).value = PASSWORD
    screen.query_one("#password", FormInput).focus()
    await pilot.pause()
    await press(pilot, "enter")
    await press(pilot, "f5")
    for _ in range(views):
        await press(pilot, "ctrl+w")
    return pilot.app.screen.query_one(NoticesMode)


def rows(panel) -> list[list[str]]:
    table = panel.query_one(MirroredTable)
    return [[c.plain.strip() for c in table.get_row_at(r)] for r in range(table.row_count)]


def set_threshold(desk: NoticeDesk, value: int) -> None:
    with session(desk.engine) as s:
        s.add(CenterSetting(center_id=desk.world.center_id, key="notices.approval_threshold",
                            value=value))  # fmt: skip


def draft_to_district_2(desk: NoticeDesk, username: str = "mina"):
    """A draft campaign of the seeded template to District 2 (three mobiles)."""
    with session(desk.engine) as s:
        return notices.create_campaign(
            s, actor=agent_view(s, username), name="وصل آب منطقه ۲",
            template_id=desk.template_id, target_kind="districts",
            target={"district_ids": [str(desk.world.districts["D2"])]}, now=FIXED_NOW,
        )  # fmt: skip


def approved_campaign(desk: NoticeDesk, *, delivered: int = 0, failed: int = 0):
    """Approve the draft; the first messages are then delivered or failed, as a sender would."""
    campaign = draft_to_district_2(desk)
    with session(desk.engine) as s:
        notices.approve_campaign(s, actor=agent_view(s, "mina"), campaign_id=campaign.id,
                                 now=FIXED_NOW)  # fmt: skip
    with session(desk.engine) as s:
        ids = s.exec(sa.select(OutboxMessage.id).order_by(OutboxMessage.id)).scalars().all()
        table = OutboxMessage.__table__
        for i, message_id in enumerate(ids):
            if i < delivered:
                values = {"status": "delivered", "attempts": 1, "sent_at": FIXED_NOW,
                          "delivered_at": FIXED_NOW}  # fmt: skip
            elif i < delivered + failed:
                values = {"status": "failed", "attempts": 5, "last_error": "number unreachable"}
            else:
                continue
            s.execute(sa.update(table).where(table.c.id == message_id).values(**values))
    return campaign


async def test_ctrl_w_shows_each_view_in_turn_and_the_help_lists_it(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        mode = await open_notices(pilot)
        seen = [type(mode.current)]
        for _ in range(4):
            await press(pilot, "ctrl+w")
            seen.append(type(mode.current))
        assert seen == [IncidentsPanel, TemplatesPanel, CampaignsPanel, OutboxPanel, IncidentsPanel]
        await press(pilot, "ctrl+w")
        assert rows(mode.current)[0][0] == "water_back"  # read when it came on show
        await press(pilot, "f1")
        keys = [row.description for row in app.screen.query_one(HelpPanel).query_one(KeyHelp).rows]
        assert "Next view" in keys and "New template" in keys


async def test_an_unknown_placeholder_is_refused_next_to_the_text_which_stays(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        mode = await open_notices(pilot, views=1)
        await press(pilot, "ctrl+r")
        dialog = app.screen
        assert isinstance(dialog, TemplateDialog)
        dialog.query_one("#code", FormInput).value = "planned_cut"
        dialog.query_one("#name", FormInput).value = "قطعی برنامه‌ریزی‌شده"
        typo = "آب {distrct} فردا از ساعت {start} قطع است."
        dialog.query_one("#body", TextArea).text = typo
        await settle(pilot)
        # Told as it is typed, before saving...
        warnings = dialog.query_one("#warnings", BidiText).text
        assert "{distrct} is not a placeholder" in warnings
        # ...and refused when saved, next to the text, which is kept.
        await press(pilot, "ctrl+o")
        assert app.screen is dialog
        assert "Not a placeholder: {distrct}" in dialog.query_one("#body-error", BidiText).text
        assert dialog.query_one("#body", TextArea).text == typo
        dialog.query_one("#body", TextArea).text = typo.replace("distrct", "district")
        await press(pilot, "ctrl+o")
        assert not isinstance(app.screen, TemplateDialog)
        listed = {row[0]: row for row in rows(mode.current)}
        assert listed["planned_cut"][1] == "SMS" and listed["planned_cut"][-1] == "1 · UCS-2"
    with session(desk.engine, write=False) as s:
        saved = notices.list_templates(s, actor=agent_view(s, "mina"))
    assert [t.placeholders for t in saved if t.code == "planned_cut"] == [("district", "start")]


async def test_the_preview_says_what_a_long_persian_text_costs(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_notices(pilot, views=1)
        await press(pilot, "ctrl+r")
        dialog = app.screen
        dialog.query_one("#body", TextArea).text = LONG
        await settle(pilot)
        assert dialog.query_one("#cost", BidiText).text == f"2 SMS, {len(LONG)} characters, UCS-2"
        sample = [line.text for line in dialog.query_one("#sample", DetailBlock).lines()]
        assert sample == [f"Reads: {LONG}"]
        # Filled with sample values: a placeholder shows as a real value would.
        dialog.query_one("#body", TextArea).text = "{name} گرامی، درخواست {tracking_code} ثبت شد."
        await settle(pilot)
        sample = dialog.query_one("#sample", DetailBlock).lines()[0].text
        assert "{name}" not in sample and "131050000127" in sample


async def test_a_supervisor_sends_a_campaign_to_a_district_and_sees_it_queued(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        mode = await open_notices(pilot, views=2)
        assert rows(mode.current) == []
        await press(pilot, "ctrl+r")
        dialog = app.screen
        assert isinstance(dialog, CampaignDialog)
        dialog.query_one("#name", FormInput).value = "وصل آب منطقه ۲"
        picker = dialog.query_one("#template", Picker)
        picker.input.focus()
        await press(pilot, *"water")
        assert [c.note for c in picker.matches] == ["water_back"]
        await press(pilot, "enter")  # picked: the cursor moves on to who receives it
        assert picker.value == desk.template_id
        dialog.query_one(SelectionList).select(desk.world.districts["D2"])
        await press(pilot, "ctrl+o")
        # Saved as a draft and opened straight away: who receives it and what they read.
        screen = app.screen
        assert isinstance(screen, CampaignScreen)
        sample = [line.text for line in screen.query_one("#campaign-sample", DetailBlock).lines()]
        # The seeded text with the center's name is a little over one part.
        assert sample[0] == "Recipients now: 3 · SMS parts: 6 in all, at most 2 each"
        assert "آب منطقه ۲ وصل شد" in sample[2]
        assert sample[3] == f"2 SMS, {len(sample[2])} characters, UCS-2"
        await press(pilot, "ctrl+p")
        progress = screen.query_one("#campaign-progress", DetailBlock).lines()[0].text
        assert progress.startswith("Queued 3 · Sending 0 · Sent 0")
        await press(pilot, "escape")
        [row] = rows(mode.current)
        assert row[:3] == [display("وصل آب منطقه ۲"), "Approved", "3"]
        assert row[4:] == ["3", "0", "0", "0"]


async def test_an_officer_alone_is_told_a_large_campaign_needs_a_supervisor(desk):
    set_threshold(desk, 2)
    draft_to_district_2(desk, "nasrin")
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        mode = await open_notices(pilot, "nasrin", views=2)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, CampaignScreen)
        warnings = [line.text for line in screen.query_one("#campaign-warnings").lines()]
        assert warnings == [
            "More than 2 recipients: a supervisor must approve it. You cannot approve it yourself."
        ]
        await press(pilot, "ctrl+p")
        refusal = screen.query_one("#campaign-warnings", DetailBlock).lines()[-1].text
        assert refusal == (
            "3 recipients: a campaign to more than 2 needs a supervisor's approval. "
            "Ask a supervisor to approve it."
        )
        await press(pilot, "escape")
        assert rows(mode.current)[0][1] == "Draft"


async def test_the_outbox_lists_the_messages_filters_the_failed_and_retries_one(desk):
    approved_campaign(desk, delivered=1, failed=1)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        mode = await open_notices(pilot, views=3)
        panel = mode.current
        assert isinstance(panel, OutboxPanel)
        assert panel.query_one("#outbox-counts", BidiText).text == (
            "All 3: Queued 1 · Delivered 1 · Failed 1"
        )
        assert [row[2] for row in rows(panel)] == ["Queued", "Failed", "Delivered"]
        for _ in range(5):  # all -> queued -> sending -> sent -> delivered -> failed
            await press(pilot, "ctrl+e")
        assert panel.query_one("#outbox-filter", BidiText).text.startswith("Showing: Failed")
        [failed] = rows(panel)
        assert failed[1] == "09123333333"
        detail = [line.text for line in panel.query_one("#outbox-detail", DetailBlock).lines()]
        assert detail[-1] == "Last error: number unreachable"
        await press(pilot, "ctrl+t")
        assert rows(panel) == []
        assert panel.query_one("#outbox-counts", BidiText).text == ("All 3: Queued 2 · Delivered 1")


async def test_persian_views_read_right_to_left(desk):
    approved_campaign(desk, delivered=1)
    app = make_app(desk, "fa")
    async with app.run_test(size=SIZE) as pilot:
        mode = await open_notices(pilot, views=2)
        [row] = rows(mode.current)
        # Mirrored: the failed count first (on the left), the campaign's name last.
        assert row[0] == "۰" and row[-1] == display("وصل آب منطقه ۲")
        assert row[-2] == display("تأییدشده")
        await press(pilot, "ctrl+w")
        first = rows(mode.current)[0]
        assert first[-1] == "۱۴:۰۰" and first[-2] == "۰۹۱۲۴۴۴۴۴۴۴"  # newest first


@pytest.mark.usefixtures("full_colour_terminal")
class TestNoticesSnapshots:
    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_campaigns_view(self, desk, snap_compare, lang):
        """A campaign under way: its progress in numbers and as a bar, its target below."""
        approved_campaign(desk, delivered=1, failed=1)

        async def run_before(pilot: Pilot) -> None:
            await open_notices(pilot, views=2)

        assert snap_compare(make_app(desk, lang), terminal_size=SIZE, run_before=run_before)


def test_the_progress_bar_shares_its_cells_and_fills_from_the_right_in_persian():
    from console.screens.campaigns import progress_bar
    from db.notices import OutboxCounts

    counts = OutboxCounts(queued=1, sent=1, delivered=6, failed=2)
    assert progress_bar(counts, 10, rtl=False).plain == "██████▓▒▒░"
    assert progress_bar(counts, 10, rtl=True).plain == "░▒▒▓██████"
    assert progress_bar(OutboxCounts(queued=1, delivered=2), 8, rtl=False).plain == "█████░░░"
    assert progress_bar(OutboxCounts(), 8, rtl=False).plain == ""
