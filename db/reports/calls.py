"""Figures about calls (contacts on every channel) started in the period.

A call counts in a period when it started in it (``start <= started_at < end``), read through
the ``(center_id, started_at)`` index. Each figure is one aggregate statement; a total row adds
up the few grouped rows.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from db.models import Call, CallOutcome, Category, Channel, District, Subscriber, Ticket
from db.reports.sql import (
    count_if,
    dialect,
    plus_days,
    seconds_between,
    share,
    tehran_hour,
    with_names,
)
from db.reports.views import CODE, COUNT, HOUR, SECONDS, SHARE, TEXT, Figure, Scope, group_key

__all__ = [
    "FCR_WINDOW_DAYS",
    "AnsweredShare",
    "CategoryCalls",
    "ChannelCalls",
    "DistrictCalls",
    "FirstContact",
    "HandleTime",
    "HourCalls",
    "aht",
    "answered_without_request",
    "calls_by_category",
    "calls_by_channel",
    "calls_by_district",
    "calls_by_hour",
    "fcr",
]

C = Call.__table__
#: A later contact on the same number and category within this many days is a repeat (FCR).
FCR_WINDOW_DAYS = 7


def _in_period(scope: Scope) -> list[Any]:
    p = scope.period
    return [C.c.center_id == scope.center_id, C.c.started_at >= p.start, C.c.started_at < p.end]


@dataclass(frozen=True)
class ChannelCalls:
    channel: str | None = field(metadata=CODE)
    calls: int = field(metadata=COUNT)
    share: float | None = field(metadata=SHARE)


def calls_by_channel(session: Session, scope: Scope) -> Figure[ChannelCalls]:
    """Calls by channel: the calls started in the period on each channel (122, 1523, SMS...),
    and each channel's share of all of them."""
    n = sa.func.count().label("calls")
    rows = session.execute(
        sa.select(C.c.channel, n).where(*_in_period(scope)).group_by(C.c.channel)
    ).all()
    total = sum(r.calls for r in rows)
    out = [ChannelCalls(r.channel, r.calls, share(r.calls, total)) for r in rows]
    out.sort(key=lambda r: (-r.calls, group_key(r)))
    return Figure(
        "calls_by_channel", ChannelCalls, scope, tuple(out),
        ChannelCalls(None, total, share(total, total)),
    )  # fmt: skip


@dataclass(frozen=True)
class CategoryCalls:
    category_code: str | None = field(metadata=CODE)
    category_name_fa: str | None = field(metadata=TEXT)
    category_name_en: str | None = field(metadata=TEXT)
    calls: int = field(metadata=COUNT)
    share: float | None = field(metadata=SHARE)


def calls_by_category(session: Session, scope: Scope) -> Figure[CategoryCalls]:
    """Calls by category: the calls started in the period about each category; calls with no
    category (dropped before the agent picked one) are one row with no code."""
    inner = (
        sa.select(C.c.category_id.label("key"), sa.func.count().label("calls"))
        .where(*_in_period(scope))
        .group_by(C.c.category_id)
        .subquery()
    )
    rows = session.execute(with_names(inner, Category.__table__)).all()
    total = sum(r.calls for r in rows)
    out = [CategoryCalls(*r[:3], r.calls, share(r.calls, total)) for r in rows]
    out.sort(key=lambda r: (-r.calls, group_key(r)))
    return Figure(
        "calls_by_category", CategoryCalls, scope, tuple(out),
        CategoryCalls(None, None, None, total, share(total, total)),
    )  # fmt: skip


@dataclass(frozen=True)
class HourCalls:
    hour: int | None = field(metadata=HOUR)
    calls: int = field(metadata=COUNT)
    share: float | None = field(metadata=SHARE)


def calls_by_hour(session: Session, scope: Scope) -> Figure[HourCalls]:
    """Calls by hour of day: the calls started in the period in each hour 0-23 of Tehran time
    (every hour listed, quiet ones with 0). See :func:`db.reports.sql.tehran_hour`."""
    hour = tehran_hour(C.c.started_at, dialect(session)).label("hour")
    rows = session.execute(
        sa.select(hour, sa.func.count().label("calls")).where(*_in_period(scope)).group_by(hour)
    ).all()
    counts = {int(r.hour): r.calls for r in rows}
    total = sum(counts.values())
    out = tuple(HourCalls(h, counts.get(h, 0), share(counts.get(h, 0), total)) for h in range(24))
    return Figure(
        "calls_by_hour", HourCalls, scope, out, HourCalls(None, total, share(total, total))
    )


@dataclass(frozen=True)
class DistrictCalls:
    district_code: str | None = field(metadata=CODE)
    district_name_fa: str | None = field(metadata=TEXT)
    district_name_en: str | None = field(metadata=TEXT)
    calls: int = field(metadata=COUNT)
    share: float | None = field(metadata=SHARE)


def calls_by_district(session: Session, scope: Scope) -> Figure[DistrictCalls]:
    """Calls by district: the calls started in the period from each district. A call's district
    is its request's (where the work is), else its identified subscriber's; a call with
    neither (an unknown caller asking for information) is the row with no code."""
    T, S = Ticket.__table__, Subscriber.__table__
    district = sa.func.coalesce(T.c.district_id, S.c.district_id).label("key")
    inner = (
        sa.select(district, sa.func.count().label("calls"))
        .select_from(
            C.outerjoin(T, T.c.id == C.c.ticket_id).outerjoin(S, S.c.id == C.c.subscriber_id)
        )
        .where(*_in_period(scope))
        .group_by(district)
        .subquery()
    )
    rows = session.execute(with_names(inner, District.__table__)).all()
    total = sum(r.calls for r in rows)
    out = [DistrictCalls(*r[:3], r.calls, share(r.calls, total)) for r in rows]
    out.sort(key=lambda r: (-r.calls, group_key(r)))
    return Figure(
        "calls_by_district", DistrictCalls, scope, tuple(out),
        DistrictCalls(None, None, None, total, share(total, total)),
    )  # fmt: skip


