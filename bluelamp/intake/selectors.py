"""Read queries over contacts and people that other apps share."""

import datetime as dt

from django.db.models import QuerySet

from bluelamp.forces.models import Force
from bluelamp.intake.models import Person


def people_past_retention(*, force: Force, cutoff: dt.datetime) -> QuerySet[Person]:
    """People of the force every one of whose contacts was received before ``cutoff``: their
    personal data has been kept as long as it may be (a later contact restarts the clock)."""
    return (
        Person.objects.filter(force=force, contacts__received_at__lt=cutoff)
        .exclude(contacts__received_at__gte=cutoff)
        .distinct()
    )
