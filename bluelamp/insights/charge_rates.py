"""Charge rates from the force's own crimes: those recorded in the period, by offence, and
those whose outcome now (the latest recorded) is in the Home Office "charged or summonsed"
group (outcome 1 and its sub-codes), beside the national figures. Read from the outcome
rollups (``investigations.outcome_rollups``), so it does not grow with history."""

import datetime as dt

from django.db.models import Q, Sum

from bluelamp.forces.models import Force
from bluelamp.investigations.models import OutcomeRollup
from bluelamp.investigations.outcome_rollups import ALL_TEAMS
from bluelamp.outcomes.charge_rates import ChargeRate, charge_rates_rows
from bluelamp.outcomes.models import Group
from bluelamp.outcomes.national import BY_OFFENCE
from bluelamp.surveys.models import IncidentType


def own_charge_rates(
    *, force: Force, start: dt.date | None = None, end: dt.date | None = None
) -> list[ChargeRate]:
    """The force's crimes recorded in the local months ``start`` to ``end`` (first days,
    both included; all when not given), by offence name, and those charged or summonsed."""
    rollups = OutcomeRollup.objects.filter(force=force, team_key=ALL_TEAMS, dimension="offence")
    if start is not None:
        rollups = rollups.filter(month__gte=start)
    if end is not None:
        rollups = rollups.filter(month__lte=end)
    names = dict(IncidentType.objects.values_list("code", "name"))
    counts = (
        rollups.values("key")
        .annotate(n=Sum("crimes"), charged=Sum("crimes", filter=Q(group=Group.CHARGED)))
        .values_list("key", "n", "charged")
        .order_by()
    )
    national = {names.get(code, code): rate for code, rate in BY_OFFENCE.items()}
    return charge_rates_rows(
        ((names.get(k, k), n or 0, c or 0) for k, n, c in counts if n), national
    )
