"""Reads the investigation supervisor's pages share: open crimes, worst first, and what was
missed in a week, counted by item, team and officer."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from bluelamp.investigations import rules
from bluelamp.investigations.models import BasicsItem, Checklist
from bluelamp.lib.stats import wilson_interval

LIST_LIMIT = 500


def overdue_q(now: dt.datetime, prefix: str = "") -> Q:
    """Items overdue now (``rules.status_at``, in SQL) on open checklists."""
    return Q(**{f"{prefix}status": "due", f"{prefix}due_at__lt": now}) | Q(
        **{f"{prefix}status": "done", f"{prefix}next_due_at__lt": now}
    )


# Items that can count towards ``overdue`` or ``missing``: still due, or done and falling
# due again. The partial index ``basics_item_live`` holds only these (a closed crime's
# items lose their next time, so it does not grow with history).
LIVE = Q(status="due") | Q(status="done", next_due_at__isnull=False)


def _ranked(
    open_: QuerySet[Checklist], now: dt.datetime, start: int, rows: int
) -> list[tuple[int, int, int]]:
    """(id, overdue, missing) of the open checklists in the list's order, ``rows`` from
    ``start``: first those with an item overdue or still due, counted over those items
    alone (through the partial index), then the rest (nothing to count) oldest first."""
    counted = Q(status="due") | Q(status="done", next_due_at__lt=now)
    live = (
        BasicsItem.objects.filter(LIVE)
        .filter(counted, checklist__in=open_.values("pk"))
        .values("checklist_id")
        .annotate(
            overdue=Count("pk", filter=overdue_q(now)),
            missing=Count("pk", filter=Q(status="due")),
            recorded=Min("checklist__crime__recorded_at"),
        )
        .order_by("-overdue", "-missing", "recorded", "checklist_id")
        .values_list("checklist_id", "overdue", "missing")
    )
    found: list[tuple[int, int, int]] = list(live[start : start + rows])
    if len(found) == rows:
        return found
    n_live = start + len(found) if found else live.count()
    rest = (
        open_.exclude(pk__in=BasicsItem.objects.filter(LIVE).filter(counted).values("checklist_id"))
        .order_by("crime__recorded_at", "pk")
        .values_list("pk", flat=True)
    )
    skip = max(0, start - n_live)
    return found + [(pk, 0, 0) for pk in rest[skip : skip + rows - len(found)]]


def open_checklists(
    checklists: QuerySet[Checklist], now: dt.datetime, *, start: int = 0, rows: int = LIST_LIMIT
) -> list[Checklist]:
    """Open crimes, those with the most overdue basics first, then the most still due, then
    the oldest; each with ``overdue`` and ``missing`` counts and its overdue items
    (``overdue_items``: only those, since the list names no other); ``rows`` of them from
    ``start``.

    Two steps: the order is counted over the narrow rows (``_ranked``), then only the shown
    checklists are loaded with their crime, offence, team and officer. Grouping the wide
    joined rows instead took 1.4 s over 33 thousand open crimes (bench/basics.py)."""
    ranked = _ranked(checklists.filter(closed_at=None), now, start, rows)
    found = (
        Checklist.objects.filter(pk__in=[pk for pk, _, _ in ranked])
        .select_related("crime__offence", "crime__team", "crime__officer")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=BasicsItem.objects.filter(overdue_q(now)).order_by("position"),
                to_attr="overdue_items",
            )
        )
        .in_bulk()
    )
    shown: list[Checklist] = []
    for pk, overdue, missing in ranked:
        checklist = found[pk]
        checklist.overdue = overdue  # type: ignore[attr-defined]
        checklist.missing = missing  # type: ignore[attr-defined]
        shown.append(checklist)
    return shown


@dataclass(frozen=True)
class MissedRow:
    label: str
    due: int  # items due in the week (not applicable ones aside)
    missed: int  # not done by their time, or not done at all

    @property
    def share(self) -> float | None:
        return self.missed / self.due if self.due else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.missed, self.due)


@dataclass(frozen=True)
class MissedWeek:
    total: MissedRow
    by_item: list[MissedRow]
    by_team: list[MissedRow]
    by_officer: list[MissedRow]


def _rows(counts: dict[str, list[int]]) -> list[MissedRow]:
    found = [MissedRow(label, due, missed) for label, (due, missed) in counts.items()]
    return sorted(found, key=lambda r: (-r.missed, -r.due, r.label))


def missed_rows(
    facts: Iterable[tuple[str, str, str, str, dt.datetime, dt.datetime | None]], now: dt.datetime
) -> MissedWeek:
    """From (item, team, officer, status, due_at, done_at) of the items due in a week: how
    many were due and how many missed, by item, team and officer (pure)."""
    total = [0, 0]
    groups: list[dict[str, list[int]]] = [defaultdict(lambda: [0, 0]) for _ in range(3)]
    for item, team, officer, status, due, done_at in facts:
        if status == "not_applicable":
            continue
        missed = rules.missed(status=status, due=due, done_at=done_at, now=now)
        for counts, key in zip(groups, (item, team, officer), strict=True):
            counts[key][0] += 1
            counts[key][1] += missed
        total[0] += 1
        total[1] += missed
    return MissedWeek(MissedRow("All", *total), *(_rows(g) for g in groups))


def missed_week(
    items: QuerySet[BasicsItem], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> MissedWeek:
    """Items that fell due in [start, end) and by now: which were missed."""
    facts = (
        items.filter(due_at__gte=start, due_at__lt=min(end, now))
        .values_list(
            "item",
            "checklist__crime__team__name",
            "checklist__crime__officer__number",
            "status",
            "due_at",
            "done_at",
        )
        .iterator()
    )
    return missed_rows(
        (
            (i, team or "No team", officer or "No officer", s, d, a)
            for i, team, officer, s, d, a in facts
        ),
        now,
    )
