"""The center's catalog, loaded from `db.catalog_seed`: SLA calendars, the 1405 holidays,
request categories and canned answers.

SLA due dates are approximate in the demo: a category's minutes are open minutes of its
calendar, and the demo spreads them over the whole week by the share of the week the
calendar is open, instead of walking the calendar hour by hour.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from db import catalog_seed
from db.demo.bulk import insert
from db.demo.city import City
from db.demo.context import ReferenceIds
from db.models import Calendar, CalendarHours, CannedAnswer, Category, Holiday
from db.text import search_key

_WEEK_MINUTES = 7 * 24 * 60


@dataclass(frozen=True, slots=True)
class CategoryPlan:
    idx: int
    seed: catalog_seed.CategorySeed
    id: uuid.UUID
    # SLA targets in plain seconds from opening (approximate, see above).
    response_s: float
    resolution_s: float


@dataclass(frozen=True, slots=True)
class Catalog:
    calendars: dict[str, tuple[uuid.UUID, catalog_seed.CalendarSeed, datetime]]
    holidays: list[tuple[date, str]]
    holiday_ids: list[tuple[uuid.UUID, datetime]]
    categories: list[CategoryPlan]
    by_code: dict[str, int]  # category code -> index
    canned: list[tuple[tuple[uuid.UUID, datetime], catalog_seed.CannedAnswerSeed]]


def _open_share(calendar: catalog_seed.CalendarSeed) -> float:
    """The share of the week a calendar is open."""
    if calendar.always_open:
        return 1.0
    week = sum(
        (c.hour * 60 + c.minute) - (o.hour * 60 + o.minute) for o, c in calendar.hours.values()
    )
    return week / _WEEK_MINUTES


def plan_catalog(ids: ReferenceIds) -> Catalog:
    calendars = {}
    for cal in catalog_seed.CALENDARS:
        cal_id, at = ids()
        calendars[cal.code] = (cal_id, cal, at)
    holidays = catalog_seed.holiday_dates(catalog_seed.HOLIDAYS_1405)
    holiday_ids = [ids() for _ in holidays]
    categories = []
    for i, c in enumerate(catalog_seed.CATEGORIES):
        cat_id, _at = ids()
        share = _open_share(calendars[c.calendar][1])
        categories.append(
            CategoryPlan(
                i, c, cat_id, c.response_minutes * 60 / share, c.resolution_minutes * 60 / share
            )
        )
    canned = [(ids(), a) for a in catalog_seed.CANNED_ANSWERS]
    return Catalog(
        calendars=calendars,
        holidays=holidays,
        holiday_ids=holiday_ids,
        categories=categories,
        by_code={c.seed.code: c.idx for c in categories},
        canned=canned,
    )


def write_catalog(s: Session, city: City, catalog: Catalog) -> None:
    cid = city.center_id
    insert(
        s,
        Calendar,
        [
            dict(id=cal_id, center_id=cid, code=cal.code, name_fa=cal.name_fa,
                 name_en=cal.name_en, always_open=cal.always_open, updated_at=at)
            for cal_id, cal, at in catalog.calendars.values()
        ],
    )  # fmt: skip
    insert(
        s,
        CalendarHours,
        [
            dict(calendar_id=cal_id, weekday=wd, opens=o, closes=cl)
            for cal_id, cal, _at in catalog.calendars.values()
            for wd, (o, cl) in sorted(cal.hours.items())
        ],
    )
    office_id = catalog.calendars["office"][0]
    insert(
        s,
        Holiday,
        [
            dict(id=hid, calendar_id=office_id, day=day, name=name)
            for (day, name), (hid, _at) in zip(catalog.holidays, catalog.holiday_ids, strict=True)
        ],
    )
    insert(s, Category, [_category_row(city, catalog, c) for c in catalog.categories])
    insert(
        s,
        CannedAnswer,
        [
            dict(
                id=answer_id,
                center_id=cid,
                code=a.code,
                category_id=catalog.categories[catalog.by_code[a.category]].id
                if a.category
                else None,
                title_fa=a.title_fa,
                title_en=a.title_en,
                body_fa=a.body_fa,
                body_en=a.body_en,
                search_key=search_key(a.search_text()),
                active=True,
                updated_at=at,
            )
            for (answer_id, at), a in catalog.canned
        ],
    )


def _category_row(city: City, catalog: Catalog, c: CategoryPlan) -> dict:
    seed = c.seed
    unit = city.unit_of_kind(seed.unit_kind) if seed.unit_kind else None
    return dict(
        id=c.id,
        center_id=city.center_id,
        code=seed.code,
        name_fa=seed.name_fa,
        name_en=seed.name_en,
        search_key=search_key(seed.search_text()),
        group=seed.group.value,
        emergency=seed.emergency,
        priority=seed.priority,
        needs_request=seed.needs_request,
        default_unit_id=city.units[unit].id if unit is not None else None,
        calendar_id=catalog.calendars[seed.calendar][0],
        response_minutes=seed.response_minutes,
        resolution_minutes=seed.resolution_minutes,
        required_fields=list(seed.required_fields),
        sort_order=c.idx,
        active=True,
        updated_at=city.setup_at,
    )
