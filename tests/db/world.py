"""A small center for data-layer tests of what happens after intake, on either database.

The same shape as the world of tests/db/test_intake.py (its own copy, so each file can change
on its own): two districts, one unit of each kind, the starting calendars with a holiday on
Tuesday 17 November 2026, a few categories of the starting catalog (an emergency on the 24/7
clock, office-hours ones), two subscribers, and people in every role. Requests are registered
through intake, as the desk would.
"""

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import accounts, catalog_seed, intake
from db.accounts import AgentView, add_agent
from db.engine import session
from db.jalali import TEHRAN
from db.models import (
    Calendar,
    CalendarHours,
    Category,
    Center,
    Channel,
    District,
    Holiday,
    Subscriber,
    SubscriberPhone,
    Unit,
    UnitKind,
)
from db.text import normalize, search_key

PASSWORD = "correct-horse"
# Tuesday 17 November 2026 is the test center's holiday; Friday 20 is the weekly day off.
HOLIDAY = date(2026, 11, 17)
CATEGORY_CODES = (
    "pipe_burst",  # 24/7: response 30 min, resolution 6 h
    "low_pressure",  # 24/7: response 2 h, resolution 24 h
    "bill_dispute",  # office: response 2 days, resolution 7 days
    "meter_replacement",  # office
    "staff_complaint",  # office, a complaint
)


def teh(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Tehran wall-clock time in November 2026, as aware UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TEHRAN).astimezone(UTC)


# Wednesday 18 November 2026, 10:00 in Tehran.
NOW = teh(18, 10)


@dataclass
class World:
    engine: Engine
    center_id: uuid.UUID
    desk: AgentView  # takes calls
    followup: AgentView
    followup2: AgentView
    supervisor: AgentView
    surveyor: AgentView
    notifier: AgentView
    districts: dict[str, uuid.UUID] = field(default_factory=dict)
    units: dict[str, uuid.UUID] = field(default_factory=dict)
    calendars: dict[str, uuid.UUID] = field(default_factory=dict)
    categories: dict[str, uuid.UUID] = field(default_factory=dict)
    subscribers: dict[str, uuid.UUID] = field(default_factory=dict)


@contextlib.contextmanager
def cheap_password_hashes() -> Iterator[None]:
    """add_agent's real argon2 cost is for attackers, not for a test suite."""
    real = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        yield
    finally:
        accounts._hasher = real


def add_center(engine: Engine, code: str = "ISF", number: int = 131) -> uuid.UUID:
    with session(engine) as s:
        center = Center(code=code, number=number, name_fa=f"مرکز {code}", name_en=f"{code} 122")
        s.add(center)
    return center.id


def _agent(s: Session, username: str, center: str, *roles: str) -> AgentView:
    return add_agent(
        s,
        actor=None,
        username=username,
        full_name=username.title(),
        password=PASSWORD,
        roles=roles,
        center_code=center,
    )


def build_world(engine: Engine, center_id: uuid.UUID, prefix: str = "") -> World:
    """The center's units, calendars, categories, subscribers and people (usernames get
    ``prefix``, so a second center can have its own)."""
    with cheap_password_hashes(), session(engine) as s:
        center = s.get(Center, center_id)
        assert center is not None
        code = center.code
        w = World(
            engine=engine,
            center_id=center_id,
            desk=_agent(s, f"{prefix}maryam", code, "agent"),
            followup=_agent(s, f"{prefix}fatemeh", code, "followup"),
            followup2=_agent(s, f"{prefix}hamid", code, "followup"),
            supervisor=_agent(s, f"{prefix}reza", code, "supervisor"),
            surveyor=_agent(s, f"{prefix}sara", code, "surveyor"),
            notifier=_agent(s, f"{prefix}nima", code, "notifier"),
        )
        for dcode, fa, en in (("D1", "منطقه ۱", "District 1"), ("D2", "منطقه ۲", "District 2")):
            district = District(center_id=center_id, code=dcode, name_fa=fa, name_en=en)
            s.add(district)
            s.flush()
            w.districts[dcode] = district.id
        for kind in UnitKind:
            unit = Unit(
                center_id=center_id, code=kind.value[:16], kind=kind, name_fa=kind, name_en=kind
            )
            s.add(unit)
            s.flush()
            w.units[kind.value] = unit.id
        for seed in catalog_seed.CALENDARS:
            calendar = Calendar(
                center_id=center_id,
                code=seed.code,
                name_fa=seed.name_fa,
                name_en=seed.name_en,
                always_open=seed.always_open,
            )
            s.add(calendar)
            s.flush()
            w.calendars[seed.code] = calendar.id
            for weekday, (opens, closes) in seed.hours.items():
                s.add(
                    CalendarHours(
                        calendar_id=calendar.id, weekday=weekday, opens=opens, closes=closes
                    )
                )
        s.add(Holiday(calendar_id=w.calendars["office"], day=HOLIDAY, name="تعطیل"))
        seeds = {c.code: c for c in catalog_seed.CATEGORIES}
        for order, ccode in enumerate(CATEGORY_CODES):
            seed = seeds[ccode]
            category = Category(
                center_id=center_id,
                code=seed.code,
                name_fa=seed.name_fa,
                name_en=seed.name_en,
                search_key=search_key(seed.search_text()),
                group=seed.group,
                emergency=seed.emergency,
                priority=seed.priority,
                needs_request=seed.needs_request,
                default_unit_id=w.units[seed.unit_kind.value] if seed.unit_kind else None,
                calendar_id=w.calendars[seed.calendar],
                response_minutes=seed.response_minutes,
                resolution_minutes=seed.resolution_minutes,
                required_fields=list(seed.required_fields),
                sort_order=order,
            )
            s.add(category)
            s.flush()
            w.categories[ccode] = category.id
        for key, name, number, district, phone in (
            ("ali", "علی رضایی", "10000017", "D1", "09121111111"),
            ("karim", "کریم کاظمی", "10000033", "D2", "09123333333"),
        ):
            sub = Subscriber(
                center_id=center_id,
                subscription_no=number,
                name=normalize(name),
                name_key=search_key(name),
                district_id=w.districts[district],
                street="خیابان سعدی",
                street_key=search_key("خیابان سعدی"),
                address="خیابان سعدی، پلاک ۱۲",
            )
            s.add(sub)
            s.flush()
            s.add(
                SubscriberPhone(
                    center_id=center_id, subscriber_id=sub.id, phone=phone, kind="mobile"
                )
            )
            w.subscribers[key] = sub.id
    return w


def register(
    w: World,
    code: str = "pipe_burst",
    *,
    at: datetime = NOW,
    subscriber: str | None = "ali",
    phone: str | None = "09121111111",
    district: str | None = None,
    **kw,
) -> intake.RegisteredView:
    """Register a request through intake, as the desk agent, with a call of two minutes."""
    args = dict(
        phone=phone,
        subscriber_id=w.subscribers[subscriber] if subscriber else None,
        category_id=w.categories[code],
        channel=Channel.PHONE_122,
        address="خیابان سعدی، پلاک ۱۲",
        district_id=w.districts[district] if district else None,
        description="آب از زیر آسفالت بیرون می‌زند",
        caller_name="علی رضایی",
        started_at=at,
        ended_at=at + timedelta(minutes=2),
    )
    args.update(kw)
    with session(w.engine) as s:
        return intake.register_request(s, actor=w.desk, **args)
