"""Operational units and the districts each serves.

Requests, categories and incidents point to units, so a unit in use is deactivated, never
removed: its name stays on every request it ever had. A deactivated unit is no longer offered
for referral (db.followup.lookups lists active units only).
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.admin.changes import apply_changes, record_change
from db.admin.districts import find_district
from db.admin.errors import AdminError
from db.admin.scope import UNSET, Removal, admin_center, check_code, check_text, references
from db.models import District, Unit, UnitDistrict, UnitKind, utcnow
from db.text import digits_only
from db.validate import ValidationError, normalize_phone


@dataclass(frozen=True)
class UnitView:
    id: uuid.UUID
    code: str
    kind: str
    name_fa: str
    name_en: str
    phone: str | None
    active: bool
    district_codes: tuple[str, ...]
    updated_at: datetime


def _views(session: Session, units: Iterable[Unit]) -> list[UnitView]:
    units = list(units)
    served: dict[uuid.UUID, list[str]] = {u.id: [] for u in units}
    if units:
        rows = session.exec(
            select(UnitDistrict.unit_id, District.code)
            .join(District, col(District.id) == col(UnitDistrict.district_id))
            .where(col(UnitDistrict.unit_id).in_(list(served)))
            .order_by(col(District.code))
        )
        for unit_id, code in rows:
            served[unit_id].append(code)
    return [
        UnitView(
            u.id,
            u.code,
            u.kind,
            u.name_fa,
            u.name_en,
            u.phone,
            u.active,
            tuple(served[u.id]),
            u.updated_at,
        )
        for u in units
    ]


def find_unit(session: Session, center_id: uuid.UUID, code: str) -> Unit:
    row = session.exec(
        select(Unit).where(Unit.center_id == center_id, Unit.code == code.strip())
    ).first()
    if row is None:
        raise AdminError("not_found", what="unit", code=code.strip())
    return row


def _kind(kind: str) -> str:
    try:
        return UnitKind(kind.strip().lower()).value
    except ValueError:
        raise AdminError(
            "bad_value", field="kind", value=kind, allowed=[k.value for k in UnitKind]
        ) from None


def _phone(phone: str | None) -> str | None:
    """A unit's phone: a full number, normalised, or an internal extension of 2 to 6 digits."""
    if phone is None or not phone.strip():
        return None
    try:
        return normalize_phone(phone)[1]
    except ValidationError as error:
        digits = digits_only(phone)
        if 2 <= len(digits) <= 6 and len(digits) == len(phone.strip()):
            return digits
        raise AdminError(
            "bad_value", field="phone", value=phone, detail=error.reason.value
        ) from None


def list_units(
    session: Session,
    *,
    actor: AgentView | None,
    center_code: str | None = None,
    include_inactive: bool = True,
) -> list[UnitView]:
    """The center's units by code, each with the codes of the districts it serves."""
    center = admin_center(session, actor, center_code, action="list units")
    query = select(Unit).where(Unit.center_id == center.id).order_by(col(Unit.code))
    if not include_inactive:
        query = query.where(col(Unit.active).is_(True))
    return _views(session, session.exec(query))


def _unit_view(session: Session, unit: Unit) -> UnitView:
    return _views(session, [unit])[0]


def add_unit(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    kind: str,
    name_fa: str,
    name_en: str = "",
    phone: str | None = None,
    district_codes: Iterable[str] = (),
    center_code: str | None = None,
) -> UnitView:
    """A new unit serving ``district_codes``. Errors: duplicate, bad_code, bad_value (kind,
    phone), required, too_long, not_found (district)."""
    center = admin_center(session, actor, center_code, action="add units")
    code = check_code("unit", code, 16)
    if session.exec(select(Unit.id).where(Unit.center_id == center.id, Unit.code == code)).first():
        raise AdminError("duplicate", what="unit", code=code)
    name_fa = check_text("name_fa", name_fa, 120)
    unit = Unit(
        center_id=center.id,
        code=code,
        kind=_kind(kind),
        name_fa=name_fa,
        name_en=check_text("name_en", name_en, 120, required=False) or name_fa,
        phone=_phone(phone),
    )
    districts = [find_district(session, center.id, c) for c in dict.fromkeys(district_codes)]
    session.add(unit)
    session.flush()
    session.add_all(UnitDistrict(unit_id=unit.id, district_id=d.id) for d in districts)
    record_change(
        session,
        actor=actor,
        action="unit_added",
        entity="unit",
        entity_id=unit.id,
        center_id=center.id,
        changes={
            "code": [None, code],
            "kind": [None, unit.kind],
            "name_fa": [None, unit.name_fa],
            "districts": [None, sorted(d.code for d in districts)],
        },
    )
    session.flush()
    return _unit_view(session, unit)


