"""`build_demo`: migrate, wipe, then plan and write the demo part by part.

The parts are planned in plain Python and written one transaction per stage: the reference
data (city, catalog, staff, questionnaire, notice templates), the subscribers, then the
incidents, calls and requests, which are planned together because a call and its request
refer to each other, and written in three transactions, followed by the feedback and notices.
A million calls take about two minutes on either engine (2 cores).
"""

import gc
import time as clock
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db.demo.bulk import insert, transaction, wipe
from db.demo.calls import CallPlan, plan_calls, write_calls
from db.demo.catalog import Catalog, plan_catalog, write_catalog
from db.demo.city import DEMO_CENTER_CODE, City, plan_city, write_city
from db.demo.context import Demo, Progress, ReferenceIds
from db.demo.feedback import plan_questionnaire, write_feedback, write_questionnaire
from db.demo.incidents import plan_incidents, write_incidents
from db.demo.notices import plan_templates, write_notices, write_templates
from db.demo.people import Subscribers, plan_subscribers, write_subscribers
from db.demo.staff import Staff, demo_accounts, plan_staff, write_staff
from db.demo.story import tell_stories
from db.demo.tickets import TicketPlan, assign_tracking_years, open_tickets, write_tickets
from db.migrate import upgrade
from db.models import CenterSetting, metadata


@dataclass(frozen=True)
class DemoSummary:
    """What `build_demo` made: rows per table, the accounts to sign in with, where."""

    url: str
    seed: int
    now: datetime
    center_code: str
    counts: Mapping[str, int]
    # (username, roles, plaintext demo password)
    accounts: list[tuple[str, tuple[str, ...], str]]
    seconds: float


def build_demo(
    engine: Engine,
    *,
    seed: int = 1405,
    subscribers: int = 2000,
    calls: int = 20000,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Create or refresh the demo data of the Isfahan center in ``engine``'s database.

    Migrates the schema, deletes every row of every table (refusing if the database holds a
    center other than the demo's), then builds everything from (seed, now). ``now`` defaults
    to the current hour. ``progress(stage, done, total)`` is called as work advances.
    """
    if subscribers < 1 or calls < 0:
        raise ValueError("subscribers must be at least 1 and calls at least 0")
    began = clock.perf_counter()
    report = progress or (lambda _stage, _done, _total: None)
    now = _normalise_now(now)
    report("schema", 0, 1)
    upgrade(engine)
    report("schema", 1, 1)
    with _gc_paused():
        _build(engine, Demo(seed, now, subscribers, calls, report))
    with engine.connect() as conn:
        counts = {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }
    return DemoSummary(
        url=engine.url.render_as_string(hide_password=True),
        seed=seed,
        now=now,
        center_code=DEMO_CENTER_CODE,
        counts=counts,
        accounts=demo_accounts(),
        seconds=clock.perf_counter() - began,
    )


def _normalise_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Millions of small rows trip the cyclic GC over and over; none of them form cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(engine: Engine, demo: Demo) -> None:
    demo.report("reference data", 0, 1)
    ids = ReferenceIds(demo)
    # The reference ids are drawn in this order.
    city = plan_city(ids)
    catalog = plan_catalog(ids)
    staff = plan_staff(ids)
    questionnaire = plan_questionnaire(ids)
    templates = plan_templates(ids)
    wipe(engine, demo_center=DEMO_CENTER_CODE)
    with transaction(engine) as s:
        write_city(s, city)
        write_catalog(s, city, catalog)
        # The audit entries' ids come after every reference id, from the same stream.
        write_staff(s, city, staff, ids.rng)
        write_questionnaire(s, city, questionnaire)
        write_templates(s, city, templates)
    demo.report("reference data", 1, 1)

    subscribers = _subscribers(engine, demo, city)

    incidents = plan_incidents(demo, city, staff)
    calls = plan_calls(demo, catalog, staff, subscribers, incidents)
    tickets = _plan_tickets(demo, city, catalog, staff, subscribers, calls)
    with transaction(engine) as s:
        write_incidents(s, demo, city, staff, incidents)
        write_tickets(
            s,
            demo,
            tickets,
            city=city,
            catalog=catalog,
            staff=staff,
            subscribers=subscribers,
            incidents=incidents,
        )
    ticket_ids = [t.id for t in tickets]
    with transaction(engine) as s:
        write_calls(
            s,
            demo,
            calls,
            city=city,
            catalog=catalog,
            staff=staff,
            subscribers=subscribers,
            incidents=incidents,
            ticket_ids=ticket_ids,
        )
    with transaction(engine) as s:
        write_feedback(
            s,
            demo,
            [cb for t in tickets for cb in t.callbacks],
            city=city,
            staff=staff,
            subscribers=subscribers,
            questionnaire=questionnaire,
            ticket_ids=ticket_ids,
        )
        write_notices(
            s,
            demo,
            city=city,
            staff=staff,
            subscribers=subscribers,
            incidents=incidents,
            tickets=tickets,
            templates=templates,
        )
        insert(s, CenterSetting, [_demo_setting(demo, city)])


def _subscribers(engine: Engine, demo: Demo, city: City) -> Subscribers:
    """Plan and write the subscribers; their rows are dropped once written."""
    subscribers, rows = plan_subscribers(demo, city)
    with transaction(engine) as s:
        write_subscribers(s, demo, city, subscribers, rows)
    return subscribers


def _plan_tickets(
    demo: Demo,
    city: City,
    catalog: Catalog,
    staff: Staff,
    subscribers: Subscribers,
    calls: list[CallPlan],
) -> list[TicketPlan]:
    # One stream: which calls opened requests, then the story of each.
    rng = demo.rng("tickets")
    tickets = open_tickets(rng, city, catalog, subscribers, calls)
    demo.report("planning requests", 0, len(tickets))
    tell_stories(rng, demo.now_ts, tickets, city=city, catalog=catalog, staff=staff, calls=calls)
    assign_tracking_years(tickets)
    demo.report("planning requests", len(tickets), len(tickets))
    return tickets


def _demo_setting(demo: Demo, city: City) -> dict[str, Any]:
    """How this demo was built, kept with the center's settings for whoever looks later."""
    return dict(
        center_id=city.center_id,
        key="demo",
        value={
            "seed": demo.seed,
            "now": demo.now.isoformat(),
            "subscribers": demo.subscribers,
            "calls": demo.calls,
            "holidays": "demo list of 1405 (lunar dates approximate), see db.catalog_seed",
        },
        updated_at=demo.now,
    )
