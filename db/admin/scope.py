"""What every admin operation checks first: the actor, the center, codes, names, references.

An admin acts on their own center; the local command line (actor None) names a center with
``--center`` or, when the database holds only one, gets that one. :func:`admin_center` does
both checks and re-reads the actor's row (:func:`db.accounts.require_current`), so the
permission check lives here, in ``db/``, whatever screen or script calls.

:func:`references` answers "does history point to this row?" by walking every foreign key of
the schema, so a table added later by another unit (incidents, notices...) is counted without
this package knowing it.
"""

import re
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from db.accounts import AgentView, require_current
from db.admin.errors import AdminError
from db.models import Center, Role, metadata
from db.text import normalize


class _Unset:
    """The default of an optional edit: "leave this field as it is" (None may mean "clear")."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: object = _Unset()

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


@dataclass(frozen=True)
class Removal:
    """What removing a row did: ``deleted``, or ``deactivated`` because history points to it
    (``tables`` names where)."""

    what: str
    code: str
    deleted: bool
    tables: tuple[str, ...] = ()

    @property
    def deactivated(self) -> bool:
        return not self.deleted


def admin_center(
    session: Session, actor: AgentView | None, center_code: str | None, *, action: str
) -> Center:
    """The center an admin operation works in, after the permission check.

    An admin's own center (``center_code`` may name it, not another one); for the command line
    the center of ``center_code``, or the only one. Errors: PermissionDenied; unknown_center
    (code); other_center; center_required."""
    require_current(session, actor, Role.ADMIN, action=action)
    if center_code:
        center = session.exec(select(Center).where(Center.code == center_code.strip())).first()
        if center is None:
            raise AdminError("unknown_center", code=center_code.strip())
        if actor is not None and center.id != actor.center_id:
            raise AdminError("other_center", what="center", code=center.code)
        return center
    if actor is not None:
        center = session.get(Center, actor.center_id)
        assert center is not None
        return center
    centers = session.exec(select(Center).limit(2)).all()
    if len(centers) != 1:
        raise AdminError("center_required")
    return centers[0]


def check_code(what: str, code: str, max_length: int) -> str:
    """A short identifier typed by an admin: letters, digits, ``_ . -``, kept as typed."""
    code = code.strip()
    if not code:
        raise AdminError("required", field="code")
    if len(code) > max_length:
        raise AdminError("too_long", field="code", max=max_length)
    if _CODE.fullmatch(code) is None:
        raise AdminError("bad_code", what=what, code=code)
    return code


def check_text(field: str, text: str | None, max_length: int, *, required: bool = True) -> str:
    """Persian or English text normalised for storage (db.text.normalize)."""
    value = normalize(text or "")
    if required and not value:
        raise AdminError("required", field=field)
    if len(value) > max_length:
        raise AdminError("too_long", field=field, max=max_length)
    return value


def check_int(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise AdminError("bad_value", field=field, value=value, low=low, high=high)
    return value


def references(
    session: Session, table: sa.Table, row_id: uuid.UUID, *, owned: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Names of the tables with a row pointing at ``row_id`` of ``table`` (``owned`` tables,
    removed along with the row, are not counted)."""
    found = []
    for other in metadata.sorted_tables:
        if other.name in owned:
            continue
        for fk in other.foreign_keys:
            if fk.column.table is table:
                hit = session.execute(
                    sa.select(sa.literal(1)).where(fk.parent == row_id).limit(1)
                ).first()
                if hit is not None:
                    found.append(other.name)
                    break
    return tuple(found)
