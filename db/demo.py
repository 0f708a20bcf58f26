"""Deterministic, realistic demo data for one city (Isfahan), of any size.

`build_demo(engine, seed=..., subscribers=..., calls=..., now=...)` wipes the database and
fills every table: the center, its districts and units, SLA calendars and the 1405 holidays,
the catalog of `db.catalog_seed`, agents of every role, subscribers with phones, a four-month
history of calls with its requests (every status, consistent event logs, escalations,
duplicates), two incidents, callbacks with surveys, and a notice campaign.

Same (seed, now) gives the same rows, ids included: every random choice, every UUIDv7 (its
timestamp is the row's own time, its random bits come from the seeded generator) is drawn
from `random.Random` streams derived from the seed. Only the argon2 password hashes differ,
because argon2 salts them.

Scale: rows are planned in plain Python, then written in chunks, one transaction per stage:
small tables with Core inserts, the big ones with `bulk_insert` (executemany on SQLite, COPY
on PostgreSQL). A million calls take about two minutes on either engine (2 cores).

SLA due dates are approximate here: a category's minutes are open minutes of its calendar
(see db.catalog_seed), spread over the week by the share of the week the calendar is open.
"""

import bisect
import gc
import itertools
import json
import math
import operator
import random
import time as clock
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel.sql.sqltypes import AutoString

from db import catalog_seed
from db.accounts import hash_password
from db.engine import DatabaseError
from db.engine import session as open_session
from db.jalali import (
    TEHRAN,
    format_date,
    format_time,
    jalali_month_range,
    jalali_year,
    weekday_index,
)
from db.migrate import upgrade
from db.models import (
    Agent,
    AgentRole,
    Answer,
    AttemptOutcome,
    AuditEntry,
    Calendar,
    CalendarHours,
    Call,
    Callback,
    CallbackAttempt,
    CallbackStatus,
    CallOutcome,
    Campaign,
    CampaignStatus,
    CannedAnswer,
    Category,
    Center,
    CenterKind,
    CenterSetting,
    Channel,
    District,
    Holiday,
    Incident,
    IncidentArea,
    IncidentEvent,
    IncidentKind,
    IncidentStatus,
    NoticeChannel,
    NoticeTemplate,
    OutboxMessage,
    OutboxStatus,
    Question,
    Questionnaire,
    Role,
    Subscriber,
    SubscriberPhone,
    Survey,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    Unit,
    UnitDistrict,
    UnitKind,
    metadata,
)
from db.models.base import UTCDateTime
from db.text import search_key, to_persian_digits
from db.tracking import format_tracking_code, reserve_tracking_range
from db.validate import make_bill_id, make_national_code

__all__ = ["DEMO_CENTER_CODE", "DemoError", "DemoSummary", "build_demo", "demo_accounts"]

Progress = Callable[[str, int, int], None]

