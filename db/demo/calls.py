"""Calls: four months of the desk's phone traffic before `now`.

Everyday calls fall into hourly slots weighted by hour of day, weekday and holidays, with a
summer peak (water shortage) fading towards now. Most are answered without a request, a
quarter register one, a few follow up an earlier request, are transferred or drop. On top
come the calls about the two incidents: the same question, many times, in a burst.

A call that registered a request or followed one up learns its request (and, for a follow-up,
its category and caller) when the requests are planned, in `db.demo.tickets`.
"""

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from db.demo.bulk import insert_many
from db.demo.catalog import Catalog
from db.demo.city import City
from db.demo.context import DAY, HOUR, MINUTE, Demo, utc, uuid7_from, weighted
from db.demo.incidents import MAIN_BREAK, IncidentPlan
from db.demo.people import Subscribers
from db.demo.staff import Staff
from db.jalali import TEHRAN, weekday_index
from db.models import Call, CallOutcome, Channel

HISTORY_DAYS = 120

# Request categories: how often each is registered.
REQUEST_WEIGHTS = {
    "pipe_burst": 7, "branch_leak": 12, "water_cutoff": 10, "low_pressure": 8,
    "water_quality": 4, "meter_leak": 8, "sewer_blockage": 12, "manhole_overflow": 4,
    "manhole_cover": 3, "street_water": 5, "bill_dispute": 8, "meter_reading": 3,
    "meter_replacement": 4, "new_connection": 2, "name_usage_change": 1.5, "debt_cutoff": 3,
    "street_repair": 2.5, "illegal_connection": 1, "staff_complaint": 1.5, "suggestion": 1.5,
}  # fmt: skip
# Calls answered without a request: what they were about (None: not classified).
ANSWERED_WEIGHTS = {
    "general_info": 34, "bill_inquiry": 26, "water_cutoff": 8, "low_pressure": 3,
    "bill_dispute": 6, "new_connection": 7, "debt_cutoff": 5, "meter_reading": 4,
    "name_usage_change": 2, None: 5,
}  # fmt: skip
TRANSFERRED_WEIGHTS = {
    "bill_dispute": 30, "new_connection": 20, "staff_complaint": 10, "illegal_connection": 5,
    "general_info": 20, None: 15,
}  # fmt: skip
OUTCOME_WEIGHTS = [
    (CallOutcome.ANSWERED, 66.0),
    (CallOutcome.REQUEST_REGISTERED, 25.5),
    (CallOutcome.LINKED_REQUEST, 3.5),
    (CallOutcome.TRANSFERRED, 3.0),
    (CallOutcome.DROPPED, 2.0),
]
CHANNEL_WEIGHTS = [
    (Channel.PHONE_122, 58.0),
    (Channel.PHONE_1523, 32.0),
    (Channel.APP, 3.0),
    (Channel.WEB, 2.5),
    (Channel.SMS, 1.5),
    (Channel.MESSENGER, 1.0),
    (Channel.WALK_IN, 1.0),
]
# Tehran local hour -> relative call volume.
HOURLY = [
    0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.30, 0.80, 1.60, 2.00, 2.10, 2.00,
    1.80, 1.50, 1.20, 1.00, 1.00, 1.10, 1.20, 1.20, 1.10, 0.90, 0.60, 0.40,
]  # fmt: skip
# Iranian weekday (0 = Saturday) -> relative call volume.
WEEKLY = [1.15, 1.05, 1.0, 1.0, 0.95, 0.75, 0.55]

ANSWER_NOTES = [
    "پاسخ داده شد",
    "راهنمایی شد",
    "اطلاعات لازم داده شد",
]


@dataclass(slots=True)
class CallPlan:
    ts: float
    dur: int
    outcome: str
    channel: str
    agent: int
    sub: int  # -1: not a subscriber (or not known)
    phone: str | None
    cat: int  # -1: not classified
    incident: int = -1  # linked to this incident
    origin_of: int = -1  # the first report of this incident
    ticket: int = -1
    notes: str = ""
    wants_callback: bool = False
    id: uuid.UUID | None = None


