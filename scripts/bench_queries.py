"""The queries behind each screen, timed against their floor: the same SQL on the same connection.

:data:`SCREEN_QUERIES` is what a screen asks ``db/`` for when it opens (tests/db/
test_query_plans.py EXPLAINs the very same list). Each is timed three ways, interleaved:

- **db**: the ``db/`` function in a session on one open connection (a BEGIN, the statements,
  building the frozen views, a ROLLBACK), as a screen's worker runs it;
- **floor**: the statements that call sent, captured with SQLAlchemy's ``before_cursor_execute``
  event (already compiled, with their bound parameters), replayed on the DBAPI cursor of the same
  connection inside BEGIN/ROLLBACK, every row fetched. So db / floor is what the ORM and the view
  building add on top of the database's own work, and big / small is what the data's size adds.

This module imports nothing from the rest of scripts/ at import time, so a test can load it by
its path.
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from db import followup, intake, reports, wallboard
from db.accounts import AgentView, _view
from db.followup.views import QueueCursor
from db.jalali import TEHRAN
from db.models import Agent, Call, Subscriber, TicketEvent

#: The queue screen's page (console/screens/queue.py QueuePanel.page_size).
QUEUE_PAGE = 15
#: How deep "a deep page" goes, when the queue is that long.
DEEP_PAGE = 20
#: Tables whose rows grow with the calls: a plan must not scan them.
BIG_TABLES = ("calls", "tickets", "ticket_events", "subscribers", "subscriber_phones", "callbacks")


@dataclass(frozen=True)
class Inputs:
    """What the queries are asked, chosen the same way in every database."""

    actor: AgentView
    now: datetime
    phone: str
    """The number of the last caller who is a subscriber: a repeat caller, with history."""
    name: str
    """The first four letters of that subscriber's name, as an agent types them."""
    ticket_id: uuid.UUID
    """The most urgent request of the queue: the one an agent opens first."""
    deep_cursor: QueueCursor | None
    deep_page: int
    month: reports.Period
    """The last whole Jalali month before the demo's clock."""


@dataclass(frozen=True)
class ScreenQuery:
    name: str
    screen: str
    agent_opens: bool
    """Opened by an agent at work (goal big/small <= 1.5), or a report (under a second)."""
    call: Callable[[Session, Inputs], Any]


def _report(name: str) -> Callable[[Session, Inputs], Any]:
    def call(s: Session, i: Inputs) -> Any:
        scope = reports.open_scope(s, actor=i.actor, period=i.month, now=i.now)
        return reports.run_report(s, name, scope)

    return call


SCREEN_QUERIES: tuple[ScreenQuery, ...] = (
    ScreenQuery(
        "caller lookup (phone)", "intake", True,
        lambda s, i: intake.lookup_caller(s, actor=i.actor, query=i.phone, now=i.now),
    ),
    ScreenQuery(
        "caller lookup (name)", "intake", True,
        lambda s, i: intake.lookup_caller(s, actor=i.actor, query=i.name, now=i.now),
    ),
    ScreenQuery(
        "queue, first page", "follow-up", True,
        lambda s, i: followup.list_queue(s, actor=i.actor, limit=QUEUE_PAGE, now=i.now),
    ),
    ScreenQuery(
        "queue, deep page", "follow-up", True,
        lambda s, i: followup.list_queue(
            s, actor=i.actor, after=i.deep_cursor, limit=QUEUE_PAGE, now=i.now
        ),
    ),
    ScreenQuery(
        "request timeline", "request", True,
        lambda s, i: followup.request_detail(s, actor=i.actor, ticket_id=i.ticket_id, now=i.now),
    ),
    ScreenQuery(
        "wallboard counts", "wallboard", True,
        lambda s, i: wallboard.wallboard_counts(s, actor=i.actor, now=i.now),
    ),
    ScreenQuery("report: calls by channel, a month", "reports", False, _report("calls_by_channel")),
    ScreenQuery("report: SLA by unit, a month", "reports", False, _report("sla_by_unit")),
)  # fmt: skip


def previous_month(now: datetime) -> reports.Period:
    this = reports.month_of(now)
    noon = datetime.combine(this.first_day - timedelta(days=1), clock_time(12), tzinfo=TEHRAN)
    return reports.month_of(noon)


