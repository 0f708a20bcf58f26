"""The demo's city, Isfahan: the center, its districts and streets, and the units that serve
them.

District (neighbourhood) and street names are real; which street lies in which district is
simplified for the demo. The plan (`City`) is what every other part asks for places: the ids
of districts and units, which unit serves a district, and random addresses spread over the
districts by where subscribers live.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from db.demo.bulk import insert
from db.demo.context import ReferenceIds, weighted
from db.models import Center, CenterKind, District, Unit, UnitDistrict, UnitKind
from db.text import search_key, to_persian_digits

DEMO_CENTER_CODE = "ISF"
CENTER = {
    "code": DEMO_CENTER_CODE,
    "number": 131,
    "name_fa": "مرکز ۱۲۲ و ۱۵۲۳ آبفای استان اصفهان",
    "name_en": "Isfahan Water & Wastewater 122/1523 center",
    "kind": CenterKind.PROVINCIAL,
}
CITY_FA = "اصفهان"

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


@dataclass(frozen=True, slots=True)
class DistrictPlan:
    id: uuid.UUID
    code: str
    name_fa: str
    name_en: str
    share: float  # of the subscribers
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Street:
    name_fa: str
    name_en: str
    key: str  # search key of the Persian name


@dataclass(frozen=True, slots=True)
class UnitPlan:
    id: uuid.UUID
    code: str
    kind: UnitKind
    name_fa: str
    name_en: str
    phone: str
    updated_at: datetime
    districts: list[int]  # the districts it serves


@dataclass(slots=True)
class City:
    """The center and its places; districts, streets and units are referred to by index."""

    center_id: uuid.UUID
    setup_at: datetime
    districts: list[DistrictPlan]
    streets: list[Street]
    district_streets: list[list[int]]
    units: list[UnitPlan]
    # Cumulative district shares, to draw where someone lives.
    district_cum: list[float]
    _unit_by_kind_district: dict[tuple[UnitKind, int], int]
    _unit_by_kind: dict[UnitKind, int]

    def district_named(self, code: str) -> int:
        return next(i for i, d in enumerate(self.districts) if d.code == code)

    def street_named(self, name_en: str) -> int:
        return next(i for i, s in enumerate(self.streets) if s.name_en == name_en)

    def unit_of_kind(self, kind: UnitKind) -> int | None:
        """The first unit of a kind (a category's default unit)."""
        return self._unit_by_kind.get(kind)

    def unit_for(self, kind: UnitKind, district: int) -> int:
        """The unit of a kind that serves a district (or the first of its kind)."""
        return self._unit_by_kind_district.get((kind, district), self._unit_by_kind[kind])

    def address(self, rng: random.Random, district: int, street: int) -> str:
        if rng.random() < 0.7:
            alley = f"کوچه {to_persian_digits(str(rng.randint(1, 60)))}"
        else:
            alley = f"کوچه {rng.choice(NAMED_ALLEYS)}"
        plate = to_persian_digits(str(rng.randint(1, 250)))
        district_fa = self.districts[district].name_fa
        return f"{district_fa}، {self.streets[street].name_fa}، {alley}، پلاک {plate}"

    def random_place(self, rng: random.Random) -> tuple[int, int, str]:
        """(district, street, address) of someone in the city."""
        district = rng.choices(range(len(self.districts)), cum_weights=self.district_cum)[0]
        street = rng.choice(self.district_streets[district])
        return district, street, self.address(rng, district, street)


def plan_city(ids: ReferenceIds) -> City:
    center_id, setup_at = ids()
    districts = []
    for code, fa, en, share in DISTRICTS:
        district_id, at = ids()
        districts.append(DistrictPlan(district_id, code, fa, en, share, at))
    index = {d.code: i for i, d in enumerate(districts)}
    streets: list[Street] = []
    district_streets: list[list[int]] = []
    for district in districts:
        idxs = []
        for fa, en in STREETS[district.code]:
            idxs.append(len(streets))
            streets.append(Street(fa, en, search_key(fa)))
        district_streets.append(idxs)

    units = []
    by_kind_district: dict[tuple[UnitKind, int], int] = {}
    by_kind: dict[UnitKind, int] = {}
    for ui, (code, kind, fa, en, served, phone) in enumerate(UNITS):
        unit_id, at = ids()
        served_idx = [index[c] for c in served] if served else list(range(len(districts)))
        units.append(UnitPlan(unit_id, code, kind, fa, en, phone, at, served_idx))
        by_kind.setdefault(kind, ui)
        for di in served_idx:
            by_kind_district.setdefault((kind, di), ui)
    _, district_cum = weighted((i, d.share) for i, d in enumerate(districts))
    return City(
        center_id=center_id,
        setup_at=setup_at,
        districts=districts,
        streets=streets,
        district_streets=district_streets,
        units=units,
        district_cum=district_cum,
        _unit_by_kind_district=by_kind_district,
        _unit_by_kind=by_kind,
    )


def write_city(s: Session, city: City) -> None:
    cid = city.center_id
    insert(
        s,
        Center,
        [
            dict(
                id=cid,
                code=CENTER["code"],
                number=CENTER["number"],
                name_fa=CENTER["name_fa"],
                name_en=CENTER["name_en"],
                kind=CENTER["kind"].value,
                active=True,
                created_at=city.setup_at,
                updated_at=city.setup_at,
            )
        ],
    )
    insert(
        s,
        District,
        [
            dict(id=d.id, center_id=cid, code=d.code, name_fa=d.name_fa, name_en=d.name_en,
                 active=True, updated_at=d.updated_at)
            for d in city.districts
        ],
    )  # fmt: skip
    insert(
        s,
        Unit,
        [
            dict(id=u.id, center_id=cid, code=u.code, kind=u.kind.value, name_fa=u.name_fa,
                 name_en=u.name_en, phone=u.phone, active=True, updated_at=u.updated_at)
            for u in city.units
        ],
    )  # fmt: skip
    insert(
        s,
        UnitDistrict,
        [
            dict(unit_id=u.id, district_id=city.districts[di].id)
            for u in city.units
            for di in u.districts
        ],
    )
