"""`abfa-desk report`: each format says the same numbers, Persian by default and English on
request, phone numbers masked unless a supervisor signs in, every personal export audited, and
bad input one clear line. The numbers themselves are checked in tests/db/test_reports.py."""

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from console.cli import app
from console.cli_reports import HEADINGS, TITLES
from console.i18n import set_language
from db import accounts, catalog_seed
from db.engine import make_engine, session
from db.jalali import TEHRAN
from db.migrate import upgrade
from db.models import AuditEntry, Calendar, Call, Category, Center, Ticket, Unit
from db.reports import REPORTS, Figure, Scope, period_between

runner = CliRunner()
PASSWORD = "desk-pass-1"
PERIOD = ("--from", "1405/08/24", "--to", "1405/08/28")  # 15-19 November 2026


@pytest.fixture(autouse=True)
def english(monkeypatch, tmp_path):
    monkeypatch.setenv("ABFA_DESK_SETTINGS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ABFA_DESK_DB", raising=False)
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    yield
    set_language("en")


def run(*args: str, lang: str = "en", stdin: str | None = None):
    return runner.invoke(app, ["--lang", lang, *args], input=stdin)


def teh(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TEHRAN).astimezone(UTC)


@pytest.fixture
def desk_db(tmp_path) -> str:
    """One center, its water unit, and in the period four calls (three from 09121111111, one
    from 09123333333: 2 on 122, 2 on 1523) and one pipe-burst request with the water unit."""
    path = tmp_path / "desk.db"
    engine = make_engine(str(path))
    upgrade(engine)
    with session(engine) as s:
        center = Center(code="ISF", number=131, name_fa="اصفهان", name_en="Isfahan")
        s.add(center)
        s.flush()
        unit = Unit(center_id=center.id, code="W1", kind="water_ops", name_fa="آب ۱",
                    name_en="Water 1")  # fmt: skip
        calendar = Calendar(center_id=center.id, code="24x7", name_fa="شبانه‌روزی",
                            name_en="24/7", always_open=True)  # fmt: skip
        s.add_all([unit, calendar])
        s.flush()
        seed = next(c for c in catalog_seed.CATEGORIES if c.code == "pipe_burst")
        category = Category(
            center_id=center.id, code=seed.code, name_fa=seed.name_fa, name_en=seed.name_en,
            group=seed.group, emergency=True, priority=1, default_unit_id=unit.id,
            calendar_id=calendar.id, response_minutes=30, resolution_minutes=360,
        )  # fmt: skip
        s.add(category)
        s.flush()
        people = {
            name: accounts.add_agent(s, actor=None, username=name, full_name=name.title(),
                                     password=PASSWORD, roles=[role])
            for name, role in (("reza", "supervisor"), ("sara", "surveyor"), ("maryam", "agent"))
        }  # fmt: skip
        for day, hour, channel, phone in (
            (15, 9, "phone_122", "09121111111"),
            (16, 10, "phone_1523", "09121111111"),
            (17, 11, "phone_122", "09121111111"),
            (18, 12, "phone_1523", "09123333333"),
        ):
            s.add(
                Call(center_id=center.id, channel=channel, phone=phone,
                     agent_id=people["maryam"].id, category_id=category.id, outcome="answered",
                     started_at=teh(day, hour), ended_at=teh(day, hour) + timedelta(minutes=2))
            )  # fmt: skip
        s.add(
            Ticket(center_id=center.id, tracking_code="131050000010", year=1405, seq=1,
                   category_id=category.id, unit_id=unit.id, status="referred",
                   opened_at=teh(16, 10))
        )  # fmt: skip
    engine.dispose()
    return str(path)


def audit_entries(path: str) -> list[AuditEntry]:
    engine = make_engine(path)
    with session(engine, write=False) as s:
        entries = list(
            s.exec(select(AuditEntry).where(AuditEntry.action == "report_exported")).all()
        )
    engine.dispose()
    return entries


def test_every_report_has_a_title_and_every_column_a_heading():
    period = period_between(date(2026, 11, 15), date(2026, 11, 19))
    scope = Scope(center_id=uuid.uuid4(), center_code="ISF", period=period, as_of=teh(20, 10))
    assert set(TITLES) == set(REPORTS)
    for spec in REPORTS.values():
        row_type = spec.compute.__annotations__["return"].__args__[0]
        keys = [c.key for c in Figure(spec.name, row_type, scope, ()).columns]
        assert set(keys) <= set(HEADINGS), (spec.name, set(keys) - set(HEADINGS))


def test_without_a_name_it_lists_the_reports(desk_db):
    result = run("report", "--db", desk_db)
    assert result.exit_code == 0, result.stderr
    for name in REPORTS:
        assert name in result.stdout
    assert "First-contact resolution" in result.stdout


def test_csv_has_stable_keys_and_plain_numbers(desk_db):
    result = run("report", "calls_by_channel", *PERIOD, "--format", "csv", "--db", desk_db)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "channel,calls,share\nphone_122,2,0.5\nphone_1523,2,0.5\n"


def test_csv_of_names_keeps_both_languages(desk_db):
    result = run("report", "requests_by_unit", *PERIOD, "--format", "csv", "--db", desk_db)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [
        {"unit_code": "W1", "unit_name_fa": "آب ۱", "unit_name_en": "Water 1", "opened": "1",
         "closed": "0", "cancelled": "0", "backlog": "1"}
    ]  # fmt: skip


