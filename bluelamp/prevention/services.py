"""Near-repeat runs over stored crimes; prevention zones opened and linked as burglaries
arrive; cocooning tasks recorded."""

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import DateTimeField, Max, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from bluelamp.audit.services import audit_record
from bluelamp.care.models import Crime
from bluelamp.forces.models import Force, Team, User
from bluelamp.prevention import analysis
from bluelamp.prevention.knox import knox_test
from bluelamp.prevention.models import CocooningTask, NearRepeatRun, PreventionZone, ZoneLink
from bluelamp.prevention.points import to_british_national_grid
from bluelamp.prevention.report import knox_as_dict, knox_words

NIGHTLY = "nightly duty"
TASK_HOURS = 48  # cocooning is due within 48 hours of the burglary's recording
NIGHTLY_DAYS = 365  # the nightly run covers the year to yesterday

# Told of each cocooning task done, in its transaction: ``flows.wiring`` adds one that meets
# the burglary's ``neighbours_warned`` basic (investigations is a sibling of prevention).
TASK_DONE_LISTENERS: list[Callable[[CocooningTask, str], None]] = []


def crime_time(crime: Crime) -> dt.datetime:
    """When a crime happened for near repeats: its time of occurrence, else its report."""
    return crime.occurred_at or crime.reported_at


def _when() -> Coalesce:
    return Coalesce("occurred_at", "reported_at", output_field=DateTimeField())


def _grid(longitude: float, latitude: float) -> tuple[float, float]:
    x, y = to_british_national_grid(np.asarray([longitude]), np.asarray([latitude]))
    return float(x[0]), float(y[0])


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


# Runs


def family_crimes(
    *, force: Force, family: str, first_day: dt.date, last_day: dt.date,
    team: Team | None = None, area: str = "",
) -> QuerySet[Crime]:  # fmt: skip
    """The force's crimes of the family that happened from ``first_day`` to ``last_day``
    (London days, both included), of one team or postcode district if given."""
    crimes = (
        Crime.objects.filter(force=force, offence_id__in=analysis.FAMILIES[family].offences)
        .annotate(when=_when())
        .filter(when__gte=_day_start(first_day))
        .filter(when__lt=_day_start(last_day + dt.timedelta(days=1)))
    )
    if team is not None:
        crimes = crimes.filter(team=team)
    if area:
        crimes = crimes.filter(area=area)
    return crimes


def near_repeat_run(
    *, force: Force, family: str, first_day: dt.date, last_day: dt.date, by: str,
    team: Team | None = None, area: str = "", permutations: int = analysis.PERMUTATIONS,
    seed: int | None = None,
) -> NearRepeatRun:  # fmt: skip
    """The Knox test over the force's stored crimes of ``family`` in the period, projected to
    British National Grid, stored with its parameters, result, words and window. Too few
    crimes with a place (or bands that reach too many pairs) is stored too, in words."""
    if family not in analysis.FAMILIES:
        raise ValueError(f"family: unknown, not one of {', '.join(analysis.FAMILIES)}")
    if last_day < first_day:
        raise ValueError("last_day: before the first day")
    rows = list(
        family_crimes(
            force=force, family=family, first_day=first_day, last_day=last_day, team=team,
            area=area,
        ).values_list("longitude", "latitude", "occurred_at", "reported_at")
    )  # fmt: skip
    placed = [
        (lon, lat, occurred or reported)
        for lon, lat, occurred, reported in rows
        if lon is not None and lat is not None
    ]
    tz = timezone.get_current_timezone()
    bands = analysis.BANDS
    parameters = {
        "spatial_bandwidth": bands.spatial_bandwidth,
        "spatial_bands": bands.spatial_bands,
        "temporal_bandwidth": bands.temporal_bandwidth,
        "temporal_bands": bands.temporal_bands,
        "distance": analysis.DISTANCE,
        "permutations": permutations,
        "seed": seed,
    }
    started = time.monotonic()
    result: dict[str, object]
    if len(placed) < 2:
        result = {"words": [f"Too few crimes with a place to test: {len(placed)}."]}
    else:
        x, y = to_british_national_grid(
            np.asarray([p[0] for p in placed], dtype=np.float64),
            np.asarray([p[1] for p in placed], dtype=np.float64),
        )
        days = np.asarray([p[2].astimezone(tz).date().toordinal() for p in placed], dtype=np.int64)
        try:
            knox = knox_test(
                x, y, days, bands=bands, distance=analysis.DISTANCE,
                permutations=permutations, seed=seed,
            )  # fmt: skip
        except ValueError as e:
            result = {"words": [str(e)]}
        else:
            result = {**knox_as_dict(knox), "words": knox_words(knox)}
            parameters = result["parameters"]  # type: ignore[assignment]
    seconds = time.monotonic() - started
    window = analysis.significant_window(result)
    return NearRepeatRun.objects.create(
        force=force, family=family, first_day=first_day, last_day=last_day, team=team,
        area=area, parameters=parameters, result=result, crimes=len(placed),
        no_location=len(rows) - len(placed),
        window_metres=window.metres if window else None,
        window_days=window.days if window else None,
        seconds=seconds, ran_at=timezone.now(), ran_by=by,
    )  # fmt: skip


