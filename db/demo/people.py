"""The city's people: Persian (and, in Jolfa, Armenian) names, phone numbers, and the
subscribers imported from billing.

Subscribers are the callers most of the time: a family shares its house phone, some people
have two numbers, a tenth of the subscribers make a quarter of the calls (see `db.demo.calls`).
"""

import random
import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from db.demo.bulk import insert_many
from db.demo.city import City
from db.demo.context import Demo, utc, uuid7_from, weighted
from db.models import Subscriber, SubscriberPhone
from db.text import search_key
from db.validate import make_bill_id, make_national_code

# One string each: forty names read better than forty quoted words.
MALE_NAMES = (  # noqa: SIM905
    "علی محمد حسین رضا مهدی حسن امیر سعید مجید احمد مصطفی جواد محسن حمید مرتضی ابوالفضل امین "
    "عباس محمدرضا علیرضا حمیدرضا مسعود داوود بهروز فرهاد کامران سیاوش پرویز یوسف اکبر اصغر "
    "ناصر هادی وحید میلاد پوریا آرش بابک کیوان اسماعیل"
).split()
FEMALE_NAMES = (  # noqa: SIM905
    "فاطمه زهرا مریم معصومه زینب سمیه لیلا نرگس الهام مینا سارا نازنین فرزانه طاهره اعظم منیژه "
    "پروین شهلا مهناز فریبا نسرین رویا سپیده نگار ریحانه کوثر هانیه آزاده شیرین مهسا پریسا هدیه "
    "اکرم صدیقه بتول ملیحه راضیه سحر نیلوفر آتنا"
).split()
LAST_NAMES = [
    "احمدی", "محمدی", "حسینی", "رضایی", "کریمی", "موسوی", "جعفری", "صادقی", "نوری", "رحیمی",
    "قاسمی", "کاظمی", "هاشمی", "ابراهیمی", "شریفی", "طاهری", "یزدانی", "نجفی", "فلاحی", "مرادی",
    "اکبری", "نصر اصفهانی", "صفوی", "زرگر", "خواجویی", "جابری انصاری", "شفیعی", "میرلوحی",
    "دهقان", "نیلفروشان", "کلباسی", "بیدآبادی", "جلالی", "سلطانی", "عطایی", "باقری",
    "آقابابایی", "نصیری", "ترابی", "امینی", "فروغی", "خوراسگانی", "نجف‌آبادی", "شهرضایی",
    "سپاهانی", "قربانی", "حیدری", "سلیمانی", "یوسفی", "منتظری", "وحیدی", "زمانی", "گلشیری",
    "دهکردی", "برومند", "اصفهانیان", "مهرابی", "کیانی", "توکلی", "مشکانی", "شاهین", "رفیعی",
    "لنجانی", "فرخی", "زاهدی", "پورحسینی", "اسدی", "عابدی", "کاشانی", "ملکی",
]  # fmt: skip
# Jolfa is the Armenian quarter.
ARMENIAN_MALE = ["آرمن", "وارطان", "سرکیس", "آراکل", "هراچ", "گئورگ"]
ARMENIAN_FEMALE = ["آنی", "لوسینه", "هاسمیک", "آناهید", "نارینه", "سیلوا"]
ARMENIAN_LAST = ["آوانسیان", "پطروسیان", "هاکوپیان", "سرکیسیان", "میناسیان", "آراکلیان"]

MOBILE_PREFIXES = [
    ("913", 40), ("912", 4), ("910", 5), ("990", 8), ("935", 10), ("936", 8), ("937", 5),
    ("938", 5), ("939", 5), ("930", 5), ("933", 3), ("901", 2),
]  # fmt: skip

AREA_CODE = "031"  # Isfahan landlines
USAGES = [("residential", 86), ("commercial", 10), ("public", 2.5), ("industrial", 1.5)]
FIRST_SUBSCRIPTION_NO = 10_000_000
IMPORT_DELAY = 3600  # seconds after the center's setup


def person_name(rng: random.Random, city: City, district: int, last: str | None = None) -> str:
    """A full name of someone living in a district (keeping ``last`` if given)."""
    armenian = city.districts[district].code == "JLF" and rng.random() < 0.25
    female = rng.random() < 0.42
    if armenian:
        first = rng.choice(ARMENIAN_FEMALE if female else ARMENIAN_MALE)
        last = last or rng.choice(ARMENIAN_LAST)
    else:
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        last = last or rng.choice(LAST_NAMES)
    return f"{first} {last}"


def _imported_ts(demo: Demo, i: int) -> float:
    """When subscriber ``i`` was imported from billing: just after setup, 10 ms apart."""
    return demo.setup_ts + IMPORT_DELAY + i * 0.01


