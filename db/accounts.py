"""Accounts: agents, their roles, signing in, and the permission checks every operation makes.

Passwords are argon2id hashes. After MAX_FAILED_ATTEMPTS wrong passwords in a row an account is
locked for LOCK_MINUTES, so a guessed password over SSH costs an attacker hours, not seconds.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from db import audit
from db.models import Agent, AgentRole, Center, Role, utcnow

MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()

# Which roles open which console mode. Supervisors see every unit's work; admin is separate.
MODE_ROLES: dict[str, frozenset[Role]] = {
    "intake": frozenset({Role.AGENT, Role.SUPERVISOR}),
    "followup": frozenset({Role.FOLLOWUP, Role.SUPERVISOR}),
    "callbacks": frozenset({Role.SURVEYOR, Role.SUPERVISOR}),
    "notices": frozenset({Role.NOTIFIER, Role.SUPERVISOR}),
    "reports": frozenset({Role.SUPERVISOR, Role.SURVEYOR}),
    "admin": frozenset({Role.ADMIN}),
}


class AccountError(Exception):
    """A refused account operation. `code` is stable; the console translates it."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class SignInError(AccountError):
    """bad_credentials | locked (params: minutes) | disabled."""


class PermissionDenied(AccountError):
    """The actor lacks a role the operation needs."""


@dataclass(frozen=True)
class AgentView:
    """A signed-in or listed agent, as plain data."""

    id: uuid.UUID
    username: str
    full_name: str
    center_id: uuid.UUID
    center_code: str
    center_name_fa: str
    center_name_en: str
    roles: frozenset[Role]
    active: bool
    language: str | None
    failed_attempts: int
    locked_until: datetime | None
    last_sign_in_at: datetime | None

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def require(actor: AgentView | None, *roles: Role, action: str) -> None:
    """Refuse unless `actor` holds one of `roles`. `None` is the local CLI, trusted like root."""
    if actor is not None and not actor.has_role(*roles):
        raise PermissionDenied(
            "permission_denied", f"{actor.username} may not {action}", action=action
        )


def allowed_modes(agent: AgentView) -> list[str]:
    return [mode for mode, roles in MODE_ROLES.items() if agent.roles & roles]


def _view(session: Session, agent: Agent) -> AgentView:
    center = session.get(Center, agent.center_id)
    assert center is not None
    roles = session.exec(select(AgentRole.role).where(AgentRole.agent_id == agent.id)).all()
    return AgentView(
        id=agent.id,
        username=agent.username,
        full_name=agent.full_name,
        center_id=agent.center_id,
        center_code=center.code,
        center_name_fa=center.name_fa,
        center_name_en=center.name_en,
        roles=frozenset(Role(r) for r in roles),
        active=agent.active,
        language=agent.language,
        failed_attempts=agent.failed_attempts,
        locked_until=agent.locked_until,
        last_sign_in_at=agent.last_sign_in_at,
    )


def _agent_by_username(session: Session, username: str) -> Agent | None:
    return session.exec(select(Agent).where(Agent.username == username.strip().lower())).first()