def near_repeats_nightly(now: dt.datetime) -> str:
    """The worker's nightly duty: for every force, each family over the year to yesterday
    (force-wide, 999 permutations), so the zones' window follows the latest year."""
    yesterday = timezone.localtime(now).date() - dt.timedelta(days=1)
    first = yesterday - dt.timedelta(days=NIGHTLY_DAYS - 1)
    done = []
    for force in Force.objects.order_by("pk"):
        for family in analysis.FAMILIES:
            if not family_crimes(
                force=force, family=family, first_day=first, last_day=yesterday
            ).exists():
                continue
            run = near_repeat_run(
                force=force, family=family, first_day=first, last_day=yesterday, by=NIGHTLY
            )
            done.append(f"{force.slug} {family}: {run.crimes} crimes, {run.seconds:.1f} s")
    return "; ".join(done) or "no crimes to test"


def latest_window(force: Force) -> tuple[analysis.Window, NearRepeatRun | None]:
    """The zones' window: the latest force-wide residential burglary run's, else 200 m and
    14 days (also when the latest run found no window)."""
    run = (
        NearRepeatRun.objects.filter(force=force, family=analysis.ZONE_FAMILY, team=None, area="")
        .order_by("-ran_at", "-pk")
        .first()
    )
    if run is None or run.window_metres is None or run.window_days is None:
        return analysis.Window(analysis.DEFAULT_METRES, analysis.DEFAULT_DAYS), None
    return analysis.Window(run.window_metres, run.window_days), run


# Zones


def crime_zone_open(crime: Crime, actor: str) -> None:
    """The listener ``flows.wiring`` gives care: a residential burglary with a place is
    linked to every zone it falls in (within its radius, after its start and no later than
    its days) and opens its own zone and cocooning task. Called in the crime's transaction."""
    zone_open(crime=crime, actor=actor)


def zone_open(*, crime: Crime, actor: str) -> PreventionZone | None:
    """Open the crime's zone and task and make its links, both ways: to earlier zones it
    falls in, and from later burglaries already stored (a file imported out of order). None
    when it is not a residential burglary, has no place, or has its zone already."""
    if crime.offence_id not in analysis.ZONE_OFFENCES:
        return None
    if crime.latitude is None or crime.longitude is None:
        return None
    if PreventionZone.objects.filter(crime=crime).exists():
        return None
    x, y = _grid(crime.longitude, crime.latitude)
    when = crime_time(crime)
    window, run = latest_window(crime.force)
    with transaction.atomic():
        covering = PreventionZone.objects.filter(
            force=crime.force, starts_at__lt=when, ends_at__gte=when
        ).exclude(crime=crime)
        widest = covering.aggregate(widest=Max("radius_metres"))["widest"] or 0.0
        earlier = covering.filter(**_box(crime.latitude, crime.longitude, widest))
        for zone in earlier:
            _link(zone, crime, x, y, when)
        zone = PreventionZone.objects.create(
            force=crime.force, crime=crime, team=crime.team, latitude=crime.latitude,
            longitude=crime.longitude, easting=x, northing=y, radius_metres=window.metres,
            days=window.days, starts_at=when, ends_at=when + dt.timedelta(days=window.days),
            run=run,
        )  # fmt: skip
        CocooningTask.objects.create(
            force=crime.force, zone=zone, team=crime.team,
            due_at=crime.recorded_at + dt.timedelta(hours=TASK_HOURS),
        )  # fmt: skip
        # A crime is recorded no earlier than it happened (care's schema), so the index on
        # the recorded time narrows the later ones; the box, their places.
        later = (
            Crime.objects.filter(force=crime.force, offence_id__in=analysis.ZONE_OFFENCES)
            .filter(recorded_at__gt=when)
            .filter(**_box(crime.latitude, crime.longitude, window.metres))
            .exclude(pk=crime.pk)
            .annotate(when=_when())
            .filter(when__gt=when, when__lte=zone.ends_at)
        )
        for other in later:
            ox, oy = _grid(other.longitude, other.latitude)  # type: ignore[arg-type]
            _link(zone, other, ox, oy, crime_time(other))
        audit_record(
            force=crime.force, action="create", obj=zone, actor=actor,
            summary=f"prevention zone of {crime.reference}: {window.metres:g} m, "
            f"{window.days} days",
        )  # fmt: skip
    return zone


