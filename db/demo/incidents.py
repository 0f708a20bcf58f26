"""Incidents (حادثه): one problem of the network that many people call about.

The demo has two. A main break in Mardavij is being repaired at `now`: the desk links every
call about it to the incident instead of registering a request each, and its public message
has already been updated once with a later restoration time. A planned cut-off in Hezar Jarib
25 days ago was announced to the area by SMS (`db.demo.notices`) and is closed; closing it sent
"water is back" to everyone who called about it and to the area, as `db.incidents` does. The
calls about both are planned with the others, in `db.demo.calls`.
"""

import math
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from db.demo.bulk import insert
from db.demo.city import City
from db.demo.context import DAY, HOUR, MINUTE, Demo, utc, uuid7_from
from db.demo.staff import Staff
from db.incidents.records import LOG_ONLY_ACTIONS
from db.jalali import TEHRAN, format_date, format_time
from db.models import Incident, IncidentArea, IncidentEvent, IncidentKind, IncidentStatus, UnitKind

# Indexes into the planned incidents.
MAIN_BREAK = 0
PLANNED_CUTOFF = 1


@dataclass(slots=True)
class IncidentPlan:
    id: uuid.UUID
    kind: str
    status: str
    title: str
    message: str
    unit: int
    district: int
    street: int  # a street of the area outside the district
    declared_by: int
    started: float
    declared: float
    eta: float
    closed: float | None
    events: list[tuple[float, int, str, str, dict[str, Any]]]  # (at, actor, action, note, data)
    # When people call about it.
    calls_from: float
    calls_until: float

    @property
    def version(self) -> int:
        """As db.incidents keeps it: one per event that changed the incident."""
        return sum(1 for event in self.events if event[2] not in LOG_ONLY_ACTIONS)


def plan_incidents(demo: Demo, city: City, staff: Staff) -> list[IncidentPlan]:
    rng = demo.rng("incidents")
    return [_main_break(rng, demo, city, staff), _planned_cutoff(rng, demo, city, staff)]


def _main_break(rng: random.Random, demo: Demo, city: City, staff: Staff) -> IncidentPlan:
    """Active: a main break in Mardavij, started five hours ago."""
    now = demo.now_ts
    district = city.district_named("MRD")
    street = city.street_named("Mardavij Blvd.")
    extra_street = city.street_named("Sheikh Sadoogh Shomali St.")
    started = math.floor((now - 5 * HOUR) / 300) * 300
    declared = started + 20 * MINUTE
    first_eta = math.ceil((now + HOUR) / 1800) * 1800
    eta = first_eta + 2 * HOUR
    unit = city.unit_for(UnitKind.WATER_OPS, district)
    district_fa = city.districts[district].name_fa
    street_fa = city.streets[street].name_fa
    extra_fa = city.streets[extra_street].name_fa
    eta_text = format_time(utc(eta), "fa")
    supervisor = staff.supervisor
    return IncidentPlan(
        id=uuid7_from(rng, started),
        kind=IncidentKind.MAIN_BREAK,
        status=IncidentStatus.ACTIVE,
        title=f"شکستگی خط اصلی ۵۰۰ میلی‌متری در {street_fa}",
        message=(
            f"به علت شکستگی خط اصلی آب در {street_fa}، آب محله {district_fa} و {extra_fa} "
            f"قطع است. اکیپ‌های تعمیرات در محل مشغول کارند و آب تا ساعت {eta_text} وصل "
            "می‌شود. از شکیبایی شما سپاسگزاریم."
        ),
        unit=unit,
        district=district,
        street=extra_street,
        declared_by=supervisor,
        started=started,
        declared=declared,
        eta=eta,
        closed=None,
        events=[
            (declared, supervisor, "declared", "حادثه اعلام شد",
             {"eta": utc(first_eta).isoformat()}),
            (started + 2 * HOUR + 10 * MINUTE, supervisor, "eta_changed",
             "تعویض قطعه لوله بیش از پیش‌بینی زمان می‌برد",
             {"from": utc(first_eta).isoformat(), "to": utc(eta).isoformat()}),
            (started + 2 * HOUR + 15 * MINUTE, staff.notifier, "message_changed",
             "پیام عمومی با زمان جدید به‌روز شد", {}),
        ],
        calls_from=declared,
        calls_until=now - 60,
    )  # fmt: skip