DAY = 86_400.0
HOUR = 3_600.0
MINUTE = 60.0
HISTORY_DAYS = 120
CHUNK = 10_000
BULK_CACHE_KIB = 262_144
# Tables written with bulk_insert: the ones that grow with the requested size.
BULK_TABLES = frozenset(
    m.__tablename__
    for m in (Subscriber, SubscriberPhone, Ticket, TicketEvent, Call, Callback, CallbackAttempt,
              Survey, Answer, OutboxMessage)
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# The city: Isfahan. Real district (neighbourhood) and street names; which street lies in
# which district is simplified for the demo.
# --------------------------------------------------------------------------------------------

DEMO_CENTER_CODE = "ISF"
CENTER = {
    "code": DEMO_CENTER_CODE,
    "number": 131,
    "name_fa": "مرکز ۱۲۲ و ۱۵۲۳ آبفای استان اصفهان",
    "name_en": "Isfahan Water & Wastewater 122/1523 center",
    "kind": CenterKind.PROVINCIAL,
}
CITY_FA = "اصفهان"
AREA_CODE = "031"

# code, Persian, English, share of subscribers
DISTRICTS: list[tuple[str, str, str, float]] = [
    ("CHB", "چهارباغ", "Chaharbagh", 0.09),
    ("JLF", "جلفا", "Jolfa", 0.08),
    ("NZR", "نظر", "Nazar", 0.10),
    ("MRD", "مرداویج", "Mardavij", 0.12),
    ("HZJ", "هزارجریب", "Hezar Jarib", 0.10),
    ("BDB", "بیدآباد", "Bidabad", 0.08),
    ("JUB", "جوباره", "Jubareh", 0.08),
    ("KHE", "خانه اصفهان", "Khaneh Esfahan", 0.13),
    ("ZYN", "زینبیه", "Zeynabiyeh", 0.12),
    ("RHN", "رهنان", "Rahnan", 0.10),
]

# district code -> streets (Persian, English)
STREETS: dict[str, list[tuple[str, str]]] = {
    "CHB": [
        ("خیابان چهارباغ عباسی", "Chaharbagh Abbasi St."),
        ("خیابان آمادگاه", "Amadegah St."),
        ("خیابان عباس‌آباد", "Abbas Abad St."),
        ("خیابان سپه", "Sepah St."),
        ("خیابان حافظ", "Hafez St."),
        ("خیابان استانداری", "Ostandari St."),
        ("خیابان نشاط", "Neshat St."),
        ("خیابان فردوسی", "Ferdowsi St."),
    ],
    "JLF": [
        ("خیابان حکیم نظامی", "Hakim Nezami St."),
        ("خیابان خاقانی", "Khaghani St."),
        ("خیابان سعادت‌آباد", "Saadat Abad St."),
        ("خیابان میرزا طاهر", "Mirza Taher St."),
        ("خیابان وانک", "Vank St."),
        ("خیابان چهارباغ بالا", "Chaharbagh Bala St."),
    ],
    "NZR": [
        ("خیابان نظر شرقی", "Nazar Sharghi St."),
        ("خیابان نظر غربی", "Nazar Gharbi St."),
        ("خیابان نظر میانی", "Nazar Miani St."),
        ("خیابان شیخ صدوق شمالی", "Sheikh Sadoogh Shomali St."),
        ("خیابان شیخ صدوق جنوبی", "Sheikh Sadoogh Jonoubi St."),
        ("خیابان میر", "Mir St."),
    ],
    "MRD": [
        ("بلوار مرداویج", "Mardavij Blvd."),
        ("خیابان باهنر", "Bahonar St."),
        ("خیابان نیکبخت", "Nikbakht St."),
        ("خیابان فرایبورگ", "Freiburg St."),
        ("بلوار اژه‌ای", "Ejei Blvd."),
        ("خیابان ولیعصر", "Valiasr St."),
    ],
    "HZJ": [
        ("خیابان هزارجریب", "Hezar Jarib St."),
        ("خیابان ملاصدرا", "Molla Sadra St."),
        ("خیابان دانشگاه", "Daneshgah St."),
        ("خیابان آزادی", "Azadi St."),
        ("خیابان شیخ مفید", "Sheikh Mofid St."),
    ],
    "BDB": [
        ("خیابان بیدآباد", "Bidabad St."),
        ("خیابان مسجد سید", "Masjed Seyed St."),
        ("خیابان طیب", "Tayyeb St."),
        ("خیابان عبدالرزاق", "Abdol Razagh St."),
        ("خیابان فروغی", "Foroughi St."),
        ("خیابان شیخ بهایی", "Sheikh Bahaei St."),
    ],
    "JUB": [
        ("خیابان ابن‌سینا", "Ibn Sina St."),
        ("خیابان هاتف", "Hatef St."),
        ("خیابان کمال اسماعیل", "Kamal Esmaeil St."),
        ("خیابان جی", "Jey St."),
        ("خیابان شمس‌آبادی", "Shams Abadi St."),
    ],
    "KHE": [
        ("خیابان امام خمینی", "Imam Khomeini St."),
        ("بلوار اشرفی اصفهانی", "Ashrafi Esfahani Blvd."),
        ("خیابان بهار", "Bahar St."),
        ("خیابان گلستان", "Golestan St."),
        ("خیابان شاهد", "Shahed St."),
        ("خیابان سرو", "Sarv St."),
    ],
    "ZYN": [
        ("خیابان زینبیه", "Zeynabiyeh St."),
        ("خیابان رباط", "Robat St."),
        ("خیابان کاوه", "Kaveh St."),
        ("خیابان لاله", "Laleh St."),
        ("خیابان نسترن", "Nastaran St."),
        ("خیابان ارغوان", "Arghavan St."),
    ],
    "RHN": [
        ("خیابان رهنان", "Rahnan St."),
        ("خیابان آتشگاه", "Ateshgah St."),
        ("خیابان منارجنبان", "Manar Jonban St."),
        ("خیابان کهندژ", "Kohandezh St."),
        ("خیابان ارغوانیه", "Arghavanieh St."),
        ("خیابان بوستان", "Boustan St."),
    ],
}

NAMED_ALLEYS = [
    "شهید رجایی", "لاله", "گلستان", "بهار", "نرگس", "یاس", "شقایق", "سعدی", "پروین",
    "شهید همت", "مهر", "نور", "امید", "فجر", "بنفشه", "ارکیده", "صبا", "سپیده",
]  # fmt: skip

# code, kind, Persian, English, served districts (None = all), phone
UNITS: list[tuple[str, UnitKind, str, str, list[str] | None, str]] = [
    ("W1", UnitKind.WATER_OPS, "امور آب منطقه یک", "Water operations, region 1",
     ["CHB", "JLF", "NZR", "MRD"], "03136241100"),
    ("W2", UnitKind.WATER_OPS, "امور آب منطقه دو", "Water operations, region 2",
     ["HZJ", "BDB", "JUB"], "03132351100"),
    ("W3", UnitKind.WATER_OPS, "امور آب منطقه سه", "Water operations, region 3",
     ["KHE", "ZYN", "RHN"], "03133471100"),
    ("SEW", UnitKind.SEWER_OPS, "امور بهره‌برداری فاضلاب", "Sewer operations", None,
     "03136251200"),
    ("BILL", UnitKind.BILLING, "امور درآمد و صورتحساب", "Billing and revenue", None,
     "03136251300"),
    ("SUBS", UnitKind.SUBSCRIBER_AFFAIRS, "امور مشترکین", "Subscriber affairs", None,
     "03136251400"),
    ("METER", UnitKind.METERING, "واحد کنتور و قرائت", "Metering", None, "03136251500"),
    ("LAB", UnitKind.LAB, "آزمایشگاه کنترل کیفیت آب", "Water-quality laboratory", None,
     "03136251600"),
    ("PR", UnitKind.PUBLIC_RELATIONS, "روابط عمومی", "Public relations", None, "03136251700"),
]  # fmt: skip


def _words(text: str) -> list[str]:
    return text.split()


# username, full name, roles, weight when taking calls
AGENTS: list[tuple[str, str, tuple[Role, ...], float]] = [
    ("agent1", "مریم احمدی", (Role.AGENT,), 1.0),
    ("agent2", "رضا کریمی", (Role.AGENT,), 1.0),
    ("agent3", "زهرا موسوی", (Role.AGENT,), 1.0),
    ("agent4", "حسین جعفری", (Role.AGENT,), 1.0),
    ("agent5", "فاطمه نصر اصفهانی", (Role.AGENT,), 1.0),
    ("agent6", "مهدی آقابابایی", (Role.AGENT,), 1.0),
    ("followup1", "سمیه صادقی", (Role.FOLLOWUP,), 0.0),
    ("followup2", "علیرضا میرلوحی", (Role.FOLLOWUP,), 0.0),
    ("followup3", "نرگس طاهری", (Role.FOLLOWUP,), 0.0),
    ("surveyor1", "الهام شریفی", (Role.SURVEYOR,), 0.0),
    ("surveyor2", "امیر نیلفروشان", (Role.SURVEYOR,), 0.0),
    ("notifier1", "لیلا کلباسی", (Role.NOTIFIER,), 0.0),
    ("supervisor", "محمدرضا یزدانی", (Role.SUPERVISOR,), 0.1),
    ("admin", "حمید فلاحی", (Role.ADMIN,), 0.0),
    ("rural", "اکبر خوراسگانی",
     (Role.AGENT, Role.FOLLOWUP, Role.SURVEYOR, Role.NOTIFIER), 0.3),
]  # fmt: skip

MALE_NAMES = _words(
    "علی محمد حسین رضا مهدی حسن امیر سعید مجید احمد مصطفی جواد محسن حمید مرتضی ابوالفضل امین "
    "عباس محمدرضا علیرضا حمیدرضا مسعود داوود بهروز فرهاد کامران سیاوش پرویز یوسف اکبر اصغر "
    "ناصر هادی وحید میلاد پوریا آرش بابک کیوان اسماعیل"
)
FEMALE_NAMES = _words(
    "فاطمه زهرا مریم معصومه زینب سمیه لیلا نرگس الهام مینا سارا نازنین فرزانه طاهره اعظم منیژه "
    "پروین شهلا مهناز فریبا نسرین رویا سپیده نگار ریحانه کوثر هانیه آزاده شیرین مهسا پریسا هدیه "
    "اکرم صدیقه بتول ملیحه راضیه سحر نیلوفر آتنا"
)
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
UNIT_ANSWERS: dict[str, list[str]] = {
    "pipe_burst": ["لوله شکسته تعویض و آب‌رسانی برقرار شد", "محل شکستگی با بست تعمیر شد"],
    "branch_leak": ["انشعاب بازسازی و نشت برطرف شد", "شیر انشعاب تعویض شد"],
    "water_cutoff": ["علت قطعی رفع و آب وصل شد", "شیر فلکه محله باز و آب برقرار شد"],
    "low_pressure": ["فشار شبکه تنظیم شد", "لوله رسوب‌گرفته انشعاب تعویض شد"],
    "water_quality": ["نمونه‌برداری انجام شد؛ شبکه شست‌وشو و کیفیت آب در حد استاندارد است"],
    "meter_leak": ["اتصالات کنتور تعویض و نشت رفع شد"],
    "sewer_blockage": ["گرفتگی با دستگاه لایروبی رفع شد", "انشعاب فاضلاب شست‌وشو شد"],
    "manhole_overflow": ["خط فاضلاب لایروبی و سرریز برطرف شد"],
    "manhole_cover": ["دریچه منهول نو نصب شد"],
    "street_water": ["منشأ آب (نشت انشعاب همسایه) پیدا و تعمیر شد"],
    "bill_dispute": ["قبض بررسی و اصلاح شد", "کنتور سالم است؛ مصرف واقعی و قبض درست است"],
    "meter_reading": ["کنتور قرائت و قبض اصلاحی صادر شد"],
    "meter_replacement": ["کنتور معیوب تعویض شد"],
    "new_connection": ["بازدید انجام و هزینه انشعاب به متقاضی اعلام شد"],
    "name_usage_change": ["تغییر نام در سامانه مشترکین ثبت شد"],
    "debt_cutoff": ["پرداخت تأیید و آب وصل شد"],
    "street_repair": ["نوار حفاری آسفالت شد"],
    "illegal_connection": ["بازدید انجام و انشعاب غیرمجاز جمع‌آوری شد"],
    "staff_complaint": ["موضوع با همکار مربوط بررسی و تذکر داده شد"],
    "suggestion": ["پیشنهاد به واحد مربوط منتقل شد"],
}
SURVEY_COMMENTS = [
    "از پیگیری شما ممنونم",
    "اکیپ دیر رسید ولی کار را خوب انجام داد",
    "برخورد مأمور بسیار محترمانه بود",
    "آسفالت کوچه هنوز ترمیم نشده است",
    "لطفاً قطعی‌ها را زودتر اطلاع دهید",
    "کارشناس تلفنی صبور و مؤدب بود",
    "چند بار تماس گرفتم تا رسیدگی شد",
]
ANSWER_NOTES = [
    "پاسخ داده شد",
    "راهنمایی شد",
    "اطلاعات لازم داده شد",
]

_ROLE_FOLLOWUP = "followup"
_ROLE_SURVEYOR = "surveyor"
_ROLE_NOTIFIER = "notifier"
_ROLE_SUPERVISOR = "supervisor"

_S = TicketStatus


class DemoError(DatabaseError):
    """The demo cannot be built here (e.g. the database holds a real center's data)."""


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


def demo_password(username: str) -> str:
    return f"demo-{username}"


def demo_accounts() -> list[tuple[str, tuple[str, ...], str]]:
    """The demo accounts as (username, roles, password); the same for every seed."""
    return [
        (username, tuple(r.value for r in roles), demo_password(username))
        for username, _name, roles, _weight in AGENTS
    ]


# argon2 is slow on purpose: hash each demo password once per process.
_HASHES: dict[str, str] = {}


def _password_hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


def uuid7_from(rng: random.Random, ts: float) -> uuid.UUID:
    """A valid UUIDv7 whose timestamp is ``ts`` (Unix seconds) and whose random bits are
    drawn from ``rng``: deterministic for a seeded generator, time-ordered like any v7."""
    # Milliseconds of the same microsecond-rounded instant `_dt(ts)` stores.
    ms = (_dt(ts) - _EPOCH) // _MILLISECOND
    rand = rng.getrandbits(74)
    value = (
        (ms & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76
        | (rand >> 62) << 64
        | 0b10 << 62
        | (rand & 0x3FFF_FFFF_FFFF_FFFF)
    )
    return uuid.UUID(int=value)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


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


# --------------------------------------------------------------------------------------------
# Plan records (plain Python, turned into rows only while writing)
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Cat:
    idx: int
    seed: catalog_seed.CategorySeed
    id: uuid.UUID
    response_s: float
    resolution_s: float


@dataclass(slots=True)
class _Sub:
    id: uuid.UUID
    name: str
    district: int
    street: int  # index into self.streets
    address: str
    phones: list[str]
    active: bool


@dataclass(slots=True)
class _Call:
    ts: float
    dur: int
    outcome: str
    channel: str
    agent: int
    sub: int
    phone: str | None
    cat: int
    incident: int = -1  # linked to this incident
    origin_of: int = -1  # the first report of this incident
    ticket: int = -1
    notes: str = ""
    wants_callback: bool = False
    id: uuid.UUID | None = None


@dataclass(slots=True)
class _Event:
    ts: float
    action: str
    frm: str | None
    to: str
    actor: int
    unit: int = -1
    note: str = ""
    data: dict[str, Any] | None = None


@dataclass(slots=True)
class _Attempt:
    ts: float
    outcome: str
    agent: int


@dataclass(slots=True)
class _Survey:
    started: float
    completed: float | None
    agent: int
    answers: list[tuple[str, int | None, str]]


@dataclass(slots=True)
class _Callback:
    ticket: int
    created: float
    due: float
    agent: int
    script: str
    opened_by: int  # index of the feedback_queued event
    closed_by: int  # index of the event that ends it (closed / reopened), -1 if none yet
    attempts: list[_Attempt]
    survey: _Survey | None = None
    status: str = CallbackStatus.DUE
    closed: float | None = None
    id: uuid.UUID | None = None


@dataclass(slots=True)
class _Ticket:
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
    incident: int = -1
    duplicate_of: int = -1
    invalid: bool = False
    events: list[_Event] = field(default_factory=list)
    callbacks: list[_Callback] = field(default_factory=list)
    status: str = TicketStatus.REGISTERED
    kind: str = TicketKind.REQUEST
    year: int = 0
    seq: int = 0
    code: str = ""
    id: uuid.UUID | None = None


@dataclass(slots=True)
class _Incident:
    id: uuid.UUID
    kind: str
    status: str
    title: str
    message: str
    unit: int
    district: int
    street: int
    declared_by: int
    started: float
    declared: float
    eta: float
    closed: float | None
    version: int
    events: list[tuple[float, int, str, str, dict[str, Any]]]
    calls_from: float
    calls_until: float


# --------------------------------------------------------------------------------------------


def _weighted(pairs: Iterable[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    values, cum, total = [], [], 0.0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum


def _batched(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    it = iter(rows)
    while batch := tuple(itertools.islice(it, CHUNK)):
        yield batch


def _sqlite_datetime(value: datetime) -> str:
    # What SQLAlchemy's SQLite DateTime stores (always with microseconds, so stored values
    # and query parameters compare as strings), after UTCDateTime made it naive UTC.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


Converter = Callable[[Any], Any] | None


def _column_converters(table: sa.Table, dialect: str) -> list[tuple[str, Converter]]:
    """Per column, how a Python value becomes what the driver is given, the same as the
    column's SQLAlchemy type would make it."""
    sqlite = dialect == "sqlite"
    if not sqlite:
        from psycopg.types.json import Json
    out: list[tuple[str, Converter]] = []
    for column in table.columns:
        kind = column.type
        conv: Converter
        if isinstance(kind, AutoString):  # a String that only picks a length on MySQL
            kind = kind.impl_instance
        if isinstance(kind, UTCDateTime):
            conv = _sqlite_datetime if sqlite else None
        elif isinstance(kind, sa.Uuid):
            conv = operator.attrgetter("hex") if sqlite else None
        elif isinstance(kind, sa.JSON):
            conv = json.dumps if sqlite else Json
        elif isinstance(kind, sa.Boolean):
            conv = int if sqlite else None
        elif isinstance(kind, (sa.Integer, sa.String)):
            conv = None
        else:
            raise TypeError(f"bulk_insert cannot write {table.name}.{column.name} ({kind!r})")
        out.append((column.name, conv))
    return out


def bulk_insert(conn: sa.Connection, table: sa.Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert rows (every column given) in the caller's transaction, the fastest way each
    engine offers: `executemany` on SQLite, `COPY ... FROM STDIN` on PostgreSQL.

    Values are converted exactly as the columns' SQLAlchemy types would convert them, so the
    rows read back and compare the same as rows written by `insert()`. Returns the count.
    """
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        rows = [dict(row) for row in rows]
        if rows:
            conn.execute(sa.insert(table), rows)
        return len(rows)
    converters = _column_converters(table, dialect)
    values = [
        [
            value if conv is None or value is None else conv(value)
            for name, conv in converters
            for value in (row[name],)
        ]
        for row in rows
    ]
    if not values:
        return 0
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name, _conv in converters)
    name = quote.format_table(table)
    cursor = conn.connection.driver_connection.cursor()
    try:
        if dialect == "sqlite":
            marks = ", ".join("?" * len(converters))
            cursor.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", values)
        else:
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
    finally:
        cursor.close()
    return len(values)


class _Builder:
    def __init__(
        self,
        engine: Engine,
        *,
        seed: int,
        subscribers: int,
        calls: int,
        now: datetime,
        report: Progress,
    ) -> None:
        self.engine = engine
        self.seed = seed
        self.n_subscribers = subscribers
        self.n_calls = calls
        self.now = now
        self.now_ts = now.timestamp()
        self.report = report
        self.sqlite = engine.dialect.name == "sqlite"

    def rng(self, stream: str) -> random.Random:
        return random.Random(f"abfa-demo:{self.seed}:{stream}")

    # -- writing -------------------------------------------------------------------------

    def insert(
        self,
        s: Session,
        model: Any,
        rows: Iterable[dict[str, Any]],
        *,
        stage: str | None = None,
        total: int = 0,
    ) -> None:
        """Insert ``rows`` in chunks: Core inserts, or `bulk_insert` for the big tables."""
        table = model.__table__
        bulk = table.name in BULK_TABLES
        conn = s.connection()
        done = 0
        for batch in _batched(rows):
            if bulk:
                bulk_insert(conn, table, batch)
            else:
                conn.execute(sa.insert(table), list(batch))
            done += len(batch)
            if stage:
                self.report(stage, done, max(total, done))
        if stage and not done:
            self.report(stage, 0, 0)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with open_session(self.engine) as s:
            if self.sqlite:
                # Index pages of a million rows do not fit SQLite's default 2 MB cache.
                s.connection().exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            try:
                yield s
            finally:
                if self.sqlite:
                    s.connection().exec_driver_sql("PRAGMA cache_size=-2000")

    def refuse_foreign_data(self, codes: Iterable[str]) -> None:
        foreign = sorted(c for c in codes if c != DEMO_CENTER_CODE)
        if foreign:
            raise DemoError(
                f"refusing to build demo data: the database at "
                f"{self.engine.url.render_as_string(hide_password=True)} holds centers "
                f"{', '.join(foreign)}; use an empty or demo database"
            )

    def wipe(self) -> None:
        """Delete every row of every table, children first, in one transaction."""
        tables = list(reversed(metadata.sorted_tables))
        if not self.sqlite:
            with open_session(self.engine) as s:
                conn = s.connection()
                self.refuse_foreign_data(conn.execute(sa.select(Center.code)).scalars())
                quote = conn.dialect.identifier_preparer
                conn.exec_driver_sql(f"TRUNCATE {', '.join(quote.format_table(t) for t in tables)}")
            return
        # SQLite checks each deleted parent row for children, and a child column without an
        # index (tickets.duplicate_of_id) makes that a scan per row: hours for a big demo.
        # Every row goes, so the checks are switched off, outside the transaction as SQLite
        # requires, for this connection only.
        raw = self.engine.raw_connection()
        try:
            db = raw.driver_connection
            db.execute("PRAGMA foreign_keys=OFF")
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    self.refuse_foreign_data(c for (c,) in db.execute("SELECT code FROM centers"))
                    for table in tables:
                        db.execute(f'DELETE FROM "{table.name}"')
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            finally:
                db.execute("PRAGMA foreign_keys=ON")
        finally:
            raw.close()

    # -- the whole build -------------------------------------------------------------------

    def run(self) -> None:
        self.report("reference data", 0, 1)
        self.plan_reference()
        self.wipe()
        with self.transaction() as s:
            self.write_reference(s)
        self.report("reference data", 1, 1)

        self.plan_subscribers()
        with self.transaction() as s:
            self.write_subscribers(s)

        self.plan_incidents()
        self.plan_calls()
        self.plan_tickets()
        with self.transaction() as s:
            self.write_incidents(s)
            self.write_tickets(s)
        with self.transaction() as s:
            self.write_calls(s)
        with self.transaction() as s:
            self.write_feedback(s)
            self.write_notices(s)
            self.insert(s, CenterSetting, [self.demo_setting()])

    # -- reference data ----------------------------------------------------------------------

    def plan_reference(self) -> None:
        rng = self.rng("reference")
        # The center was set up 200 days ago; its reference rows one second apart.
        self.setup_ts = math.floor(self.now_ts - 200 * DAY)
        tick = itertools.count()

        def new_id() -> tuple[uuid.UUID, datetime]:
            ts = self.setup_ts + next(tick)
            return uuid7_from(rng, ts), _dt(ts)

        self.center_id, self.setup_at = new_id()
        self.districts = []
        for code, fa, en, share in DISTRICTS:
            did, at = new_id()
            self.districts.append((did, code, fa, en, share, at))
        self.district_index = {d[1]: i for i, d in enumerate(self.districts)}
        # streets: (district index, fa, en, key)
        self.streets: list[tuple[int, str, str, str]] = []
        self.district_streets: list[list[int]] = []
        for di, (_did, code, *_rest) in enumerate(self.districts):
            idxs = []
            for fa, en in STREETS[code]:
                idxs.append(len(self.streets))
                self.streets.append((di, fa, en, search_key(fa)))
            self.district_streets.append(idxs)

        self.units = []
        self.unit_of_kind_district: dict[tuple[str, int], int] = {}
        for ui, (code, kind, fa, en, served, phone) in enumerate(UNITS):
            uid, at = new_id()
            districts = [self.district_index[c] for c in served] if served else None
            self.units.append((uid, code, kind, fa, en, phone, at, districts))
            for di in districts if districts is not None else range(len(self.districts)):
                self.unit_of_kind_district.setdefault((kind.value, di), ui)
        self.unit_of_kind = {}
        for ui, unit in enumerate(self.units):
            self.unit_of_kind.setdefault(unit[2].value, ui)

        self.calendars = {}
        open_share = {}
        for cal in catalog_seed.CALENDARS:
            cid, at = new_id()
            self.calendars[cal.code] = (cid, cal, at)
            if cal.always_open:
                open_share[cal.code] = 1.0
            else:
                week = sum(
                    (c.hour * 60 + c.minute) - (o.hour * 60 + o.minute)
                    for o, c in cal.hours.values()
                )
                open_share[cal.code] = week / (7 * 24 * 60)
        self.holidays = catalog_seed.holiday_dates(catalog_seed.HOLIDAYS_1405)
        self.holiday_ids = [new_id() for _ in self.holidays]

        self.cats: list[_Cat] = []
        for i, c in enumerate(catalog_seed.CATEGORIES):
            cid, _at = new_id()
            share = open_share[c.calendar]
            self.cats.append(
                _Cat(i, c, cid, c.response_minutes * 60 / share, c.resolution_minutes * 60 / share)
            )
        self.cat_index = {c.seed.code: c.idx for c in self.cats}
        self.canned = [(new_id(), a) for a in catalog_seed.CANNED_ANSWERS]

        self.agents = []
        for username, full_name, roles, weight in AGENTS:
            aid, at = new_id()
            self.agents.append((aid, username, full_name, roles, weight, at))
        self.role_pool: dict[str, list[int]] = {}
        for ai, agent in enumerate(self.agents):
            for role in agent[3]:
                self.role_pool.setdefault(role.value, []).append(ai)
        # The rural colleague helps the provincial desk now and then.
        self.rural = next(i for i, a in enumerate(self.agents) if a[1] == "rural")
        self.desk_agents, self.desk_cum = _weighted(
            (i, a[4]) for i, a in enumerate(self.agents) if a[4] > 0
        )
        self.supervisor = self.role_pool[Role.SUPERVISOR.value][0]
        self.notifier = self.role_pool[Role.NOTIFIER.value][0]

        q = catalog_seed.DEFAULT_QUESTIONNAIRE
        self.questionnaire_id, _ = new_id()
        self.question_ids = {qs.code: new_id()[0] for qs in q.questions}
        self.templates = {}
        for t in catalog_seed.NOTICE_TEMPLATES:
            self.templates[(t.code, t.channel.value)] = (new_id()[0], t)
        self.ref_rng = rng

    def pick_role(self, rng: random.Random, role: str) -> int:
        pool = self.role_pool[role]
        # The rural colleague (last in every pool he is in) does a small share.
        if len(pool) > 1 and pool[-1] == self.rural and rng.random() < 0.9:
            return pool[rng.randrange(len(pool) - 1)]
        return pool[rng.randrange(len(pool))]

    def write_reference(self, s: Session) -> None:
        c = CENTER
        setup = self.setup_at
        self.insert(
            s,
            Center,
            [
                dict(
                    id=self.center_id,
                    code=c["code"],
                    number=c["number"],
                    name_fa=c["name_fa"],
                    name_en=c["name_en"],
                    kind=c["kind"].value,
                    active=True,
                    created_at=setup,
                    updated_at=setup,
                )
            ],
        )
        cid = self.center_id
        self.insert(
            s,
            District,
            [
                dict(id=d[0], center_id=cid, code=d[1], name_fa=d[2], name_en=d[3], active=True,
                     updated_at=d[5])
                for d in self.districts
            ],
        )  # fmt: skip
        self.insert(
            s,
            Unit,
            [
                dict(id=u[0], center_id=cid, code=u[1], kind=u[2].value, name_fa=u[3],
                     name_en=u[4], phone=u[5], active=True, updated_at=u[6])
                for u in self.units
            ],
        )  # fmt: skip
        self.insert(
            s,
            UnitDistrict,
            [
                dict(unit_id=u[0], district_id=self.districts[di][0])
                for u in self.units
                for di in (u[7] if u[7] is not None else range(len(self.districts)))
            ],
        )
        self.insert(
            s,
            Calendar,
            [
                dict(id=cal_id, center_id=cid, code=cal.code, name_fa=cal.name_fa,
                     name_en=cal.name_en, always_open=cal.always_open, updated_at=at)
                for cal_id, cal, at in self.calendars.values()
            ],
        )  # fmt: skip
        self.insert(
            s,
            CalendarHours,
            [
                dict(calendar_id=cal_id, weekday=wd, opens=o, closes=cl)
                for cal_id, cal, _at in self.calendars.values()
                for wd, (o, cl) in sorted(cal.hours.items())
            ],
        )
        office_id = self.calendars["office"][0]
        self.insert(
            s,
            Holiday,
            [
                dict(id=hid, calendar_id=office_id, day=day, name=name)
                for (day, name), (hid, _at) in zip(self.holidays, self.holiday_ids, strict=True)
            ],
        )
        self.insert(s, Category, [self.category_row(c) for c in self.cats])
        self.insert(
            s,
            CannedAnswer,
            [
                dict(
                    id=aid,
                    center_id=cid,
                    code=a.code,
                    category_id=self.cats[self.cat_index[a.category]].id if a.category else None,
                    title_fa=a.title_fa,
                    title_en=a.title_en,
                    body_fa=a.body_fa,
                    body_en=a.body_en,
                    search_key=search_key(a.search_text()),
                    active=True,
                    updated_at=at,
                )
                for (aid, at), a in self.canned
            ],
        )
        self.insert(
            s,
            Agent,
            [
                dict(id=a[0], center_id=cid, username=a[1], full_name=a[2],
                     password_hash=_password_hash(demo_password(a[1])), active=True,
                     failed_attempts=0, locked_until=None, last_sign_in_at=None, language=None,
                     created_at=a[5], updated_at=a[5])
                for a in self.agents
            ],
        )  # fmt: skip
        self.insert(
            s,
            AgentRole,
            [
                dict(agent_id=a[0], role=role.value)
                for a in self.agents
                for role in sorted(a[3], key=lambda r: r.value)
            ],
        )
        self.insert(
            s,
            AuditEntry,
            [
                dict(id=uuid7_from(self.ref_rng, a[5].timestamp()), center_id=cid, at=a[5],
                     actor_id=None, action="user_added", entity="agent", entity_id=str(a[0]),
                     changes={"username": [None, a[1]],
                              "roles": [None, sorted(r.value for r in a[3])]},
                     detail="demo")
                for a in self.agents
            ],
        )  # fmt: skip
        q = catalog_seed.DEFAULT_QUESTIONNAIRE
        self.insert(
            s,
            Questionnaire,
            [
                dict(id=self.questionnaire_id, center_id=cid, code=q.code, name_fa=q.name_fa,
                     name_en=q.name_en, category_groups=list(q.category_groups), active=True,
                     updated_at=setup)
            ],
        )  # fmt: skip
        self.insert(
            s,
            Question,
            [
                dict(id=self.question_ids[qs.code], questionnaire_id=self.questionnaire_id,
                     position=i + 1, code=qs.code, text_fa=qs.text_fa, text_en=qs.text_en,
                     scale=qs.scale.value, reopens_on_no=qs.reopens_on_no)
                for i, qs in enumerate(q.questions)
            ],
        )  # fmt: skip
        self.insert(
            s,
            NoticeTemplate,
            [
                dict(id=tid, center_id=cid, code=t.code, channel=t.channel.value, name=t.name,
                     body=t.body, active=True, updated_at=setup)
                for tid, t in self.templates.values()
            ],
        )  # fmt: skip

    def category_row(self, c: _Cat) -> dict[str, Any]:
        seed = c.seed
        unit = self.unit_of_kind.get(seed.unit_kind.value) if seed.unit_kind else None
        return dict(
            id=c.id,
            center_id=self.center_id,
            code=seed.code,
            name_fa=seed.name_fa,
            name_en=seed.name_en,
            search_key=search_key(seed.search_text()),
            group=seed.group.value,
            emergency=seed.emergency,
            priority=seed.priority,
            needs_request=seed.needs_request,
            default_unit_id=self.units[unit][0] if unit is not None else None,
            calendar_id=self.calendars[seed.calendar][0],
            response_minutes=seed.response_minutes,
            resolution_minutes=seed.resolution_minutes,
            required_fields=list(seed.required_fields),
            sort_order=c.idx,
            active=True,
            updated_at=self.setup_at,
        )

    def demo_setting(self) -> dict[str, Any]:
        return dict(
            center_id=self.center_id,
            key="demo",
            value={
                "seed": self.seed,
                "now": self.now.isoformat(),
                "subscribers": self.n_subscribers,
                "calls": self.n_calls,
                "holidays": "demo list of 1405 (lunar dates approximate), see db.catalog_seed",
            },
            updated_at=self.now,
        )

    # -- subscribers -----------------------------------------------------------------------

    def person_name(self, rng: random.Random, district: int, last: str | None = None) -> str:
        armenian = self.districts[district][1] == "JLF" and rng.random() < 0.25
        female = rng.random() < 0.42
        if armenian:
            first = rng.choice(ARMENIAN_FEMALE if female else ARMENIAN_MALE)
            last = last or rng.choice(ARMENIAN_LAST)
        else:
            first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
            last = last or rng.choice(LAST_NAMES)
        return f"{first} {last}"

    def address(self, rng: random.Random, district: int, street: int) -> str:
        if rng.random() < 0.7:
            alley = f"کوچه {to_persian_digits(str(rng.randint(1, 60)))}"
        else:
            alley = f"کوچه {rng.choice(NAMED_ALLEYS)}"
        plate = to_persian_digits(str(rng.randint(1, 250)))
        return f"{self.districts[district][2]}، {self.streets[street][1]}، {alley}، پلاک {plate}"

    def random_place(self, rng: random.Random) -> tuple[int, int, str]:
        district = rng.choices(range(len(self.districts)), cum_weights=self.district_cum)[0]
        street = rng.choice(self.district_streets[district])
        return district, street, self.address(rng, district, street)

    def mobile(self, rng: random.Random) -> str:
        prefix = rng.choices(self.mobile_prefixes, cum_weights=self.mobile_cum)[0]
        return f"0{prefix}{rng.randrange(10**7):07d}"

    def unique_phone(self, rng: random.Random, landline: bool = False) -> str:
        while True:
            phone = f"{AREA_CODE}3{rng.randrange(10**7):07d}" if landline else self.mobile(rng)
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def plan_subscribers(self) -> None:
        rng = self.rng("subscribers")
        self.mobile_prefixes, self.mobile_cum = _weighted(MOBILE_PREFIXES)
        _, self.district_cum = _weighted((i, d[4]) for i, d in enumerate(self.districts))
        self.used_phones: set[str] = set()
        bill_ids: set[str] = set()
        self.subs: list[_Sub] = []
        self.sub_rows: list[dict[str, Any]] = []
        self.phone_rows: list[tuple[int, str, str]] = []  # (subscriber, phone, kind)
        imported = self.setup_ts + 3600  # imported from billing an hour after setup
        subscription_no = 10_000_000
        usages, usage_cum = _weighted(
            [("residential", 86), ("commercial", 10), ("public", 2.5), ("industrial", 1.5)]
        )
        for i in range(self.n_subscribers):
            district, street, address = self.random_place(rng)
            family = self.subs and rng.random() < 0.04
            relative = self.subs[rng.randrange(len(self.subs))] if family else None
            last = relative.name.split(" ", 1)[1] if relative else None
            name = self.person_name(rng, district, last)
            subscription_no += rng.randint(1, 40)
            while True:
                bill_id = make_bill_id(rng)
                if bill_id not in bill_ids:
                    bill_ids.add(bill_id)
                    break
            ts = imported + i * 0.01
            sid = uuid7_from(rng, ts)
            at = _dt(ts)
            phones: list[str] = []
            if relative is not None:
                phones.append(relative.phones[0])  # a family shares the house phone
            if not phones or rng.random() < 0.5:
                phones.append(self.unique_phone(rng, landline=rng.random() < 0.08))
            if rng.random() < 0.15:
                phones.append(self.unique_phone(rng, landline=rng.random() < 0.6))
            active = rng.random() > 0.01
            sub = _Sub(sid, name, district, street, address, phones, active)
            self.subs.append(sub)
            for phone in phones:
                kind = "mobile" if phone.startswith("09") else "landline"
                self.phone_rows.append((i, phone, kind))
            self.sub_rows.append(
                dict(
                    id=sid,
                    center_id=self.center_id,
                    subscription_no=str(subscription_no),
                    bill_id=bill_id,
                    national_code=make_national_code(rng) if rng.random() < 0.92 else None,
                    name=name,
                    name_key=search_key(name),
                    district_id=self.districts[district][0],
                    street=self.streets[street][1],
                    street_key=self.streets[street][3],
                    address=address,
                    postal_code=f"81{rng.randrange(10**8):08d}" if rng.random() < 0.8 else None,
                    usage=rng.choices(usages, cum_weights=usage_cum)[0],
                    active=active,
                    created_at=at,
                    updated_at=at,
                )
            )
        self.subs_by_district: list[list[int]] = [[] for _ in self.districts]
        self.subs_by_street: dict[int, list[int]] = {}
        for i, sub in enumerate(self.subs):
            self.subs_by_district[sub.district].append(i)
            self.subs_by_street.setdefault(sub.street, []).append(i)
        # A tenth of the subscribers make a quarter of the calls.
        order = list(range(len(self.subs)))
        rng.shuffle(order)
        self.frequent = order[: max(1, len(order) // 10)]

    def write_subscribers(self, s: Session) -> None:
        n = len(self.sub_rows)
        self.insert(s, Subscriber, self.sub_rows, stage="subscribers", total=n)
        rng = self.rng("subscriber-phones")
        imported = self.setup_ts + 3600
        rows = (
            dict(
                id=uuid7_from(rng, imported + sub * 0.01),
                center_id=self.center_id,
                subscriber_id=self.subs[sub].id,
                phone=phone,
                kind=kind,
            )
            for sub, phone, kind in self.phone_rows
        )
        self.insert(s, SubscriberPhone, rows, stage="phones", total=len(self.phone_rows))
        del self.sub_rows

    # -- incidents -------------------------------------------------------------------------

    def plan_incidents(self) -> None:
        rng = self.rng("incidents")
        self.incidents: list[_Incident] = []
        now = self.now_ts
        # An active main break in Mardavij, started five hours ago.
        district = self.district_index["MRD"]
        street = next(i for i, s in enumerate(self.streets) if s[2] == "Mardavij Blvd.")
        extra_street = next(i for i, s in enumerate(self.streets) if s[2].startswith("Sheikh Sa"))
        started = math.floor((now - 5 * HOUR) / 300) * 300
        declared = started + 20 * MINUTE
        first_eta = math.ceil((now + HOUR) / 1800) * 1800
        eta = first_eta + 2 * HOUR
        unit = self.unit_of_kind_district[(UnitKind.WATER_OPS.value, district)]
        district_fa = self.districts[district][2]
        street_fa = self.streets[street][1]
        extra_fa = self.streets[extra_street][1]
        eta_text = format_time(_dt(eta), "fa")
        supervisor = self.supervisor
        self.incidents.append(
            _Incident(
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
                version=3,
                events=[
                    (declared, supervisor, "declared", "حادثه اعلام شد",
                     {"eta": _dt(first_eta).isoformat()}),
                    (started + 2 * HOUR + 10 * MINUTE, supervisor, "eta_changed",
                     "تعویض قطعه لوله بیش از پیش‌بینی زمان می‌برد",
                     {"from": _dt(first_eta).isoformat(), "to": _dt(eta).isoformat()}),
                    (started + 2 * HOUR + 15 * MINUTE, self.notifier, "message_changed",
                     "پیام عمومی با زمان جدید به‌روز شد", {}),
                ],
                calls_from=declared,
                calls_until=now - 60,
            )
        )  # fmt: skip
        # A planned cut-off in Hezar Jarib 25 days ago, 08:00-14:00 Tehran time, now closed.
        district = self.district_index["HZJ"]
        extra_street = next(i for i, s in enumerate(self.streets) if s[2] == "Daneshgah St.")
        day = (self.now.astimezone(TEHRAN) - timedelta(days=25)).date()
        start = datetime(day.year, day.month, day.day, 8, tzinfo=TEHRAN).timestamp()
        end = start + 6 * HOUR
        closed = end - 20 * MINUTE
        declared = start - 2 * DAY + 2 * HOUR
        unit = self.unit_of_kind_district[(UnitKind.WATER_OPS.value, district)]
        district_fa = self.districts[district][2]
        extra_fa = self.streets[extra_street][1]
        date_fa = format_date(_dt(start), "fa")
        self.incidents.append(
            _Incident(
                id=uuid7_from(rng, declared),
                kind=IncidentKind.PLANNED_CUTOFF,
                status=IncidentStatus.CLOSED,
                title=f"قطعی برنامه‌ریزی‌شده {district_fa} برای اصلاح شبکه",
                message=(
                    f"به علت عملیات اصلاح شبکه، آب محله {district_fa} و {extra_fa} روز {date_fa} "
                    f"از ساعت {format_time(_dt(start), 'fa')} تا "
                    f"{format_time(_dt(end), 'fa')} قطع است."
                ),
                unit=unit,
                district=district,
                street=extra_street,
                declared_by=supervisor,
                started=start,
                declared=declared,
                eta=end,
                closed=closed,
                version=3,
                events=[
                    (declared, supervisor, "declared", "قطعی برنامه‌ریزی‌شده ثبت شد",
                     {"eta": _dt(end).isoformat()}),
                    (declared + 3 * HOUR, self.notifier, "notice_sent",
                     "پیامک اطلاع‌رسانی به مشترکان محدوده ارسال شد", {}),
                    (closed, supervisor, "closed", "عملیات پایان یافت و آب وصل شد", {}),
                ],
                calls_from=start,
                calls_until=closed,
            )
        )  # fmt: skip

    def write_incidents(self, s: Session) -> None:
        cid = self.center_id
        rng = self.rng("incident-rows")
        self.insert(
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
                    unit_id=self.units[inc.unit][0],
                    declared_by_id=self.agents[inc.declared_by][0],
                    started_at=_dt(inc.started),
                    expected_restoration_at=_dt(inc.eta),
                    closed_at=_dt(inc.closed) if inc.closed else None,
                    notify_area_on_close=inc.kind == IncidentKind.PLANNED_CUTOFF,
                    version=inc.version,
                    updated_at=_dt(inc.events[-1][0]),
                )
                for inc in self.incidents
            ],
        )
        areas = []
        for inc in self.incidents:
            areas.append(
                dict(id=uuid7_from(rng, inc.declared), incident_id=inc.id,
                     district_id=self.districts[inc.district][0], street="", street_key="")
            )  # fmt: skip
            street = self.streets[inc.street]
            areas.append(
                dict(id=uuid7_from(rng, inc.declared), incident_id=inc.id, district_id=None,
                     street=street[1], street_key=street[3])
            )  # fmt: skip
        self.insert(s, IncidentArea, areas)
        self.insert(
            s,
            IncidentEvent,
            [
                dict(id=uuid7_from(rng, ts), center_id=cid, incident_id=inc.id, at=_dt(ts),
                     actor_id=self.agents[actor][0], action=action, note=note, data=data)
                for inc in self.incidents
                for ts, actor, action, note, data in inc.events
            ],
        )  # fmt: skip

    # -- calls -----------------------------------------------------------------------------

    def caller(self, rng: random.Random, district: int | None = None) -> tuple[int, str | None]:
        """(subscriber index or -1, phone) of someone calling, optionally from a district."""
        if rng.random() < 0.82 and self.subs:
            if district is not None and self.subs_by_district[district]:
                sub = rng.choice(self.subs_by_district[district])
            elif rng.random() < 0.25:
                sub = self.frequent[rng.randrange(len(self.frequent))]
            else:
                sub = rng.randrange(len(self.subs))
            phones = self.subs[sub].phones
            return sub, phones[rng.randrange(len(phones))]
        if self.unknown_pool and rng.random() < 0.3:
            return -1, rng.choice(self.unknown_pool)
        phone = self.unique_phone(rng)
        self.unknown_pool.append(phone)
        return -1, phone

    def plan_calls(self) -> None:
        rng = self.rng("calls")
        self.unknown_pool: list[str] = []
        total = self.n_calls
        n_active = min(total, max(6, min(1500, round(total * 0.012)))) if total >= 60 else 0
        n_planned = min(total - n_active, max(4, min(600, round(total * 0.006))))
        n_planned = n_planned if total >= 60 else 0
        n_normal = total - n_active - n_planned
        self.report("planning calls", 0, total)

        # Hourly slots over the history, weighted by hour of day, weekday, holidays, and a
        # summer peak (water shortage) fading towards now.
        start = self.now_ts - HISTORY_DAYS * DAY
        n_slots = HISTORY_DAYS * 24
        holidays = {d for d, _name in self.holidays}
        cum, acc = [], 0.0
        for k in range(n_slots):
            local = _dt(start + k * HOUR).astimezone(TEHRAN)
            w = HOURLY[local.hour] * WEEKLY[weekday_index(local)]
            if local.date() in holidays:
                w *= 0.6
            w *= 1.3 - 0.3 * k / n_slots
            acc += w
            cum.append(acc)
        slots = rng.choices(range(n_slots), cum_weights=cum, k=n_normal)
        times = sorted(start + k * HOUR + rng.random() * HOUR for k in slots)
        outcomes, outcome_cum = _weighted(OUTCOME_WEIGHTS)
        channels, channel_cum = _weighted(CHANNEL_WEIGHTS)
        cats = self.cat_index
        answered_cats, answered_cum = _weighted(
            (cats[c] if c else -1, w) for c, w in ANSWERED_WEIGHTS.items()
        )
        transferred_cats, transferred_cum = _weighted(
            (cats[c] if c else -1, w) for c, w in TRANSFERRED_WEIGHTS.items()
        )
        request_cats, request_cum = _weighted((cats[c], w) for c, w in REQUEST_WEIGHTS.items())
        canned_titles = [a.title_fa for _ids, a in self.canned]
        picked_outcomes = rng.choices(outcomes, cum_weights=outcome_cum, k=n_normal)
        picked_channels = rng.choices(channels, cum_weights=channel_cum, k=n_normal)
        picked_agents = rng.choices(self.desk_agents, cum_weights=self.desk_cum, k=n_normal)
        calls: list[_Call] = []
        lognorm = rng.lognormvariate
        for ts, outcome, channel, agent in zip(
            times, picked_outcomes, picked_channels, picked_agents, strict=True
        ):
            sub, phone = self.caller(rng)
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
                _Call(ts, dur, outcome, channel, agent, sub, phone, cat,
                      notes=notes, wants_callback=wants_callback)
            )  # fmt: skip
        # Calls about the incidents: the same question, many times.
        for ii, (inc, n) in enumerate(zip(self.incidents, (n_active, n_planned), strict=True)):
            span = max(60.0, inc.calls_until - inc.calls_from)
            for k in range(n):
                ts = inc.calls_from + span * rng.random() ** 1.6
                if rng.random() < 0.15:
                    sub, phone = self.caller(rng)
                    if sub >= 0 and self.subs[sub].district != inc.district:
                        sub, phone = -1, self.unique_phone(rng)
                else:
                    sub, phone = self.caller(rng, inc.district)
                channel = Channel.PHONE_122 if rng.random() < 0.85 else Channel.PHONE_1523
                agent = rng.choices(self.desk_agents, cum_weights=self.desk_cum)[0]
                dur = int(min(180, max(40, rng.lognormvariate(4.0, 0.3))))
                outcome = CallOutcome.LINKED_INCIDENT
                cat = cats["water_cutoff"]
                if ii == 0 and k == 0:
                    # The first report of the break: a request, later tied to the incident.
                    ts = inc.started + 3 * MINUTE
                    outcome, cat, dur = CallOutcome.REQUEST_REGISTERED, cats["pipe_burst"], 210
                    sub = (
                        rng.choice(self.subs_by_district[inc.district])
                        if self.subs_by_district[inc.district]
                        else sub
                    )
                    phone = self.subs[sub].phones[0] if sub >= 0 else phone
                linked = outcome == CallOutcome.LINKED_INCIDENT
                calls.append(
                    _Call(ts, dur, outcome, channel, agent, sub, phone, cat,
                          incident=ii if linked else -1, origin_of=-1 if linked else ii)
                )  # fmt: skip
        calls.sort(key=lambda c: c.ts)
        # Every call ends before now.
        for c in calls:
            if c.ts + c.dur > self.now_ts - 1:
                c.ts = self.now_ts - 1 - c.dur
        calls.sort(key=lambda c: c.ts)
        for c in calls:
            c.id = uuid7_from(rng, c.ts)
        self.calls = calls
        self.report("planning calls", total, total)

    # -- tickets ---------------------------------------------------------------------------

    def plan_tickets(self) -> None:
        rng = self.rng("tickets")
        tickets: list[_Ticket] = []
        opened: list[float] = []
        emergency_cats = {c.idx for c in self.cats if c.seed.emergency}
        for ci, call in enumerate(self.calls):
            if call.outcome == CallOutcome.LINKED_REQUEST:
                lo = bisect.bisect_left(opened, call.ts - 10 * DAY)
                hi = bisect.bisect_left(opened, call.ts - 600)
                if hi <= lo:
                    call.outcome = CallOutcome.ANSWERED
                    call.cat = self.cat_index["general_info"]
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
                sub = self.subs[call.sub]
                district, address = sub.district, sub.address
            else:
                district, _street, address = self.random_place(rng)
            if call.sub >= 0:
                caller_name = self.subs[call.sub].name
            else:
                caller_name = self.person_name(rng, district)
            kind = self.cats[cat].seed.unit_kind
            unit = (
                self.unit_of_kind_district.get((kind.value, district), self.unit_of_kind[kind])
                if kind
                else -1
            )
            t = _Ticket(
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
                description=rng.choice(DESCRIPTIONS[self.cats[cat].seed.code]),
                duplicate_of=duplicate_of,
                invalid=duplicate_of < 0 and rng.random() < 0.007,
            )
            t.incident = call.origin_of
            call.ticket = t.idx
            tickets.append(t)
            opened.append(t_open)
        self.tickets = tickets
        self.report("planning requests", 0, len(tickets))
        for t in tickets:
            self.story(rng, t, None)
        self.cover_statuses(rng)
        self.assign_tracking_years()
        self.report("planning requests", len(tickets), len(tickets))

    def cover_statuses(self, rng: random.Random) -> None:
        """Small demos too show every status: recent requests are re-told to end in the
        missing ones."""
        if not self.tickets:
            return
        present = {t.status for t in self.tickets}
        missing = [s for s in TicketStatus if s not in present]
        if not any(cb.status == CallbackStatus.DUE for t in self.tickets for cb in t.callbacks):
            # ... and a callback still to make.
            missing.append(TicketStatus.AWAITING_FEEDBACK)
        if not missing:
            return
        referenced = {t.duplicate_of for t in self.tickets if t.duplicate_of >= 0}
        candidates = [
            t for t in reversed(self.tickets)
            if t.ts < self.now_ts - 6 * HOUR and t.duplicate_of < 0 and t.incident < 0
            and t.idx not in referenced and t.phone is not None
        ]  # fmt: skip
        counts = Counter(t.status for t in self.tickets)
        for status in missing:
            while candidates:
                t = candidates.pop(0)
                if counts[t.status] > 1:
                    break
            else:
                return
            counts[t.status] -= 1
            t.invalid = status == TicketStatus.CANCELLED
            self.story(rng, t, status)
            counts[t.status] += 1

    def assign_tracking_years(self) -> None:
        """Jalali year of each request's opening, by the Tehran Nowruz instants."""
        y0 = jalali_year(_dt(self.tickets[0].ts if self.tickets else self.now_ts))
        bounds = [(jalali_month_range(y, 1)[0].timestamp(), y) for y in range(y0, y0 + 3)]
        starts = [b[0] for b in bounds]
        self.year_counts: Counter[int] = Counter()
        for t in self.tickets:
            t.year = bounds[bisect.bisect_right(starts, t.ts) - 1][1]
            self.year_counts[t.year] += 1

    # The life of one request, told as events (see TicketStatus and DOMAIN.md).

    def story(self, rng: random.Random, t: _Ticket, target: str | None) -> None:
        speed = 1.0
        for _attempt in range(24):
            events, callbacks = self.tell(rng, t, target, speed)
            if target is None:
                keep = sum(1 for e in events if e.ts < self.now_ts - 1)
                break
            keep = next(i for i, e in enumerate(events) if e.to == target) + 1
            if events[keep - 1].ts < self.now_ts - 120:
                break
            speed *= 0.5
        events = [e for e in events[:keep] if e.ts < self.now_ts - 1] or events[:1]
        keep = len(events)
        kept_callbacks = []
        for cb in callbacks:
            if cb.opened_by >= keep:
                continue
            if cb.closed_by >= keep or cb.closed_by < 0:
                # Not finished yet: only the failed attempts made before now are known.
                cb.attempts = [
                    a for a in cb.attempts
                    if a.ts < self.now_ts - 1 and a.outcome != AttemptOutcome.REACHED
                ][:2]  # fmt: skip
                cb.survey = None
                cb.status = CallbackStatus.DUE
                cb.closed = None
            kept_callbacks.append(cb)
        self.escalate(rng, t, events)
        t.events = events
        t.callbacks = kept_callbacks
        t.status = events[-1].to
        t.kind = (
            TicketKind.COMPLAINT
            if self.cats[t.cat].seed.complaint or any(e.action == "reopened" for e in events)
            else TicketKind.REQUEST
        )

    def tell(
        self, rng: random.Random, t: _Ticket, target: str | None, speed: float
    ) -> tuple[list[_Event], list[_Callback]]:
        cat = self.cats[t.cat]
        emergency = cat.seed.emergency
        R, T = cat.response_s, cat.resolution_s
        unit = t.unit
        call = self.calls[t.call]
        events: list[_Event] = []
        callbacks: list[_Callback] = []
        status: str | None = None

        def add(ts: float, action: str, to: str, actor: int, unit_: int = -1, note: str = "",
                data: dict[str, Any] | None = None) -> float:  # fmt: skip
            nonlocal status
            if events and ts <= events[-1].ts:
                ts = events[-1].ts + 1 + rng.random() * 30
            events.append(_Event(ts, action, status, to, actor, unit_, note, data))
            status = to
            return ts

        def gap(lo: float, hi: float) -> float:
            return speed * (lo + rng.random() * (hi - lo))

        followup = self.pick_role(rng, _ROLE_FOLLOWUP)
        ts = add(t.ts, "registered", _S.REGISTERED, call.agent, data={"call_id": str(call.id)})
        if t.duplicate_of >= 0 or t.invalid:
            ts += gap(5 * MINUTE, 40 * MINUTE) if emergency else gap(20 * MINUTE, 8 * HOUR)
            note = "" if t.duplicate_of >= 0 else "خارج از حوزه خدمات شرکت؛ ابطال شد"
            add(ts, "cancelled", _S.CANCELLED, followup, note=note,
                data={"duplicate_of": t.duplicate_of} if t.duplicate_of >= 0 else None)  # fmt: skip
            return events, callbacks

        stall_referred = target is None and rng.random() < 0.005
        stalled = target is None and rng.random() < 0.015
        pause = target == _S.PENDING_SUBSCRIBER or (
            target is None and rng.random() < (0.08 if emergency else 0.12)
        )
        reject = target == _S.REJECTED or (target is None and rng.random() < 0.08)
        callback_route = t.phone is not None and (
            target == _S.AWAITING_FEEDBACK or rng.random() < 0.35
        )
        unit_fa = self.units[unit][3] if unit >= 0 else ""
        field_work = emergency or cat.seed.code in ("street_repair", "illegal_connection")

        if emergency:
            ts = add(ts + gap(5, 90), "referred", _S.REFERRED, call.agent, unit,
                     f"ارجاع خودکار به {unit_fa}")  # fmt: skip
        else:
            ts = add(ts + gap(10 * MINUTE, 20 * HOUR), "referred", _S.REFERRED, followup, unit,
                     f"ارجاع به {unit_fa}")  # fmt: skip
        if stall_referred:
            return events, callbacks
        ts = add(max(ts + 60, t.ts + speed * R * (0.3 + rng.random() * 0.95)), "started",
                 _S.IN_PROGRESS, followup, unit,
                 "اکیپ اعزام شد" if field_work else "در دست بررسی واحد")  # fmt: skip
        if pause:
            ts = add(ts + gap(0.05 * T, 0.3 * T), "paused", _S.PENDING_SUBSCRIBER, followup,
                     note="مشترک در محل حضور نداشت؛ هماهنگی برای بازدید دوباره" if field_work
                     else "مدارک تکمیلی از مشترک خواسته شد")  # fmt: skip
            ts = add(ts + (gap(HOUR, 30 * HOUR) if emergency else gap(HOUR, 3 * DAY)),
                     "resumed", _S.IN_PROGRESS, followup, note="با مشترک هماهنگ شد")  # fmt: skip
        if stalled:
            return events, callbacks
        answers = UNIT_ANSWERS[cat.seed.code]
        answer = rng.choice(answers)
        ts = add(ts + max(10 * MINUTE, speed * T * rng.lognormvariate(math.log(0.35), 0.6)),
                 "answered", _S.UNIT_ANSWERED, followup, unit, answer)  # fmt: skip
        if reject:
            ts = add(ts + gap(20 * MINUTE, 6 * HOUR), "rejected", _S.REJECTED, followup, unit,
                     rng.choice(["پاسخ واحد کامل نیست؛ بازدید دوباره لازم است",
                                 "به گفته مشترک مشکل همچنان باقی است"]))  # fmt: skip
            ts = add(ts + gap(30 * MINUTE, 36 * HOUR), "referred", _S.REFERRED, followup, unit,
                     f"ارجاع دوباره به {unit_fa}")  # fmt: skip
            ts = add(ts + gap(0.1 * R, 0.8 * R) + 60, "started", _S.IN_PROGRESS, followup, unit,
                     "اکیپ دوباره اعزام شد" if field_work else "بررسی دوباره")  # fmt: skip
            answer = rng.choice(answers)
            ts = add(ts + max(10 * MINUTE, gap(0.1 * T, 0.5 * T)), "answered",
                     _S.UNIT_ANSWERED, followup, unit, answer)  # fmt: skip
        ts = add(ts + gap(10 * MINUTE, 8 * HOUR), "accepted", _S.ACCEPTED, followup,
                 note="پاسخ واحد تأیید شد")  # fmt: skip
        ts = add(ts + gap(MINUTE, 30 * MINUTE), "feedback_queued", _S.AWAITING_FEEDBACK, followup,
                 note="برای اعلام نتیجه به مشترک")  # fmt: skip
        if not callback_route:
            self.close_by_sms(rng, add, ts + gap(5 * MINUTE, 2 * HOUR), t)
            return events, callbacks

        surveyor = self.pick_role(rng, _ROLE_SURVEYOR)
        due = ts + gap(30 * MINUTE, 6 * HOUR)
        cb = _Callback(t.idx, ts, due, surveyor, answer, len(events) - 1, -1, [])
        callbacks.append(cb)
        failures = rng.choices([0, 1, 2, 3], cum_weights=[55, 80, 95, 100])[0]
        at = due + gap(0, 30 * MINUTE)
        for k in range(failures):
            outcome = rng.choice([AttemptOutcome.NO_ANSWER, AttemptOutcome.NO_ANSWER,
                                  AttemptOutcome.BUSY])  # fmt: skip
            cb.attempts.append(_Attempt(at, outcome, surveyor))
            if k < 2:
                at += gap(30 * MINUTE, 4 * HOUR)
        if failures == 3:
            cb.status = CallbackStatus.SMS_SENT
            cb.closed = add(at + 60, "closed", _S.CLOSED, surveyor,
                            note="پس از سه تماس ناموفق، نتیجه با پیامک اعلام شد",
                            data={"via": "sms"})  # fmt: skip
            cb.closed_by = len(events) - 1
            return events, callbacks
        cb.attempts.append(_Attempt(at, AttemptOutcome.REACHED, surveyor))
        cb.status = CallbackStatus.DONE
        end = at + gap(60, 180)
        if rng.random() < 0.75:
            resolved = rng.random() >= 0.07
            survey = self.survey(rng, at + 20, surveyor, resolved, emergency)
            cb.survey = survey
            end = (survey.completed or at + 60) + 30
            if not resolved:
                note = "مشترک در نظرسنجی گفت مشکل برطرف نشده؛ بازگشایی به‌عنوان شکایت"
                cb.closed = add(end, "reopened", _S.REFERRED, surveyor, unit, note)
                cb.closed_by = len(events) - 1
                note = "شکایت مشترک؛ پیگیری با مسئول واحد"
                ts = add(cb.closed + gap(MINUTE, 10 * MINUTE), "escalated", _S.REFERRED,
                         followup, note=note)  # fmt: skip
                ts = add(ts + gap(0.2 * R, R) + 60, "started", _S.IN_PROGRESS, followup, unit,
                         "بررسی دوباره")  # fmt: skip
                answer = rng.choice(answers)
                ts = add(ts + max(10 * MINUTE, gap(0.2 * T, 0.6 * T)), "answered",
                         _S.UNIT_ANSWERED, followup, unit, answer)  # fmt: skip
                ts = add(ts + gap(10 * MINUTE, 4 * HOUR), "accepted", _S.ACCEPTED, followup,
                         note="پاسخ واحد تأیید شد")  # fmt: skip
                ts = add(ts + gap(MINUTE, 30 * MINUTE), "feedback_queued",
                         _S.AWAITING_FEEDBACK, followup,
                         note="برای اعلام نتیجه به مشترک")  # fmt: skip
                self.close_by_sms(rng, add, ts + gap(5 * MINUTE, 2 * HOUR), t)
                return events, callbacks
        cb.closed = add(end, "closed", _S.CLOSED, surveyor,
                        note="نتیجه تلفنی به مشترک اعلام شد", data={"via": "callback"})  # fmt: skip
        cb.closed_by = len(events) - 1
        return events, callbacks

    def close_by_sms(self, rng: random.Random, add: Callable[..., float], ts: float,
                     t: _Ticket) -> None:  # fmt: skip
        if t.phone is None:
            add(ts, "closed", _S.CLOSED, self.pick_role(rng, _ROLE_FOLLOWUP),
                note="نتیجه حضوری به متقاضی اعلام شد", data={"via": "in_person"})  # fmt: skip
        else:
            add(ts, "closed", _S.CLOSED, self.pick_role(rng, _ROLE_NOTIFIER),
                note="نتیجه با پیامک به مشترک اعلام شد", data={"via": "sms"})  # fmt: skip

    def survey(self, rng: random.Random, ts: float, agent: int, resolved: bool,
               emergency: bool) -> _Survey:  # fmt: skip
        def score(base: float) -> int:
            return max(1, min(5, round(rng.gauss(base, 0.9))))

        good = 4.3 if resolved else 2.2
        answers: list[tuple[str, int | None, str]] = [("resolved", int(resolved), "")]
        if rng.random() < 0.05:  # hung up after the first question
            return _Survey(ts, None, agent, answers)
        answers.append(("on_time", score(good - (0.3 if emergency else 0.6)), ""))
        answers.append(("staff", score(4.5 if resolved else 3.5), ""))
        answers.append(("overall", score(good), ""))
        if rng.random() < 0.25:
            answers.append(("comment", None, rng.choice(SURVEY_COMMENTS)))
        return _Survey(ts, ts + 60 + rng.random() * 180, agent, answers)

    def escalate(self, rng: random.Random, t: _Ticket, events: list[_Event]) -> None:
        """Late requests climb: follow-up (1), supervisor (2), managing director's office (3).

        A request is late at a moment when its resolution target has passed and the unit has
        not answered (a paused clock does not count). A complaint reopened by a survey climbs
        one level too. Levels are numbered in time order, at most 3.
        """
        T = self.cats[t.cat].resolution_s
        due = t.ts + T
        late_statuses = (_S.REGISTERED, _S.REFERRED, _S.IN_PROGRESS, _S.REJECTED)
        reopened = next((e.ts for e in events if e.action == "reopened"), math.inf)
        times = [e.ts for e in events]
        for threshold in (due + 0.05 * T, due + 0.5 * T, due + 1.5 * T):
            at = threshold + rng.random() * 20 * MINUTE
            if at >= min(self.now_ts - 1, reopened):
                break
            i = bisect.bisect_right(times, at) - 1
            if i < 0 or events[i].to not in late_statuses:
                continue
            if i + 1 < len(events) and events[i + 1].ts <= at + 1:
                continue
            events.append(_Event(at, "escalated", events[i].to, events[i].to, -1))
        events.sort(key=lambda e: e.ts)
        level = 0
        notes = {
            1: "تأخیر در رسیدگی؛ پیگیری با مسئول واحد",
            2: "ارجاع به سرپرست مرکز",
            3: "گزارش به دفتر مدیرعامل",
        }
        for e in list(events):
            if e.action != "escalated":
                continue
            if level == 3:
                events.remove(e)
                continue
            level += 1
            e.data = {"level": level}
            if level == 1:
                if e.actor < 0:
                    e.actor = self.pick_role(rng, _ROLE_FOLLOWUP)
            else:
                e.actor = self.supervisor
            if not e.note or level > 1:
                e.note = notes[level] if not e.note else f"{e.note}؛ {notes[level]}"

    # -- writing requests ------------------------------------------------------------------

    def write_tickets(self, s: Session) -> None:
        center = CENTER["number"]
        # Numbers are drawn in the order requests were opened.
        in_order = sorted(self.tickets, key=lambda t: (t.ts, t.idx))
        for year in sorted(self.year_counts):
            first = reserve_tracking_range(
                s, center_id=self.center_id, year=year, count=self.year_counts[year]
            )
            for t in in_order:
                if t.year == year:
                    t.seq = first
                    t.code = format_tracking_code(center, year, first)
                    first += 1
        rng = self.rng("ticket-ids")
        for t in in_order:
            t.id = uuid7_from(rng, t.ts)
        n = len(in_order)
        self.insert(s, Ticket, (self.ticket_row(t) for t in in_order), stage="requests", total=n)
        # Events in time order, so their time-ordered ids land in index order.
        order = sorted(
            ((e.ts, t.idx, k) for t in self.tickets for k, e in enumerate(t.events)),
        )
        self.insert(
            s, TicketEvent, self.event_rows(order), stage="request events", total=len(order)
        )

    def ticket_row(self, t: _Ticket) -> dict[str, Any]:
        cat = self.cats[t.cat]
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
        claimed_by = claimed_until = None
        if (
            t.status in (_S.REFERRED, _S.IN_PROGRESS, _S.UNIT_ANSWERED, _S.REJECTED)
            and last.ts > self.now_ts - 20 * MINUTE
            and Role.FOLLOWUP in self.agents[last.actor][3]
        ):
            claimed_by = self.agents[last.actor][0]
            claimed_until = _dt(last.ts + 15 * MINUTE)
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
            unit_id=self.units[t.unit][0] if t.unit >= 0 else None,
            subscriber_id=self.subs[t.sub].id if t.sub >= 0 else None,
            district_id=self.districts[t.district][0],
            incident_id=self.incidents[t.incident].id if t.incident >= 0 else None,
            parent_id=None,
            duplicate_of_id=self.tickets[t.duplicate_of].id if t.duplicate_of >= 0 else None,
            phone=t.phone,
            caller_name=t.caller_name,
            address=t.address,
            description=t.description,
            opened_at=_dt(t.ts),
            referred_at=_dt(referred[-1]) if referred else None,
            response_due_at=_dt(t.ts + cat.response_s),
            resolution_due_at=_dt(t.ts + cat.resolution_s),
            unit_due_at=_dt(referred[-1] + cat.resolution_s) if referred else None,
            responded_at=_dt(started[0]) if started else None,
            resolved_at=_dt(answered[-1]) if done and answered else None,
            closed_at=_dt(last.ts) if t.status in (_S.CLOSED, _S.CANCELLED) else None,
            paused_at=_dt(paused_at) if t.status == _S.PENDING_SUBSCRIBER and paused_at else None,
            paused_seconds=int(paused),
            claimed_by_id=claimed_by,
            claimed_until=claimed_until,
            version=len(events),
            updated_at=_dt(last.ts),
        )

    def event_rows(self, order: list[tuple[float, int, int]]) -> Iterator[dict[str, Any]]:
        rng = self.rng("ticket-event-ids")
        cid = self.center_id
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
                center_id=cid,
                ticket_id=t.id,
                at=_dt(ts),
                actor_id=self.agents[e.actor][0],
                action=e.action,
                from_status=e.frm,
                to_status=e.to,
                unit_id=self.units[e.unit][0] if e.unit >= 0 else None,
                note=note,
                data=data,
            )

    def write_calls(self, s: Session) -> None:
        cid = self.center_id
        subs = self.subs
        cats = self.cats
        agents = self.agents
        tickets = self.tickets
        incidents = self.incidents

        def rows() -> Iterator[dict[str, Any]]:
            for c in self.calls:
                yield dict(
                    id=c.id,
                    center_id=cid,
                    channel=c.channel,
                    phone=c.phone,
                    subscriber_id=subs[c.sub].id if c.sub >= 0 else None,
                    agent_id=agents[c.agent][0],
                    category_id=cats[c.cat].id if c.cat >= 0 else None,
                    outcome=c.outcome,
                    ticket_id=tickets[c.ticket].id if c.ticket >= 0 else None,
                    incident_id=incidents[c.incident].id if c.incident >= 0 else None,
                    wants_callback=c.wants_callback,
                    notes=c.notes,
                    started_at=_dt(c.ts),
                    ended_at=_dt(c.ts + c.dur),
                )

        self.insert(s, Call, rows(), stage="calls", total=len(self.calls))

    # -- feedback --------------------------------------------------------------------------

    def write_feedback(self, s: Session) -> None:
        rng = self.rng("feedback-ids")
        callbacks = sorted(
            (cb for t in self.tickets for cb in t.callbacks), key=lambda cb: cb.created
        )
        for cb in callbacks:
            cb.id = uuid7_from(rng, cb.created)
        cid = self.center_id
        agents = self.agents
        tickets = self.tickets

        def callback_rows() -> Iterator[dict[str, Any]]:
            for cb in callbacks:
                t = tickets[cb.ticket]
                last = cb.attempts[-1].ts if cb.attempts else cb.created
                yield dict(
                    id=cb.id,
                    center_id=cid,
                    ticket_id=t.id,
                    incident_id=None,
                    subscriber_id=self.subs[t.sub].id if t.sub >= 0 else None,
                    phone=t.phone,
                    reason="ticket_result",
                    script=cb.script,
                    status=cb.status,
                    due_at=_dt(cb.due),
                    attempts=len(cb.attempts),
                    assigned_to_id=agents[cb.agent][0],
                    created_at=_dt(cb.created),
                    closed_at=_dt(cb.closed) if cb.closed else None,
                    version=1 + len(cb.attempts),
                    updated_at=_dt(max(last, cb.closed or 0)),
                )

        self.insert(s, Callback, callback_rows(), stage="callbacks", total=len(callbacks))
        attempts = sorted(
            ((a.ts, i, k) for i, cb in enumerate(callbacks) for k, a in enumerate(cb.attempts))
        )
        notes = {
            AttemptOutcome.NO_ANSWER: "پاسخ نداد",
            AttemptOutcome.BUSY: "مشغول بود",
            AttemptOutcome.REACHED: "نتیجه اعلام شد",
        }

        def attempt_rows() -> Iterator[dict[str, Any]]:
            for ts, i, k in attempts:
                a = callbacks[i].attempts[k]
                yield dict(
                    id=uuid7_from(rng, ts),
                    center_id=cid,
                    callback_id=callbacks[i].id,
                    agent_id=agents[a.agent][0],
                    at=_dt(ts),
                    outcome=a.outcome,
                    note=notes.get(a.outcome, ""),
                )

        self.insert(
            s, CallbackAttempt, attempt_rows(), stage="callback attempts", total=len(attempts)
        )
        surveyed = [cb for cb in callbacks if cb.survey is not None]
        surveyed.sort(key=lambda cb: cb.survey.started)
        survey_ids = [uuid7_from(rng, cb.survey.started) for cb in surveyed]
        self.insert(
            s,
            Survey,
            (
                dict(
                    id=sid,
                    center_id=cid,
                    questionnaire_id=self.questionnaire_id,
                    ticket_id=tickets[cb.ticket].id,
                    callback_id=cb.id,
                    agent_id=agents[cb.survey.agent][0],
                    channel="phone",
                    sms_code=None,
                    started_at=_dt(cb.survey.started),
                    completed_at=_dt(cb.survey.completed) if cb.survey.completed else None,
                )
                for sid, cb in zip(survey_ids, surveyed, strict=True)
            ),
            stage="surveys",
            total=len(surveyed),
        )
        self.insert(
            s,
            Answer,
            (
                dict(
                    id=uuid7_from(rng, cb.survey.started + 20 * (q + 1)),
                    survey_id=sid,
                    question_id=self.question_ids[code],
                    value_int=value,
                    value_text=text,
                )
                for sid, cb in zip(survey_ids, surveyed, strict=True)
                for q, (code, value, text) in enumerate(cb.survey.answers)
            ),
            stage="survey answers",
        )

    # -- notices ---------------------------------------------------------------------------

    def write_notices(self, s: Session) -> None:
        rng = self.rng("notices")
        cid = self.center_id
        center_fa = CITY_FA
        inc = self.incidents[1]
        template_id, template = self.templates[("planned_cutoff", NoticeChannel.SMS.value)]
        created = inc.declared + 2 * HOUR
        approved = created + HOUR
        area_streets = {inc.street}
        recipients: list[str] = []
        seen: set[str] = set()
        for sub in self.subs:
            in_area = sub.district == inc.district or sub.street in area_streets
            if not in_area or not sub.active:
                continue
            for phone in sub.phones:
                if phone.startswith("09") and phone not in seen:
                    seen.add(phone)
                    recipients.append(phone)
        campaign_id = uuid7_from(rng, created)
        self.insert(
            s,
            Campaign,
            [
                dict(
                    id=campaign_id,
                    center_id=cid,
                    template_id=template_id,
                    name=f"اطلاع‌رسانی قطعی {self.districts[inc.district][2]}",
                    target_kind="incident_area",
                    target={
                        "incident_id": str(inc.id),
                        "district_ids": [str(self.districts[inc.district][0])],
                        "streets": [self.streets[inc.street][1]],
                    },
                    status=CampaignStatus.DONE,
                    recipient_count=len(recipients),
                    created_by_id=self.agents[self.notifier][0],
                    approved_by_id=self.agents[self.supervisor][0],
                    created_at=_dt(created),
                    approved_at=_dt(approved),
                    updated_at=_dt(approved + 10 * MINUTE),
                )
            ],
        )
        body = template.body.format(
            district=self.districts[inc.district][2],
            date=format_date(_dt(inc.started), "fa"),
            start=format_time(_dt(inc.started), "fa"),
            eta=format_time(_dt(inc.eta), "fa"),
            center=center_fa,
        )
        rows = []
        for k, phone in enumerate(recipients):
            sent = approved + 5 + k * 0.2
            roll = rng.random()
            status = (
                OutboxStatus.DELIVERED if roll < 0.9
                else OutboxStatus.SENT if roll < 0.95
                else OutboxStatus.FAILED
            )  # fmt: skip
            rows.append(
                dict(
                    id=uuid7_from(rng, approved),
                    center_id=cid,
                    channel=NoticeChannel.SMS,
                    recipient=phone,
                    body=body,
                    campaign_id=campaign_id,
                    ticket_id=None,
                    incident_id=inc.id,
                    callback_id=None,
                    dedupe_key=f"campaign:{campaign_id}:{phone}",
                    status=status,
                    attempts=3 if status == OutboxStatus.FAILED else 1,
                    next_attempt_at=None,
                    last_error="شماره در دسترس نیست" if status == OutboxStatus.FAILED else "",
                    provider_ref=f"DEMO{rng.randrange(10**10):010d}",
                    created_at=_dt(approved),
                    sent_at=_dt(sent) if status != OutboxStatus.FAILED else None,
                    delivered_at=(
                        _dt(sent + 2 + rng.random() * 60)
                        if status == OutboxStatus.DELIVERED
                        else None
                    ),
                )
            )
        # The latest requests got their tracking code by SMS; the very last are still queued.
        template_id, template = self.templates[("ticket_registered", NoticeChannel.SMS.value)]
        recent = [t for t in self.tickets if t.phone and t.phone.startswith("09")][-12:]
        for k, t in enumerate(recent):
            queued = k >= len(recent) - 3
            at = t.ts + 5
            rows.append(
                dict(
                    id=uuid7_from(rng, at),
                    center_id=cid,
                    channel=NoticeChannel.SMS,
                    recipient=t.phone,
                    body=template.body.format(
                        name=t.caller_name, tracking_code=t.code, center=center_fa
                    ),
                    campaign_id=None,
                    ticket_id=t.id,
                    incident_id=None,
                    callback_id=None,
                    dedupe_key=f"ticket:{t.id}:registered",
                    status=OutboxStatus.QUEUED if queued else OutboxStatus.DELIVERED,
                    attempts=0 if queued else 1,
                    next_attempt_at=_dt(self.now_ts + MINUTE) if queued else None,
                    last_error="",
                    provider_ref=None if queued else f"DEMO{rng.randrange(10**10):010d}",
                    created_at=_dt(at),
                    sent_at=None if queued else _dt(at + 3),
                    delivered_at=None if queued else _dt(at + 9),
                )
            )
        rows.sort(key=lambda r: r["created_at"])
        self.insert(s, OutboxMessage, rows, stage="outbox", total=len(rows))


def _normalise_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


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
        builder = _Builder(
            engine, seed=seed, subscribers=subscribers, calls=calls, now=now, report=report
        )
        builder.run()
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
