"""What victim-care pages read: Victims' Code compliance and repeat victimisation."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from bluelamp.care.models import CRIME_FLAGS, Duty, Victim


@dataclass(frozen=True)
class ComplianceRow:
    right: str
    team: str
    due: int
    on_time: int
    late: int
    overdue: int
    pending: int

    @property
    def met(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_share(self) -> float | None:
        decided = self.on_time + self.late + self.overdue
        return self.on_time / decided if decided else None


def compliance(
    duties: QuerySet[Duty], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[ComplianceRow]:
    """Duties falling due in [start, end), per right and team, in one query; a total row
    per right comes last. Met on time, met late, overdue (not met, deadline passed) and
    pending (not met, deadline still ahead) add up to due."""
    rows = (
        duties.filter(due_at__gte=start, due_at__lt=end)
        .values("right", "team__name")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(met_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(met_at__gt=F("due_at"))),
            overdue=Count("pk", filter=Q(met_at=None, due_at__lt=now)),
            pending=Count("pk", filter=Q(met_at=None, due_at__gte=now)),
        )
        .order_by("right", "team__name")
    )
    labels = dict(Duty.Right.choices)
    found = [
        ComplianceRow(
            labels[r["right"]], r["team__name"] or "(no team)", r["due"], r["on_time"],
            r["late"], r["overdue"], r["pending"],
        )
        for r in rows
    ]  # fmt: skip
    totals = []
    for right in Duty.Right:
        part = [r for r in found if r.right == right.label]
        if part:
            totals.append(
                ComplianceRow(
                    right.label, "All teams", *(sum(getattr(r, k) for r in part)
                    for k in ("due", "on_time", "late", "overdue", "pending")),
                )
            )  # fmt: skip
    return found + totals


@dataclass(frozen=True)
class RepeatRow:
    label: str
    victims: int
    repeats: int

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
        [RepeatRow(f"{month:%B %Y}", n, r) for month, n, r in months],
        [RepeatRow(area or "(unknown)", n, r) for area, n, r in areas],
        [RepeatRow(CRIME_FLAGS[code], n, r) for code, (n, r) in by_flag.items() if n],
    )
