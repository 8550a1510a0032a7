"""What victim-care pages read: Victims' Code compliance and repeat victimisation."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, TruncMonth

from bluelamp.care.models import CRIME_FLAGS, REPEAT_WINDOW, Crime, Duty, Victim

# The Code's right each duty is owed under, for the commissioner's return. The Victims' Right
# to Review is a scheme of its own in the statutory guidance, so it is named, not numbered.
CODE_RIGHT = {
    Duty.Right.WRITTEN_CONFIRMATION: "3",
    Duty.Right.REFERRAL: "4",
    Duty.Right.SUSPECT_DECISION: "6",
    Duty.Right.UPDATE: "6",
    Duty.Right.VPS_OFFER: "7",
    Duty.Right.OUTCOME: "9",
    Duty.Right.REVIEW_ACKNOWLEDGE: "VRR",
    Duty.Right.REVIEW_DECIDE: "VRR",
    Duty.Right.COMPLAINT: "12",
}
NO_REASON = "no reason recorded"


@dataclass(frozen=True)
class ComplianceRow:
    """Duties of one right (and one group: a team, Enhanced Rights or standard, under 18s)."""

    right: str
    group: str
    due: int
    on_time: int
    late: int
    overdue: int
    pending: int

    @property
    def met(self) -> int:
        return self.on_time + self.late

    @property
    def missed(self) -> int:
        return self.late + self.overdue

    @property
    def on_time_share(self) -> float | None:
        decided = self.on_time + self.late + self.overdue
        return self.on_time / decided if decided else None


@dataclass(frozen=True)
class MissedReason:
    """A reason recorded for missed duties (met late or overdue), and how many, per right."""

    reason: str
    missed: int
    by_right: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ComplianceReturn:
    """The month's Victims' Code return: every right, by team, Enhanced Rights against
    standard, under 18s on their own, and why duties were missed."""

    by_right: list[ComplianceRow]
    by_team: list[ComplianceRow]
    enhanced: list[tuple[ComplianceRow, ComplianceRow]]
    under_18: list[ComplianceRow]
    reasons: list[MissedReason]


_COUNTS = ("due", "on_time", "late", "overdue", "pending")


def _summed(right: str, group: str, parts: Sequence[Mapping[str, Any]]) -> ComplianceRow:
    return ComplianceRow(right, group, *(sum(p[k] for p in parts) for k in _COUNTS))


def compliance(
    duties: QuerySet[Duty], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> ComplianceReturn:
    """Duties falling due in [start, end), in two queries: one grouped count (right, team,
    Enhanced Rights, under 18) and one of the reasons given for the missed ones.

    Met on time, met late, overdue (not met, deadline passed) and pending (not met,
    deadline still ahead) add up to due; late and overdue are missed. A victim is under 18
    when their age on the day recorded was under 18 or the crime has the flag
    ``child_victim``. Every right has a row, with noughts when nothing fell due."""
    month = duties.filter(due_at__gte=start, due_at__lt=end)
    # A JSON list as text, so one substring test works on SQLite and PostgreSQL alike.
    child = Q(victim__age__lt=18) | Q(flags_text__contains='"child_victim"')
    groups = list(
        month.annotate(flags_text=Cast("victim__crime__flags", TextField()))
        .annotate(under_18=Case(When(child, then=Value(True)), default=Value(False)))
        .values("right", "team__name", "enhanced", "under_18")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(met_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(met_at__gt=F("due_at"))),
            overdue=Count("pk", filter=Q(met_at=None, due_at__lt=now)),
            pending=Count("pk", filter=Q(met_at=None, due_at__gte=now)),
        )
        .order_by()
    )
    missed = Q(met_at__gt=F("due_at")) | Q(met_at=None, due_at__lt=now)
    reason_counts = (
        month.filter(missed).values("right", "missed_reason").annotate(n=Count("pk")).order_by()
    )
    by_right, by_team, enhanced, under_18 = [], [], [], []
    for right in Duty.Right:
        mine = [g for g in groups if g["right"] == right]
        by_right.append(_summed(right.label, "All teams", mine))
        teams = sorted({g["team__name"] or "" for g in mine})
        for team in teams:
            part = [g for g in mine if (g["team__name"] or "") == team]
            by_team.append(_summed(right.label, team or "(no team)", part))
        enhanced.append(
            (
                _summed(right.label, "Enhanced Rights", [g for g in mine if g["enhanced"]]),
                _summed(right.label, "Standard", [g for g in mine if not g["enhanced"]]),
            )
        )
        under_18.append(_summed(right.label, "Under 18", [g for g in mine if g["under_18"]]))
    return ComplianceReturn(by_right, by_team, enhanced, under_18, _reasons(reason_counts))


def _reasons(counts: Iterable[Mapping[str, Any]]) -> list[MissedReason]:
    """Reasons grouped as a reader would (case and spacing aside), most frequent first; the
    missed duties with no reason count under "no reason recorded"."""
    order = {right.value: i for i, right in enumerate(Duty.Right)}
    labels = dict(Duty.Right.choices)
    shown: dict[str, str] = {}
    tally: dict[str, dict[str, int]] = {}
    for row in counts:
        text = " ".join(row["missed_reason"].split()) or NO_REASON
        key = text.casefold()
        shown.setdefault(key, text)
        per_right = tally.setdefault(key, {})
        per_right[row["right"]] = per_right.get(row["right"], 0) + row["n"]
    found = [
        MissedReason(
            shown[key],
            sum(per_right.values()),
            tuple((labels[r], n) for r, n in sorted(per_right.items(), key=lambda x: order[x[0]])),
        )
        for key, per_right in tally.items()
    ]
    return sorted(found, key=lambda m: (-m.missed, m.reason.casefold()))


@dataclass(frozen=True)
class RepeatRow:
    label: str
    victims: int
    repeats: int
    query: str = ""  # the filter of the victims behind the row, as a query string

    @property
    def rate(self) -> float | None:
        return self.repeats / self.victims if self.victims else None


def repeat_rates(
    victims: QuerySet[Victim], since: dt.datetime
) -> tuple[list[RepeatRow], list[RepeatRow], list[RepeatRow]]:
    """Victims recorded since a moment, and how many were victimised again within 12 months
    (the same person, or the same home), by month and by area (postcode district)."""
    base = victims.filter(crime__recorded_at__gte=since)
    repeated = Q(repeat_victim=True)
    months = (
        base.annotate(month=TruncMonth("crime__recorded_at"))
        .values("month")
        .annotate(n=Count("pk"), r=Count("pk", filter=repeated))
        .order_by("month")
        .values_list("month", "n", "r")
    )
    areas = (
        base.values("crime__area")
        .annotate(n=Count("pk"), r=Count("pk", filter=repeated))
        .order_by("-n", "crime__area")
        .values_list("crime__area", "n", "r")[:30]
    )
    # Flags are a list on the crime: counted here rather than in SQL, which would differ
    # between SQLite and PostgreSQL; a year of victims is thousands of rows of two columns.
    by_flag: dict[str, list[int]] = {code: [0, 0] for code in CRIME_FLAGS}
    for flags, repeat in base.values_list("crime__flags", "repeat_victim").iterator():
        for flag in flags or []:
            if flag in by_flag:
                by_flag[flag][0] += 1
                by_flag[flag][1] += bool(repeat)
    return (
        [RepeatRow(f"{month:%B %Y}", n, r, f"month={month:%Y-%m}") for month, n, r in months],
        [
            RepeatRow(area or "(unknown)", n, r, f"area={area or UNKNOWN_AREA}")
            for area, n, r in areas
        ],
        [
            RepeatRow(CRIME_FLAGS[code], n, r, f"flag={code}")
            for code, (n, r) in by_flag.items()
            if n
        ],
    )


UNKNOWN_AREA = "-"  # the filter of victims whose crime has no postcode district


def repeat_victims(
    victims: QuerySet[Victim],
    since: dt.datetime,
    *,
    month: tuple[dt.datetime, dt.datetime] | None,
    area: str,
    flag: str,
) -> QuerySet[Victim]:
    """The repeat victims behind one figure of ``repeat_rates``: recorded since the moment,
    in a month (its local start and end), an area (``UNKNOWN_AREA`` for none) or with a flag
    on the crime, each with the victimisation before."""
    found = victims.filter(crime__recorded_at__gte=since, repeat_victim=True)
    if month is not None:
        found = found.filter(crime__recorded_at__gte=month[0], crime__recorded_at__lt=month[1])
    if area:
        found = found.filter(crime__area="" if area == UNKNOWN_AREA else area)
    if flag:
        # Flags are a JSON list of codes; the quoted code matches one element exactly, the
        # same way on SQLite and PostgreSQL (``contains`` on a list is PostgreSQL's only).
        found = found.filter(crime__flags__icontains=f'"{flag}"')
    return found.select_related("crime__offence", "repeat_of__crime")


@dataclass(frozen=True)
class Before:
    reference: str
    recorded_at: dt.datetime
    how: str  # "same person" or "same home"


def victimised_before(victims: Sequence[Victim]) -> dict[int, Before]:
    """The victimisation before each repeat victim of a page: the same person's earlier
    record where one was matched, else the latest burglary of the same home within the 12
    months before (one query for the page)."""
    found: dict[int, Before] = {}
    homes: dict[str, list[Victim]] = {}
    for v in victims:
        if v.repeat_of is not None:
            earlier = v.repeat_of.crime
            found[v.pk] = Before(earlier.reference, earlier.recorded_at, "same person")
        elif v.crime.address_key:
            homes.setdefault(v.crime.address_key, []).append(v)
    if not homes:
        return found
    earlier_crimes = (
        Crime.objects.filter(
            force_id=victims[0].force_id, address_key__in=list(homes), premises="home"
        )
        .order_by("-recorded_at")
        .values_list("address_key", "reference", "recorded_at")
    )
    for key, reference, recorded_at in earlier_crimes:
        for v in homes[key]:
            crime = v.crime
            if (
                v.pk not in found
                and crime.recorded_at - REPEAT_WINDOW <= recorded_at < crime.recorded_at
            ):
                found[v.pk] = Before(reference, recorded_at, "same home")
    return found
