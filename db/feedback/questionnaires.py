"""Questionnaires as data: the questions, their answer scales, the category groups they serve.

An administrator edits them; the callbacks desk reads :func:`questionnaire_for` the request's
category group. Nothing an answer points at is ever deleted: a question with answers is
*retired* instead (moved to a position below 1, so it is no longer asked but its answers keep
their meaning), its scale is frozen, and a questionnaire is switched off, not removed. A question
nobody answered yet may still be removed outright.

The question whose "no" reopens the request (``reopens_on_no``) must be a yes/no question;
yes/no and 1-5 questions are required in a survey, text questions are not.
"""

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db import audit, catalog_seed
from db.accounts import AgentView, require
from db.feedback.errors import FeedbackError
from db.feedback.records import _aware_now, _center_of, _uuid
from db.feedback.views import QuestionnaireView, QuestionView
from db.models import Answer, AnswerScale, CategoryGroup, Question, Questionnaire, Role
from db.text import normalize

ADMIN_ROLES = (Role.ADMIN,)
SCALES = tuple(s.value for s in AnswerScale)
GROUPS = tuple(g.value for g in CategoryGroup)
MAX_NAME = 120
MAX_TEXT = 400
_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
# Positions at or above this are a reorder in progress (unique per questionnaire).
_SHUFFLE = 10_000


@dataclass(frozen=True)
class QuestionInput:
    """A question to add."""

    code: str
    text_fa: str
    text_en: str
    scale: str
    reopens_on_no: bool = False


def _code(code: str, what: str = "code") -> str:
    code = (code or "").strip().lower()
    if not _CODE.fullmatch(code):
        raise FeedbackError("bad_code", code=code, what=what)
    return code


def _text(value: str, field: str, limit: int) -> str:
    text = normalize(value or "")
    if not text:
        raise FeedbackError("required", field=field)
    if len(text) > limit:
        raise FeedbackError("too_long", field=field, max=limit)
    return text


def _groups(groups: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(g).strip() for g in groups))
    bad = [g for g in chosen if g not in GROUPS]
    if bad:
        raise FeedbackError("bad_groups", groups=tuple(bad), allowed=GROUPS)
    return chosen


def _scale(scale: str, reopens_on_no: bool, code: str) -> str:
    if scale not in SCALES:
        raise FeedbackError("bad_scale", scale=scale, allowed=SCALES)
    if reopens_on_no and scale != AnswerScale.YES_NO:
        raise FeedbackError("not_yes_no", code=code)
    return scale


