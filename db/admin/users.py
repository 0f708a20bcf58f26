"""Users (agents) as the admin mode manages them.

The operations live in :mod:`db.accounts`, next to signing in and the lockout they undo, so the
rules about passwords and roles stay in one place; this module gathers what the admin screen
calls. Every one of them refuses a non-admin actor and writes an audit row.
"""

from db.accounts import (
    AccountError,
    AgentView,
    PermissionDenied,
    add_agent,
    disable_agent,
    enable_agent,
    list_agents,
    reset_password,
    set_roles,
    unlock_agent,
    update_agent,
)

__all__ = [
    "AccountError",
    "AgentView",
    "PermissionDenied",
    "add_agent",
    "disable_agent",
    "enable_agent",
    "list_agents",
    "reset_password",
    "set_roles",
    "unlock_agent",
    "update_agent",
]
