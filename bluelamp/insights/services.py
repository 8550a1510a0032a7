"""Alerts: against a unit's own past (the CUSUM), kept up to date with each response in the
response's own transaction; against the force (the funnel plot), over a period, by the
worker's housekeeping."""

import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from bluelamp.forces.models import Force, StaffMember, Team
from bluelamp.insights import alerts, drill, funnel
from bluelamp.insights.models import Alert, AlertState, Rollup
from bluelamp.insights.rollups import ALL_TEAMS
from bluelamp.surveys.models import IncidentType, Response

# The unit a response belongs to in each dimension (a team's rollups are its ``all`` rows).
DIMENSIONS = (
    ("team", "team_id"),
    ("call_handler", "call_handler_id"),
    ("incident_type", "incident_type_id"),
    ("channel", "channel"),
)
HISTORY_DAYS = 28
BASELINE_SECONDS = 600.0
_baselines: dict[tuple[int, str, str, dt.date], tuple[float, float | None]] = {}


def expected_share_for(force_id: int, dimension: str, key: str, day: dt.date) -> float | None:
    """The unit's expected dissatisfied share from the 28 days before ``day`` (cached)."""
    cache_key = (force_id, dimension, key, day)
    cached = _baselines.get(cache_key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    window = Rollup.objects.filter(
        force_id=force_id, day__gte=day - dt.timedelta(days=HISTORY_DAYS), day__lt=day
    )
    force = Q(dimension="all", team_key=ALL_TEAMS)
    if dimension == "team":
        unit = Q(dimension="all", team_key=int(key))
    else:
        unit = Q(dimension=dimension, key=key, team_key=ALL_TEAMS)
    row = window.filter(force | unit).aggregate(
        n=Sum("answered", filter=force, default=0),
        x=Sum("dissatisfied", filter=force, default=0),
        un=Sum("answered", filter=unit, default=0),
        ux=Sum("dissatisfied", filter=unit, default=0),
    )
    share = alerts.expected_share(row["ux"], row["un"], row["x"], row["n"])
    _baselines[cache_key] = (time.monotonic() + BASELINE_SECONDS, share)
    return share


def baselines_clear() -> None:
    _baselines.clear()


def _label(dimension: str, key: str) -> str:
    if dimension == "team":
        team = Team.objects.filter(pk=key).first()
        return team.name if team else f"Team {key}"
    if dimension == "call_handler":
        staff = StaffMember.objects.filter(pk=key).first()
        return f"Call handler {staff.number}" if staff else f"Call handler {key}"
    if dimension == "incident_type":
        found = IncidentType.objects.filter(pk=key).first()
        return found.name if found else key
    if dimension == "channel":
        return f"{drill.choice_label(dimension, key)} contacts"
    return drill.choice_label(dimension, key)


def alerts_update(*, response: Response, now: dt.datetime) -> list[Alert]:
    """Step each unit's CUSUM with this answer; open an alert when one passes the threshold
    (unless one is open for that unit), clear it when the sum falls back. Returns alerts
    opened."""
    if response.whole_experience is None:
        return []
    dissatisfied = response.outcome == Response.Outcome.DISSATISFIED
    opened = []
    day = timezone.localtime(response.submitted_at).date()
    for dimension, attr in DIMENSIONS:
        value = getattr(response, attr)
        if not value:
            continue
        key = str(value)
        p0 = expected_share_for(response.force_id, dimension, key, day)
        if p0 is None:
            continue
        state, _ = AlertState.objects.select_for_update().get_or_create(
            force_id=response.force_id, dimension=dimension, key=key
        )
        if state.cusum == 0:
            state.run_start, state.run_n, state.run_x = response.submitted_at, 0, 0
        before = state.cusum
        state.cusum = alerts.cusum_step(state.cusum, dissatisfied, p0)
        state.run_n += 1
        state.run_x += int(dissatisfied)
        if state.cusum == 0:
            state.run_start, state.run_n, state.run_x = None, 0, 0
        state.save()
        # An alert can be opened only above the threshold, and an open one can only clear as
        # the sum falls below CLEAR_BELOW: otherwise there is nothing to look up.
        crossing_down = before >= alerts.CLEAR_BELOW > state.cusum
        if state.cusum <= alerts.THRESHOLD and not crossing_down:
            continue
        current = Alert.objects.filter(
            force_id=response.force_id,
            method=Alert.Method.CUSUM,
            dimension=dimension,
            key=key,
            cleared_at=None,
        ).first()
        if current is None and state.cusum > alerts.THRESHOLD:
            assert state.run_start is not None
            label = _label(dimension, key)
            since = timezone.localtime(state.run_start).strftime("%H:%M on %-d %b")
            words = alerts.explain(label, since, state.run_x, state.run_n, p0)
            opened.append(
                Alert.objects.create(
                    force_id=response.force_id,
                    dimension=dimension,
                    key=key,
                    label=label,
                    text=words.text,
                    run_n=state.run_n,
                    run_x=state.run_x,
                    expected_share=p0,
                    chance=words.chance,
                    opened_at=now,
                )
            )
        elif current is not None and state.cusum < alerts.CLEAR_BELOW:
            current.cleared_at = now
            current.save(update_fields=["cleared_at"])
    return opened


# Against the force: the funnel plot (funnel.py), over the last FUNNEL_DAYS days.
FUNNEL_DAYS = 28
FUNNEL_DIMENSIONS = ("team", "call_handler", "incident_type", "channel")


@dataclass(frozen=True)
class FunnelPicture:
    """A dimension's units against the force over the period, for the alerts and the plot;
    shares are of answers not satisfied."""

    dimension: str
    force_share: float
    verdicts: list[funnel.Verdict]
    spread: funnel.Dispersion
    first: dt.date
    last: dt.date


def funnel_pictures(
    *, force_id: int, now: dt.datetime, dimensions: tuple[str, ...] = FUNNEL_DIMENSIONS
) -> list[FunnelPicture]:
    """Each dimension's units set against the force over the last ``FUNNEL_DAYS`` local days,
    from the rollups (one grouped query), teams on their mix of incident types."""
    last = timezone.localtime(now).date()
    first = last - dt.timedelta(days=FUNNEL_DAYS - 1)
    wanted = {"all", *(d for d in dimensions if d != "team")}
    if "team" in dimensions:
        wanted.add("incident_type")
    rows = (
        Rollup.objects.filter(force_id=force_id, day__gte=first, day__lte=last)
        .filter(dimension__in=wanted)
        .values("dimension", "team_key", "key")
        .annotate(n=Sum("answered"), satisfied=Sum("satisfied"))
    )
    force_n = force_x = 0
    by_unit: dict[str, dict[str, tuple[int, int]]] = {d: {} for d in dimensions}
    type_totals: dict[str, tuple[int, int]] = {}
    team_mix: dict[str, dict[str, int]] = {}
    team_totals: dict[str, tuple[int, int]] = {}
    for r in rows:
        dimension, team_key, key, n = r["dimension"], r["team_key"], r["key"], r["n"]
        x = n - r["satisfied"]  # answers not satisfied
        if team_key == ALL_TEAMS:
            if dimension == "all":
                force_n, force_x = n, x
            elif dimension == "incident_type":
                type_totals[key] = (n, x)
            if dimension in by_unit and dimension != "team" and key not in ("", "0"):
                by_unit[dimension][key] = (n, x)
        elif team_key > 0:
            if dimension == "all":
                team_totals[str(team_key)] = (n, x)
            elif dimension == "incident_type":
                team_mix.setdefault(str(team_key), {})[key] = n
    if force_n < alerts.MIN_FORCE_HISTORY:
        return []
    force_share = force_x / force_n
    type_shares = {t: x / n for t, (n, x) in type_totals.items() if n}
    pictures = []
    for dimension in dimensions:
        if dimension == "team":
            units = [
                funnel.Unit(
                    key=key,
                    answers=n,
                    not_satisfied=x,
                    expected=funnel.team_expected(team_mix.get(key, {}), type_shares, force_share)
                    if team_mix.get(key)
                    else n * force_share,
                )
                for key, (n, x) in team_totals.items()
                if n
            ]
        else:
            units = [
                funnel.Unit(key=key, answers=n, not_satisfied=x, expected=n * force_share)
                for key, (n, x) in by_unit[dimension].items()
                if n
            ]
        verdicts, spread = funnel.judge(units)
        pictures.append(FunnelPicture(dimension, force_share, verdicts, spread, first, last))
    return pictures


def _funnel_words(label: str, dimension: str, verdict: funnel.Verdict, days: int) -> str:
    u = verdict.unit
    mix = " on the same mix of incidents" if dimension == "team" else ""
    satisfied = u.answers - u.not_satisfied
    return (
        f"{label}: {satisfied} of {u.answers} satisfied in the last {days} days "
        f"({1 - u.share:.0%}), against {1 - u.expected_share:.0%} for the force{mix}; below the "
        f"force's 99.8% limit of {1 - verdict.upper:.0%} for a unit of this size. Chance alone "
        f"would do this {alerts.chance_words(verdict.chance)} times."
    )


def funnel_alerts_update(*, force_id: int, now: dt.datetime) -> list[Alert]:
    """Open an alert (method ``funnel``) for each unit outside the force's 99.8% limit over
    the period, unless one is open for it; clear an open one once its unit is back within
    the 95% limit (or has too few answers to judge). Returns the alerts opened."""
    opened = []
    with transaction.atomic():
        current = {
            (a.dimension, a.key): a
            for a in Alert.objects.select_for_update().filter(
                force_id=force_id, method=Alert.Method.FUNNEL, cleared_at=None
            )
        }
        judged: set[tuple[str, str]] = set()
        for picture in funnel_pictures(force_id=force_id, now=now):
            for verdict in picture.verdicts:
                cause = (picture.dimension, verdict.unit.key)
                judged.add(cause)
                alert = current.get(cause)
                if alert is None and verdict.outside:
                    label = _label(picture.dimension, verdict.unit.key)
                    opened.append(
                        Alert.objects.create(
                            force_id=force_id,
                            method=Alert.Method.FUNNEL,
                            dimension=picture.dimension,
                            key=verdict.unit.key,
                            label=label,
                            text=_funnel_words(label, picture.dimension, verdict, FUNNEL_DAYS),
                            run_n=verdict.unit.answers,
                            run_x=verdict.unit.not_satisfied,
                            expected_share=verdict.unit.expected_share,
                            force_share=picture.force_share,
                            chance=verdict.chance,
                            opened_at=now,
                        )
                    )
                elif alert is not None and verdict.inside_inner:
                    alert.cleared_at = now
                    alert.save(update_fields=["cleared_at"])
        for cause, alert in current.items():
            if cause not in judged:
                alert.cleared_at = now
                alert.save(update_fields=["cleared_at"])
    return opened


def funnel_alerts_update_all(*, now: dt.datetime) -> list[Alert]:
    """Every force's funnel alerts (the worker's housekeeping)."""
    opened = []
    for force_id in Force.objects.values_list("pk", flat=True):
        opened += funnel_alerts_update(force_id=force_id, now=now)
    return opened