class _Callers:
    """Who is on the line: mostly subscribers, some of them often; otherwise someone
    unknown, who may call again."""

    def __init__(self, subscribers: Subscribers) -> None:
        self._subs = subscribers
        self._strangers: list[str] = []

    def pick(self, rng: random.Random, district: int | None = None) -> tuple[int, str | None]:
        """(subscriber index or -1, phone) of a caller, from ``district`` if given."""
        subs = self._subs
        if rng.random() < 0.82 and subs.people:
            if district is not None and subs.by_district[district]:
                sub = rng.choice(subs.by_district[district])
            elif rng.random() < 0.25:
                sub = subs.frequent[rng.randrange(len(subs.frequent))]
            else:
                sub = rng.randrange(len(subs.people))
            phones = subs.people[sub].phones
            return sub, phones[rng.randrange(len(phones))]
        if self._strangers and rng.random() < 0.3:
            return -1, rng.choice(self._strangers)
        phone = subs.phones.new(rng)
        self._strangers.append(phone)
        return -1, phone


def plan_calls(
    demo: Demo,
    catalog: Catalog,
    staff: Staff,
    subscribers: Subscribers,
    incidents: list[IncidentPlan],
) -> list[CallPlan]:
    """Every call, in time order, with its id."""
    rng = demo.rng("calls")
    callers = _Callers(subscribers)
    total = demo.calls
    if total >= 60:
        n_active = min(total, max(6, min(1500, round(total * 0.012))))
        n_planned = min(total - n_active, max(4, min(600, round(total * 0.006))))
    else:
        n_active = n_planned = 0
    demo.report("planning calls", 0, total)
    calls = _everyday_calls(rng, demo, catalog, staff, callers, total - n_active - n_planned)
    calls += _incident_calls(
        rng, catalog, staff, subscribers, callers, incidents, (n_active, n_planned)
    )
    calls.sort(key=lambda c: c.ts)
    # Every call ends before now.
    for c in calls:
        if c.ts + c.dur > demo.now_ts - 1:
            c.ts = demo.now_ts - 1 - c.dur
    # Again, for the calls just moved; calls at the same moment keep their order.
    calls.sort(key=lambda c: c.ts)
    for c in calls:
        c.id = uuid7_from(rng, c.ts)
    demo.report("planning calls", total, total)
    return calls


def _slot_weights(demo: Demo, catalog: Catalog) -> tuple[float, list[float]]:
    """The start of the history and the cumulative weights of its hourly slots."""
    start = demo.now_ts - HISTORY_DAYS * DAY
    n_slots = HISTORY_DAYS * 24
    holidays = {d for d, _name in catalog.holidays}
    cum, acc = [], 0.0
    for k in range(n_slots):
        local = utc(start + k * HOUR).astimezone(TEHRAN)
        w = HOURLY[local.hour] * WEEKLY[weekday_index(local)]
        if local.date() in holidays:
            w *= 0.6
        w *= 1.3 - 0.3 * k / n_slots  # the summer peak fades
        acc += w
        cum.append(acc)
    return start, cum


def _everyday_calls(
    rng: random.Random,
    demo: Demo,
    catalog: Catalog,
    staff: Staff,
    callers: _Callers,
    n: int,
) -> list[CallPlan]:
    start, slot_cum = _slot_weights(demo, catalog)
    slots = rng.choices(range(len(slot_cum)), cum_weights=slot_cum, k=n)
    times = sorted(start + k * HOUR + rng.random() * HOUR for k in slots)
    outcomes, outcome_cum = weighted(OUTCOME_WEIGHTS)
    channels, channel_cum = weighted(CHANNEL_WEIGHTS)
    cats = catalog.by_code
    answered_cats, answered_cum = weighted(
        (cats[c] if c else -1, w) for c, w in ANSWERED_WEIGHTS.items()
    )
    transferred_cats, transferred_cum = weighted(
        (cats[c] if c else -1, w) for c, w in TRANSFERRED_WEIGHTS.items()
    )
    request_cats, request_cum = weighted((cats[c], w) for c, w in REQUEST_WEIGHTS.items())
    canned_titles = [a.title_fa for _ids, a in catalog.canned]
    picked_outcomes = rng.choices(outcomes, cum_weights=outcome_cum, k=n)
    picked_channels = rng.choices(channels, cum_weights=channel_cum, k=n)
    picked_agents = rng.choices(staff.desk, cum_weights=staff.desk_cum, k=n)
    calls: list[CallPlan] = []
    lognorm = rng.lognormvariate
    for ts, outcome, channel, agent in zip(
        times, picked_outcomes, picked_channels, picked_agents, strict=True
    ):
        sub, phone = callers.pick(rng)
        if channel == Channel.WALK_IN and rng.random() < 0.4:
            phone = None
        notes = ""
        wants_callback = False
        if outcome == CallOutcome.ANSWERED:
            cat = rng.choices(answered_cats, cum_weights=answered_cum)[0]
            dur = lognorm(4.7, 0.45)
            if rng.random() < 0.3:
                notes = (
                    f"{rng.choice(ANSWER_NOTES)}: {rng.choice(canned_titles)}"
                    if cat in (cats["general_info"], cats["bill_inquiry"])
                    else rng.choice(ANSWER_NOTES)
                )
            wants_callback = rng.random() < 0.015
        elif outcome == CallOutcome.REQUEST_REGISTERED:
            cat = rng.choices(request_cats, cum_weights=request_cum)[0]
            dur = lognorm(5.25, 0.35)
        elif outcome == CallOutcome.LINKED_REQUEST:
            cat = -1  # the ticket's, set when the ticket is known
            dur = lognorm(4.5, 0.4)
        elif outcome == CallOutcome.TRANSFERRED:
            cat = rng.choices(transferred_cats, cum_weights=transferred_cum)[0]
            dur = lognorm(4.2, 0.4)
        else:
            cat = -1
            dur = 40 + rng.random() * 50
        dur = int(min(400, max(40, dur)))
        calls.append(
            CallPlan(ts, dur, outcome, channel, agent, sub, phone, cat,
                     notes=notes, wants_callback=wants_callback)
        )  # fmt: skip
    return calls


