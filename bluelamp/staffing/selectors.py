"""What planning reads: a queue's interval figures, roster, callers' waits and standard, as
the plain arrays and dataclasses of ``figures.py``; and the few totals the live view asks for.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import F, Max, Q, QuerySet, Sum
from django.utils import timezone

from bluelamp.forces.models import Force
from bluelamp.staffing.figures import (
    PATIENCE_DAYS,
    SLOT_MINUTES,
    Intervals,
    Standard,
    Waits,
    slot_start,
)
from bluelamp.staffing.models import CallInterval, Queue, RosterSlot


def queue_standard(queue: Queue) -> Standard:
    return Standard(
        target_share=queue.target_share,
        target_seconds=queue.target_seconds,
        shrinkage=queue.shrinkage,
        max_occupancy=queue.max_occupancy,
        patience_seconds=queue.patience_seconds,
    )


def queue_stamp(queue: Queue) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the queue's interval figures and its roster last changed."""
    return (
        CallInterval.objects.filter(queue=queue).aggregate(m=Max("updated_at"))["m"],
        RosterSlot.objects.filter(queue=queue).aggregate(m=Max("updated_at"))["m"],
    )


def queue_intervals(queue: Queue, days: list[dt.date]) -> Intervals:
    """The queue's intervals that start on one of ``days`` (local dates, ascending)."""
    index = {d: i for i, d in enumerate(days)}
    rows = list(
        CallInterval.objects.filter(queue=queue, start__gte=slot_start(days[0], 0)).values_list(
            "start", "minutes", "offered", "answered", "handle_seconds"
        )
    )
    tz = timezone.get_current_timezone()
    day_i: list[int] = []
    slot_i: list[int] = []
    keep: list[int] = []
    for k, row in enumerate(rows):
        local = row[0].astimezone(tz)
        i = index.get(local.date())
        if i is not None:
            day_i.append(i)
            slot_i.append((local.hour * 60 + local.minute) // SLOT_MINUTES)
            keep.append(k)
    counts = np.array([rows[k][1:4] for k in keep], dtype=float).reshape(-1, 3)
    return Intervals(
        day=np.array(day_i, dtype=int),
        slot=np.array(slot_i, dtype=int),
        minutes=counts[:, 0],
        offered=counts[:, 1],
        answered=counts[:, 2],
        handle=np.array([rows[k][4] or 0.0 for k in keep], dtype=float),
    )


def queue_roster(queue: Queue, starts: list[dt.datetime]) -> list[int | None]:
    """Handlers rostered at each of ``starts`` (None where nobody is), a roster row of 30 or
    60 minutes covering each of its slots."""
    roster: dict[dt.datetime, int] = {}
    for start, minutes, handlers in RosterSlot.objects.filter(
        queue=queue,
        start__gte=starts[0] - dt.timedelta(hours=1),
        start__lt=starts[-1] + dt.timedelta(minutes=SLOT_MINUTES),
    ).values_list("start", "minutes", "handlers"):
        for k in range(max(1, minutes // SLOT_MINUTES)):
            roster[start + dt.timedelta(minutes=SLOT_MINUTES * k)] = handlers
    return [roster.get(s) for s in starts]


def queue_waits(queue: Queue, now: dt.datetime) -> Waits | None:
    """The waits of the last PATIENCE_DAYS; None (nothing read) when the queue's patience is
    set by hand."""
    if queue.patience_seconds:
        return None
    totals = CallInterval.objects.filter(
        queue=queue,
        start__gte=now - dt.timedelta(days=PATIENCE_DAYS),
        answer_seconds__isnull=False,
        abandon_seconds__isnull=False,
    ).values_list("answered", "answer_seconds", "abandoned", "abandon_seconds")
    abandoned = 0
    waited = 0.0
    for n_answered, answer_wait, n_abandoned, abandon_wait in totals:
        abandoned += n_abandoned
        waited += n_answered * (answer_wait or 0.0) + n_abandoned * (abandon_wait or 0.0)
    return Waits(abandoned, waited)


def force_queues(force: Force) -> QuerySet[Queue]:
    return Queue.objects.filter(force=force)


def staffing_version(force: Force) -> str:
    """Changes when new interval figures or a new roster arrive for the force."""
    a = CallInterval.objects.filter(force=force).aggregate(m=Max("updated_at"))["m"]
    b = RosterSlot.objects.filter(force=force).aggregate(m=Max("updated_at"))["m"]
    return f"{int(a.timestamp() * 1e6) if a else 0}.{int(b.timestamp() * 1e6) if b else 0}"


def abandonment(queue: Queue, since: dt.datetime) -> tuple[int, int]:
    """Calls offered and abandoned on the queue since a moment."""
    row = CallInterval.objects.filter(queue=queue, start__gte=since).aggregate(
        offered=Sum("offered"), abandoned=Sum("abandoned")
    )
    return row["offered"] or 0, row["abandoned"] or 0


@dataclass(frozen=True)
class AnswerTimes:
    """A queue's calls since a moment: how many, the share answered within its target, and
    the average wait of those answered."""

    queue: Queue
    offered: int
    answered: int
    within_target: int
    answer_seconds: float | None

    @property
    def within_share(self) -> float | None:
        return self.within_target / self.answered if self.answered else None


def answer_times(force_id: int, since: dt.datetime) -> list[AnswerTimes]:
    """Every queue of the force with its answer times since ``since``: one query."""
    rows = (
        CallInterval.objects.filter(force_id=force_id, start__gte=since)
        .values("queue")
        .annotate(
            n_offered=Sum("offered", default=0),
            n_answered=Sum("answered", default=0),
            within=Sum("answered_within_target", default=0),
            waited=Sum(F("answer_seconds") * F("answered"), default=0.0),
            timed=Sum("answered", filter=Q(answer_seconds__isnull=False), default=0),
        )
    )
    figures = {r["queue"]: r for r in rows}
    found = []
    for queue in Queue.objects.filter(force_id=force_id).order_by("code"):
        r = figures.get(queue.pk)
        if r is None:
            found.append(AnswerTimes(queue, 0, 0, 0, None))
            continue
        waited = r["waited"] / r["timed"] if r["timed"] else None
        found.append(AnswerTimes(queue, r["n_offered"], r["n_answered"], r["within"], waited))
    return found
