"""What the call is about: the category type-ahead, the agent's recent categories, one category,
the districts to pick for an address, and the canned answers for an information call.

Why together: all of them search the center's small catalog in memory on the same normalised
search keys (so ي/ی, ك/ک and digit scripts do not matter), ranked the same way.
"""

import re
import uuid

from sqlmodel import Session, col, select

from db.accounts import AgentView
from db.intake.errors import _in_center, _require_caller
from db.intake.queries import _names
from db.intake.views import CannedAnswerView, DistrictView
from db.models import Call, CannedAnswer, Category, District
from db.text import search_key
from db.views import CategoryView, category_view

# Word boundaries in a category's search key: spaces, punctuation, brackets, "_" of codes.
_WORDS = re.compile(r"[\W_]+")


def _words(key: str) -> list[str]:
    """The words of a search key."""
    return [w for w in _WORDS.split(key) if w]


def _starts_words(typed: list[str], key: str) -> bool:
    """Every typed word starts a word of ``key`` (and something was typed)."""
    words = _words(key)
    return bool(typed) and all(any(w.startswith(t) for w in words) for t in typed)


def _category_key(category: Category) -> str:
    return category.search_key or search_key(
        f"{category.name_fa} {category.name_en} {category.code}"
    )


def find_categories(
    session: Session, *, actor: AgentView, text: str, limit: int = 10
) -> list[CategoryView]:
    """Type-ahead over the center's active categories, Persian or English.

    Matched on :func:`db.text.search_key` (so ي/ی, ك/ک and digit scripts do not matter): first
    categories where every typed word starts a word of the name, then those containing the
    typed text anywhere; each group in catalog order. Empty text lists the catalog.
    """
    _require_caller(actor, "take calls")
    rows = session.exec(
        select(Category)
        .where(Category.center_id == actor.center_id, col(Category.active).is_(True))
        .order_by(col(Category.sort_order), col(Category.code))
    ).all()
    key = search_key(text or "")
    if not key:
        return [category_view(c) for c in rows[:limit]]
    typed = _words(key)
    ranked: list[tuple[int, int, Category]] = []
    for i, category in enumerate(rows):
        ckey = _category_key(category)
        if _starts_words(typed, ckey):
            ranked.append((0, i, category))
        elif key in ckey:
            ranked.append((1, i, category))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [category_view(c) for _, _, c in ranked[:limit]]


def recent_categories(session: Session, *, actor: AgentView, limit: int = 5) -> list[CategoryView]:
    """The active categories of the actor's own latest calls, most recent first, no repeats."""
    _require_caller(actor, "take calls")
    ids = session.exec(
        select(Call.category_id)
        .where(Call.agent_id == actor.id, col(Call.category_id).is_not(None))
        .order_by(col(Call.started_at).desc())
        .limit(max(50, limit * 10))
    ).all()
    ordered = list(dict.fromkeys(ids))
    rows = _names(session, Category, ordered)
    result = []
    for category_id in ordered:
        category = rows.get(category_id)
        if category and category.active and category.center_id == actor.center_id:
            result.append(category_view(category))
            if len(result) == limit:
                break
    return result


def last_channel(session: Session, *, actor: AgentView) -> str | None:
    """The line (channel) of the actor's own latest call, the desk's default for the next one."""
    _require_caller(actor, "take calls")
    return session.exec(
        select(Call.channel)
        .where(Call.agent_id == actor.id)
        .order_by(col(Call.started_at).desc())
        .limit(1)
    ).first()


def get_category(session: Session, *, actor: AgentView, category_id: uuid.UUID) -> CategoryView:
    """One category of the actor's center, active or not (a resumed draft names it by id).

    Errors: category not_found.
    """
    _require_caller(actor, "take calls")
    return category_view(_in_center(session, Category, category_id, "category", actor))


def list_districts(session: Session, *, actor: AgentView) -> list[DistrictView]:
    """The center's active districts, by code: few, so the screen filters them itself."""
    _require_caller(actor, "take calls")
    rows = session.exec(
        select(District)
        .where(District.center_id == actor.center_id, col(District.active).is_(True))
        .order_by(col(District.code))
    ).all()
    return [DistrictView(id=d.id, code=d.code, name_fa=d.name_fa, name_en=d.name_en) for d in rows]


def _canned_key(answer: CannedAnswer) -> str:
    return answer.search_key or search_key(f"{answer.title_fa} {answer.title_en} {answer.code}")


def find_canned_answers(
    session: Session,
    *,
    actor: AgentView,
    text: str,
    category_id: uuid.UUID | None = None,
    limit: int = 20,
) -> list[CannedAnswerView]:
    """Search the center's active canned answers, Persian or English, for an information call.

    Matched on :func:`db.text.search_key` like :func:`find_categories`: answers whose title
    words start with every typed word first, then titles containing the typed text, then
    answers whose text contains it. With ``category_id``, that category's answers come first
    in each group (the others still follow: a caller asking about a bill may need the payment
    ways too). Empty text lists them all. Ties keep the catalog order (creation order).
    """
    _require_caller(actor, "take calls")
    rows = session.exec(
        select(CannedAnswer)
        .where(CannedAnswer.center_id == actor.center_id, col(CannedAnswer.active).is_(True))
        .order_by(col(CannedAnswer.id))
    ).all()
    key = search_key(text or "")
    typed = _words(key)
    ranked: list[tuple[int, int, int, CannedAnswer]] = []
    for i, answer in enumerate(rows):
        other = 0 if category_id is None or answer.category_id == category_id else 1
        if not key:
            ranked.append((other, 0, i, answer))
            continue
        title = _canned_key(answer)
        if _starts_words(typed, title):
            ranked.append((other, 0, i, answer))
        elif key in title:
            ranked.append((other, 1, i, answer))
        elif key in search_key(f"{answer.body_fa} {answer.body_en}"):
            ranked.append((other, 2, i, answer))
    ranked.sort(key=lambda r: (r[1], r[0], r[2]))
    return [
        CannedAnswerView(
            id=a.id,
            code=a.code,
            category_id=a.category_id,
            title_fa=a.title_fa,
            title_en=a.title_en,
            body_fa=a.body_fa,
            body_en=a.body_en,
        )
        for *_, a in ranked[:limit]
    ]
