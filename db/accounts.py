"""Accounts: agents, their roles, signing in, and the permission checks every operation makes.

Passwords are argon2id hashes. After MAX_FAILED_ATTEMPTS wrong passwords in a row an account is
locked for LOCK_MINUTES, so a guessed password over SSH costs an attacker hours, not seconds.

An administrator manages the people of their own center (:func:`disable_agent`,
:func:`enable_agent`, :func:`set_roles`, :func:`unlock_agent`, :func:`reset_password`,
:func:`update_agent`); each change is an audit row with what it was before. Two guards keep a
center from locking itself out: an admin cannot disable or demote their own account
(``own_account``), and nobody can disable or demote the last active administrator
(``last_admin``). :func:`require_current` re-reads the actor's row, so an admin disabled or
demoted a minute ago cannot go on with the view they signed in with.
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


def list_agents(
    session: Session,
    *,
    actor: AgentView | None,
    center_code: str | None = None,
    include_disabled: bool = True,
) -> list[AgentView]:
    """Agents by username, with their last sign-in, failed attempts and lock; every center's
    unless ``center_code`` names one."""
    require(actor, Role.ADMIN, Role.SUPERVISOR, action="list users")
    query = select(Agent).order_by(col(Agent.username))
    if center_code:
        query = query.where(Agent.center_id == _resolve_center(session, actor, center_code).id)
    if not include_disabled:
        query = query.where(col(Agent.active).is_(True))
    agents = session.exec(query).all()
    return [_view(session, agent) for agent in agents]


def has_agents(session: Session) -> bool:
    return session.exec(select(Agent.id).limit(1)).first() is not None


def require_current(session: Session, actor: AgentView | None, *roles: Role, action: str) -> None:
    """Like :func:`require`, but also checks the actor's row as it is now: still active and
    still holding one of ``roles``. For operations that change who may do what."""
    require(actor, *roles, action=action)
    if actor is None:
        return
    agent = session.get(Agent, actor.id)
    held = set(session.exec(select(AgentRole.role).where(AgentRole.agent_id == actor.id)).all())
    if agent is None or not agent.active or not held.intersection(r.value for r in roles):
        raise PermissionDenied(
            "permission_denied", f"{actor.username} may no longer {action}", action=action
        )


def _managed_agent(
    session: Session, actor: AgentView | None, username: str, *, action: str
) -> Agent:
    """The agent an admin acts on: must exist, and be in the admin's own center."""
    require_current(session, actor, Role.ADMIN, action=action)
    agent = _agent_by_username(session, username)
    if agent is None:
        raise AccountError("unknown_user", f"no user {username!r}", username=username)
    if actor is not None and agent.center_id != actor.center_id:
        raise AccountError(
            "other_center",
            f"user {agent.username!r} belongs to another center",
            username=agent.username,
        )
    return agent


def _roles_of(session: Session, agent_id: uuid.UUID) -> list[str]:
    return sorted(session.exec(select(AgentRole.role).where(AgentRole.agent_id == agent_id)).all())


def _other_active_admins(session: Session, agent: Agent) -> bool:
    """Whether the agent's center has another active administrator: an admin manages only
    their own center, so a center without one could not manage itself."""
    query = (
        select(Agent.id)
        .join(AgentRole, col(AgentRole.agent_id) == col(Agent.id))
        .where(
            AgentRole.role == Role.ADMIN.value,
            col(Agent.active).is_(True),
            Agent.center_id == agent.center_id,
            Agent.id != agent.id,
        )
        .limit(1)
    )
    return session.exec(query).first() is not None


def _guard_admin_loss(session: Session, actor: AgentView | None, agent: Agent, action: str) -> None:
    """Refuse to take away ``agent``'s admin powers when that would leave nobody to manage."""
    if actor is not None and actor.id == agent.id:
        raise AccountError("own_account", f"you may not {action} your own account", action=action)
    is_admin = Role.ADMIN.value in _roles_of(session, agent.id)
    if is_admin and agent.active and not _other_active_admins(session, agent):
        raise AccountError(
            "last_admin",
            f"{agent.username!r} is the last active administrator of the center",
            username=agent.username,
        )


def _audit_agent(
    session: Session,
    actor: AgentView | None,
    agent: Agent,
    action: str,
    changes: dict[str, list[object]] | None = None,
) -> None:
    audit.record(
        session,
        action=action,
        actor_id=actor.id if actor else None,
        center_id=agent.center_id,
        entity="agent",
        entity_id=agent.id,
        changes=changes,
    )


def _set_active(
    session: Session, actor: AgentView | None, username: str, active: bool
) -> AgentView:
    verb = "enable users" if active else "disable users"
    agent = _managed_agent(session, actor, username, action=verb)
    if agent.active == active:
        return _view(session, agent)
    if not active:
        _guard_admin_loss(session, actor, agent, "disable")
    agent.active = active
    agent.updated_at = utcnow()
    session.add(agent)
    _audit_agent(
        session,
        actor,
        agent,
        "user_enabled" if active else "user_disabled",
        {"active": [not active, active]},
    )
    session.flush()
    return _view(session, agent)


