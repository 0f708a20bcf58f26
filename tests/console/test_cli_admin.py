"""The administrator's commands: import subscribers, users, categories, units, holidays,
settings and the audit trail; a refusal is one clear line and a non-zero exit code."""

import csv
from random import Random

import pytest
from argon2 import PasswordHasher
from sqlmodel import select
from typer.testing import CliRunner

from console.cli import app
from console.cli_admin import EXIT_SKIPPED
from console.i18n import set_language
from db import accounts, catalog_seed
from db.engine import make_engine, session
from db.migrate import upgrade
from db.models import (
    Calendar,
    CalendarHours,
    Category,
    Center,
    CenterSetting,
    District,
    Subscriber,
    Unit,
)
from db.validate import make_bill_id

runner = CliRunner()
BILL = make_bill_id(Random(7))
BAD_BILL = BILL[:-1] + str((int(BILL[-1]) + 1) % 10)


@pytest.fixture(autouse=True)
def english(monkeypatch, tmp_path):
    monkeypatch.setenv("ABFA_DESK_SETTINGS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ABFA_DESK_DB", raising=False)
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    yield
    set_language("en")


def run(*args: str, stdin: str | None = None, lang: str = "en"):
    return runner.invoke(app, ["--lang", lang, *args], input=stdin)


@pytest.fixture
def desk_db(tmp_path) -> str:
    """A migrated SQLite file with one center, two districts, two units, the starting
    calendars and two categories."""
    path = tmp_path / "desk.db"
    engine = make_engine(str(path))
    upgrade(engine)
    with session(engine) as s:
        center = Center(code="ISF", number=131, name_fa="اصفهان", name_en="Isfahan")
        s.add(center)
        s.flush()
        for code in ("D1", "D2"):
            s.add(District(center_id=center.id, code=code, name_fa=code, name_en=code))
        units = {}
        for code, kind in (("water", "water_ops"), ("billing", "billing")):
            units[code] = Unit(
                center_id=center.id, code=code, kind=kind, name_fa="واحد " + code, name_en=code
            )
            s.add(units[code])
        calendars = {}
        for seed in catalog_seed.CALENDARS:
            calendars[seed.code] = Calendar(
                center_id=center.id,
                code=seed.code,
                name_fa=seed.name_fa,
                name_en=seed.name_en,
                always_open=seed.always_open,
            )
            s.add(calendars[seed.code])
        s.flush()
        for weekday, (opens, closes) in catalog_seed.OFFICE_HOURS.items():
            s.add(
                CalendarHours(
                    calendar_id=calendars["office"].id, weekday=weekday, opens=opens, closes=closes
                )
            )
        for code, name, unit, calendar, response, resolution in (
            ("pipe_burst", "شکستگی لوله", "water", "24x7", 30, 360),
            ("bill_dispute", "اعتراض به قبض", "billing", "office", 900, 3150),
        ):
            s.add(
                Category(
                    center_id=center.id,
                    code=code,
                    name_fa=name,
                    name_en=code,
                    group="billing",
                    default_unit_id=units[unit].id,
                    calendar_id=calendars[calendar].id,
                    response_minutes=response,
                    resolution_minutes=resolution,
                )
            )
    engine.dispose()
    return str(path)


def rows(db: str, model, *where):
    engine = make_engine(db)
    with session(engine, write=False) as s:
        found = s.exec(select(model).where(*where)).all()
    engine.dispose()
    return found


