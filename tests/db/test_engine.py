"""What people type as --db becomes a working URL; SQLite gets the pragmas we rely on."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from db.engine import DatabaseError, make_engine, normalize_url, session
from db.models import AuditEntry


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("postgresql://desk@db.example/abfa", "postgresql+psycopg://desk@db.example/abfa"),
        ("postgres://desk@db/abfa", "postgresql+psycopg://desk@db/abfa"),
        ("sqlite:////var/lib/desk.db", "sqlite:////var/lib/desk.db"),
    ],
)
def test_typed_urls_are_normalised(typed, expected):
    assert normalize_url(typed) == expected


def test_bare_path_is_an_absolute_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert normalize_url("desk.db") == f"sqlite:///{tmp_path / 'desk.db'}"


@pytest.mark.parametrize("typed", ["", "mysql://root@localhost/x", "   "])
def test_unusable_urls_are_refused_clearly(typed):
    with pytest.raises(DatabaseError):
        normalize_url(typed)


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    engine = make_engine(str(tmp_path / "p.db"))
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_times_come_back_aware_in_utc(engine):
    tehran = timezone(timedelta(hours=3, minutes=30))
    at = datetime(2026, 11, 27, 14, 30, tzinfo=tehran)
    with session(engine) as s:
        s.add(AuditEntry(at=at, action="test"))
    with session(engine) as s:
        stored = s.exec(select(AuditEntry)).one().at
    assert stored.tzinfo is not None
    assert stored == at
    assert stored.utcoffset() == timedelta(0)
    assert stored.astimezone(UTC).hour == 11


def test_naive_times_are_refused(engine):
    with pytest.raises(sa.exc.StatementError), session(engine) as s:
        s.add(AuditEntry(at=datetime(2026, 1, 1), action="test"))


def test_session_rolls_back_on_error(engine):
    with pytest.raises(RuntimeError), session(engine) as s:
        s.add(AuditEntry(action="half-written"))
        s.flush()
        raise RuntimeError("crash")
    with session(engine) as s:
        assert s.exec(select(AuditEntry)).all() == []


def test_concurrent_read_then_write_transactions_wait_instead_of_failing(tmp_path):
    """Two desks that each read, then write, on one SQLite file: both succeed, in turn.

    With deferred transactions the first desk, having read before the second one committed,
    would fail at its write with "database is locked" at once, busy timeout or not.
    """
    import threading
    import time

    from db.migrate import upgrade

    engine = make_engine(str(tmp_path / "busy.db"))
    upgrade(engine)
    first_has_read = threading.Event()
    errors: list[BaseException] = []

    def first_desk() -> None:
        try:
            with session(engine) as s:
                s.exec(select(AuditEntry)).all()
                first_has_read.set()
                time.sleep(0.3)  # the caller talks; the other desk tries to save meanwhile
                s.add(AuditEntry(action="first"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    def second_desk() -> None:
        first_has_read.wait(timeout=5)
        try:
            with session(engine) as s:
                s.exec(select(AuditEntry)).all()
                s.add(AuditEntry(action="second"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_desk), threading.Thread(target=second_desk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session(engine, write=False) as s:
        assert sorted(s.exec(select(AuditEntry.action)).all()) == ["first", "second"]
