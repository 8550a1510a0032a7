"""Loading intake records for a user or a force system: scoped by force, then role, then team
(the shared rules are ``bluelamp.forces.access``). Pages and endpoints load these records only
through here."""

from django.db.models import QuerySet
from django.http import Http404

from bluelamp.forces.access import LIVE_VIEW_ROLES, require_role, team_filter
from bluelamp.forces.models import Force, User
from bluelamp.intake.models import Contact


def contacts_for_user(user: User) -> QuerySet[Contact]:
    """Contacts whose survey decisions the user may read (a supervisor: their teams')."""
    force = require_role(user, LIVE_VIEW_ROLES)
    return Contact.objects.filter(force=force).filter(team_filter(user, "team"))


def access_contact_for_force(force: Force, contact_id: int) -> Contact:
    try:
        return Contact.objects.select_related("incident_type").get(pk=contact_id, force=force)
    except Contact.DoesNotExist:
        raise Http404("No such contact") from None