def screen_inputs(session: Session, now: datetime, username: str = "supervisor") -> Inputs:
    """The inputs of :data:`SCREEN_QUERIES` in this database (the supervisor may do them all)."""
    agent = session.exec(select(Agent).where(Agent.username == username)).one()
    actor = _view(session, agent)
    subscriber_id, phone = session.exec(
        select(Call.subscriber_id, Call.phone)
        .where(
            Call.center_id == actor.center_id,
            col(Call.subscriber_id).is_not(None),
            col(Call.phone).is_not(None),
            col(Call.started_at) <= now,
        )
        .order_by(col(Call.started_at).desc())
        .limit(1)
    ).one()
    name = session.exec(select(Subscriber.name).where(Subscriber.id == subscriber_id)).one()
    first = followup.list_queue(session, actor=actor, limit=QUEUE_PAGE, now=now)
    # The open request with the longest history among the most urgent page: a fuller timeline.
    events = {
        ticket_id: n
        for ticket_id, n in session.execute(
            sa.select(TicketEvent.ticket_id, sa.func.count())
            .where(col(TicketEvent.ticket_id).in_([r.id for r in first.rows]))
            .group_by(TicketEvent.ticket_id)
        ).all()
    }
    ticket_id = max(first.rows, key=lambda r: (events.get(r.id, 0), r.id)).id
    cursor, page = None, 1
    while page < DEEP_PAGE:
        at = followup.list_queue(session, actor=actor, after=cursor, limit=QUEUE_PAGE, now=now)
        if at.next_cursor is None:
            break
        cursor, page = at.next_cursor, page + 1
    return Inputs(
        actor=actor,
        now=now,
        phone=phone,
        name=name.replace(" ", "")[:4],
        ticket_id=ticket_id,
        deep_cursor=cursor,
        deep_page=page,
        month=previous_month(now),
    )


Statement = tuple[str, Any]


