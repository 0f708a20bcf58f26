"""Requests (درخواست): which calls registered one, and their rows with their event logs.

A request opens as its call ends. Now and then a problem is registered twice by mistake
(the second is cancelled as a duplicate of the first), and a few requests turn out to be
outside the company's remit (cancelled as invalid). What happens to each request afterwards,
its event log and callbacks, is told in `db.demo.story`.

Tracking codes are drawn per Jalali year in the order requests were opened, so they are
gapless and increase with time, as the desk would have drawn them.
"""

import bisect
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from db.demo.bulk import insert_many
from db.demo.calls import CallPlan
from db.demo.catalog import Catalog
from db.demo.city import CENTER, City
from db.demo.context import DAY, MINUTE, Demo, utc, uuid7_from
from db.demo.feedback import CallbackPlan
from db.demo.incidents import IncidentPlan
from db.demo.people import Subscribers, person_name
from db.demo.staff import Staff
from db.jalali import jalali_month_range, jalali_year
from db.models import CallOutcome, Role, Ticket, TicketEvent, TicketKind, TicketStatus
from db.tracking import format_tracking_code, reserve_tracking_range

_S = TicketStatus

DESCRIPTIONS: dict[str, list[str]] = {
    "pipe_burst": ["شکستگی لوله در معبر، آب با فشار خارج می‌شود", "لوله اصلی کوچه ترکیده است"],
    "branch_leak": ["نشت آب از انشعاب جلوی پلاک", "آب از زیر آسفالت کنار کنتور بیرون می‌زند"],
    "water_cutoff": ["آب منزل از صبح قطع است", "آب کل کوچه قطع شده است"],
    "low_pressure": ["فشار آب طبقات بالا بسیار کم است", "آب فقط شب‌ها به طبقه دوم می‌رسد"],
    "water_quality": ["آب گل‌آلود و کدر است", "آب بوی کلر شدید می‌دهد", "آب طعم نامطبوع دارد"],
    "meter_leak": ["کنتور نشت دارد", "از اتصالات کنتور آب چکه می‌کند"],
    "sewer_blockage": ["فاضلاب منزل پس می‌زند", "انشعاب فاضلاب گرفته است"],
    "manhole_overflow": ["منهول سر کوچه سرریز کرده است", "فاضلاب در معبر جاری است"],
    "manhole_cover": ["دریچه منهول شکسته و خطرناک است", "دریچه منهول وسط خیابان نیست"],
    "street_water": ["آب در خیابان جاری است و منشأ آن معلوم نیست", "آب از جوی کوچه سرریز است"],
    "bill_dispute": ["مبلغ قبض این دوره نسبت به قبل چند برابر است", "به مبلغ قبض اعتراض دارد"],
    "meter_reading": ["کنتور چند دوره قرائت نشده است", "رقم قبض با کنتور مطابقت ندارد"],
    "meter_replacement": ["کنتور کار نمی‌کند", "شیشه کنتور شکسته و رقم خوانا نیست"],
    "new_connection": ["درخواست انشعاب آب برای ساختمان نوساز", "درخواست انشعاب فاضلاب"],
    "name_usage_change": ["تغییر نام مالک پس از خرید ملک", "تغییر کاربری از مسکونی به تجاری"],
    "debt_cutoff": ["بدهی پرداخت شده ولی آب هنوز وصل نشده", "آب بابت بدهی قطع شده است"],
    "street_repair": ["محل حفاری لوله پس از دو هفته ترمیم نشده", "آسفالت کوچه پس از تعمیر رها شده"],
    "illegal_connection": ["گزارش انشعاب غیرمجاز در ساختمان در حال ساخت", "برداشت غیرمجاز از شبکه"],
    "staff_complaint": ["رفتار نامناسب مأمور قرائت", "مأمور اعزامی بدون رسیدگی محل را ترک کرد"],
    "suggestion": ["پیشنهاد اطلاع‌رسانی زودتر قطعی‌ها", "قدردانی از اکیپ تعمیرات"],
}


@dataclass(slots=True)
class EventPlan:
    ts: float
    action: str
    frm: str | None
    to: str
    actor: int
    unit: int = -1
    note: str = ""
    data: dict[str, Any] | None = None


@dataclass(slots=True)
class TicketPlan:
    idx: int
    call: int
    ts: float
    cat: int
    sub: int
    phone: str | None
    district: int
    address: str
    caller_name: str
    unit: int
    description: str
    incident: int = -1  # the first report of this incident
    duplicate_of: int = -1
    invalid: bool = False
    events: list[EventPlan] = field(default_factory=list)
    callbacks: list[CallbackPlan] = field(default_factory=list)
    status: str = TicketStatus.REGISTERED
    kind: str = TicketKind.REQUEST
    year: int = 0
    seq: int = 0
    code: str = ""
    id: uuid.UUID | None = None


