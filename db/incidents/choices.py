"""What the declare form offers: the center's active districts and units, by name."""

from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.followup.choices import Choice
from db.incidents.records import INCIDENT_ROLES
from db.models import District, Unit


def declare_choices(
    session: Session, *, actor: AgentView
) -> tuple[tuple[Choice, ...], tuple[Choice, ...]]:
    """``(districts, units)`` an incident can be declared over and given to, active only."""
    require(actor, *INCIDENT_ROLES, action="declare incidents")

    def rows(model) -> tuple[Choice, ...]:
        found = session.exec(
            select(model)
            .where(model.center_id == actor.center_id, col(model.active).is_(True))
            .order_by(col(model.code))
        ).all()
        return tuple(Choice(r.id, r.code, r.name_fa, r.name_en, r.active) for r in found)

    return rows(District), rows(Unit)
