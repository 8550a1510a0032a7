"""Loading crimes' basics for a user or a force system: scoped by force, then role, then team
(the shared rules are ``bluelamp.forces.access``). Pages and endpoints load checklists only
through here."""

from django.db.models import QuerySet
from django.http import Http404

from bluelamp.forces.access import require_role, team_filter, visible_teams
from bluelamp.forces.models import Force, Role, User
from bluelamp.investigations.models import BasicsItem, Checklist

# Supervisors see their teams' crimes; investigators and administrators their force's.
INVESTIGATION_ROLES = frozenset({Role.SUPERVISOR, Role.INVESTIGATOR, Role.ADMINISTRATOR})


def checklists_for_user(user: User) -> QuerySet[Checklist]:
    force = require_role(user, INVESTIGATION_ROLES)
    return Checklist.objects.filter(force=force).filter(team_filter(user, "crime__team"))


def basics_items_for_user(user: User) -> QuerySet[BasicsItem]:
    force = require_role(user, INVESTIGATION_ROLES)
    return BasicsItem.objects.filter(force=force).filter(
        team_filter(user, "checklist__crime__team")
    )


def access_checklist(user: User, checklist_id: int) -> Checklist:
    """A checklist the user may see, or 404 (never revealing another force's or team's)."""
    try:
        return (
            checklists_for_user(user)
            .select_related("crime__offence", "crime__team", "crime__officer", "force")
            .get(pk=checklist_id)
        )
    except Checklist.DoesNotExist:
        raise Http404("No such crime") from None


def checklist_items_for_force(force: Force, crime_id: int) -> list[BasicsItem]:
    """A crime's items for the force's own systems (empty: no checklist for its offence)."""
    return list(
        BasicsItem.objects.filter(force=force, checklist__crime_id=crime_id).select_related(
            "checklist"
        )
    )


# Charge rates and satisfaction by basics are counts, no personal data: the investigation
# roles, and the analyst, who prepares the chief officer's figures (there is no chief
# officer role: a chief officer signs in as an analyst or administrator).
OUTCOME_ROLES = frozenset({*INVESTIGATION_ROLES, Role.ANALYST})


def outcome_scope(user: User) -> tuple[Force, list[int] | None]:
    """The user's force, and their teams' ids for a team-scoped role (None: the force)."""
    force = require_role(user, OUTCOME_ROLES)
    if not user.is_team_scoped:
        return force, None
    return force, list(visible_teams(user).values_list("pk", flat=True))


def basics_items_for_outcomes(user: User) -> QuerySet[BasicsItem]:
    """The basics the outcome roles count: their teams' for a team-scoped role."""
    force = require_role(user, OUTCOME_ROLES)
    return BasicsItem.objects.filter(force=force).filter(
        team_filter(user, "checklist__crime__team")
    )