@dataclass(frozen=True)
class AnsweredShare:
    channel: str | None = field(metadata=CODE)
    calls: int = field(metadata=COUNT)
    answered: int = field(metadata=COUNT)
    share: float | None = field(metadata=SHARE)


def answered_without_request(session: Session, scope: Scope) -> Figure[AnsweredShare]:
    """Answered-without-request share, by channel: of all calls started in the period, the
    share that ended with the outcome "answered" (information given, no request registered,
    linked or transferred; DOMAIN.md: most calls need no request, and they still count)."""
    answered = count_if(C.c.outcome == CallOutcome.ANSWERED.value).label("answered")
    rows = session.execute(
        sa.select(C.c.channel, sa.func.count().label("calls"), answered)
        .where(*_in_period(scope))
        .group_by(C.c.channel)
    ).all()
    out = [AnsweredShare(r.channel, r.calls, r.answered, share(r.answered, r.calls)) for r in rows]
    out.sort(key=lambda r: (-r.calls, group_key(r)))
    calls, done = sum(r.calls for r in out), sum(r.answered for r in out)
    return Figure(
        "answered_without_request", AnsweredShare, scope, tuple(out),
        AnsweredShare(None, calls, done, share(done, calls)),
    )  # fmt: skip


@dataclass(frozen=True)
class HandleTime:
    channel: str | None = field(metadata=CODE)
    handled: int = field(metadata=COUNT)
    aht_seconds: float | None = field(metadata=SECONDS)


def aht(session: Session, scope: Scope) -> Figure[HandleTime]:
    """Average handle time (AHT), by channel: the handle time of the calls handled in the period
    (started in it and not dropped), divided by their number. A call's handle time is
    ``ended_at - started_at``, which the console measures from the moment the agent takes the
    call to the moment its outcome is saved: talk, hold and after-call work together."""
    handled = C.c.outcome != CallOutcome.DROPPED.value
    seconds = sa.func.sum(seconds_between(C.c.started_at, C.c.ended_at, dialect(session)))
    rows = session.execute(
        sa.select(C.c.channel, sa.func.count().label("handled"), seconds.label("seconds"))
        .where(*_in_period(scope), handled)
        .group_by(C.c.channel)
    ).all()
    out = [HandleTime(r.channel, r.handled, _mean(r.seconds, r.handled)) for r in rows]
    out.sort(key=lambda r: (-r.handled, group_key(r)))
    n, total = sum(r.handled for r in rows), sum(float(r.seconds or 0) for r in rows)
    return Figure("aht", HandleTime, scope, tuple(out), HandleTime(None, n, _mean(total, n)))


def _mean(total: float | None, n: int) -> float | None:
    return float(total or 0) / n if n else None


@dataclass(frozen=True)
class FirstContact:
    category_code: str | None = field(metadata=CODE)
    category_name_fa: str | None = field(metadata=TEXT)
    category_name_en: str | None = field(metadata=TEXT)
    contacts: int = field(metadata=COUNT)
    repeated: int = field(metadata=COUNT)
    fcr: float | None = field(metadata=SHARE)


def fcr(session: Session, scope: Scope) -> Figure[FirstContact]:
    """First-contact resolution (FCR), by category: of the inbound contacts started in the
    period that have a phone number and a category, the share with no repeat contact, where a
    repeat is a later inbound contact on the same number and the same category within
    FCR_WINDOW_DAYS (7 days, a contact exactly 7 days later included). Outbound calls (the
    center calling back) are neither contacts nor repeats.

    The window looks past the period's end, so the figure for the last 7 days before now is
    provisional: a repeat may still come.
    """
    engine = dialect(session)
    p = scope.period
    inbound = [
        C.c.center_id == scope.center_id,
        C.c.started_at >= p.start,
        C.c.started_at < p.end + timedelta(days=FCR_WINDOW_DAYS),
        C.c.phone.is_not(None),
        C.c.category_id.is_not(None),
        C.c.channel != Channel.OUTBOUND.value,
    ]
    following = (
        sa.select(
            C.c.category_id,
            C.c.started_at,
            sa.func.lead(C.c.started_at)
            # Ties need no tie-breaker: whichever of two equal instants comes first, one of
            # them is a repeat, and sorting on less is faster.
            .over(partition_by=(C.c.phone, C.c.category_id), order_by=C.c.started_at)
            .label("next_at"),
        )
        .where(*inbound)
        .subquery()
    )
    f = following.c
    repeated = f.next_at.is_not(None) & (
        f.next_at <= plus_days(f.started_at, FCR_WINDOW_DAYS, engine)
    )
    inner = (
        sa.select(
            f.category_id.label("key"),
            sa.func.count().label("contacts"),
            count_if(repeated).label("repeated"),
        )
        .where(f.started_at < p.end)
        .group_by(f.category_id)
        .subquery()
    )
    rows = session.execute(with_names(inner, Category.__table__)).all()
    out = [
        FirstContact(*r[:3], r.contacts, r.repeated, share(r.contacts - r.repeated, r.contacts))
        for r in rows
    ]
    out.sort(key=lambda r: (-r.contacts, group_key(r)))
    n, rep = sum(r.contacts for r in out), sum(r.repeated for r in out)
    return Figure(
        "fcr", FirstContact, scope, tuple(out),
        FirstContact(None, None, None, n, rep, share(n - rep, n)),
    )  # fmt: skip