def update_unit(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    center_code: str | None = None,
    kind: str | object = UNSET,
    name_fa: str | object = UNSET,
    name_en: str | object = UNSET,
    phone: str | object | None = UNSET,
    active: bool | object = UNSET,
    expected_updated_at: datetime | None = None,
) -> UnitView:
    """Change a unit's fields (UNSET leaves one as it is; ``phone=None`` clears the phone).
    ``expected_updated_at``, when given, refuses an edit over someone else's (stale)."""
    center = admin_center(session, actor, center_code, action="change units")
    unit = find_unit(session, center.id, code)
    if expected_updated_at is not None and unit.updated_at != expected_updated_at:
        raise AdminError("stale", what="unit", code=unit.code)
    values: dict[str, object] = {}
    if kind is not UNSET:
        values["kind"] = _kind(kind)  # type: ignore[arg-type]
    if name_fa is not UNSET:
        values["name_fa"] = check_text("name_fa", name_fa, 120)  # type: ignore[arg-type]
    if name_en is not UNSET:
        values["name_en"] = check_text("name_en", name_en, 120)  # type: ignore[arg-type]
    if phone is not UNSET:
        values["phone"] = _phone(phone)  # type: ignore[arg-type]
    if active is not UNSET:
        values["active"] = bool(active)
    changes = apply_changes(unit, values)
    if changes:
        unit.updated_at = utcnow()
        session.add(unit)
        record_change(
            session,
            actor=actor,
            action="unit_changed",
            entity="unit",
            entity_id=unit.id,
            center_id=center.id,
            changes=changes,
        )
        session.flush()
    return _unit_view(session, unit)


def set_unit_districts(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    district_codes: Iterable[str],
    center_code: str | None = None,
) -> UnitView:
    """Replace the districts a unit serves. Errors: not_found (unit, district)."""
    center = admin_center(session, actor, center_code, action="change units")
    unit = find_unit(session, center.id, code)
    wanted = {d.id: d.code for d in (find_district(session, center.id, c) for c in district_codes)}
    links = session.exec(select(UnitDistrict).where(UnitDistrict.unit_id == unit.id)).all()
    before = _unit_view(session, unit).district_codes
    for link in links:
        if link.district_id not in wanted:
            session.delete(link)
    have = {link.district_id for link in links}
    session.add_all(UnitDistrict(unit_id=unit.id, district_id=i) for i in wanted if i not in have)
    after = sorted(wanted.values())
    if list(before) != after:
        unit.updated_at = utcnow()
        session.add(unit)
        record_change(
            session,
            actor=actor,
            action="unit_districts_set",
            entity="unit",
            entity_id=unit.id,
            center_id=center.id,
            changes={"districts": [list(before), after]},
        )
    session.flush()
    return _unit_view(session, unit)


def remove_unit(
    session: Session, *, actor: AgentView | None, code: str, center_code: str | None = None
) -> Removal:
    """Delete a unit nothing points to; deactivate one that requests, categories or incidents
    name (``Removal.tables`` says which)."""
    center = admin_center(session, actor, center_code, action="remove units")
    unit = find_unit(session, center.id, code)
    used = references(session, Unit.__table__, unit.id, owned=("unit_districts",))
    if used:
        if unit.active:
            unit.active = False
            unit.updated_at = utcnow()
            session.add(unit)
            record_change(
                session,
                actor=actor,
                action="unit_deactivated",
                entity="unit",
                entity_id=unit.id,
                center_id=center.id,
                changes={"active": [True, False]},
                detail="in use: " + ", ".join(used),
            )
            session.flush()
        return Removal("unit", unit.code, deleted=False, tables=used)
    for link in session.exec(select(UnitDistrict).where(UnitDistrict.unit_id == unit.id)):
        session.delete(link)
    session.flush()
    session.delete(unit)
    record_change(
        session,
        actor=actor,
        action="unit_removed",
        entity="unit",
        entity_id=unit.id,
        center_id=center.id,
        changes={"code": [unit.code, None], "name_fa": [unit.name_fa, None]},
    )
    session.flush()
    return Removal("unit", unit.code, deleted=True)
