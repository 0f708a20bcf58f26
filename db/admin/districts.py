"""Districts: the named parts of a center's area that subscribers live in and units serve.

A district that subscribers, requests or incidents point to is deactivated, not removed, so
old requests still say where they were.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.admin.changes import apply_changes, record_change
from db.admin.errors import AdminError
from db.admin.scope import UNSET, Removal, admin_center, check_code, check_text, references
from db.models import District, UnitDistrict, utcnow


@dataclass(frozen=True)
class DistrictView:
    id: uuid.UUID
    code: str
    name_fa: str
    name_en: str
    active: bool
    updated_at: datetime


def district_view(d: District) -> DistrictView:
    return DistrictView(d.id, d.code, d.name_fa, d.name_en, d.active, d.updated_at)


def find_district(session: Session, center_id: uuid.UUID, code: str) -> District:
    row = session.exec(
        select(District).where(District.center_id == center_id, District.code == code.strip())
    ).first()
    if row is None:
        raise AdminError("not_found", what="district", code=code.strip())
    return row


def list_districts(
    session: Session,
    *,
    actor: AgentView | None,
    center_code: str | None = None,
    include_inactive: bool = True,
) -> list[DistrictView]:
    """The center's districts by code."""
    center = admin_center(session, actor, center_code, action="list districts")
    query = select(District).where(District.center_id == center.id).order_by(col(District.code))
    if not include_inactive:
        query = query.where(col(District.active).is_(True))
    return [district_view(d) for d in session.exec(query)]


def add_district(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    name_fa: str,
    name_en: str = "",
    center_code: str | None = None,
) -> DistrictView:
    """A new district. Errors: duplicate, bad_code, required, too_long."""
    center = admin_center(session, actor, center_code, action="add districts")
    code = check_code("district", code, 16)
    if session.exec(
        select(District.id).where(District.center_id == center.id, District.code == code)
    ).first():
        raise AdminError("duplicate", what="district", code=code)
    name_fa = check_text("name_fa", name_fa, 120)
    district = District(
        center_id=center.id,
        code=code,
        name_fa=name_fa,
        name_en=check_text("name_en", name_en, 120, required=False) or name_fa,
    )
    session.add(district)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="district_added",
        entity="district",
        entity_id=district.id,
        center_id=center.id,
        changes={"code": [None, code], "name_fa": [None, district.name_fa]},
    )
    return district_view(district)


def update_district(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    center_code: str | None = None,
    name_fa: str | object = UNSET,
    name_en: str | object = UNSET,
    active: bool | object = UNSET,
) -> DistrictView:
    """Rename, deactivate or reactivate a district. Errors: not_found, required, too_long."""
    center = admin_center(session, actor, center_code, action="change districts")
    district = find_district(session, center.id, code)
    values: dict[str, object] = {}
    if name_fa is not UNSET:
        values["name_fa"] = check_text("name_fa", name_fa, 120)  # type: ignore[arg-type]
    if name_en is not UNSET:
        values["name_en"] = check_text("name_en", name_en, 120)  # type: ignore[arg-type]
    if active is not UNSET:
        values["active"] = bool(active)
    changes = apply_changes(district, values)
    if changes:
        district.updated_at = utcnow()
        session.add(district)
        record_change(
            session,
            actor=actor,
            action="district_changed",
            entity="district",
            entity_id=district.id,
            center_id=center.id,
            changes=changes,
        )
        session.flush()
    return district_view(district)


def remove_district(
    session: Session, *, actor: AgentView | None, code: str, center_code: str | None = None
) -> Removal:
    """Delete a district nothing points to; deactivate one that subscribers, requests or
    incidents name (units merely serving it do not keep it: their links go with it)."""
    center = admin_center(session, actor, center_code, action="remove districts")
    district = find_district(session, center.id, code)
    used = references(session, District.__table__, district.id, owned=("unit_districts",))
    if used:
        if district.active:
            district.active = False
            district.updated_at = utcnow()
            session.add(district)
            record_change(
                session,
                actor=actor,
                action="district_deactivated",
                entity="district",
                entity_id=district.id,
                center_id=center.id,
                changes={"active": [True, False]},
                detail="in use: " + ", ".join(used),
            )
            session.flush()
        return Removal("district", district.code, deleted=False, tables=used)
    for link in session.exec(select(UnitDistrict).where(UnitDistrict.district_id == district.id)):
        session.delete(link)
    session.flush()
    session.delete(district)
    record_change(
        session,
        actor=actor,
        action="district_removed",
        entity="district",
        entity_id=district.id,
        center_id=center.id,
        changes={"code": [district.code, None], "name_fa": [district.name_fa, None]},
    )
    session.flush()
    return Removal("district", district.code, deleted=True)