class Phones:
    """Phone numbers handed out so far: everyone gets a number nobody else has (families
    share one on purpose, by copying it)."""

    def __init__(self) -> None:
        self._prefixes, self._prefix_cum = weighted(MOBILE_PREFIXES)
        self._used: set[str] = set()

    def _mobile(self, rng: random.Random) -> str:
        prefix = rng.choices(self._prefixes, cum_weights=self._prefix_cum)[0]
        return f"0{prefix}{rng.randrange(10**7):07d}"

    def new(self, rng: random.Random, landline: bool = False) -> str:
        while True:
            phone = f"{AREA_CODE}3{rng.randrange(10**7):07d}" if landline else self._mobile(rng)
            if phone not in self._used:
                self._used.add(phone)
                return phone


@dataclass(slots=True)
class SubscriberPlan:
    id: uuid.UUID
    name: str
    district: int
    street: int
    address: str
    phones: list[str]
    active: bool


@dataclass(slots=True)
class Subscribers:
    """The subscribers, referred to by index, and the phones given out so far."""

    people: list[SubscriberPlan]
    ids: list[uuid.UUID]
    by_district: list[list[int]]
    # A tenth of the subscribers make a quarter of the calls.
    frequent: list[int]
    phones: Phones


def plan_subscribers(demo: Demo, city: City) -> tuple[Subscribers, list[dict[str, Any]]]:
    """The subscribers, and their rows to write (drawn together, kept only until written)."""
    rng = demo.rng("subscribers")
    phones = Phones()
    bill_ids: set[str] = set()
    people: list[SubscriberPlan] = []
    rows: list[dict[str, Any]] = []
    subscription_no = FIRST_SUBSCRIPTION_NO
    usages, usage_cum = weighted(USAGES)
    for i in range(demo.subscribers):
        district, street, address = city.random_place(rng)
        family = people and rng.random() < 0.04
        relative = people[rng.randrange(len(people))] if family else None
        last = relative.name.split(" ", 1)[1] if relative else None
        name = person_name(rng, city, district, last)
        subscription_no += rng.randint(1, 40)
        while True:
            bill_id = make_bill_id(rng)
            if bill_id not in bill_ids:
                bill_ids.add(bill_id)
                break
        ts = _imported_ts(demo, i)
        sid = uuid7_from(rng, ts)
        at = utc(ts)
        numbers: list[str] = []
        if relative is not None:
            numbers.append(relative.phones[0])  # a family shares the house phone
        if not numbers or rng.random() < 0.5:
            numbers.append(phones.new(rng, landline=rng.random() < 0.08))
        if rng.random() < 0.15:
            numbers.append(phones.new(rng, landline=rng.random() < 0.6))
        active = rng.random() > 0.01
        people.append(SubscriberPlan(sid, name, district, street, address, numbers, active))
        rows.append(
            dict(
                id=sid,
                center_id=city.center_id,
                subscription_no=str(subscription_no),
                bill_id=bill_id,
                national_code=make_national_code(rng) if rng.random() < 0.92 else None,
                name=name,
                name_key=search_key(name),
                district_id=city.districts[district].id,
                street=city.streets[street].name_fa,
                street_key=city.streets[street].key,
                address=address,
                postal_code=f"81{rng.randrange(10**8):08d}" if rng.random() < 0.8 else None,
                usage=rng.choices(usages, cum_weights=usage_cum)[0],
                active=active,
                created_at=at,
                updated_at=at,
            )
        )
    by_district: list[list[int]] = [[] for _ in city.districts]
    for i, sub in enumerate(people):
        by_district[sub.district].append(i)
    order = list(range(len(people)))
    rng.shuffle(order)
    frequent = order[: max(1, len(order) // 10)]
    subscribers = Subscribers(people, [p.id for p in people], by_district, frequent, phones)
    return subscribers, rows


def write_subscribers(
    s: Session, demo: Demo, city: City, subscribers: Subscribers, rows: list[dict[str, Any]]
) -> None:
    insert_many(s, Subscriber, rows, report=demo.report, stage="subscribers", total=len(rows))
    rng = demo.rng("subscriber-phones")
    phone_rows = (
        dict(
            id=uuid7_from(rng, _imported_ts(demo, i)),
            center_id=city.center_id,
            subscriber_id=sub.id,
            phone=phone,
            kind="mobile" if phone.startswith("09") else "landline",
        )
        for i, sub in enumerate(subscribers.people)
        for phone in sub.phones
    )
    total = sum(len(sub.phones) for sub in subscribers.people)
    insert_many(s, SubscriberPhone, phone_rows, report=demo.report, stage="phones", total=total)