def open_tickets(
    rng: random.Random,
    city: City,
    catalog: Catalog,
    subscribers: Subscribers,
    calls: list[CallPlan],
) -> list[TicketPlan]:
    """The requests the calls registered, with their callers, places and units.

    Settles the calls that follow a request up, too: each takes a request opened in the ten
    days before (its category and caller), or, when there is none, becomes a plain inquiry.
    """
    tickets: list[TicketPlan] = []
    opened: list[float] = []
    categories = catalog.categories
    people = subscribers.people
    emergency_cats = {c.idx for c in categories if c.seed.emergency}
    for ci, call in enumerate(calls):
        if call.outcome == CallOutcome.LINKED_REQUEST:
            lo = bisect.bisect_left(opened, call.ts - 10 * DAY)
            hi = bisect.bisect_left(opened, call.ts - 600)
            if hi <= lo:
                call.outcome = CallOutcome.ANSWERED
                call.cat = catalog.by_code["general_info"]
                continue
            t = tickets[rng.randrange(lo, hi)]
            call.ticket = t.idx
            call.cat = t.cat
            call.sub = t.sub
            call.phone = t.phone
            continue
        if call.outcome != CallOutcome.REQUEST_REGISTERED:
            continue
        t_open = call.ts + call.dur * 0.8
        cat = call.cat
        emergency = cat in emergency_cats
        duplicate_of = -1
        # A second report of the same problem, registered again by mistake.
        if tickets and call.origin_of < 0 and rng.random() < (0.05 if emergency else 0.02):
            lo = bisect.bisect_left(opened, t_open - 3 * DAY)
            candidates = [
                i for i in range(max(lo, len(tickets) - 6), len(tickets))
                if tickets[i].duplicate_of < 0 and not tickets[i].invalid
                and tickets[i].ts < t_open - MINUTE
            ]  # fmt: skip
            if candidates:
                duplicate_of = rng.choice(candidates)
        if duplicate_of >= 0:
            prev = tickets[duplicate_of]
            cat = call.cat = prev.cat
            district, address = prev.district, prev.address
            if rng.random() < 0.5:
                call.sub, call.phone = prev.sub, prev.phone
        elif call.sub >= 0:
            sub = people[call.sub]
            district, address = sub.district, sub.address
        else:
            district, _street, address = city.random_place(rng)
        caller_name = people[call.sub].name if call.sub >= 0 else person_name(rng, city, district)
        kind = categories[cat].seed.unit_kind
        unit = city.unit_for(kind, district) if kind else -1
        t = TicketPlan(
            idx=len(tickets),
            call=ci,
            ts=t_open,
            cat=cat,
            sub=call.sub,
            phone=call.phone,
            district=district,
            address=address,
            caller_name=caller_name,
            unit=unit,
            description=rng.choice(DESCRIPTIONS[categories[cat].seed.code]),
            incident=call.origin_of,
            duplicate_of=duplicate_of,
            invalid=duplicate_of < 0 and rng.random() < 0.007,
        )
        call.ticket = t.idx
        tickets.append(t)
        opened.append(t_open)
    return tickets


def assign_tracking_years(tickets: list[TicketPlan]) -> None:
    """Jalali year of each request's opening, by the Tehran Nowruz instants."""
    if not tickets:
        return
    y0 = jalali_year(utc(tickets[0].ts))
    bounds = [(jalali_month_range(y, 1)[0].timestamp(), y) for y in range(y0, y0 + 3)]
    starts = [b[0] for b in bounds]
    for t in tickets:
        t.year = bounds[bisect.bisect_right(starts, t.ts) - 1][1]


def write_tickets(
    s: Session,
    demo: Demo,
    tickets: list[TicketPlan],
    *,
    city: City,
    catalog: Catalog,
    staff: Staff,
    subscribers: Subscribers,
    incidents: list[IncidentPlan],
) -> None:
    """Draw the tracking codes and ids, then write the requests and their events."""
    in_order = sorted(tickets, key=lambda t: (t.ts, t.idx))
    per_year = Counter(t.year for t in tickets)
    for year in sorted(per_year):
        first = reserve_tracking_range(s, center_id=city.center_id, year=year, count=per_year[year])
        for t in in_order:
            if t.year == year:
                t.seq = first
                t.code = format_tracking_code(CENTER["number"], year, first)
                first += 1
    rng = demo.rng("ticket-ids")
    for t in in_order:
        t.id = uuid7_from(rng, t.ts)
    rows = _Rows(demo, tickets, city, catalog, staff, subscribers, incidents)
    insert_many(
        s,
        Ticket,
        (rows.ticket(t) for t in in_order),
        report=demo.report,
        stage="requests",
        total=len(in_order),
    )
    # Events in time order, so their time-ordered ids land in index order.
    order = sorted((e.ts, t.idx, k) for t in tickets for k, e in enumerate(t.events))
    insert_many(
        s,
        TicketEvent,
        rows.events(demo.rng("ticket-event-ids"), order),
        report=demo.report,
        stage="request events",
        total=len(order),
    )