def test_json_carries_period_total_and_summary(desk_db, tmp_path):
    out = tmp_path / "incidents.json"
    result = run("report", "aht", *PERIOD, "--format", "json", "--output", str(out),
                 "--db", desk_db, lang="fa")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["report"] == "aht"
    assert doc["title"] == "میانگین زمان رسیدگی به تماس"
    assert (doc["from"], doc["to"], doc["center"], doc["unit"]) == (
        "1405/08/24", "1405/08/28", "ISF", None
    )  # fmt: skip
    assert doc["columns"] == ["channel", "handled", "aht_seconds"]
    assert doc["rows"] == [
        {"channel": "phone_122", "handled": 2, "aht_seconds": 120.0},
        {"channel": "phone_1523", "handled": 2, "aht_seconds": 120.0},
    ]
    assert doc["total"] == {"channel": None, "handled": 4, "aht_seconds": 120.0}
    assert doc["masked"] is False


def test_table_speaks_persian_with_persian_digits(desk_db):
    result = run("report", "calls_by_channel", *PERIOD, "--db", desk_db, lang="fa")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "تماس‌ها به تفکیک کانال" in out  # logical order: stdout is not a terminal
    assert "۵۰٫۰٪" in out and "۱۲۲" in out and "جمع" in out
    assert "۱۴۰۵/۰۸/۲۴" in out


def test_table_in_english(desk_db):
    result = run("report", "requests_by_unit", *PERIOD, "--db", desk_db)
    assert result.exit_code == 0, result.stderr
    assert "Requests by unit" in result.stdout
    assert "Water 1" in result.stdout and "آب ۱" not in result.stdout
    assert "From 2026-11-15 to 2026-11-19" in result.stdout


def test_xlsx_for_officials(desk_db, tmp_path):
    out = tmp_path / "channels.xlsx"
    result = run("report", "calls_by_channel", *PERIOD, "--format", "xlsx", "--output",
                 str(out), "--db", desk_db, lang="fa")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["report", "data"]
    sheet = book["report"]
    assert sheet.sheet_view.rightToLeft
    assert sheet["A1"].value == "تماس‌ها به تفکیک کانال"
    assert sheet["A2"].value == "از 1405/08/24 تا 1405/08/28"  # Latin digits in files
    assert [c.value for c in sheet[4]] == ["کانال", "تماس", "سهم"]
    assert [c.value for c in sheet[5]] == ["122", 2, 0.5]
    assert sheet["C5"].number_format == "0.0%"
    assert [c.value for c in sheet[7]] == ["جمع", 4, 1.0]
    data = [[c.value for c in row] for row in book["data"].iter_rows()]
    assert data == [["channel", "calls", "share"], ["phone_122", 2, 0.5], ["phone_1523", 2, 0.5]]


def test_xlsx_needs_a_file(desk_db):
    result = run("report", "aht", "--format", "xlsx", "--db", desk_db)
    assert result.exit_code == 1
    assert "--output" in result.stderr


def test_phone_numbers_are_masked_and_the_export_audited_without_a_person(desk_db):
    result = run("report", "repeat_callers", *PERIOD, "--format", "csv", "--db", desk_db)
    assert result.exit_code == 0, result.stderr
    assert "0912***1111,3,1," in result.stdout
    assert "09121111111" not in result.stdout
    (entry,) = audit_entries(desk_db)
    assert entry.actor_id is None
    assert entry.entity_id == "repeat_callers"
    assert entry.changes["masked"] == [None, True]
    assert entry.changes["format"] == [None, "csv"]
    assert entry.detail == "stdout"


def test_a_supervisor_sees_the_numbers_and_is_named_in_the_audit(desk_db):
    result = run("report", "repeat_callers", *PERIOD, "--format", "csv", "--as", "reza",
                 "--db", desk_db, stdin=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "09121111111,3,1," in result.stdout
    (entry,) = audit_entries(desk_db)
    assert entry.changes["masked"] == [None, False]
    assert entry.actor_id is not None


def test_a_surveyor_reads_reports_but_not_phone_numbers(desk_db):
    result = run("report", "repeat_callers", *PERIOD, "--format", "json", "--as", "sara",
                 "--password", PASSWORD, "--db", desk_db)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["masked"] is True
    assert doc["rows"][0]["phone"] == "0912***1111"


def test_a_desk_agent_may_not_read_reports(desk_db):
    result = run("report", "aht", "--as", "maryam", "--password", PASSWORD, "--db", desk_db)
    assert result.exit_code == 1
    assert "You do not have permission for this." in result.stderr


def test_a_wrong_password_is_refused(desk_db):
    result = run("report", "aht", "--as", "reza", "--password", "nope-nope", "--db", desk_db)
    assert result.exit_code == 1
    assert "Wrong username or password." in result.stderr


def test_counts_are_not_audited(desk_db):
    assert run("report", "aht", "--format", "csv", "--db", desk_db).exit_code == 0
    assert audit_entries(desk_db) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope",), "There is no report nope."),
        (("aht", "--from", "1405/13/01"), "Cannot read the date 1405/13/01"),
        (("aht", "--from", "1405/09/10", "--to", "1405/09/01"), "The period ends before"),
        (("aht", "--unit", "W1"), "--unit cannot narrow it"),
        (("sla_by_unit", "--unit", "ZZ"), "There is no unit with code ZZ."),
        (("aht", "--center", "ZZ"), "There is no center with code ZZ."),
        (("aht", "--format", "pdf"), "Unknown format pdf"),
    ],
)
def test_bad_input_is_one_clear_line(desk_db, args, message):
    result = run("report", *args, "--db", desk_db)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_one_unit(desk_db):
    result = run("report", "sla_by_unit", *PERIOD, "--unit", "W1", "--format", "json",
                 "--db", desk_db)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["unit"] == "W1"
    assert [r["unit_code"] for r in doc["rows"]] == ["W1"]
