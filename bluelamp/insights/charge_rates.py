"""Charge rates from the force's own crimes: those recorded in the period, by offence, and
those with an outcome recorded in the Home Office "charged or summonsed" group (outcome 1
and its sub-codes), beside the national figures. Above care (its crimes and events) and
outcomes (the framework's groups)."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef

from bluelamp.care.models import Crime, CrimeEvent
from bluelamp.forces.models import Force
from bluelamp.outcomes.charge_rates import ChargeRate, charge_rates_rows
from bluelamp.outcomes.models import Group, OutcomeCode


def own_charge_rates(
    *, force: Force, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[ChargeRate]:
    """The force's crimes recorded from ``start`` to before ``end`` (all when not given), by
    offence name, and those of them with a charge or summons outcome recorded."""
    crimes = Crime.objects.filter(force=force)
    if start is not None:
        crimes = crimes.filter(recorded_at__gte=start)
    if end is not None:
        crimes = crimes.filter(recorded_at__lt=end)
    codes = OutcomeCode.objects.filter(group=Group.CHARGED).values("code")
    charged = CrimeEvent.objects.filter(
        crime=OuterRef("pk"), kind=CrimeEvent.Kind.OUTCOME_RECORDED, outcome_code__in=codes
    )
    counts = (
        crimes.values("offence__name")
        .annotate(crimes=Count("pk"), charged=Count("pk", filter=Exists(charged)))
        .values_list("offence__name", "crimes", "charged")
    )
    return charge_rates_rows(counts, {})
