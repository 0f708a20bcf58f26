"""Canned answers: the ready texts an agent reads out on an information call.

Titles and bodies are stored normalised (Arabic ي/ك folded to Persian) with a search key over
titles and code, so intake's type-ahead finds them however the agent types.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.admin.categories import find_category
from db.admin.changes import apply_changes, record_change
from db.admin.errors import AdminError
from db.admin.scope import UNSET, Removal, admin_center, check_code, check_text, references
from db.models import CannedAnswer, Category, utcnow
from db.text import search_key


@dataclass(frozen=True)
class CannedAnswerView:
    id: uuid.UUID
    code: str
    category_code: str | None
    title_fa: str
    title_en: str
    body_fa: str
    body_en: str
    active: bool
    updated_at: datetime


def _view(session: Session, row: CannedAnswer) -> CannedAnswerView:
    category = session.get(Category, row.category_id) if row.category_id else None
    return CannedAnswerView(
        row.id,
        row.code,
        category.code if category else None,
        row.title_fa,
        row.title_en,
        row.body_fa,
        row.body_en,
        row.active,
        row.updated_at,
    )


def _find(session: Session, center_id: uuid.UUID, code: str) -> CannedAnswer:
    row = session.exec(
        select(CannedAnswer).where(
            CannedAnswer.center_id == center_id, CannedAnswer.code == code.strip()
        )
    ).first()
    if row is None:
        raise AdminError("not_found", what="canned_answer", code=code.strip())
    return row


def _category_id(session: Session, center_id: uuid.UUID, code: str | None) -> uuid.UUID | None:
    return find_category(session, center_id, code).id if code and code.strip() else None


def _search_key(row: CannedAnswer) -> str:
    return search_key(f"{row.title_fa} {row.title_en} {row.code}")[:600]


def list_canned(
    session: Session,
    *,
    actor: AgentView | None,
    center_code: str | None = None,
    include_inactive: bool = True,
) -> list[CannedAnswerView]:
    """The center's canned answers by code."""
    center = admin_center(session, actor, center_code, action="list canned answers")
    query = (
        select(CannedAnswer)
        .where(CannedAnswer.center_id == center.id)
        .order_by(col(CannedAnswer.code))
    )
    if not include_inactive:
        query = query.where(col(CannedAnswer.active).is_(True))
    return [_view(session, row) for row in session.exec(query)]


def add_canned(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    title_fa: str,
    body_fa: str,
    title_en: str = "",
    body_en: str = "",
    category_code: str | None = None,
    center_code: str | None = None,
) -> CannedAnswerView:
    """A new canned answer. Errors: duplicate, bad_code, required, too_long, not_found
    (category)."""
    center = admin_center(session, actor, center_code, action="add canned answers")
    code = check_code("canned_answer", code, 32)
    if session.exec(
        select(CannedAnswer.id).where(
            CannedAnswer.center_id == center.id, CannedAnswer.code == code
        )
    ).first():
        raise AdminError("duplicate", what="canned_answer", code=code)
    title_fa = check_text("title_fa", title_fa, 200)
    row = CannedAnswer(
        center_id=center.id,
        code=code,
        category_id=_category_id(session, center.id, category_code),
        title_fa=title_fa,
        title_en=check_text("title_en", title_en, 200, required=False) or title_fa,
        body_fa=check_text("body_fa", body_fa, 2000),
        body_en=check_text("body_en", body_en, 2000, required=False),
    )
    row.search_key = _search_key(row)
    session.add(row)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="canned_answer_added",
        entity="canned_answer",
        entity_id=row.id,
        center_id=center.id,
        changes={"code": [None, code], "title_fa": [None, row.title_fa]},
    )
    return _view(session, row)


def update_canned(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    center_code: str | None = None,
    title_fa: str | object = UNSET,
    title_en: str | object = UNSET,
    body_fa: str | object = UNSET,
    body_en: str | object = UNSET,
    category_code: str | object | None = UNSET,
    active: bool | object = UNSET,
    expected_updated_at: datetime | None = None,
) -> CannedAnswerView:
    """Change a canned answer (UNSET leaves a field; ``category_code=None`` detaches it)."""
    center = admin_center(session, actor, center_code, action="change canned answers")
    row = _find(session, center.id, code)
    if expected_updated_at is not None and row.updated_at != expected_updated_at:
        raise AdminError("stale", what="canned_answer", code=row.code)
    before = _view(session, row)
    values: dict[str, object] = {}
    for field, value, limit, required in (
        ("title_fa", title_fa, 200, True),
        ("title_en", title_en, 200, True),
        ("body_fa", body_fa, 2000, True),
        ("body_en", body_en, 2000, False),
    ):
        if value is not UNSET:
            values[field] = check_text(field, value, limit, required=required)  # type: ignore[arg-type]
    if category_code is not UNSET:
        values["category_id"] = _category_id(session, center.id, category_code)  # type: ignore[arg-type]
    if active is not UNSET:
        values["active"] = bool(active)
    changes = apply_changes(row, values)
    if not changes:
        return before
    row.search_key = _search_key(row)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    after = _view(session, row)
    if changes.pop("category_id", None) is not None:
        changes["category"] = [before.category_code, after.category_code]
    record_change(
        session,
        actor=actor,
        action="canned_answer_changed",
        entity="canned_answer",
        entity_id=row.id,
        center_id=center.id,
        changes=changes,
    )
    session.flush()
    return after


def remove_canned(
    session: Session, *, actor: AgentView | None, code: str, center_code: str | None = None
) -> Removal:
    """Delete a canned answer nothing points to; deactivate one that history names."""
    center = admin_center(session, actor, center_code, action="remove canned answers")
    row = _find(session, center.id, code)
    used = references(session, CannedAnswer.__table__, row.id)
    if used:
        if row.active:
            row.active = False
            row.updated_at = utcnow()
            session.add(row)
            record_change(
                session,
                actor=actor,
                action="canned_answer_deactivated",
                entity="canned_answer",
                entity_id=row.id,
                center_id=center.id,
                changes={"active": [True, False]},
                detail="in use: " + ", ".join(used),
            )
            session.flush()
        return Removal("canned_answer", row.code, deleted=False, tables=used)
    session.delete(row)
    record_change(
        session,
        actor=actor,
        action="canned_answer_removed",
        entity="canned_answer",
        entity_id=row.id,
        center_id=center.id,
        changes={"code": [row.code, None], "title_fa": [row.title_fa, None]},
    )
    session.flush()
    return Removal("canned_answer", row.code, deleted=True)
