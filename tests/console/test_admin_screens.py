"""Admin mode (F7): the center's administrator configures it from the console, with every change
refused next to its field when wrong and written to the audit trail, in English and Persian."""

import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import update
from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, ProgressBar, SelectionList, TextArea

from console.app import DeskApp
from console.i18n.rtl import display
from console.screens.admin import AdminMode
from console.screens.admin_audit import AuditView
from console.screens.admin_categories import CategoriesView
from console.screens.admin_dialog import ConfirmDialog
from console.screens.admin_import import ImportView
from console.screens.admin_users import UserDialog, UsersView
from console.screens.admin_view import AdminTable, AdminView
from console.screens.step_dialog import ChoiceLine
from console.widgets.bidi import BidiText
from console.widgets.fields import FormInput
from db.accounts import SignInError, sign_in
from db.engine import make_engine, session
from db.feedback import install_default_questionnaire
from db.models import Agent

from .conftest import FIXED_NOW, PASSWORD, desk_settings, fixed_clock, settle
from .intake_world import IntakeWorld, build_world

SIZE = (80, 24)
VIEWS = (
    "admin-users",
    "admin-units",
    "admin-categories",
    "admin-calendars",
    "admin-canned",
    "admin-questionnaires",
    "admin-settings",
    "admin-import",
    "admin-audit",
)


@dataclass
class AdminDesk:
    engine: Engine
    world: IntakeWorld
    path: Path


@pytest.fixture(scope="session")
def admin_template(template_db: Path, tmp_path_factory) -> tuple[Path, IntakeWorld]:
    """The intake city: districts, units, the starting catalog (a request and a call point to
    two of its categories), canned answers, five subscribers, the starting questionnaire."""
    path = tmp_path_factory.mktemp("admin") / "admin.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(str(path))
    world = build_world(engine)
    with session(engine) as s:
        install_default_questionnaire(s, actor=None, center_id=world.center_id, now=FIXED_NOW)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, world


@pytest.fixture
def desk(admin_template, tmp_path) -> Iterator[AdminDesk]:
    template, world = admin_template
    path = tmp_path / "admin.db"
    shutil.copyfile(template, path)
    engine = make_engine(str(path))
    yield AdminDesk(engine, world, tmp_path)
    engine.dispose()


def make_app(desk: AdminDesk, lang: str = "en") -> DeskApp:
    return DeskApp(engine=desk.engine, settings=desk_settings(desk.engine, lang), clock=fixed_clock)


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    await settle(pilot)


async def open_admin(pilot: Pilot, username: str = "mina") -> None:
    """Sign in and press F7, as an administrator starts."""
    screen = pilot.app.screen
    screen.query_one("#username", FormInput).value = username
    screen.query_one("#password", FormInput).value = PASSWORD
    screen.query_one("#password", FormInput).focus()
    await pilot.pause()
    await press(pilot, "enter")
    await press(pilot, "f7")


async def show_view(pilot: Pilot, view_id: str) -> AdminView:
    """Ctrl+W until the view is on show."""
    for _press in VIEWS:
        if mode(pilot.app).current.id == view_id:
            break
        await press(pilot, "ctrl+w")
    view = mode(pilot.app).current
    assert view.id == view_id
    return view  # type: ignore[return-value]


def mode(app: DeskApp) -> AdminMode:
    return app.screen.query_one(AdminMode)


def table_keys(view: AdminView) -> list[str]:
    table = view.query_one(AdminTable)
    return [table.coordinate_to_cell_key((row, 0))[0].value for row in range(table.row_count)]


async def highlight(pilot: Pilot, view: AdminView, key: str) -> None:
    table = view.query_one(AdminTable)
    table.focus()
    table.move_cursor(row=table_keys(view).index(key))
    await settle(pilot)


def message(view: AdminView) -> str:
    return view.query_one(".admin--message", BidiText).text


def row_text(view: AdminView, key: str) -> str:
    table = view.query_one(AdminTable)
    return " ".join(str(c) for c in table.get_row(key))


def toasts(app: DeskApp) -> list[str]:
    return [n.message for n in app._notifications]