class _Rows:
    """Rows of the requests and their events, from the plan and the ids it refers to."""

    def __init__(
        self,
        demo: Demo,
        tickets: list[TicketPlan],
        city: City,
        catalog: Catalog,
        staff: Staff,
        subscribers: Subscribers,
        incidents: list[IncidentPlan],
    ) -> None:
        self.now_ts = demo.now_ts
        self.tickets = tickets
        self.center_id = city.center_id
        self.unit_ids = [u.id for u in city.units]
        self.district_ids = [d.id for d in city.districts]
        self.categories = catalog.categories
        self.staff = staff
        self.sub_ids = subscribers.ids
        self.incident_ids = [inc.id for inc in incidents]

    def ticket(self, t: TicketPlan) -> dict[str, Any]:
        cat = self.categories[t.cat]
        events = t.events
        last = events[-1]
        referred = [e.ts for e in events if e.action in ("referred", "reopened")]
        started = [e.ts for e in events if e.action == "started"]
        answered = [e.ts for e in events if e.action == "answered"]
        paused = 0.0
        paused_at = None
        for e in events:
            if e.action == "paused":
                paused_at = e.ts
            elif e.action == "resumed" and paused_at is not None:
                paused += e.ts - paused_at
                paused_at = None
        done = t.status in (_S.UNIT_ANSWERED, _S.ACCEPTED, _S.AWAITING_FEEDBACK, _S.CLOSED)
        level = max((e.data or {}).get("level", 0) for e in events)
        # A follow-up agent who touched an open request minutes ago still holds its claim.
        claimed_by = claimed_until = None
        if (
            t.status in (_S.REFERRED, _S.IN_PROGRESS, _S.UNIT_ANSWERED, _S.REJECTED)
            and last.ts > self.now_ts - 20 * MINUTE
            and self.staff.has_role(last.actor, Role.FOLLOWUP)
        ):
            claimed_by = self.staff.ids[last.actor]
            claimed_until = utc(last.ts + 15 * MINUTE)
        return dict(
            id=t.id,
            center_id=self.center_id,
            tracking_code=t.code,
            year=t.year,
            seq=t.seq,
            kind=t.kind,
            status=t.status,
            priority=cat.seed.priority,
            escalation_level=min(3, level),
            category_id=cat.id,
            unit_id=self.unit_ids[t.unit] if t.unit >= 0 else None,
            subscriber_id=self.sub_ids[t.sub] if t.sub >= 0 else None,
            district_id=self.district_ids[t.district],
            incident_id=self.incident_ids[t.incident] if t.incident >= 0 else None,
            parent_id=None,
            duplicate_of_id=self.tickets[t.duplicate_of].id if t.duplicate_of >= 0 else None,
            phone=t.phone,
            caller_name=t.caller_name,
            address=t.address,
            description=t.description,
            opened_at=utc(t.ts),
            referred_at=utc(referred[-1]) if referred else None,
            response_due_at=utc(t.ts + cat.response_s),
            resolution_due_at=utc(t.ts + cat.resolution_s),
            unit_due_at=utc(referred[-1] + cat.resolution_s) if referred else None,
            responded_at=utc(started[0]) if started else None,
            resolved_at=utc(answered[-1]) if done and answered else None,
            closed_at=utc(last.ts) if t.status in (_S.CLOSED, _S.CANCELLED) else None,
            paused_at=utc(paused_at) if t.status == _S.PENDING_SUBSCRIBER and paused_at else None,
            paused_seconds=int(paused),
            claimed_by_id=claimed_by,
            claimed_until=claimed_until,
            version=len(events),
            updated_at=utc(last.ts),
        )

    def events(
        self, rng: random.Random, order: list[tuple[float, int, int]]
    ) -> Iterator[dict[str, Any]]:
        """Rows of the events at ``order`` ((time, request, position)), ids from ``rng``."""
        for ts, ti, k in order:
            t = self.tickets[ti]
            e = t.events[k]
            data = e.data or {}
            note = e.note
            if e.action == "cancelled" and t.duplicate_of >= 0:
                code = self.tickets[t.duplicate_of].code
                note = f"درخواست تکراری؛ همان مورد با کد رهگیری {code} ثبت شده است"
                data = {"duplicate_of": code}
            yield dict(
                id=uuid7_from(rng, ts),
                center_id=self.center_id,
                ticket_id=t.id,
                at=utc(ts),
                actor_id=self.staff.ids[e.actor],
                action=e.action,
                from_status=e.frm,
                to_status=e.to,
                unit_id=self.unit_ids[e.unit] if e.unit >= 0 else None,
                note=note,
                data=data,
            )
