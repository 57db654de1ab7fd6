"""Who may do what: the single role → action table, and the data scope of each role.

Every route declares exactly one action (see ``deps.authorize``); a request is allowed only
when ``ROLE_ACTIONS`` grants that action to the user's role. On top of that, every census
query is limited to the user's scope, so a permitted action still only ever reaches the
patients that role may see. Tests build the whole role × route matrix from this table.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from nearhome.board.scope import Scope, ScopeKind


class Role(StrEnum):
    """The roles a user can hold (one per user)."""

    WARD_STAFF = "ward_staff"
    FLOW_MANAGER = "flow_manager"
    ICB_CASE_MANAGER = "icb_case_manager"
    ANALYST = "analyst"
    ADMIN = "admin"


class Action(StrEnum):
    """Everything a route can do, named ``verb_noun``."""

    PUBLIC = "public"
    SIGN_OUT = "sign_out"
    VIEW_BOARD = "view_board"
    EDIT_BOARD = "edit_board"
    VIEW_PATIENT = "view_patient"
    VIEW_HUDDLE = "view_huddle"
    EXPORT_BOARD = "export_board"
    VIEW_PLACEMENTS = "view_placements"
    EDIT_PLACEMENT = "edit_placement"
    VIEW_LONG_STAYS = "view_long_stays"
    VIEW_AGGREGATES = "view_aggregates"
    MANAGE_USERS = "manage_users"


ROLE_LABELS = {
    Role.WARD_STAFF: "Ward team",
    Role.FLOW_MANAGER: "Flow manager",
    Role.ICB_CASE_MANAGER: "ICB case manager",
    Role.ANALYST: "Analyst or commissioner",
    Role.ADMIN: "Administrator",
}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.WARD_STAFF: frozenset(
        {
            Action.SIGN_OUT,
            Action.VIEW_BOARD,
            Action.EDIT_BOARD,
            Action.VIEW_PATIENT,
            Action.VIEW_HUDDLE,
        }
    ),
    Role.FLOW_MANAGER: frozenset(
        {
            Action.SIGN_OUT,
            Action.VIEW_BOARD,
            Action.EDIT_BOARD,
            Action.VIEW_PATIENT,
            Action.VIEW_HUDDLE,
            Action.EXPORT_BOARD,
        }
    ),
    Role.ICB_CASE_MANAGER: frozenset(
        {
            Action.SIGN_OUT,
            Action.VIEW_PATIENT,
            Action.VIEW_PLACEMENTS,
            Action.EDIT_PLACEMENT,
            Action.VIEW_LONG_STAYS,
        }
    ),
    Role.ANALYST: frozenset({Action.SIGN_OUT, Action.VIEW_AGGREGATES}),
    Role.ADMIN: frozenset({Action.SIGN_OUT, Action.MANAGE_USERS}),
}
"""The one table of permissions. Nothing else in nearhome grants access."""

PERSON_LEVEL_ACTIONS = frozenset(
    {
        Action.VIEW_BOARD,
        Action.EDIT_BOARD,
        Action.VIEW_PATIENT,
        Action.VIEW_HUDDLE,
        Action.EXPORT_BOARD,
        Action.VIEW_PLACEMENTS,
        Action.EDIT_PLACEMENT,
        Action.VIEW_LONG_STAYS,
    }
)
"""Actions that reveal or change a single person's record (direct care only)."""

HOME_PAGES = {
    Role.WARD_STAFF: "/board",
    Role.FLOW_MANAGER: "/huddle",
    Role.ICB_CASE_MANAGER: "/placements",
    Role.ANALYST: "/aggregates",
    Role.ADMIN: "/admin/users",
}

MENU = (
    (Action.VIEW_BOARD, "/board", "Board"),
    (Action.VIEW_HUDDLE, "/huddle", "Huddle"),
    (Action.VIEW_PLACEMENTS, "/placements", "Out of area"),
    (Action.VIEW_LONG_STAYS, "/long-stays", "Long stays"),
    (Action.VIEW_AGGREGATES, "/aggregates", "Aggregates"),
    (Action.MANAGE_USERS, "/admin/users", "Users"),
)
"""Navigation items, each shown only to roles granted its action."""


class ScopedUser(Protocol):
    """What scope_for needs to know about a user."""

    @property
    def role(self) -> str:
        """The user's role name."""
        ...

    @property
    def provider_code(self) -> str | None:
        """The trust a flow manager works for."""
        ...

    @property
    def icb_code(self) -> str | None:
        """The ICB a case manager or analyst works for."""
        ...

    @property
    def ward_codes(self) -> tuple[str, ...]:
        """The wards a ward team member works on."""
        ...


def can(role: str, action: Action) -> bool:
    """Whether ``role`` is granted ``action`` (unknown roles are granted nothing)."""
    if action is Action.PUBLIC:
        return True
    try:
        return action in ROLE_ACTIONS[Role(role)]
    except ValueError:
        return False


def scope_for(user: ScopedUser) -> Scope:
    """The patients a user's role lets them reach."""
    role = Role(user.role) if user.role in Role.__members__.values() else None
    if role is Role.WARD_STAFF:
        return Scope.of(ScopeKind.WARDS, list(user.ward_codes))
    if role is Role.FLOW_MANAGER:
        return Scope.of(ScopeKind.PROVIDER, [user.provider_code or ""])
    if role in {Role.ICB_CASE_MANAGER, Role.ANALYST}:
        return Scope.of(ScopeKind.ICB, [user.icb_code or ""])
    return Scope.nothing()


def menu_for(role: str) -> list[tuple[str, str]]:
    """(href, label) navigation items for a role."""
    return [(href, label) for action, href, label in MENU if can(role, action)]
