"""Loading crimes' basics for a user or a force system: scoped by force, then role, then team
(the shared rules are ``bluelamp.forces.access``). Pages and endpoints load checklists only
through here."""

from django.db.models import QuerySet
from django.http import Http404

from bluelamp.forces.access import require_role, team_filter
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
