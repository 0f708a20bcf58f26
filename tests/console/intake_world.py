"""A small, fixed city for intake screen tests, on top of the console tests' desk database.

Built with its own rows (not the demo, which changes as it grows), so snapshots stay put:
two districts, the units, the starting catalog and its canned answers, five subscribers (two
sharing a phone), an active main break in district 1, one open low-pressure request for the
repeat caller, and an earlier answered call.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from db import catalog_seed, intake
from db.accounts import AgentView, sign_in
from db.engine import session
from db.models import (
    Calendar,
    CalendarHours,
    CallOutcome,
    CannedAnswer,
    Category,
    Center,
    Channel,
    District,
    Incident,
    IncidentArea,
    IncidentStatus,
    Subscriber,
    SubscriberPhone,
    Unit,
    UnitKind,
)
from db.text import normalize, search_key

from .conftest import FIXED_NOW, PASSWORD

NATIONAL_CODE = "0012345679"
BILL_ID = "1234567891"  # the mod11 check digit is not checked by lookups
INCIDENT_TITLE = "شکستگی خط اصلی خیابان سعدی"
INCIDENT_MESSAGE = (
    "به علت شکستگی خط اصلی، آب خیابان سعدی و کوچه‌های اطراف قطع است. اکیپ تعمیرات در محل است."
)
RESTORATION = FIXED_NOW + timedelta(hours=3, minutes=30)


@dataclass
class IntakeWorld:
    center_id: uuid.UUID
    districts: dict[str, uuid.UUID] = field(default_factory=dict)
    categories: dict[str, uuid.UUID] = field(default_factory=dict)
    subscribers: dict[str, uuid.UUID] = field(default_factory=dict)
    incident_id: uuid.UUID | None = None
    open_request_code: str = ""
    open_request_id: uuid.UUID | None = None


def _subscriber(s, w, key, name, number, district, street, phones, **extra) -> None:
    sub = Subscriber(
        center_id=w.center_id,
        subscription_no=number,
        name=normalize(name),
        name_key=search_key(name),
        district_id=w.districts[district],
        street=street,
        street_key=search_key(street),
        address=f"{street}، پلاک ۱۲",
        **extra,
    )
    s.add(sub)
    s.flush()
    for phone in phones:
        kind = "mobile" if phone.startswith("09") else "landline"
        s.add(SubscriberPhone(center_id=w.center_id, subscriber_id=sub.id, phone=phone, kind=kind))
    w.subscribers[key] = sub.id


def build_world(engine: Engine) -> IntakeWorld:
    """Add the city to a desk database that already has center ISF and its agents."""
    with session(engine) as s:
        center = s.exec(select(Center).where(Center.code == "ISF")).one()
        w = IntakeWorld(center.id)
        for code, fa, en in (("D1", "منطقه ۱", "District 1"), ("D2", "منطقه ۲", "District 2")):
            district = District(center_id=center.id, code=code, name_fa=fa, name_en=en)
            s.add(district)
            s.flush()
            w.districts[code] = district.id
        units = {}
        names = {
            UnitKind.WATER_OPS: ("امور آب منطقه ۱", "Water operations 1"),
            UnitKind.SEWER_OPS: ("امور فاضلاب", "Sewer operations"),
            UnitKind.BILLING: ("درآمد و قبوض", "Billing"),
            UnitKind.SUBSCRIBER_AFFAIRS: ("امور مشترکین", "Subscriber affairs"),
            UnitKind.METERING: ("کنتور", "Metering"),
            UnitKind.LAB: ("آزمایشگاه", "Water lab"),
            UnitKind.PUBLIC_RELATIONS: ("روابط عمومی", "Public relations"),
        }
        for kind, (fa, en) in names.items():
            unit = Unit(
                center_id=center.id, code=kind.value[:16], kind=kind, name_fa=fa, name_en=en
            )
            s.add(unit)
            s.flush()
            units[kind] = unit.id
        calendars = {}
        for seed in catalog_seed.CALENDARS:
            calendar = Calendar(
                center_id=center.id,
                code=seed.code,
                name_fa=seed.name_fa,
                name_en=seed.name_en,
                always_open=seed.always_open,
            )
            s.add(calendar)
            s.flush()
            calendars[seed.code] = calendar.id
            for weekday, (opens, closes) in seed.hours.items():
                s.add(
                    CalendarHours(
                        calendar_id=calendar.id, weekday=weekday, opens=opens, closes=closes
                    )
                )
        for order, seed in enumerate(catalog_seed.CATEGORIES):
            category = Category(
                center_id=center.id,
                code=seed.code,
                name_fa=seed.name_fa,
                name_en=seed.name_en,
                search_key=search_key(seed.search_text()),
                group=seed.group,
                emergency=seed.emergency,
                priority=seed.priority,
                needs_request=seed.needs_request,
                default_unit_id=units[seed.unit_kind] if seed.unit_kind else None,
                calendar_id=calendars[seed.calendar],
                response_minutes=seed.response_minutes,
                resolution_minutes=seed.resolution_minutes,
                required_fields=list(seed.required_fields),
                sort_order=order,
            )
            s.add(category)
            s.flush()
            w.categories[seed.code] = category.id
        for seed in catalog_seed.CANNED_ANSWERS:
            s.add(
                CannedAnswer(
                    center_id=center.id,
                    code=seed.code,
                    category_id=w.categories.get(seed.category) if seed.category else None,
                    title_fa=seed.title_fa,
                    title_en=seed.title_en,
                    body_fa=seed.body_fa,
                    body_en=seed.body_en,
                    search_key=search_key(seed.search_text()),
                )
            )
            s.flush()
        _subscriber(
            s, w, "ali", "علی رضایی", "10000017", "D1", "خیابان سعدی",
            ["09121111111", "03132221111"], national_code=NATIONAL_CODE, bill_id=BILL_ID,
        )  # fmt: skip
        _subscriber(s, w, "akbar", "علی‌اکبر کریمی", "10000025", "D2", "کوچه بهار", ["09122222222"])
        _subscriber(s, w, "karim", "کریم کاظمی", "10000033", "D2", "خیابان نیما", ["09123333333"])
        _subscriber(s, w, "zahra", "زهرا تقوی", "10000041", "D2", "خیابان نیما", ["09124444444"])
        _subscriber(s, w, "mahdi", "مهدی تقوی", "10000058", "D1", "خیابان سعدی", ["09124444444"])
        incident = Incident(
            center_id=center.id,
            kind="main_break",
            status=IncidentStatus.ACTIVE,
            title=INCIDENT_TITLE,
            public_message=INCIDENT_MESSAGE,
            started_at=FIXED_NOW - timedelta(hours=2),
            expected_restoration_at=RESTORATION,
        )
        s.add(incident)
        s.flush()
        s.add(IncidentArea(incident_id=incident.id, district_id=w.districts["D1"]))
        w.incident_id = incident.id
    with session(engine) as s:
        omid = agent_view(s, "omid")
        registered = intake.register_request(
            s,
            actor=omid,
            phone="09122222222",
            subscriber_id=w.subscribers["akbar"],
            category_id=w.categories["low_pressure"],
            channel=Channel.PHONE_122,
            address="کوچه بهار، پلاک ۱۲",
            description="فشار آب طبقه دوم خیلی کم است",
            started_at=FIXED_NOW - timedelta(hours=5),
            ended_at=FIXED_NOW - timedelta(hours=5) + timedelta(minutes=2),
        )
        w.open_request_code = registered.tracking_code
        w.open_request_id = registered.ticket.id
        intake.record_contact(
            s,
            actor=omid,
            phone="09121111111",
            subscriber_id=w.subscribers["ali"],
            category_id=w.categories["general_info"],
            channel=Channel.PHONE_122,
            outcome=CallOutcome.ANSWERED,
            notes="تعرفه گفته شد",
            started_at=FIXED_NOW - timedelta(days=2),
            ended_at=FIXED_NOW - timedelta(days=2) + timedelta(minutes=3),
        )
    return w


def agent_view(s, username: str) -> AgentView:
    """An agent's view, as the sign-in screen gets it (signing in is the way to get one)."""
    return sign_in(s, username=username, password=PASSWORD)
