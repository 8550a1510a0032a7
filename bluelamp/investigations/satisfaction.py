"""The basics joined to what victims said: for crimes with a linked contact whose person
answered a survey, the share satisfied with the whole experience when each basic was done
against when it was not, each with its 95% Wilson interval."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from bluelamp.investigations.models import BasicsItem
from bluelamp.lib.stats import wilson_interval
from bluelamp.surveys.models import Response

# Fewer answers than this: greyed, too few to read anything into.
SMALL = 10
SATISFIED = Response.Outcome.SATISFIED.value


@dataclass(frozen=True)
class Share:
    answers: int
    satisfied: int

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answers if self.answers else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.satisfied, self.answers)

    @property
    def small(self) -> bool:
        return self.answers < SMALL


@dataclass(frozen=True)
class BasicSatisfaction:
    item: str
    title: str
    done: Share
    not_done: Share


def satisfaction_rows(
    facts: Iterable[tuple[str, str, str, dt.datetime, str]], now: dt.datetime
) -> list[BasicSatisfaction]:
    """From (item, title, status, due_at, the answer's outcome) of each item of an answered
    crime: done is the status ``done``; not done is ``not_done``, or still due past its time;
    items not applicable, or not yet due, are left out (pure). In the order first seen."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    titles: dict[str, str] = {}
    for item, title, status, due_at, outcome in facts:
        titles.setdefault(item, title)
        satisfied = int(outcome == SATISFIED)
        if status == BasicsItem.Status.DONE:
            counts[item][0] += 1
            counts[item][1] += satisfied
        elif status == BasicsItem.Status.NOT_DONE or (
            status == BasicsItem.Status.DUE and due_at < now
        ):
            counts[item][2] += 1
            counts[item][3] += satisfied
    return [
        BasicSatisfaction(item, titles[item], Share(c[0], c[1]), Share(c[2], c[3]))
        for item, c in counts.items()
    ]


def basics_satisfaction(
    items: QuerySet[BasicsItem], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[BasicSatisfaction]:
    """The items of crimes recorded in [start, end) whose linked contact has an answered
    response (its latest answered one: one answer per crime), by item."""
    answer = (
        Response.objects.filter(contact_id=OuterRef("checklist__crime__contact_id"))
        .exclude(outcome=Response.Outcome.UNANSWERED)
        .order_by("-submitted_at", "-pk")
        .values("outcome")[:1]
    )
    facts = (
        items.filter(
            checklist__crime__recorded_at__gte=start,
            checklist__crime__recorded_at__lt=end,
            checklist__crime__contact__isnull=False,
        )
        .annotate(answer=Subquery(answer))
        .filter(answer__isnull=False)
        .order_by("position", "item")
        .values_list("item", "title", "status", "due_at", "answer")
    )
    return satisfaction_rows(facts.iterator(), now)
