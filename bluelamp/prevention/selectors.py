"""Reads the prevention pages share: the heat map of a run, the open zones with overdue tasks
first, a zone's map, and whether cocooning worked."""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Final

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from bluelamp.lib.stats import wilson_interval
from bluelamp.prevention.models import PreventionZone, ZoneLink
from bluelamp.prevention.report import SIGNIFICANT

LIST_LIMIT: Final = 200

# Knox ratio classes of the heat map (staff.css colours heat-0 to heat-4).
HEAT_STEPS: Final = (1.0, 1.25, 1.5, 2.0)


@dataclass(frozen=True)
class Cell:
    observed: int
    expected: float | None
    ratio: float | None
    p_value: float | None
    heat: int  # 0: no more than chance; 4: twice chance or more
    significant: bool


@dataclass(frozen=True)
class HeatMap:
    rows: list[tuple[str, list[Cell]]]
    columns: list[str]


def heat_map(result: dict[str, Any]) -> HeatMap | None:
    """A stored result's table, each cell with its ratio class and whether it is significant
    (p <= 0.05 and more pairs than chance); None for a run that could not test."""
    if "p_value" not in result:
        return None
    rows = []
    for r, label in enumerate(result["rows"]):
        cells = []
        for c in range(len(result["columns"])):
            ratio, p = result["knox_ratio"][r][c], result["p_value"][r][c]
            heat = 0 if ratio is None else sum(ratio >= step for step in HEAT_STEPS)
            cells.append(
                Cell(
                    observed=result["observed"][r][c],
                    expected=result["expected"][r][c],
                    ratio=ratio,
                    p_value=p,
                    heat=heat,
                    significant=ratio is not None and p is not None and p <= SIGNIFICANT
                    and ratio > 1,
                )
            )  # fmt: skip
        rows.append((label, cells))
    return HeatMap(rows=rows, columns=list(result["columns"]))


def open_zones(zones: QuerySet[PreventionZone], now: dt.datetime) -> list[PreventionZone]:
    """Zones still open or whose task is not done: overdue tasks first (the longest overdue
    first), then tasks due (soonest first), then tasks done (zones ending soonest first)."""
    rank = Case(
        When(task__done_at__isnull=False, then=Value(2)),
        When(task__due_at__lt=now, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        zones.filter(Q(ends_at__gt=now) | Q(task__done_at__isnull=True))
        .select_related("crime", "team", "task")
        .annotate(rank=rank, burglaries=Count("links"))
        .order_by("rank", "task__due_at", "ends_at", "pk")[:LIST_LIMIT]
    )


@dataclass(frozen=True)
class Point:
    x: float  # SVG units: metres east of the centre
    y: float  # metres south of the centre (SVG's y grows downwards)
    link: ZoneLink


@dataclass(frozen=True)
class ZoneMap:
    """The zone drawn in metres about its centre: a viewBox of ``-extent`` to ``extent``."""

    extent: float
    radius: float
    points: list[Point]
    scale: float  # the scale bar's length in metres
    marker: float  # a point's radius
    font: float

    @property
    def view_box(self) -> str:
        e = self.extent
        return f"{-e:.1f} {-e:.1f} {2 * e:.1f} {2 * e:.1f}"

    @property
    def scale_x(self) -> float:
        return -self.extent * 0.9

    @property
    def scale_y(self) -> float:
        return self.extent * 0.88

    @property
    def scale_end(self) -> float:
        return self.scale_x + self.scale

    @property
    def label_y(self) -> float:
        return self.scale_y - self.font * 0.6


def _scale_length(extent: float) -> float:
    """A round length near a third of the map's width."""
    target = 2 * extent / 3
    power = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return float(step * power)
    return float(power)


def zone_map(zone: PreventionZone, links: list[ZoneLink]) -> ZoneMap:
    furthest = max([zone.radius_metres, *(link.metres for link in links)])
    extent = furthest * 1.25
    return ZoneMap(
        extent=extent,
        radius=zone.radius_metres,
        points=[
            Point(x=link.east, y=-link.north, link=link)
            for link in links
            if link.east is not None and link.north is not None
        ],
        scale=_scale_length(extent),
        marker=extent / 40,
        font=extent / 14,
    )


@dataclass(frozen=True)
class Rate:
    label: str
    burglaries: int
    followed: int

    @property
    def share(self) -> float | None:
        return self.followed / self.burglaries if self.burglaries else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.followed, self.burglaries)


@dataclass(frozen=True)
class DidItWork:
    cocooned: Rate
    not_cocooned: Rate


def did_it_work(zones: QuerySet[PreventionZone], now: dt.datetime) -> DidItWork:
    """Of the residential burglaries whose zone has closed (so every near repeat has had its
    time), the share followed by another inside the zone: those whose neighbours were warned
    within 48 hours (the task done by its due time) against the rest (late or never)."""
    closed = zones.filter(ends_at__lte=now).annotate(
        followed=Count("links"),
        cocooned=Case(
            When(task__done_at__lte=F("task__due_at"), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )
    counts = {(1, True): 0, (1, False): 0, (0, True): 0, (0, False): 0}
    for cocooned, followed in closed.values_list("cocooned", "followed"):
        counts[(cocooned, followed > 0)] += 1
    return DidItWork(
        cocooned=Rate(
            "Neighbours warned within 48 hours",
            counts[(1, True)] + counts[(1, False)],
            counts[(1, True)],
        ),
        not_cocooned=Rate(
            "Warned late or not at all",
            counts[(0, True)] + counts[(0, False)],
            counts[(0, True)],
        ),
    )
