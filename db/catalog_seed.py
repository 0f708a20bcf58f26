"""The starting catalog of a center, as data: categories, canned answers, SLA calendars and
holidays, the default questionnaire and notice templates.

`db.demo` loads it; an admin screen or a fresh center can load it too, and tests check it
against DOMAIN.md. Nothing here touches the database.

SLA minutes count only while the category's calendar is open: on the 24x7 calendar they are
plain minutes, on the office calendar working minutes (one office day, Saturday to Wednesday
07:00-14:30, is OFFICE_DAY_MINUTES).
"""

from dataclasses import dataclass, field
from datetime import date, time

import jdatetime

from db.models import AnswerScale, CategoryGroup, NoticeChannel, UnitKind

__all__ = [
    "CALENDARS",
    "CANNED_ANSWERS",
    "CATEGORIES",
    "DEFAULT_QUESTIONNAIRE",
    "HOLIDAYS_1405",
    "NOTICE_TEMPLATES",
    "OFFICE_DAY_MINUTES",
    "OFFICE_HOURS",
    "CalendarSeed",
    "CannedAnswerSeed",
    "CategorySeed",
    "HolidaySeed",
    "NoticeTemplateSeed",
    "QuestionSeed",
    "QuestionnaireSeed",
    "holiday_dates",
]

OFFICE_DAY_MINUTES = 450  # 07:00-14:30
_HOUR = 60
_OFFICE_DAY = OFFICE_DAY_MINUTES


@dataclass(frozen=True)
class CalendarSeed:
    code: str
    name_fa: str
    name_en: str
    always_open: bool
    # weekday (0 = Saturday) -> (opens, closes); a weekday missing is a day off.
    hours: dict[int, tuple[time, time]] = field(default_factory=dict)


#: Saturday-Wednesday 07:00-14:30, Thursday 07:00-12:00, Friday off.
OFFICE_HOURS: dict[int, tuple[time, time]] = {
    **{weekday: (time(7, 0), time(14, 30)) for weekday in range(5)},
    5: (time(7, 0), time(12, 0)),
}

CALENDARS: list[CalendarSeed] = [
    CalendarSeed("24x7", "شبانه‌روزی", "24/7", always_open=True),
    CalendarSeed("office", "ساعات اداری", "Office hours", always_open=False, hours=OFFICE_HOURS),
]


@dataclass(frozen=True)
class HolidaySeed:
    """An official holiday as a Jalali date (year, month, day) and its Persian name."""

    jalali: tuple[int, int, int]
    name: str
    lunar: bool = False


#: The official holidays of 1405 as a DEMO list: the solar ones are fixed by law; the lunar
#: ones are computed from the tabular Islamic calendar and may differ by a day from the
#: official calendar (Iran starts lunar months by sighting). Replace with the published list.
HOLIDAYS_1405: list[HolidaySeed] = [
    HolidaySeed((1405, 1, 1), "عید نوروز"),
    HolidaySeed((1405, 1, 2), "عید نوروز"),
    HolidaySeed((1405, 1, 3), "عید نوروز"),
    HolidaySeed((1405, 1, 4), "عید نوروز"),
    HolidaySeed((1405, 1, 12), "روز جمهوری اسلامی"),
    HolidaySeed((1405, 1, 13), "روز طبیعت"),
    HolidaySeed((1405, 3, 6), "عید سعید قربان", lunar=True),
    HolidaySeed((1405, 3, 14), "رحلت امام خمینی؛ عید سعید غدیر خم", lunar=True),
    HolidaySeed((1405, 3, 15), "قیام ۱۵ خرداد"),
    HolidaySeed((1405, 4, 3), "تاسوعای حسینی", lunar=True),
    HolidaySeed((1405, 4, 4), "عاشورای حسینی", lunar=True),
    HolidaySeed((1405, 5, 13), "اربعین حسینی", lunar=True),
    HolidaySeed((1405, 5, 21), "رحلت رسول اکرم و شهادت امام حسن مجتبی", lunar=True),
    HolidaySeed((1405, 5, 23), "شهادت امام رضا", lunar=True),
    HolidaySeed((1405, 5, 30), "شهادت امام حسن عسکری", lunar=True),
    HolidaySeed((1405, 6, 8), "میلاد رسول اکرم و امام جعفر صادق", lunar=True),
    HolidaySeed((1405, 8, 22), "شهادت حضرت فاطمه زهرا", lunar=True),
    HolidaySeed((1405, 10, 1), "ولادت امام علی", lunar=True),
    HolidaySeed((1405, 10, 15), "مبعث رسول اکرم", lunar=True),
    HolidaySeed((1405, 11, 3), "ولادت حضرت قائم", lunar=True),
    HolidaySeed((1405, 11, 22), "پیروزی انقلاب اسلامی"),
    HolidaySeed((1405, 12, 8), "شهادت امام علی", lunar=True),
    HolidaySeed((1405, 12, 18), "عید سعید فطر", lunar=True),
    HolidaySeed((1405, 12, 19), "تعطیل به مناسبت عید سعید فطر", lunar=True),
    HolidaySeed((1405, 12, 29), "روز ملی شدن صنعت نفت"),
]