def screen_text(app: DeskApp) -> str:
    console = Console(
        width=SIZE[0], height=SIZE[1], file=io.StringIO(), force_terminal=True, record=True
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


async def type_into(pilot: Pilot, field: str, text: str) -> None:
    widget = pilot.app.screen.query_one(f"#{field}", FormInput)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def test_f7_opens_the_users_and_ctrl_w_goes_through_every_view(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        assert app.screen.query_one("#modes", ContentSwitcher).current == "mode-admin"
        users = mode(app).current
        assert isinstance(users, UsersView)
        assert table_keys(users) == ["mina", "nader", "omid", "reza", "sara"]
        assert "disabled" in row_text(users, "nader")
        assert message(users) == ""
        seen = [mode(app).current.id]
        for _view in VIEWS:
            await press(pilot, "ctrl+w")
            seen.append(mode(app).current.id)
        assert seen == [*VIEWS, VIEWS[0]]


async def test_a_bad_username_is_refused_next_to_the_field_and_the_text_stays(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        await press(pilot, "ctrl+r")
        assert isinstance(app.screen, UserDialog)
        await type_into(pilot, "username", "new user!")
        await type_into(pilot, "full_name", "Leila Karimi")
        await type_into(pilot, "password", "long-enough-1")
        await type_into(pilot, "password2", "long-enough-1")
        await press(pilot, "ctrl+o")
        dialog = app.screen
        assert isinstance(dialog, UserDialog)
        error = dialog.query_one("#username-error", BidiText)
        assert error.text == "Username: use letters, digits, '.', '_' or '-' only."
        assert error.has_class("-shown")
        assert dialog.query_one("#username", FormInput).value == "new user!"
        assert dialog.query_one("#full_name", FormInput).value == "Leila Karimi"
        assert app.focused is dialog.query_one("#username", FormInput)
        # Corrected, it is saved with its roles.
        await type_into(pilot, "username", "leila")
        dialog.query_one("#roles", SelectionList).select("surveyor")
        await press(pilot, "ctrl+o")
        users = mode(app).current
        assert not isinstance(app.screen, UserDialog)
        assert message(users) == "User leila added."
        leila = next(a for a in users.rows if a.username == "leila")
        assert sorted(leila.roles) == ["agent", "surveyor"]
        assert row_text(users, "leila").startswith("leila Leila Karimi Desk agent, Surv…")


async def test_the_two_passwords_must_match_before_anything_is_sent(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        await highlight(pilot, mode(app).current, "omid")
        await press(pilot, "ctrl+p")
        await type_into(pilot, "password", "new-pass-123")
        await type_into(pilot, "password2", "new-pass-124")
        await press(pilot, "ctrl+o")
        error = app.screen.query_one("#password2-error", BidiText)
        assert error.text == "The two passwords differ: type the same one twice."
        await type_into(pilot, "password2", "new-pass-123")
        await press(pilot, "ctrl+o")
        assert message(mode(app).current) == "New password set for omid."
    with session(desk.engine) as s:
        assert sign_in(s, username="omid", password="new-pass-123", now=FIXED_NOW).username


async def test_the_admin_unlocks_a_user_locked_after_failed_sign_ins(desk):
    with session(desk.engine) as s:
        for _attempt in range(5):
            with pytest.raises(SignInError):
                sign_in(s, username="omid", password="wrong", now=FIXED_NOW)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        users = mode(app).current
        await highlight(pilot, users, "omid")
        assert "locked" in row_text(users, "omid")
        await press(pilot, "ctrl+u")
        assert message(users) == "User omid unlocked."
        assert "active" in row_text(users, "omid")
    with session(desk.engine) as s:
        assert sign_in(s, username="omid", password=PASSWORD, now=FIXED_NOW).username == "omid"


async def test_a_category_in_use_is_kept_inactive_with_the_reason(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        categories = await show_view(pilot, "admin-categories")
        assert isinstance(categories, CategoriesView)
        await highlight(pilot, categories, "low_pressure")
        await press(pilot, "ctrl+d")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "ctrl+o")
        assert message(categories) == (
            "The category low_pressure is kept, made inactive: requests, calls refer to it, "
            "so it cannot be deleted."
        )
        assert "(inactive) Low press…" in row_text(categories, "low_pressure")
        # Esc on the question leaves a category as it is.
        await highlight(pilot, categories, "pipe_burst")
        await press(pilot, "ctrl+d")
        await press(pilot, "escape")
        assert "(inactive)" not in row_text(categories, "pipe_burst")


def billing_export(path: Path) -> Path:
    """Three subscribers from the billing system; line 3 has a national code that fails its
    check digit."""
    path.write_text(
        "subscription_no,name,national_code,mobile,district_code\n"
        "20000011,مریم صادقی,0012345679,09131112233,D1\n"
        "20000029,حسن مرادی,0012345678,09131112244,D2\n"
        "20000037,نسرین احمدی,,09131112255,D1\n",
        encoding="utf-8",
    )
    return path


async def test_an_import_from_the_screen_reports_the_broken_line(desk):
    source = billing_export(desk.path / "billing.csv")
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        view = await show_view(pilot, "admin-import")
        assert isinstance(view, ImportView)
        view.query_one("#import-path", FormInput).value = str(source)
        view.query_one("#import-run", ChoiceLine).value = False  # import, not a dry run
        await press(pilot, "ctrl+r")
        bar = view.query_one(ProgressBar)
        assert bar.total == 3 and bar.progress == 3
        status = view.query_one("#import-status", BidiText).text
        assert "Read 3 lines of billing.csv." in status
        assert "Added 2, updated 0, unchanged 0, skipped 1" in status
        bad = view.query_one("#import-bad")
        assert bad.row_count == 1
        assert [str(c) for c in bad.get_row_at(0)][:4] == [
            "3",
            "20000029",
            "National code",
            "not valid: wrong check digit",
        ]


async def test_the_audit_trail_shows_the_changes_just_made(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        users = mode(app).current
        await highlight(pilot, users, "sara")
        await press(pilot, "ctrl+d")  # disable
        assert message(users) == "User sara disabled: they can no longer sign in."
        categories = await show_view(pilot, "admin-categories")
        await highlight(pilot, categories, "low_pressure")
        await press(pilot, "ctrl+d")
        await press(pilot, "ctrl+o")
        audit = await show_view(pilot, "admin-audit")
        assert isinstance(audit, AuditView)
        first, second = table_keys(audit)[:2]
        newest = row_text(audit, first)
        assert "mina" in newest and "category made inactive" in newest
        assert "low_pressure" in newest and "Active: yes → no" in newest
        older = row_text(audit, second)
        assert "user disabled" in older and "sara" in older
        # Only the users' changes.
        await press(pilot, "ctrl+l")
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("agent")
        await press(pilot, "enter")
        assert all("user" in row_text(audit, k) or "sign" in row_text(audit, k)
                   for k in table_keys(audit))  # fmt: skip
        assert "users" in audit.query_one(".admin--count", BidiText).text


async def test_a_setting_its_validator_refuses_stays_typed_with_the_reason(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        settings = await show_view(pilot, "admin-settings")
        await highlight(pilot, settings, "followup.claim_minutes")
        await press(pilot, "enter")
        await type_into(pilot, "value", "0")
        await press(pilot, "ctrl+o")
        error = app.screen.query_one("#value-error", BidiText)
        assert error.text == (
            "Setting followup.claim_minutes refused: a whole number from 1 to 1440."
        )
        assert app.screen.query_one("#value", FormInput).value == "0"
        await type_into(pilot, "value", "45")
        await press(pilot, "ctrl+o")
        assert message(settings) == "followup.claim_minutes = 45"
        assert "45" in row_text(settings, "followup.claim_minutes")


async def test_working_hours_that_end_before_they_start_are_refused_on_their_day(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        calendars = await show_view(pilot, "admin-calendars")
        await highlight(pilot, calendars, "office")
        await press(pilot, "enter")
        await type_into(pilot, "day5", "14:00-08:00")  # Thursday
        await press(pilot, "ctrl+o")
        error = app.screen.query_one("#day5-error", BidiText)
        assert error.text == "The closing time must come after the opening time."
        await type_into(pilot, "day5", "۰۸:۰۰-۱۲:۰۰")  # typed in Persian digits
        await press(pilot, "ctrl+o")
        assert message(calendars) == "Calendar office saved."
        office = next(c for c in calendars.rows if c.code == "office")
        assert office.hours[5] == (time(8), time(12))


async def test_units_districts_answers_holidays_and_questions_round_trip(desk):
    """Each view's dialogs: add, change and remove, and what the line under the list says."""
    holidays = desk.path / "holidays.csv"
    holidays.write_text("date,name\n1405/01/01,نوروز\n1405/13/01,بد\n", encoding="utf-8")
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        units = await show_view(pilot, "admin-units")
        await press(pilot, "ctrl+r")
        await type_into(pilot, "code", "W9")
        await type_into(pilot, "name_fa", "امور آب منطقه ۹")
        app.screen.query_one("#districts", SelectionList).select("D2")
        await press(pilot, "ctrl+o")
        assert message(units) == "Unit W9 saved."
        assert next(u for u in units.rows if u.code == "W9").district_codes == ("D2",)
        await highlight(pilot, units, "W9")
        await press(pilot, "ctrl+d", "ctrl+o")
        assert message(units) == "The unit W9 was deleted: nothing referred to it."
        await press(pilot, "ctrl+e")  # the districts
        assert table_keys(units) == ["D1", "D2"]
        await highlight(pilot, units, "D1")
        await press(pilot, "ctrl+d", "ctrl+o")
        assert "kept, made inactive" in message(units)
        assert "subscribers" in message(units)

        canned = await show_view(pilot, "admin-canned")
        await press(pilot, "ctrl+r")
        await type_into(pilot, "code", "hours")
        await type_into(pilot, "title_fa", "ساعات کاری")
        body = app.screen.query_one("#body_fa", TextArea)
        body.focus()
        body.insert("شنبه تا چهارشنبه از ۷ تا ۱۴")
        await press(pilot, "ctrl+o")
        assert message(canned) == "Canned answer hours saved."
        await highlight(pilot, canned, "hours")
        await press(pilot, "ctrl+d", "ctrl+o")
        assert message(canned) == "The canned answer hours was deleted: nothing referred to it."

        calendars = await show_view(pilot, "admin-calendars")
        await highlight(pilot, calendars, "office")
        await press(pilot, "ctrl+l")
        await type_into(pilot, "path", str(holidays))
        app.screen.query_one("#dry_run", ChoiceLine).value = False
        await press(pilot, "ctrl+o")
        assert message(calendars).startswith("Holidays: 1 added, 0 renamed, 0 removed")
        assert "Line 3 skipped: not valid: bad month (1405/13/01)." in message(calendars)
        await press(pilot, "ctrl+e")
        assert table_keys(calendars) == ["2026-03-21"]
        await press(pilot, "ctrl+d")
        assert message(calendars) == "Holiday 1405/01/01 removed."
        await press(pilot, "ctrl+e")

        questionnaires = await show_view(pilot, "admin-questionnaires")
        question = next(r for r in questionnaires.rows if r.question is not None)
        await highlight(pilot, questionnaires, questionnaires.key(question))
        await press(pilot, "enter")
        await type_into(pilot, "text_fa", "آیا مشکل شما حل شد؟")
        await press(pilot, "ctrl+o")
        assert message(questionnaires) == "Saved."

        audit = await show_view(pilot, "admin-audit")
        actions = [row.action for row in audit.rows]
        for action in (
            "question_changed",
            "holiday_removed",
            "holidays_imported",
            "canned_answer_removed",
            "district_deactivated",
            "unit_removed",
        ):
            assert action in actions, action  # fmt: skip


async def test_a_desk_agent_pressing_f7_is_told_why_nothing_opens(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, "sara")
        assert toasts(app) == ["You do not have permission for this."]
        assert not app.screen.query(AdminMode)


async def test_persian_admin_reads_from_the_right(desk):
    app = make_app(desk, "fa")
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot)
        assert mode(app).has_class("-rtl")
        rows = screen_text(app).splitlines()
        strip = next(row for row in rows if display("کاربران") in row)
        assert strip.rstrip().endswith(display("کاربران"))  # the first view on the right
        heading = next(row for row in rows if display("نام کاربری") in row)
        assert heading.rstrip().endswith(display("نام کاربری"))  # the first column too
        assert display("وضعیت") in heading.split(display("نام کاربری"))[0]
        users = mode(app).current
        assert row_text(users, "nader").strip().startswith(display("غیرفعال"))


@pytest.mark.usefixtures("full_colour_terminal")
class TestAdminSnapshots:
    @pytest.mark.parametrize("lang", ["fa", "en"])
    def test_admin_users(self, desk, snap_compare, lang):
        """F7 as the center's administrator: the views' strip, the users, their keys."""

        async def run_before(pilot: Pilot) -> None:
            await open_admin(pilot)
            # Signing in (here, and omid's when the city was built) stamps the wall clock, not
            # the test's: put those sign-ins on the fixed clock.
            signed_in = Agent.last_sign_in_at.is_not(None)  # type: ignore[union-attr]
            with session(desk.engine) as s:
                s.exec(update(Agent).where(signed_in).values(last_sign_in_at=FIXED_NOW))
            await press(pilot, "ctrl+f")
            await highlight(pilot, mode(pilot.app).current, "reza")

        assert snap_compare(make_app(desk, lang), terminal_size=SIZE, run_before=run_before)
