"""`abfa-desk sync --to URL`, `sync export FILE`, `sync import FILE`: a rural center's new
computer gets its data from the province, syncs again with nothing to send, carries a signed
file both ways, and every refusal (no key, a file cut short or changed, another schema) is one
clear line in the operator's language."""

import zipfile

import pytest
from alembic import command
from argon2 import PasswordHasher
from sqlmodel import select
from typer.testing import CliRunner

from console.cli import app
from console.cli_sync import STAGES, TABLE_NAMES, stage_label
from console.i18n import set_language
from db import accounts
from db.engine import make_engine, session
from db.migrate import alembic_config, upgrade
from db.models import Agent, Center, District

runner = CliRunner()
KEY = "a key shared by the province and its centers"


@pytest.fixture(autouse=True)
def english(monkeypatch, tmp_path):
    monkeypatch.setenv("ABFA_DESK_SETTINGS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ABFA_DESK_DB", raising=False)
    monkeypatch.setenv("ABFA_DESK_SYNC_KEY", KEY)
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    yield
    set_language("en")


def run(*args: str, lang: str = "en"):
    return runner.invoke(app, ["--lang", lang, *args])


@pytest.fixture
def province(tmp_path):
    """The province's database (a SQLite file here): two centers, a district, a user."""
    path = tmp_path / "province.db"
    engine = make_engine(str(path))
    upgrade(engine)
    with session(engine) as s:
        s.add(Center(code="ISF", number=131, name_fa="اصفهان", name_en="Isfahan"))
        najaf = Center(code="NJF", number=132, name_fa="نجف‌آباد", name_en="Najafabad")
        s.add(najaf)
        s.flush()
        s.add(District(center_id=najaf.id, code="D1", name_fa="منطقه ۱", name_en="District 1"))
        accounts.add_agent(
            s, actor=None, username="maryam", full_name="مریم", password="desk-pass-1",
            roles=["agent"], center_code="NJF",
        )  # fmt: skip
    engine.dispose()
    return path


def users(path) -> list[str]:
    engine = make_engine(str(path))
    with session(engine, write=False) as s:
        names = sorted(s.exec(select(Agent.username)))
    engine.dispose()
    return names


def test_a_new_computer_syncs_its_center_then_finds_nothing_more(province, tmp_path):
    center = tmp_path / "najaf.db"
    first = run("--db", str(center), "sync", "--to", str(province), "--center", "NJF")
    assert first.exit_code == 0, first.stderr
    assert "Center NJF synced with the province." in first.stdout
    assert "Received: 3 records, 3 changed here." in first.stdout
    assert users(center) == ["maryam"]

    again = run("sync", "--db", str(center), "--to", str(province))
    assert again.exit_code == 0, again.stderr
    assert "Received: 0 records, 0 changed here." in again.stdout
    assert "Sent: 0 records, 0 changed at the province." in again.stdout

    fa = run("--db", str(center), "sync", "--to", str(province), lang="fa")
    assert fa.exit_code == 0, fa.stderr
    assert "با استان" in fa.stdout and "NJF" in fa.stdout


def test_sync_without_a_province_says_how(tmp_path):
    result = run("--db", str(tmp_path / "c.db"), "sync")
    assert result.exit_code == 2
    assert "--to URL" in result.stderr and "sync export" in result.stderr


def test_a_bundle_carried_both_ways_and_imported_twice(province, tmp_path):
    center = tmp_path / "najaf.db"
    down = tmp_path / "for-najaf.zip"
    made = run("--db", str(province), "sync", "export", str(down), "--for", "NJF")
    assert made.exit_code == 0, made.stderr
    assert "Bundle written" in made.stdout and "center NJF" in made.stdout

    applied = run("--db", str(center), "sync", "import", str(down))
    assert applied.exit_code == 0, applied.stderr
    assert "Bundle applied: 3 records for center NJF, 3 changed here." in applied.stdout
    assert users(center) == ["maryam"]
    twice = run("--db", str(center), "sync", "import", str(down))
    assert "This bundle was applied before; nothing changed." in twice.stdout

    up = tmp_path / "for-province.zip"
    back = run("--db", str(center), "sync", "export", str(up))
    assert back.exit_code == 0, back.stderr
    assert run("--db", str(province), "sync", "import", str(up)).exit_code == 0


def _cut_short(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _changed(path):
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    members["rows.jsonl"] = members["rows.jsonl"].replace(b"maryam", b"marya2")
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


@pytest.mark.parametrize(
    "damage, in_english, in_persian",
    [
        (_cut_short, "cut short", "ناقص"),
        (_changed, "was changed, or signed with another key", "دست خورده"),
    ],
)
def test_a_damaged_bundle_is_refused_in_one_line(
    province, tmp_path, damage, in_english, in_persian
):
    bundle = tmp_path / "for-najaf.zip"
    made = run("--db", str(province), "sync", "export", str(bundle), "--for", "NJF")
    assert made.exit_code == 0, made.stderr
    damage(bundle)
    center = tmp_path / "najaf.db"
    for lang, words in (("en", in_english), ("fa", in_persian)):
        result = run("--db", str(center), "sync", "import", str(bundle), lang=lang)
        assert result.exit_code == 1
        assert words in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert users(center) == []


def test_no_key_no_bundle(province, tmp_path, monkeypatch):
    monkeypatch.delenv("ABFA_DESK_SYNC_KEY")
    result = run("--db", str(province), "sync", "export", str(tmp_path / "x.zip"), "--for", "NJF")
    assert result.exit_code == 1
    assert "ABFA_DESK_SYNC_KEY" in result.stderr
    assert not (tmp_path / "x.zip").exists()


def test_a_province_at_another_schema_is_named_with_both_revisions(tmp_path):
    old = tmp_path / "old-province.db"
    engine = make_engine(str(old))
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    engine.dispose()
    result = run("--db", str(tmp_path / "najaf.db"), "sync", "--to", str(old), "--center", "NJF")
    assert result.exit_code == 1
    assert "The province's database is at schema 0002" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_progress_stage_has_words():
    set_language("fa")
    for direction in STAGES:
        assert stage_label(f"{direction}:scan")
        for table in TABLE_NAMES:
            label = stage_label(f"{direction}:{table}")
            assert table not in label


def test_an_unreachable_province_is_one_line(tmp_path):
    result = run(
        "--db", str(tmp_path / "najaf.db"), "sync", "--to", "postgresql://nobody@127.0.0.1:1/abfa"
    )
    assert result.exit_code == 1
    assert "Cannot reach the province's database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
