"""Charge rates from police.uk's published crimes: per crime type, the crimes (distinct Crime
IDs of the street files) and those charged (any outcome row for the Crime ID, or its street
row's last outcome category, is a charge), with a 95% Wilson interval and the national
figure beside it."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from bluelamp.forces.models import Force
from bluelamp.lib.stats import wilson_interval
from bluelamp.outcomes.models import PoliceUkCrime, PoliceUkOutcome
from bluelamp.outcomes.national import ALL_CRIME, BY_CRIME_TYPE, NationalRate
from bluelamp.outcomes.policeuk import CHARGED

ALL = "All crime types"


@dataclass(frozen=True)
class ChargeRate:
    crime_type: str
    crimes: int
    charged: int
    rate: float | None
    low: float
    high: float
    national_rate: float | None = None
    national_period: str = ""
    national_source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def charge_rate(
    crime_type: str, crimes: int, charged: int, national: NationalRate | None
) -> ChargeRate:
    """One row: the rate and its 95% Wilson interval (none for no crimes)."""
    low, high = wilson_interval(charged, crimes)
    return ChargeRate(
        crime_type=crime_type,
        crimes=crimes,
        charged=charged,
        rate=charged / crimes if crimes else None,
        low=low,
        high=high,
        national_rate=national.rate if national else None,
        national_period=national.period if national else "",
        national_source=national.source if national else "",
    )


def charge_rates_rows(counts: Iterable[tuple[str, int, int]],
                      national: dict[str, NationalRate]) -> list[ChargeRate]:  # fmt: skip
    """Rows per crime type (by name) from ``(crime_type, crimes, charged)``, then the total
    with the national all-offence figure."""
    rows = [charge_rate(t, n, c, national.get(t)) for t, n, c in sorted(counts)]
    total = charge_rate(ALL, sum(r.crimes for r in rows), sum(r.charged for r in rows), ALL_CRIME)
    return [*rows, total]


def policeuk_charge_rates(
    *, force: Force, start: dt.date | None = None, end: dt.date | None = None
) -> list[ChargeRate]:
    """The force's police.uk crimes of months ``start`` to ``end`` (first days, both
    included; all when not given), by crime type."""
    crimes = PoliceUkCrime.objects.filter(force=force)
    if start is not None:
        crimes = crimes.filter(month__gte=start)
    if end is not None:
        crimes = crimes.filter(month__lte=end)
    charged_outcome = PoliceUkOutcome.objects.filter(
        force=force, crime_id=OuterRef("crime_id"), outcome_type__in=CHARGED
    )
    counts = (
        crimes.values("crime_type")
        .annotate(
            crimes=Count("pk"),
            charged=Count(
                "pk", filter=Q(last_outcome_category__in=CHARGED) | Q(Exists(charged_outcome))
            ),
        )
        .values_list("crime_type", "crimes", "charged")
    )
    return charge_rates_rows(counts, BY_CRIME_TYPE)
