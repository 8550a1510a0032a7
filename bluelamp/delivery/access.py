"""Loading delivery records for a user or a force system: scoped by force, then role, then team
(the shared rules are ``bluelamp.forces.access``). Pages and endpoints load these records only
through here."""

from django.db.models import QuerySet

from bluelamp.delivery.models import OutboxMessage
from bluelamp.forces.access import OUTBOX_ROLES, require_role
from bluelamp.forces.models import User


def outbox_for_user(user: User) -> QuerySet[OutboxMessage]:
    force = require_role(user, OUTBOX_ROLES)
    return OutboxMessage.objects.filter(force=force)