def disable_agent(session: Session, *, actor: AgentView | None, username: str) -> AgentView:
    """Stop an agent from signing in. Their history keeps their name; nothing is deleted.
    Errors: unknown_user, other_center, own_account, last_admin."""
    return _set_active(session, actor, username, False)


def enable_agent(session: Session, *, actor: AgentView | None, username: str) -> AgentView:
    """Let a disabled agent sign in again. Errors: unknown_user, other_center."""
    return _set_active(session, actor, username, True)


def set_roles(
    session: Session, *, actor: AgentView | None, username: str, roles: Iterable[str]
) -> AgentView:
    """Replace an agent's roles. Errors: unknown_user, other_center, unknown_role, no_role,
    own_account and last_admin (when the admin role would go)."""
    agent = _managed_agent(session, actor, username, action="set roles")
    wanted = [role.value for role in _parse_roles(roles)]
    before = _roles_of(session, agent.id)
    if wanted == before:
        return _view(session, agent)
    if Role.ADMIN.value in before and Role.ADMIN.value not in wanted:
        _guard_admin_loss(session, actor, agent, "remove the admin role from")
    for role in set(before) - set(wanted):
        link = session.get(AgentRole, (agent.id, role))
        if link is not None:
            session.delete(link)
    session.add_all(AgentRole(agent_id=agent.id, role=role) for role in set(wanted) - set(before))
    agent.updated_at = utcnow()
    session.add(agent)
    _audit_agent(session, actor, agent, "user_roles_set", {"roles": [before, wanted]})
    session.flush()
    return _view(session, agent)


def unlock_agent(session: Session, *, actor: AgentView | None, username: str) -> AgentView:
    """Lift a lock after failed sign-ins and clear the count. Errors: unknown_user, other_center."""
    agent = _managed_agent(session, actor, username, action="unlock users")
    changes: dict[str, list[object]] = {}
    if agent.locked_until is not None:
        changes["locked_until"] = [agent.locked_until.isoformat(), None]
    if agent.failed_attempts:
        changes["failed_attempts"] = [agent.failed_attempts, 0]
    if not changes:
        return _view(session, agent)
    agent.locked_until = None
    agent.failed_attempts = 0
    agent.updated_at = utcnow()
    session.add(agent)
    _audit_agent(session, actor, agent, "user_unlocked", changes)
    session.flush()
    return _view(session, agent)


def reset_password(
    session: Session, *, actor: AgentView | None, username: str, password: str
) -> AgentView:
    """An administrator sets someone's password (and so unlocks the account). Unlike
    :func:`set_password`, only an admin may call it, even for their own account.
    Errors: unknown_user, other_center, password_too_short."""
    agent = _managed_agent(session, actor, username, action="reset passwords")
    set_password(session, actor=actor, username=agent.username, password=password)
    return _view(session, agent)


def update_agent(
    session: Session,
    *,
    actor: AgentView | None,
    username: str,
    full_name: str | None = None,
    center_code: str | None = None,
    language: str | None = None,
) -> AgentView:
    """Change an agent's shown name, center or console language (``""`` clears the language:
    the console's default applies). None leaves a field as it is.
    Errors: unknown_user, other_center, unknown_center, bad_language, bad_full_name; moving an
    administrator: own_account, last_admin."""
    agent = _managed_agent(session, actor, username, action="change users")
    changes: dict[str, list[object]] = {}
    if full_name is not None:
        name = " ".join(full_name.split())
        if not name or len(name) > 120:
            raise AccountError("bad_full_name", "a name of 1 to 120 characters", maximum=120)
        if name != agent.full_name:
            changes["full_name"] = [agent.full_name, name]
            agent.full_name = name
    if language is not None:
        lang = language.strip().lower() or None
        if lang not in (None, "fa", "en"):
            raise AccountError("bad_language", f"unknown language {language!r}", language=language)
        if lang != agent.language:
            changes["language"] = [agent.language, lang]
            agent.language = lang
    if center_code is not None:
        center = session.exec(select(Center).where(Center.code == center_code.strip())).first()
        if center is None:
            raise AccountError(
                "unknown_center", f"no center with code {center_code!r}", code=center_code
            )
        if center.id != agent.center_id:
            _guard_admin_loss(session, actor, agent, "move to another center")
            before = session.get(Center, agent.center_id)
            changes["center"] = [before.code if before else None, center.code]
            agent.center_id = center.id
    if not changes:
        return _view(session, agent)
    agent.updated_at = utcnow()
    session.add(agent)
    _audit_agent(session, actor, agent, "user_changed", changes)
    session.flush()
    return _view(session, agent)