def holiday_dates(holidays: list[HolidaySeed]) -> list[tuple[date, str]]:
    """Gregorian (date, name) pairs, one per day (names of coinciding holidays joined)."""
    days: dict[date, str] = {}
    for h in holidays:
        day = jdatetime.date(*h.jalali).togregorian()
        days[day] = f"{days[day]}؛ {h.name}" if day in days else h.name
    return sorted(days.items())


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name_fa: str
    name_en: str
    group: CategoryGroup
    emergency: bool
    priority: int
    unit_kind: UnitKind | None
    calendar: str
    response_minutes: int
    resolution_minutes: int
    required_fields: tuple[str, ...] = ()
    needs_request: bool = True
    # Requests of this category are complaints (DOMAIN.md), not service requests.
    complaint: bool = False

    def search_text(self) -> str:
        """What `db.text.search_key` is taken of for type-ahead at intake."""
        return f"{self.name_fa} {self.name_en} {self.code}"


_W = CategoryGroup.WATER_EMERGENCY
_S = CategoryGroup.SEWER_EMERGENCY

#: The starting catalog (DOMAIN.md, "Typical request categories"), in intake order.
CATEGORIES: list[CategorySeed] = [
    # Emergencies: 24/7 clock, field crews.
    CategorySeed("pipe_burst", "شکستگی لوله شبکه", "Network pipe burst", _W, True, 1,
                 UnitKind.WATER_OPS, "24x7", 30, 6 * _HOUR, ("address",)),
    CategorySeed("branch_leak", "نشت انشعاب", "Service-branch leak", _W, True, 2,
                 UnitKind.WATER_OPS, "24x7", 60, 8 * _HOUR, ("address",)),
    CategorySeed("water_cutoff", "قطع آب", "Water cut-off", _W, True, 2,
                 UnitKind.WATER_OPS, "24x7", 60, 8 * _HOUR, ("address",)),
    CategorySeed("low_pressure", "افت فشار", "Low pressure", _W, True, 2,
                 UnitKind.WATER_OPS, "24x7", 120, 24 * _HOUR, ("address",)),
    CategorySeed("water_quality", "کیفیت آب (رنگ، طعم، بو، کدورت)",
                 "Water quality (colour, taste, smell, turbidity)", _W, True, 2,
                 UnitKind.LAB, "24x7", 120, 24 * _HOUR, ("address",)),
    CategorySeed("meter_leak", "نشت کنتور", "Meter leak", _W, True, 3,
                 UnitKind.WATER_OPS, "24x7", 120, 12 * _HOUR, ("address",)),
    CategorySeed("sewer_blockage", "گرفتگی فاضلاب (انشعاب یا شبکه)",
                 "Sewer blockage (branch or network)", _S, True, 2,
                 UnitKind.SEWER_OPS, "24x7", 60, 8 * _HOUR, ("address",)),
    CategorySeed("manhole_overflow", "سرریز منهول / پس‌زدگی فاضلاب",
                 "Manhole overflow / sewage backflow", _S, True, 1,
                 UnitKind.SEWER_OPS, "24x7", 30, 6 * _HOUR, ("address",)),
    CategorySeed("manhole_cover", "دریچه منهول شکسته یا مفقود", "Broken or missing manhole cover",
                 _S, True, 1, UnitKind.SEWER_OPS, "24x7", 60, 8 * _HOUR, ("address",)),
    CategorySeed("street_water", "آب در معابر", "Water running in the street", _W, True, 2,
                 UnitKind.WATER_OPS, "24x7", 60, 8 * _HOUR, ("address",)),
    # Office-hours requests.
    CategorySeed("bill_inquiry", "استعلام صورتحساب", "Bill inquiry", CategoryGroup.BILLING,
                 False, 4, UnitKind.BILLING, "office", 0, 0, needs_request=False),
    CategorySeed("bill_dispute", "اعتراض به قبض / قبض پرمصرف", "Bill dispute / high bill",
                 CategoryGroup.BILLING, False, 3, UnitKind.BILLING, "office",
                 2 * _OFFICE_DAY, 7 * _OFFICE_DAY, ("subscriber",)),
    CategorySeed("meter_reading", "قرائت کنتور", "Meter reading", CategoryGroup.METERING, False,
                 3, UnitKind.METERING, "office", 2 * _OFFICE_DAY, 5 * _OFFICE_DAY,
                 ("subscriber",)),
    CategorySeed("meter_replacement", "تعویض کنتور معیوب", "Faulty meter replacement",
                 CategoryGroup.METERING, False, 3, UnitKind.METERING, "office",
                 2 * _OFFICE_DAY, 10 * _OFFICE_DAY, ("subscriber", "address")),
    CategorySeed("new_connection", "انشعاب جدید آب یا فاضلاب", "New water or sewer connection",
                 CategoryGroup.CONNECTION, False, 4, UnitKind.SUBSCRIBER_AFFAIRS, "office",
                 3 * _OFFICE_DAY, 20 * _OFFICE_DAY, ("address",)),
    CategorySeed("name_usage_change", "تغییر نام / کاربری", "Name or usage change",
                 CategoryGroup.CONNECTION, False, 4, UnitKind.SUBSCRIBER_AFFAIRS, "office",
                 2 * _OFFICE_DAY, 10 * _OFFICE_DAY, ("subscriber",)),
    CategorySeed("debt_cutoff", "قطع و وصل بابت بدهی", "Cut-off for debt and reconnection",
                 CategoryGroup.BILLING, False, 2, UnitKind.BILLING, "office",
                 _OFFICE_DAY // 2, 2 * _OFFICE_DAY, ("subscriber",)),
    CategorySeed("street_repair", "ترمیم نوار حفاری", "Unrepaired street after excavation",
                 CategoryGroup.SERVICE, False, 3, UnitKind.WATER_OPS, "office",
                 2 * _OFFICE_DAY, 15 * _OFFICE_DAY, ("address",)),
    CategorySeed("illegal_connection", "گزارش انشعاب غیرمجاز", "Illegal connection report",
                 CategoryGroup.SERVICE, False, 3, UnitKind.BILLING, "office",
                 3 * _OFFICE_DAY, 20 * _OFFICE_DAY, ("address",)),
    CategorySeed("staff_complaint", "شکایت از کارکنان", "Complaint about staff",
                 CategoryGroup.SERVICE, False, 3, UnitKind.PUBLIC_RELATIONS, "office",
                 2 * _OFFICE_DAY, 10 * _OFFICE_DAY, ("description",), complaint=True),
    CategorySeed("suggestion", "پیشنهاد، انتقاد، قدردانی", "Suggestion, criticism, thanks",
                 CategoryGroup.SERVICE, False, 4, UnitKind.PUBLIC_RELATIONS, "office",
                 5 * _OFFICE_DAY, 20 * _OFFICE_DAY, ("description",)),
    CategorySeed("general_info", "اطلاعات عمومی (تعرفه، پرداخت، مدارک)",
                 "General information (tariffs, payment, documents)", CategoryGroup.INFORMATION,
                 False, 4, None, "office", 0, 0, needs_request=False),
]  # fmt: skip


@dataclass(frozen=True)
class CannedAnswerSeed:
    code: str
    category: str | None
    title_fa: str
    title_en: str
    body_fa: str
    body_en: str

    def search_text(self) -> str:
        return f"{self.title_fa} {self.title_en} {self.code}"


CANNED_ANSWERS: list[CannedAnswerSeed] = [
    CannedAnswerSeed(
        "tariffs",
        "general_info",
        "تعرفه آب‌بها و کارمزد فاضلاب",
        "Water and sewer tariffs",
        "تعرفه آب‌بهای مصارف خانگی پلکانی است: هر چه مصرف ماهانه خانوار از الگوی مصرف مصوب "
        "بیشتر باشد، بهای هر مترمکعب بالاتر می‌رود. کارمزد فاضلاب درصدی از آب‌بهاست و فقط "
        "برای املاک متصل به شبکه فاضلاب محاسبه می‌شود. جدول تعرفه سال جاری در سایت شرکت و "
        "اپلیکیشن آبفا منتشر شده است. مصرف کمتر از الگو، قبض کمتری دارد.",
        "Household water tariffs are progressive: the further a household's monthly use is "
        "above the approved consumption pattern, the higher the price per cubic metre. The "
        "sewer fee is a percentage of the water charge, for properties connected to the sewer "
        "network only. This year's tariff table is on the company website and the ABFA app.",
    ),
    CannedAnswerSeed(
        "payment_ways",
        "general_info",
        "روش‌های پرداخت قبض",
        "Ways to pay a bill",
        "قبض آب را می‌توانید با شناسه قبض و شناسه پرداخت از همه درگاه‌های بانکی پرداخت کنید: "
        "همراه‌بانک و اینترنت‌بانک، خودپرداز، کدهای دستوری بانک‌ها، سایت شرکت و اپلیکیشن "
        "آبفا. اگر قبض کاغذی در دست ندارید، شناسه قبض را از پیامک‌های قبلی یا اپلیکیشن "
        "بردارید. رسید پرداخت را تا صدور قبض بعدی نگه دارید.",
        "Pay with the bill ID and payment ID through any bank channel: mobile or internet "
        "banking, ATMs, USSD codes of the banks, the company website or the ABFA app. Without a "
        "paper bill, take the bill ID from an earlier SMS or the app. Keep the receipt until "
        "the next bill.",
    ),
    CannedAnswerSeed(
        "new_connection_documents",
        "new_connection",
        "مدارک لازم برای انشعاب جدید",
        "Documents for a new connection",
        "برای درخواست انشعاب جدید آب یا فاضلاب: تصویر سند مالکیت یا قولنامه معتبر، کارت ملی "
        "مالک، پروانه ساختمانی یا گواهی پایان کار شهرداری و کد پستی ملک لازم است. درخواست را "
        "می‌توانید بدون مراجعه حضوری در سامانه خدمات غیرحضوری شرکت ثبت کنید؛ پس از بازدید "
        "کارشناس، هزینه انشعاب اعلام و پس از پرداخت، انشعاب نصب می‌شود.",
        "A new water or sewer connection needs: a copy of the title deed or a valid sale "
        "agreement, the owner's national card, the municipality's building permit or "
        "completion certificate, and the property's postal code. Apply online in the company's "
        "e-services portal; after a site visit the fee is announced, and the connection is "
        "installed once it is paid.",
    ),
    CannedAnswerSeed(
        "cutoff_schedule",
        "water_cutoff",
        "برنامه قطعی‌های آب",
        "Water cut-off schedule",
        "قطعی‌های برنامه‌ریزی‌شده دست‌کم یک روز زودتر با پیامک به مشترکان محدوده، در سایت شرکت "
        "و در منوی صوتی ۱۲۲ اعلام می‌شود. اگر آب شما بدون اطلاع قبلی قطع شده است، نشانی را "
        "بفرمایید تا حوادث فعال محدوده را بررسی و در صورت نیاز درخواست ثبت کنیم.",
        "Planned cut-offs are announced at least a day ahead by SMS to the subscribers of the "
        "area, on the company website and in the 122 voice menu. If your water stopped without "
        "notice, give your address so we can check active incidents there and register a "
        "request if needed.",
    ),
    CannedAnswerSeed(
        "bill_by_sms_app",
        "bill_inquiry",
        "استعلام قبض با پیامک و اپلیکیشن",
        "Bill inquiry by SMS or app",
        "برای دریافت مبلغ و شناسه پرداخت قبض، شناسه قبض را به سامانه پیامکی شرکت (شماره آن روی "
        "قبض درج شده) بفرستید، یا در اپلیکیشن آبفا با ثبت شناسه قبض، قبض‌های خود را ببینید و "
        "پرداخت کنید. قبض الکترونیکی با پیامک هم برای شماره همراه ثبت‌شده ارسال می‌شود.",
        "To get the amount and payment ID of a bill, send the bill ID to the company's SMS "
        "number (printed on the bill), or add the bill ID in the ABFA app to see and pay your "
        "bills. The electronic bill is also sent by SMS to the registered mobile number.",
    ),
    CannedAnswerSeed(
        "meter_self_reading",
        "meter_reading",
        "خوداظهاری کارکرد کنتور",
        "Reporting your own meter reading",
        "اگر مأمور قرائت به کنتور دسترسی نداشته است، می‌توانید رقم کنتور را در اپلیکیشن آبفا "
        "یا سایت شرکت ثبت کنید (خوداظهاری) تا قبض بر اساس مصرف واقعی صادر شود. عکس کنتور را "
        "هم پیوست کنید.",
        "If the meter reader could not reach your meter, enter the reading yourself in the "
        "ABFA app or on the company website, with a photo of the meter, so the bill follows "
        "real use.",
    ),
    CannedAnswerSeed(
        "debt_reconnection",
        "debt_cutoff",
        "وصل مجدد پس از پرداخت بدهی",
        "Reconnection after paying a debt",
        "پس از پرداخت کامل بدهی، وصل آب معمولاً ظرف یک روز کاری انجام می‌شود. رسید پرداخت را "
        "نگه دارید؛ اگر تا پایان روز کاری بعد وصل نشد، با ۱۲۲ تماس بگیرید تا پیگیری شود.",
        "Once the debt is paid in full, water is normally reconnected within one working day. "
        "Keep the receipt; if it is not back by the end of the next working day, call 122.",
    ),
]


@dataclass(frozen=True)
class QuestionSeed:
    code: str
    text_fa: str
    text_en: str
    scale: AnswerScale
    reopens_on_no: bool = False


@dataclass(frozen=True)
class QuestionnaireSeed:
    code: str
    name_fa: str
    name_en: str
    category_groups: tuple[str, ...]
    questions: tuple[QuestionSeed, ...]


DEFAULT_QUESTIONNAIRE = QuestionnaireSeed(
    "default",
    "نظرسنجی پس از رسیدگی",
    "Post-resolution survey",
    tuple(g.value for g in CategoryGroup if g != CategoryGroup.INFORMATION),
    (
        QuestionSeed("resolved", "آیا مشکل شما برطرف شد؟", "Was your problem solved?",
                     AnswerScale.YES_NO, reopens_on_no=True),
        QuestionSeed("on_time", "از سرعت رسیدگی چقدر راضی هستید؟ (۱ تا ۵)",
                     "How satisfied are you with how quickly it was handled? (1-5)",
                     AnswerScale.ONE_TO_FIVE),
        QuestionSeed("staff", "برخورد همکاران ما را چگونه ارزیابی می‌کنید؟ (۱ تا ۵)",
                     "How do you rate our staff's behaviour? (1-5)", AnswerScale.ONE_TO_FIVE),
        QuestionSeed("overall", "در مجموع چقدر از خدمات راضی هستید؟ (۱ تا ۵)",
                     "Overall, how satisfied are you with the service? (1-5)",
                     AnswerScale.ONE_TO_FIVE),
        QuestionSeed("comment", "اگر نکته یا پیشنهادی دارید بفرمایید.",
                     "Any remark or suggestion?", AnswerScale.TEXT),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class NoticeTemplateSeed:
    code: str
    channel: NoticeChannel
    name: str
    body: str


NOTICE_TEMPLATES: list[NoticeTemplateSeed] = [
    NoticeTemplateSeed(
        "ticket_registered", NoticeChannel.SMS, "ثبت درخواست",
        "{name} گرامی، درخواست شما با کد رهگیری {tracking_code} ثبت شد. آبفا {center}",
    ),
    NoticeTemplateSeed(
        "ticket_result", NoticeChannel.SMS, "نتیجه رسیدگی",
        "{name} گرامی، درخواست {tracking_code} رسیدگی شد: {result}. آبفا {center}",
    ),
    NoticeTemplateSeed(
        "survey", NoticeChannel.SMS, "نظرسنجی پیامکی",
        "رضایت شما از رسیدگی به درخواست {tracking_code} از ۱ تا ۵ چقدر است؟ "
        "عدد را پاسخ دهید. کد {survey_code}",
    ),
    NoticeTemplateSeed(
        "incident_cutoff", NoticeChannel.SMS, "قطعی آب به علت حادثه",
        "مشترک گرامی، به علت حادثه در شبکه، آب {district} قطع است. "
        "زمان تقریبی وصل: {eta}. آبفا {center}",
    ),
    NoticeTemplateSeed(
        "incident_cutoff", NoticeChannel.IVR, "پیام منوی ورودی هنگام حادثه",
        "مشترک گرامی، به علت حادثه در شبکه آب {district}، آب این محدوده قطع است. اکیپ‌های "
        "تعمیرات در محل مشغول کارند و آب تا {eta} وصل می‌شود. برای موارد دیگر منتظر بمانید.",
    ),
    NoticeTemplateSeed(
        "incident_cutoff", NoticeChannel.WEB, "اطلاعیه سایت: قطعی آب",
        "به علت حادثه در شبکه آب، آب مشترکان {district} از ساعت {start} قطع است. "
        "زمان تقریبی وصل: {eta}. از شکیبایی شهروندان گرامی سپاسگزاریم.",
    ),
    NoticeTemplateSeed(
        "incident_restored", NoticeChannel.SMS, "وصل آب پس از حادثه",
        "مشترک گرامی، آب {district} وصل شد. از شکیبایی شما سپاسگزاریم. آبفا {center}",
    ),
    NoticeTemplateSeed(
        "planned_cutoff", NoticeChannel.SMS, "قطعی برنامه‌ریزی‌شده",
        "مشترک گرامی، به علت عملیات اصلاح شبکه، آب {district} روز {date} از ساعت {start} "
        "تا {eta} قطع خواهد بود. لطفاً آب مورد نیاز را ذخیره کنید. آبفا {center}",
    ),
    NoticeTemplateSeed(
        "planned_cutoff", NoticeChannel.WEB, "اطلاعیه سایت: قطعی برنامه‌ریزی‌شده",
        "به اطلاع می‌رساند به علت عملیات اصلاح و بهسازی شبکه، آب {district} روز {date} "
        "از ساعت {start} تا {eta} قطع خواهد بود.",
    ),
]  # fmt: skip
