"""Counting the force's own crimes by outcome, as the Home Office counts "outcomes for
offences recorded in the period": each crime under the month it was recorded in, in the
group of the outcome it has now (the latest ``outcome_recorded`` by time, the later one on a
tie; ``no_outcome_yet`` before any). A crime is counted when care stores it and moved from
one group to another when an outcome is recorded, each in that transaction (listeners wired
in ``flows.wiring``), by one ``INSERT ... ON CONFLICT DO UPDATE`` adding signed counts.
``rollups_check`` and ``rollups_rebuild`` compare and recompute every row from the crimes."""

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from bluelamp.care.models import Crime, CrimeEvent
from bluelamp.investigations.models import BUCKETS, DAY_EDGES, OutcomeRollup
from bluelamp.outcomes.models import Group, OutcomeCode, OutcomeFramework

ALL_TEAMS = -1
NO_TEAM = 0
DIMENSIONS = ("all", "offence", "area")
MEASURES = ("crimes", "days_sum", *BUCKETS)
KEY = ("force_id", "month", "team_key", "dimension", "key", "group")
OUTCOME = CrimeEvent.Kind.OUTCOME_RECORDED

# (force_id, month, team_key, dimension, key, group)
RowKey = tuple[int, dt.date, int, str, str, str]


def bucket_of(days: float) -> int:
    """The histogram bucket of a time to outcome in days (pure)."""
    for i, edge in enumerate(DAY_EDGES):
        if days < edge:
            return i
    return len(DAY_EDGES)


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of the local (Europe/London) month of a moment."""
    return timezone.localtime(moment).date().replace(day=1)


def days_between(recorded_at: dt.datetime, outcome_at: dt.datetime) -> float:
    """Days from recording to the outcome; an outcome dated before recording counts 0."""
    return max(0.0, (outcome_at - recorded_at).total_seconds() / 86400)


def _row_keys(
    force_id: int, month: dt.date, team_id: int | None, offence: str, area: str, group: str
) -> Iterator[RowKey]:
    for team in (team_id or NO_TEAM, ALL_TEAMS):
        for dimension, key in (("all", ""), ("offence", offence), ("area", area)):
            yield (force_id, month, team, dimension, key, group)


def _measures(sign: int, days: float | None) -> Counter[str]:
    found: Counter[str] = Counter(crimes=sign)
    if days is not None:
        found["days_sum"] += sign * days  # type: ignore[assignment]
        found[BUCKETS[bucket_of(days)]] += sign
    return found


def _counted(
    crime: Crime, changes: list[tuple[str, float | None, int]]
) -> dict[RowKey, Counter[str]]:
    """The rows a crime's changes touch, each (group, days or None, +1 or -1), added up."""
    rows: dict[RowKey, Counter[str]] = {}
    month = month_of(crime.recorded_at)
    for group, days, sign in changes:
        for key in _row_keys(crime.force_id, month, crime.team_id, crime.offence_id,
                             crime.area, group):  # fmt: skip
            rows.setdefault(key, Counter()).update(_measures(sign, days))
    return rows


def _upsert(rows: dict[RowKey, Counter[str]]) -> None:
    """Add each row's measures to it (rows in one order, so two transactions lock them in
    the same order)."""
    if not rows:
        return
    table = OutcomeRollup._meta.db_table
    q = connection.ops.quote_name
    ops = connection.ops
    columns = [*KEY, *MEASURES]
    values: list[Any] = []
    for (force_id, month, team, dimension, key, group), measures in sorted(rows.items()):
        values += [force_id, ops.adapt_datefield_value(month), team, dimension, key, group]
        values += [measures.get(m, 0) for m in MEASURES]
    row = f"({', '.join(['%s'] * len(columns))})"
    many = ", ".join([row] * len(rows))
    added = ", ".join(f"{q(m)} = {q(table)}.{q(m)} + excluded.{q(m)}" for m in MEASURES)
    sql = (
        f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) VALUES {many} "  # noqa: S608 (names are ours)
        f"ON CONFLICT ({', '.join(q(c) for c in KEY)}) DO UPDATE SET {added}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def outcome_groups() -> dict[str, str]:
    """Each outcome code of the latest framework and its Home Office group."""
    framework = OutcomeFramework.objects.order_by("-version").first()
    if framework is None:
        return {}
    return dict(OutcomeCode.objects.filter(framework=framework).values_list("code", "group"))


def _group(code: str) -> str:
    found = (
        OutcomeCode.objects.filter(code=code.strip().upper())
        .order_by("-framework__version")
        .values_list("group", flat=True)
        .first()
    )
    return found or Group.NO_OUTCOME_YET