def sign_in(
    session: Session, *, username: str, password: str, now: datetime | None = None
) -> AgentView:
    """Check a password. A failure is recorded (and committed) before SignInError is raised."""
    now = now or utcnow()
    agent = _agent_by_username(session, username)
    if agent is None:
        audit.record(session, action="sign_in_failed", detail=f"unknown user {username[:64]!r}")
        session.commit()
        raise SignInError("bad_credentials", "wrong username or password")
    if agent.locked_until is not None and agent.locked_until > now:
        minutes = max(1, int((agent.locked_until - now).total_seconds() // 60) + 1)
        audit.record(
            session, action="sign_in_refused_locked", actor_id=agent.id, center_id=agent.center_id
        )
        session.commit()
        raise SignInError("locked", f"account locked for {minutes} more minutes", minutes=minutes)
    if not _password_matches(agent.password_hash, password):
        agent.failed_attempts += 1
        locks = agent.failed_attempts >= MAX_FAILED_ATTEMPTS
        audit.record(session, action="sign_in_failed", actor_id=agent.id, center_id=agent.center_id)
        if locks:
            agent.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            agent.failed_attempts = 0
            audit.record(
                session, action="account_locked", actor_id=agent.id, center_id=agent.center_id
            )
        session.add(agent)
        session.commit()
        if locks:
            # Say so at once: the person at the keyboard should not type a sixth guess in vain.
            raise SignInError("locked", "account locked", minutes=LOCK_MINUTES)
        raise SignInError("bad_credentials", "wrong username or password")
    if not agent.active:
        audit.record(
            session, action="sign_in_refused_disabled", actor_id=agent.id, center_id=agent.center_id
        )
        session.commit()
        raise SignInError("disabled", "account disabled")
    agent.failed_attempts = 0
    agent.locked_until = None
    agent.last_sign_in_at = now
    session.add(agent)
    audit.record(session, action="sign_in", actor_id=agent.id, center_id=agent.center_id)
    session.flush()
    return _view(session, agent)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password_too_short",
            f"password must have at least {MIN_PASSWORD_LENGTH} characters",
            minimum=MIN_PASSWORD_LENGTH,
        )


def _parse_roles(roles: Iterable[str]) -> list[Role]:
    parsed = []
    for name in roles:
        try:
            parsed.append(Role(name.strip().lower()))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise AccountError(
                "unknown_role", f"unknown role {name!r}; roles are: {known}", role=name
            ) from None
    if not parsed:
        raise AccountError("no_role", "give at least one role")
    return sorted(set(parsed))


def add_agent(
    session: Session,
    *,
    actor: AgentView | None,
    username: str,
    full_name: str,
    password: str,
    roles: Iterable[str],
    center_code: str | None = None,
) -> AgentView:
    """Create an agent in a center (the actor's, or the only one, unless `center_code` says)."""
    require(actor, Role.ADMIN, action="add users")
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise AccountError(
            "bad_username", "username: letters, digits, '.', '_' or '-' only", username=username
        )
    if _agent_by_username(session, username) is not None:
        raise AccountError("username_taken", f"user {username!r} already exists", username=username)
    parsed_roles = _parse_roles(roles)
    _check_password(password)
    center = _resolve_center(session, actor, center_code)
    agent = Agent(
        center_id=center.id,
        username=username,
        full_name=full_name.strip() or username,
        password_hash=hash_password(password),
    )
    session.add(agent)
    session.flush()
    session.add_all(AgentRole(agent_id=agent.id, role=role) for role in parsed_roles)
    audit.record(
        session,
        action="user_added",
        actor_id=actor.id if actor else None,
        center_id=center.id,
        entity="agent",
        entity_id=agent.id,
        changes={"username": [None, username], "roles": [None, [r.value for r in parsed_roles]]},
    )
    session.flush()
    return _view(session, agent)


def _resolve_center(session: Session, actor: AgentView | None, center_code: str | None) -> Center:
    if center_code:
        center = session.exec(select(Center).where(Center.code == center_code.strip())).first()
        if center is None:
            raise AccountError("unknown_center", f"no center with code {center_code!r}")
        return center
    if actor is not None:
        center = session.get(Center, actor.center_id)
        assert center is not None
        return center
    centers = session.exec(select(Center).limit(2)).all()
    if len(centers) != 1:
        raise AccountError(
            "center_required",
            "give --center CODE" if centers else "no center exists yet: run abfa-desk demo first",
        )
    return centers[0]


def set_password(
    session: Session, *, actor: AgentView | None, username: str, password: str
) -> None:
    """Set a password and unlock the account. Agents may change their own; admins anyone's."""
    agent = _agent_by_username(session, username)
    if agent is None:
        raise AccountError("unknown_user", f"no user {username!r}", username=username)
    if actor is None or actor.id != agent.id:
        require(actor, Role.ADMIN, action="reset passwords")
    _check_password(password)
    agent.password_hash = hash_password(password)
    agent.failed_attempts = 0
    agent.locked_until = None
    agent.updated_at = utcnow()
    session.add(agent)
    audit.record(
        session,
        action="password_set",
        actor_id=actor.id if actor else None,
        center_id=agent.center_id,
        entity="agent",
        entity_id=agent.id,
    )
    session.flush()


def list_agents(session: Session, *, actor: AgentView | None) -> list[AgentView]:
    require(actor, Role.ADMIN, Role.SUPERVISOR, action="list users")
    agents = session.exec(select(Agent).order_by(col(Agent.username))).all()
    return [_view(session, agent) for agent in agents]


def has_agents(session: Session) -> bool:
    return session.exec(select(Agent.id).limit(1)).first() is not None
