"""Reads the recovery pages and the API share: crime references and the measures."""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet

from bluelamp.care.models import Crime
from bluelamp.lib.stats import wilson_interval
from bluelamp.recovery.models import RecoveryCase
from bluelamp.surveys.models import Response


def crime_references(cases: list[RecoveryCase]) -> dict[int, list[str]]:
    """The crime references recorded against each case's contact, by contact id (one query)."""
    found: dict[int, list[str]] = defaultdict(list)
    contact_ids = {case.contact_id for case in cases}
    if not contact_ids:
        return found
    rows = (
        Crime.objects.filter(contact_id__in=contact_ids)
        .order_by("reference")
        .values_list("contact_id", "reference")
    )
    for contact_id, reference in rows:
        assert contact_id is not None
        found[contact_id].append(reference)
    return found


def overdue(now: dt.datetime) -> Q:
    """Open or contacted, past the deadline."""
    return Q(status__in=RecoveryCase.ACTIVE, deadline__lt=now)


@dataclass(frozen=True)
class Share:
    """``count`` of ``of``, with its share and 95% Wilson interval (none when ``of`` is 0)."""

    count: int
    of: int

    @property
    def share(self) -> float | None:
        return self.count / self.of if self.of else None

    @property
    def interval(self) -> tuple[float, float] | tuple[None, None]:
        return wilson_interval(self.count, self.of) if self.of else (None, None)


@dataclass(frozen=True)
class Measures:
    """How service recovery is going, for the cases opened since ``since``.

    Recovered: closed cases whose outcome was resolved, of all closed. Time to first contact:
    the median hours from opening to first reaching the caller. Overdue: open or contacted
    cases past their deadline now, whenever opened. Satisfaction after recovery: follow-up
    answers counted satisfied (``SATISFIED_FROM`` or more) of all follow-up answers.
    """

    since: dt.datetime
    opened: int
    recovered: Share
    first_contacted: int
    first_contact_median_hours: float | None
    overdue: int
    satisfied_after: Share
    follow_up_mean_score: float | None


def measures(cases: QuerySet[RecoveryCase], *, now: dt.datetime, days: int) -> Measures:
    """The measures over ``cases`` (already scoped to what the reader may see). Three queries."""
    since = now - dt.timedelta(days=days)
    recent = Q(opened_at__gte=since)
    closed = recent & Q(status=RecoveryCase.Status.CLOSED)
    counts = cases.aggregate(
        opened=Count("pk", filter=recent),
        closed=Count("pk", filter=closed),
        recovered=Count("pk", filter=closed & Q(outcome=RecoveryCase.Outcome.RESOLVED)),
        overdue=Count("pk", filter=overdue(now)),
    )
    reached = cases.filter(recent, first_contacted_at__isnull=False)
    waits = [
        (first - opened).total_seconds() / 3600
        for opened, first in reached.values_list("opened_at", "first_contacted_at")
        if first is not None
    ]
    follow_ups = follow_up_responses(cases.filter(recent)).aggregate(
        n=Count("pk"),
        satisfied=Count("pk", filter=Q(whole_experience__gte=settings.SATISFIED_FROM)),
        mean=Avg("whole_experience"),
    )
    return Measures(
        since=since,
        opened=counts["opened"],
        recovered=Share(counts["recovered"], counts["closed"]),
        first_contacted=len(waits),
        first_contact_median_hours=statistics.median(waits) if waits else None,
        overdue=counts["overdue"],
        satisfied_after=Share(follow_ups["satisfied"], follow_ups["n"]),
        follow_up_mean_score=follow_ups["mean"],
    )


def follow_up_responses(cases: QuerySet[RecoveryCase]) -> QuerySet[Response]:
    """Answers to the follow-up surveys of these cases."""
    return Response.objects.filter(invitation__recovery_case__in=cases)
