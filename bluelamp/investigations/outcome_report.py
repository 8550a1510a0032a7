"""Charge rates a chief officer can quote, read from the outcome rollups: the crimes recorded
in a period (a month, a quarter or a year ending with a month) and the outcomes they have
now, by offence, team and area, with the charge or summons rate and its 95% Wilson
interval, the median days to an outcome, the share in each Home Office group and the
national figure beside it."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum

from bluelamp.investigations.models import BUCKETS, DAY_EDGES, OutcomeRollup
from bluelamp.investigations.outcome_rollups import ALL_TEAMS, MEASURES
from bluelamp.lib.stats import wilson_interval
from bluelamp.outcomes.models import Group
from bluelamp.outcomes.national import ALL_CRIME, BY_OFFENCE, NationalRate

PERIODS = {"month": 1, "quarter": 3, "year": 12}
# Fewer crimes than this: the rate is shown greyed, its interval too wide to quote.
SMALL = 10


def months_ending(end: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` months up to and including ``end``'s (pure)."""
    year, month = end.year, end.month
    found = []
    for _ in range(count):
        found.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


@dataclass(frozen=True)
class Median:
    low: float  # the bucket the median falls in, in days
    high: float | None  # None: the open bucket (a year and more)
    estimate: float  # interpolated within the bucket


def median_of(buckets: list[int]) -> Median | None:
    """The median days to an outcome from the histogram's counts (``DAY_EDGES``), by linear
    interpolation within its bucket; None when no crime has an outcome (pure)."""
    n = sum(buckets)
    if n == 0:
        return None
    half = n / 2
    before = 0
    for i, count in enumerate(buckets):
        if count and before + count >= half:
            low = float(DAY_EDGES[i - 1]) if i else 0.0
            if i == len(DAY_EDGES):
                return Median(low, None, low)
            high = float(DAY_EDGES[i])
            return Median(low, high, low + (half - before) / count * (high - low))
        before += count
    raise AssertionError("unreachable: the counts add up to n")


@dataclass
class OutcomeRow:
    label: str
    key: str
    groups: Counter[str] = field(default_factory=Counter)
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    days_sum: float = 0.0
    national: NationalRate | None = None

    @property
    def crimes(self) -> int:
        return sum(self.groups.values())

    @property
    def charged(self) -> int:
        return self.groups.get(Group.CHARGED, 0)

    @property
    def with_outcome(self) -> int:
        return self.crimes - self.groups.get(Group.NO_OUTCOME_YET, 0)

    @property
    def rate(self) -> float | None:
        return self.charged / self.crimes if self.crimes else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.charged, self.crimes)

    @property
    def small(self) -> bool:
        return self.crimes < SMALL

    @property
    def median(self) -> Median | None:
        return median_of(self.buckets)

    @property
    def shares(self) -> list[tuple[str, str, int, float | None]]:
        """(group code, name, count, share of the crimes) for every group, in the
        framework's order."""
        return [
            (g.value, g.label, self.groups.get(g.value, 0),
             self.groups.get(g.value, 0) / self.crimes if self.crimes else None)
            for g in Group
        ]  # fmt: skip


@dataclass(frozen=True)
class OutcomeReport:
    months: list[dt.date]
    total: OutcomeRow
    by_offence: list[OutcomeRow]
    by_team: list[OutcomeRow]
    by_area: list[OutcomeRow]


def _add(row: OutcomeRow, group: str, sums: Mapping[str, Any]) -> None:
    row.groups[group] += int(sums["crimes"] or 0)
    row.days_sum += float(sums["days_sum"] or 0)
    for i, bucket in enumerate(BUCKETS):
        row.buckets[i] += int(sums[bucket] or 0)


def _sorted(rows: dict[str, OutcomeRow]) -> list[OutcomeRow]:
    return sorted((r for r in rows.values() if r.crimes), key=lambda r: (-r.crimes, r.label))


def outcome_report(
    *,
    force_id: int,
    team_ids: list[int] | None,
    months: list[dt.date],
    offence_names: dict[str, str],
    team_names: dict[int, str],
) -> OutcomeReport:
    """The report for the months (first days) from the rollups: the whole force when
    ``team_ids`` is None (its all-teams rows), else those teams' rows added up. One grouped
    query; the rows read grow with months, offences, areas and teams, never with crimes."""
    rollups = OutcomeRollup.objects.filter(force_id=force_id, month__in=months)
    if team_ids is None:
        rollups = rollups.filter(team_key=ALL_TEAMS) | rollups.filter(dimension="all")
    else:
        rollups = rollups.filter(team_key__in=team_ids or [-2])
    sums = (
        rollups.values("team_key", "dimension", "key", "group")
        .annotate(**{m: Sum(m) for m in MEASURES})
        .order_by()
    )
    total = OutcomeRow("All offences", "", national=ALL_CRIME)
    units: dict[str, dict[str, OutcomeRow]] = defaultdict(dict)
    for found in sums:
        team, dimension, key = found["team_key"], found["dimension"], found["key"]
        if dimension == "all" and team != ALL_TEAMS:
            label = team_names.get(team, "No team")
            row = units["team"].setdefault(str(team), OutcomeRow(label, str(team)))
            _add(row, found["group"], found)
        if (team_ids is None) != (team == ALL_TEAMS):
            continue  # the force's rows are under all teams; a team's under its own
        if dimension == "all":
            _add(total, found["group"], found)
        elif dimension == "offence":
            row = units["offence"].setdefault(
                key, OutcomeRow(offence_names.get(key, key), key, national=BY_OFFENCE.get(key))
            )
            _add(row, found["group"], found)
        elif dimension == "area":
            row = units["area"].setdefault(key, OutcomeRow(key or "No area", key))
            _add(row, found["group"], found)
    return OutcomeReport(
        months=months,
        total=total,
        by_offence=_sorted(units["offence"]),
        by_team=_sorted(units["team"]),
        by_area=_sorted(units["area"]),
    )
