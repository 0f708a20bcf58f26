"""Request categories: names, group, priority, default unit, clock, targets, required fields.

A category decides what intake asks for and how a request's clocks run, so every edit is checked
here: the group and required fields come from fixed lists, the unit and calendar must belong to
the center, and the resolution target cannot be shorter than the response target. A category
that requests or calls point to is deactivated, not removed, so old requests keep their name.
Changes apply to requests registered afterwards; due dates already set stay as they were.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from db.accounts import AgentView
from db.admin.calendars import find_calendar
from db.admin.changes import apply_changes, record_change
from db.admin.errors import AdminError
from db.admin.scope import (
    UNSET,
    Removal,
    admin_center,
    check_code,
    check_int,
    check_text,
    references,
)
from db.admin.units import find_unit
from db.models import Calendar, Category, CategoryGroup, Unit, utcnow
from db.text import search_key

#: Intake fields a category may require (db.intake.calls checks them when registering).
REQUIRED_FIELDS = ("subscriber", "address", "district", "phone", "caller_name", "description")
#: A year of minutes: a target longer than that is a typo.
MAX_TARGET_MINUTES = 366 * 24 * 60


@dataclass(frozen=True)
class CategoryAdminView:
    """A category with the codes and names of its unit and calendar, as the admin edits it."""

    id: uuid.UUID
    code: str
    name_fa: str
    name_en: str
    group: str
    emergency: bool
    priority: int
    needs_request: bool
    default_unit_code: str | None
    default_unit_name_fa: str
    calendar_code: str
    calendar_always_open: bool
    response_minutes: int
    resolution_minutes: int
    required_fields: tuple[str, ...]
    sort_order: int
    active: bool
    updated_at: datetime


def _views(session: Session, categories: Iterable[Category]) -> list[CategoryAdminView]:
    categories = list(categories)
    unit_ids = {c.default_unit_id for c in categories if c.default_unit_id}
    units = (
        {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids)))}
        if unit_ids
        else {}
    )
    calendar_ids = {c.calendar_id for c in categories}
    calendars = (
        {c.id: c for c in session.exec(select(Calendar).where(col(Calendar.id).in_(calendar_ids)))}
        if calendar_ids
        else {}
    )
    views = []
    for c in categories:
        unit = units.get(c.default_unit_id) if c.default_unit_id else None
        calendar = calendars[c.calendar_id]
        views.append(
            CategoryAdminView(
                id=c.id,
                code=c.code,
                name_fa=c.name_fa,
                name_en=c.name_en,
                group=c.group,
                emergency=c.emergency,
                priority=c.priority,
                needs_request=c.needs_request,
                default_unit_code=unit.code if unit else None,
                default_unit_name_fa=unit.name_fa if unit else "",
                calendar_code=calendar.code,
                calendar_always_open=calendar.always_open,
                response_minutes=c.response_minutes,
                resolution_minutes=c.resolution_minutes,
                required_fields=tuple(c.required_fields or ()),
                sort_order=c.sort_order,
                active=c.active,
                updated_at=c.updated_at,
            )
        )
    return views


def find_category(session: Session, center_id: uuid.UUID, code: str) -> Category:
    row = session.exec(
        select(Category).where(Category.center_id == center_id, Category.code == code.strip())
    ).first()
    if row is None:
        raise AdminError("not_found", what="category", code=code.strip())
    return row


def _group(group: str) -> str:
    try:
        return CategoryGroup(group.strip().lower()).value
    except ValueError:
        raise AdminError(
            "bad_value", field="group", value=group, allowed=[g.value for g in CategoryGroup]
        ) from None


def _required_fields(fields: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(f.strip().lower() for f in fields if f.strip()))
    unknown = [f for f in wanted if f not in REQUIRED_FIELDS]
    if unknown:
        raise AdminError(
            "bad_value", field="required_fields", value=unknown, allowed=list(REQUIRED_FIELDS)
        )
    return wanted


def _unit_id(session: Session, center_id: uuid.UUID, unit_code: str | None) -> uuid.UUID | None:
    if not unit_code or not unit_code.strip():
        return None
    unit = find_unit(session, center_id, unit_code)
    if not unit.active:
        raise AdminError("inactive", what="unit", code=unit.code)
    return unit.id


def _check_targets(response: int, resolution: int) -> None:
    if resolution and resolution < response:
        raise AdminError("resolution_before_response", response=response, resolution=resolution)


def list_categories(
    session: Session,
    *,
    actor: AgentView | None,
    center_code: str | None = None,
    include_inactive: bool = True,
) -> list[CategoryAdminView]:
    """The center's categories in intake order (sort_order, then code)."""
    center = admin_center(session, actor, center_code, action="list categories")
    query = (
        select(Category)
        .where(Category.center_id == center.id)
        .order_by(col(Category.sort_order), col(Category.code))
    )
    if not include_inactive:
        query = query.where(col(Category.active).is_(True))
    return _views(session, session.exec(query))


