"""Loading surveys records for a user or a force system: scoped by force, then role, then team
(the shared rules are ``bluelamp.forces.access``). Pages and endpoints load these records only
through here."""

from django.db.models import QuerySet

from bluelamp.forces.access import LIVE_VIEW_ROLES, require_role, team_filter
from bluelamp.forces.models import User
from bluelamp.surveys.models import Response


def responses_for_user(user: User) -> QuerySet[Response]:
    force = require_role(user, LIVE_VIEW_ROLES)
    return Response.objects.filter(force=force).filter(team_filter(user, "team"))