def capture(connection: Connection, query: ScreenQuery, inputs: Inputs) -> list[Statement]:
    """The statements ``query`` sends, with their bound parameters, as the driver gets them."""
    sent: list[Statement] = []

    def listen(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", listen)
    try:
        run_db(connection, query, inputs)
    finally:
        event.remove(connection, "before_cursor_execute", listen)
    return [(s, p) for s, p in sent if s.strip().upper() not in ("BEGIN", "ROLLBACK", "COMMIT")]


def run_db(connection: Connection, query: ScreenQuery, inputs: Inputs) -> Any:
    with Session(bind=connection, expire_on_commit=False) as s:
        return query.call(s, inputs)  # the session's transaction is rolled back on close


def run_floor(connection: Connection, statements: list[Statement]) -> None:
    raw = connection.connection.driver_connection
    sqlite = connection.dialect.name == "sqlite"
    cursor = raw.cursor()
    try:
        if sqlite:
            cursor.execute("BEGIN")
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        if sqlite:
            cursor.execute("ROLLBACK")
        else:
            raw.rollback()
    finally:
        cursor.close()


def timed(fn: Callable[[], Any]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def sqlite_plan_problems(connection: Connection, statements: list[Statement]) -> list[str]:
    """Each ``SCAN`` of a table that grows with the calls, in SQLite's plans of ``statements``."""
    problems = []
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        for row in rows:
            detail = row[-1]
            for table in BIG_TABLES:
                if detail.startswith(f"SCAN {table}") and not detail.startswith(f"SCAN {table}_"):
                    problems.append(detail)
    return problems


# --- the benchmark ------------------------------------------------------------------------------


@dataclass
class _Setup:
    demo: Any
    engine: Engine
    connection: Connection
    inputs: Inputs
    statements: dict[str, list[Statement]]
    problems: dict[str, list[str]]


def _setup(demo: Any) -> _Setup:
    from db.engine import make_engine

    engine = make_engine(demo.url)
    connection = engine.connect()
    with Session(bind=connection) as s:
        inputs = screen_inputs(s, demo.now)
    statements, problems = {}, {}
    for query in SCREEN_QUERIES:
        run_db(connection, query, inputs)  # warm the caches once
        statements[query.name] = capture(connection, query, inputs)
        # PostgreSQL's plans are checked by tests/db/test_query_plans.py (they depend on its
        # statistics); SQLite's here, on the very data that is timed.
        problems[query.name] = (
            sqlite_plan_problems(connection, statements[query.name])
            if connection.dialect.name == "sqlite"
            else []
        )
    connection.rollback()
    return _Setup(demo, engine, connection, inputs, statements, problems)


@dataclass(frozen=True)
class PgDemo:
    """The small demo built again on a scratch PostgreSQL database, for the same queries."""

    calls: int
    url: str
    now: datetime

    @property
    def label(self) -> str:
        return f"PostgreSQL {self.calls:,}"


def measure_pg(demo: Any, repeats: int) -> tuple[list[Any], dict]:
    """The same queries on PostgreSQL (over TCP on this machine: each statement a round trip),
    on a demo of ``demo``'s size, seed and clock; the database is dropped afterwards."""
    from bench_common import log, scratch_pg_database

    from db.demo import build_demo
    from db.engine import make_engine

    with scratch_pg_database() as url:
        log(f"queries: building the {demo.label}-call demo on PostgreSQL")
        engine = make_engine(url)
        build_demo(engine, seed=1405, subscribers=2000, calls=demo.calls, now=demo.now)
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        engine.dispose()
        return measure([PgDemo(demo.calls, url, demo.now)], repeats, section="queries (pg)")


def measure(demos: list[Any], repeats: int, section: str = "queries") -> tuple[list[Any], dict]:
    """Every screen query at every size, db and floor interleaved, ``repeats`` times each."""
    from bench_common import Figure, fmt, median, ms, ratio

    setups = [_setup(demo) for demo in demos]
    db_s: dict[tuple[int, str], list[float]] = {}
    floor_s: dict[tuple[int, str], list[float]] = {}
    for r in range(repeats):
        for setup in setups if r % 2 == 0 else reversed(setups):
            for query in SCREEN_QUERIES:
                key = (setup.demo.calls, query.name)
                statements = setup.statements[query.name]
                pair = [
                    (db_s, lambda q=query, c=setup.connection, i=setup.inputs: run_db(c, q, i)),
                    (floor_s, lambda c=setup.connection, st=statements: run_floor(c, st)),
                ]
                for into, fn in pair if r % 2 == 0 else reversed(pair):
                    into.setdefault(key, []).append(timed(fn))
    figures, raw = [], {}
    small, big = setups[0], setups[-1]
    for query in SCREEN_QUERIES:
        v: dict[str, Any] = {}
        parts, missed = [], []
        for setup in setups:
            key = (setup.demo.calls, query.name)
            db_ms, floor_ms = ms(median(db_s[key])), ms(median(floor_s[key]))
            over = ratio(db_ms, floor_ms)
            v[setup.demo.label] = {
                "db_ms": db_ms,
                "floor_ms": floor_ms,
                "db_over_floor": over,
                "statements": len(setup.statements[query.name]),
                "plan_problems": setup.problems[query.name],
                "samples_db_ms": [ms(x) for x in db_s[key]],
                "samples_floor_ms": [ms(x) for x in floor_s[key]],
            }
            parts.append(
                f"{setup.demo.label}: {fmt(db_ms)} ms, floor {fmt(floor_ms, 2)} ms "
                f"({fmt(over, 1)}x)"
            )
            if over > 2.0:
                missed.append(f"{fmt(over, 1)}x floor at {setup.demo.label}")
            if setup.problems[query.name]:
                missed.append(f"SCAN in plan at {setup.demo.label}")
        goal = "<= 2x floor, indexed"
        if big is not small:
            growth = ratio(v[big.demo.label]["db_ms"], v[small.demo.label]["db_ms"])
            v["big_over_small"] = growth
            parts.append(f"big/small {fmt(growth, 2)}")
            if query.agent_opens:
                goal += "; big/small <= 1.5"
                if growth > 1.5:
                    missed.append("big/small")
            else:
                goal += "; < 1 s"
                if v[big.demo.label]["db_ms"] >= 1000:
                    missed.append("1 s")
        v["missed"] = missed
        figure = "; ".join(parts) + (f" [missed: {', '.join(missed)}]" if missed else "")
        figures.append(Figure(section, query.name, figure, goal, not missed, v))
        raw[query.name] = v
    details = {
        setup.demo.label: {
            "deep_page": setup.inputs.deep_page,
            "month": f"{setup.inputs.month.first_day} .. {setup.inputs.month.last_day}",
            "statements": {k: [s for s, _ in st] for k, st in setup.statements.items()},
        }
        for setup in setups
    }
    for setup in setups:
        setup.connection.close()
        setup.engine.dispose()
    return figures, {"queries": raw, "inputs": details}
