"""Loading surveys records for a user or a force system: scoped by force, then role, then team
(the shared rules are ``bluelamp.forces.access``). Pages and endpoints load these records only
through here."""

from django.db.models import QuerySet
from django.http import Http404

from bluelamp.forces.access import (
    LIVE_VIEW_ROLES,
    THEME_CORRECT_ROLES,
    require_role,
    team_filter,
    visible_teams,
)
from bluelamp.forces.models import User
from bluelamp.surveys.models import Response


def responses_for_user(user: User) -> QuerySet[Response]:
    force = require_role(user, LIVE_VIEW_ROLES)
    return Response.objects.filter(force=force).filter(team_filter(user, "team"))


def access_response_for_theme_correction(user: User, response_id: int) -> Response:
    """A response whose themes the user may correct (a supervisor of its force and, for a
    team-scoped one, its team), or 404 (never revealing another force's response)."""
    force = require_role(user, THEME_CORRECT_ROLES)
    try:
        return (
            Response.objects.filter(force=force)
            .filter(team_filter(user, "team"))
            .select_for_update()
            .get(pk=response_id)
        )
    except Response.DoesNotExist:
        raise Http404("No such response") from None


def theme_correction_allowed(user: User, response: Response) -> bool:
    """Whether a page should offer the user the corrections of this response's themes (the
    same rule as ``access_response_for_theme_correction``)."""
    if user.role not in THEME_CORRECT_ROLES or response.force_id != user.force_id:
        return False
    if not user.is_team_scoped:
        return True
    return response.team_id is not None and visible_teams(user).filter(pk=response.team_id).exists()