def _incident_calls(
    rng: random.Random,
    catalog: Catalog,
    staff: Staff,
    subscribers: Subscribers,
    callers: _Callers,
    incidents: list[IncidentPlan],
    counts: tuple[int, ...],
) -> list[CallPlan]:
    """Calls about the incidents (``counts[i]`` about incident i): the same question, many
    times."""
    cats = catalog.by_code
    by_district = subscribers.by_district
    calls: list[CallPlan] = []
    for ii, (inc, n) in enumerate(zip(incidents, counts, strict=True)):
        span = max(60.0, inc.calls_until - inc.calls_from)
        for k in range(n):
            ts = inc.calls_from + span * rng.random() ** 1.6
            if rng.random() < 0.15:
                sub, phone = callers.pick(rng)
                if sub >= 0 and subscribers.people[sub].district != inc.district:
                    sub, phone = -1, subscribers.phones.new(rng)
            else:
                sub, phone = callers.pick(rng, inc.district)
            channel = Channel.PHONE_122 if rng.random() < 0.85 else Channel.PHONE_1523
            agent = rng.choices(staff.desk, cum_weights=staff.desk_cum)[0]
            dur = int(min(180, max(40, rng.lognormvariate(4.0, 0.3))))
            outcome = CallOutcome.LINKED_INCIDENT
            cat = cats["water_cutoff"]
            if ii == MAIN_BREAK and k == 0:
                # The first report of the break: a request, later tied to the incident.
                ts = inc.started + 3 * MINUTE
                outcome, cat, dur = CallOutcome.REQUEST_REGISTERED, cats["pipe_burst"], 210
                sub = rng.choice(by_district[inc.district]) if by_district[inc.district] else sub
                phone = subscribers.people[sub].phones[0] if sub >= 0 else phone
            linked = outcome == CallOutcome.LINKED_INCIDENT
            calls.append(
                CallPlan(ts, dur, outcome, channel, agent, sub, phone, cat,
                         incident=ii if linked else -1, origin_of=-1 if linked else ii)
            )  # fmt: skip
    return calls


def write_calls(
    s: Session,
    demo: Demo,
    calls: list[CallPlan],
    *,
    city: City,
    catalog: Catalog,
    staff: Staff,
    subscribers: Subscribers,
    incidents: list[IncidentPlan],
    ticket_ids: list[uuid.UUID],
) -> None:
    cid = city.center_id
    sub_ids = subscribers.ids
    cat_ids = [c.id for c in catalog.categories]
    agent_ids = staff.ids
    incident_ids = [inc.id for inc in incidents]

    def rows() -> Iterator[dict[str, Any]]:
        for c in calls:
            yield dict(
                id=c.id,
                center_id=cid,
                channel=c.channel,
                phone=c.phone,
                subscriber_id=sub_ids[c.sub] if c.sub >= 0 else None,
                agent_id=agent_ids[c.agent],
                category_id=cat_ids[c.cat] if c.cat >= 0 else None,
                outcome=c.outcome,
                ticket_id=ticket_ids[c.ticket] if c.ticket >= 0 else None,
                incident_id=incident_ids[c.incident] if c.incident >= 0 else None,
                wants_callback=c.wants_callback,
                notes=c.notes,
                started_at=utc(c.ts),
                ended_at=utc(c.ts + c.dur),
            )

    insert_many(s, Call, rows(), report=demo.report, stage="calls", total=len(calls))