def add_category(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    name_fa: str,
    name_en: str,
    group: str,
    calendar_code: str,
    response_minutes: int,
    resolution_minutes: int,
    priority: int = 3,
    emergency: bool = False,
    needs_request: bool = True,
    unit_code: str | None = None,
    required_fields: Iterable[str] = (),
    sort_order: int | None = None,
    center_code: str | None = None,
) -> CategoryAdminView:
    """A new category, last in intake order unless ``sort_order`` says. Errors: duplicate,
    bad_code, required, too_long, bad_value (group, priority, minutes, required_fields),
    not_found / inactive (unit, calendar), resolution_before_response."""
    center = admin_center(session, actor, center_code, action="add categories")
    code = check_code("category", code, 32)
    if session.exec(
        select(Category.id).where(Category.center_id == center.id, Category.code == code)
    ).first():
        raise AdminError("duplicate", what="category", code=code)
    response = check_int("response_minutes", response_minutes, 0, MAX_TARGET_MINUTES)
    resolution = check_int("resolution_minutes", resolution_minutes, 0, MAX_TARGET_MINUTES)
    _check_targets(response, resolution)
    if sort_order is None:
        last = session.exec(
            select(func.max(Category.sort_order)).where(Category.center_id == center.id)
        ).one()
        sort_order = (last or 0) + 1
    category = Category(
        center_id=center.id,
        code=code,
        name_fa=check_text("name_fa", name_fa, 120),
        name_en=check_text("name_en", name_en, 120),
        group=_group(group),
        emergency=bool(emergency),
        priority=check_int("priority", priority, 1, 4),
        needs_request=bool(needs_request),
        default_unit_id=_unit_id(session, center.id, unit_code),
        calendar_id=find_calendar(session, center.id, calendar_code).id,
        response_minutes=response,
        resolution_minutes=resolution,
        required_fields=_required_fields(required_fields),
        sort_order=check_int("sort_order", sort_order, -1_000_000, 1_000_000),
    )
    category.search_key = search_key(f"{category.name_fa} {category.name_en} {code}")
    session.add(category)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="category_added",
        entity="category",
        entity_id=category.id,
        center_id=center.id,
        changes={"code": [None, code], "name_fa": [None, category.name_fa]},
    )
    return _views(session, [category])[0]