def _planned_cutoff(rng: random.Random, demo: Demo, city: City, staff: Staff) -> IncidentPlan:
    """Closed: a planned cut-off in Hezar Jarib 25 days ago, 08:00-14:00 Tehran time."""
    district = city.district_named("HZJ")
    extra_street = city.street_named("Daneshgah St.")
    day = (demo.now.astimezone(TEHRAN) - timedelta(days=25)).date()
    start = datetime(day.year, day.month, day.day, 8, tzinfo=TEHRAN).timestamp()
    end = start + 6 * HOUR
    closed = end - 20 * MINUTE
    declared = start - 2 * DAY + 2 * HOUR
    unit = city.unit_for(UnitKind.WATER_OPS, district)
    district_fa = city.districts[district].name_fa
    extra_fa = city.streets[extra_street].name_fa
    date_fa = format_date(utc(start), "fa")
    supervisor = staff.supervisor
    return IncidentPlan(
        id=uuid7_from(rng, declared),
        kind=IncidentKind.PLANNED_CUTOFF,
        status=IncidentStatus.CLOSED,
        title=f"قطعی برنامه‌ریزی‌شده {district_fa} برای اصلاح شبکه",
        message=(
            f"به علت عملیات اصلاح شبکه، آب محله {district_fa} و {extra_fa} روز {date_fa} "
            f"از ساعت {format_time(utc(start), 'fa')} تا "
            f"{format_time(utc(end), 'fa')} قطع است."
        ),
        unit=unit,
        district=district,
        street=extra_street,
        declared_by=supervisor,
        started=start,
        declared=declared,
        eta=end,
        closed=closed,
        events=[
            (declared, supervisor, "declared", "قطعی برنامه‌ریزی‌شده ثبت شد",
             {"eta": utc(end).isoformat()}),
            (declared + 3 * HOUR, staff.notifier, "notice_sent",
             "پیامک اطلاع‌رسانی به مشترکان محدوده ارسال شد", {}),
            (closed, supervisor, "closed", "عملیات پایان یافت و آب وصل شد", {}),
        ],
        calls_from=start,
        calls_until=closed,
    )  # fmt: skip


def write_incidents(
    s: Session, demo: Demo, city: City, staff: Staff, incidents: list[IncidentPlan]
) -> None:
    cid = city.center_id
    rng = demo.rng("incident-rows")
    insert(
        s,
        Incident,
        [
            dict(
                id=inc.id,
                center_id=cid,
                kind=inc.kind,
                status=inc.status,
                title=inc.title,
                public_message=inc.message,
                unit_id=city.units[inc.unit].id,
                declared_by_id=staff.ids[inc.declared_by],
                started_at=utc(inc.started),
                expected_restoration_at=utc(inc.eta),
                closed_at=utc(inc.closed) if inc.closed else None,
                notify_area_on_close=inc.kind == IncidentKind.PLANNED_CUTOFF,
                version=inc.version,
                updated_at=utc(inc.events[-1][0]),
            )
            for inc in incidents
        ],
    )
    # An incident's area: its district, and a street of the next district.
    areas = []
    for inc in incidents:
        street = city.streets[inc.street]
        areas.append(
            dict(id=uuid7_from(rng, inc.declared), incident_id=inc.id,
                 district_id=city.districts[inc.district].id, street="", street_key="")
        )  # fmt: skip
        areas.append(
            dict(id=uuid7_from(rng, inc.declared), incident_id=inc.id, district_id=None,
                 street=street.name_fa, street_key=street.key)
        )  # fmt: skip
    insert(s, IncidentArea, areas)
    insert(
        s,
        IncidentEvent,
        [
            dict(id=uuid7_from(rng, ts), center_id=cid, incident_id=inc.id, at=utc(ts),
                 actor_id=staff.ids[actor], action=action, note=note, data=data)
            for inc in incidents
            for ts, actor, action, note, data in inc.events
        ],
    )  # fmt: skip