def crime_outcome_count(crime: Crime, actor: str) -> None:
    """The listener ``flows.wiring`` gives care for each crime stored: counted with no
    outcome yet, in the crime's transaction."""
    _upsert(_counted(crime, [(Group.NO_OUTCOME_YET, None, 1)]))


def outcome_event_count(event: CrimeEvent, actor: str) -> None:
    """The listener ``flows.wiring`` gives care for each event recorded, in its transaction:
    an outcome that is now the crime's latest moves the crime from the group of the one
    before (or from no outcome yet) to its own; an older outcome arriving late moves
    nothing."""
    if event.kind != OUTCOME:
        return
    crime = Crime.objects.select_for_update().get(pk=event.crime_id)
    latest = list(
        CrimeEvent.objects.filter(crime=crime, kind=OUTCOME)
        .order_by("-at", "-pk")
        .values_list("pk", "at", "outcome_code")[:2]
    )
    if not latest or latest[0][0] != event.pk:
        return
    changes: list[tuple[str, float | None, int]] = [
        (_group(event.outcome_code), days_between(crime.recorded_at, event.at), 1)
    ]
    if len(latest) > 1:
        _, at, code = latest[1]
        changes.append((_group(code), days_between(crime.recorded_at, at), -1))
    else:
        changes.append((Group.NO_OUTCOME_YET, None, -1))
    _upsert(_counted(crime, changes))


def _from_crimes(force_id: int | None) -> dict[RowKey, Counter[str]]:
    """Every row counted directly from the crimes and their latest outcomes."""
    latest = CrimeEvent.objects.filter(crime=OuterRef("pk"), kind=OUTCOME).order_by("-at", "-pk")
    crimes = Crime.objects.all()
    if force_id is not None:
        crimes = crimes.filter(force_id=force_id)
    found = crimes.annotate(
        outcome_code=Subquery(latest.values("outcome_code")[:1]),
        outcome_at=Subquery(latest.values("at")[:1]),
    ).values_list("force_id", "recorded_at", "team_id", "offence_id", "area",
                  "outcome_code", "outcome_at")  # fmt: skip
    groups = outcome_groups()
    rows: dict[RowKey, Counter[str]] = {}
    for crime_force, recorded_at, team_id, offence, area, code, at in found.iterator():
        if code is None:
            group, days = Group.NO_OUTCOME_YET.value, None
        else:
            group = groups.get(code.strip().upper(), Group.NO_OUTCOME_YET)
            days = days_between(recorded_at, at)
        month = month_of(recorded_at)
        for key in _row_keys(crime_force, month, team_id, offence, area, group):
            rows.setdefault(key, Counter()).update(_measures(1, days))
    return rows


def _stored(force_id: int | None) -> dict[RowKey, Counter[str]]:
    rollups = OutcomeRollup.objects.all()
    if force_id is not None:
        rollups = rollups.filter(force_id=force_id)
    return {
        tuple(r[: len(KEY)]): Counter(dict(zip(MEASURES, r[len(KEY) :], strict=True)))
        for r in rollups.values_list(*KEY, *MEASURES).iterator()
    }


@dataclass(frozen=True)
class Difference:
    key: RowKey
    measure: str
    stored: float
    counted: float

    def __str__(self) -> str:
        force_id, month, team, dimension, key, group = self.key
        return (
            f"force {force_id} {month:%Y-%m} team {team} {dimension}:{key or '-'} {group} "
            f"{self.measure}: stored {self.stored:g}, counted {self.counted:g}"
        )


def rollups_check(force_id: int | None = None) -> list[Difference]:
    """Every measure whose stored row differs from a direct count (a row of zeros is the
    same as no row; day sums within a millionth of a day)."""
    counted = _from_crimes(force_id)
    stored = _stored(force_id)
    differences = []
    for key in sorted(set(counted) | set(stored)):
        for measure in MEASURES:
            a = float(stored.get(key, Counter()).get(measure, 0))
            b = float(counted.get(key, Counter()).get(measure, 0))
            if abs(a - b) > 1e-6 * max(1.0, abs(b)):
                differences.append(Difference(key, measure, a, b))
    return differences


def rollups_rebuild(force_id: int | None = None) -> int:
    """Recompute every row from the crimes, in one transaction; returns the rows stored."""
    with transaction.atomic():
        counted = _from_crimes(force_id)
        rollups = OutcomeRollup.objects.all()
        if force_id is not None:
            rollups = rollups.filter(force_id=force_id)
        rollups.delete()
        OutcomeRollup.objects.bulk_create(
            [
                OutcomeRollup(**dict(zip(KEY, key, strict=True)), **measures)
                for key, measures in counted.items()
            ],
            batch_size=500,
        )
    return len(counted)