def _box(latitude: float, longitude: float, metres: float) -> dict[str, float]:
    """Latitudes and longitudes within ``metres`` of a place, and a fifth more (for the
    grid's own scale and the degrees' shape), as a filter: only those in the box are then
    measured on the grid."""
    north = metres * 1.2 / 111_000
    east = north / max(math.cos(math.radians(latitude)), 0.1)
    return {
        "latitude__gte": latitude - north,
        "latitude__lte": latitude + north,
        "longitude__gte": longitude - east,
        "longitude__lte": longitude + east,
    }


def _link(zone: PreventionZone, crime: Crime, x: float, y: float, when: dt.datetime) -> bool:
    """Link the crime to the zone if it lies within the radius and the days (never to a
    zone whose place was erased after retention)."""
    if zone.easting is None or zone.northing is None:
        return False
    east, north = x - zone.easting, y - zone.northing
    metres = math.hypot(east, north)
    if metres > zone.radius_metres:
        return False
    if not zone.starts_at < when <= zone.ends_at:
        return False
    _, created = ZoneLink.objects.get_or_create(
        zone=zone, crime=crime,
        defaults={
            "force": zone.force, "metres": metres, "east": east, "north": north,
            "hours_after": (when - zone.starts_at).total_seconds() / 3600,
        },
    )  # fmt: skip
    return created


# Cocooning


class TaskRefused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class CocooningIn:
    homes_visited: int
    leaflets: int
    advice: str


def cocooning_record(
    *, task: CocooningTask, data: CocooningIn, user: User, now: dt.datetime
) -> CocooningTask:
    """Record the neighbours warned: homes visited, leaflets and advice (the advice said in
    words, never blank), once; audited, and the burglary's ``neighbours_warned`` basic met
    where its checklist has one. TaskRefused names the field."""
    if data.homes_visited < 0:
        raise TaskRefused("homes_visited", "cannot be below 0")
    if data.leaflets < 0:
        raise TaskRefused("leaflets", "cannot be below 0")
    if not data.advice.strip():
        raise TaskRefused("advice", "say what advice was given")
    with transaction.atomic():
        locked = CocooningTask.objects.select_for_update().get(pk=task.pk)
        if locked.done_at is not None:
            raise TaskRefused("task", f"already recorded by {locked.done_by}")
        locked.done_at = now
        locked.done_by = user.username
        locked.homes_visited = data.homes_visited
        locked.leaflets = data.leaflets
        locked.advice = data.advice.strip()[:2000]
        locked.save(update_fields=["done_at", "done_by", "homes_visited", "leaflets", "advice"])
        audit_record(
            force=locked.force, action="update", obj=locked, user=user,
            summary=f"cocooning of zone {locked.zone_id}: {data.homes_visited} homes, "
            f"{data.leaflets} leaflets",
        )  # fmt: skip
        for listener in TASK_DONE_LISTENERS:
            listener(locked, user.username)
    return locked
