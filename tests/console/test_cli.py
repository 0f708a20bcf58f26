"""The abfa-desk command: every command works, and bad input is one clear line and exit != 0."""

import pytest
from typer.testing import CliRunner

from console.cli import app
from console.i18n import set_language
from db.migrate import head_revision

runner = CliRunner()


@pytest.fixture(autouse=True)
def english(monkeypatch, tmp_path):
    monkeypatch.setenv("ABFA_DESK_SETTINGS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ABFA_DESK_DB", raising=False)
    yield
    set_language("en")


def run(*args: str, stdin: str | None = None):
    return runner.invoke(app, ["--lang", "en", *args], input=stdin)


@pytest.fixture
def desk_db(tmp_path) -> str:
    """A migrated SQLite file with one center."""
    from db.engine import make_engine, session
    from db.migrate import upgrade
    from db.models import Center

    path = tmp_path / "desk.db"
    engine = make_engine(str(path))
    upgrade(engine)
    with session(engine) as s:
        s.add(Center(code="ISF", number=131, name_fa="اصفهان", name_en="Isfahan"))
    engine.dispose()
    return str(path)


def test_db_upgrade_then_status(tmp_path):
    url = str(tmp_path / "new.db")
    behind = run("db", "status", "--db", url)
    assert behind.exit_code == 1
    assert "db upgrade" in behind.stderr
    assert run("db", "upgrade", "--db", url).exit_code == 0
    current = run("db", "status", "--db", url)
    assert current.exit_code == 0
    assert head_revision() in current.stdout


def test_user_add_list_passwd(desk_db):
    added = run(
        "user",
        "add",
        "Maryam",
        "--role",
        "agent,followup",
        "--full-name",
        "مریم",
        "--db",
        desk_db,
        stdin="first-password\n",
    )
    assert added.exit_code == 0, added.stderr
    listed = run("user", "list", "--db", desk_db)
    assert "maryam" in listed.stdout
    assert "agent, followup" in listed.stdout
    changed = run("user", "passwd", "maryam", "--db", desk_db, stdin="second-password\n")
    assert changed.exit_code == 0, changed.stderr

    from db.accounts import sign_in
    from db.engine import make_engine, session

    with session(make_engine(desk_db)) as s:
        assert sign_in(s, username="maryam", password="second-password").full_name == "مریم"


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (["user", "add", "x", "--role", "pilot"], "long-enough-1\n", "Unknown role pilot"),
        (["user", "add", "x", "--role", "agent"], "short\n", "at least 8 characters"),
        (["user", "add", "bad name", "--role", "agent"], "long-enough-1\n", "Username"),
        (["user", "add", "x", "--role", "agent", "--center", "NOPE"], "long-enough-1\n", "NOPE"),
        (["user", "passwd", "ghost"], "long-enough-1\n", "No user named ghost"),
    ],
)
def test_bad_user_input_is_one_clear_line(desk_db, args, stdin, needle):
    result = run(*args, "--db", desk_db, stdin=stdin)
    assert result.exit_code == 1
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # one message, maybe soft-wrapped


def test_duplicate_user_is_refused(desk_db):
    assert (
        run(
            "user", "add", "ali", "--role", "agent", "--db", desk_db, stdin="long-enough-1\n"
        ).exit_code
        == 0
    )
    again = run("user", "add", "ali", "--role", "agent", "--db", desk_db, stdin="long-enough-1\n")
    assert again.exit_code == 1
    assert "already exists" in again.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["db", "status", "--db", "mysql://root@localhost/x"], "unsupported database"),
        (["db", "status", "--db", "postgresql://nobody@127.0.0.1:1/x"], "cannot reach"),
        (["user", "list", "--db", "postgresql://nobody@127.0.0.1:1/x"], "cannot reach"),
    ],
)
def test_unusable_database_is_one_line_with_the_fix(args, needle):
    result = run(*args)
    assert result.exit_code == 1
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_un_migrated_shared_database_names_the_fix(tmp_path):
    result = run("user", "list", "--db", str(tmp_path / "empty.db"))
    assert result.exit_code == 1
    assert "abfa-desk db upgrade" in result.stderr


def test_bad_language_is_a_usage_error():
    result = runner.invoke(app, ["--lang", "de", "db", "status"])
    assert result.exit_code == 2
    assert "lang" in result.stderr


def test_console_refuses_a_database_without_users(desk_db):
    result = run("--db", desk_db)
    assert result.exit_code == 1
    assert "abfa-desk demo" in result.stderr


def test_messages_follow_the_language(desk_db):
    result = runner.invoke(
        app, ["--lang", "fa", "user", "passwd", "ghost", "--db", desk_db], input="long-enough-1\n"
    )
    assert result.exit_code == 1
    assert "ghost" in result.stderr
    assert "No user named" not in result.stderr


def test_demo_builds_then_reuses(tmp_path):
    url = str(tmp_path / "demo.db")
    built = run("demo", "--db", url, "--subscribers", "60", "--calls", "400", "--no-open")
    assert built.exit_code == 0, built.stderr
    assert "Demo database ready" in built.stdout
    assert "demo-admin" in built.stdout  # the printed demo passwords
    kept = run("demo", "--db", url, "--reuse", "--no-open")
    assert kept.exit_code == 0, kept.stderr
    assert "already there" in kept.stdout
    listed = run("user", "list", "--db", url)
    assert "supervisor" in listed.stdout


def test_demo_refuses_bad_sizes(tmp_path):
    result = run("demo", "--db", str(tmp_path / "d.db"), "--calls", "-5", "--no-open")
    assert result.exit_code == 2
    assert "calls" in result.stderr
