"""Alerts kept up to date with each response, in the response's own transaction."""

import datetime as dt
import time

from django.db.models import Q, Sum
from django.utils import timezone

from bluelamp.forces.models import StaffMember, Team
from bluelamp.insights import alerts
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
    return f"{key} calls"


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
            force_id=response.force_id, dimension=dimension, key=key, cleared_at=None
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