def _answer_counts(session: Session, question_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not question_ids:
        return {}
    rows = session.exec(
        select(Answer.question_id, sa.func.count())
        .where(col(Answer.question_id).in_(question_ids))
        .group_by(Answer.question_id)
    ).all()
    return {qid: int(n) for qid, n in rows}


def _questions(session: Session, questionnaire_id: uuid.UUID) -> list[Question]:
    return list(
        session.exec(
            select(Question)
            .where(Question.questionnaire_id == questionnaire_id)
            .order_by(col(Question.position))
            .execution_options(populate_existing=True)
        ).all()
    )


def questionnaire_view(session: Session, questionnaire: Questionnaire) -> QuestionnaireView:
    questions = _questions(session, questionnaire.id)
    counts = _answer_counts(session, [q.id for q in questions])

    def view(q: Question) -> QuestionView:
        return QuestionView(
            id=q.id,
            position=q.position,
            code=q.code,
            text_fa=q.text_fa,
            text_en=q.text_en,
            scale=q.scale,
            reopens_on_no=q.reopens_on_no,
            retired=q.position < 1,
            answers=counts.get(q.id, 0),
        )

    return QuestionnaireView(
        id=questionnaire.id,
        center_id=questionnaire.center_id,
        code=questionnaire.code,
        name_fa=questionnaire.name_fa,
        name_en=questionnaire.name_en,
        category_groups=tuple(questionnaire.category_groups or ()),
        active=questionnaire.active,
        updated_at=questionnaire.updated_at,
        questions=tuple(view(q) for q in questions if q.position >= 1),
        retired=tuple(view(q) for q in questions if q.position < 1),
    )


def _questionnaire_row(
    session: Session, questionnaire_id: object, center_id: uuid.UUID | None
) -> Questionnaire:
    row = session.exec(
        select(Questionnaire)
        .where(Questionnaire.id == _uuid(questionnaire_id, "questionnaire"))
        .execution_options(populate_existing=True)
    ).first()
    if row is None or (center_id is not None and row.center_id != center_id):
        raise FeedbackError("not_found", what="questionnaire", id=str(questionnaire_id))
    return row


def questionnaire_for(
    session: Session, center_id: uuid.UUID, category_group: str | None
) -> QuestionnaireView | None:
    """The active questionnaire for a category group: one that names the group, else one that
    names no group (it serves them all); the latest edited wins a tie. None when none fits."""
    rows = session.exec(
        select(Questionnaire)
        .where(Questionnaire.center_id == center_id, Questionnaire.active == sa.true())
        .order_by(col(Questionnaire.updated_at).desc(), col(Questionnaire.id).desc())
    ).all()
    chosen = next(
        (q for q in rows if category_group and category_group in q.category_groups), None
    ) or next((q for q in rows if not q.category_groups), None)
    return questionnaire_view(session, chosen) if chosen is not None else None


def list_questionnaires(
    session: Session, *, actor: AgentView | None, center_id: uuid.UUID | None = None
) -> tuple[QuestionnaireView, ...]:
    """Every questionnaire of the center, active first, by code."""
    require(actor, *ADMIN_ROLES, Role.SURVEYOR, Role.SUPERVISOR, action="read questionnaires")
    center = _center_of(actor, center_id)
    rows = session.exec(
        select(Questionnaire)
        .where(Questionnaire.center_id == center)
        .order_by(col(Questionnaire.active).desc(), col(Questionnaire.code))
    ).all()
    return tuple(questionnaire_view(session, q) for q in rows)


def _audit(
    session: Session,
    actor: AgentView | None,
    center_id: uuid.UUID,
    action: str,
    entity: str,
    entity_id: uuid.UUID,
    changes: dict,
) -> None:
    audit.record(
        session,
        action=action,
        actor_id=actor.id if actor else None,
        center_id=center_id,
        entity=entity,
        entity_id=entity_id,
        changes=changes,
    )


def create_questionnaire(
    session: Session,
    *,
    actor: AgentView | None,
    code: str,
    name_fa: str,
    name_en: str,
    category_groups: Iterable[str] = (),
    questions: Sequence[QuestionInput] = (),
    center_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> QuestionnaireView:
    """A new questionnaire with its questions in order (admin). Errors: bad_code; duplicate_code;
    required / too_long (name_fa, name_en, text_fa, text_en); bad_groups; bad_scale;
    not_yes_no."""
    require(actor, *ADMIN_ROLES, action="edit questionnaires")
    now = _aware_now(now)
    center = _center_of(actor, center_id)
    code = _code(code)
    exists = session.exec(
        select(Questionnaire.id).where(
            Questionnaire.center_id == center, Questionnaire.code == code
        )
    ).first()
    if exists is not None:
        raise FeedbackError("duplicate_code", code=code, what="questionnaire")
    questionnaire = Questionnaire(
        center_id=center,
        code=code,
        name_fa=_text(name_fa, "name_fa", MAX_NAME),
        name_en=_text(name_en, "name_en", MAX_NAME),
        category_groups=_groups(category_groups),
        active=True,
        updated_at=now,
    )
    seen: set[str] = set()
    rows = [_new_question(questionnaire.id, i, q, seen) for i, q in enumerate(questions, start=1)]
    session.add(questionnaire)
    session.flush()
    session.add_all(rows)
    session.flush()
    _audit(
        session,
        actor,
        center,
        "questionnaire_added",
        "questionnaire",
        questionnaire.id,
        {"code": [None, code]},
    )
    return questionnaire_view(session, questionnaire)


def _new_question(
    questionnaire_id: uuid.UUID, position: int, q: QuestionInput, seen: set[str]
) -> Question:
    code = _code(q.code, "question")
    if code in seen:
        raise FeedbackError("duplicate_code", code=code, what="question")
    seen.add(code)
    return Question(
        questionnaire_id=questionnaire_id,
        position=position,
        code=code,
        text_fa=_text(q.text_fa, "text_fa", MAX_TEXT),
        text_en=_text(q.text_en, "text_en", MAX_TEXT),
        scale=_scale(q.scale, q.reopens_on_no, code),
        reopens_on_no=q.reopens_on_no,
    )


def install_default_questionnaire(
    session: Session,
    *,
    actor: AgentView | None,
    center_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> QuestionnaireView:
    """The starting questionnaire of :mod:`db.catalog_seed` (resolved?, on time, staff,
    overall, a comment), unless the center already has one by that code."""
    require(actor, *ADMIN_ROLES, action="edit questionnaires")
    center = _center_of(actor, center_id)
    seed = catalog_seed.DEFAULT_QUESTIONNAIRE
    existing = session.exec(
        select(Questionnaire).where(
            Questionnaire.center_id == center, Questionnaire.code == seed.code
        )
    ).first()
    if existing is not None:
        return questionnaire_view(session, existing)
    return create_questionnaire(
        session,
        actor=actor,
        code=seed.code,
        name_fa=seed.name_fa,
        name_en=seed.name_en,
        category_groups=seed.category_groups,
        questions=[
            QuestionInput(q.code, q.text_fa, q.text_en, q.scale.value, q.reopens_on_no)
            for q in seed.questions
        ],
        center_id=center,
        now=now,
    )


def update_questionnaire(
    session: Session,
    *,
    actor: AgentView | None,
    questionnaire_id: uuid.UUID,
    name_fa: str | None = None,
    name_en: str | None = None,
    category_groups: Iterable[str] | None = None,
    active: bool | None = None,
    now: datetime | None = None,
) -> QuestionnaireView:
    """Rename, re-aim at other category groups, switch off or on (admin; never deleted)."""
    require(actor, *ADMIN_ROLES, action="edit questionnaires")
    now = _aware_now(now)
    row = _questionnaire_row(session, questionnaire_id, actor.center_id if actor else None)
    values: dict = {}
    if name_fa is not None:
        values["name_fa"] = _text(name_fa, "name_fa", MAX_NAME)
    if name_en is not None:
        values["name_en"] = _text(name_en, "name_en", MAX_NAME)
    if category_groups is not None:
        values["category_groups"] = _groups(category_groups)
    if active is not None:
        values["active"] = bool(active)
    changes = {k: [getattr(row, k), v] for k, v in values.items() if getattr(row, k) != v}
    if changes:
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
        session.add(row)
        session.flush()
        _audit(
            session, actor, row.center_id, "questionnaire_changed", "questionnaire", row.id, changes
        )
    return questionnaire_view(session, row)


def _touch(session: Session, row: Questionnaire, now: datetime) -> None:
    row.updated_at = now
    session.add(row)
    session.flush()


def add_question(
    session: Session,
    *,
    actor: AgentView | None,
    questionnaire_id: uuid.UUID,
    question: QuestionInput,
    now: datetime | None = None,
) -> QuestionnaireView:
    """Add a question at the end (admin). Errors as :func:`create_questionnaire`; a code a
    retired question still holds is taken too (its answers keep that code)."""
    require(actor, *ADMIN_ROLES, action="edit questionnaires")
    now = _aware_now(now)
    row = _questionnaire_row(session, questionnaire_id, actor.center_id if actor else None)
    existing = _questions(session, row.id)
    position = max((q.position for q in existing), default=0) + 1
    new = _new_question(row.id, max(position, 1), question, {q.code for q in existing})
    session.add(new)
    _touch(session, row, now)
    _audit(
        session,
        actor,
        row.center_id,
        "question_added",
        "question",
        new.id,
        {"code": [None, new.code]},
    )
    return questionnaire_view(session, row)


def _question(session: Session, question_id: object, actor: AgentView | None) -> Question:
    question = session.get(Question, _uuid(question_id, "question"))
    if question is None:
        raise FeedbackError("not_found", what="question", id=str(question_id))
    _questionnaire_row(session, question.questionnaire_id, actor.center_id if actor else None)
    return question


def update_question(
    session: Session,
    *,
    actor: AgentView | None,
    question_id: uuid.UUID,
    text_fa: str | None = None,
    text_en: str | None = None,
    scale: str | None = None,
    reopens_on_no: bool | None = None,
    now: datetime | None = None,
) -> QuestionnaireView:
    """Reword a question, or change its scale while nobody has answered it (admin).
    Errors: has_answers (code) for a scale change under answers; bad_scale; not_yes_no."""
    require(actor, *ADMIN_ROLES, action="edit questionnaires")
    now = _aware_now(now)
    question = _question(session, question_id, actor)
    values: dict = {}
    if text_fa is not None:
        values["text_fa"] = _text(text_fa, "text_fa", MAX_TEXT)
    if text_en is not None:
        values["text_en"] = _text(text_en, "text_en", MAX_TEXT)
    new_scale = question.scale if scale is None else scale
    new_reopens = question.reopens_on_no if reopens_on_no is None else bool(reopens_on_no)
    _scale(new_scale, new_reopens, question.code)
    if new_scale != question.scale:
        if _answer_counts(session, [question.id]):
            raise FeedbackError("has_answers", code=question.code)
        values["scale"] = new_scale
    if new_reopens != question.reopens_on_no:
        values["reopens_on_no"] = new_reopens
    changes = {k: [getattr(question, k), v] for k, v in values.items() if getattr(question, k) != v}
    row = _questionnaire_row(session, question.questionnaire_id, None)
    if changes:
        for key, value in values.items():
            setattr(question, key, value)
        session.add(question)
        _touch(session, row, now)
        _audit(session, actor, row.center_id, "question_changed", "question", question.id, changes)
    return questionnaire_view(session, row)


def retire_question(
    session: Session,
    *,
    actor: AgentView | None,
    question_id: uuid.UUID,
    now: datetime | None = None,
) -> QuestionnaireView:
    """Stop asking a question (admin): removed when nobody answered it, else retired (kept,
    below position 1, for its answers). The remaining questions close up their positions."""
    require(actor, *ADMIN_ROLES, action="edit questionnaires")
    now = _aware_now(now)
    question = _question(session, question_id, actor)
    row = _questionnaire_row(session, question.questionnaire_id, None)
    if question.position < 1:
        return questionnaire_view(session, row)
    answered = bool(_answer_counts(session, [question.id]))
    if answered:
        lowest = min((q.position for q in _questions(session, row.id)), default=1)
        question.position = min(lowest, 1) - 1
        session.add(question)
    else:
        session.delete(question)
    session.flush()
    _renumber(session, row.id, [q.code for q in _questions(session, row.id) if q.position >= 1])
    _touch(session, row, now)
    _audit(
        session,
        actor,
        row.center_id,
        "question_retired" if answered else "question_removed",
        "question",
        question.id,
        {"code": [question.code, None]},
    )
    return questionnaire_view(session, row)


def reorder_questions(
    session: Session,
    *,
    actor: AgentView | None,
    questionnaire_id: uuid.UUID,
    codes: Sequence[str],
    now: datetime | None = None,
) -> QuestionnaireView:
    """Put the asked questions in the order of ``codes`` (each exactly once; admin)."""
    require(actor, *ADMIN_ROLES, action="edit questionnaires")
    now = _aware_now(now)
    row = _questionnaire_row(session, questionnaire_id, actor.center_id if actor else None)
    asked = [q.code for q in _questions(session, row.id) if q.position >= 1]
    wanted = [c.strip().lower() for c in codes]
    if sorted(wanted) != sorted(asked):
        raise FeedbackError("bad_order", codes=tuple(asked))
    _renumber(session, row.id, wanted)
    _touch(session, row, now)
    return questionnaire_view(session, row)


def _renumber(session: Session, questionnaire_id: uuid.UUID, codes: Sequence[str]) -> None:
    """Positions 1..n in the order of ``codes``, through a high band so the unique
    (questionnaire, position) constraint never sees two rows on one position."""
    table = Question.__table__
    for step in (_SHUFFLE, 0):
        for i, code in enumerate(codes, start=1):
            session.execute(
                sa.update(table)
                .where(
                    table.c.questionnaire_id == questionnaire_id,
                    table.c.code == code,
                    table.c.position >= 1,
                )
                .values(position=step + i)
            )
    session.flush()
