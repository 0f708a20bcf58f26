"""An incident's area, and the one definition of "this address is in it".

An area is a set of parts: a whole district, a street anywhere in the center, or a street within
one district. Streets are compared by :func:`db.text.search_key` of their name, the key every
subscriber row keeps beside its street, so "خيابان سعدي" typed with Arabic letters, a ZWNJ or a
double space meets "خیابان سعدی" in the billing data.

Intake asks :func:`incidents_covering` while a caller is on the line (subscriber -> incidents,
through the indexes of ``incident_areas``); closing an incident and campaigns ask
:func:`area_condition` (incident -> subscribers). Both rest on :func:`covers`.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.incidents.errors import IncidentError
from db.models import District, Incident, IncidentArea, IncidentStatus, Subscriber
from db.text import normalize, search_key

MAX_STREET = 160
# Shown between the parts of an area: the Persian comma, or a comma.
_SEPARATOR = {"fa": "، ", "en": ", "}


@dataclass(frozen=True)
class AreaInput:
    """A part of an area as the supervisor gives it: a district, a street, or both (the street
    within that district)."""

    district_id: uuid.UUID | None = None
    street: str = ""


@dataclass(frozen=True)
class Address:
    """Where someone lives, as matching needs it; ``key`` is what to report back (an id)."""

    key: uuid.UUID
    district_id: uuid.UUID | None
    street_key: str


class _AreaLike(Protocol):
    district_id: uuid.UUID | None
    street_key: str


def street_key(text: str) -> str:
    """The key a street is matched by (the same as the subscribers' ``street_key``)."""
    return search_key(text or "")


def covers(area: _AreaLike, district_id: uuid.UUID | None, key: str) -> bool:
    """Whether an area part covers an address (district, street key).

    A street part covers that street (within its district, when it names one); a district
    part covers the whole district.
    """
    if area.street_key:
        return area.street_key == key and area.district_id in (None, district_id)
    return area.district_id is not None and area.district_id == district_id


def clean_areas(
    session: Session, center_id: uuid.UUID, areas: Iterable[AreaInput]
) -> list[dict[str, Any]]:
    """The area parts to store: street names normalised, keys made, districts checked to be in
    the center, duplicates dropped. Errors: no_area; bad_area (index); too_long (field
    "street"); district_not_found (id)."""
    parts: dict[tuple[uuid.UUID | None, str], dict[str, Any]] = {}
    for index, area in enumerate(areas):
        street = normalize(area.street or "")
        if len(street) > MAX_STREET:
            raise IncidentError("too_long", field="street", max=MAX_STREET)
        key = street_key(street)
        if area.district_id is None and not key:
            raise IncidentError("bad_area", index=index)
        if area.district_id is not None:
            district = session.get(District, area.district_id)
            if district is None or district.center_id != center_id:
                raise IncidentError("district_not_found", id=str(area.district_id))
        parts.setdefault(
            (area.district_id, key),
            {"district_id": area.district_id, "street": street if key else "", "street_key": key},
        )
    if not parts:
        raise IncidentError("no_area")
    return list(parts.values())


def incidents_covering(
    session: Session,
    center_id: uuid.UUID,
    addresses: Sequence[Address],
    *,
    status: str = IncidentStatus.ACTIVE,
) -> list[tuple[Incident, tuple[uuid.UUID, ...]]]:
    """The center's incidents (active by default) whose area covers one of ``addresses``,
    newest first, each with the keys of the addresses it covers.

    Two index lookups on ``incident_areas`` (district, street key), whatever the number of
    incidents, so a caller card costs the same in a center with a long history.
    """
    districts = {a.district_id for a in addresses if a.district_id is not None}
    streets = {a.street_key for a in addresses if a.street_key}
    if not districts and not streets:
        return []
    conditions = []
    if districts:
        conditions.append(col(IncidentArea.district_id).in_(districts))
    if streets:
        conditions.append(col(IncidentArea.street_key).in_(streets))
    stmt = (
        select(IncidentArea, Incident)
        .join(Incident, col(Incident.id) == col(IncidentArea.incident_id))
        .where(Incident.center_id == center_id, Incident.status == status, sa.or_(*conditions))
    )
    incidents: dict[uuid.UUID, Incident] = {}
    covered: dict[uuid.UUID, dict[uuid.UUID, None]] = {}
    for area, incident in session.exec(stmt).all():
        hits = [a.key for a in addresses if covers(area, a.district_id, a.street_key)]
        if hits:
            incidents[incident.id] = incident
            covered.setdefault(incident.id, {}).update(dict.fromkeys(hits))
    ordered = sorted(incidents.values(), key=lambda i: (i.started_at, i.id), reverse=True)
    return [(i, tuple(covered[i.id])) for i in ordered]


def area_rows(session: Session, incident_id: uuid.UUID) -> list[IncidentArea]:
    stmt = select(IncidentArea).where(IncidentArea.incident_id == incident_id)
    return list(session.exec(stmt.order_by(col(IncidentArea.id))).all())


def area_condition(areas: Iterable[_AreaLike]) -> Any:
    """A WHERE condition on ``subscribers`` that is true for the addresses the area covers
    (the set form of :func:`covers`); ``sa.false()`` for an empty area."""
    areas = list(areas)
    districts = sorted(
        {a.district_id for a in areas if not a.street_key and a.district_id}, key=str
    )
    streets = sorted({a.street_key for a in areas if a.street_key and a.district_id is None})
    pairs = sorted(
        {(a.district_id, a.street_key) for a in areas if a.street_key and a.district_id},
        key=str,
    )
    conditions: list[Any] = []
    if districts:
        conditions.append(col(Subscriber.district_id).in_(districts))
    if streets:
        conditions.append(col(Subscriber.street_key).in_(streets))
    for district_id, key in pairs:
        conditions.append(
            sa.and_(Subscriber.district_id == district_id, Subscriber.street_key == key)
        )
    return sa.or_(*conditions) if conditions else sa.false()


def area_label(
    session: Session,
    areas: Iterable[_AreaLike],
    lang: str = "fa",
    districts: Mapping[uuid.UUID, District] | None = None,
) -> str:
    """The area in words, for a notice or a list: "منطقه ۱، خیابان سعدی (منطقه ۲)".
    ``districts`` (by id) saves the lookup when the caller has them already."""
    parts = list(areas)
    names: Mapping[uuid.UUID, District] = districts or {}
    ids = {a.district_id for a in parts if a.district_id is not None} - set(names)
    if ids:
        rows = session.exec(select(District).where(col(District.id).in_(ids))).all()
        names = {**names, **{d.id: d for d in rows}}

    def district_name(district_id: uuid.UUID) -> str:
        d = names.get(district_id)
        return "" if d is None else (d.name_fa if lang == "fa" else d.name_en)

    words = []
    for a in parts:
        street = getattr(a, "street", "") or a.street_key
        if a.street_key and a.district_id is not None:
            words.append(f"{street} ({district_name(a.district_id)})")
        elif a.street_key:
            words.append(street)
        elif a.district_id is not None:
            words.append(district_name(a.district_id))
    return _SEPARATOR.get(lang, ", ").join(w for w in words if w)
