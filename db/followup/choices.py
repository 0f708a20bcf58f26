"""What the queue can be filtered by: the center's units, categories and districts, by name.

Inactive ones are included (marked): an old request may still belong to a unit or category
that was retired since, and its agent must be able to find it.
"""

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from db.accounts import AgentView, require
from db.followup.states import READ_ROLES
from db.models import Category, District, Unit


@dataclass(frozen=True)
class Choice:
    id: uuid.UUID
    code: str
    name_fa: str
    name_en: str
    active: bool


@dataclass(frozen=True)
class QueueChoices:
    units: tuple[Choice, ...]
    categories: tuple[Choice, ...]
    districts: tuple[Choice, ...]


def queue_choices(session: Session, *, actor: AgentView) -> QueueChoices:
    """The actor's center's units, categories and districts, active ones first, then by code."""
    require(actor, *READ_ROLES, action="read requests")

    def rows(model) -> tuple[Choice, ...]:
        found = session.exec(
            select(model)
            .where(model.center_id == actor.center_id)
            .order_by(col(model.active).desc(), col(model.code))
        ).all()
        return tuple(Choice(r.id, r.code, r.name_fa, r.name_en, r.active) for r in found)

    return QueueChoices(units=rows(Unit), categories=rows(Category), districts=rows(District))
