"""The shared base of every app's access helpers: which roles may use which pages, and the
scoping they all apply (force first, then role, then, for team-scoped roles, team).

Each app loads its protected records through its own ``access.py`` (``care.access``,
``recovery.access``, ...), built on these; views and API endpoints never call
``Model.objects.get()`` on a protected model. One condition per line, so a reader can check
each. This module imports no app above ``forces``.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from bluelamp.forces.models import Force, Role, Team, User
from bluelamp.lib.params import QueryCheck

LIVE_VIEW_ROLES = frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMINISTRATOR})
RECOVERY_ROLES = frozenset({Role.SUPERVISOR, Role.VICTIM_CARE, Role.ADMINISTRATOR})
RECOVERY_REASSIGN_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
# Who may say a comment is, or is not, about a theme (the supervisor reading the themes).
THEME_CORRECT_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
OUTBOX_ROLES = frozenset({Role.ADMINISTRATOR})
CARE_ROLES = frozenset({Role.VICTIM_CARE, Role.SPECIALIST, Role.INVESTIGATOR, Role.ADMINISTRATOR})
REVIEW_ROLES = frozenset({Role.VICTIM_CARE, Role.ADMINISTRATOR})


def require_role(user: User, roles: frozenset[Role]) -> Force:
    """The user's force, if the user may use a page meant for ``roles``; else refuse."""
    if not user.is_authenticated:
        raise PermissionDenied
    if not user.is_active:
        raise PermissionDenied
    if user.force_id is None:
        raise PermissionDenied
    if user.role not in roles:
        raise PermissionDenied
    assert user.force is not None
    return user.force


def visible_teams(user: User) -> QuerySet[Team]:
    """Teams of the user's force; only their own teams for a team-scoped role."""
    teams = Team.objects.filter(force=user.force)
    if user.is_team_scoped:
        teams = teams.filter(members=user)
    return teams


def team_choice(user: User, query: QueryCheck) -> tuple[list[tuple[str, str]], str]:
    """A list's team filter: the (code, name) of each team the user sees, by name, and the
    ``team`` the query chose among them ("" for all; another code is an error naming it)."""
    teams = list(visible_teams(user).order_by("name").values_list("code", "name"))
    return teams, query.choice("team", ["", *(code for code, _ in teams)], default="")


def team_filter(user: User, field: str) -> Q:
    if not user.is_team_scoped:
        return Q()
    return Q(**{f"{field}__in": visible_teams(user)})