def write(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


EXPORT = [
    "subscription_no,bill_id,name,mobile,district_code,address",
    f"50000001,{BILL},علي كاظمي,09121234567,D1,خیابان سعدی",
    f"50000002,{BAD_BILL},رضا نوری,,D1,",
    "۵۰۰۰۰۰۰۳,,مریم احمدی,۰۹۱۳۱۲۳۴۵۶۷,D2,",
    "50000004,,,09121234567,D1,",
]


def test_import_subscribers_reports_counts_and_bad_lines(desk_db, tmp_path):
    source = write(tmp_path, "billing.csv", EXPORT)
    errors = tmp_path / "errors.csv"
    result = run("import", "subscribers", str(source), "--errors", str(errors), "--db", desk_db)
    assert result.exit_code == EXIT_SKIPPED, result.stderr
    assert "Added 2, updated 0, unchanged 0, skipped 2" in result.stdout
    assert "wrong check digit" in result.stdout
    with errors.open(encoding="utf-8-sig") as f:
        skipped = [(r["line"], r["reason"], r["field"]) for r in csv.DictReader(f)]
    assert skipped == [("3", "bad_value", "bill_id"), ("5", "missing_value", "name")]
    names = {s.subscription_no: s.name for s in rows(desk_db, Subscriber)}
    assert names == {"50000001": "علی کاظمی", "50000003": "مریم احمدی"}
    again = run("import", "subscribers", str(source), "--db", desk_db)
    assert "Added 0, updated 0, unchanged 2, skipped 2" in again.stdout


def test_a_dry_run_writes_nothing_and_says_so_in_persian(desk_db, tmp_path):
    source = write(tmp_path, "billing.csv", EXPORT[:2])
    result = run("import", "subscribers", str(source), "--dry-run", "--db", desk_db, lang="fa")
    assert result.exit_code == 0, result.stderr
    assert "اجرای آزمایشی" in result.stdout and "Dry run" not in result.stdout
    assert "۱" in result.stdout  # counts in Persian digits
    assert rows(desk_db, Subscriber) == []


def test_an_import_without_the_required_columns_is_one_clear_line(desk_db, tmp_path):
    source = write(tmp_path, "phones.csv", ["mobile", "09121234567"])
    result = run("import", "subscribers", str(source), "--db", desk_db)
    assert result.exit_code == 1
    assert "lacks the column(s) subscription_no, name" in result.stderr
    assert "Traceback" not in result.stderr
    missing = run("import", "subscribers", str(tmp_path / "none.csv"), "--db", desk_db)
    assert missing.exit_code == 1 and "Cannot read" in missing.stderr


def test_user_disable_enable_unlock_and_roles(desk_db):
    for name, role in (("maryam", "agent"), ("boss", "admin")):
        added = run("user", "add", name, "--role", role, "--db", desk_db, stdin="long-enough-1\n")
        assert added.exit_code == 0, added.stderr
    disabled = run("user", "disable", "Maryam", "--db", desk_db)
    assert disabled.exit_code == 0 and "maryam disabled" in disabled.stdout
    listed = run("user", "list", "--db", desk_db)
    assert "disabled" in listed.stdout
    assert run("user", "enable", "maryam", "--db", desk_db).exit_code == 0
    assert run("user", "unlock", "maryam", "--db", desk_db).exit_code == 0
    roles = run("user", "roles", "maryam", "--role", "agent,followup", "--db", desk_db)
    assert "Roles of maryam: agent, followup." in roles.stdout
    last = run("user", "disable", "boss", "--db", desk_db)
    assert last.exit_code == 1
    assert "boss is the last active administrator" in last.stderr
    ghost = run("user", "unlock", "ghost", "--db", desk_db)
    assert ghost.exit_code == 1 and "No user named ghost" in ghost.stderr


def test_category_list_and_set(desk_db):
    listed = run("category", "list", "--db", desk_db)
    assert "pipe_burst" in listed.stdout and "bill_dispute" in listed.stdout
    changed = run(
        "category", "set", "pipe_burst", "--priority", "1", "--unit", "billing",
        "--required", "address,district", "--db", desk_db,
    )  # fmt: skip
    assert changed.exit_code == 0, changed.stderr
    (burst,) = rows(desk_db, Category, Category.code == "pipe_burst")
    assert burst.priority == 1 and burst.required_fields == ["address", "district"]
    bad = run("category", "set", "pipe_burst", "--priority", "9", "--db", desk_db)
    assert bad.exit_code == 1
    assert "Priority must be a whole number from 1 to 4" in bad.stderr
    late = run("category", "set", "pipe_burst", "--resolution", "10", "--db", desk_db)
    assert "cannot be shorter than the response target" in late.stderr
    off = run("category", "set", "bill_dispute", "--inactive", "--db", desk_db)
    assert off.exit_code == 0
    assert "bill_dispute" not in run("category", "list", "--db", desk_db).stdout
    assert "bill_dispute" in run("category", "list", "--all", "--db", desk_db).stdout


def test_unit_list_and_set(desk_db):
    changed = run(
        "unit", "set", "water", "--phone", "031-3222 4455", "--districts", "D1,D2", "--db", desk_db
    )
    assert changed.exit_code == 0, changed.stderr
    listed = run("unit", "list", "--db", desk_db)
    assert "03132224455" in listed.stdout and "D1, D2" in listed.stdout
    unknown = run("unit", "set", "water", "--districts", "D9", "--db", desk_db)
    assert unknown.exit_code == 1 and "No district with code D9" in unknown.stderr


def test_calendar_holidays_import_and_list(desk_db, tmp_path):
    source = write(tmp_path, "1406.csv", ["date,name", "۱۴۰۶/۰۱/۰۱,نوروز", "1406/01/32,غلط"])
    result = run("calendar", "holidays", "import", str(source), "--db", desk_db)
    assert result.exit_code == EXIT_SKIPPED
    assert "1 added" in result.stdout and "Line 3 skipped" in result.stdout
    listed = run("calendar", "holidays", "list", "--year", "1406", "--db", desk_db)
    assert "2027-03-21" in listed.stdout
    persian = run("calendar", "holidays", "list", "--db", desk_db, lang="fa")
    assert "۱۴۰۶/۰۱/۰۱" in persian.stdout


def test_settings_set_list_clear_and_refuse(desk_db):
    assert run("setting", "set", "followup.claim_minutes", "45", "--db", desk_db).exit_code == 0
    (stored,) = rows(desk_db, CenterSetting)
    assert (stored.key, stored.value) == ("followup.claim_minutes", 45)
    listed = run("setting", "list", "--db", desk_db)
    assert "followup.claim_minutes" in listed.stdout and "sla.warning_share" in listed.stdout
    bad = run("setting", "set", "sla.warning_share", "2", "--db", desk_db)
    assert bad.exit_code == 1 and "Setting sla.warning_share refused" in bad.stderr
    unknown = run("setting", "set", "nope.key", "1", "--db", desk_db)
    assert "No setting named nope.key" in unknown.stderr
    cleared = run("setting", "clear", "followup.claim_minutes", "--db", desk_db)
    assert "back to its default: 30" in cleared.stdout
    assert rows(desk_db, CenterSetting) == []


def test_audit_list_shows_what_changed_from_what_to_what(desk_db):
    run("category", "set", "pipe_burst", "--response", "45", "--db", desk_db)
    result = run("audit", "list", "--entity", "category", "--db", desk_db)
    assert result.exit_code == 0, result.stderr
    assert "category_changed" in result.stdout
    assert "response_minutes: 30 → 45" in result.stdout