def update_category(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    center_code: str | None = None,
    name_fa: str | object = UNSET,
    name_en: str | object = UNSET,
    group: str | object = UNSET,
    emergency: bool | object = UNSET,
    priority: int | object = UNSET,
    needs_request: bool | object = UNSET,
    unit_code: str | object | None = UNSET,
    calendar_code: str | object = UNSET,
    response_minutes: int | object = UNSET,
    resolution_minutes: int | object = UNSET,
    required_fields: Iterable[str] | object = UNSET,
    sort_order: int | object = UNSET,
    active: bool | object = UNSET,
    expected_updated_at: datetime | None = None,
) -> CategoryAdminView:
    """Change a category's fields (UNSET leaves one as it is; ``unit_code=None`` or ``""``
    removes the default unit). The audit row holds unit and calendar codes, not ids.
    ``expected_updated_at``, when given, refuses an edit over someone else's (stale)."""
    center = admin_center(session, actor, center_code, action="change categories")
    category = find_category(session, center.id, code)
    if expected_updated_at is not None and category.updated_at != expected_updated_at:
        raise AdminError("stale", what="category", code=category.code)
    before = _views(session, [category])[0]
    values: dict[str, object] = {}
    if name_fa is not UNSET:
        values["name_fa"] = check_text("name_fa", name_fa, 120)  # type: ignore[arg-type]
    if name_en is not UNSET:
        values["name_en"] = check_text("name_en", name_en, 120)  # type: ignore[arg-type]
    if group is not UNSET:
        values["group"] = _group(group)  # type: ignore[arg-type]
    if emergency is not UNSET:
        values["emergency"] = bool(emergency)
    if priority is not UNSET:
        values["priority"] = check_int("priority", priority, 1, 4)
    if needs_request is not UNSET:
        values["needs_request"] = bool(needs_request)
    if unit_code is not UNSET:
        values["default_unit_id"] = _unit_id(session, center.id, unit_code)  # type: ignore[arg-type]
    if calendar_code is not UNSET:
        values["calendar_id"] = find_calendar(session, center.id, calendar_code).id  # type: ignore[arg-type]
    if response_minutes is not UNSET:
        values["response_minutes"] = check_int(
            "response_minutes", response_minutes, 0, MAX_TARGET_MINUTES
        )
    if resolution_minutes is not UNSET:
        values["resolution_minutes"] = check_int(
            "resolution_minutes", resolution_minutes, 0, MAX_TARGET_MINUTES
        )
    if required_fields is not UNSET:
        values["required_fields"] = _required_fields(required_fields)  # type: ignore[arg-type]
    if sort_order is not UNSET:
        values["sort_order"] = check_int("sort_order", sort_order, -1_000_000, 1_000_000)
    if active is not UNSET:
        values["active"] = bool(active)
    _check_targets(
        int(values.get("response_minutes", category.response_minutes)),  # type: ignore[arg-type]
        int(values.get("resolution_minutes", category.resolution_minutes)),  # type: ignore[arg-type]
    )
    changes = apply_changes(category, values)
    if not changes:
        return before
    category.search_key = search_key(f"{category.name_fa} {category.name_en} {category.code}")
    category.updated_at = utcnow()
    session.add(category)
    session.flush()
    after = _views(session, [category])[0]
    # Ids mean nothing to a reader of the trail: show the unit and calendar by code.
    if changes.pop("default_unit_id", None) is not None:
        changes["default_unit"] = [before.default_unit_code, after.default_unit_code]
    if changes.pop("calendar_id", None) is not None:
        changes["calendar"] = [before.calendar_code, after.calendar_code]
    record_change(
        session,
        actor=actor,
        action="category_changed",
        entity="category",
        entity_id=category.id,
        center_id=center.id,
        changes=changes,
    )
    session.flush()
    return after


def remove_category(
    session: Session, *, actor: AgentView | None, code: str, center_code: str | None = None
) -> Removal:
    """Delete a category nothing points to; deactivate one that calls, requests, canned
    answers or questionnaires name (``Removal.tables`` says which)."""
    center = admin_center(session, actor, center_code, action="remove categories")
    category = find_category(session, center.id, code)
    used = references(session, Category.__table__, category.id)
    if used:
        if category.active:
            category.active = False
            category.updated_at = utcnow()
            session.add(category)
            record_change(
                session,
                actor=actor,
                action="category_deactivated",
                entity="category",
                entity_id=category.id,
                center_id=center.id,
                changes={"active": [True, False]},
                detail="in use: " + ", ".join(used),
            )
            session.flush()
        return Removal("category", category.code, deleted=False, tables=used)
    session.delete(category)
    record_change(
        session,
        actor=actor,
        action="category_removed",
        entity="category",
        entity_id=category.id,
        center_id=center.id,
        changes={"code": [category.code, None], "name_fa": [category.name_fa, None]},
    )
    session.flush()
    return Removal("category", category.code, deleted=True)
