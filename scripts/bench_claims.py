"""PostgreSQL claims: 1, 4 and 16 processes taking requests from one queue until it is empty.

A scratch database (``abfa_bench_<hex>`` on the server of ``ABFA_DESK_TEST_PG_URL``, else
postgresql://postgres@127.0.0.1:5432/test; bench_common.scratch_pg_database) is migrated and
given a small demo center, then a queue of ``requests`` requests registered through
``db.intake.register_request``, as the desk registers them. Each follow-up agent is its own
process with its own engine; all start together at a barrier and call
``db.followup.claim_next`` until it answers None.

A double claim is a request two claims returned (to the same agent or to two), or a request
whose ``claimed_by_id`` is not the agent whose claim returned it; the database is checked after
each run, and the claims released before the next. The scratch database is dropped at the end.
"""

import multiprocessing as mp
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench_common import Figure, fmt, log, median, scratch_pg_database

AGENTS = 16
CATEGORIES = ("pipe_burst", "branch_leak", "low_pressure", "sewer_blockage", "street_water")


def _fill(url: str, requests: int) -> int:
    """Demo reference data, the claimers' accounts, then ``requests`` registered requests."""
    import sqlalchemy as sa
    from argon2 import PasswordHasher
    from sqlmodel import select

    from db import accounts, intake
    from db.demo import build_demo
    from db.engine import make_engine, session
    from db.models import Agent, Category, Channel, Subscriber, SubscriberPhone

    engine = make_engine(url)
    now = datetime.now(UTC).replace(microsecond=0)
    build_demo(engine, subscribers=200, calls=2000, now=now.replace(minute=0, second=0))
    # argon2's real cost protects passwords, not a benchmark's sixteen throwaway accounts.
    real = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        with session(engine) as s:
            for i in range(AGENTS):
                accounts.add_agent(
                    s,
                    actor=None,
                    username=f"bench{i:02d}",
                    full_name=f"Bench {i:02d}",
                    password="bench-password",
                    roles=["followup"],
                )
    finally:
        accounts._hasher = real
    with session(engine, write=False) as s:
        desk = accounts._view(s, s.exec(select(Agent).where(Agent.username == "agent1")).one())
        categories = [
            s.exec(select(Category.id).where(Category.code == code)).one() for code in CATEGORIES
        ]
        callers = s.exec(
            select(Subscriber.id, SubscriberPhone.phone, Subscriber.address)
            .join(SubscriberPhone, SubscriberPhone.subscriber_id == Subscriber.id)
            .limit(100)
        ).all()
    for i in range(requests):
        subscriber_id, phone, address = callers[i % len(callers)]
        started = now - timedelta(minutes=5 + (i * 7) % 600)
        with session(engine) as s:
            intake.register_request(
                s,
                actor=desk,
                phone=phone,
                subscriber_id=subscriber_id,
                category_id=categories[i % len(categories)],
                channel=Channel.PHONE_122,
                address=address or "خیابان چهارباغ",
                started_at=started,
                ended_at=started + timedelta(minutes=2),
            )
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE tickets SET claimed_by_id = NULL, claimed_until = NULL"))
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return requests


def _claimer(url: str, username: str, barrier: Any, results: Any) -> None:
    from sqlmodel import select

    from db.accounts import _view
    from db.engine import make_engine, session
    from db.followup import claim_next
    from db.models import Agent

    engine = make_engine(url)
    with session(engine, write=False) as s:
        actor = _view(s, s.exec(select(Agent).where(Agent.username == username)).one())
    barrier.wait()
    began = time.monotonic()
    taken: list[str] = []
    durations: list[float] = []
    while True:
        start = time.monotonic()
        with session(engine) as s:
            view = claim_next(s, actor=actor)
        if view is None:
            break
        durations.append(time.monotonic() - start)
        taken.append(str(view.id))
    results.put((username, str(actor.id), began, time.monotonic(), taken, durations))
    engine.dispose()


def _run(url: str, processes: int) -> dict[str, Any]:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE tickets SET claimed_by_id = NULL, claimed_until = NULL"))
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_claimer, args=(url, f"bench{i:02d}", barrier, results))
        for i in range(processes)
    ]
    for w in workers:
        w.start()
    got = [results.get(timeout=600) for _ in workers]
    for w in workers:
        w.join()
    claims = [(agent_id, t) for _u, agent_id, _b, _e, taken, _d in got for t in taken]
    seconds = max(g[3] for g in got) - min(g[2] for g in got)
    # One agent's claims in order: does a claim cost more once many requests are held?
    durations = max((g[5] for g in got), key=len)
    tenth = max(1, len(durations) // 10)
    unique = {t for _a, t in claims}
    with engine.connect() as connection:
        holders = dict(
            connection.execute(
                sa.text("SELECT id, claimed_by_id FROM tickets WHERE claimed_by_id IS NOT NULL")
            ).all()
        )
    wrong_holder = sum(1 for a, t in claims if str(holders.get(uuid.UUID(t))) != a)
    engine.dispose()
    return {
        "processes": processes,
        "claims": len(claims),
        "seconds": seconds,
        "claims_per_s": len(claims) / seconds if seconds else float("nan"),
        "double_claims": len(claims) - len(unique) + wrong_holder,
        "per_process": sorted(len(g[4]) for g in got),
        "first_tenth_ms": median(durations[:tenth]) * 1000,
        "last_tenth_ms": median(durations[-tenth:]) * 1000,
    }


def measure(requests: int, counts: tuple[int, ...] = (1, 4, 16)) -> tuple[list[Figure], dict]:
    runs = []
    with scratch_pg_database() as url:
        log(f"claims: filling a scratch database with {requests:,} registered requests")
        _fill(url, requests)
        for n in counts:
            runs.append(_run(url, n))
            log(f"claims: {n} processes done")
    figures = [
        Figure(
            "claims",
            f"PostgreSQL, {r['processes']} process{'es' if r['processes'] > 1 else ''}",
            f"{r['claims']:,} claims in {fmt(r['seconds'], 1)} s = {fmt(r['claims_per_s'])}/s; "
            f"double claims {r['double_claims']}; one claim {fmt(r['first_tenth_ms'])} ms at "
            f"first, {fmt(r['last_tenth_ms'])} ms in the last tenth",
            "double claims = 0",
            r["double_claims"] == 0,
            r,
        )
        for r in runs
    ]
    return figures, {"claims": runs, "queue": requests}
